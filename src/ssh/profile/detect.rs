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
//!
//! A probe is settled by simulation: the builtin resolver answers it under
//! each candidate value of the behaviour, and the value whose answer is
//! the real one's is taken. Not probed (taken from the release): whether
//! `Match !final` asks for the final pass, which needs a config read twice
//! (a probe's config is a pipe, read once), and the wording of `-o Match`.

use std::borrow::Cow;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use super::releases::{DEBIAN_12_NEWEST, OLDEST, TESTED};
use super::{
    Basis, Gssapi, HostCheck, IpQosNumbers, LateUserCheck, MatchCriteria, MatchWords, Profile,
    Release, Rules, TimeGrammar, UserExpansion, Vendor,
};
use crate::process::{ProcessBuilder, ProcessError};
use crate::ssh::{ExecPolicy, ResolveEnv, ResolveRequest, resolve};

/// How long one run of the ssh program may take.
const LIMIT: Duration = Duration::from_secs(5);

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
        let p = detect_uncached(program)?;
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

    /// The probes `program` answers otherwise than this profile predicts,
    /// each with the value of its behaviour that would explain the answer
    /// (none when no value does).
    pub fn divergences(&self, program: &OsStr) -> Vec<Divergence> {
        let answers = run_all(program, PROBES);
        PROBES
            .iter()
            .zip(answers)
            .filter_map(|(probe, real)| {
                if probe.agrees(self, &real) {
                    return None;
                }
                let explained_by = (probe.candidates)(self)
                    .into_iter()
                    .find(|(_, c)| probe.agrees(c, &real))
                    .map(|(label, _)| label);
                Some(Divergence {
                    probe,
                    real,
                    explained_by,
                })
            })
            .collect()
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

fn detect_uncached(program: &OsStr) -> Result<Profile, DetectError> {
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

/// What one run of ssh said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// Exit status 0.
    pub ok: bool,
    /// stdout (the dump).
    pub stdout: String,
    /// stderr.
    pub stderr: String,
}

/// Runs `program -G -F /dev/stdin args…` with `config` on stdin.
fn run_probe(program: &OsStr, config: &str, args: &[&str]) -> Answer {
    let mut b = ProcessBuilder::new(program);
    b.arg("-G")
        .arg("-F")
        .arg(if config.is_empty() {
            "none"
        } else {
            "/dev/stdin"
        })
        .args(args)
        .stdin(config.as_bytes().to_vec())
        .timeout(LIMIT);
    match b.output() {
        Ok(o) => Answer {
            ok: o.status.success(),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        },
        Err(e) => Answer {
            ok: false,
            stdout: String::new(),
            stderr: e.to_string(),
        },
    }
}

/// What the builtin resolver answers for one probe run under `profile`.
fn predict(profile: &Profile, config: &str, args: &[&str]) -> Answer {
    let mut env = ResolveEnv::current(profile.clone(), ExecPolicy::Unknown);
    let mut argv: Vec<String> = vec!["-F".into()];
    if config.is_empty() {
        argv.push("none".into());
    } else {
        argv.push("/dev/stdin".into());
        env.stdin_config = Some(Arc::from(config));
    }
    argv.extend(args.iter().map(|s| s.to_string()));
    match ResolveRequest::from_ssh_args(&argv).and_then(|r| resolve(&r, &env)) {
        Ok(r) => Answer {
            ok: true,
            stdout: r.dump(),
            stderr: String::new(),
        },
        Err(e) => Answer {
            ok: false,
            stdout: String::new(),
            stderr: e.to_string(),
        },
    }
}

/// A one-off `ssh -G` that settles one behaviour: one or more runs, each a
/// config read from stdin (`-F /dev/stdin`; none when empty) and
/// arguments (the destination last).
pub struct Probe {
    /// The behaviour it settles.
    pub behaviour: &'static str,
    /// Its runs: config text and arguments.
    pub runs: &'static [(&'static str, &'static [&'static str])],
    /// Whether ssh's message tells the answer (not only accept or reject).
    pub by_message: bool,
    /// The profiles that differ only in this behaviour, with their labels.
    candidates: fn(&Profile) -> Vec<(String, Profile)>,
}

