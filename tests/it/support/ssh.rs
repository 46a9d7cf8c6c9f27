//! The real `ssh -G` as a second witness beside the builtin resolver: which
//! ssh (`PUSHGUARD_SSH`, else `ssh` on `PATH`), its banner, the comparison
//! of the two answers for one argv, and the policy for the differences.
//!
//! The first witness of a rule test is its own stated answer, checked
//! against the builtin resolver, always. The live `ssh -G` is compared
//! whole; what may differ is listed per ssh build (by `ssh -V` banner):
//!
//! - a build in the table must differ exactly as listed: an unlisted
//!   difference fails, and so does a listed one that no longer happens;
//! - a build not in the table passes, with a loud report of every
//!   difference and its banner (a distribution update is news, not a red
//!   run nor a silent pass).

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use pushguard::ssh::{ExecPolicy, Profile, ResolveEnv, ResolveRequest, resolve};

use super::Cmd;

/// The ssh build that witnesses.
pub struct Witness {
    /// The binary.
    pub path: PathBuf,
    /// `ssh -V` up to the first comma: `OpenSSH_9.2p1 Debian-2+deb12u10`.
    pub banner: String,
    /// The profile the builtin resolver detects for it.
    pub profile: Profile,
}

/// The witness, or `None` (after `require`'s message) when there is no ssh.
pub fn witness() -> Option<&'static Witness> {
    static WITNESS: OnceLock<Option<Witness>> = OnceLock::new();
    let path = super::require("ssh")?;
    WITNESS
        .get_or_init(|| {
            let out = Cmd::isolated(path.as_os_str(), Path::new("/"))
                .arg("-V")
                .ok();
            let banner = out.stderr.split(',').next().unwrap_or_default();
            let profile = Profile::detect(&path)
                .unwrap_or_else(|e| panic!("cannot detect the profile of {}: {e}", path.display()));
            Some(Witness {
                path,
                banner: banner.trim().to_string(),
                profile,
            })
        })
        .as_ref()
}

/// The resolver environment for a builtin run beside the witness: the
/// witness's profile (else upstream's newest), `home` as `HOME`, `Match
/// exec` run as ssh does.
pub fn resolve_env(witness: Option<&Witness>, home: &Path) -> ResolveEnv {
    let profile = witness.map_or_else(Profile::newest, |w| w.profile.clone());
    let mut env = ResolveEnv::current(profile, ExecPolicy::Run);
    env.include_home = home.to_path_buf();
    env.home_var = Some(home.display().to_string());
    env
}

/// What `ssh -G` said.
#[derive(Debug)]
pub struct SshOut {
    /// Exit status 0?
    pub ok: bool,
    /// stdout.
    pub stdout: String,
    /// stderr.
    pub stderr: String,
}

/// How the witness's answer differs from the builtin's for one argv.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// ssh rejects what the builtin accepts; ssh's message.
    SshRejects(String),
    /// ssh accepts what the builtin rejects; the builtin's message.
    SshAccepts(String),
    /// Both print, with these lines on one side only.
    Lines {
        /// Printed by ssh only.
        ssh_only: Vec<String>,
        /// Printed by the builtin only.
        ours_only: Vec<String>,
    },
    /// Both print the same lines in another order.
    Order,
    /// Both reject, and ssh's message lacks words the test states.
    Message {
        /// The words stated.
        expected: String,
        /// ssh's message.
        ssh: String,
    },
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Kind::SshRejects(e) => write!(f, "ssh rejects ({}), the builtin accepts", e.trim()),
            Kind::SshAccepts(e) => write!(f, "ssh accepts, the builtin rejects ({e})"),
            Kind::Lines {
                ssh_only,
                ours_only,
            } => {
                for l in ssh_only {
                    write!(f, "\n      ssh only:  {l}")?;
                }
                for l in ours_only {
                    write!(f, "\n      ours only: {l}")?;
                }
                Ok(())
            }
            Kind::Order => f.write_str("same lines, other order"),
            Kind::Message { expected, ssh } => {
                write!(f, "ssh's message lacks {expected:?}: {}", ssh.trim())
            }
        }
    }
}

