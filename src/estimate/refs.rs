//! The refs that stand for what the server has: the remote's tracking refs
//! (the destinations of `remote.<name>.fetch` refspecs), the tags, and when
//! each last changed (its reflog).
//!
//! Read from `packed-refs`, the loose ref files and the reflog files
//! directly, because one `git for-each-ref` costs more than the whole
//! small-push budget; a repository using the reftable backend is asked
//! through git instead.

use std::collections::BTreeMap;
use std::fs;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use super::{EstimateError, Repo};
use crate::git::GitConfig;
use crate::plan::is_oid;

/// One `src:dst` fetch refspec (the leading `+` dropped), possibly with one `*` on each side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refspec {
    src: String,
    dst: String,
}

/// A pattern with at most one `*`: `prefix*suffix`, or an exact name.
fn glob_match<'a>(pattern: &str, name: &'a str) -> Option<&'a str> {
    match pattern.split_once('*') {
        None => (pattern == name).then_some(""),
        Some((prefix, suffix)) => name
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix(suffix)),
    }
}

impl Refspec {
    /// True when `local_ref` is a destination of this refspec.
    fn covers_dst(&self, local_ref: &str) -> bool {
        glob_match(&self.dst, local_ref).is_some()
    }

    /// The remote ref that `local_ref` tracks, if it is a destination of this refspec.
    pub(crate) fn source_of(&self, local_ref: &str) -> Option<String> {
        let star = glob_match(&self.dst, local_ref)?;
        Some(self.src.replacen('*', star, 1))
    }

    /// The deepest directory under which all destinations live (`refs/remotes/origin`).
    pub(crate) fn dst_dir(&self) -> &str {
        let fixed = self.dst.split('*').next().unwrap_or("");
        fixed.rsplit_once('/').map_or("", |(dir, _)| dir)
    }
}

/// The fetch refspecs of `remote` that name a destination; git's default when none are set.
pub(crate) fn fetch_refspecs(cfg: &GitConfig, remote: &str) -> Vec<Refspec> {
    let configured = cfg.get_all(&format!("remote.{remote}.fetch"));
    let default = format!("+refs/heads/*:refs/remotes/{remote}/*");
    let values: Vec<&str> = if configured.is_empty() {
        vec![default.as_str()]
    } else {
        configured
    };
    values
        .iter()
        .filter_map(|v| {
            let v = v.trim().strip_prefix('+').unwrap_or(v.trim());
            // Negative refspecs (`^refs/...`) only exclude; sources without a destination track nothing.
            if v.starts_with('^') {
                return None;
            }
            let (src, dst) = v.split_once(':')?;
            let src_stars = src.matches('*').count();
            let ok = !dst.is_empty() && src_stars <= 1 && src_stars == dst.matches('*').count();
            ok.then(|| Refspec {
                src: src.to_string(),
                dst: dst.to_string(),
            })
        })
        .collect()
}

/// Every local ref that some refspec names as a destination, with its oid.
pub(crate) fn tracking_refs(
    repo: &Repo,
    specs: &[Refspec],
) -> Result<BTreeMap<String, String>, EstimateError> {
    if specs.is_empty() {
        return Ok(BTreeMap::new());
    }
    let wanted = |name: &str| specs.iter().any(|s| s.covers_dst(name));
    let mut dirs: Vec<&str> = specs.iter().map(Refspec::dst_dir).collect();
    dirs.sort_unstable();
    dirs.dedup();
    read_refs(repo, &dirs, &wanted)
}

/// Every tag (`refs/tags/*`) with the object it names (a tag object or a commit).
pub(crate) fn tags(repo: &Repo) -> Result<BTreeMap<String, String>, EstimateError> {
    read_refs(repo, &["refs/tags"], &|name| name.starts_with("refs/tags/"))
}

