//! The fix for PuTTY tools (plink, PuTTY, TortoiseGitPlink), which read no
//! OpenSSH config: the keepalive of the saved session the command line
//! loads (`crate::putty`), set in that session — a session file edited
//! through the same safe writer and proven by reading it back, or the
//! registry's `reg add` commands, printed, and run by `--apply` on Windows
//! only, after a backup of the key and with a restore (`registry`).

use std::path::Path;

use super::{Before, Change, FixError, Report, Request, Status, Writer, edit, registry};
use crate::check::Env;
use crate::git::SshInvocation;
use crate::policy::keepalive_effective;
use crate::putty::{self, Fix, Keepalive, Location, Tool};

/// Plans (and with `--apply` makes) the session change.
pub fn fix(
    mut report: Report,
    tool: Tool,
    inv: &SshInvocation,
    env: &Env,
    req: &Request,
    writer: &Writer,
    idle: u64,
) -> Result<Report, FixError> {
    report.why.push(
        "PuTTY tools read no ~/.ssh/config: the keepalive is the saved session's \"Seconds between keepalives\" (PingIntervalSecs)".into(),
    );
    let env = |k: &str| env.get(k);
    let choice = match putty::choice_for(tool, inv, &env) {
        Ok(c) => c,
        Err(e) => return Ok(report.end(Status::CannotFix, e.to_string())),
    };
    let store = putty::store_here(&env);
    let ka = match store.keepalive(&choice) {
        Ok(k) => k,
        Err(e) => return Ok(report.end(Status::CannotFix, e.to_string())),
    };
    report.before = Before {
        interval: Some(ka.interval),
        putty: Some(ka.to_string()),
        ..Before::default()
    };
    if let Some(bug) = &ka.suppressed {
        return Ok(report.end(
            Status::CannotFix,
            format!(
                "{bug} forces \"Chokes on SSH-2 ignore messages\" on, so PuTTY sends no keepalive whatever the interval; pushguard does not change a bug workaround: turn it off (Connection > SSH > Bugs) unless the server needs it"
            ),
        ));
    }
    if keepalive_effective(ka.interval, idle) {
        return Ok(report.end(
            Status::AlreadyEffective,
            format!(
                "already effective: a keepalive every {} s, below the idle timeout of {idle} s",
                ka.interval
            ),
        ));
    }
    let interval = u32::try_from(report.interval).unwrap_or(30);
    let current = match &ka.location {
        Location::File(p) => match std::fs::read(p) {
            Ok(b) => Some(b),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(source) => {
                return Err(FixError::Read {
                    path: p.clone(),
                    source,
                });
            }
        },
        Location::Key(_) => None,
    };
    match ka.fix(interval, current.as_deref()) {
        Fix::File { path, text, .. } => {
            report.change = Some(Change::PuttyFile {
                file: path.clone(),
                diff: edit::unified(
                    &path.display().to_string(),
                    current.as_deref().unwrap_or_default(),
                    &text,
                ),
            });
            if !req.apply {
                return Ok(report);
            }
            let written = writer.replace(&path, current.as_deref(), &text, true)?;
            report.backup = written.backup.clone();
            match store.keepalive(&choice) {
                Ok(k) if k.interval == u64::from(interval) => Ok(report.end(
                    Status::Applied,
                    format!("proven: the session reads back as {k}"),
                )),
                read => {
                    writer.restore(&written, &text, current.as_deref())?;
                    report.backup = None;
                    let why = match read {
                        Ok(k) => format!("the session reads back as {k}"),
                        Err(e) => e.to_string(),
                    };
                    Ok(report.end(
                        Status::Restored,
                        format!("{why}, so the original bytes are back"),
                    ))
                }
            }
        }
        Fix::Registry(adds) => {
            report.change = Some(Change::PuttyRegistry {
                commands: adds
                    .iter()
                    .map(|a| (a.argv(), a.powershell(), a.git_bash()))
                    .collect(),
            });
            let key = ka.location.to_string();
            report.notes.push(format!(
                "--apply first exports {key} to a *.pushguard-backup file in %USERPROFILE% (reg export), and puts it back (reg import) when the values do not read back as set"
            ));
            if !req.apply {
                return Ok(report);
            }
            if !cfg!(windows) {
                return Ok(report.end(
                    Status::Manual,
                    "registry values are set on Windows only: run the commands above there (after `reg export` of the key, to undo them with `reg import`)",
                ));
            }
            let Some(profile) = env("USERPROFILE").filter(|p| !p.is_empty()) else {
                return Ok(report.end(
                    Status::CannotFix,
                    "USERPROFILE is not set, so there is nowhere to keep the backup of the session key; nothing changed",
                ));
            };
            let backup = registry::backup_path(Path::new(&profile), &key);
            let reg_exe = match env("SystemRoot") {
                Some(root) => format!(r"{root}\System32\reg.exe"),
                None => "reg".to_string(),
            };
            let mut run = |argv: &[String]| run_reg(&reg_exe, argv);
            let outcome = registry::apply(&key, &adds, u64::from(interval), &backup, &mut run);
            let e = ending(&ka, u64::from(interval), outcome)?;
            report.backup = e.backup;
            report.notes.extend(e.note);
            Ok(report.end(e.status, e.outcome))
        }
    }
}