/// One difference seen: for which argv and config text, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The ssh arguments, the case's directory shown as `$DIR`.
    pub args: String,
    /// The config files' text.
    pub config: String,
    /// What differs.
    pub kind: Kind,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ssh -G {}: {}", self.args, self.kind)
    }
}

/// A difference an ssh build is known to have: what it is, the rule tests
/// that show it, and how to recognise it.
pub struct Known {
    /// In words, for reports.
    pub what: &'static str,
    /// The rule tests (function names) that must show it.
    pub tests: &'static [&'static str],
    /// Recognises it.
    pub matches: fn(&Difference) -> bool,
}

/// The known differences of each ssh build, keyed by banner.
pub type Table = [(&'static str, &'static [Known])];

impl Witness {
    /// Runs `ssh -G <args>` with `home` as `HOME`.
    pub fn ssh_g(&self, args: &[String], home: &Path) -> SshOut {
        let out = Cmd::isolated(self.path.as_os_str(), home)
            .arg("-G")
            .args(args)
            .run();
        SshOut {
            ok: out.success(),
            stdout: out.stdout,
            stderr: out.stderr,
        }
    }

    /// Compares the builtin's answer for one argv with `ssh -G`'s, run
    /// with `env.include_home` as `HOME`: `Ok` when they agree (the same
    /// output, or both reject), with the builtin's reason when both reject
    /// (`Ok(None)`: both print the same).
    pub fn compare_why(&self, args: &[String], env: &ResolveEnv) -> Result<Option<String>, Kind> {
        let ours = ResolveRequest::from_ssh_args(args).and_then(|r| resolve(&r, env));
        let real = self.ssh_g(args, &env.include_home);
        let ours = ours.map(|r| r.dump()).map_err(|e| e.to_string());
        differ(&real, &ours).map(|accepted| match (accepted, ours) {
            (false, Err(e)) => Some(e),
            _ => None,
        })
    }

    /// The probes this build answers otherwise than its profile predicts,
    /// each with the behaviour, the value that would explain it and the
    /// probe that settles it (a report for a surprise).
    pub fn divergences(&self) -> String {
        let found = self.profile.divergences(self.path.as_os_str());
        if found.is_empty() {
            return format!(
                "every probe of {} agrees with its profile {}",
                self.banner, self.profile.name
            );
        }
        let lines: Vec<String> = found.iter().map(|d| format!("  {d}")).collect();
        format!(
            "{} behaves otherwise than its profile {} predicts:\n{}",
            self.banner,
            self.profile.name,
            lines.join("\n")
        )
    }

    /// The known differences of this build, `None` when it is not in `table`.
    pub fn known<'t>(&self, table: &'t Table) -> Option<&'t [Known]> {
        table
            .iter()
            .find(|(banner, _)| *banner == self.banner)
            .map(|(_, known)| *known)
    }
}

/// Compares `ours` (a dump, or the builtin's error) with what ssh said:
/// `Ok(accepted)` when they agree.
pub fn differ(real: &SshOut, ours: &Result<String, String>) -> Result<bool, Kind> {
    match (real.ok, ours) {
        (true, Ok(mine)) if *mine == real.stdout => Ok(true),
        (true, Ok(mine)) => {
            let theirs: Vec<&str> = real.stdout.lines().collect();
            let mine: Vec<&str> = mine.lines().collect();
            let only = |a: &[&str], b: &[&str]| -> Vec<String> {
                a.iter()
                    .filter(|l| !b.contains(l))
                    .map(|l| l.to_string())
                    .collect()
            };
            let (ssh_only, ours_only) = (only(&theirs, &mine), only(&mine, &theirs));
            match ssh_only.is_empty() && ours_only.is_empty() {
                true => Err(Kind::Order),
                false => Err(Kind::Lines {
                    ssh_only,
                    ours_only,
                }),
            }
        }
        (false, Err(_)) => Ok(false),
        (true, Err(e)) => Err(Kind::SshAccepts(e.clone())),
        (false, Ok(_)) => Err(Kind::SshRejects(real.stderr.clone())),
    }
}

