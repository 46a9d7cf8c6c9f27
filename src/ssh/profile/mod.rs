//! The ssh build the resolver models: which release, which vendor patches,
//! which build facts, and how it behaves where builds differ.
//!
//! - [`Profile`]: one build. Its [`Rules`] are the behaviours a
//!   distribution may backport (the comma ban, the ProxyJump first-match
//!   rule, the time parser…), each an explicit field, so that "Debian
//!   9.2p1-2+deb12u10 has the 10.0 comma ban and the 10.3 ProxyJump rule
//!   but not the 10.3 time parser" is data; its [`Defaults`] are the
//!   compiled-in values that differ between builds (algorithm lists,
//!   identity files, IPQoS…).
//! - [`Release`]: an OpenSSH release number (`9.2p1`).
//! - `releases`: what each upstream release changed, the vendor tables
//!   (Debian 12's security updates, Apple, Git for Windows) and the
//!   modelled profiles by name ([`Profile::named`], [`Profile::modelled`]).
//! - `detect`: the profile of an ssh program, from its `ssh -V` banner and,
//!   when the banner is not one we model, a few `ssh -G` probes that never
//!   connect and run no command ([`Profile::detect`]).
//!
//! Hand-written because these facts are the product: every entry is a
//! reading of OpenSSH's source or of a probe against a real build (see
//! docs/resolve.md, "Profiles").

use std::borrow::Cow;
use std::fmt;
use std::path::PathBuf;

mod detect;
mod probes;
mod releases;

pub use detect::DetectError;
pub use probes::{Answer, Divergence, PROBES, Probe};
pub use releases::ProfileError;

/// An OpenSSH release: major, minor and portable patch level (`9.2p1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Release(u32);

impl Release {
    /// `major.minor`p`patch`.
    pub const fn new(major: u32, minor: u32, patch: u32) -> Release {
        Release(major * 10_000 + minor * 100 + patch)
    }

    /// Reads `9.2p1` (also `9.2`, taken as `9.2p1`).
    pub fn parse(s: &str) -> Option<Release> {
        let (num, patch) = match s.split_once('p') {
            Some((n, p)) => (n, p.parse().ok()?),
            None => (s, 1),
        };
        let (major, minor) = num.split_once('.')?;
        let (major, minor): (u32, u32) = (major.parse().ok()?, minor.parse().ok()?);
        (major < 100 && minor < 100 && patch < 100).then(|| Release::new(major, minor, patch))
    }

    /// The release without its portable patch level (`9.9p2` → 9.9).
    const fn base(self) -> u32 {
        self.0 / 100
    }

    /// Whether this release is `major.minor` (any patch level) or later.
    pub const fn at_least(self, major: u32, minor: u32) -> bool {
        self.base() >= major * 100 + minor
    }
}

impl fmt::Display for Release {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{}p{}",
            self.0 / 10_000,
            self.0 / 100 % 100,
            self.0 % 100
        )
    }
}

/// Who built it, with which patches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Vendor {
    /// Portable OpenSSH as released.
    Upstream,
    /// Debian's package; the revision after `Debian-` (`2+deb12u10`).
    Debian(String),
    /// Ubuntu's package (Debian's patches and its own backports); the
    /// revision after `Ubuntu-`.
    Ubuntu(String),
    /// Red Hat's package (RHEL, Fedora): its GSSAPI key exchange patch and
    /// crypto policies; `ssh -V` does not say so.
    RedHat,
    /// Apple's build (macOS): Keychain and multipath patches, LibreSSL.
    Apple,
    /// MSYS2's build, which Git for Windows bundles.
    Msys,
    /// Another vendor suffix in `ssh -V`.
    Other(String),
}

