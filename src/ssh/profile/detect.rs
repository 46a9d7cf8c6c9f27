//! The profile of an ssh program: its `ssh -V` banner names a modelled
//! build, or the nearest one; a build the banner does not settle (no
//! vendor suffix, an unknown suffix or revision, a release between or
//! after the modelled ones) is checked with `ssh -G -F none` (its default
//! table) and, when that or the banner leaves doubt, settled with the
//! [`PROBES`].
//!
//! - [`Profile::detect`]: the profile of a program, cached in memory for
//!   the run by path, size and modification time (nothing is written).
//! - [`PROBES`]: one-off `ssh -G -F /dev/stdin` runs, each settling one
//!   behaviour. They never connect, never run a command (no `Match exec`;
//!   a ProxyCommand is only printed) and read no file but their stdin.
//! - [`Profile::divergences`]: which probes a program answers otherwise
//!   than the profile predicts (the tests name a surprise by them).

use std::borrow::Cow;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use super::probes::{predict, run_probe, settle};
use super::releases::{DEBIAN_12_NEWEST, OLDEST, TESTED};
use super::{Basis, Gssapi, Profile, Release, Vendor};
use crate::platform::SshBuild;
use crate::process::{ProcessBuilder, ProcessError};

/// How long one run of the ssh program may take.
pub(crate) const LIMIT: Duration = Duration::from_secs(5);

/// Why a program's profile could not be told.
#[derive(Debug, thiserror::Error)]
pub enum DetectError {
    /// `ssh -V` did not run.
    #[error("cannot run {program} -V: {source}")]
    Run {
        /// The program.
        program: String,
        /// Why.
        source: ProcessError,
    },
    /// The banner is not OpenSSH's.
    #[error("{program} -V does not print an OpenSSH banner ({banner:?})")]
    NotOpenSsh {
        /// The program.
        program: String,
        /// What it printed.
        banner: String,
    },
    /// A release older than anything modelled.
    #[error("{0} is older than anything modelled ({OLDEST} is the oldest)")]
    TooOld(String),
}

/// How sure a banner alone makes us.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Certainty {
    /// A modelled build: nothing to run.
    Exact,
    /// No vendor suffix: upstream, Red Hat, Apple and MSYS2 print the same;
    /// the default table tells.
    Ambiguous,
    /// Not modelled: the default table and the probes tell.
    Unknown,
}

/// The parts of a banner: `OpenSSH_9.2p1 Debian-2+deb12u10, OpenSSL 3.0.19`.
struct Banner<'a> {
    /// Before the comma (`Match version` matches it).
    version: &'a str,
    /// The release number.
    release: Release,
    /// The vendor suffix (`Debian-2+deb12u10`), if any.
    suffix: Option<&'a str>,
    /// After the comma.
    crypto: &'a str,
}

fn parse_banner(banner: &str) -> Option<Banner<'_>> {
    let line = banner.lines().find(|l| l.starts_with("OpenSSH"))?.trim();
    let (version, crypto) = line.split_once(", ").unwrap_or((line, ""));
    let rest = version.strip_prefix("OpenSSH_")?;
    let rest = rest.strip_prefix("for_Windows_").unwrap_or(rest);
    let (num, suffix) = match rest.split_once(' ') {
        Some((n, s)) => (n, Some(s.trim())),
        None => (rest, None),
    };
    Some(Banner {
        version,
        release: Release::parse(num)?,
        suffix,
        crypto,
    })
}

/// The profile a banner names, without running anything: a modelled
/// build, or the nearest one (its caveat says so).
pub(crate) fn from_banner(banner: &str) -> Option<Profile> {
    base_of(banner).map(|(p, _)| p)
}

