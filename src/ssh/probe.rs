//! Asks the real ssh for its effective configuration: the command git would
//! run, with `-G` in place of the remote command, bounded by a timeout.
//!
//! `ssh -G` runs `Match exec` commands from the user's config; that is
//! faithful (the push runs them too), and it opens no connection. The
//! child runs through [`crate::process`]: stdin closed, its process group
//! killed on the timeout, so a `Match exec` command left running cannot
//! hold the hook.

use std::time::Duration;

use super::Effective;
use crate::process::{ProcessBuilder, ProcessError};

/// Why `ssh -G` gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// The argv was empty.
    #[error("no command to run")]
    Empty,
    /// It could not start, ran past the limit, or exited non-zero (a config
    /// ssh rejects, or not OpenSSH at all).
    #[error(transparent)]
    Process(#[from] ProcessError),
}

/// Runs `argv` (a `-G` probe) with stdin closed and returns the parsed dump.
pub fn run(argv: &[String], limit: Duration) -> Result<Effective, ProbeError> {
    let (program, args) = argv.split_first().ok_or(ProbeError::Empty)?;
    let out = ProcessBuilder::new(program)
        .args(args)
        .timeout(limit)
        .run()?;
    Ok(Effective::from_dump(&String::from_utf8_lossy(&out.stdout)))
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;
    use crate::process::Failure;

    fn sh(script: &str) -> Vec<String> {
        vec!["sh".into(), "-c".into(), script.into()]
    }

    fn failure(e: &ProbeError) -> &Failure {
        match e {
            ProbeError::Process(p) => &p.kind,
            ProbeError::Empty => panic!("empty"),
        }
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
        assert!(matches!(failure(&e), Failure::Timeout(_)), "{e}");
        let e = run(&["/nonexistent/ssh".into()], Duration::from_secs(1)).unwrap_err();
        assert!(matches!(failure(&e), Failure::Spawn(_)), "{e}");
        assert!(matches!(
            run(&[], Duration::from_secs(1)),
            Err(ProbeError::Empty)
        ));
        // A grandchild that keeps stdout open must not hold the probe.
        let t = Instant::now();
        let e = run(&sh("sleep 5 & echo x"), Duration::from_millis(300)).unwrap_err();
        assert!(matches!(failure(&e), Failure::Timeout(_)), "{e}");
        assert!(t.elapsed() < Duration::from_secs(3));
    }
}
