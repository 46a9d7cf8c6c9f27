//! The generator's options: a keyword and a value, from the keepalive and
//! connection keywords, the rest that `ssh -G` prints (`OTHER`), what
//! changed between releases (`CHANGED`) and values ssh rejects (`BAD`); and
//! the keywords some builds lack (`LATER_KEYWORDS`).

use super::Rng;

/// A keyword and a value generator.
pub(super) fn option(r: &mut Rng) -> (String, String) {
    let (k, v): (&str, String) = match r.below(60) {
        0..=5 => (
            r.pick(&[
                "ServerAliveInterval",
                "serveraliveinterval",
                "SERVERALIVEINTERVAL",
            ]),
            r.pick(&[
                "0", "30", "1m", "1m30s", "none", "10S", "2h", "300", "15", "1w",
            ])
            .into(),
        ),
        6 | 7 => (
            "ServerAliveCountMax",
            r.pick(&["1", "3", "5", "10", "0"]).into(),
        ),
        8 => (
            r.pick(&["TCPKeepAlive", "KeepAlive"]),
            r.pick(&["yes", "no", "true", "false", "Yes"]).into(),
        ),
        9 => ("Port", r.pick(&["22", "2222", "7999", "ssh"]).into()),
        10 => ("User", r.pick(&["git", "alice", "Bob", "j\u{f6}rg"]).into()),
        11 | 12 => (
            "HostName",
            r.pick(&[
                "%h.example.net",
                "real.example.net",
                "10.0.0.2",
                "%h",
                "UPPER.Example.net",
                "127.0.1",
            ])
            .into(),
        ),
        13 => ("BatchMode", r.pick(&["yes", "no"]).into()),
        14 => ("ConnectTimeout", r.pick(&["10", "none", "1m", "0"]).into()),
        15 => (
            "ControlMaster",
            r.pick(&["auto", "yes", "no", "ask", "autoask"]).into(),
        ),
        16 => (
            "ControlPath",
            // `~name` and `~` alone changed in 8.9; an unknown name stops
            // ssh.
            r.pick(&[
                "/tmp/cp-%r@%h:%p",
                "none",
                "~/.ssh/cm-%C",
                "/tmp/%n-%k",
                "~root//cm-%h",
                "~root",
                "~",
                "~pg-nosuch/cm",
            ])
            .into(),
        ),
        17 => (
            "ControlPersist",
            r.pick(&["yes", "no", "10m", "0", "60"]).into(),
        ),
        18 => (
            "ProxyJump",
            r.pick(&[
                "jump.example.com",
                "u@jh:2222",
                "none",
                "a,b",
                "10.1.1.1",
                "ssh://u@j:23",
            ])
            .into(),
        ),
        19 => (
            "ProxyCommand",
            r.pick(&["nc %h %p", "none", "ssh -W %h:%p gw"]).into(),
        ),
        20 => (
            "IdentityFile",
            r.pick(&["~/.ssh/id_a", "/tmp/id_b", "~/.ssh/id_%h"]).into(),
        ),
        21 => ("AddressFamily", r.pick(&["inet", "any", "inet6"]).into()),
        22 => ("HostKeyAlias", r.pick(&["foo", "Mixed.Case"]).into()),
        23 => (
            "CanonicalizeHostname",
            r.pick(&["no", "yes", "always"]).into(),
        ),
        24 => (
            "SendEnv",
            r.pick(&["LANG", "-LANG", "LC_*", "-LC_*", "GIT_PROTOCOL"])
                .into(),
        ),
        25 => ("SetEnv", r.pick(&["A=1", "B=2 C=3", "A=3"]).into()),
        26 => (
            "StrictHostKeyChecking",
            r.pick(&["accept-new", "no", "yes", "ask", "off"]).into(),
        ),
        27 => (
            "UserKnownHostsFile",
            r.pick(&["/dev/null", "~/.ssh/kh_%h", "none", "/tmp/a /tmp/b"])
                .into(),
        ),
        28 => (
            "LogLevel",
            r.pick(&["ERROR", "debug", "QUIET", "debug1"]).into(),
        ),
        29 => (
            "ForwardAgent",
            r.pick(&["yes", "no", "/tmp/agent.sock"]).into(),
        ),
        30 => ("Compression", r.pick(&["yes", "no"]).into()),
        31 => ("IdentitiesOnly", r.pick(&["yes", "no"]).into()),
        32 => ("CertificateFile", r.pick(&["~/.ssh/c1", "/tmp/c2"]).into()),
        33 if r.chance(30) => (
            "Bogus",
            // Rare unknown keyword: usually covered by IgnoreUnknown.
            "1".into(),
        ),
        34..=38 => {
            let (k, vs) = CHANGED[r.below(CHANGED.len())];
            (k, r.pick(vs).into())
        }
        _ => {
            let table = if r.chance(2) { BAD } else { OTHER };
            let (k, vs) = table[r.below(table.len())];
            (k, r.pick(vs).into())
        }
    };
    (k.to_string(), v)
}

