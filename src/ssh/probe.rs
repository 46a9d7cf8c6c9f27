//! Asks the real ssh for its effective configuration: the command git would
//! run, with `-G` in place of the remote command, bounded by a timeout.
//!
//! `ssh -G` runs `Match exec` commands from the user's config; that is
//! faithful (the push runs them too), and it opens no connection.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::Effective;

/// Why `ssh -G` gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// The argv was empty.
    #[error("no command to run")]
    Empty,
    /// The program could not be started.
    #[error("cannot run {program}: {source}")]
    Spawn {
        /// The program.
        program: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// It ran past the time limit and was killed.
    #[error("{program} -G did not answer within {} ms", .limit.as_millis())]
    Timeout {
        /// The program.
        program: String,
        /// The limit.
        limit: Duration,
    },
    /// It exited non-zero (a config ssh rejects, or not OpenSSH at all).
    #[error("{program} -G failed: {stderr}")]
    Failed {
        /// The program.
        program: String,
        /// Its stderr, trimmed.
        stderr: String,
    },
}

/// Runs `argv` (a `-G` probe) with stdin closed and returns the parsed dump.
pub fn run(argv: &[String], limit: Duration) -> Result<Effective, ProbeError> {
    let (program, args) = argv.split_first().ok_or(ProbeError::Empty)?;
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| ProbeError::Spawn {
            program: program.clone(),
            source,
        })?;
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(o) = stdout.as_mut() {
            let _ = o.read_to_string(&mut s);
        }
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(e) = stderr.as_mut() {
            let _ = e.read_to_string(&mut s);
        }
        s
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(st)) => break Ok(st),
            Ok(None) if start.elapsed() >= limit => {
                let _ = child.kill();
                let _ = child.wait();
                break Err(ProbeError::Timeout {
                    program: program.clone(),
                    limit,
                });
            }
            Ok(None) => std::thread::sleep(Duration::from_micros(500)),
            Err(source) => {
                break Err(ProbeError::Spawn {
                    program: program.clone(),
                    source,
                });
            }
        }
    };
    let status = status?;
    // A grandchild (a `Match exec` command) may hold the pipes open; the
    // readers end when it exits, which the limit above does not cover.
    let out = out_reader.join().unwrap_or_default();
    let err = err_reader.join().unwrap_or_default();
    if !status.success() {
        return Err(ProbeError::Failed {
            program: program.clone(),
            stderr: err.trim().to_string(),
        });
    }
    Ok(Effective::from_dump(&out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Vec<String> {
        vec!["sh".into(), "-c".into(), script.into()]
    }

    #[test]
    fn parses_output() {
        let e = run(
            &sh("printf 'user git\\nserveraliveinterval 30\\nidentityfile ~/a\\nidentityfile ~/b\\n'"),
            Duration::from_secs(5),
        )
        .unwrap();
        assert_eq!(e.server_alive_interval(), Some(30));
        assert_eq!(e.get_all("identityfile").len(), 2);
    }

    #[test]
    fn failure_and_timeout() {
        let e = run(&sh("echo bad config >&2; exit 255"), Duration::from_secs(5)).unwrap_err();
        assert!(e.to_string().contains("bad config"), "{e}");
        let e = run(&sh("exec sleep 5"), Duration::from_millis(100)).unwrap_err();
        assert!(matches!(e, ProbeError::Timeout { .. }), "{e}");
        let e = run(&["/nonexistent/ssh".into()], Duration::from_secs(1)).unwrap_err();
        assert!(matches!(e, ProbeError::Spawn { .. }), "{e}");
    }
}