impl Probe {
    /// Whether `profile` predicts the real answers of every run.
    fn agrees(&self, profile: &Profile, real: &[Answer]) -> bool {
        self.runs.iter().zip(real).all(|((config, args), real)| {
            let mine = predict(profile, config, args);
            match (mine.ok, real.ok) {
                (true, true) => mine.stdout == real.stdout,
                (false, false) => !self.by_message || real.stderr.contains(mine.stderr.trim()),
                _ => false,
            }
        })
    }

    /// The command lines of its runs, for reports.
    pub fn describe(&self) -> String {
        self.runs
            .iter()
            .map(|(config, args)| {
                let args = args
                    .iter()
                    .map(|a| crate::process::sh_quote(a))
                    .collect::<Vec<_>>()
                    .join(" ");
                match config.is_empty() {
                    true => format!("ssh -G -F none {args}"),
                    false => format!(
                        "printf {} | ssh -G -F /dev/stdin {args}",
                        crate::process::sh_quote(config)
                    ),
                }
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// A probe answered otherwise than a profile predicts.
pub struct Divergence {
    /// The probe.
    pub probe: &'static Probe,
    /// What ssh answered, per run.
    pub real: Vec<Answer>,
    /// The value of the behaviour that explains it, if one does.
    pub explained_by: Option<String>,
}

impl std::fmt::Display for Divergence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} ({})",
            self.probe.behaviour,
            match &self.explained_by {
                Some(v) => format!("behaves as {v}"),
                None => "no modelled value explains the answer".into(),
            },
            self.probe.describe()
        )
    }
}

/// Variants of `p` with `set` applied for each of `values`.
fn vary<T: Copy + std::fmt::Debug>(
    p: &Profile,
    values: &[T],
    set: fn(&mut Profile, T),
) -> Vec<(String, Profile)> {
    values
        .iter()
        .map(|v| {
            let mut c = p.clone();
            set(&mut c, *v);
            (format!("{v:?}"), c)
        })
        .collect()
}

fn flag(p: &Profile, set: fn(&mut Rules, bool)) -> Vec<(String, Profile)> {
    [true, false]
        .iter()
        .map(|v| {
            let mut c = p.clone();
            set(&mut c.rules, *v);
            (v.to_string(), c)
        })
        .collect()
}

