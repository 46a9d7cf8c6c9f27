//! The keyword table's shape: one [`Keyword`] row per keyword meaning (the
//! rows are in `table.rs`), the kinds its columns take, and the lookups.
//!
//! - [`Keyword`]: spellings, value kind, how lines combine, inactive blocks,
//!   default (or the profile's), `ssh -G` name and position (per profile),
//!   keepalive watch, the release that added it and the build it needs.
//! - [`Op`]: the meanings, in row order (the id the option store uses).
//! - [`Parse`], [`Store`], [`Def`], [`Shown`]/[`Show`]: the column kinds.
//! - [`lookup`]: a spelling (any ASCII case) to its row, and whether the
//!   profile's build has it ([`Presence`]); [`row`]: an [`Op`]'s row;
//!   [`dump_order`]: the rows a profile's `ssh -G` prints, in its order.
//!
//! Hand-written because the keyword semantics are the product: everything
//! ssh decides about one keyword is one row, so a column for a new OpenSSH
//! release is a field with a value in [`Keyword::BASE`] and a change to
//! the rows that differ.

use std::collections::HashMap;
use std::sync::LazyLock;

use super::profile::{Gssapi, Profile, Release};
use super::states::States;
use super::table::ROWS;

/// Every keyword meaning ssh knows (several spellings may share one), in
/// the order of the rows: `ssh -G`'s order, then the keywords it does not
/// print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Op {
    Host,
    User,
    Hostname,
    Port,
    AddressFamily,
    BatchMode,
    CanonicalizeFallbackLocal,
    CanonicalizeHostname,
    CheckHostIp,
    Compression,
    ControlMaster,
    EnableSshKeysign,
    ClearAllForwardings,
    ExitOnForwardFailure,
    FingerprintHash,
    ForwardX11,
    ForwardX11Trusted,
    GatewayPorts,
    GssAuthentication,
    GssKeyEx,
    GssDelegateCreds,
    GssTrustDns,
    GssRenewalRekey,
    GssClientIdentity,
    GssServerIdentity,
    GssKexAlgorithms,
    HashKnownHosts,
    HostbasedAuthentication,
    IdentitiesOnly,
    KbdInteractiveAuthentication,
    NoHostAuthenticationForLocalhost,
    NoHostAuthenticationForProxyCommand,
    PasswordAuthentication,
    PermitLocalCommand,
    ProxyUseFdpass,
    PubkeyAuthentication,
    RequestTty,
    SessionType,
    StdinNull,
    ForkAfterAuthentication,
    StreamLocalBindUnlink,
    StrictHostKeyChecking,
    TcpKeepAlive,
    Tunnel,
    VerifyHostKeyDns,
    VisualHostKey,
    UpdateHostkeys,
    EnableEscapeCommandline,
    AppleMultipath,
    WarnWeakCrypto,
    CanonicalizeMaxDots,
    ConnectionAttempts,
    ForwardX11Timeout,
    NumberOfPasswordPrompts,
    ServerAliveCountMax,
    ServerAliveInterval,
    RequiredRsaSize,
    ObscureKeystrokeTiming,
    BindAddress,
    BindInterface,
    Ciphers,
    ControlPath,
    HostKeyAlgorithms,
    HostKeyAlias,
    HostbasedAcceptedAlgorithms,
    IdentityAgent,
    IgnoreUnknown,
    KbdInteractiveDevices,
    KexAlgorithms,
    CaSignatureAlgorithms,
    LocalCommand,
    RemoteCommand,
    LogLevel,
    Macs,
    Pkcs11Provider,
    SecurityKeyProvider,
    PreferredAuthentications,
    PubkeyAcceptedAlgorithms,
    RevokedHostKeys,
    XAuthLocation,
    KnownHostsCommand,
    Tag,
    VersionAddendum,
    DynamicForward,
    LocalForward,
    RemoteForward,
    IdentityFile,
    CanonicalDomains,
    CertificateFile,
    GlobalKnownHostsFile,
    UserKnownHostsFile,
    SendEnv,
    SetEnv,
    LogVerbose,
    ChannelTimeout,
    PermitRemoteOpen,
    AddKeysToAgent,
    ForwardAgent,
    ConnectTimeout,
    TunnelDevice,
    CanonicalizePermittedCnames,
    ControlPersist,
    EscapeChar,
    IpQos,
    RekeyLimit,
    StreamLocalBindMask,
    SyslogFacility,
    ProxyCommand,
    ProxyJump,
    RefuseConnection,
    UseKeychain,
    Match,
    Include,
    Ignore,
    Deprecated,
    Unsupported,
}

