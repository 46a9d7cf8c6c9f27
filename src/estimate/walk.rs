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
//!
//! A partial clone lacks objects its promisor remote holds. A plain
//! `rev-list --objects` fetches each one it meets, one connection per object;
//! `--missing=print` (git 2.15+) makes it list them as `?<oid>` after the
//! rest instead, and `GIT_NO_LAZY_FETCH=1` (set by [`super::git`]) keeps any
//! git from 2.45 on from fetching whatever the options say. git's own push
//! fetches the missing objects it sends and sends them, so they count. (An
//! unknown `--missing=` value is silently ignored by git, which then fetches
//! again: only `print`, known to every git in use, is passed.)
//!
//! `--boundary` adds `-<oid>` lines for the commits just outside the set:
//! the boundary commits the count rests on (see `super::boundary`).
//!
//! The walk is a [`crate::process::Streaming`] child: read as it prints,
//! [`stop`](crate::process::Streaming::stop)ped (its process group killed)
//! at the limit, else [`finish`](crate::process::Streaming::finish)ed, which
//! checks its exit; like every git call it is bounded by `git::GIT_LIMIT`.

use std::io::Read;

use super::loose::Loose;
use super::{Count, EstimateError, Repo};
use crate::process::{Failure, ProcessError};

const ARGS: [&str; 7] = [
    "rev-list",
    "--objects",
    "--in-commit-order",
    "--no-object-names",
    "--ignore-missing",
    "--missing=print",
    "--stdin",
];

/// One object walk: what to count and what to report besides the count.
pub(crate) struct Walk<'a> {
    /// The new tips (objects the push makes the remote refs point to).
    pub tips: &'a [&'a str],
    /// What the remote is taken to have.
    pub boundary: &'a [&'a str],
    /// Stop counting here (the answer is "at least this many").
    pub stop_at: u64,
    /// Report the boundary commits too (`--boundary`).
    pub boundary_commits: bool,
    /// Leave blobs out (`--filter=blob:none`): commits and trees only.
    pub no_blobs: bool,
    /// Add up the stored sizes of the loose objects in the set.
    pub measure_loose: bool,
}

/// What a walk found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Walked {
    /// Objects in the set, missing ones included.
    pub objects: Count,
    /// Objects in the set that this repository lacks (a partial clone's).
    pub missing: u64,
    /// The commits just outside the set (only with `boundary_commits`, and
    /// only when the count completed).
    pub boundary: Vec<String>,
    /// Objects in the set stored loose.
    pub loose_objects: u64,
    /// Their stored (compressed) size.
    pub loose_bytes: u64,
}

/// Tallies rev-list's output lines.
struct Tally {
    loose: Option<Loose>,
    walked: Walked,
    lines: u64,
}

impl Tally {
    fn line(&mut self, line: &[u8]) {
        match line.first() {
            Some(b'-') => {
                if let Ok(oid) = std::str::from_utf8(&line[1..]) {
                    self.walked.boundary.push(oid.to_string());
                }
                return;
            }
            Some(b'?') => self.walked.missing += 1,
            _ => {
                if let Some(size) = self.loose.as_ref().and_then(|l| {
                    let oid = std::str::from_utf8(line).ok()?;
                    l.size(oid)
                }) {
                    self.walked.loose_objects += 1;
                    self.walked.loose_bytes += size;
                }
            }
        }
        self.lines += 1;
    }
}