/// The profile a banner names and how sure that is.
fn base_of(banner: &str) -> Option<(Profile, Certainty)> {
    let b = parse_banner(banner)?;
    if b.release < OLDEST {
        return None;
    }
    let deb12 = |suffix: &str| -> Option<u32> {
        suffix
            .strip_prefix("Debian-2+deb12u")
            .and_then(|n| n.parse().ok())
    };
    let (mut p, certainty) = match b.suffix {
        Some(s) if b.release == Release::new(9, 2, 1) && deb12(s).is_some() => {
            let n = deb12(s).unwrap_or(0);
            match n <= DEBIAN_12_NEWEST {
                true => (Profile::debian12(n), Certainty::Exact),
                false => (Profile::debian12(DEBIAN_12_NEWEST), Certainty::Unknown),
            }
        }
        Some(s) if s.starts_with("Debian-") || s.starts_with("Ubuntu-") => {
            let (label, rev) = s.split_once('-').unwrap_or((s, ""));
            let vendor = match label {
                "Ubuntu" => Vendor::Ubuntu(rev.to_string()),
                _ => Vendor::Debian(rev.to_string()),
            };
            (
                Profile::debian_package(b.release, vendor),
                Certainty::Unknown,
            )
        }
        Some(s) => {
            let mut p = Profile::upstream(b.release);
            p.vendor = Vendor::Other(s.to_string());
            (p, Certainty::Unknown)
        }
        None if b.crypto.starts_with("LibreSSL") && Profile::apple(b.release).is_some() => (
            Profile::apple(b.release).unwrap_or_else(|| Profile::upstream(b.release)),
            Certainty::Ambiguous,
        ),
        None if TESTED.contains(&b.release) => (Profile::upstream(b.release), Certainty::Ambiguous),
        None => (Profile::upstream(b.release), Certainty::Unknown),
    };
    p.version = b.version.to_string();
    if !b.crypto.is_empty() {
        p.build.crypto = b.crypto.to_string();
        p.build.openssl = b.crypto.contains("SSL");
    }
    if certainty == Certainty::Unknown && !matches!(p.basis, Basis::Newer { .. }) {
        p.basis = Basis::Probed {
            from: p.name.clone(),
            found: Vec::new(),
        };
    }
    Some((p, certainty))
}

/// Profiles detected in this run, by program file, size and mtime.
type Cache = Mutex<Vec<(PathBuf, u64, Option<SystemTime>, Arc<Profile>)>>;
static DETECTED: Cache = Mutex::new(Vec::new());

impl Profile {
    /// The profile an `ssh -V` banner names, without running anything (a
    /// build not modelled is its nearest profile); `None` for a banner
    /// that is not OpenSSH's or is older than 8.7.
    pub fn of_banner(banner: &str) -> Option<Profile> {
        from_banner(banner)
    }

    /// The profile of the ssh `program` (a path, or a name looked up on
    /// `PATH`): `ssh -V`, then for a build the banner does not settle its
    /// default table and the probes. Cached in memory for this run.
    pub fn detect(program: impl AsRef<OsStr>) -> Result<Profile, DetectError> {
        let program = program.as_ref();
        let file = locate(program);
        let stamp = file
            .as_ref()
            .and_then(|f| std::fs::metadata(f).ok())
            .map(|m| (m.len(), m.modified().ok()));
        let cached = |cache: &[(PathBuf, u64, Option<SystemTime>, Arc<Profile>)]| {
            let (f, (len, mtime)) = (file.as_ref()?, stamp?);
            cache
                .iter()
                .find(|(p, l, m, _)| p == f && *l == len && *m == mtime)
                .map(|(_, _, _, prof)| Profile::clone(prof))
        };
        let lock = || DETECTED.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(p) = cached(&lock()) {
            return Ok(p);
        }
        let p = detect_uncached(program, file.as_deref())?;
        if let (Some(f), Some((len, mtime))) = (file, stamp) {
            lock().push((f, len, mtime, Arc::new(p.clone())));
        }
        Ok(p)
    }

    /// This profile settled against `program` as for a build not modelled:
    /// its default table learnt from `ssh -G -F none`, each behaviour the
    /// [`PROBES`] test settled; the basis lists what changed.
    pub fn settled(mut self, program: &OsStr) -> Profile {
        let from = self.name.clone();
        let mut found = Vec::new();
        learn_defaults(program, &mut self, &mut found);
        settle(program, &mut self, &mut found);
        recheck_defaults(program, &self, &mut found);
        self.basis = Basis::Probed { from, found };
        self
    }
}

/// The program file a name runs: a path as given, else the first on
/// `PATH`.
fn locate(program: &OsStr) -> Option<PathBuf> {
    let p = Path::new(program);
    if p.components().count() > 1 {
        return Some(p.to_path_buf());
    }
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .map(|d| d.join(p))
        .find(|f| f.is_file())
}

/// The directory of the system file of the build at `file`, where the
/// place it really lives (every link resolved) decides it: Homebrew's
/// prefix (`platform::SshBuild::for_unix_program`). `None`: the profile's.
fn sysconfdir_of(file: &Path) -> Option<PathBuf> {
    let real = std::fs::canonicalize(file).ok()?;
    match SshBuild::for_unix_program(&real)? {
        SshBuild::Unix { sysconfdir } => Some(sysconfdir),
        _ => None,
    }
}