impl fmt::Display for Vendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Vendor::Upstream => f.write_str("upstream"),
            Vendor::Debian(r) => write!(f, "Debian {r}"),
            Vendor::Ubuntu(r) => write!(f, "Ubuntu {r}"),
            Vendor::RedHat => f.write_str("Red Hat"),
            Vendor::Apple => f.write_str("Apple"),
            Vendor::Msys => f.write_str("MSYS2 (Git for Windows)"),
            Vendor::Other(s) => write!(f, "vendor {s}"),
        }
    }
}

/// Which GSSAPI support the build has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gssapi {
    /// None: `GSSAPIAuthentication` is an unsupported option.
    No,
    /// Upstream's (`--with-kerberos5`): two keywords.
    Plain,
    /// With the key-exchange patch (Debian, Ubuntu, Red Hat): eight.
    KeyExchange,
}

/// Facts of the build that the configuration shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Build {
    /// What `ssh -V` prints after the comma (`OpenSSL 3.0.19 27 Jan 2026`).
    pub crypto: String,
    /// Linked with OpenSSL (or LibreSSL); without it the algorithm lists
    /// are short.
    pub openssl: bool,
    /// Where the system file lives (`/etc/ssh`).
    pub sysconfdir: PathBuf,
    /// GSSAPI support.
    pub gssapi: Gssapi,
    /// Debian's patch set (BatchMode keepalive, `LogLevel SILENT`,
    /// `ForwardX11Trusted yes`, old keyword aliases).
    pub debian_patches: bool,
    /// Apple's patches (`UseKeychain`, `NoHostAuthenticationForProxyCommand`,
    /// `AppleMultipath`).
    pub apple_patches: bool,
    /// DSA keys (`id_dsa`, `ssh-dss`): on by default until 9.8, gone in 10.1.
    pub dsa: bool,
}

/// How time values parse (`ServerAliveInterval`, `ConnectTimeout`…).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeGrammar {
    /// ≤ 9.7: `strtol` terms (a sign and leading blanks pass), any number
    /// of them.
    Strtol,
    /// 9.8 – 10.2: digits-only terms, any number of them.
    Digits,
    /// 10.3: decimal seconds allowed (`1.5` is 1), one seconds term only
    /// (`30s30s` is refused).
    Fractional,
}

/// How a Match line splits into words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchWords {
    /// ≤ 9.8: the keyword splitter (blanks, one `=`, double quotes).
    Strdelim,
    /// 9.9p1: the argument splitter (single and double quotes,
    /// backslashes); `criterion=arg` is not understood.
    Argv,
    /// 9.9p2 and later: the argument splitter, and `criterion=arg`.
    ArgvKeyValue,
}

/// Which Match criteria exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MatchCriteria {
    /// all, canonical, final, exec, host, originalhost, user, localuser.
    Classic,
    /// 9.4: and tagged, localnetwork.
    Tagged,
    /// 10.0: and version, sessiontype, command; an empty `tagged` or
    /// `command` argument, and an unset tag matches only it.
    Session,
}

/// Which command-line host names ssh refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum HostCheck {
    /// None.
    None,
    /// 9.6 (CVE-2023-51385): shell metacharacters, blanks, control
    /// characters, a leading `-`.
    Metachars,
    /// 10.0: and a comma.
    Comma,
}

/// When ssh checks the remote user name for metacharacters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LateUserCheck {
    /// No check after the files.
    None,
    /// 10.0: every user, after `%`/`${}` expansion (config literals too).
    Every,
    /// 10.1: a user from the command line (`-l`, `user@`, `ssh://`), or
    /// one that expansion changed.
    CommandLineOrExpanded,
}

/// Which users `%` and `${}` tokens expand in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserExpansion {
    /// None.
    None,
    /// 10.0: every user.
    Every,
    /// 10.1: a user from the files or `-o User` (not `-l`, `user@`,
    /// `ssh://`, nor the local default).
    NotCommandLine,
}

/// How IPQoS values parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IpQosNumbers {
    /// ≤ 9.7: `strtol` base 0 (`0x10`, `010` octal).
    Strtol,
    /// 9.8: decimal only.
    Decimal,
    /// 10.1: decimal, and the old ToS names (`lowdelay`, `throughput`,
    /// `reliability`) mean `none`; `va` exists.
    DscpOnly,
}

