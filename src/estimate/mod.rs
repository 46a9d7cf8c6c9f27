//! How much a push sends: objects reachable from the new tips and not from
//! what the remote has, counted by git and stopped once the answer is known.
//!
//! Three costs, paid only as far as needed: [`Repo::discover`] and
//! [`quick_total`] start no process (an upper bound from the pack indexes);
//! [`estimate`] starts one `git rev-list` and stops it at the limit.
//! Everything here is synchronous and holds no shared state, so callers may
//! run it on a thread beside other fact finding.

use std::collections::BTreeSet;
use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::git::GitConfig;
use crate::plan::RefUpdate;

mod packs;
mod refs;
mod repo;
#[cfg(test)]
mod test_util;
mod walk;

pub use packs::{Inventory, quick_total};
pub use repo::Repo;

/// An object count: exact, or a lower bound when counting stopped early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    /// Exactly this many objects.
    Exact(u64),
    /// At least this many (counting stopped at the threshold).
    AtLeast(u64),
    /// At most this many (the repository's own total: no walk was needed).
    AtMost(u64),
}

impl Count {
    /// The number, exact or lower bound.
    pub fn value(self) -> u64 {
        match self {
            Count::Exact(n) | Count::AtLeast(n) | Count::AtMost(n) => n,
        }
    }

    /// True for `Exact`.
    pub fn is_exact(self) -> bool {
        matches!(self, Count::Exact(_))
    }
}

impl fmt::Display for Count {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Count::Exact(n) => write!(f, "{n}"),
            Count::AtLeast(n) => write!(f, "at least {n}"),
            Count::AtMost(n) => write!(f, "at most {n}"),
        }
    }
}

/// The push size as far as it was worth finding out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Estimate {
    /// Objects git will send.
    pub objects: Count,
    /// An upper bound on the objects: all objects in the repository, given when
    /// the count stopped at the limit and the remote has nothing in common.
    pub upper_bound: Option<u64>,
    /// Estimated bytes on the wire, if estimated.
    pub bytes: Option<Bytes>,
    /// Caveats a user should know (upper bound only, no commit-graph…).
    pub notes: Vec<String>,
    /// Whether git will use a commit-graph for the walk (false when no walk was made).
    pub commit_graph: bool,
    /// Time spent in `git rev-list`; `None` when no walk was needed.
    pub walk_time: Option<Duration>,
}

impl Estimate {
    /// The fast path's answer: the repository holds only `inventory.total()` objects, so no walk was needed.
    ///
    /// For a complete inventory (see [`Inventory::upper_bound`]). The count
    /// is "between 0 and the total": `objects` is `AtLeast(0)` and
    /// `upper_bound` is the total.
    pub fn within_repository(inventory: &Inventory) -> Estimate {
        Estimate {
            objects: Count::AtMost(inventory.total()),
            upper_bound: Some(inventory.total()),
            bytes: None,
            notes: vec![format!(
                "the whole repository holds at most {} objects: no count needed",
                inventory.total()
            )],
            commit_graph: false,
            walk_time: None,
        }
    }
}

/// A rough size on the wire: the object count times the mean packed object size.
///
/// Good for a threshold, not for a progress bar: a pack of the whole history
/// comes within a few percent; small incremental pushes of large or freshly
/// changed files can be off by a factor of a few (see docs/performance.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bytes {
    /// Estimated bytes.
    pub value: u64,
    /// True when the object count was a lower bound, so the bytes are too.
    pub at_least: bool,
}

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.at_least {
            f.write_str("at least ")?;
        }
        write!(f, "~{}", human_bytes(self.value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_bytes_reads_well() {
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(72_340_000), "72 MB");
        assert_eq!(human_bytes(1_234_567_890), "1.2 GB");
        let b = Bytes {
            value: 131_000,
            at_least: true,
        };
        assert_eq!(b.to_string(), "at least ~131 kB");
    }

    #[test]
    fn api_is_thread_safe() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<Repo>();
        send_sync::<Estimate>();
        send_sync::<EstimateError>();
    }
}

/// Formats bytes with two significant-ish digits in decimal units ("72 MB", "1.2 GB").
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1000.0 && unit + 1 < UNITS.len() {
        v /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else if v < 10.0 {
        format!("{v:.1} {}", UNITS[unit])
    } else {
        format!("{v:.0} {}", UNITS[unit])
    }
}

