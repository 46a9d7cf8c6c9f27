//! The OpenSSH client keywords: the keyword table (with the Debian flavour's
//! extra keywords), how each keyword's arguments parse, the first-value-wins
//! store with origins, the defaults and the `ssh -G` dump order.
//!
//! Hand-written because the keyword semantics are the product: which
//! keywords accumulate, which take a whole line once, which ignore the
//! active block (SyslogFacility, StreamLocalBindMask), how each value prints.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use super::Origin;
use super::lex::{self, argv_split, convtime, strtonum};

/// Every keyword meaning ssh knows (several spellings may share one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Op {
    Ignore,
    Deprecated,
    Unsupported,
    ForwardAgent,
    ForwardX11,
    ForwardX11Trusted,
    ForwardX11Timeout,
    ExitOnForwardFailure,
    XAuthLocation,
    GatewayPorts,
    PasswordAuthentication,
    KbdInteractiveAuthentication,
    KbdInteractiveDevices,
    PubkeyAuthentication,
    HostbasedAuthentication,
    IdentityFile,
    IdentitiesOnly,
    CertificateFile,
    AddKeysToAgent,
    IdentityAgent,
    Hostname,
    HostKeyAlias,
    ProxyCommand,
    Port,
    Ciphers,
    Macs,
    RemoteForward,
    LocalForward,
    PermitRemoteOpen,
    User,
    Host,
    Match,
    EscapeChar,
    GlobalKnownHostsFile,
    UserKnownHostsFile,
    ConnectionAttempts,
    BatchMode,
    CheckHostIp,
    StrictHostKeyChecking,
    Compression,
    TcpKeepAlive,
    NumberOfPasswordPrompts,
    SyslogFacility,
    LogLevel,
    LogVerbose,
    DynamicForward,
    PreferredAuthentications,
    HostKeyAlgorithms,
    CaSignatureAlgorithms,
    BindAddress,
    BindInterface,
    ClearAllForwardings,
    EnableSshKeysign,
    VerifyHostKeyDns,
    NoHostAuthenticationForLocalhost,
    RekeyLimit,
    ConnectTimeout,
    AddressFamily,
    ServerAliveInterval,
    ServerAliveCountMax,
    SendEnv,
    SetEnv,
    ControlPath,
    ControlMaster,
    ControlPersist,
    HashKnownHosts,
    Include,
    Tunnel,
    TunnelDevice,
    LocalCommand,
    PermitLocalCommand,
    RemoteCommand,
    VisualHostKey,
    KexAlgorithms,
    IpQos,
    RequestTty,
    SessionType,
    StdinNull,
    ForkAfterAuthentication,
    ProxyUseFdpass,
    CanonicalDomains,
    CanonicalizeFallbackLocal,
    CanonicalizeHostname,
    CanonicalizeMaxDots,
    CanonicalizePermittedCnames,
    StreamLocalBindMask,
    StreamLocalBindUnlink,
    RevokedHostKeys,
    FingerprintHash,
    UpdateHostkeys,
    HostbasedAcceptedAlgorithms,
    PubkeyAcceptedAlgorithms,
    IgnoreUnknown,
    ProxyJump,
    SecurityKeyProvider,
    KnownHostsCommand,
    RequiredRsaSize,
    EnableEscapeCommandline,
    Pkcs11Provider,
    GssAuthentication,
    GssDelegateCreds,
    GssKeyEx,
    GssClientIdentity,
    GssServerIdentity,
    GssRenewalRekey,
    GssTrustDns,
    GssKexAlgorithms,
}

/// Keyword spellings (lowercase) and their meaning, in ssh's table order.
const KEYWORDS: &[(&str, Op)] = &[
    ("protocol", Op::Ignore),
    ("cipher", Op::Deprecated),
    ("fallbacktorsh", Op::Deprecated),
    ("globalknownhostsfile2", Op::Deprecated),
    ("rhostsauthentication", Op::Deprecated),
    ("userknownhostsfile2", Op::Deprecated),
    ("useroaming", Op::Deprecated),
    ("usersh", Op::Deprecated),
    ("useprivilegedport", Op::Deprecated),
    ("afstokenpassing", Op::Unsupported),
    ("kerberosauthentication", Op::Unsupported),
    ("kerberostgtpassing", Op::Unsupported),
    ("rsaauthentication", Op::Unsupported),
    ("rhostsrsaauthentication", Op::Unsupported),
    ("compressionlevel", Op::Unsupported),
    ("gssapiauthentication", Op::GssAuthentication),
    ("gssapikeyexchange", Op::GssKeyEx),
    ("gssapidelegatecredentials", Op::GssDelegateCreds),
    ("gssapitrustdns", Op::GssTrustDns),
    ("gssapiclientidentity", Op::GssClientIdentity),
    ("gssapiserveridentity", Op::GssServerIdentity),
    ("gssapirenewalforcesrekey", Op::GssRenewalRekey),
    ("gssapikexalgorithms", Op::GssKexAlgorithms),
    ("pkcs11provider", Op::Pkcs11Provider),
    ("smartcarddevice", Op::Pkcs11Provider),
    ("forwardagent", Op::ForwardAgent),
    ("forwardx11", Op::ForwardX11),
    ("forwardx11trusted", Op::ForwardX11Trusted),
    ("forwardx11timeout", Op::ForwardX11Timeout),
    ("exitonforwardfailure", Op::ExitOnForwardFailure),
    ("xauthlocation", Op::XAuthLocation),
    ("gatewayports", Op::GatewayPorts),
    ("passwordauthentication", Op::PasswordAuthentication),
    (
        "kbdinteractiveauthentication",
        Op::KbdInteractiveAuthentication,
    ),
    ("kbdinteractivedevices", Op::KbdInteractiveDevices),
    (
        "challengeresponseauthentication",
        Op::KbdInteractiveAuthentication,
    ),
    ("skeyauthentication", Op::KbdInteractiveAuthentication),
    ("tisauthentication", Op::KbdInteractiveAuthentication),
    ("pubkeyauthentication", Op::PubkeyAuthentication),
    ("dsaauthentication", Op::PubkeyAuthentication),
    ("hostbasedauthentication", Op::HostbasedAuthentication),
    ("identityfile", Op::IdentityFile),
    ("identityfile2", Op::IdentityFile),
    ("identitiesonly", Op::IdentitiesOnly),
    ("certificatefile", Op::CertificateFile),
    ("addkeystoagent", Op::AddKeysToAgent),
    ("identityagent", Op::IdentityAgent),
    ("hostname", Op::Hostname),
    ("hostkeyalias", Op::HostKeyAlias),
    ("proxycommand", Op::ProxyCommand),
    ("port", Op::Port),
    ("ciphers", Op::Ciphers),
    ("macs", Op::Macs),
    ("remoteforward", Op::RemoteForward),
    ("localforward", Op::LocalForward),
    ("permitremoteopen", Op::PermitRemoteOpen),
    ("user", Op::User),
    ("host", Op::Host),
    ("match", Op::Match),
    ("escapechar", Op::EscapeChar),
    ("globalknownhostsfile", Op::GlobalKnownHostsFile),
    ("userknownhostsfile", Op::UserKnownHostsFile),
    ("connectionattempts", Op::ConnectionAttempts),
    ("batchmode", Op::BatchMode),
    ("checkhostip", Op::CheckHostIp),
    ("stricthostkeychecking", Op::StrictHostKeyChecking),
    ("compression", Op::Compression),
    ("tcpkeepalive", Op::TcpKeepAlive),
    ("keepalive", Op::TcpKeepAlive),
    ("numberofpasswordprompts", Op::NumberOfPasswordPrompts),
    ("syslogfacility", Op::SyslogFacility),
    ("loglevel", Op::LogLevel),
    ("logverbose", Op::LogVerbose),
    ("dynamicforward", Op::DynamicForward),
    ("preferredauthentications", Op::PreferredAuthentications),
    ("hostkeyalgorithms", Op::HostKeyAlgorithms),
    ("casignaturealgorithms", Op::CaSignatureAlgorithms),
    ("bindaddress", Op::BindAddress),
    ("bindinterface", Op::BindInterface),
    ("clearallforwardings", Op::ClearAllForwardings),
    ("enablesshkeysign", Op::EnableSshKeysign),
    ("verifyhostkeydns", Op::VerifyHostKeyDns),
    (
        "nohostauthenticationforlocalhost",
        Op::NoHostAuthenticationForLocalhost,
    ),
    ("rekeylimit", Op::RekeyLimit),
    ("connecttimeout", Op::ConnectTimeout),
    ("addressfamily", Op::AddressFamily),
    ("serveraliveinterval", Op::ServerAliveInterval),
    ("serveralivecountmax", Op::ServerAliveCountMax),
    ("sendenv", Op::SendEnv),
    ("setenv", Op::SetEnv),
    ("controlpath", Op::ControlPath),
    ("controlmaster", Op::ControlMaster),
    ("controlpersist", Op::ControlPersist),
    ("hashknownhosts", Op::HashKnownHosts),
    ("include", Op::Include),
    ("tunnel", Op::Tunnel),
    ("tunneldevice", Op::TunnelDevice),
    ("localcommand", Op::LocalCommand),
    ("permitlocalcommand", Op::PermitLocalCommand),
    ("remotecommand", Op::RemoteCommand),
    ("visualhostkey", Op::VisualHostKey),
    ("kexalgorithms", Op::KexAlgorithms),
    ("ipqos", Op::IpQos),
    ("requesttty", Op::RequestTty),
    ("sessiontype", Op::SessionType),
    ("stdinnull", Op::StdinNull),
    ("forkafterauthentication", Op::ForkAfterAuthentication),
    ("proxyusefdpass", Op::ProxyUseFdpass),
    ("canonicaldomains", Op::CanonicalDomains),
    ("canonicalizefallbacklocal", Op::CanonicalizeFallbackLocal),
    ("canonicalizehostname", Op::CanonicalizeHostname),
    ("canonicalizemaxdots", Op::CanonicalizeMaxDots),
    (
        "canonicalizepermittedcnames",
        Op::CanonicalizePermittedCnames,
    ),
    ("streamlocalbindmask", Op::StreamLocalBindMask),
    ("streamlocalbindunlink", Op::StreamLocalBindUnlink),
    ("revokedhostkeys", Op::RevokedHostKeys),
    ("fingerprinthash", Op::FingerprintHash),
    ("updatehostkeys", Op::UpdateHostkeys),
    (
        "hostbasedacceptedalgorithms",
        Op::HostbasedAcceptedAlgorithms,
    ),
    ("hostbasedkeytypes", Op::HostbasedAcceptedAlgorithms),
    ("pubkeyacceptedalgorithms", Op::PubkeyAcceptedAlgorithms),
    ("pubkeyacceptedkeytypes", Op::PubkeyAcceptedAlgorithms),
    ("ignoreunknown", Op::IgnoreUnknown),
    ("proxyjump", Op::ProxyJump),
    ("securitykeyprovider", Op::SecurityKeyProvider),
    ("knownhostscommand", Op::KnownHostsCommand),
    ("requiredrsasize", Op::RequiredRsaSize),
    ("enableescapecommandline", Op::EnableEscapeCommandline),
    // Debian flavour: compatibility spellings of ServerAliveInterval.
    ("protocolkeepalives", Op::ServerAliveInterval),
    ("setuptimeout", Op::ServerAliveInterval),
];