/// The behaviours that differ between builds, each settled per build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// How time values parse.
    pub time: TimeGrammar,
    /// How a Match line splits.
    pub match_words: MatchWords,
    /// Which Match criteria exist.
    pub match_criteria: MatchCriteria,
    /// `Match !final` asks for the final pass too (≤ 10.0).
    pub negated_final_pass: bool,
    /// ProxyJump and ProxyCommand: the first line of either wins, so
    /// `ProxyJump none` no longer hides a later ProxyCommand (10.3).
    pub proxy_first_match: bool,
    /// `-J` and `-o ProxyJump` hop names are checked like the host (10.3).
    pub jump_names_checked: bool,
    /// ProxyJump keeps inner blanks (`j1 j2`); before 10.1 the value is cut
    /// at the first blank.
    pub jump_keeps_blanks: bool,
    /// Which command-line host names are refused.
    pub host_check: HostCheck,
    /// The command-line user is checked before the files are read (9.6).
    pub early_user_check: bool,
    /// Which users are checked after the files.
    pub late_user_check: LateUserCheck,
    /// Control characters in a user name are refused (10.1).
    pub user_control_chars: bool,
    /// Which users `%`/`${}` tokens expand in (10.0).
    pub user_expansion: UserExpansion,
    /// A NUL (`%00`) in an `ssh://` user or host is refused (10.1).
    pub uri_nul_refused: bool,
    /// Include paths expand `%` tokens and `${}` (9.9).
    pub include_expansion: bool,
    /// SetEnv values and VersionAddendum expand tokens (10.0).
    pub setenv_expansion: bool,
    /// `%j` (the jump host) exists and `%C` hashes it (9.6).
    pub jump_token: bool,
    /// RevokedHostKeys expands `~` and tokens before printing (9.4).
    pub revoked_expansion: bool,
    /// RevokedHostKeys takes several files and prints on its own line at a
    /// new place (10.3).
    pub revoked_list: bool,
    /// A list option whose only argument is a comment is refused (9.7).
    pub lists_need_arguments: bool,
    /// An empty algorithm list is refused when read, and a failure to
    /// assemble the lists ends ssh (10.4); before, ssh printed the options
    /// it had.
    pub strict_algorithm_lists: bool,
    /// CASignatureAlgorithms refuses certificate algorithms (9.4).
    pub ca_names_only: bool,
    /// How IPQoS numbers and names parse.
    pub ipqos: IpQosNumbers,
    /// `Compression yes` prints `UNKNOWN` (9.9).
    pub compression_prints_unknown: bool,
    /// SetEnv drops a name given twice in one line (9.2).
    pub setenv_drops_duplicates: bool,
    /// PermitRemoteOpen reads its first argument (9.2; before, it was
    /// skipped unless `any` or `none`).
    pub remote_open_first_argument: bool,
    /// PubkeyAuthentication takes `unbound` and `host-bound` and prints
    /// `true` (8.9).
    pub pubkey_multistate: bool,
    /// `CanonicalizePermittedCNAMEs none` exists and prints always (8.9).
    pub cnames_none: bool,
    /// `ssh -G` prints the host as typed first (9.2).
    pub host_line: bool,
    /// `ssh -P tag` sets Tag (9.4).
    pub tag_flag: bool,
    /// A CanonicalDomains name may start with `_` (10.0).
    pub domain_underscore: bool,
    /// `-o Match` says "Match directive" (10.4; before, "Host directive").
    pub match_directive_message: bool,
    /// A path's `~name` without a slash names a user, and the slashes after
    /// `~` or `~name/` collapse (8.9); before, `~name` is the own home's
    /// `name`.
    pub tilde_user_alone: bool,
}

