//! How much a push sends: objects reachable from the new tips and not from
//! what the remote has, counted by git and stopped once the answer is known.
//!
//! Three costs, paid only as far as needed: [`Repo::discover`] and
//! [`quick_total`] start no process (an upper bound from the pack indexes);
//! [`estimate`] starts one `git rev-list` and stops it at the limit (a
//! few more small git processes only in rare cases: see `boundary` and
//! partial clones in `walk`). Everything here is synchronous and holds no
//! shared state, so callers may run it on a thread beside other fact finding.
//!
//! No git started here fetches anything: a partial clone's missing objects
//! are listed, never fetched (`GIT_NO_LAZY_FETCH=1` on every process, and
//! `--missing=print` on the walk).

use std::collections::BTreeSet;
use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::git::GitConfig;
use crate::plan::RefUpdate;
use crate::process::{ProcessBuilder, ProcessError};

mod boundary;
mod loose;
mod packs;
mod refs;
mod repo;
#[cfg(test)]
mod test_util;
mod walk;

pub use boundary::{Assumption, RefKind};
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
    ///
    /// `Exact` means exactly what git sends if the server still has every ref
    /// in `assumes`; `AtLeast` holds whatever the server has (fewer refs there
    /// only add objects).
    pub objects: Count,
    /// An upper bound on the objects: all objects in the repository, given when
    /// the count stopped at the limit and the remote has nothing in common.
    pub upper_bound: Option<u64>,
    /// The stored size of what is sent, if estimated.
    pub bytes: Option<Bytes>,
    /// Caveats a user should know (upper bound only, no commit-graph…).
    pub notes: Vec<String>,
    /// Whether git will use a commit-graph for the walk (false when no walk was made).
    pub commit_graph: bool,
    /// Time spent in `git rev-list`; `None` when no walk was needed.
    pub walk_time: Option<Duration>,
    /// The refs the count takes the server to still have that this push does
    /// not confirm; empty when it rests on none (or was not counted exactly).
    pub assumes: Vec<Assumption>,
    /// The count if the server has none of the tags in `assumes` (the weakest
    /// assumption); `None` when no tag changes the count.
    pub without_tags: Option<Count>,
    /// Objects counted that this repository lacks: a partial clone's, which
    /// git fetches from the promisor remote to send them.
    pub missing: u64,
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
            assumes: Vec::new(),
            without_tags: None,
            missing: 0,
        }
    }
}

/// The stored size of what a push sends: the objects compressed as this
/// repository keeps them (a loose object's file, a packed object's share of
/// its pack).
///
/// git writes the push's pack anew, with deltas against what the server
/// has, so the bytes on the wire are about this for new content and fewer
/// when new objects are small edits of old ones. Loose objects are measured
/// exactly (`exact`); packed ones are estimated at the repository's mean
/// packed object size, good for a threshold and not for a progress bar: a
/// pack of the whole history comes within a few percent; small incremental
/// pushes of large or freshly changed files can be off by a factor of a few
/// (see docs/performance.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bytes {
    /// The bytes: measured, estimated or a lower bound, as [`Bytes::quality`] says.
    pub value: u64,
    /// True when `value` is a lower bound: the count stopped early, or some
    /// objects' sizes are unknown (missing from a partial clone).
    pub at_least: bool,
    /// The part of `value` measured exactly (loose object files); the rest is
    /// packed objects at the mean packed size.
    pub exact: u64,
}

/// How a byte figure relates to the stored size of what the push sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quality {
    /// Exactly the stored size: every object sent was measured.
    Exact,
    /// An estimate: some objects are packed and counted at the mean size.
    Approx,
    /// A lower bound (possibly of an estimate): more is sent than was measured.
    AtLeast,
}

impl Quality {
    /// The lowercase name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Quality::Exact => "exact",
            Quality::Approx => "approx",
            Quality::AtLeast => "at_least",
        }
    }
}

impl Bytes {
    /// Exact, estimated, or a lower bound.
    pub fn quality(&self) -> Quality {
        match (self.at_least, self.exact >= self.value) {
            (true, _) => Quality::AtLeast,
            (false, true) => Quality::Exact,
            (false, false) => Quality::Approx,
        }
    }
}

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.at_least {
            f.write_str("at least ")?;
        }
        if self.exact < self.value {
            f.write_str("~")?;
        }
        f.write_str(&human_bytes(self.value))
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
            exact: 0,
        };
        assert_eq!(b.to_string(), "at least ~131 kB");
        assert_eq!(b.quality(), Quality::AtLeast);
        let b = Bytes {
            value: 12_600_000,
            at_least: false,
            exact: 12_600_000,
        };
        assert_eq!(
            (b.to_string().as_str(), b.quality()),
            ("13 MB", Quality::Exact)
        );
        let b = Bytes {
            exact: 600_000,
            ..b
        };
        assert_eq!(
            (b.to_string().as_str(), b.quality()),
            ("~13 MB", Quality::Approx)
        );
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
    /// git could not be started, timed out, failed, or its output could not be read.
    #[error(transparent)]
    Git(#[from] ProcessError),
}