/// Refs under `dirs` that `wanted` accepts: `packed-refs` first, loose files
/// winning over it; a reftable repository asks git.
fn read_refs(
    repo: &Repo,
    dirs: &[&str],
    wanted: &dyn Fn(&str) -> bool,
) -> Result<BTreeMap<String, String>, EstimateError> {
    let common = repo.common_dir();
    if common.join("reftable").is_dir() {
        return refs_from_git(repo, dirs, wanted);
    }
    let mut refs = BTreeMap::new();
    let packed = common.join("packed-refs");
    match fs::read_to_string(&packed) {
        Ok(text) => {
            // `^<oid>` lines (a tag's peeled value) fail `is_oid` on the first field.
            for line in text.lines() {
                if let Some((oid, name)) = line.split_once(' ')
                    && is_oid(oid)
                    && wanted(name)
                {
                    refs.insert(name.to_string(), oid.to_string());
                }
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(source) => {
            return Err(EstimateError::Io {
                path: packed,
                source,
            });
        }
    }
    for dir in dirs {
        read_loose(common, dir, wanted, &mut refs)?;
    }
    Ok(refs)
}

/// Reads loose refs under `<common>/<dir>` recursively; loose values win over packed ones.
fn read_loose(
    common: &Path,
    dir: &str,
    wanted: &dyn Fn(&str) -> bool,
    refs: &mut BTreeMap<String, String>,
) -> Result<(), EstimateError> {
    let path = common.join(dir);
    let entries = match fs::read_dir(&path) {
        Ok(e) => e,
        Err(_) => return Ok(()),
    };
    for entry in entries.filter_map(Result::ok) {
        let Some(name) = entry.file_name().to_str().map(|n| format!("{dir}/{n}")) else {
            continue;
        };
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            read_loose(common, &name, wanted, refs)?;
        } else if wanted(&name)
            && let Ok(text) = fs::read_to_string(entry.path())
        {
            // Symbolic refs (`ref: ...`) are skipped: their targets are read on their own.
            let oid = text.trim_end();
            if is_oid(oid) {
                refs.insert(name, oid.to_string());
            }
        }
    }
    Ok(())
}

/// The reftable backend: one `git for-each-ref` over `dirs`.
fn refs_from_git(
    repo: &Repo,
    dirs: &[&str],
    wanted: &dyn Fn(&str) -> bool,
) -> Result<BTreeMap<String, String>, EstimateError> {
    let mut args = vec!["for-each-ref", "--format=%(objectname) %(refname)"];
    let dirs: Vec<String> = dirs.iter().map(|d| format!("{d}/")).collect();
    args.extend(dirs.iter().map(String::as_str));
    let out = super::git(repo, &args).run()?;
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once(' '))
        .filter(|(oid, name)| is_oid(oid) && wanted(name))
        .map(|(oid, name)| (name.to_string(), oid.to_string()))
        .collect())
}

/// When `name` last changed, from the last entry of its reflog (seconds
/// since the epoch); `None` without a reflog (tags usually have none, and a
/// reftable repository keeps its logs where this does not look).
pub(crate) fn last_update(repo: &Repo, name: &str) -> Option<u64> {
    let path = repo.common_dir().join("logs").join(name);
    let mut file = fs::File::open(path).ok()?;
    // The last entry is near the end; a line is ~150 bytes plus the message.
    const TAIL: u64 = 8 * 1024;
    let len = file.metadata().ok()?.len();
    file.seek(SeekFrom::Start(len.saturating_sub(TAIL))).ok()?;
    let mut tail = Vec::new();
    file.read_to_end(&mut tail).ok()?;
    let text = String::from_utf8_lossy(&tail);
    let line = text.trim_end_matches('\n').rsplit('\n').next()?;
    reflog_time(line)
}

/// The time of one reflog line: `<old> <new> <name> <<email>> <seconds> <zone>\t<message>`.
fn reflog_time(line: &str) -> Option<u64> {
    let head = line.split('\t').next()?;
    let mut fields = head.rsplit(' ');
    let _zone = fields.next()?;
    fields.next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_and_configured_refspecs_map() {
        let cfg = GitConfig::default();
        let specs = fetch_refspecs(&cfg, "origin");
        assert_eq!(
            specs[0].source_of("refs/remotes/origin/a/b").as_deref(),
            Some("refs/heads/a/b")
        );
        assert_eq!(specs[0].source_of("refs/tags/v1"), None);
        let cfg = GitConfig::from_pairs([
            ("remote.up.fetch", "refs/heads/main:refs/remotes/up/main"),
            ("remote.up.fetch", "+refs/heads/*/x:refs/mirror/*/y"),
            ("remote.up.fetch", "^refs/heads/secret"),
            ("remote.up.fetch", "refs/tags/v1"),
        ]);
        let specs = fetch_refspecs(&cfg, "up");
        assert_eq!(specs.len(), 2);
        assert_eq!(
            specs[0].source_of("refs/remotes/up/main").as_deref(),
            Some("refs/heads/main")
        );
        assert_eq!(specs[0].source_of("refs/remotes/up/other"), None);
        assert_eq!(specs[1].dst_dir(), "refs/mirror");
        assert!(specs[1].covers_dst("refs/mirror/q/y"));
        assert_eq!(
            specs[1].source_of("refs/mirror/q/y").as_deref(),
            Some("refs/heads/q/x")
        );
    }

    #[test]
    fn reflog_time_is_the_last_entry() {
        let z = "0".repeat(40);
        let a = "a".repeat(40);
        let line =
            format!("{z} {a} A U Thor <a@example.com> 1700000000 +0200\tfetch: fast-forward");
        assert_eq!(reflog_time(&line), Some(1_700_000_000));
        assert_eq!(reflog_time("garbage"), None);
    }
}
