//! What each release and each vendor changed: upstream's rules and
//! defaults per release, Debian 12's security updates, Apple's and MSYS2's
//! builds, and the modelled profiles by name.
//!
//! Every date is a reading of the portable ChangeLog or of the source of
//! the release; the releases a real build tests are [`TESTED`] (see
//! `/work/research/openssh-versions.md` for the evidence of each line).

use std::borrow::Cow;
use std::fmt;
use std::path::PathBuf;

use super::super::algorithms as alg;
use super::{
    Basis, Build, Defaults, Gssapi, HostCheck, IpQosNumbers, LateUserCheck, MatchCriteria,
    MatchWords, Profile, Release, Rules, TimeGrammar, UserExpansion, Vendor,
};

/// The oldest release modelled.
pub(crate) const OLDEST: Release = Release::new(8, 7, 1);
/// The newest release modelled.
pub(crate) const NEWEST: Release = Release::new(10, 5, 1);

/// The upstream releases a real build of tests (the matrix).
pub(crate) const TESTED: [Release; 8] = [
    Release::new(8, 7, 1),
    Release::new(8, 9, 1),
    Release::new(9, 2, 1),
    Release::new(9, 6, 1),
    Release::new(9, 9, 2),
    Release::new(10, 0, 2),
    Release::new(10, 3, 1),
    Release::new(10, 5, 1),
];

/// Debian 12's revisions a real build of tests.
const DEBIAN_12_TESTED: [u32; 4] = [6, 7, 9, 10];
/// The newest Debian 12 revision modelled.
pub(crate) const DEBIAN_12_NEWEST: u32 = 10;

/// Apple's releases (macOS 15.0–15.3, 15.4, 15.5+, 26), modelled from
/// `apple-oss-distributions/OpenSSH` tags 341, 346, 346.120.3, 354.0.3.
const APPLE: [Release; 4] = [
    Release::new(9, 8, 1),
    Release::new(9, 9, 1),
    Release::new(9, 9, 2),
    Release::new(10, 0, 2),
];

/// The release Git for Windows 2.54–2.55 bundles (MSYS2's package).
const MSYS: Release = Release::new(10, 3, 1);

impl Rules {
    /// Upstream's behaviour in release `r`.
    pub fn upstream(r: Release) -> Rules {
        let at = |major, minor| r.at_least(major, minor);
        Rules {
            time: if at(10, 3) {
                TimeGrammar::Fractional
            } else if at(9, 8) {
                TimeGrammar::Digits
            } else {
                TimeGrammar::Strtol
            },
            match_words: if r >= Release::new(9, 9, 2) {
                MatchWords::ArgvKeyValue
            } else if at(9, 9) {
                MatchWords::Argv
            } else {
                MatchWords::Strdelim
            },
            match_criteria: if at(10, 0) {
                MatchCriteria::Session
            } else if at(9, 4) {
                MatchCriteria::Tagged
            } else {
                MatchCriteria::Classic
            },
            negated_final_pass: !at(10, 1),
            proxy_first_match: at(10, 3),
            jump_names_checked: at(10, 3),
            jump_keeps_blanks: at(10, 1),
            host_check: if at(10, 0) {
                HostCheck::Comma
            } else if at(9, 6) {
                HostCheck::Metachars
            } else {
                HostCheck::None
            },
            // 9.6 to 9.9, and again from 10.3.
            early_user_check: at(9, 6) && (!at(10, 0) || at(10, 3)),
            late_user_check: if at(10, 1) {
                LateUserCheck::CommandLineOrExpanded
            } else if at(10, 0) {
                LateUserCheck::Every
            } else {
                LateUserCheck::None
            },
            user_control_chars: at(10, 1),
            user_expansion: if at(10, 1) {
                UserExpansion::NotCommandLine
            } else if at(10, 0) {
                UserExpansion::Every
            } else {
                UserExpansion::None
            },
            uri_nul_refused: at(10, 1),
            include_expansion: at(9, 9),
            setenv_expansion: at(10, 0),
            jump_token: at(9, 6),
            revoked_expansion: at(9, 4),
            revoked_list: at(10, 3),
            lists_need_arguments: at(9, 7),
            strict_algorithm_lists: at(10, 4),
            ca_names_only: at(9, 4),
            ipqos: if at(10, 1) {
                IpQosNumbers::DscpOnly
            } else if at(9, 8) {
                IpQosNumbers::Decimal
            } else {
                IpQosNumbers::Strtol
            },
            compression_prints_unknown: at(9, 9) && !at(10, 0),
            setenv_drops_duplicates: at(9, 2),
            remote_open_first_argument: at(9, 2),
            pubkey_multistate: at(8, 9),
            cnames_none: at(8, 9),
            host_line: at(9, 2),
            tag_flag: at(9, 4),
            domain_underscore: at(10, 0),
            match_directive_message: at(10, 4),
            tilde_user_alone: at(8, 9),
        }
    }
}