/// One keyword meaning: everything ssh decides about it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Keyword {
    /// The meaning (its row is `ROWS[op as usize]`).
    pub op: Op,
    /// Its spellings, lowercase; ssh ignores ASCII case. The first is the
    /// key of the resolver's output.
    pub names: &'static [&'static str],
    /// Spellings only Debian's patches add.
    pub debian_names: &'static [&'static str],
    /// How the value parses (and prints, as kept).
    pub parse: Parse,
    /// How the values of several lines combine.
    pub store: Store,
    /// Whether a line in a block that does not apply still counts (ssh
    /// keeps such a value from any block).
    pub any_block: bool,
    /// Whether a kept value `none` (any case) means unset at the end (ssh's
    /// `CLEAR_ON_NONE`).
    pub none_unsets: bool,
    /// The value when no line sets it.
    pub default: Def,
    /// Where and how `ssh -G` prints it (none: it does not), each place
    /// for the profiles its condition admits.
    pub shown: &'static [Shown],
    /// Whether the keepalive verdict watches it: the lines that set it but
    /// lose are reported as shadowed.
    pub watched: bool,
    /// The release that added it.
    pub since: Release,
    /// What the build needs for it (none: every build has it).
    pub needs: Option<Needs>,
}

/// A build feature a keyword needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Needs {
    /// GSSAPI; without it the keyword is an unsupported option (accepted,
    /// ignored).
    Gssapi,
    /// The GSSAPI key exchange patch (Debian, Red Hat); without it the
    /// keyword is unknown.
    GssKeyExchange,
    /// Apple's patches; without them the keyword is unknown.
    Apple,
}

/// Whether a profile's build has a keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Presence {
    /// It does.
    Yes,
    /// As an unsupported option: accepted, ignored.
    Unsupported,
    /// No: a bad configuration option.
    Unknown,
}

impl Keyword {
    /// The columns most rows share: a first-wins keyword of the active
    /// blocks, no default, not printed, not watched, in every build.
    pub(crate) const BASE: Keyword = Keyword {
        op: Op::Ignore,
        names: &[],
        debian_names: &[],
        parse: Parse::Skip,
        store: Store::First,
        any_block: false,
        none_unsets: false,
        default: Def::Unset,
        shown: &[],
        watched: false,
        since: Release::new(0, 0, 0),
        needs: None,
    };

    /// The key of the resolver's output (lowercase).
    pub(crate) fn key(&self) -> &'static str {
        self.names.first().copied().unwrap_or("")
    }

    /// Whether the build of `p` has this keyword spelled `spelling`.
    pub(crate) fn presence(&self, spelling: &str, p: &Profile) -> Presence {
        let gss = p.build.gssapi;
        let has = match self.needs {
            _ if p.release < self.since => false,
            Some(Needs::Gssapi) if gss == Gssapi::No => return Presence::Unsupported,
            Some(Needs::GssKeyExchange) => gss == Gssapi::KeyExchange,
            Some(Needs::Apple) => p.build.apple_patches,
            _ => true,
        };
        let vendor_spelling = self.debian_names.contains(&spelling);
        match has && (!vendor_spelling || p.build.debian_patches) {
            true => Presence::Yes,
            false => Presence::Unknown,
        }
    }
}

