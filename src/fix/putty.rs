//! The fix for PuTTY tools (plink, PuTTY, TortoiseGitPlink), which read no
//! OpenSSH config: the keepalive of the saved session the command line
//! loads (`crate::putty`), set in that session — a session file edited
//! through the same safe writer and proven by reading it back, or the
//! registry's `reg add` commands, printed, and run by `--apply` on Windows only.

use super::{Before, Change, FixError, Report, Request, Status, Writer, edit};
use crate::check::Env;
use crate::git::SshInvocation;
use crate::policy::keepalive_effective;
use crate::putty::{self, Fix, Location, Tool};

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
            if !req.apply {
                return Ok(report);
            }
            if !cfg!(windows) {
                return Ok(report.end(
                    Status::Manual,
                    "registry values are set on Windows only: run the commands above there",
                ));
            }
            for a in &adds {
                let argv = a.argv();
                crate::process::ProcessBuilder::new(&argv[0])
                    .args(&argv[1..])
                    .timeout(std::time::Duration::from_secs(10))
                    .run()
                    .map_err(|e| FixError::Probe(e.to_string()))?;
            }
            match store.keepalive(&choice) {
                Ok(k) if k.interval == u64::from(interval) => Ok(report.end(
                    Status::Applied,
                    format!("proven: the session reads back as {k}"),
                )),
                _ => Ok(report.end(Status::CannotFix, "the registry does not read back as set")),
            }
        }
    }
}
