//! Counting the objects git would send: `git rev-list --objects` streamed,
//! counted line by line and killed as soon as the count reaches the limit.
//!
//! Tips go on rev-list's stdin (`<oid>` and `^<oid>` lines, so no argv
//! length limit and no `--not`, which older git rejects on stdin);
//! `--ignore-missing` drops boundary oids this repository lacks.
//! `--in-commit-order` prints each commit's trees and blobs right after it;
//! by default git prints every commit first, so without a commit-graph the
//! limit was reached only after parsing thousands of commits (2x slower on
//! a 1M-object repository). The set of objects, and so the count, is the same.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::thread;

use super::{Count, EstimateError, Repo};

const ARGS: [&str; 6] = [
    "rev-list",
    "--objects",
    "--in-commit-order",
    "--no-object-names",
    "--ignore-missing",
    "--stdin",
];

/// Counts objects reachable from `tips` and not from `boundary`, stopping at
/// `stop_at`; calls `on_reach.1` once when the count reaches `on_reach.0`.
pub(crate) fn count_objects(
    repo: &Repo,
    tips: &[&str],
    boundary: &[&str],
    stop_at: u64,
    on_reach: (u64, &mut dyn FnMut()),
) -> Result<Count, EstimateError> {
    let (reach_at, on_reach) = on_reach;
    let mut reached = false;
    if tips.is_empty() {
        return Ok(Count::Exact(0));
    }
    let stop_at = stop_at.max(1);
    let mut child = Command::new("git")
        .args(ARGS)
        .current_dir(repo.cwd())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(EstimateError::Spawn)?;
    let mut input = String::with_capacity((tips.len() + boundary.len()) * 66);
    for t in tips {
        input.push_str(t);
        input.push('\n');
    }
    for b in boundary {
        input.push('^');
        input.push_str(b);
        input.push('\n');
    }
    // rev-list reads all of stdin before it prints anything, so writing first cannot deadlock.
    let wrote = child
        .stdin
        .take()
        .map(|mut stdin| stdin.write_all(input.as_bytes()));
    let stderr = child.stderr.take().map(|mut e| {
        thread::spawn(move || {
            let mut s = String::new();
            let _ = e.read_to_string(&mut s);
            s
        })
    });
    let mut lines = 0u64;
    let mut stopped = false;
    if let Some(mut out) = child.stdout.take() {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match out.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(EstimateError::Spawn(e));
                }
            };
            lines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
            if !reached && lines >= reach_at {
                reached = true;
                on_reach();
            }
            if lines >= stop_at {
                stopped = true;
                break;
            }
        }
    }
    if stopped {
        // Killing a finished child is harmless; either way it is reaped here.
        let _ = child.kill();
        let _ = child.wait();
        if let Some(h) = stderr {
            let _ = h.join();
        }
        return Ok(Count::AtLeast(lines));
    }
    let status = child.wait().map_err(EstimateError::Spawn)?;
    let stderr = stderr.and_then(|h| h.join().ok()).unwrap_or_default();
    if !status.success() {
        return Err(EstimateError::GitFailed {
            args: ARGS.join(" "),
            stderr: stderr.trim().to_string(),
        });
    }
    if let Some(Err(e)) = wrote {
        return Err(EstimateError::Spawn(e));
    }
    Ok(Count::Exact(lines))
}
