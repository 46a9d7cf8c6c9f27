//! The probes: one-off `ssh -G -F /dev/stdin` runs, each settling one
//! behaviour of a build (a [`Rules`] field, Debian's patches). They never
//! connect, never run a command (no `Match exec`; a ProxyCommand is only
//! printed) and read no file but their stdin.
//!
//! - [`PROBES`]: the probes; [`Probe`]: one, its runs and its candidates.
//! - `settle`: each probe's behaviour set to the value that explains the
//!   real answers; [`Divergence`]: a probe answered otherwise than a
//!   profile predicts.
//!
//! A probe is settled by simulation: the builtin resolver answers it under
//! each candidate value of the behaviour, and the value whose answer is
//! the real one's is taken. Not probed (taken from the release): whether
//! `Match !final` asks for the final pass, which needs a config read twice
//! (a probe's config is a pipe, read once), and the wording of `-o Match`.

use std::ffi::OsStr;
use std::sync::{Arc, Mutex};

use super::detect::LIMIT;
use super::{
    HostCheck, IpQosNumbers, LateUserCheck, MatchCriteria, MatchWords, Profile, Rules, TimeGrammar,
    UserExpansion,
};
use crate::process::ProcessBuilder;
use crate::ssh::{ExecPolicy, ResolveEnv, ResolveRequest, resolve};

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
pub(crate) fn run_probe(program: &OsStr, config: &str, args: &[&str]) -> Answer {
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
pub(crate) fn predict(profile: &Profile, config: &str, args: &[&str]) -> Answer {
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
        behaviour: "tilde_user_alone",
        runs: &[("ControlPath ~root\n", &["x"])],
        by_message: false,
        candidates: |p| flag(p, |r, v| r.tilde_user_alone = v),
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
pub(crate) fn run_all(program: &OsStr, probes: &'static [Probe]) -> Vec<Vec<Answer>> {
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
pub(crate) fn settle(program: &OsStr, p: &mut Profile, found: &mut Vec<String>) {
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

impl Profile {
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