/// The rest of the keywords `ssh -G` prints, with good and a few bad values.
const OTHER: &[(&str, &[&str])] = &[
    ("ForwardX11", &["yes", "no"]),
    ("ForwardX11Trusted", &["yes", "no"]),
    ("ForwardX11Timeout", &["10m", "none", "5"]),
    ("GatewayPorts", &["yes", "no"]),
    ("ExitOnForwardFailure", &["yes", "no"]),
    ("PasswordAuthentication", &["yes", "no"]),
    ("KbdInteractiveAuthentication", &["yes", "no"]),
    ("ChallengeResponseAuthentication", &["no"]),
    (
        "PubkeyAuthentication",
        &["yes", "no", "unbound", "host-bound"],
    ),
    ("HostbasedAuthentication", &["yes", "no"]),
    ("GSSAPIAuthentication", &["yes", "no"]),
    ("GSSAPIDelegateCredentials", &["yes", "no"]),
    ("GSSAPIKeyExchange", &["yes", "no"]),
    ("GSSAPITrustDNS", &["yes", "no"]),
    ("GSSAPIRenewalForcesRekey", &["yes"]),
    ("GSSAPIClientIdentity", &["me@REALM"]),
    ("CheckHostIP", &["yes", "no"]),
    ("NoHostAuthenticationForLocalhost", &["yes"]),
    ("ClearAllForwardings", &["yes", "no"]),
    ("EnableSSHKeysign", &["yes"]),
    ("HashKnownHosts", &["yes", "no"]),
    ("PermitLocalCommand", &["yes"]),
    ("VisualHostKey", &["yes"]),
    ("StdinNull", &["yes"]),
    ("ForkAfterAuthentication", &["no", "yes"]),
    ("ProxyUseFdpass", &["yes", "no"]),
    ("CanonicalizeFallbackLocal", &["yes", "no"]),
    ("CanonicalizeMaxDots", &["0", "2"]),
    ("CanonicalDomains", &["invalid", "none"]),
    ("StreamLocalBindUnlink", &["yes"]),
    ("EnableEscapeCommandline", &["yes"]),
    ("UpdateHostKeys", &["yes", "no", "ask"]),
    ("VerifyHostKeyDNS", &["yes", "no", "ask"]),
    ("Tunnel", &["yes", "ethernet", "point-to-point", "no"]),
    ("TunnelDevice", &["any", "1:2", "3", "any:4"]),
    ("RequestTTY", &["yes", "no", "force", "auto"]),
    ("SessionType", &["none", "subsystem", "default"]),
    ("FingerprintHash", &["md5", "sha256"]),
    ("NumberOfPasswordPrompts", &["1", "5"]),
    ("ConnectionAttempts", &["2"]),
    ("RequiredRSASize", &["2048"]),
    ("BindAddress", &["127.0.0.1"]),
    ("BindInterface", &["lo"]),
    (
        "Ciphers",
        &[
            "aes128-ctr",
            "+aes128-cbc",
            "-chacha20-poly1305@openssh.com",
            "^aes256-ctr",
            "aes128-ctr,aes128-ctr",
            "+aes128-ctr",
            "-aes*",
        ],
    ),
    ("MACs", &["hmac-sha2-256", "-hmac-sha1"]),
    (
        "KexAlgorithms",
        &["curve25519-sha256", "+diffie-hellman-group14-sha1"],
    ),
    ("HostKeyAlgorithms", &["ssh-ed25519", "+ssh-rsa"]),
    ("PubkeyAcceptedAlgorithms", &["+ssh-rsa", "ssh-ed25519"]),
    ("HostbasedAcceptedAlgorithms", &["ssh-ed25519"]),
    ("CASignatureAlgorithms", &["ssh-ed25519"]),
    ("KbdInteractiveDevices", &["pam"]),
    ("PreferredAuthentications", &["publickey,password"]),
    ("LocalCommand", &["echo %h", "none"]),
    ("RemoteCommand", &["ls -l", "none"]),
    ("KnownHostsCommand", &["/bin/true %h"]),
    ("RevokedHostKeys", &["/tmp/rk", "none"]),
    ("SecurityKeyProvider", &["internal", "/tmp/sk.so"]),
    ("XAuthLocation", &["/usr/bin/xauth2"]),
    (
        "IdentityAgent",
        &[
            "none",
            "SSH_AUTH_SOCK",
            "~/agent.sock",
            "/tmp/a-%h",
            "~root/a",
        ],
    ),
    (
        "AddKeysToAgent",
        &["yes", "no", "confirm", "ask", "1h", "confirm 5m"],
    ),
    ("EscapeChar", &["none", "~", "^A", "x"]),
    (
        "IPQoS",
        &["af21", "lowdelay throughput", "cs1 af11", "0x10", "none"],
    ),
    (
        "RekeyLimit",
        &["1G", "1G 1h", "default", "default none", "500M 30m"],
    ),
    ("StreamLocalBindMask", &["0177", "022"]),
    ("SyslogFacility", &["AUTH", "local0"]),
    ("LogVerbose", &["kex.c:*", "none"]),
    (
        "PermitRemoteOpen",
        &["any", "localhost:8080", "none", "a:1 b:2"],
    ),
    (
        "LocalForward",
        &["8080 localhost:80", "127.0.0.1:8081 [::1]:81"],
    ),
    ("RemoteForward", &["9090 localhost:90", "9000"]),
    ("DynamicForward", &["1080", "localhost:1081"]),
    ("GlobalKnownHostsFile", &["/tmp/g1", "/tmp/g1 /tmp/g2"]),
    ("ControlPath", &["/tmp/%L-%l-%i-%u-%d", "~/.ssh/%C"]),
    ("Protocol", &["2"]),
    (
        "SendEnv",
        &[
            "A B C D E F G H",
            "A B C D E F G H I",
            "A B C D E F G H I J",
        ],
    ),
    (
        "GlobalKnownHostsFile",
        &["/tmp/1 /tmp/2 /tmp/3 /tmp/4 /tmp/5 /tmp/6 /tmp/7 /tmp/8 /tmp/9"],
    ),
    ("UseRoaming", &["no"]),
    ("RSAAuthentication", &["yes"]),
];

