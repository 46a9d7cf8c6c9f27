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

use std::io::Read;

use super::{Count, EstimateError, Repo};
use crate::process::{Failure, ProcessError};

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
    // Bounded like every git call (and by the hook's time budget); its
    // process group dies when the count is reached or the time is up.
    let mut git = crate::git::command(repo.cwd(), &ARGS);
    git.stdin(input);
    let mut out = git.stream()?;
    let mut lines = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match out.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        };
        lines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
        if !reached && lines >= reach_at {
            reached = true;
            on_reach();
        }
        if lines >= stop_at {
            out.stop();
            return Ok(Count::AtLeast(lines));
        }
    }
    match out.finish() {
        Ok(_) => Ok(Count::Exact(lines)),
        // Cut by the time budget: what was counted is a lower bound.
        Err(ProcessError {
            kind: Failure::OutOfTime(_),
            ..
        }) => Ok(Count::AtLeast(lines)),
        Err(e) => Err(e.into()),
    }
}