/// A keyword as the table is keyed: its bytes with bit 5 set (ASCII case
/// folded), as four little-endian 8-byte words padded with zeros, and its
/// length. Folding this way is exact for printable ASCII against table
/// spellings, which are lowercase letters and digits only: a printable
/// byte folds onto a letter only from that letter in either case, and onto
/// a digit only from that digit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Key {
    words: [u64; 4],
    len: usize,
}

/// The longest keyword the table can hold.
const KEY_MAX: usize = 32;

impl Key {
    /// The key of `b[at..at + len]`, which the caller knows to be printable
    /// ASCII (a plain line's keyword); `None` when too long for any
    /// keyword. Reads whole words (bytes past the keyword are masked off).
    #[inline(always)]
    pub(crate) fn printable(b: &[u8], at: usize, len: usize) -> Option<Key> {
        if len == 0 || len > KEY_MAX {
            return None;
        }
        let mut words = [0u64; 4];
        let mut i = 0;
        while i * 8 < len {
            let left = len - i * 8;
            let keep = if left >= 8 {
                u64::MAX
            } else {
                (1u64 << (8 * left)) - 1
            };
            words[i] = (load8(b, at + i * 8) | 0x2020_2020_2020_2020) & keep;
            i += 1;
        }
        Some(Key { words, len })
    }

    /// The key of any keyword text; `None` when it holds a byte that no
    /// table spelling has in any case (only ASCII letters and digits can
    /// match), or is too long.
    fn of(keyword: &str) -> Option<Key> {
        if !keyword.bytes().all(|c| c.is_ascii_alphanumeric()) {
            return None;
        }
        Key::printable(keyword.as_bytes(), 0, keyword.len())
    }

    /// The key of a table spelling, at compile time.
    const fn table(k: &str) -> Key {
        let b = k.as_bytes();
        let mut words = [0u64; 4];
        let mut i = 0;
        while i < b.len() {
            words[i / 8] |= (b[i] as u64) << (8 * (i % 8));
            i += 1;
        }
        Key {
            words,
            len: b.len(),
        }
    }

    /// The same key? Compared a word at a time in general registers, where
    /// the words were just computed: a vector compare would reload them
    /// from memory right after they were stored, and stall.
    #[inline(always)]
    fn same(&self, other: &Key) -> bool {
        let (a, b) = (&self.words, &other.words);
        let diff = (a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3]);
        diff == 0 && self.len == other.len
    }

    /// The table slot to start probing at.
    #[inline(always)]
    const fn slot(&self) -> usize {
        let w = self.words;
        let x = w[0] ^ w[1].rotate_left(17) ^ w[2].rotate_left(31) ^ w[3].rotate_left(47);
        let x = (x ^ self.len as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (x >> (64 - TABLE_BITS)) as usize
    }
}

/// Eight bytes of `b` from `at` as a little-endian word; bytes past the
/// end of `b` read as zero.
#[inline(always)]
fn load8(b: &[u8], at: usize) -> u64 {
    match b.get(at..at + 8).and_then(|c| <[u8; 8]>::try_from(c).ok()) {
        Some(c) => u64::from_le_bytes(c),
        None => {
            let mut c = [0u8; 8];
            let rest = b.get(at..).unwrap_or(&[]);
            let n = rest.len().min(8);
            c[..n].copy_from_slice(&rest[..n]);
            u64::from_le_bytes(c)
        }
    }
}

/// Looks a keyword up by its [`Key`]; returns the table's lowercase
/// spelling (what ssh prints in messages) with the option.
#[inline(always)]
fn lookup(key: &Key) -> Option<(&'static str, Op)> {
    let mut i = key.slot();
    loop {
        let e = usize::from(KEYWORD_SLOTS[i]);
        let (k, name, op) = KEYWORD_KEYS.get(e.checked_sub(1)?)?;
        if k.same(key) {
            return Some((name, *op));
        }
        i = (i + 1) % TABLE_SIZE;
    }
}

/// Looks up any keyword text, ignoring ASCII case.
fn lookup_str(keyword: &str) -> Option<(&'static str, Op)> {
    Key::of(keyword).and_then(|k| lookup(&k))
}

const TABLE_BITS: u32 = 10;
const TABLE_SIZE: usize = 1 << TABLE_BITS;

/// [`KEYWORDS`] with their [`Key`]s, built at compile time.
static KEYWORD_KEYS: [(Key, &str, Op); KEYWORDS.len()] = {
    let mut t = [(Key::table(""), "", Op::Ignore); KEYWORDS.len()];
    let mut n = 0;
    while n < KEYWORDS.len() {
        let (k, op) = KEYWORDS[n];
        assert!(k.len() <= KEY_MAX);
        t[n] = (Key::table(k), k, op);
        n += 1;
    }
    t
};

