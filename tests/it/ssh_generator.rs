//! The differential test's generator: seeded (xorshift64*), deterministic
//! configs and command lines. It writes Host/Match trees, Include trees
//! with globs, self-inclusion, relative and missing includes, pattern
//! lists, negations, duplicates, quoting, `=` forms, time units, comments,
//! bad values and bad Match lines, `IgnoreUnknown`, the command-line
//! options ssh reads, `ssh://` and `user@` destinations, line-end and
//! blank-line variants; and what changed between 8.7 and 10.5 and the
//! vendor keywords (`CHANGED`, the Match criteria and tokens, the Include
//! tokens, the command-line host, user and jump checks, remote commands),
//! so that every build meets what it does differently.

use std::path::Path;

/// xorshift64*: small, seedable, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

const HOSTS: &[&str] = &[
    "a",
    "b.example.com",
    "B.Example.COM",
    "c.ci.example.com",
    "host-1",
    "127.1",
    "10.0.0.1",
    "x",
    "bitbucket.example.com",
];

const PATTERNS: &[&str] = &[
    "a",
    "*",
    "*.example.com",
    "*.ci.example.com",
    "b*",
    "?",
    "host-?",
    "B.Example.COM",
    "b.example.com",
    "10.0.0.*",
    "127.*",
    "x",
    "bitbucket.example.com",
    "real.example.net",
    "*.example.net",
];

fn pattern(r: &mut Rng) -> String {
    let p = r.pick(PATTERNS);
    if r.chance(20) {
        format!("!{p}")
    } else {
        p.to_string()
    }
}

fn pattern_list(r: &mut Rng) -> String {
    let n = 1 + r.below(3);
    (0..n).map(|_| pattern(r)).collect::<Vec<_>>().join(",")
}