/// How a keyword's value parses: a named kind (the parsers are in
/// `values.rs`, one function each).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Parse {
    /// Accepted and ignored (the rest of the line too).
    Skip,
    /// One word of a multistate table (yes/no and the like).
    States(&'static States),
    /// A decimal `int`.
    Int,
    /// A time (`90`, `1m30s`); `none` leaves it unset.
    Time,
    /// One non-empty word, kept as written.
    Word,
    /// One non-empty word of cipher, MAC or key exchange names that ssh
    /// checks against the build's (`+`, `-`, `^` lists allowed).
    Algorithms(Algorithm),
    /// One non-empty word of key type names (patterns allowed); only plain
    /// types for CASignatureAlgorithms where the profile says so.
    KeyTypes {
        /// CASignatureAlgorithms.
        ca: bool,
    },
    /// PubkeyAuthentication: a flag, or a multistate (8.9).
    Pubkey,
    /// Compression: yes or no.
    Compression,
    /// ObscureKeystrokeTiming: yes, no or `interval:N`.
    Keystroke,
    /// ChannelTimeout's `type=interval` list, `none` alone.
    ChannelTimeout,
    /// VersionAddendum: the rest of the line as written.
    Addendum,
    /// RefuseConnection: one word; ssh stops if the block applies.
    Refuse,
    /// RevokedHostKeys: a file (a list of them from 10.3).
    Revoked,
    /// GSSAPIKexAlgorithms: GSSAPI key exchange names.
    GssKex,
    /// A port number or service name.
    Port,
    /// A file path that accumulates (identity, certificate).
    File,
    /// The rest of the line, as one value (commands).
    Command,
    /// A ProxyJump list of hops.
    Jump,
    /// A log level name.
    LogLevel,
    /// A syslog facility name.
    Facility,
    /// A fingerprint hash name.
    Hash,
    /// An octal file mode mask.
    Mask,
    /// A list of words, `none` only alone.
    Words,
    /// [`Parse::Words`] of domain names.
    Domains,
    /// PermitRemoteOpen's `host:port` list, `any` or `none`.
    RemoteOpen,
    /// A forwarding spec.
    Forward(Forward),
    /// `Host` patterns.
    Host,
    /// `Match` criteria (evaluated by the caller).
    Match,
    /// `Include` paths.
    Include,
    /// An escape character (`~`, `^X`, `none`).
    EscapeChar,
    /// Environment variable names (SendEnv).
    EnvNames,
    /// `NAME=value` assignments (SetEnv).
    EnvAssignments,
    /// `yes`, `no` or a time (ControlPersist).
    Persist,
    /// `local[:remote]` tunnel device numbers.
    TunnelDevice,
    /// One or two IP QoS names or numbers.
    IpQos,
    /// `source:target` CNAME rules.
    Cnames,
    /// AddKeysToAgent's flag, `confirm` and lifetime.
    AddKeys,
    /// An agent socket path (`$NAME` allowed).
    Socket,
    /// A yes/no flag or an agent socket path (ForwardAgent).
    FlagOrSocket,
    /// A data limit and an optional time (RekeyLimit).
    Rekey,
}

/// Which algorithm names a list takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Algorithm {
    /// Ciphers.
    Cipher,
    /// MACs.
    Mac,
    /// KexAlgorithms.
    Kex,
}

/// Which forwarding a forward spec is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Forward {
    /// `LocalForward [bind:]port host:port`.
    Local,
    /// `RemoteForward`, with a target or dynamic.
    Remote,
    /// `DynamicForward [bind:]port`.
    Dynamic,
}

/// How the values of several lines combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Store {
    /// The first value obtained wins.
    First,
    /// The last value seen wins.
    Last,
    /// The first line that sets it gives all its values; later lines do
    /// nothing.
    Once,
    /// Every value is added; a value `-pattern` removes the kept values it
    /// matches (SendEnv).
    Append,
    /// Every value is added unless an equal one is kept (forwards).
    Distinct,
    /// Files added unless the same path came from the same kind of source
    /// (config or command line), at most `max`.
    Files {
        /// The most files ssh takes.
        max: usize,
        /// What ssh calls them in the message.
        what: &'static str,
    },
    /// Not a value: a block or Include for the reader.
    Block,
    /// A named special case in `options.rs` (ProxyJump, RekeyLimit's two
    /// values).
    Special,
}

/// A keyword's value when no line sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Def {
    /// None: printed only when set.
    Unset,
    /// This value.
    Text(&'static str),
    /// These values, one each.
    Each(&'static [&'static str]),
    /// These files of the build's sysconfdir (`SSHDIR`), one each.
    SystemFiles(&'static [&'static str]),
    /// The local login name.
    LocalUser,
    /// The profile's compiled-in value.
    Build(Slot),
    /// With Debian's patches and `BatchMode yes` this value, else 0.
    WithBatchMode(&'static str),
    /// `true` unless VerifyHostKeyDNS is on or UserKnownHostsFile is not
    /// the default, then `false`.
    UpdateHostKeys,
}