/// Open addressing over [`KEYWORD_KEYS`] by [`Key::slot`] (0: empty, else
/// index + 1), built at compile time: one comparison per lookup for a
/// known keyword, mostly.
static KEYWORD_SLOTS: [u16; TABLE_SIZE] = {
    let mut t = [0u16; TABLE_SIZE];
    let mut n = 0;
    while n < KEYWORDS.len() {
        let mut i = KEYWORD_KEYS[n].0.slot();
        while t[i] != 0 {
            i = (i + 1) % TABLE_SIZE;
        }
        t[i] = (n + 1) as u16;
        n += 1;
    }
    t
};

/// Looks up a plain line's keyword, `b[at..at + len]` (printable ASCII,
/// see [`Key::printable`]).
#[inline(always)]
pub(crate) fn lookup_plain(b: &[u8], at: usize, len: usize) -> Option<(&'static str, Op)> {
    Key::printable(b, at, len).and_then(|k| lookup(&k))
}

/// Is the one-word argument `arg` of a plain line in an inactive block
/// good for `op`? Covers the common keywords, whose checks need no state;
/// `false` sends the line through the full path, which also words any
/// error. Such a line changes nothing (Host, Match and Include are never
/// accepted here).
#[inline(always)]
pub(crate) fn inactive_ok(op: Op, arg: &[u8]) -> bool {
    use Op::*;
    match op {
        User | Hostname | HostKeyAlias | ControlPath | XAuthLocation | BindAddress
        | IdentityFile | CertificateFile => true,
        Port => lex::a2port_digits(arg).is_some_and(|p| p > 0),
        _ => multistate(op).is_some_and(|(table, _)| multi_value(arg, table).is_some()),
    }
}

type Multi = &'static [(&'static str, i32)];

const FLAG: Multi = &[("true", 1), ("false", 0), ("yes", 1), ("no", 0)];
const YESNOASK: Multi = &[("true", 1), ("false", 0), ("yes", 1), ("no", 0), ("ask", 2)];
const STRICT: Multi = &[
    ("true", 2),
    ("false", 0),
    ("yes", 2),
    ("no", 0),
    ("ask", 3),
    ("off", 0),
    ("accept-new", 1),
];
const YESNOASKCONFIRM: Multi = &[
    ("true", 1),
    ("false", 0),
    ("yes", 1),
    ("no", 0),
    ("ask", 2),
    ("confirm", 3),
];
const ADDRESSFAMILY: Multi = &[("inet", 2), ("inet6", 10), ("any", 0)];
const CONTROLMASTER: Multi = &[
    ("true", 1),
    ("yes", 1),
    ("false", 0),
    ("no", 0),
    ("auto", 2),
    ("ask", 3),
    ("autoask", 4),
];
const TUNNEL: Multi = &[
    ("ethernet", 2),
    ("point-to-point", 1),
    ("true", 1),
    ("yes", 1),
    ("false", 0),
    ("no", 0),
];
const REQUESTTTY: Multi = &[
    ("true", 1),
    ("yes", 1),
    ("false", 0),
    ("no", 0),
    ("force", 2),
    ("auto", 3),
];
const SESSIONTYPE: Multi = &[("none", 0), ("subsystem", 1), ("default", 2)];
const CANONICALIZE: Multi = &[
    ("true", 1),
    ("false", 0),
    ("yes", 1),
    ("no", 0),
    ("always", 2),
];
const PUBKEY: Multi = &[
    ("true", 3),
    ("false", 0),
    ("yes", 3),
    ("no", 0),
    ("unbound", 1),
    ("host-bound", 2),
];
const COMPRESSION: Multi = &[("yes", 1), ("no", 0)];

const IPQOS: &[(&str, i64)] = &[
    ("af11", 0x28),
    ("af12", 0x30),
    ("af13", 0x38),
    ("af21", 0x48),
    ("af22", 0x50),
    ("af23", 0x58),
    ("af31", 0x68),
    ("af32", 0x70),
    ("af33", 0x78),
    ("af41", 0x88),
    ("af42", 0x90),
    ("af43", 0x98),
    ("cs0", 0x00),
    ("cs1", 0x20),
    ("cs2", 0x40),
    ("cs3", 0x60),
    ("cs4", 0x80),
    ("cs5", 0xa0),
    ("cs6", 0xc0),
    ("cs7", 0xe0),
    ("ef", 0xb8),
    ("le", 0x04),
    ("lowdelay", 0x10),
    ("throughput", 0x08),
    ("reliability", 0x04),
];

const LOG_LEVELS: &[&str] = &[
    "SILENT", "QUIET", "FATAL", "ERROR", "INFO", "VERBOSE", "DEBUG", "DEBUG1", "DEBUG2", "DEBUG3",
];
const LOG_FACILITIES: &[&str] = &[
    "DAEMON", "USER", "AUTH", "AUTHPRIV", "LOCAL0", "LOCAL1", "LOCAL2", "LOCAL3", "LOCAL4",
    "LOCAL5", "LOCAL6", "LOCAL7",
];

/// How a multistate option prints: through its own table or as yes/no.
fn multistate(op: Op) -> Option<(Multi, bool)> {
    use Op::*;
    Some(match op {
        ForwardX11
        | ForwardX11Trusted
        | GatewayPorts
        | ExitOnForwardFailure
        | PasswordAuthentication
        | KbdInteractiveAuthentication
        | HostbasedAuthentication
        | GssAuthentication
        | GssDelegateCreds
        | GssKeyEx
        | GssTrustDns
        | GssRenewalRekey
        | BatchMode
        | CheckHostIp
        | TcpKeepAlive
        | NoHostAuthenticationForLocalhost
        | ClearAllForwardings
        | EnableSshKeysign
        | IdentitiesOnly
        | HashKnownHosts
        | PermitLocalCommand
        | VisualHostKey
        | StdinNull
        | ForkAfterAuthentication
        | ProxyUseFdpass
        | CanonicalizeFallbackLocal
        | StreamLocalBindUnlink
        | EnableEscapeCommandline => (FLAG, false),
        Compression => (COMPRESSION, false),
        PubkeyAuthentication => (PUBKEY, true),
        VerifyHostKeyDns | UpdateHostkeys => (YESNOASK, true),
        StrictHostKeyChecking => (STRICT, true),
        AddressFamily => (ADDRESSFAMILY, true),
        ControlMaster => (CONTROLMASTER, true),
        Tunnel => (TUNNEL, true),
        RequestTty => (REQUESTTTY, true),
        SessionType => (SESSIONTYPE, true),
        CanonicalizeHostname => (CANONICALIZE, true),
        _ => return None,
    })
}

/// Prints a multistate value the way `ssh -G` does.
fn fmt_multi(table: Multi, own: bool, v: i32) -> String {
    if own {
        table
            .iter()
            .find(|(_, x)| *x == v)
            .map(|(k, _)| k.to_string())
            .unwrap_or_else(|| "UNKNOWN".into())
    } else {
        match v {
            0 => "no".into(),
            1 => "yes".into(),
            _ => "UNKNOWN".into(),
        }
    }
}

/// One value an option obtained, and the line it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Slot {
    /// The value as `ssh -G` prints it.
    pub text: String,
    /// Where it came from.
    pub origin: Origin,
}

/// A line that tried to set a watched (keepalive) key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Attempt {
    /// The `ssh -G` key.
    pub key: &'static str,
    /// The value it asked for.
    pub text: String,
    /// The line.
    pub origin: Origin,
    /// Whether this line's value was taken.
    pub won: bool,
}

/// The proxy jump as parsed (first hop printed last, like ssh).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Jump {
    pub extra: Option<String>,
    pub user: Option<String>,
    pub host: String,
    pub port: i64,
}

/// Where the line being applied sits.
#[derive(Debug, Clone)]
pub(crate) struct LineCtx<'p> {
    /// The file (`None`: the command line).
    pub path: Option<&'p Path>,
    /// 1-based line number in `path`.
    pub line: usize,
    /// Is the enclosing Host/Match block active?
    pub active: bool,
    /// User file, `-F` file or command line (not the system file).
    pub userconf: bool,
}