impl Walk<'_> {
    /// Counts objects reachable from the tips and not from the boundary,
    /// stopping at `stop_at`; calls `on_reach.1` once when the count reaches `on_reach.0`.
    pub(crate) fn run(
        &self,
        repo: &Repo,
        on_reach: (u64, &mut dyn FnMut()),
    ) -> Result<Walked, EstimateError> {
        let (reach_at, on_reach) = on_reach;
        let mut reached = false;
        let mut tally = Tally {
            loose: None,
            walked: Walked {
                objects: Count::Exact(0),
                missing: 0,
                boundary: Vec::new(),
                loose_objects: 0,
                loose_bytes: 0,
            },
            lines: 0,
        };
        if self.tips.is_empty() {
            return Ok(tally.walked);
        }
        let stop_at = self.stop_at.max(1);
        let mut args: Vec<&str> = ARGS.to_vec();
        if self.boundary_commits {
            args.push("--boundary");
        }
        if self.no_blobs {
            args.push("--filter=blob:none");
        }
        let mut git = super::git(repo, &args);
        git.stdin(rev_input(self.tips, self.boundary));
        let mut child = git.stream()?;
        if self.measure_loose {
            // Listed while rev-list starts and walks, not before it.
            match Loose::read(repo) {
                Ok(loose) => tally.loose = Some(loose).filter(|l| !l.is_empty()),
                Err(e) => {
                    child.stop();
                    return Err(e);
                }
            }
        }
        let mut buf = vec![0u8; 64 * 1024];
        // The start of a line that the previous read cut off.
        let mut carry: Vec<u8> = Vec::new();
        loop {
            let n = match child.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    child.stop();
                    let kind = Failure::Io(e);
                    return Err(ProcessError {
                        command: git.to_string(),
                        kind,
                    }
                    .into());
                }
            };
            let mut rest = &buf[..n];
            while let Some(end) = rest.iter().position(|&b| b == b'\n') {
                if carry.is_empty() {
                    tally.line(&rest[..end]);
                } else {
                    carry.extend_from_slice(&rest[..end]);
                    tally.line(&carry);
                    carry.clear();
                }
                rest = &rest[end + 1..];
                if !reached && tally.lines >= reach_at {
                    reached = true;
                    on_reach();
                }
                if tally.lines >= stop_at {
                    // Stopping a child that already finished is harmless.
                    child.stop();
                    tally.walked.objects = Count::AtLeast(tally.lines);
                    tally.walked.boundary.clear();
                    return Ok(tally.walked);
                }
            }
            carry.extend_from_slice(rest);
        }
        match child.finish() {
            Ok(_) => tally.walked.objects = Count::Exact(tally.lines),
            // Cut by the hook's time budget: what was counted is a lower bound.
            Err(ProcessError {
                kind: Failure::OutOfTime(_),
                ..
            }) => {
                tally.walked.objects = Count::AtLeast(tally.lines);
                tally.walked.boundary.clear();
            }
            Err(e) => return Err(e.into()),
        }
        Ok(tally.walked)
    }
}

/// Commits reachable from `from` and not from `not`, at most `limit` of
/// them (`git rev-list`, commits only: no trees are read).
pub(crate) fn commits(
    repo: &Repo,
    from: &[&str],
    not: &[&str],
    limit: usize,
) -> Result<Vec<String>, EstimateError> {
    let input = rev_input(from, not);
    let max = format!("--max-count={limit}");
    let args = ["rev-list", "--ignore-missing", &max, "--stdin"];
    let out = run_with_input(repo, &args, &input)?;
    Ok(out.lines().map(str::to_string).collect())
}

/// How a ref relates to a commit, for [`refs_at`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reach {
    /// The ref points at the commit (a tag peeled to it counts): no walk.
    PointsAt,
    /// The commit is in the ref's history: a reachability walk.
    Contains,
}

/// The refs under `prefixes` that point at or contain `commit`
/// (`git for-each-ref --points-at` / `--contains`), with their oids.
pub(crate) fn refs_at(
    repo: &Repo,
    commit: &str,
    reach: Reach,
    prefixes: &[String],
) -> Result<Vec<(String, String)>, EstimateError> {
    let filter = match reach {
        Reach::PointsAt => format!("--points-at={commit}"),
        Reach::Contains => format!("--contains={commit}"),
    };
    let mut args = vec!["for-each-ref", "--format=%(objectname) %(refname)", &filter];
    args.extend(prefixes.iter().map(String::as_str));
    let out = run_with_input(repo, &args, "")?;
    Ok(out
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(oid, name)| (name.to_string(), oid.to_string()))
        .collect())
}

/// rev-list's stdin: `<oid>` lines, then `^<oid>` lines (no argv length
/// limit, and no `--not`, which older git rejects on stdin). git reads all
/// of it before it prints anything.
fn rev_input(from: &[&str], not: &[&str]) -> String {
    let mut input = String::with_capacity((from.len() + not.len()) * 66);
    for f in from {
        input.push_str(f);
        input.push('\n');
    }
    for n in not {
        input.push('^');
        input.push_str(n);
        input.push('\n');
    }
    input
}

fn run_with_input(repo: &Repo, args: &[&str], input: &str) -> Result<String, EstimateError> {
    let out = super::git(repo, args).stdin(input).run()?;
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}