/// The probes, each settling one behaviour of [`Rules`] or of the build.
pub static PROBES: &[Probe] = &[
    Probe {
        behaviour: "host_check",
        runs: &[("", &["a,b"]), ("", &["a;b"])],
        by_message: false,
        candidates: |p| {
            vary(
                p,
                &[HostCheck::None, HostCheck::Metachars, HostCheck::Comma],
                |c, v| c.rules.host_check = v,
            )
        },
    },
    Probe {
        behaviour: "user_expansion",
        runs: &[("User a%%b\n", &["x"]), ("", &["-l", "a%%b", "x"])],
        by_message: false,
        candidates: |p| {
            vary(
                p,
                &[
                    UserExpansion::None,
                    UserExpansion::Every,
                    UserExpansion::NotCommandLine,
                ],
                |c, v| c.rules.user_expansion = v,
            )
        },
    },
    Probe {
        behaviour: "user checks (early, late, control characters)",
        runs: &[
            ("BogusOption x\n", &["-l", "a;b", "x"]),
            ("", &["-o", "User=a;b", "x"]),
            ("User a;b\n", &["x"]),
            ("", &["-l", "a\x01b", "x"]),
            ("User %h;x\n", &["x"]),
        ],
        by_message: true,
        candidates: |p| {
            let mut v = Vec::new();
            for early in [false, true] {
                for late in [
                    LateUserCheck::None,
                    LateUserCheck::Every,
                    LateUserCheck::CommandLineOrExpanded,
                ] {
                    for ctrl in [false, true] {
                        let mut c = p.clone();
                        c.rules.early_user_check = early;
                        c.rules.late_user_check = late;
                        c.rules.user_control_chars = ctrl;
                        v.push((
                            format!("early {early}, late {late:?}, control characters {ctrl}"),
                            c,
                        ));
                    }
                }
            }
            v
        },
    },
    Probe {
        behaviour: "jump_names_checked",
        runs: &[("", &["-J", "a;b", "x"])],
        by_message: false,
        candidates: |p| flag(p, |r, v| r.jump_names_checked = v),
    },
    Probe {
        behaviour: "proxy_first_match",
        runs: &[("ProxyJump none\nProxyCommand false\n", &["x"])],
        by_message: false,
        candidates: |p| flag(p, |r, v| r.proxy_first_match = v),
    },
    Probe {
        behaviour: "jump_keeps_blanks",
        runs: &[("ProxyJump j1 j2\n", &["x"])],
        by_message: false,
        candidates: |p| flag(p, |r, v| r.jump_keeps_blanks = v),
    },
    Probe {
        behaviour: "time",
        runs: &[
            ("ServerAliveInterval 1.5\n", &["x"]),
            ("ServerAliveInterval 30s30s\n", &["x"]),
            ("ServerAliveInterval +5\n", &["x"]),
        ],
        by_message: false,
        candidates: |p| {
            vary(
                p,
                &[
                    TimeGrammar::Strtol,
                    TimeGrammar::Digits,
                    TimeGrammar::Fractional,
                ],
                |c, v| c.rules.time = v,
            )
        },
    },
    Probe {
        behaviour: "match_words",
        runs: &[
            ("Match host 'x'\n Port 2\n", &["x"]),
            ("Match host=x\n Port 2\n", &["x"]),
        ],
        by_message: false,
        candidates: |p| {
            vary(
                p,
                &[
                    MatchWords::Strdelim,
                    MatchWords::Argv,
                    MatchWords::ArgvKeyValue,
                ],
                |c, v| c.rules.match_words = v,
            )
        },
    },
    Probe {
        behaviour: "match_criteria",
        runs: &[
            ("Match tagged *\n Port 2\n", &["x"]),
            ("Match version *\n Port 3\n", &["x"]),
        ],
        by_message: false,
        candidates: |p| {
            vary(
                p,
                &[
                    MatchCriteria::Classic,
                    MatchCriteria::Tagged,
                    MatchCriteria::Session,
                ],
                |c, v| c.rules.match_criteria = v,
            )
        },
    },
    Probe {
        behaviour: "include_expansion",
        runs: &[("Include /nonexistent/%Z\n", &["x"])],
        by_message: false,
        candidates: |p| flag(p, |r, v| r.include_expansion = v),
    },
    Probe {
        behaviour: "setenv_expansion",
        runs: &[("SetEnv A=%%\n", &["x"])],
        by_message: false,
        candidates: |p| flag(p, |r, v| r.setenv_expansion = v),
    },
    Probe {
        behaviour: "uri_nul_refused",
        runs: &[("", &["ssh://u%00x@h"])],
        by_message: false,
        candidates: |p| flag(p, |r, v| r.uri_nul_refused = v),
    },
    Probe {
        behaviour: "jump_token",
        runs: &[("ControlPath /tmp/%C\n", &["-J", "j", "x"])],
        by_message: false,
        candidates: |p| flag(p, |r, v| r.jump_token = v),
    },
    Probe {
        behaviour: "strict_algorithm_lists",
        runs: &[("Ciphers ,\n", &["x"])],
        by_message: false,
        candidates: |p| flag(p, |r, v| r.strict_algorithm_lists = v),
    },
    Probe {
        behaviour: "ipqos",
        runs: &[("IPQoS lowdelay\n", &["x"]), ("IPQoS 0x10\n", &["x"])],
        by_message: false,
        candidates: |p| {
            vary(
                p,
                &[
                    IpQosNumbers::Strtol,
                    IpQosNumbers::Decimal,
                    IpQosNumbers::DscpOnly,
                ],
                |c, v| c.rules.ipqos = v,
            )
        },
    },
    Probe {
        behaviour: "lists_need_arguments",
        runs: &[("SendEnv # c\n", &["x"])],
        by_message: false,
        candidates: |p| flag(p, |r, v| r.lists_need_arguments = v),
    },
    Probe {
        behaviour: "revoked host keys (expansion, list)",
        runs: &[
            ("RevokedHostKeys /a/%h\n", &["x"]),
            ("RevokedHostKeys /a /b\n", &["x"]),
        ],
        by_message: false,
        candidates: |p| {
            let mut v = Vec::new();
            for (e, l) in [(false, false), (true, false), (true, true)] {
                let mut c = p.clone();
                c.rules.revoked_expansion = e;
                c.rules.revoked_list = l;
                v.push((format!("expanded {e}, list {l}"), c));
            }
            v
        },
    },
    Probe {
        behaviour: "compression_prints_unknown",
        runs: &[("Compression yes\n", &["x"])],
        by_message: false,
        candidates: |p| flag(p, |r, v| r.compression_prints_unknown = v),
    },
    Probe {
        behaviour: "setenv_drops_duplicates",
        runs: &[("SetEnv A=1 A=2\n", &["x"])],
        by_message: false,
        candidates: |p| flag(p, |r, v| r.setenv_drops_duplicates = v),
    },
    Probe {
        behaviour: "remote_open_first_argument",
        runs: &[("PermitRemoteOpen h:22\n", &["x"])],
        by_message: false,
        candidates: |p| flag(p, |r, v| r.remote_open_first_argument = v),
    },
    Probe {
        behaviour: "pubkey_multistate",
        runs: &[("PubkeyAuthentication unbound\n", &["x"])],
        by_message: false,
        candidates: |p| flag(p, |r, v| r.pubkey_multistate = v),
    },
    Probe {
        behaviour: "cnames_none",
        runs: &[("CanonicalizePermittedCNAMEs none\n", &["x"])],
        by_message: false,
        candidates: |p| flag(p, |r, v| r.cnames_none = v),
    },
    Probe {
        behaviour: "tag_flag",
        runs: &[("", &["-P", "t", "x"])],
        by_message: false,
        candidates: |p| flag(p, |r, v| r.tag_flag = v),
    },
    Probe {
        behaviour: "ca_names_only",
        runs: &[(
            "CASignatureAlgorithms ssh-ed25519-cert-v01@openssh.com\n",
            &["x"],
        )],
        by_message: true,
        candidates: |p| flag(p, |r, v| r.ca_names_only = v),
    },
    Probe {
        behaviour: "domain_underscore",
        runs: &[("CanonicalDomains _a.example\n", &["x"])],
        by_message: false,
        candidates: |p| flag(p, |r, v| r.domain_underscore = v),
    },
    Probe {
        behaviour: "debian_patches",
        runs: &[("", &["-q", "-o", "BatchMode=yes", "x"])],
        by_message: false,
        candidates: |p| {
            [true, false]
                .iter()
                .map(|v| {
                    let mut c = p.clone();
                    c.build.debian_patches = *v;
                    (v.to_string(), c)
                })
                .collect()
        },
    },
];