impl LineCtx<'_> {
    /// The origin recorded for values the line sets (built only when a
    /// value is kept, to keep parsing allocation-light).
    pub fn origin(&self) -> Origin {
        match self.path {
            Some(p) => Origin::File {
                path: p.to_path_buf(),
                line: self.line,
            },
            None => Origin::CommandLine,
        }
    }
}

/// Why a line is rejected: ssh's message text, without the file and line.
pub(crate) type LineError = String;

/// The option store: first value wins, accumulating keys keep all.
#[derive(Debug, Clone, Default)]
pub(crate) struct Options {
    pub scalar: HashMap<Op, Slot>,
    pub list: HashMap<Op, Vec<Slot>>,
    /// Identity files with the "user provided" bit, for duplicate checks.
    pub identity_user: Vec<bool>,
    pub cert_user: Vec<bool>,
    pub jump: Option<(Jump, Origin)>,
    pub attempts: Vec<Attempt>,
    pub forward_agent_path: Option<Slot>,
    /// RekeyLimit's optional interval (first wins on its own).
    pub rekey_interval: Option<i64>,
}

/// A parsed Host or Match line, for the caller to evaluate.
pub(crate) enum Block<'a> {
    /// `Host`; its patterns are in the word buffer.
    Host,
    /// `Match` with the unparsed rest of the line.
    Match(&'a str),
    /// `Include`; its paths are in the word buffer.
    Include,
}

/// The result of applying one line.
pub(crate) enum Applied<'a> {
    /// Nothing special (an option line, blank line or comment).
    Done,
    /// A block or include line the caller must handle.
    Block(Block<'a>),
}

fn watched(op: Op) -> Option<&'static str> {
    match op {
        Op::ServerAliveInterval => Some("serveraliveinterval"),
        Op::ServerAliveCountMax => Some("serveralivecountmax"),
        Op::TcpKeepAlive => Some("tcpkeepalive"),
        _ => None,
    }
}

impl Options {
    /// Is a first-wins option still unset?
    pub fn unset(&self, op: Op) -> bool {
        !self.scalar.contains_key(&op)
    }

    /// The printed value of a first-wins option.
    pub fn get(&self, op: Op) -> Option<&str> {
        self.scalar.get(&op).map(|s| s.text.as_str())
    }

    /// Sets a first-wins option if active and unset; records keepalive tries.
    pub fn set_first(&mut self, op: Op, text: impl Into<String>, ctx: &LineCtx) {
        let won = ctx.active && self.unset(op);
        if !ctx.active {
            return;
        }
        let text: String = text.into();
        if ctx.active
            && let Some(key) = watched(op)
        {
            self.attempts.push(Attempt {
                key,
                text: text.clone(),
                origin: ctx.origin(),
                won,
            });
        }
        if won {
            self.scalar.insert(
                op,
                Slot {
                    text,
                    origin: ctx.origin(),
                },
            );
        }
    }

    fn list_mut(&mut self, op: Op) -> &mut Vec<Slot> {
        self.list.entry(op).or_default()
    }

    /// The values of an accumulating option.
    pub fn list(&self, op: Op) -> &[Slot] {
        self.list.get(&op).map(|v| v.as_slice()).unwrap_or(&[])
    }