/// Whether upstream's `r` is built with DSA keys by default (on until 9.8,
/// off from 9.8, gone in 10.1).
fn upstream_dsa(r: Release) -> bool {
    !r.at_least(9, 8)
}

impl Defaults {
    /// Upstream's defaults in release `r`, built with DSA keys or not.
    pub(crate) fn upstream(r: Release, dsa: bool) -> Defaults {
        let at = |major, minor| r.at_least(major, minor);
        let kex = if at(10, 0) {
            alg::DEF_KEX_10_0
        } else if at(9, 9) {
            alg::DEF_KEX_9_9
        } else if at(9, 0) {
            alg::DEF_KEX_9_0
        } else if at(8, 9) {
            alg::DEF_KEX_8_9
        } else {
            alg::DEF_KEX_8_7
        };
        let mut ids: Vec<&'static str> = vec!["~/.ssh/id_rsa"];
        if !at(8, 9) && dsa {
            ids.push("~/.ssh/id_dsa");
        }
        ids.extend([
            "~/.ssh/id_ecdsa",
            "~/.ssh/id_ecdsa_sk",
            "~/.ssh/id_ed25519",
            "~/.ssh/id_ed25519_sk",
        ]);
        if at(10, 5) {
            ids.push("~/.ssh/id_mldsa44_ed25519");
        }
        if !at(10, 1) {
            ids.push("~/.ssh/id_xmss");
            if at(8, 9) && dsa {
                ids.push("~/.ssh/id_dsa");
            }
        }
        Defaults {
            ciphers: Cow::Borrowed(if at(10, 0) {
                alg::DEF_CIPHERS_10_0
            } else {
                alg::DEF_CIPHERS
            }),
            macs: Cow::Borrowed(alg::DEF_MACS),
            kex: Cow::Borrowed(kex),
            host_keys: Cow::Borrowed(if at(10, 3) {
                alg::DEF_HOSTKEY_10_3
            } else if at(8, 8) {
                alg::DEF_HOSTKEY
            } else {
                alg::DEF_HOSTKEY_8_7
            }),
            ca_signatures: Cow::Borrowed(if at(10, 3) {
                alg::DEF_CASIG_10_3
            } else {
                alg::DEF_CASIG
            }),
            identity_files: ids.into_iter().map(Cow::Borrowed).collect(),
            ipqos: Cow::Borrowed(if at(10, 1) { "ef cs0" } else { "af21 cs1" }),
            security_key_provider: Cow::Borrowed("$SSH_SK_PROVIDER"),
            forward_x11_trusted: Cow::Borrowed("no"),
            xauth: Cow::Borrowed("/usr/bin/xauth"),
            gss_kex: Cow::Borrowed(alg::DEF_GSSKEX),
            kex_names: alg::kex_names(r, at(9, 9)),
            key_names: alg::key_names(r, dsa),
        }
    }
}

/// A build as the matrix builds it: OpenSSL, `/etc/ssh`, no GSSAPI.
fn upstream_build() -> Build {
    Build {
        crypto: "OpenSSL".into(),
        openssl: true,
        sysconfdir: PathBuf::from("/etc/ssh"),
        gssapi: Gssapi::No,
        debian_patches: false,
        apple_patches: false,
        dsa: false,
    }
}