/// The profile of `program` (at `file`, when it was found).
fn detect_uncached(program: &OsStr, file: Option<&Path>) -> Result<Profile, DetectError> {
    let name = program.to_string_lossy().into_owned();
    let out = ProcessBuilder::new(program)
        .arg("-V")
        .timeout(LIMIT)
        .output()
        .map_err(|source| DetectError::Run {
            program: name.clone(),
            source,
        })?;
    let text =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    let Some((mut p, certainty)) = base_of(&text) else {
        let banner = text.trim().to_string();
        return Err(match parse_banner(&banner) {
            Some(b) => DetectError::TooOld(b.version.to_string()),
            None => DetectError::NotOpenSsh {
                program: name,
                banner,
            },
        });
    };
    if let Some(dir) = file.and_then(sysconfdir_of) {
        p.build.sysconfdir = dir;
    }
    if certainty == Certainty::Exact {
        return Ok(p);
    }
    let mut found = Vec::new();
    let defaults_fit = learn_defaults(program, &mut p, &mut found);
    if certainty == Certainty::Ambiguous && defaults_fit {
        return Ok(p);
    }
    let from = match &p.basis {
        Basis::Probed { from, .. } => from.clone(),
        _ => p.name.clone(),
    };
    settle(program, &mut p, &mut found);
    recheck_defaults(program, &p, &mut found);
    if !matches!(p.basis, Basis::Newer { .. }) {
        p.basis = Basis::Probed { from, found };
    }
    Ok(p)
}

/// Learns the compiled-in defaults from `ssh -G -F none x`: whether they
/// fit `p` already, after which `p` has the ones ssh printed.
fn learn_defaults(program: &OsStr, p: &mut Profile, found: &mut Vec<String>) -> bool {
    let real = run_probe(program, "", &["x"]);
    if !real.ok {
        found.push(format!("ssh -G -F none x fails: {}", real.stderr.trim()));
        return false;
    }
    if predict(p, "", &["x"]).stdout == real.stdout {
        return true;
    }
    let dump = crate::ssh::Effective::from_dump(&real.stdout);
    let one = |k: &str| dump.get(k).map(|v| Cow::Owned(v.value.clone()));
    let d = &mut p.defaults;
    let mut set = |slot: &mut Cow<'static, str>, key: &str| {
        if let Some(v) = one(key)
            && *slot != v
        {
            found.push(format!("default {key} {v}"));
            *slot = v;
        }
    };
    set(&mut d.ciphers, "ciphers");
    set(&mut d.macs, "macs");
    set(&mut d.kex, "kexalgorithms");
    set(&mut d.host_keys, "hostkeyalgorithms");
    set(&mut d.ca_signatures, "casignaturealgorithms");
    set(&mut d.ipqos, "ipqos");
    set(&mut d.security_key_provider, "securitykeyprovider");
    set(&mut d.forward_x11_trusted, "forwardx11trusted");
    set(&mut d.xauth, "xauthlocation");
    set(&mut d.gss_kex, "gssapikexalgorithms");
    // A name in a default list is one the build knows.
    let learn = |known: &mut Vec<&'static str>, list: &str| {
        for name in list.split(',') {
            if let Some(n) = all_names().iter().find(|n| **n == name)
                && !known.contains(n)
            {
                known.push(n);
            }
        }
    };
    let kex = d.kex.to_string();
    learn(&mut d.kex_names, &kex);
    let keys = format!("{},{}", d.host_keys, d.ca_signatures);
    learn(&mut d.key_names, &keys);
    let ids: Vec<Cow<'static, str>> = dump
        .get_all("identityfile")
        .iter()
        .map(|v| Cow::Owned(v.value.clone()))
        .collect();
    if !ids.is_empty() && ids != d.identity_files {
        found.push("default identity files".into());
        d.identity_files = ids;
    }
    p.build.gssapi = if dump.get("gssapikexalgorithms").is_some() {
        Gssapi::KeyExchange
    } else if dump.get("gssapiauthentication").is_some() {
        Gssapi::Plain
    } else {
        Gssapi::No
    };
    p.build.apple_patches = dump.get("applemultipath").is_some();
    // What every dump shows of the rules: the host line (9.2), the CNAME
    // rules line (8.9), PubkeyAuthentication as a multistate (8.9).
    p.rules.host_line = dump.get("host").is_some();
    p.rules.cnames_none = dump.get("canonicalizePermittedcnames").is_some();
    p.rules.pubkey_multistate = dump
        .get("pubkeyauthentication")
        .is_none_or(|v| v.value != "yes");
    false
}

/// Every algorithm name of any release modelled.
fn all_names() -> Vec<&'static str> {
    let newest = super::releases::NEWEST;
    let mut v = crate::ssh::algorithms::kex_names(newest, true);
    v.extend(crate::ssh::algorithms::key_names(newest, true));
    v
}