    /// Applies one config line (already without trailing newline). Host,
    /// Match and Include are returned for the caller; the patterns of Host
    /// and the paths of Include are left in `words`, a buffer the caller
    /// keeps across lines.
    pub fn apply<'a>(
        &mut self,
        line: lex::Line<'a>,
        ctx: &LineCtx,
        cmdline: bool,
        words: &mut lex::Words<'a>,
    ) -> Result<Applied<'a>, LineError> {
        let (keyword, str_rest, plain) = match line {
            lex::Line::Plain("", _) => return Ok(Applied::Done),
            lex::Line::Plain(k, r) => (Cow::Borrowed(k), r, true),
            lex::Line::Raw(raw) => {
                // Trailing whitespace and form feeds go; the keyword is the
                // first word (a leading empty word means leading whitespace).
                let b = raw.as_bytes();
                let mut n = b.len();
                while n > 0 && matches!(b[n - 1], b' ' | b'\t' | b'\r' | b'\n' | 0x0c) {
                    n -= 1;
                }
                let line = &raw[..n];
                if line.is_empty() {
                    return Ok(Applied::Done);
                }
                match lex::plain_split(line, words) {
                    Some((k, r)) => (Cow::Borrowed(k), r, true),
                    None => match split_keyword(line) {
                        Some((k, r)) => (k, r, false),
                        None => return Ok(Applied::Done),
                    },
                }
            }
        };
        let found = if plain {
            lookup_plain(keyword.as_bytes(), 0, keyword.len())
        } else {
            lookup_str(&keyword)
        };
        let Some((keyword, op)) = found else {
            return self.apply_unknown(&keyword, str_rest, plain);
        };
        // Most lines sit in blocks that do not apply: for them ssh only
        // checks the argument, which the common keywords allow cheaply.
        if plain
            && !ctx.active
            && let lex::Words::Plain(w, 1) = words
            && inactive_ok(op, w[0].as_bytes())
        {
            return Ok(Applied::Done);
        }
        // A plain Host line with patterns (never empty ones) in a file.
        if plain && op == Op::Host && !cmdline && words.len() > 0 {
            return Ok(Applied::Block(Block::Host));
        }
        if str_rest.is_empty() {
            return Err(format!("no argument after keyword \"{keyword}\""));
        }
        if !plain {
            *words = argv_split(str_rest).ok_or_else(|| "invalid quotes".to_string())?;
        }
        let mut args = Args { av: words, i: 0 };
        let out = self.apply_op(op, keyword, str_rest, &mut args, ctx, cmdline)?;
        if let Applied::Block(Block::Match(_)) = out {
            return Ok(out);
        }
        if args.i < args.av.len() {
            return Err(format!("keyword {keyword} extra arguments at end of line"));
        }
        Ok(out)
    }

    /// A keyword not in the table: an error unless `IgnoreUnknown` covers
    /// it (messages name it lowercased, like ssh).
    #[cold]
    #[inline(never)]
    fn apply_unknown<'a>(
        &self,
        keyword: &str,
        str_rest: &str,
        plain: bool,
    ) -> Result<Applied<'a>, LineError> {
        let keyword = keyword.to_ascii_lowercase();
        if str_rest.is_empty() {
            return Err(format!("no argument after keyword \"{keyword}\""));
        }
        match self.get(Op::IgnoreUnknown) {
            Some(list) if lex::match_pattern_list(&keyword, list, true) == lex::ListMatch::Yes => {}
            _ => return Err(format!("Bad configuration option: {keyword}")),
        }
        if !plain && argv_split(str_rest).is_none() {
            return Err("invalid quotes".to_string());
        }
        Ok(Applied::Done)
    }

    /// The common keywords, kept small so that the many lines of inactive
    /// blocks are checked cheaply; values are formatted only when kept.
    fn apply_op<'a>(
        &mut self,
        op: Op,
        keyword: &str,
        str_rest: &'a str,
        a: &mut Args<'_, 'a>,
        ctx: &LineCtx,
        cmdline: bool,
    ) -> Result<Applied<'a>, LineError> {
        use Op::*;
        let keep = ctx.active && (self.unset(op) || watched(op).is_some());
        if let Some((table, own)) = multistate(op) {
            let arg = a.next();
            let v = parse_multi(arg.as_deref(), table)
                .ok_or_else(|| format!("unsupported option \"{}\".", arg.unwrap_or_default()))?;
            if keep {
                self.set_first(op, fmt_multi(table, own, v), ctx);
            }
            return Ok(Applied::Done);
        }
        match op {
            NumberOfPasswordPrompts
            | ConnectionAttempts
            | ServerAliveCountMax
            | CanonicalizeMaxDots
            | RequiredRsaSize => {
                let arg = a.next().unwrap_or_default();
                let v = strtonum(&arg, i64::from(i32::MIN), i64::from(i32::MAX))
                    .map_err(|e| format!("integer value {e}."))?;
                if keep {
                    self.set_first(op, v.to_string(), ctx);
                }
            }
            User | Hostname | HostKeyAlias | ControlPath | XAuthLocation | BindAddress => {
                let arg = a.next_nonempty()?;
                if keep {
                    self.set_first(op, arg, ctx);
                }
            }
            Port => {
                let arg = a.next_nonempty()?;
                match lex::a2port(&arg) {
                    Some(p) if p > 0 => {
                        if keep {
                            self.set_first(op, p.to_string(), ctx);
                        }
                    }
                    _ => return Err(format!("Bad port '{arg}'.")),
                }
            }
            IdentityFile | CertificateFile => {
                let arg = a.next_nonempty()?;
                if ctx.active {
                    self.add_file(op, arg.into_owned(), ctx.userconf, ctx.origin())?;
                }
            }
            _ => return self.apply_op_rest(op, keyword, str_rest, a, ctx, cmdline),
        }
        Ok(Applied::Done)
    }

    #[allow(clippy::too_many_lines)]
    #[inline(never)]
    fn apply_op_rest<'a>(
        &mut self,
        op: Op,
        keyword: &str,
        str_rest: &'a str,
        a: &mut Args<'_, 'a>,
        ctx: &LineCtx,
        cmdline: bool,
    ) -> Result<Applied<'a>, LineError> {
        use Op::*;
        let active = ctx.active;
        match op {
            Ignore | Deprecated | Unsupported => a.consume(),
            ConnectTimeout | ForwardX11Timeout | ServerAliveInterval => {
                let t = parse_time(a)?;
                if let Some(t) = t {
                    self.set_first(op, t.to_string(), ctx);
                } else if active && let Some(key) = watched(op) {
                    // `none` leaves the option unset: it neither wins nor
                    // blocks a later line.
                    self.attempts.push(Attempt {
                        key,
                        text: "none".into(),
                        origin: ctx.origin(),
                        won: false,
                    });
                }
            }
            PreferredAuthentications
            | BindInterface
            | Pkcs11Provider
            | SecurityKeyProvider
            | KbdInteractiveDevices
            | RevokedHostKeys
            | IgnoreUnknown
            | GssClientIdentity
            | GssServerIdentity
            | GssKexAlgorithms
            | Ciphers
            | Macs
            | KexAlgorithms
            | HostKeyAlgorithms
            | CaSignatureAlgorithms
            | HostbasedAcceptedAlgorithms
            | PubkeyAcceptedAlgorithms => {
                let arg = a.next_nonempty()?;
                if let Some((all, what)) = algorithm_names(op) {
                    let names = arg.strip_prefix(['+', '^']).unwrap_or(&arg);
                    if !arg.starts_with('-') && !names.split(',').all(|n| all.contains(&n)) {
                        return Err(format!("Bad SSH2 {what} '{arg}'."));
                    }
                }
                self.set_first(op, arg, ctx);
            }
            ProxyCommand | LocalCommand | RemoteCommand | KnownHostsCommand => {
                let v = str_rest.trim_start_matches([' ', '\t', '\r', '\n', '=']);
                if !(op == ProxyCommand && self.jump.is_some()) {
                    self.set_first(op, v.to_string(), ctx);
                }
                a.consume();
            }
            ProxyJump => {
                let v = str_rest.trim_start_matches([' ', '\t', '\r', '\n', '=']);
                let use_it = active && self.unset(ProxyCommand) && self.jump.is_none();
                let j =
                    parse_jump(v, use_it).ok_or_else(|| format!("Invalid ProxyJump \"{v}\""))?;
                if use_it && let Some(j) = j {
                    // A literal `none` (port 0) does not touch ProxyCommand.
                    if j.port != 0 {
                        self.scalar.insert(
                            ProxyCommand,
                            Slot {
                                text: "none".into(),
                                origin: ctx.origin(),
                            },
                        );
                    }
                    self.jump = Some((j, ctx.origin()));
                }
                a.consume();
            }
            LogLevel => {
                let arg = a.next();
                let name = arg
                    .as_deref()
                    .and_then(|s| LOG_LEVELS.iter().find(|l| l.eq_ignore_ascii_case(s)))
                    .ok_or_else(|| {
                        format!(
                            "unsupported log level '{}'",
                            arg.clone().unwrap_or_else(|| "<NONE>".into())
                        )
                    })?;
                let name = log_level_print(name);
                self.set_first(op, name.to_string(), ctx);
            }
            SyslogFacility => {
                let arg = a.next();
                let name = arg
                    .as_deref()
                    .and_then(|s| LOG_FACILITIES.iter().find(|l| l.eq_ignore_ascii_case(s)))
                    .ok_or_else(|| {
                        format!(
                            "unsupported log facility '{}'",
                            arg.clone().unwrap_or_else(|| "<NONE>".into())
                        )
                    })?;
                // ssh takes the first facility even from inactive blocks.
                let all = LineCtx {
                    active: true,
                    ..ctx.clone()
                };
                self.set_first(op, name.to_string(), &all);
            }
            StreamLocalBindMask => {
                let arg = a.next_nonempty_msg("Missing StreamLocalBindMask argument.")?;
                let v = parse_octal_prefix(&arg).ok_or_else(|| "Bad mask.".to_string())?;
                // ssh takes the last mask seen, active block or not.
                self.scalar.insert(
                    op,
                    Slot {
                        text: format!("0{v:o}"),
                        origin: ctx.origin(),
                    },
                );
            }
            GlobalKnownHostsFile | UserKnownHostsFile | CanonicalDomains | LogVerbose => {
                let was_empty = self.list(op).is_empty();
                let mut n = 0;
                let mut vals = Vec::new();
                while let Some(arg) = a.next() {
                    if arg.is_empty() {
                        return Err(format!("keyword {keyword} empty argument"));
                    }
                    if arg.eq_ignore_ascii_case("none") && (n > 0 || a.left() > 0) {
                        return Err(format!(
                            "keyword {keyword} \"none\" argument must appear alone."
                        ));
                    }
                    if op == CanonicalDomains && !valid_domain(&arg) {
                        return Err(format!("domain name \"{arg}\" is invalid"));
                    }
                    n += 1;
                    vals.push(arg.into_owned());
                }
                if active && was_empty {
                    let origin = ctx.origin();
                    self.list_mut(op).extend(vals.into_iter().map(|text| Slot {
                        text,
                        origin: origin.clone(),
                    }));
                }
            }
            PermitRemoteOpen => {
                let was_empty = self.list(op).is_empty();
                let mut vals = Vec::new();
                let mut n = 0;
                while let Some(arg) = a.next() {
                    if arg.eq_ignore_ascii_case("none") || arg.eq_ignore_ascii_case("any") {
                        if n > 0 || a.left() > 0 {
                            return Err(format!(
                                "keyword {keyword} \"{arg}\" argument must appear alone."
                            ));
                        }
                    } else {
                        let (host, port) = hpdelim(&arg)
                            .ok_or_else(|| "missing host in permitremoteopen".to_string())?;
                        let _ = host;
                        match port {
                            Some(p) if p == "*" || lex::a2port(p).is_some_and(|x| x > 0) => {}
                            _ => return Err("bad port number in permitremoteopen".into()),
                        }
                    }
                    n += 1;
                    vals.push(arg.into_owned());
                }
                if n == 0 {
                    return Err("missing permitremoteopen specification".into());
                }
                if active && was_empty {
                    let origin = ctx.origin();
                    self.list_mut(op).extend(vals.into_iter().map(|text| Slot {
                        text,
                        origin: origin.clone(),
                    }));
                }
            }
            LocalForward | RemoteForward | DynamicForward => {
                let arg = a.next_nonempty()?;
                let mut dynamic = op == DynamicForward;
                let remote = op == RemoteForward;
                let spec = if dynamic {
                    arg.into_owned()
                } else {
                    match a.next() {
                        Some(t) if !t.is_empty() => format!("{arg}:{t}"),
                        _ if remote => {
                            dynamic = true;
                            arg.into_owned()
                        }
                        _ => return Err("Missing target argument.".into()),
                    }
                };
                let fwd = parse_forward(&spec, dynamic, remote)
                    .ok_or_else(|| "Bad forwarding specification.".to_string())?;
                let key = if remote { RemoteForward } else { LocalForward };
                // ssh drops a forward equal to one it has (the final pass
                // reads the files again).
                if active && !self.list(key).iter().any(|s| s.text == fwd) {
                    self.list_mut(key).push(Slot {
                        text: fwd,
                        origin: ctx.origin(),
                    });
                }
            }
            Host => {
                if cmdline {
                    return Err("Host directive not supported as a command-line option".into());
                }
                a.all_nonempty(keyword)?;
                return Ok(Applied::Block(Block::Host));
            }
            Match => {
                if cmdline {
                    return Err("Host directive not supported as a command-line option".into());
                }
                return Ok(Applied::Block(Block::Match(str_rest)));
            }
            Include => {
                if cmdline {
                    return Err("Include directive not supported as a command-line option".into());
                }
                a.all_nonempty(keyword)?;
                return Ok(Applied::Block(Block::Include));
            }
            EscapeChar => {
                let arg = a.next_nonempty()?;
                let b = arg.as_bytes();
                let v: Option<u8> = if arg == "none" {
                    None
                } else if b.len() == 1 {
                    Some(b[0])
                } else if b.len() == 2 && b[0] == b'^' && (64..128).contains(&b[1]) {
                    Some(b[1] & 31)
                } else {
                    return Err("Bad escape character.".into());
                };
                self.set_first(op, fmt_escape(v), ctx);
            }
            SendEnv => {
                while let Some(arg) = a.next() {
                    if arg.is_empty() || arg.contains('=') {
                        return Err("Invalid environment name.".into());
                    }
                    if !active {
                        continue;
                    }
                    if let Some(pat) = arg.strip_prefix('-') {
                        self.list_mut(op)
                            .retain(|s| !lex::match_pattern(&s.text, pat));
                        continue;
                    }
                    self.list_mut(op).push(Slot {
                        text: arg.into_owned(),
                        origin: ctx.origin(),
                    });
                }
            }
            SetEnv => {
                let was_empty = self.list(op).is_empty();
                while let Some(arg) = a.next() {
                    if !arg.contains('=') {
                        return Err("Invalid SetEnv.".into());
                    }
                    if !active || !was_empty {
                        continue;
                    }
                    let name = arg.split('=').next().unwrap_or("");
                    if self
                        .list(op)
                        .iter()
                        .any(|s| s.text.split('=').next() == Some(name))
                    {
                        continue;
                    }
                    self.list_mut(op).push(Slot {
                        text: arg.into_owned(),
                        origin: ctx.origin(),
                    });
                }
            }
            ControlPersist => {
                let arg = a.next_nonempty_msg("Missing ControlPersist argument.")?;
                let text = match arg.as_ref() {
                    "no" | "false" => "no".to_string(),
                    "yes" | "true" => "yes".to_string(),
                    _ => match convtime(&arg) {
                        Some(0) => "yes".to_string(),
                        Some(t) => t.to_string(),
                        None => return Err("Bad ControlPersist argument.".into()),
                    },
                };
                self.set_first(op, text, ctx);
            }
            TunnelDevice => {
                let arg = a.next_nonempty()?;
                let t = a2tun(&arg).ok_or_else(|| "Bad tun device.".to_string())?;
                self.set_first(op, t, ctx);
            }
            IpQos => {
                let arg = a.next();
                let v1 = arg.as_deref().and_then(parse_ipqos).ok_or_else(|| {
                    format!("Bad IPQoS value: {}", arg.clone().unwrap_or_default())
                })?;
                let v2 = match a.next() {
                    None => v1,
                    Some(s) => parse_ipqos(&s).ok_or_else(|| format!("Bad IPQoS value: {s}"))?,
                };
                self.set_first(op, format!("{} {}", iptos2str(v1), iptos2str(v2)), ctx);
            }
            CanonicalizePermittedCnames => {
                let was_empty = self.list(op).is_empty();
                let mut vals = Vec::new();
                let mut n = 0;
                while let Some(arg) = a.next() {
                    let v = if arg.eq_ignore_ascii_case("none") {
                        if n > 0 || a.left() > 0 {
                            return Err(format!(
                                "keyword {keyword} \"none\" argument must appear alone."
                            ));
                        }
                        format!("{arg}:")
                    } else if arg == "*" {
                        "*:*".to_string()
                    } else {
                        let l = arg.to_ascii_lowercase();
                        match l.split_once(':') {
                            Some((s, t)) if !t.is_empty() => format!("{s}:{t}"),
                            _ => return Err(format!("Invalid permitted CNAME \"{l}\"")),
                        }
                    };
                    n += 1;
                    vals.push(v);
                }
                if active && was_empty {
                    let origin = ctx.origin();
                    self.list_mut(op).extend(vals.into_iter().map(|text| Slot {
                        text,
                        origin: origin.clone(),
                    }));
                }
            }
            FingerprintHash => {
                let arg = a.next_nonempty()?;
                let name = ["MD5", "SHA1", "SHA256", "SHA384", "SHA512"]
                    .iter()
                    .find(|n| n.eq_ignore_ascii_case(&arg))
                    .ok_or_else(|| format!("Invalid hash algorithm \"{arg}\"."))?;
                self.set_first(op, name.to_string(), ctx);
            }
            AddKeysToAgent => {
                let arg = a.next();
                let arg2 = a.next();
                let v = parse_multi(arg.as_deref(), YESNOASKCONFIRM);
                let text = match (v, &arg2) {
                    (Some(3), Some(t)) => match convtime(t) {
                        Some(t) if t > 0 => format!("confirm {t}"),
                        Some(_) => "confirm".into(),
                        None => return Err("invalid time value.".into()),
                    },
                    (None, None) => match arg.as_deref().and_then(convtime) {
                        Some(t) if t > 0 => t.to_string(),
                        Some(_) => "true".into(),
                        None => return Err("unsupported option".into()),
                    },
                    (Some(v), None) => fmt_multi(YESNOASKCONFIRM, true, v),
                    _ => return Err("unsupported option".into()),
                };
                self.set_first(op, text, ctx);
            }
            IdentityAgent | ForwardAgent => {
                let arg = a.next_nonempty()?;
                if op == ForwardAgent
                    && let Some(v) = parse_multi(Some(&arg), FLAG)
                {
                    self.set_first(op, fmt_multi(FLAG, false, v), ctx);
                    return Ok(Applied::Done);
                }
                if arg.starts_with('$') && !arg.starts_with("${") && !valid_env_name(&arg[1..]) {
                    return Err(format!("Invalid environment name {arg}."));
                }
                if op == ForwardAgent {
                    // The socket path is first-wins on its own, even when
                    // ForwardAgent already has a yes/no.
                    let fresh = active && self.forward_agent_path.is_none();
                    self.set_first(op, "yes", ctx);
                    if fresh {
                        self.forward_agent_path = Some(Slot {
                            text: arg.into_owned(),
                            origin: ctx.origin(),
                        });
                    }
                } else {
                    self.set_first(op, arg, ctx);
                }
            }
            RekeyLimit => {
                let arg = a.next_nonempty_msg("Missing argument.")?;
                let bytes = if arg == "default" {
                    0
                } else {
                    let v = scan_scaled(&arg).ok_or_else(|| format!("Bad number '{arg}'"))?;
                    if v != 0 && v < 16 {
                        return Err("RekeyLimit too small".into());
                    }
                    v
                };
                let secs = if a.left() > 0 {
                    if a.peek() == Some("none") {
                        a.next();
                        None
                    } else {
                        parse_time(a)?
                    }
                } else {
                    None
                };
                // Bytes and interval are separate first-wins values in ssh.
                self.set_first(Op::RekeyLimit, bytes.to_string(), ctx);
                if let Some(s) = secs
                    && active
                    && self.rekey_interval.is_none()
                {
                    self.rekey_interval = Some(s);
                }
            }
            _ => {
                return Err(format!("Unimplemented opcode {op:?}"));
            }
        }
        Ok(Applied::Done)
    }

    fn add_file(
        &mut self,
        op: Op,
        path: String,
        user: bool,
        origin: Origin,
    ) -> Result<(), LineError> {
        let (max, what) = if op == Op::IdentityFile {
            (100, "identity")
        } else {
            (100, "certificate")
        };
        let n = self.list(op).len();
        let flags = if op == Op::IdentityFile {
            &self.identity_user
        } else {
            &self.cert_user
        };
        if n >= max {
            return Err(format!("Too many {what} files specified (max {max})."));
        }
        let dup = self
            .list(op)
            .iter()
            .zip(flags.iter())
            .any(|(s, u)| *u == user && s.text == path);
        if dup {
            return Ok(());
        }
        if op == Op::IdentityFile {
            self.identity_user.push(user);
        } else {
            self.cert_user.push(user);
        }
        self.list_mut(op).push(Slot { text: path, origin });
        Ok(())
    }

    /// Adds `-i file` from the command line (user provided).
    pub fn add_identity_cmdline(&mut self, path: String) -> Result<(), LineError> {
        self.add_file(Op::IdentityFile, path, true, Origin::CommandLine)
    }
}