/// What changed between 8.7 and 10.5, and the vendor keywords: each build
/// accepts, refuses or prints some of these its own way.
const CHANGED: &[(&str, &[&str])] = &[
    (
        "ServerAliveInterval",
        &[
            "1.5", "30s30s", "+5", "1m1.5", ".5", "1.", "5s5", "1M1s1S", "-0", "0.0s", "1.5s1m",
        ],
    ),
    ("ConnectTimeout", &["1.5", "30s30s", "+5", "NONE"]),
    ("ForwardX11Timeout", &["1.5", "30s30s"]),
    ("ControlPersist", &["1.5", "30s30s", "+5"]),
    ("RekeyLimit", &["1G 1.5", "1G 30s30s", "1G +5"]),
    ("AddKeysToAgent", &["1.5", "confirm 1.5", "30s30s"]),
    (
        "ChannelTimeout",
        &[
            "session=30",
            "a=5 b=6",
            "none",
            "session=1.5",
            "session=30s30s",
            "session=+5",
            "=5",
            "NONE",
            "none x=1",
        ],
    ),
    ("Tag", &["t1", "t2", "none"]),
    (
        "ObscureKeystrokeTiming",
        &[
            "yes",
            "no",
            "interval:5",
            "interval:0",
            "YES",
            "interval:20",
        ],
    ),
    (
        "VersionAddendum",
        &["foo bar", "none", "x # c", "%h-%r", "\"q\""],
    ),
    ("WarnWeakCrypto", &["yes", "no", "no-pq-kex", "NO"]),
    (
        "RevokedHostKeys",
        &["/a /b", "~/rk", "/rk-%h", "none", "none /a"],
    ),
    (
        "IPQoS",
        &[
            "lowdelay",
            "0x10",
            "010",
            "va",
            "16",
            "reliability",
            "+8",
            "le",
            "4",
            "1",
        ],
    ),
    ("Compression", &["yes"]),
    ("SendEnv", &["# comment"]),
    (
        "SetEnv",
        &["# comment", "A=%h", "A=50%", "A=${HOME}", "A=1 A=2", "B=%%"],
    ),
    (
        "CanonicalDomains",
        &["# comment", "_a.example", "Example.COM", "a.example."],
    ),
    ("CanonicalizePermittedCNAMEs", &["none", "# comment"]),
    ("PermitRemoteOpen", &["h:22", "NONE", "a:1 b:2", "any"]),
    ("PubkeyAuthentication", &["unbound"]),
    ("Ciphers", &[",", "+,", "-*", "aes128-ctr,,bogus"]),
    ("MACs", &[","]),
    (
        "KexAlgorithms",
        &[
            ",",
            "^mlkem768x25519-sha256",
            "sntrup761x25519-sha512",
            "+mlkem768nistp256-sha256",
        ],
    ),
    (
        "HostKeyAlgorithms",
        &[
            "ssh-dss",
            "ssh-mldsa44-ed25519@openssh.com",
            "webauthn-sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
            "ssh-ed*",
            "+ssh-dss",
        ],
    ),
    (
        "CASignatureAlgorithms",
        &["ssh-ed25519-cert-v01@openssh.com", "+ssh-dss"],
    ),
    ("ProxyJump", &["j1 j2", "j1,j2 j3", "none"]),
    ("User", &["a%%b", "%h-x", "a;b", "%C", "x${HOME}"]),
    ("RequiredRSASize", &["512"]),
    ("EnableEscapeCommandline", &["yes"]),
    ("LogLevel", &["QUIET", "SILENT"]),
    ("ProtocolKeepAlives", &["30"]),
    ("SetupTimeOut", &["60"]),
    ("UseBlacklistedKeys", &["no"]),
    ("UseKeychain", &["yes"]),
    ("AppleMultipath", &["yes"]),
    ("NoHostAuthenticationForProxyCommand", &["yes"]),
    ("RefuseConnection", &["nope"]),
    ("ControlPath", &["/tmp/%j", "/tmp/%C"]),
    ("SecurityKeyProvider", &["NONE", "none"]),
    ("ServerAliveCountMax", &["-1"]),
    (
        "PubkeyAcceptedAlgorithms",
        &["ssh-ed*,rsa*", "rsa*,ssh-ed*", "+ssh-dss"],
    ),
    (
        "GSSAPIKexAlgorithms",
        &["gss-group14-sha256-abc", "bogus", "gss-gex-sha1-,,x"],
    ),
];

/// Keywords some builds lack (later releases, vendor patches).
pub(super) const LATER_KEYWORDS: &[&str] = &[
    "gssapi*",
    "Tag",
    "ObscureKeystrokeTiming",
    "ChannelTimeout",
    "VersionAddendum",
    "WarnWeakCrypto",
    "RefuseConnection",
    "RequiredRSASize",
    "EnableEscapeCommandline",
    "UseKeychain",
    "AppleMultipath",
    "NoHostAuthenticationForProxyCommand",
    "ProtocolKeepAlives",
    "SetupTimeOut",
    "UseBlacklistedKeys",
];

/// Values ssh rejects (used rarely).
const BAD: &[(&str, &[&str])] = &[
    ("Port", &["0", "abc", "22 23"]),
    ("ServerAliveInterval", &["1x", "-5"]),
    ("ServerAliveCountMax", &["abc", "1 2"]),
    ("BatchMode", &["maybe"]),
    ("ControlPersist", &["foo"]),
    ("Ciphers", &["bogus", "+bogus"]),
    ("MACs", &["hmac-bogus"]),
    ("KexAlgorithms", &["^nope"]),
    ("HostName", &["\"unterminated"]),
];