/// Runs one `reg` command through `reg_exe` (the argv's own `reg` replaced).
fn run_reg(reg_exe: &str, argv: &[String]) -> Result<registry::Answer, String> {
    let out = crate::process::ProcessBuilder::new(reg_exe)
        .args(argv.get(1..).unwrap_or_default())
        .timeout(std::time::Duration::from_secs(10))
        .output()
        .map_err(|e| e.to_string())?;
    Ok(registry::Answer {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    })
}

/// How a registry change ends in the report: status, outcome, backup, note.
#[derive(Debug, PartialEq, Eq)]
struct Ending {
    status: Status,
    outcome: String,
    backup: Option<std::path::PathBuf>,
    note: Option<String>,
}

/// The ending of a registry change of `ka`'s session to `interval` that ended as `outcome`.
fn ending(ka: &Keepalive, interval: u64, outcome: registry::Outcome) -> Result<Ending, FixError> {
    let end = |status, outcome| Ending {
        status,
        outcome,
        backup: None,
        note: None,
    };
    match outcome {
        registry::Outcome::Applied { backup, read } => {
            let note = match &backup {
                Some(b) => format!("to undo the change: reg import \"{}\"", b.display()),
                None => format!(
                    "{} did not exist, so there was nothing to back up",
                    ka.location
                ),
            };
            let now = Keepalive {
                interval,
                exists: true,
                from: read,
                ..ka.clone()
            };
            Ok(Ending {
                backup,
                note: Some(note),
                ..end(
                    Status::Applied,
                    format!("proven: the session reads back as {now}"),
                )
            })
        }
        registry::Outcome::Untouched(why) => {
            Ok(end(Status::CannotFix, format!("{why}; nothing changed")))
        }
        registry::Outcome::Restored { why, how } => {
            Ok(end(Status::Restored, format!("{why}, so {how}")))
        }
        registry::Outcome::Stuck {
            why,
            error,
            by_hand,
        } => Err(FixError::Unrestored {
            why,
            error,
            by_hand,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::putty::session_key;
    use registry::Outcome;

    fn keepalive() -> Keepalive {
        Keepalive {
            interval: 0,
            session: "h".into(),
            location: Location::Key(session_key("h")),
            exists: true,
            from: Vec::new(),
            suppressed: None,
        }
    }

    #[test]
    fn each_registry_outcome_is_reported() {
        let file = std::path::PathBuf::from(r"C:\Users\me\putty-h.reg.pushguard-backup");
        let secs = crate::putty::Setting {
            name: "PingIntervalSecs",
            raw: "0x1e".into(),
            value: 30,
            line: None,
        };
        let applied = Outcome::Applied {
            backup: Some(file.clone()),
            read: vec![secs],
        };
        assert_eq!(
            ending(&keepalive(), 30, applied).unwrap(),
            Ending {
                status: Status::Applied,
                outcome: format!(
                    "proven: the session reads back as PuTTY session \"h\" ({}): PingIntervalSecs=0x1e",
                    session_key("h")
                ),
                backup: Some(file.clone()),
                note: Some(format!(
                    "to undo the change: reg import \"{}\"",
                    file.display()
                )),
            }
        );
        let restored = Outcome::Restored {
            why: "no read-back".into(),
            how: "the session is back".into(),
        };
        let e = ending(&keepalive(), 30, restored).unwrap();
        assert_eq!(
            (e.status, e.outcome.as_str(), e.backup),
            (
                Status::Restored,
                "no read-back, so the session is back",
                None
            )
        );
        let stuck = Outcome::Stuck {
            why: "no read-back".into(),
            error: "access is denied".into(),
            by_hand: format!("reg import {}", file.display()),
        };
        let e = ending(&keepalive(), 30, stuck).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "no read-back, and putting the session back failed (access is denied): run reg import {}",
                file.display()
            )
        );
        let e = ending(&keepalive(), 30, Outcome::Untouched("x".into())).unwrap();
        assert_eq!(e.status, Status::CannotFix);
    }
}