/// The compiled-in values that differ between builds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Defaults {
    /// Ciphers.
    pub ciphers: Cow<'static, str>,
    /// MACs.
    pub macs: Cow<'static, str>,
    /// KexAlgorithms.
    pub kex: Cow<'static, str>,
    /// HostKeyAlgorithms, PubkeyAcceptedAlgorithms,
    /// HostbasedAcceptedAlgorithms.
    pub host_keys: Cow<'static, str>,
    /// CASignatureAlgorithms.
    pub ca_signatures: Cow<'static, str>,
    /// The identity files tried when none is configured.
    pub identity_files: Vec<Cow<'static, str>>,
    /// IPQoS (both values).
    pub ipqos: Cow<'static, str>,
    /// SecurityKeyProvider.
    pub security_key_provider: Cow<'static, str>,
    /// ForwardX11Trusted.
    pub forward_x11_trusted: Cow<'static, str>,
    /// XAuthLocation.
    pub xauth: Cow<'static, str>,
    /// GSSAPIKexAlgorithms (key-exchange builds).
    pub gss_kex: Cow<'static, str>,
    /// The key exchange names it knows (`ssh -Q kex`).
    pub kex_names: Vec<&'static str>,
    /// The key and signature names it knows (`ssh -Q key-sig`).
    pub key_names: Vec<&'static str>,
}

/// How the profile of a build is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basis {
    /// A modelled build; `tested` when a real build of it runs the test
    /// suite (otherwise modelled from its published source).
    Modelled {
        /// Checked against a real build.
        tested: bool,
    },
    /// An upstream release between modelled ones, from the release notes.
    Interpolated,
    /// A build we do not model: the nearest modelled profile, its
    /// behaviours settled by probes and its defaults by `ssh -G -F none`.
    Probed {
        /// The profile it started from.
        from: String,
        /// What the probes found that differs from it.
        found: Vec<String>,
    },
    /// A release newer than anything modelled, resolved as the newest.
    Newer {
        /// The newest modelled release.
        modelled: Release,
    },
}

/// One ssh build as the resolver models it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// What `ssh -V` prints before the comma, which `Match version`
    /// matches: `OpenSSH_9.2p1 Debian-2+deb12u10`.
    pub version: String,
    /// The release number.
    pub release: Release,
    /// Who built it.
    pub vendor: Vendor,
    /// Build facts.
    pub build: Build,
    /// Its behaviours.
    pub rules: Rules,
    /// Its compiled-in defaults.
    pub defaults: Defaults,
    /// How it is known.
    pub basis: Basis,
    /// The name `--profile` takes for it (`9.2p1-debian-deb12u10`).
    pub name: String,
}

impl Profile {
    /// A caveat for users: set when the model is not a tested build.
    pub fn caveat(&self) -> Option<String> {
        match &self.basis {
            Basis::Modelled { tested: true } => None,
            Basis::Modelled { tested: false } => Some(format!(
                "{} is modelled from its published source (no build of it is tested here)",
                self.version
            )),
            Basis::Interpolated => Some(format!(
                "{} is modelled from the release notes between tested releases",
                self.version
            )),
            Basis::Probed { from, found } if found.is_empty() => Some(format!(
                "{} is not a modelled build; probes found it behaves as {from}",
                self.version
            )),
            Basis::Probed { from, found } => Some(format!(
                "{} is not a modelled build; resolved as {from} with what probes found: {}",
                self.version,
                found.join("; ")
            )),
            Basis::Newer { modelled } => Some(format!(
                "{} is newer than anything modelled; resolved as OpenSSH {modelled}",
                self.version
            )),
        }
    }

    /// The profile the resolver uses when it is not told: the `ssh` on
    /// `PATH`, else upstream's newest release.
    pub fn detect_default() -> Profile {
        Profile::detect("ssh").unwrap_or_else(|_| Profile::newest())
    }
}

impl Default for Profile {
    /// Upstream's newest modelled release.
    fn default() -> Profile {
        Profile::newest()
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.version)
    }
}