/// A default that is a fact of the build (`Defaults` of the profile).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    /// Ciphers.
    Ciphers,
    /// MACs.
    Macs,
    /// KexAlgorithms.
    Kex,
    /// HostKeyAlgorithms and the accepted-algorithm lists.
    HostKeys,
    /// CASignatureAlgorithms.
    CaSignatures,
    /// The identity files (one value each).
    IdentityFiles,
    /// IPQoS.
    IpQos,
    /// SecurityKeyProvider.
    SecurityKeyProvider,
    /// ForwardX11Trusted.
    ForwardX11Trusted,
    /// XAuthLocation.
    XAuth,
    /// GSSAPIKexAlgorithms.
    GssKex,
    /// PubkeyAuthentication (`true`, or `yes` where it is a flag).
    Pubkey,
}

/// Where and how `ssh -G` prints a keyword.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shown {
    /// Its place: `ssh -G` prints in increasing order (numbered in tens, so
    /// a key can go between two).
    pub at: u16,
    /// The key as `ssh -G` spells it.
    pub name: &'static str,
    /// How the value prints.
    pub how: Show,
    /// The profiles that print it here.
    pub when: fn(&Profile) -> bool,
}

impl Shown {
    /// A key at `at`, spelled `name`, printed `how`, in every profile.
    pub(crate) const fn new(at: u16, name: &'static str, how: Show) -> Shown {
        Shown {
            at,
            name,
            how,
            when: |_| true,
        }
    }

    /// The same, only in the profiles `when` admits.
    pub(crate) const fn when(self, when: fn(&Profile) -> bool) -> Shown {
        Shown { when, ..self }
    }
}

/// How `ssh -G` prints a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Show {
    /// The value or the default; nothing when neither.
    Value,
    /// [`Show::Value`] in lowercase.
    Lowercase,
    /// An algorithm list: `+`, `-`, `^` lists applied to the default.
    Algorithms,
    /// A path with `~` and `%`/`${}` tokens expanded (`none` and
    /// `SSH_AUTH_SOCK` as written).
    Expanded,
    /// One line per value (or per default value).
    Each,
    /// All values on one line.
    OneLine,
    /// One line per value, none when ClearAllForwardings is set.
    Forwards,
    // The named special cases, in `output.rs`:
    /// The host as typed.
    Destination,
    /// The host after HostName and canonicalisation.
    FinalHost,
    /// `no` whenever a ProxyJump is set.
    FdPass,
    /// Defaults, `none` alone empties, each path expanded.
    KnownHosts,
    /// `none:` alone prints as no rule.
    Cnames,
    /// The agent socket path, or the flag.
    Agent,
    /// The data limit and the interval.
    Rekey,
    /// Only without a ProxyJump.
    ProxyCommand,
    /// The jump hops as ssh prints them.
    ProxyJump,
    /// RevokedHostKeys: expanded (9.4), a list always printed (10.3).
    Revoked,
    /// VersionAddendum, tokens expanded where the profile does.
    Addendum,
    /// RemoteCommand: `%` tokens expanded (no `${}`).
    Command,
}

/// The row of `op`.
pub(crate) fn row(op: Op) -> &'static Keyword {
    &ROWS[op as usize]
}

/// Every spelling with its row, for [`lookup`] (the vendor spellings too;
/// [`Keyword::presence`] says whether a build has them).
static SPELLINGS: LazyLock<HashMap<&'static [u8], (&'static str, &'static Keyword)>> =
    LazyLock::new(|| {
        ROWS.iter()
            .flat_map(|r| r.names.iter().chain(r.debian_names).map(move |n| (*n, r)))
            .map(|(n, r)| (n.as_bytes(), (n, r)))
            .collect()
    });