/// Runs every run of every probe (a few at a time).
fn run_all(program: &OsStr, probes: &'static [Probe]) -> Vec<Vec<Answer>> {
    let jobs: Vec<(usize, &str, &[&str])> = probes
        .iter()
        .enumerate()
        .flat_map(|(i, p)| p.runs.iter().map(move |(c, a)| (i, *c, *a)))
        .collect();
    let results: Mutex<Vec<(usize, usize, Answer)>> = Mutex::default();
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                loop {
                    let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some((i, config, args)) = jobs.get(k) else {
                        break;
                    };
                    let a = run_probe(program, config, args);
                    results
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push((k, *i, a));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    results.sort_by_key(|(k, _, _)| *k);
    let mut out: Vec<Vec<Answer>> = vec![Vec::new(); probes.len()];
    for (_, i, a) in results {
        out[i].push(a);
    }
    out
}

/// Settles each probe's behaviour on `p`; `found` gets what changed. A
/// probe's answer may hang on a behaviour a later probe settles, so the
/// probes left unexplained are tried again while a round settles one.
fn settle(program: &OsStr, p: &mut Profile, found: &mut Vec<String>) {
    let answers = run_all(program, PROBES);
    let mut open: Vec<usize> = (0..PROBES.len()).collect();
    loop {
        let before = open.len();
        open.retain(|&i| {
            let (probe, real) = (&PROBES[i], &answers[i]);
            if probe.agrees(p, real) {
                return false;
            }
            match (probe.candidates)(p)
                .into_iter()
                .find(|(_, c)| probe.agrees(c, real))
            {
                Some((label, c)) => {
                    *p = c;
                    found.push(format!("{}: {label}", probe.behaviour));
                    false
                }
                None => true,
            }
        });
        if open.is_empty() || open.len() == before {
            break;
        }
    }
    for i in open {
        found.push(format!(
            "{}: no modelled value explains {}",
            PROBES[i].behaviour,
            PROBES[i].describe()
        ));
    }
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
