//! Asks the real ssh for its effective configuration: the command git would
//! run, with `-G` in place of the remote command, bounded by a timeout.
//!
//! `ssh -G` runs `Match exec` commands from the user's config; that is
//! faithful (the push runs them too), and it opens no connection.

use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::mpsc;
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
    // Readers report through channels so that a grandchild holding a pipe
    // open (a `Match exec` command left running) cannot hold us past the limit.
    let start = Instant::now();
    let out_rx = drain(child.stdout.take());
    let err_rx = drain(child.stderr.take());
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
    let left = || {
        limit
            .saturating_sub(start.elapsed())
            .max(Duration::from_millis(50))
    };
    let out = out_rx
        .recv_timeout(left())
        .map_err(|_| ProbeError::Timeout {
            program: program.clone(),
            limit,
        })?;
    let err = err_rx.recv_timeout(left()).unwrap_or_default();
    if !status.success() {
        return Err(ProbeError::Failed {
            program: program.clone(),
            stderr: err.trim().to_string(),
        });
    }
    Ok(Effective::from_dump(&out))
}

/// Reads a pipe to the end on a thread; the text arrives on the channel.
fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_string(&mut s);
        }
        let _ = tx.send(s);
    });
    rx
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
        // A grandchild that keeps stdout open must not hold the probe.
        let t = Instant::now();
        let e = run(&sh("sleep 5 & echo x"), Duration::from_millis(300)).unwrap_err();
        assert!(matches!(e, ProbeError::Timeout { .. }), "{e}");
        assert!(t.elapsed() < Duration::from_secs(3));
    }
}
