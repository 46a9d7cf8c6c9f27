//! What the count rests on: the boundary (what the server is taken to
//! have), and which parts of it this push does not confirm.
//!
//! The hook sees the server's refs only through stdin: for each ref the
//! push updates, the server's current value. Those are confirmed. The rest
//! of the boundary is assumed: the remote's tracking refs (what the server
//! had when this clone last fetched) and, for a remote this clone has
//! fetched from, the tags (git negotiates with every ref the server
//! advertises, tags included; which remote a tag came from is not recorded,
//! so every local tag stands in, which makes tags the weakest part).
//!
//! An assumption matters only if the count changes without it. The walk's
//! `--boundary` lines name the commits just outside what is sent; one that
//! no confirmed value reaches rests on an assumption, and it is attributed
//! to the refs that contain it: directly when a tracking ref points at it
//! (an ordinary new branch pays nothing), else by one `git for-each-ref
//! --contains` over the tracking refs, and only when none contains it, over
//! the tags (`--points-at` first: a branch started at a tag needs no walk).
//! Objects shared with an assumed ref's history through a tree alone (no
//! boundary commit) are not seen this way.

use std::collections::{BTreeMap, BTreeSet};

use super::refs;
use super::walk::{self, Reach};
use super::{EstimateError, Repo};
use crate::git::GitConfig;
use crate::plan::RefUpdate;

/// How many boundary commits get attributed to refs (one git process each at most).
const MAX_ATTRIBUTED: usize = 8;
/// How many commits a reachability check may list before it gives up.
const MAX_COMMITS: usize = 10_000;

/// What kind of ref an assumption is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RefKind {
    /// A remote-tracking ref: what the server had at the last fetch.
    Tracking,
    /// A tag, taken to be on the server because this clone fetched from it.
    Tag,
}

impl RefKind {
    /// The lowercase name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            RefKind::Tracking => "tracking",
            RefKind::Tag => "tag",
        }
    }
}

/// A ref the count takes the server to still have, which this push's stdin does not confirm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assumption {
    /// The remote taken to have it.
    pub remote: String,
    /// Tracking ref or tag.
    pub kind: RefKind,
    /// The local ref (`refs/remotes/origin/main`, `refs/tags/v1.0`).
    pub local_ref: String,
    /// The ref on the server it stands for (`refs/heads/main`, `refs/tags/v1.0`).
    pub remote_ref: String,
    /// What the local ref points to.
    pub oid: String,
    /// When the local ref last changed (its reflog's last entry, seconds since
    /// the epoch); `None` when it has no reflog (tags usually have none).
    pub updated: Option<u64>,
}

/// A tracking ref in the boundary.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Tracked {
    oid: String,
    remote_ref: String,
    /// stdin gives the server's value of `remote_ref`, and it is `oid`.
    confirmed: bool,
}

/// The boundary of one push, each part marked confirmed or assumed.
#[derive(Debug, Clone, Default)]
pub(crate) struct Boundary {
    remote: Option<String>,
    /// The server's current values of the refs this push updates (stdin).
    confirmed: BTreeSet<String>,
    /// Tracking refs that stdin does not contradict.
    tracking: BTreeMap<String, Tracked>,
    /// Tags taken to be on the server.
    tags: BTreeMap<String, String>,
    /// Where the tracking refs live (`refs/remotes/origin/`).
    tracking_dirs: Vec<String>,
}

/// Which assumptions the count relies on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Reliance {
    /// The refs relied on.
    pub assumes: Vec<Assumption>,
    /// True when some boundary commit rests on tags alone.
    pub tags_matter: bool,
}

impl Boundary {
    /// Tracking refs of `remote` minus those stdin contradicts, and its tags
    /// when it was fetched from; `notes` gets what was left out and why.
    pub(crate) fn build(
        repo: &Repo,
        cfg: &GitConfig,
        remote: Option<&str>,
        updates: &[RefUpdate],
        notes: &mut Vec<String>,
    ) -> Result<Boundary, EstimateError> {
        let mut b = Boundary {
            remote: remote.map(str::to_string),
            confirmed: updates
                .iter()
                .filter_map(|u| u.remote_oid.clone())
                .collect(),
            ..Boundary::default()
        };
        let Some(name) = remote else {
            notes.push(
                "no remote name for this URL, so its tracking refs are unknown: \
                 the count is an upper bound"
                    .to_string(),
            );
            return Ok(b);
        };
        let specs = refs::fetch_refspecs(cfg, name);
        let found = refs::tracking_refs(repo, &specs)?;
        let fetched = !found.is_empty();
        for (local, oid) in found {
            let Some(remote_ref) = specs.iter().find_map(|s| s.source_of(&local)) else {
                continue;
            };
            // stdin holds the server's real value of the refs it updates.
            let told = updates.iter().find(|u| u.remote_ref == remote_ref);
            let confirmed = match told {
                Some(u) if u.remote_oid.as_deref() != Some(oid.as_str()) => {
                    notes.push(format!(
                        "{local} is out of date (the remote's {remote_ref} moved): not used as a boundary"
                    ));
                    continue;
                }
                Some(_) => true,
                None => false,
            };
            b.tracking.insert(
                local,
                Tracked {
                    oid,
                    remote_ref,
                    confirmed,
                },
            );
        }
        // Only whole directories: for-each-ref without a pattern lists every ref.
        let mut dirs: Vec<String> = specs
            .iter()
            .map(|s| s.dst_dir())
            .filter(|d| !d.is_empty())
            .map(|d| format!("{d}/"))
            .collect();
        dirs.sort_unstable();
        dirs.dedup();
        b.tracking_dirs = dirs;
        let no_tags = cfg
            .get(&format!("remote.{name}.tagOpt"))
            .is_some_and(|v| v.trim() == "--no-tags");
        if fetched && !no_tags {
            b.tags = refs::tags(repo)?;
            // A tag this push creates or moves is not (or not so) on the server;
            // one it leaves alone with the same value is confirmed already.
            for u in updates
                .iter()
                .filter(|u| u.remote_ref.starts_with("refs/tags/"))
            {
                b.tags.remove(&u.remote_ref);
            }
        }
        Ok(b)
    }