/// Notes in `found` when the default table still differs after the probes.
fn recheck_defaults(program: &OsStr, p: &Profile, found: &mut Vec<String>) {
    let real = run_probe(program, "", &["x"]);
    let mine = predict(p, "", &["x"]);
    if real.ok && mine.stdout != real.stdout {
        let theirs: Vec<&str> = real.stdout.lines().collect();
        let keys: Vec<&str> = mine
            .stdout
            .lines()
            .filter(|l| !theirs.contains(l))
            .filter_map(|l| l.split(' ').next())
            .collect();
        found.push(format!(
            "the default table still differs: {}",
            keys.join(", ")
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // A Homebrew prefix as `brew install openssh` leaves it: the program in
    // its keg, linked from bin/ and opt/ (Homebrew/brew keg.rb,
    // `Keg#link`, `Keg#optlink`).
    #[cfg(unix)]
    #[test]
    fn a_program_in_a_cellar_reads_its_prefix_etc() {
        use std::os::unix::fs::symlink;
        let tmp = tempfile::tempdir().unwrap();
        let prefix = tmp.path().join("homebrew");
        let keg = prefix.join("Cellar/openssh/10.0p2");
        std::fs::create_dir_all(keg.join("bin")).unwrap();
        std::fs::create_dir_all(prefix.join("bin")).unwrap();
        std::fs::create_dir_all(prefix.join("opt")).unwrap();
        std::fs::write(keg.join("bin/ssh"), "").unwrap();
        symlink("../Cellar/openssh/10.0p2/bin/ssh", prefix.join("bin/ssh")).unwrap();
        symlink("../Cellar/openssh/10.0p2", prefix.join("opt/openssh")).unwrap();
        let real_prefix = std::fs::canonicalize(&prefix).unwrap();
        let want = Some(real_prefix.join("etc").join("ssh"));
        for program in [
            "bin/ssh",
            "opt/openssh/bin/ssh",
            "Cellar/openssh/10.0p2/bin/ssh",
        ] {
            assert_eq!(sysconfdir_of(&prefix.join(program)), want, "{program}");
        }
        // A copy outside the Cellar, a link elsewhere, nothing there.
        std::fs::write(tmp.path().join("ssh"), "").unwrap();
        symlink("/usr/bin/ssh", tmp.path().join("system-ssh")).unwrap();
        for other in ["ssh", "system-ssh", "missing"] {
            assert_eq!(sysconfdir_of(&tmp.path().join(other)), None, "{other}");
        }
    }

    #[test]
    fn banners_name_profiles() {
        let (p, c) =
            base_of("OpenSSH_9.2p1 Debian-2+deb12u10, OpenSSL 3.0.19 27 Jan 2026").unwrap();
        assert_eq!(
            (p.name.as_str(), c),
            ("9.2p1-debian-deb12u10", Certainty::Exact)
        );
        assert_eq!(p.version, "OpenSSH_9.2p1 Debian-2+deb12u10");
        let (p, c) = base_of("OpenSSH_10.5p1, OpenSSL 3.0.19 27 Jan 2026").unwrap();
        assert_eq!((p.name.as_str(), c), ("10.5p1", Certainty::Ambiguous));
        let (p, c) = base_of("OpenSSH_9.9p1, LibreSSL 3.3.6").unwrap();
        assert_eq!((p.name.as_str(), c), ("9.9p1-apple", Certainty::Ambiguous));
        let (p, c) = base_of("OpenSSH_9.6p1 Ubuntu-3ubuntu13.5, OpenSSL 3.0.13").unwrap();
        assert_eq!(c, Certainty::Unknown);
        assert_eq!(p.vendor, Vendor::Ubuntu("3ubuntu13.5".into()));
        assert_eq!(p.version, "OpenSSH_9.6p1 Ubuntu-3ubuntu13.5");
        let (p, c) = base_of("OpenSSH_9.2p1 Debian-2+deb12u11, OpenSSL 3").unwrap();
        assert_eq!(
            (p.name.as_str(), c),
            ("9.2p1-debian-deb12u10", Certainty::Unknown)
        );
        assert_eq!(p.version, "OpenSSH_9.2p1 Debian-2+deb12u11");
        let (p, _) = base_of("OpenSSH_11.0p1, OpenSSL 3").unwrap();
        assert!(matches!(p.basis, Basis::Newer { .. }));
        assert!(base_of("OpenSSH_7.4p1, OpenSSL 1.0").is_none());
        assert!(base_of("PuTTY 0.78").is_none());
        assert_eq!(super::super::releases::NEWEST, Release::new(10, 5, 1));
    }
}