/// What one of Debian 12's security updates brought from a later release.
#[derive(Debug, Clone, Copy)]
enum Backport {
    /// 9.6's checks of command-line host and user names (CVE-2023-51385).
    NameChecks96,
    /// `sntrup761x25519-sha512` without its `@openssh.com` suffix.
    SntrupName,
    /// 10.1's user rules (CVE-2025-61984): control characters refused,
    /// command-line users checked after the files, `-o User` not.
    UserRules101,
    /// 10.1's refusal of `%00` in `ssh://` (CVE-2025-61985).
    UriNul101,
    /// 10.3's user check before the files (CVE-2026-35386).
    EarlyUserCheck103,
    /// 10.3's ProxyJump commit: the comma ban, checked `-J` hops, the
    /// first of ProxyJump and ProxyCommand wins (not its blank trimming).
    ProxyJump103,
}

/// Debian 12's updates that change what `ssh -G` does, by revision
/// (`2+deb12uN`), from the changelogs of the packages.
const DEBIAN_12: &[(u32, Backport)] = &[
    (2, Backport::NameChecks96),
    (4, Backport::SntrupName),
    (8, Backport::UserRules101),
    (8, Backport::UriNul101),
    (10, Backport::EarlyUserCheck103),
    (10, Backport::ProxyJump103),
];

impl Backport {
    fn apply(self, p: &mut Profile) {
        let r = &mut p.rules;
        match self {
            Backport::NameChecks96 => {
                r.host_check = HostCheck::Metachars;
                r.early_user_check = true;
            }
            Backport::SntrupName => {
                p.defaults.kex = Cow::Borrowed(alg::DEF_KEX_DEBIAN_12);
                p.defaults.kex_names = alg::kex_names(p.release, true);
            }
            Backport::UserRules101 => {
                r.early_user_check = false;
                r.late_user_check = LateUserCheck::CommandLineOrExpanded;
                r.user_control_chars = true;
            }
            Backport::UriNul101 => r.uri_nul_refused = true,
            Backport::EarlyUserCheck103 => r.early_user_check = true,
            Backport::ProxyJump103 => {
                r.host_check = HostCheck::Comma;
                r.jump_names_checked = true;
                r.proxy_first_match = true;
            }
        }
    }
}

impl Profile {
    /// Upstream's release `r` as the matrix builds it.
    pub fn upstream(r: Release) -> Profile {
        let basis = if TESTED.contains(&r) {
            Basis::Modelled { tested: true }
        } else if r > NEWEST {
            Basis::Newer { modelled: NEWEST }
        } else {
            Basis::Interpolated
        };
        let modelled = r.min(NEWEST);
        let dsa = upstream_dsa(modelled);
        Profile {
            version: format!("OpenSSH_{r}"),
            release: r,
            vendor: Vendor::Upstream,
            build: Build {
                dsa,
                ..upstream_build()
            },
            rules: Rules::upstream(modelled),
            defaults: Defaults::upstream(modelled, dsa),
            basis,
            name: r.to_string(),
        }
    }

    /// Upstream's newest modelled release.
    pub fn newest() -> Profile {
        Profile::upstream(NEWEST)
    }

    /// Debian's patches on upstream's `r` (revision `revision`): GSSAPI key
    /// exchange, the BatchMode keepalive, `LogLevel SILENT`,
    /// `ForwardX11Trusted yes`, `IPQoS lowdelay throughput`, the built-in
    /// security key provider.
    fn debian_on(r: Release, vendor: Vendor) -> Profile {
        let mut p = Profile::upstream(r);
        p.build.gssapi = Gssapi::KeyExchange;
        p.build.debian_patches = true;
        p.defaults.ipqos = Cow::Borrowed(if r.at_least(10, 2) {
            "ef cs0"
        } else {
            "lowdelay throughput"
        });
        p.defaults.security_key_provider = Cow::Borrowed("internal");
        p.defaults.forward_x11_trusted = Cow::Borrowed("yes");
        let (label, revision) = match &vendor {
            Vendor::Ubuntu(rev) => ("Ubuntu", rev.clone()),
            Vendor::Debian(rev) => ("Debian", rev.clone()),
            _ => ("Debian", String::new()),
        };
        p.version = format!("OpenSSH_{r} {label}-{revision}");
        p.name = format!("{r}-{}-{revision}", label.to_ascii_lowercase());
        p.vendor = vendor;
        p.basis = Basis::Interpolated;
        p
    }