/// Why the push size could not be found out.
#[derive(Debug, thiserror::Error)]
pub enum EstimateError {
    /// No git repository at or above this directory.
    #[error("not a git repository: {}", dir.display())]
    NotARepo {
        /// Where the search started (or the `GIT_DIR` given).
        dir: PathBuf,
    },
    /// A repository file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A repository file is not in the expected format.
    #[error("cannot understand {}: {reason}", path.display())]
    BadFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// git could not be started or its output read.
    #[error("cannot run git: {0}")]
    Spawn(std::io::Error),
    /// git could not run, failed or ran out of time.
    #[error(transparent)]
    Process(#[from] crate::process::ProcessError),
    /// git exited non-zero.
    #[error("`git {args}` failed: {stderr}")]
    GitFailed {
        /// The arguments given to git.
        args: String,
        /// What git printed on stderr.
        stderr: String,
    },
}

/// Counts the objects a push of `updates` to `remote` sends, stopping at `stop_at`.
///
/// Tips are the new local oids; the boundary is the remote oids on stdin
/// plus the remote's tracking refs (`remote.<name>.fetch` destinations),
/// minus tracking refs that stdin contradicts. With `remote` unknown there
/// are no tracking refs and the count is an upper bound (said in `notes`).
pub fn estimate(
    repo: &Repo,
    cfg: &GitConfig,
    remote: Option<&str>,
    updates: &[RefUpdate],
    stop_at: u64,
) -> Result<Estimate, EstimateError> {
    estimate_with(repo, cfg, remote, updates, stop_at, (u64::MAX, &mut || {}))
}

/// [`estimate`], calling `on_reach.1` once as soon as the count reaches
/// `on_reach.0` (so that work needed only for large pushes starts early).
pub fn estimate_with(
    repo: &Repo,
    cfg: &GitConfig,
    remote: Option<&str>,
    updates: &[RefUpdate],
    stop_at: u64,
    on_reach: (u64, &mut dyn FnMut()),
) -> Result<Estimate, EstimateError> {
    let mut notes = Vec::new();
    let tips: BTreeSet<&str> = updates
        .iter()
        .filter_map(|u| u.local_oid.as_deref())
        .collect();
    let mut boundary: BTreeSet<&str> = updates
        .iter()
        .filter_map(|u| u.remote_oid.as_deref())
        .collect();
    let tracking = match remote {
        Some(name) => {
            let specs = refs::fetch_refspecs(cfg, name);
            let mut tracking = refs::tracking_refs(repo, &specs)?;
            for u in updates {
                for t in specs.iter().filter_map(|s| s.map(&u.remote_ref)) {
                    let stale = tracking
                        .get(&t)
                        .is_some_and(|oid| Some(oid.as_str()) != u.remote_oid.as_deref());
                    if stale && tracking.remove(&t).is_some() {
                        notes.push(format!(
                            "{t} is out of date (the remote's {} moved): not used as a boundary",
                            u.remote_ref
                        ));
                    }
                }
            }
            tracking
        }
        None => {
            notes.push(
                "no remote name for this URL, so its tracking refs are unknown: \
                 the count is an upper bound"
                    .to_string(),
            );
            Default::default()
        }
    };
    boundary.extend(tracking.values().map(String::as_str));
    // git ignores an existing commit-graph when core.commitGraph is false.
    let commit_graph =
        repo.has_commit_graph() && cfg.get_bool("core.commitGraph") != Ok(Some(false));
    if tips.is_empty() {
        return Ok(Estimate {
            objects: Count::Exact(0),
            upper_bound: None,
            bytes: Some(Bytes {
                value: 0,
                at_least: false,
            }),
            notes,
            commit_graph,
            walk_time: None,
        });
    }
    let tips: Vec<&str> = tips.into_iter().collect();
    let boundary: Vec<&str> = boundary.into_iter().collect();
    let started = Instant::now();
    let objects = walk::count_objects(repo, &tips, &boundary, stop_at, on_reach)?;
    let walk_time = started.elapsed();
    // Stopped before the limit: the time budget ran out first.
    if let Count::AtLeast(n) = objects
        && n < stop_at.max(1)
    {
        notes.push(format!(
            "the time budget (pushguard.timeBudget) ran out after {n} objects: the count is a lower bound"
        ));
    }
    // With nothing in common and the count stopped, the repository's size bounds the push.
    let wants_bound = boundary.is_empty() && !objects.is_exact();
    let inventory = Inventory::scan(repo, if wants_bound { u64::MAX } else { 0 })?;
    let bytes = inventory.mean_packed_size().map(|mean| Bytes {
        value: (objects.value() as f64 * mean).round() as u64,
        at_least: !objects.is_exact(),
    });
    Ok(Estimate {
        objects,
        upper_bound: wants_bound.then(|| inventory.total().max(objects.value())),
        bytes,
        notes,
        commit_graph,
        walk_time: Some(walk_time),
    })
}