/// Judges the differences `seen` in rule test `test` on the build `banner`:
/// `Ok(None)` as expected, `Ok(Some(report))` a build not in the table
/// (pass, loudly), `Err(why)` a failure.
pub fn judge(
    table: &Table,
    banner: &str,
    test: &str,
    seen: &[Difference],
) -> Result<Option<String>, String> {
    let Some((_, known)) = table.iter().find(|(b, _)| *b == banner) else {
        if seen.is_empty() {
            return Ok(None);
        }
        let list: Vec<String> = seen.iter().map(|d| format!("  {d}")).collect();
        return Ok(Some(format!(
            "WITNESS {banner} is not in the known-differences table; {test} differs from the builtin resolver:\n{}",
            list.join("\n")
        )));
    };
    let expected: Vec<&Known> = known.iter().filter(|k| k.tests.contains(&test)).collect();
    let mut problems = Vec::new();
    for d in seen {
        if !expected.iter().any(|k| (k.matches)(d)) {
            problems.push(format!("  unlisted difference: {d}"));
        }
    }
    for k in &expected {
        if !seen.iter().any(|d| (k.matches)(d)) {
            problems.push(format!("  listed but no longer seen: {}", k.what));
        }
    }
    match problems.is_empty() {
        true => Ok(None),
        false => Err(format!(
            "{test} against {banner} (see the known-differences table):\n{}",
            problems.join("\n")
        )),
    }
}

/// Writes a report where the test harness does not swallow it.
pub fn report_loudly(text: &str) {
    let _ = writeln!(std::io::stderr(), "{text}");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rejects_comma(d: &Difference) -> bool {
        matches!(&d.kind, Kind::SshRejects(e) if e.contains("invalid characters"))
    }

    const TABLE: &Table = &[
        ("Build-1", &[]),
        (
            "Build-2",
            &[Known {
                what: "rejects a comma",
                tests: &["host_patterns"],
                matches: rejects_comma,
            }],
        ),
    ];

    fn comma() -> Difference {
        Difference {
            args: "-F $DIR/config a,b".into(),
            config: String::new(),
            kind: Kind::SshRejects("hostname contains invalid characters\n".into()),
        }
    }

    #[test]
    fn a_listed_build_differs_exactly_as_listed() {
        assert_eq!(
            judge(TABLE, "Build-2", "host_patterns", &[comma()]),
            Ok(None)
        );
        assert_eq!(judge(TABLE, "Build-1", "host_patterns", &[]), Ok(None));
        let e = judge(TABLE, "Build-1", "host_patterns", &[comma()]).unwrap_err();
        assert!(
            e.contains("unlisted difference: ssh -G -F $DIR/config a,b"),
            "{e}"
        );
        let e = judge(TABLE, "Build-2", "host_patterns", &[]).unwrap_err();
        assert!(
            e.contains("listed but no longer seen: rejects a comma"),
            "{e}"
        );
        // Listed for another test only: unlisted here.
        assert!(judge(TABLE, "Build-2", "includes", &[comma()]).is_err());
    }

    #[test]
    fn an_unknown_build_is_reported_and_passes() {
        let r = judge(TABLE, "Build-3", "host_patterns", &[comma()]).unwrap();
        let r = r.unwrap();
        assert!(
            r.starts_with("WITNESS Build-3 is not in the known-differences table"),
            "{r}"
        );
        assert!(
            r.contains("ssh rejects (hostname contains invalid characters)"),
            "{r}"
        );
        assert_eq!(judge(TABLE, "Build-3", "host_patterns", &[]), Ok(None));
    }
}