    /// The boundary oids: confirmed, tracking and (with `with_tags`) tags.
    pub(crate) fn oids(&self, with_tags: bool) -> Vec<&str> {
        let mut all: BTreeSet<&str> = self.confirmed.iter().map(String::as_str).collect();
        all.extend(self.tracking.values().map(|t| t.oid.as_str()));
        if with_tags {
            all.extend(self.tags.values().map(String::as_str));
        }
        all.into_iter().collect()
    }

    /// True when some part of the boundary is assumed (not confirmed by stdin).
    pub(crate) fn has_assumptions(&self) -> bool {
        !self.tags.is_empty() || self.tracking.values().any(|t| !t.confirmed)
    }

    /// True when tags are part of the boundary.
    pub(crate) fn has_tags(&self) -> bool {
        !self.tags.is_empty()
    }

    /// The assumed refs that the boundary commits rest on; `notes` gets what could not be told.
    pub(crate) fn relied_on(
        &self,
        repo: &Repo,
        boundary_commits: &[String],
        notes: &mut Vec<String>,
    ) -> Result<Reliance, EstimateError> {
        let mut out = Reliance::default();
        if boundary_commits.is_empty() || !self.has_assumptions() {
            return Ok(out);
        }
        let uncovered = self.not_confirmed(repo, boundary_commits)?;
        let mut relied: BTreeMap<(RefKind, String), String> = BTreeMap::new();
        for b in uncovered.iter().take(MAX_ATTRIBUTED) {
            let direct: Vec<(String, String)> = self
                .tracking
                .iter()
                .filter(|(_, t)| !t.confirmed && t.oid == *b)
                .map(|(name, t)| (name.clone(), t.oid.clone()))
                .collect();
            if !direct.is_empty() {
                for (name, oid) in direct {
                    relied.insert((RefKind::Tracking, name), oid);
                }
                continue;
            }
            // Tracking refs first: a branch point on an older commit of main is
            // the common case, and asking about every tag costs more.
            let by_tracking: Vec<(String, String)> = match self.tracking_dirs.is_empty() {
                true => Vec::new(),
                false => walk::refs_at(repo, b, Reach::Contains, &self.tracking_dirs)?
                    .into_iter()
                    .filter(|(name, _)| self.tracking.get(name).is_some_and(|t| !t.confirmed))
                    .collect(),
            };
            if !by_tracking.is_empty() {
                for (name, oid) in by_tracking {
                    relied.insert((RefKind::Tracking, name), oid);
                }
                continue;
            }
            if !self.has_tags() {
                continue;
            }
            // A branch started at a tag is the common case: no walk for it.
            let tags = ["refs/tags/".to_string()];
            let mut by_tag = walk::refs_at(repo, b, Reach::PointsAt, &tags)?;
            by_tag.retain(|(name, _)| self.tags.contains_key(name));
            if by_tag.is_empty() {
                by_tag = walk::refs_at(repo, b, Reach::Contains, &tags)?;
                by_tag.retain(|(name, _)| self.tags.contains_key(name));
            }
            out.tags_matter |= !by_tag.is_empty();
            for (name, oid) in by_tag {
                relied.insert((RefKind::Tag, name), oid);
            }
        }
        if uncovered.len() > MAX_ATTRIBUTED {
            notes.push(format!(
                "the count also rests on {} more boundary commits, not traced to their refs",
                uncovered.len() - MAX_ATTRIBUTED
            ));
            out.tags_matter |= self.has_tags();
        }
        let remote = self.remote.clone().unwrap_or_default();
        out.assumes = relied
            .into_iter()
            .map(|((kind, local_ref), oid)| {
                let remote_ref = match kind {
                    RefKind::Tracking => self
                        .tracking
                        .get(&local_ref)
                        .map_or_else(|| local_ref.clone(), |t| t.remote_ref.clone()),
                    RefKind::Tag => local_ref.clone(),
                };
                Assumption {
                    remote: remote.clone(),
                    kind,
                    updated: refs::last_update(repo, &local_ref),
                    local_ref,
                    remote_ref,
                    oid,
                }
            })
            .collect();
        Ok(out)
    }

    /// The boundary commits that no confirmed value reaches (all of them when
    /// nothing is confirmed; when the check gives up, the ones it did not clear).
    fn not_confirmed(&self, repo: &Repo, commits: &[String]) -> Result<Vec<String>, EstimateError> {
        let open: Vec<&str> = commits
            .iter()
            .map(String::as_str)
            .filter(|c| !self.confirmed.contains(*c))
            .collect();
        if open.is_empty() || self.confirmed.is_empty() {
            return Ok(open.into_iter().map(str::to_string).collect());
        }
        let confirmed: Vec<&str> = self.confirmed.iter().map(String::as_str).collect();
        let listed = walk::commits(repo, &open, &confirmed, MAX_COMMITS)?;
        let gave_up = listed.len() >= MAX_COMMITS;
        let listed: BTreeSet<&str> = listed.iter().map(String::as_str).collect();
        Ok(open
            .into_iter()
            .filter(|c| gave_up || listed.contains(c))
            .map(str::to_string)
            .collect())
    }
}