    /// Debian 12's `9.2p1-2+deb12uN`.
    pub fn debian12(n: u32) -> Profile {
        let r = Release::new(9, 2, 1);
        let mut p = Profile::debian_on(r, Vendor::Debian(format!("2+deb12u{n}")));
        for (_, b) in DEBIAN_12.iter().filter(|(since, _)| *since <= n) {
            b.apply(&mut p);
        }
        p.name = format!("{r}-debian-deb12u{n}");
        p.basis = if DEBIAN_12_TESTED.contains(&n) {
            Basis::Modelled { tested: true }
        } else {
            Basis::Modelled { tested: false }
        };
        p
    }

    /// Another Debian or Ubuntu package of upstream's `r`: Debian's
    /// standing patches; its backports are for probes to find.
    pub(crate) fn debian_package(r: Release, vendor: Vendor) -> Profile {
        Profile::debian_on(r.min(NEWEST), vendor)
    }

    /// Apple's build of `r`, if modelled (from Apple's published source:
    /// the Keychain, proxy and multipath keywords, GSSAPI, LibreSSL, DSA
    /// keys until 10.0).
    pub fn apple(r: Release) -> Option<Profile> {
        if !APPLE.contains(&r) {
            return None;
        }
        let dsa = !r.at_least(10, 0);
        let mut p = Profile::upstream(r);
        p.build = Build {
            crypto: "LibreSSL 3.3.6".into(),
            gssapi: Gssapi::Plain,
            apple_patches: true,
            dsa,
            ..upstream_build()
        };
        p.defaults = Defaults::upstream(r, dsa);
        p.defaults.xauth = Cow::Borrowed("/usr/X11R6/bin/xauth");
        p.vendor = Vendor::Apple;
        p.basis = Basis::Modelled { tested: false };
        p.name = format!("{r}-apple");
        Some(p)
    }

    /// MSYS2's build of 10.3p1, which Git for Windows bundles: upstream
    /// with Kerberos (two GSSAPI keywords) and the built-in security key
    /// provider.
    pub fn msys() -> Profile {
        let mut p = Profile::upstream(MSYS);
        p.build.gssapi = Gssapi::Plain;
        p.defaults.security_key_provider = Cow::Borrowed("internal");
        p.vendor = Vendor::Msys;
        p.basis = Basis::Modelled { tested: false };
        p.name = format!("{MSYS}-msys");
        p
    }

    /// Every modelled profile, in the order `--profiles` lists them.
    pub fn modelled() -> Vec<Profile> {
        let mut v: Vec<Profile> = TESTED.iter().map(|r| Profile::upstream(*r)).collect();
        v.extend((6..=DEBIAN_12_NEWEST).map(Profile::debian12));
        v.extend(APPLE.iter().filter_map(|r| Profile::apple(*r)));
        v.push(Profile::msys());
        v
    }

    /// The profile `--profile` names: a modelled name (`10.5p1`,
    /// `9.2p1-debian-deb12u10`, `9.9p1-apple`, `10.3p1-msys`), another
    /// upstream release between the modelled ones (from the release
    /// notes), or an `ssh -V` banner.
    pub fn named(name: &str) -> Result<Profile, ProfileError> {
        let lower = name.trim().to_ascii_lowercase();
        if let Some(p) = Profile::modelled().into_iter().find(|p| p.name == lower) {
            return Ok(p);
        }
        if lower.starts_with("openssh") {
            return super::detect::from_banner(name.trim())
                .ok_or_else(|| ProfileError::Unknown(name.to_string()));
        }
        let (rel, rest) = lower.split_once('-').unwrap_or((&lower, ""));
        let r = Release::parse(rel).ok_or_else(|| ProfileError::Unknown(name.to_string()))?;
        if r < OLDEST {
            return Err(ProfileError::TooOld(r));
        }
        let deb = |rev: &str| {
            rev.strip_prefix("deb12u")
                .and_then(|n| n.parse::<u32>().ok())
        };
        match rest.split_once('-').unwrap_or((rest, "")) {
            ("", _) | ("upstream", "") => Ok(Profile::upstream(r)),
            ("debian", rev) if r == Release::new(9, 2, 1) => match deb(rev) {
                Some(n) if n <= DEBIAN_12_NEWEST => Ok(Profile::debian12(n)),
                _ => Err(ProfileError::Unknown(name.to_string())),
            },
            ("apple", "") => Profile::apple(r).ok_or_else(|| ProfileError::Unknown(name.into())),
            ("msys" | "git-for-windows", "") if r == MSYS => Ok(Profile::msys()),
            _ => Err(ProfileError::Unknown(name.to_string())),
        }
    }
}