/// Argument cursor over a split line.
struct Args<'w, 'a> {
    av: &'w mut lex::Words<'a>,
    i: usize,
}

impl<'a> Args<'_, 'a> {
    fn next(&mut self) -> Option<Cow<'a, str>> {
        let v = self.av.take(self.i);
        if v.is_some() {
            self.i += 1;
        }
        v
    }
    fn peek(&self) -> Option<&str> {
        self.av.get(self.i)
    }
    fn left(&self) -> usize {
        self.av.len() - self.i
    }
    fn consume(&mut self) {
        self.i = self.av.len();
    }
    /// Checks that all the words left are non-empty and consumes them (they
    /// stay in the buffer for the caller).
    fn all_nonempty(&mut self, keyword: &str) -> Result<(), LineError> {
        if (self.i..self.av.len()).any(|i| self.av.get(i).is_some_and(str::is_empty)) {
            return Err(format!("keyword {keyword} empty argument"));
        }
        self.consume();
        Ok(())
    }
    fn next_nonempty(&mut self) -> Result<Cow<'a, str>, LineError> {
        self.next_nonempty_msg("Missing argument.")
    }
    fn next_nonempty_msg(&mut self, msg: &str) -> Result<Cow<'a, str>, LineError> {
        match self.next() {
            Some(s) if !s.is_empty() => Ok(s),
            _ => Err(msg.to_string()),
        }
    }
}