/// A git command for the estimate: run where git runs for this repository,
/// bounded like every git call ([`crate::git::command`]), and never fetching
/// a partial clone's missing objects (`GIT_NO_LAZY_FETCH`, honoured by git
/// 2.45 and later and by 2.39.4+ security releases; for older git, the
/// walk's own `--missing=print` keeps it from fetching).
pub(crate) fn git(repo: &Repo, args: &[&str]) -> ProcessBuilder {
    let mut git = crate::git::command(repo.cwd(), args);
    git.env("GIT_NO_LAZY_FETCH", "1");
    git
}

/// Counts the objects a push of `updates` to `remote` sends, stopping at `stop_at`.
///
/// Tips are the new local oids; the boundary is the remote oids on stdin
/// (confirmed), plus the remote's tracking refs (`remote.<name>.fetch`
/// destinations) minus those stdin contradicts, plus its tags when this clone
/// fetched from it (assumed: see [`Estimate::assumes`]). With `remote`
/// unknown there are no tracking refs and the count is an upper bound (said
/// in `notes`).
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
    let bounds = boundary::Boundary::build(repo, cfg, remote, updates, &mut notes)?;
    // git ignores an existing commit-graph when core.commitGraph is false.
    let commit_graph =
        repo.has_commit_graph() && cfg.get_bool("core.commitGraph") != Ok(Some(false));
    let mut est = Estimate {
        objects: Count::Exact(0),
        upper_bound: None,
        bytes: Some(Bytes {
            value: 0,
            at_least: false,
            exact: 0,
        }),
        notes,
        commit_graph,
        walk_time: None,
        assumes: Vec::new(),
        without_tags: None,
        missing: 0,
    };
    if tips.is_empty() {
        return Ok(est);
    }
    let tips: Vec<&str> = tips.into_iter().collect();
    let oids = bounds.oids(true);
    let started = Instant::now();
    let walk = walk::Walk {
        tips: &tips,
        boundary: &oids,
        stop_at,
        boundary_commits: bounds.has_assumptions(),
        no_blobs: false,
        measure_loose: true,
    };
    let walked = walk.run(repo, on_reach)?;
    est.walk_time = Some(started.elapsed());
    est.objects = walked.objects;
    est.missing = walked.missing;
    // Stopped before the limit: the time budget ran out first.
    if let Count::AtLeast(n) = est.objects
        && n < stop_at.max(1)
    {
        est.notes.push(format!(
            "the time budget (pushguard.timeBudget) ran out after {n} objects: the count is a lower bound"
        ));
    }
    if walked.missing > 0 && walked.objects.is_exact() {
        missing_trees(repo, &walk, &mut est)?;
    }
    if est.objects.is_exact() {
        let reliance = bounds.relied_on(repo, &walked.boundary, &mut est.notes)?;
        if reliance.tags_matter {
            let without = bounds.oids(false);
            let walk = walk::Walk {
                boundary: &without,
                boundary_commits: false,
                measure_loose: false,
                ..walk
            };
            est.without_tags = Some(walk.run(repo, (u64::MAX, &mut || {}))?.objects);
        }
        est.assumes = reliance.assumes;
    }
    // With nothing in common and the count stopped, the repository's size bounds the push.
    let wants_bound = oids.is_empty() && !est.objects.is_exact();
    let inventory = Inventory::scan(repo, if wants_bound { u64::MAX } else { 0 })?;
    est.upper_bound = wants_bound
        .then(|| inventory.upper_bound())
        .flatten()
        .map(|total| total.max(est.objects.value()));
    est.bytes = stored_bytes(&walked, est.objects, &inventory);
    Ok(est)
}

/// Says how many counted objects this partial clone lacks; if any of them is
/// a tree (a walk without blobs finds those), what it holds is unknown and the
/// count becomes a lower bound.
fn missing_trees(
    repo: &Repo,
    walk: &walk::Walk<'_>,
    est: &mut Estimate,
) -> Result<(), EstimateError> {
    let trees = walk::Walk {
        no_blobs: true,
        boundary_commits: false,
        measure_loose: false,
        ..*walk
    }
    .run(repo, (u64::MAX, &mut || {}))?;
    let hidden = if trees.missing > 0 {
        est.objects = Count::AtLeast(est.objects.value());
        format!(
            ", {} of them trees whose contents are unknown here, so the count is a lower bound",
            trees.missing
        )
    } else {
        String::new()
    };
    est.notes.push(format!(
        "{} of these objects are not in this partial clone: git fetches them from the promisor remote to send them{hidden}",
        est.missing
    ));
    Ok(())
}

/// The stored size of what the walk counted: loose objects as measured,
/// packed ones at the mean packed size; `None` when objects are packed but
/// no pack gives a mean.
fn stored_bytes(walked: &walk::Walked, objects: Count, inventory: &Inventory) -> Option<Bytes> {
    let present = walked.objects.value().saturating_sub(walked.missing);
    let packed = present.saturating_sub(walked.loose_objects);
    let packed_bytes = match inventory.mean_packed_size() {
        Some(mean) => (packed as f64 * mean).round() as u64,
        None if packed == 0 => 0,
        None => return None,
    };
    Some(Bytes {
        value: walked.loose_bytes + packed_bytes,
        at_least: !objects.is_exact() || walked.missing > 0,
        exact: walked.loose_bytes,
    })
}