/// A keyword and a value generator.
fn option(r: &mut Rng) -> (String, String) {
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
const LATER_KEYWORDS: &[&str] = &[
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

/// Writes `Key Value` in one of ssh's accepted spellings.
fn spell(r: &mut Rng, k: &str, v: &str) -> String {
    let indent = r.pick(&["", "  ", "\t", "    "]);
    let v = if !v.contains(' ') && r.chance(15) {
        format!("\"{v}\"")
    } else {
        v.to_string()
    };
    let sep = r.pick(&[" ", " ", "=", " = ", "\t", "  "]);
    let comment = if r.chance(8) { " # note" } else { "" };
    format!("{indent}{k}{sep}{v}{comment}")
}

fn match_line(r: &mut Rng) -> String {
    let mut parts = Vec::new();
    if r.chance(2) {
        // Lines ssh rejects.
        return r
            .pick(&[
                "Match foo x",
                "Match host",
                "Match all host x",
                "Match exec",
                "Match host \"a",
                "Match",
                "Match all # trailing",
            ])
            .to_string();
    }
    if r.chance(5) {
        return r.pick(&["Match all", "Match !all"]).to_string();
    }
    let n = 1 + r.below(3);
    for _ in 0..n {
        let neg = if r.chance(20) { "!" } else { "" };
        let c = match r.below(12) {
            9 if r.chance(50) => changed_criterion(r, neg),
            9..=11 => format!("{neg}host {}", pattern_list(r)),
            0 | 1 => format!("{neg}host {}", pattern_list(r)),
            2 => format!("{neg}originalhost {}", pattern_list(r)),
            3 => format!(
                "{neg}user {}",
                r.pick(&["git", "root", "alice,!bob", "*", "Bob"])
            ),
            4 => format!("{neg}localuser {}", r.pick(&["root", "nobody", "r*"])),
            5 => format!(
                "{neg}exec {}",
                r.pick(&["true", "false", "\"test %p = 22\"", "\"test %h = a\""])
            ),
            6 => format!("{neg}canonical"),
            7 => format!("{neg}final"),
            _ => format!("{} {}", r.pick(&["Host", "HOST", "host"]), pattern_list(r)),
        };
        parts.push(c);
    }
    format!("Match {}", parts.join(" "))
}

/// A Match criterion whose reading changed (tokens, `criterion=arg`) or
/// that a later release added.
fn changed_criterion(r: &mut Rng, neg: &str) -> String {
    let c = r.pick(&[
        "host 'x'",
        "host=x",
        "host = x",
        "host=a,x",
        "originalhost=B.Example.COM",
        "exec=true",
        "tagged t1",
        "tagged *",
        "tagged \"\"",
        "tagged=t2",
        "localnetwork 127.0.0.0/8",
        "localnetwork 198.51.100.0/24",
        "localnetwork ::1/128",
        "localnetwork foo",
        "version OpenSSH_*",
        "version OpenSSH_9.2p1*",
        "version *Debian*",
        "version=OpenSSH_10.*",
        "sessiontype shell",
        "sessiontype exec",
        "sessiontype none",
        "sessiontype=shell",
        "command ls*",
        "command \"\"",
        "final",
        "canonical",
    ]);
    format!("{neg}{c}")
}

/// One generated file body; includes point into `dir`.
fn body(r: &mut Rng, dir: &Path, depth: usize, files: &mut Vec<(String, String)>) -> String {
    let mut lines = Vec::new();
    if depth == 0 && r.chance(70) {
        // The keywords some builds lack: each build ignores the ones it
        // does not know, and reads the others.
        lines.push(format!(
            "IgnoreUnknown Bogus,Other,{}",
            LATER_KEYWORDS.join(",")
        ));
    } else if r.chance(10) {
        lines.push("IgnoreUnknown Bogus,Other".to_string());
    }
    let blocks = 1 + r.below(5);
    for _ in 0..blocks {
        match r.below(10) {
            0..=4 => {
                // Now and then more patterns than a line keeps inline.
                let n = if r.chance(5) {
                    7 + r.below(4)
                } else {
                    1 + r.below(3)
                };
                let pats: Vec<String> = (0..n).map(|_| pattern(r)).collect();
                lines.push(format!(
                    "{} {}",
                    r.pick(&["Host", "host", "HOST"]),
                    pats.join(r.pick(&[" ", "  ", "\t"]))
                ));
            }
            5..=7 => lines.push(match_line(r)),
            _ => {}
        }
        let opts = r.below(5);
        for _ in 0..opts {
            let (k, v) = option(r);
            lines.push(spell(r, &k, &v));
        }
        if r.chance(10) {
            lines.push("# a comment".into());
        }
        if r.chance(8) {
            lines.push(r.pick(&["", "   ", "\t", " \t "]).into());
        }
        if depth < 2 && r.chance(20) {
            let name = format!("inc{}_{}.conf", depth, files.len());
            let path = dir.join(&name);
            let inc = body(r, dir, depth + 1, files);
            files.push((name.clone(), inc));
            let target = if r.chance(30) {
                format!("{}/inc{}_*.conf", dir.display(), depth)
            } else {
                path.display().to_string()
            };
            let missing = if r.chance(20) {
                format!(" {}/nothing-*.conf", dir.display())
            } else {
                String::new()
            };
            lines.push(format!("Include {target}{missing}"));
        }
        if depth == 0 && r.chance(1) {
            // Includes itself: ssh stops at depth 16.
            lines.push(format!("Include {}/config", dir.display()));
        }
        if r.chance(2) {
            lines.push(
                // A directory reads as empty; `~name` is the account's home.
                r.pick(&[
                    "Include relative-missing.conf",
                    "Include ~/.ssh/missing-*",
                    "Include ~root/.pg-missing-*",
                    "Include /usr",
                ])
                .into(),
            );
        }
        if r.chance(4) {
            // Tokens in Include paths (9.9): the files exist for a few
            // hosts; an unknown token stops ssh, an unset variable skips.
            let d = dir.display().to_string();
            let rel = dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            lines.push(match r.below(10) {
                0..=3 => format!("Include {d}/tok_%h.conf"),
                4..=6 => format!("Include ${{HOME}}/{rel}/tok_home.conf"),
                7 => format!("Include {d}/tok_%Z.conf"),
                8 => format!("Include {d}/tok_%%h.conf"),
                _ => "Include ${PUSHGUARD_UNSET_VARIABLE}/x.conf".into(),
            });
        }
    }
    // Line ends and trailing whitespace vary: CRLF, blanks and form feeds
    // at the end of a line, and a last line without its newline.
    let mut text = String::new();
    let n = lines.len();
    for (i, l) in lines.into_iter().enumerate() {
        text.push_str(&l);
        if !l.trim().is_empty() && r.chance(5) {
            text.push_str(r.pick(&[" ", "\t", "  \t", "\x0c", " \x0c"]));
        }
        let end = if i + 1 == n && r.chance(10) {
            ""
        } else if r.chance(5) {
            "\r\n"
        } else {
            "\n"
        };
        text.push_str(end);
    }
    text
}

pub fn case(seed: u64, dir: &Path) -> (Vec<String>, String) {
    let mut r = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut files = Vec::new();
    let main = body(&mut r, dir, 0, &mut files);
    for (name, text) in &files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    // Now and then an included file others may write: ssh refuses it,
    // Debian's patch allows a group that holds only the user.
    if !files.is_empty() && r.chance(15) {
        use std::os::unix::fs::PermissionsExt;
        let (name, _) = &files[r.below(files.len())];
        let mode = if r.chance(25) { 0o646 } else { 0o664 };
        std::fs::set_permissions(dir.join(name), std::fs::Permissions::from_mode(mode)).unwrap();
    }
    for (name, text) in [
        ("tok_a.conf", "Port 2001\n"),
        ("tok_x.conf", "Port 2002\nUser tok\n"),
        ("tok_home.conf", "Port 2003\n"),
        ("tok_%h.conf", "Port 2004\n"),
    ] {
        std::fs::write(dir.join(name), text).unwrap();
    }
    let cfg = dir.join("config");
    std::fs::write(&cfg, &main).unwrap();
    let mut args = vec!["-F".to_string(), cfg.display().to_string()];
    let nopt = r.below(4);
    for _ in 0..nopt {
        match r.below(9) {
            7 => changed_command_line(&mut r, &mut args),
            8 => {
                args.push("-p".into());
                args.push(r.pick(&["2200", "22"]).into());
            }
            0 | 1 => {
                let (k, v) = option(&mut r);
                if r.chance(2) {
                    args.push("-o".into());
                    args.push(r.pick(&["Host=x", "Match all", "Include /tmp/x"]).into());
                } else if k != "Bogus" {
                    args.push("-o".into());
                    args.push(format!("{k}{}{v}", r.pick(&["=", " "])));
                }
            }
            2 => {
                args.push("-p".into());
                args.push(r.pick(&["2200", "22"]).into());
            }
            3 => {
                args.push("-l".into());
                args.push(r.pick(&["carol", "git"]).into());
            }
            4 => args.push(r.pick(&["-4", "-6"]).into()),
            5 => {
                args.push("-J".into());
                args.push(r.pick(&["j1", "u@j2:2022"]).into());
            }
            _ => {
                args.push("-i".into());
                args.push(
                    r.pick(&["/etc/hostname", "~root/../etc/hostname", "~pg-nosuch/id"])
                        .into(),
                );
            }
        }
    }
    let host = r.pick(HOSTS);
    let dest = match r.below(7) {
        0 => format!("git@{host}"),
        1 if !host.contains(':') => format!("ssh://u@{host}:2022"),
        // Host and user names that later releases check.
        6 if r.chance(40) => r
            .pick(&[
                "a,b",
                "a;b",
                "a b",
                "a;b@h",
                "x\u{1}y@h",
                "ssh://u%3bx@h",
                "ssh://u%00x@h",
                "ssh://u%41@h",
                "ssh://u;fp=x@h",
                "ssh://u+v@_h",
            ])
            .to_string(),
        _ => host.to_string(),
    };
    // ssh also reads options after the destination.
    let at = if r.chance(25) {
        2 + r.below(args.len() - 1)
    } else {
        args.len()
    };
    args.insert(at, dest);
    // Now and then a remote command (`Match command`, `sessiontype exec`).
    if r.chance(10) {
        args.extend(r.pick(&["ls -l", "sftp"]).split(' ').map(String::from));
    }
    let mut text = format!("== config\n{main}");
    for (n, _) in &files {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join(n)).map(|m| m.permissions().mode() & 0o777);
        if let Ok(m @ (0o664 | 0o646)) = mode {
            text.push_str(&format!("== chmod {m:o} {n}\n"));
        }
    }
    for (n, t) in &files {
        text.push_str(&format!("== {n}\n{t}"));
    }
    (args, text)
}

/// A command-line option whose reading changed between releases.
fn changed_command_line(r: &mut Rng, args: &mut Vec<String>) {
    let words: &[&str] = match r.below(14) {
        0 => &["-P", "t1"],
        1 => &["-J", "none"],
        2 => &["-o", "ProxyJump=none"],
        3 => &["-J", "a;b"],
        4 => &["-J", "j1 j2"],
        5 => &["-l", "a;b"],
        6 => &["-l", "x%hy"],
        7 => &["-o", "User=x%hy"],
        8 => &["-o", "User=a;b"],
        9 => &["-l", "a\u{1}b"],
        10 => &["-q"],
        11 => &["-o", "BatchMode=yes"],
        12 => &["-N"],
        _ => &["-s"],
    };
    args.extend(words.iter().map(|w| w.to_string()));
}