/// The row of a keyword as written (any ASCII case), with the table's
/// spelling of it (what ssh names in messages).
pub(crate) fn lookup(keyword: &str) -> Option<(&'static str, &'static Keyword)> {
    // Lowercased on the stack: a word longer than the buffer is longer
    // than any spelling.
    let mut buf = [0u8; 40];
    let lower = buf.get_mut(..keyword.len())?;
    for (d, c) in lower.iter_mut().zip(keyword.bytes()) {
        *d = c.to_ascii_lowercase();
    }
    SPELLINGS.get(&*lower).copied()
}

/// The rows the `ssh -G` of profile `p` prints, with their place, in its
/// order (the rows its build has).
pub(crate) fn dump_order(p: &Profile) -> Vec<(&'static Keyword, &'static Shown)> {
    let mut v: Vec<(&'static Keyword, &'static Shown)> = ROWS
        .iter()
        .filter(|r| r.presence(r.key(), p) == Presence::Yes)
        .flat_map(|r| r.shown.iter().filter(|s| (s.when)(p)).map(move |s| (r, s)))
        .collect();
    v.sort_by_key(|(_, s)| s.at);
    v
}

/// The key as `ssh -G` spells it, for a key of the resolver's output.
pub(crate) fn ssh_g_name(key: &str) -> &str {
    match lookup(key) {
        Some((_, r)) if r.key().eq_ignore_ascii_case(key) => {
            r.shown.first().map_or(key, |s| s.name)
        }
        _ => key,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_row_sits_at_its_op() {
        for (i, r) in ROWS.iter().enumerate() {
            assert_eq!(r.op as usize, i, "{:?}", r.op);
            assert!(!r.names.is_empty(), "{:?} has no spelling", r.op);
        }
        assert_eq!(row(Op::ServerAliveInterval).key(), "serveraliveinterval");
    }

    #[test]
    fn every_spelling_is_found_in_any_case() {
        let mut seen = std::collections::HashSet::new();
        for r in ROWS {
            for n in r.names.iter().chain(r.debian_names) {
                assert!(seen.insert(*n), "{n} spelled twice");
                assert!(
                    n.bytes()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()),
                    "spelling {n} must be lowercase letters and digits"
                );
                for spelled in [n.to_string(), n.to_ascii_uppercase()] {
                    let (name, found) = lookup(&spelled).expect("found");
                    assert_eq!((name, found.op), (*n, r.op), "{spelled}");
                }
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
            "P\x0frt",
            "Hostname\0",
            "nohostauthenticationforlocalhostx",
            "nohostauthenticationforlocalhost-and-then-some-more-bytes",
        ] {
            assert!(lookup(other).is_none(), "{other:?}");
        }
    }

    #[test]
    fn ssh_g_positions_are_distinct_and_names_match_spellings() {
        let mut all: Vec<(u16, Op)> = ROWS
            .iter()
            .flat_map(|r| r.shown.iter().map(move |s| (s.at, r.op)))
            .collect();
        all.sort_by_key(|(at, _)| *at);
        for w in all.windows(2) {
            assert!(
                w[0].0 < w[1].0,
                "{:?} and {:?} share a place",
                w[0].1,
                w[1].1
            );
        }
        let p = Profile::debian12(10);
        let order = dump_order(&p);
        for (r, s) in &order {
            assert!(s.name.eq_ignore_ascii_case(r.key()), "{:?}", r.op);
            assert_eq!(ssh_g_name(r.key()), s.name);
        }
        assert_eq!(
            ssh_g_name("canonicalizepermittedcnames"),
            "canonicalizePermittedcnames"
        );
        // An alias is not an output key.
        assert_eq!(ssh_g_name("keepalive"), "keepalive");
        assert_eq!(order.first().map(|(r, _)| r.op), Some(Op::Host));
        assert_eq!(order.last().map(|(r, _)| r.op), Some(Op::ProxyJump));
    }

    #[test]
    fn watched_keywords_are_printed() {
        let watched: Vec<Op> = ROWS.iter().filter(|r| r.watched).map(|r| r.op).collect();
        assert_eq!(
            watched,
            [
                Op::TcpKeepAlive,
                Op::ServerAliveCountMax,
                Op::ServerAliveInterval
            ]
        );
        assert!(
            ROWS.iter()
                .filter(|r| r.watched)
                .all(|r| !r.shown.is_empty())
        );
    }
}