/// A profile name that names nothing modelled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProfileError {
    /// Not a name of a modelled profile.
    #[error("no ssh profile named {0:?} (pushguard resolve --profiles lists them)")]
    Unknown(String),
    /// Older than anything modelled.
    #[error("OpenSSH {0} is older than anything modelled ({OLDEST} is the oldest)")]
    TooOld(Release),
}

impl fmt::Display for Basis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Basis::Modelled { tested: true } => f.write_str("tested against a real build"),
            Basis::Modelled { tested: false } => f.write_str("modelled from published source"),
            Basis::Interpolated => f.write_str("modelled from the release notes"),
            Basis::Probed { from, .. } => write!(f, "probed, from {from}"),
            Basis::Newer { modelled } => write!(f, "newer than modelled; as {modelled}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases_parse_print_and_order() {
        let r = Release::parse("9.2p1").unwrap();
        assert_eq!(r.to_string(), "9.2p1");
        assert!(Release::parse("9.9p2").unwrap() > Release::parse("9.9p1").unwrap());
        assert!(Release::parse("10.0p1").unwrap() > Release::parse("9.9p2").unwrap());
        assert_eq!(Release::parse("9.8"), Release::parse("9.8p1"));
        assert!(Release::parse("x").is_none());
        assert!(Release::new(9, 9, 2).at_least(9, 9));
        assert!(!Release::new(9, 9, 2).at_least(10, 0));
    }

    #[test]
    fn debian_backports_are_data() {
        let u10 = Profile::debian12(10);
        assert_eq!(u10.version, "OpenSSH_9.2p1 Debian-2+deb12u10");
        assert_eq!(u10.rules.host_check, HostCheck::Comma);
        assert!(u10.rules.proxy_first_match);
        assert_eq!(u10.rules.time, TimeGrammar::Strtol);
        assert!(!u10.rules.jump_keeps_blanks);
        let u9 = Profile::debian12(9);
        assert_eq!(u9.rules.host_check, HostCheck::Metachars);
        assert!(!u9.rules.early_user_check && u9.rules.user_control_chars);
        let u6 = Profile::debian12(6);
        assert!(u6.rules.early_user_check && !u6.rules.user_control_chars);
        assert_eq!(u6.rules, Profile::debian12(7).rules);
        assert!(u6.defaults.kex.starts_with("sntrup761x25519-sha512,"));
    }

    #[test]
    fn names_find_profiles() {
        for p in Profile::modelled() {
            assert_eq!(Profile::named(&p.name).unwrap(), p, "{}", p.name);
        }
        assert_eq!(
            Profile::named("9.2p1-debian-deb12u10").unwrap().version,
            "OpenSSH_9.2p1 Debian-2+deb12u10"
        );
        assert_eq!(Profile::named("9.8p1").unwrap().basis, Basis::Interpolated);
        assert!(matches!(
            Profile::named("11.0p1").unwrap().basis,
            Basis::Newer { .. }
        ));
        assert!(matches!(
            Profile::named("7.4p1"),
            Err(ProfileError::TooOld(_))
        ));
        assert!(Profile::named("9.2p1-debian-deb12u99").is_err());
        assert!(Profile::named("bogus").is_err());
        assert_eq!(
            Profile::named("OpenSSH_9.2p1 Debian-2+deb12u9").unwrap(),
            Profile::debian12(9)
        );
    }

    #[test]
    fn upstream_rules_date_each_change() {
        let r = |s| Rules::upstream(Release::parse(s).unwrap());
        assert_eq!(r("9.6p1").time, TimeGrammar::Strtol);
        assert_eq!(r("9.9p2").time, TimeGrammar::Digits);
        assert_eq!(r("10.3p1").time, TimeGrammar::Fractional);
        assert_eq!(r("9.9p1").match_words, MatchWords::Argv);
        assert_eq!(r("9.9p2").match_words, MatchWords::ArgvKeyValue);
        assert!(r("10.0p2").negated_final_pass && !r("10.3p1").negated_final_pass);
        assert!(r("9.6p1").early_user_check && !r("10.0p2").early_user_check);
        assert!(r("10.3p1").early_user_check);
        assert_eq!(r("10.0p2").late_user_check, LateUserCheck::Every);
    }
}