/// The keyword and argument text of a line by the full splitter; `None`
/// for a line without a keyword (blank, comment, bad quote).
fn split_keyword(line: &str) -> Option<(Cow<'_, str>, &str)> {
    let (mut keyword, mut rest) = lex::strdelim(line)?;
    if keyword.is_empty() {
        (keyword, rest) = rest.and_then(lex::strdelim)?;
    }
    if keyword.is_empty() || keyword.starts_with('\n') || keyword.starts_with('#') {
        return None;
    }
    let str_rest = rest.map(|r| lex::trim_start(r, b" \t\r\n")).unwrap_or("");
    Some((keyword, str_rest))
}

/// The algorithms this ssh supports (`ssh -Q cipher|mac|kex`), for the
/// keywords whose names ssh checks.
fn algorithm_names(op: Op) -> Option<(&'static [&'static str], &'static str)> {
    const CIPHERS: &[&str] = &[
        "3des-cbc",
        "aes128-cbc",
        "aes192-cbc",
        "aes256-cbc",
        "aes128-ctr",
        "aes192-ctr",
        "aes256-ctr",
        "aes128-gcm@openssh.com",
        "aes256-gcm@openssh.com",
        "chacha20-poly1305@openssh.com",
    ];
    const MACS: &[&str] = &[
        "hmac-sha1",
        "hmac-sha1-96",
        "hmac-sha2-256",
        "hmac-sha2-512",
        "hmac-md5",
        "hmac-md5-96",
        "umac-64@openssh.com",
        "umac-128@openssh.com",
        "hmac-sha1-etm@openssh.com",
        "hmac-sha1-96-etm@openssh.com",
        "hmac-sha2-256-etm@openssh.com",
        "hmac-sha2-512-etm@openssh.com",
        "hmac-md5-etm@openssh.com",
        "hmac-md5-96-etm@openssh.com",
        "umac-64-etm@openssh.com",
        "umac-128-etm@openssh.com",
    ];
    const KEX: &[&str] = &[
        "diffie-hellman-group1-sha1",
        "diffie-hellman-group14-sha1",
        "diffie-hellman-group14-sha256",
        "diffie-hellman-group16-sha512",
        "diffie-hellman-group18-sha512",
        "diffie-hellman-group-exchange-sha1",
        "diffie-hellman-group-exchange-sha256",
        "ecdh-sha2-nistp256",
        "ecdh-sha2-nistp384",
        "ecdh-sha2-nistp521",
        "curve25519-sha256",
        "curve25519-sha256@libssh.org",
        "sntrup761x25519-sha512",
        "sntrup761x25519-sha512@openssh.com",
    ];
    match op {
        Op::Ciphers => Some((CIPHERS, "cipher spec")),
        Op::Macs => Some((MACS, "MAC spec")),
        Op::KexAlgorithms => Some((KEX, "KexAlgorithms")),
        _ => None,
    }
}

/// The name `ssh -G` prints for a log level.
pub(crate) fn log_level_print(name: &str) -> &str {
    match name {
        "QUIET" => "SILENT",
        "DEBUG1" => "DEBUG",
        n => n,
    }
}

fn parse_multi(arg: Option<&str>, table: Multi) -> Option<i32> {
    multi_value(arg?.as_bytes(), table)
}

/// The value of a multistate word in `table`, ignoring ASCII case.
fn multi_value(arg: &[u8], table: Multi) -> Option<i32> {
    table
        .iter()
        .find(|(k, _)| k.as_bytes().eq_ignore_ascii_case(arg))
        .map(|(_, v)| *v)
}

/// A time argument: `Ok(None)` for `none`.
fn parse_time(a: &mut Args) -> Result<Option<i64>, LineError> {
    let arg = match a.next() {
        Some(s) if !s.is_empty() => s,
        _ => return Err("missing time value.".into()),
    };
    if arg == "none" {
        return Ok(None);
    }
    convtime(&arg)
        .map(Some)
        .ok_or_else(|| "invalid time value.".into())
}

fn parse_octal_prefix(s: &str) -> Option<u32> {
    let t = s.trim_start();
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let digits: String = t.chars().take_while(|c| ('0'..='7').contains(c)).collect();
    if digits.is_empty() || neg {
        return None;
    }
    let v = u32::from_str_radix(&digits, 8).ok()?;
    (v <= 0o777).then_some(v)
}

fn fmt_escape(v: Option<u8>) -> String {
    match v {
        None => "none".into(),
        Some(c) if c < 0x20 => format!("\\^{}", (c + 64) as char),
        Some(0x7f) => "\\^?".into(),
        Some(b' ') => "\\040".into(),
        Some(c) if c >= 0x80 => format!("\\M-{}", fmt_escape(Some(c & 0x7f))),
        Some(c) => (c as char).to_string(),
    }
}

fn parse_ipqos(s: &str) -> Option<i64> {
    if s.eq_ignore_ascii_case("none") {
        return Some(i64::from(i32::MAX));
    }
    if let Some((_, v)) = IPQOS.iter().find(|(n, _)| n.eq_ignore_ascii_case(s)) {
        return Some(*v);
    }
    let v = if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        i64::from_str_radix(h, 16).ok()?
    } else if s.len() > 1 && s.starts_with('0') {
        i64::from_str_radix(&s[1..], 8).ok()?
    } else {
        s.parse::<i64>().ok()?
    };
    (0..=255).contains(&v).then_some(v)
}

fn iptos2str(v: i64) -> String {
    if v == i64::from(i32::MAX) {
        return "none".into();
    }
    IPQOS
        .iter()
        .find(|(_, x)| *x == v)
        .map(|(n, _)| n.to_string())
        .unwrap_or_else(|| format!("0x{v:02x}"))
}

fn a2tun(s: &str) -> Option<String> {
    fn one(s: &str) -> Option<String> {
        if s.eq_ignore_ascii_case("any") {
            return Some("any".into());
        }
        strtonum(s, 0, 0x7fff_ffff - 2).ok().map(|v| v.to_string())
    }
    match s.split_once(':') {
        Some((l, r)) => Some(format!("{}:{}", one(l)?, one(r)?)),
        None => Some(format!("{}:any", one(s)?)),
    }
}

fn scan_scaled(s: &str) -> Option<i64> {
    let (num, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(p) => (&s[..p], &s[p..]),
        None => (s, ""),
    };
    let n: i64 = num.parse().ok()?;
    let mult: i64 = match unit.to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "K" => 1 << 10,
        "M" => 1 << 20,
        "G" => 1 << 30,
        "T" => 1 << 40,
        _ => return None,
    };
    n.checked_mul(mult)
}

fn valid_env_name(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn valid_domain(s: &str) -> bool {
    if s.eq_ignore_ascii_case("none") {
        return true;
    }
    !s.is_empty()
        && !s.starts_with('.')
        && !s.ends_with('.')
        && !s.contains("..")
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_')
}

/// Splits `host:port` / `[host]:port`; the port is `None` when absent.
pub(crate) fn hpdelim(s: &str) -> Option<(String, Option<&str>)> {
    if let Some(r) = s.strip_prefix('[') {
        let end = r.find(']')?;
        let host = &r[..end];
        let after = &r[end + 1..];
        if after.is_empty() {
            return Some((host.to_string(), None));
        }
        let port = after.strip_prefix(':')?;
        return Some((host.to_string(), Some(port)));
    }
    match s.split_once(':') {
        Some((h, p)) => Some((h.to_string(), Some(p))),
        None => Some((s.to_string(), None)),
    }
}

/// One hop `[user@]host[:port]` or `ssh://[user@]host[:port]`.
fn parse_hop(s: &str) -> Option<(Option<String>, String, i64)> {
    if let Some(rest) = s.strip_prefix("ssh://") {
        let (user, hostport) = match rest.find('@') {
            Some(p) => {
                let u = rest[..p].split(';').next().unwrap_or("");
                if u.is_empty() {
                    return None;
                }
                (Some(u.to_string()), &rest[p + 1..])
            }
            None => (None, rest),
        };
        let (host, port) = hpdelim(hostport)?;
        if host.is_empty() || !valid_host_chars(&host) {
            return None;
        }
        let port = match port {
            Some(p) if !p.is_empty() => {
                if p.contains('/') {
                    return None;
                }
                i64::from(lex::a2port(p).filter(|x| *x > 0)?)
            }
            _ => -1,
        };
        return Some((user, host, port));
    }
    let (user, rest) = match s.rfind('@') {
        Some(p) => {
            if p == 0 {
                return None;
            }
            (Some(s[..p].to_string()), &s[p + 1..])
        }
        None => (None, s),
    };
    let (host, port) = hpdelim(rest)?;
    if host.is_empty() {
        return None;
    }
    let port = match port {
        Some(p) if !p.is_empty() => i64::from(lex::a2port(p).filter(|x| *x > 0)?),
        _ => -1,
    };
    Some((user, host, port))
}

fn valid_host_chars(h: &str) -> bool {
    h.chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | ':'))
}

/// Parses a ProxyJump value; `Ok(None)` when syntax-checked only.
fn parse_jump(s: &str, active: bool) -> Option<Option<Jump>> {
    let cut = s.find('#').map_or(s, |p| &s[..p]);
    let cut = cut.trim_end_matches([' ', '\t', '\r', '\n']);
    if s.eq_ignore_ascii_case("none") {
        return Some(active.then(|| Jump {
            extra: None,
            user: None,
            host: "none".into(),
            port: 0,
        }));
    }
    let hops: Vec<&str> = cut.split(',').collect();
    let mut first = None;
    for (i, hop) in hops.iter().rev().enumerate() {
        let parsed = parse_hop(hop)?;
        if i == 0 {
            first = Some(parsed);
        }
    }
    if !active {
        return Some(None);
    }
    let (user, host, port) = first?;
    let extra = s.rfind(',').filter(|p| *p != 0).map(|p| s[..p].to_string());
    Some(Some(Jump {
        extra,
        user,
        host,
        port,
    }))
}

/// Parses a forwarding spec and prints it as `ssh -G` does.
fn parse_forward(spec: &str, dynamic: bool, remote: bool) -> Option<String> {
    // Split on ':' honouring [ ] brackets.
    let mut parts: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut depth = 0;
    for c in spec.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            ':' if depth == 0 => {
                parts.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    parts.push(cur);
    let clean = |s: &str| s.trim_start_matches('[').trim_end_matches(']').to_string();
    let port = |s: &str| -> Option<i64> { lex::a2port(s).map(i64::from) };
    let is_path = |s: &str| s.contains('/');
    let listen = |host: Option<String>, p: &str| -> Option<String> {
        if is_path(p) {
            return Some(p.to_string());
        }
        let n = port(p)?;
        Some(match host {
            Some(h) => format!("[{h}]:{n}"),
            None => n.to_string(),
        })
    };
    if dynamic {
        let l = match parts.len() {
            1 => listen(None, &parts[0])?,
            2 => listen(Some(clean(&parts[0])), &parts[1])?,
            _ => return None,
        };
        if !remote && !is_path(&l) && (l == "0" || l.ends_with(":0")) {
            return None;
        }
        // A dynamic remote forward prints its implicit SOCKS target.
        return Some(if remote { format!("{l} [socks]:0") } else { l });
    }
    let (lh, lp, ch, cp): (Option<String>, String, Option<String>, String) = match parts.len() {
        2 => (None, parts[0].clone(), None, parts[1].clone()),
        3 => {
            if is_path(&parts[0]) {
                (
                    None,
                    parts[0].clone(),
                    Some(clean(&parts[1])),
                    parts[2].clone(),
                )
            } else if is_path(&parts[2]) {
                (
                    Some(clean(&parts[0])),
                    parts[1].clone(),
                    None,
                    parts[2].clone(),
                )
            } else {
                (
                    None,
                    parts[0].clone(),
                    Some(clean(&parts[1])),
                    parts[2].clone(),
                )
            }
        }
        4 => (
            Some(clean(&parts[0])),
            parts[1].clone(),
            Some(clean(&parts[2])),
            parts[3].clone(),
        ),
        _ => return None,
    };
    let l = listen(lh, &lp)?;
    if !remote && !is_path(&l) && (l == "0" || l.ends_with(":0")) {
        return None;
    }
    let c = if is_path(&cp) {
        cp
    } else {
        let n = port(&cp)?;
        match ch {
            Some(h) => format!("[{h}]:{n}"),
            None => n.to_string(),
        }
    };
    Some(format!("{l} {c}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_keyword_is_found_in_any_case() {
        for (k, op) in KEYWORDS {
            assert!(
                k.bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()),
                "table spelling {k} must be lowercase letters and digits"
            );
            for spelled in [k.to_string(), k.to_ascii_uppercase()] {
                assert_eq!(lookup_str(&spelled), Some((*k, *op)), "{spelled}");
                // In the middle of a line, as the scanner finds it.
                let line = format!("  {spelled} value");
                let key = Key::printable(line.as_bytes(), 2, spelled.len());
                assert_eq!(key.and_then(|k| lookup(&k)), Some((*k, *op)), "{spelled}");
                // The same key when the keyword ends the text.
                assert_eq!(key, Key::printable(spelled.as_bytes(), 0, spelled.len()));
            }
        }
        for other in [
            "hostnam",
            "hostnamee",
            "h0stname",
            "port_",
            "userx",
            "",
            "p\u{f6}rt",
            "Po\x10t",
            "nohostauthenticationforlocalhostx",
        ] {
            assert_eq!(lookup_str(other), None, "{other}");
        }
        // Bytes that fold onto letters or digits only outside printable
        // ASCII are refused by the general lookup.
        assert_eq!(lookup_str("P\x0frt"), None);
        assert_eq!(lookup_str("Hostname\0"), None);
    }
}
