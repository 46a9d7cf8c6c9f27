//! The cheap upper bound: how many objects the repository holds at most,
//! read from the pack `.idx` headers and by counting loose object files.
//!
//! Hand-written because it must cost a fraction of a millisecond and start
//! no process: only the first 1,032 bytes of each `.idx` are read (the
//! fanout table's last entry is the pack's object count, in v1 and v2).
//! Objects present in several packs are counted once per pack, so the sum
//! is an upper bound, never an undercount. Loose objects cost about 1 µs
//! each to count (150-200 ms for 200k of them), so counting stops once the
//! total reaches the caller's limit: past it, the exact size does not
//! matter. Their sizes (a `stat` each) are read only to prove a repository
//! below the limit small in bytes too ([`Inventory::scan_sized`]).
//!
//! A partial clone (a `.promisor` pack is there) lacks objects that git
//! fetches to push them: its own total bounds nothing, and
//! [`Inventory::upper_bound`] says so.

use std::fs::{self, File};
use std::io::Read;
use std::path::Path;

use super::loose::is_hex;
use super::{EstimateError, Repo};

/// Magic at the start of a v2 (and later) pack index.
const IDX_MAGIC: [u8; 4] = [0xff, b't', b'O', b'c'];
/// Bytes in a fanout table: 256 big-endian u32.
const FANOUT_LEN: usize = 256 * 4;

/// What the object directories hold, counted without git.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Inventory {
    /// Objects in packs (sum of the `.idx` counts).
    pub packed: u64,
    /// Loose object files.
    pub loose: u64,
    /// Total size of the `.pack` files in bytes.
    pub pack_bytes: u64,
    /// Total size of the loose object files (their stored, compressed size),
    /// when measured: by [`Inventory::scan_sized`], for a repository below its limit.
    pub loose_bytes: Option<u64>,
    /// False when loose objects were not all counted (the total reached the limit).
    pub complete: bool,
    /// True when a pack came from a promisor remote: a partial clone, which
    /// may lack objects a push sends (git fetches them first).
    pub partial: bool,
}

impl Inventory {
    /// Counts packed objects, then loose ones until the total reaches `limit`.
    ///
    /// `Inventory::scan(&repo, warn)`: if [`Inventory::upper_bound`] is below
    /// `warn`, no push from this repository can reach `warn`.
    pub fn scan(repo: &Repo, limit: u64) -> Result<Inventory, EstimateError> {
        Self::scan_inner(repo, limit, false)
    }

    /// [`Inventory::scan`], and when the whole repository is below `limit`
    /// (an upper bound exists), the loose objects' sizes too: one `stat` each
    /// (2-3 µs here), paid only when the counts may prove a push small.
    pub fn scan_sized(repo: &Repo, limit: u64) -> Result<Inventory, EstimateError> {
        Self::scan_inner(repo, limit, true)
    }

    fn scan_inner(repo: &Repo, limit: u64, sized: bool) -> Result<Inventory, EstimateError> {
        let mut inv = Inventory {
            complete: true,
            ..Inventory::default()
        };
        for dir in repo.object_dirs() {
            inv.scan_packs(&dir.join("pack"))?;
        }
        let mut files = Vec::new();
        for dir in repo.object_dirs() {
            let left = limit.saturating_sub(inv.total());
            let (n, complete) = count_loose(dir, left, sized.then_some(&mut files))?;
            inv.loose += n;
            if !complete {
                inv.complete = false;
                break;
            }
        }
        if sized && inv.upper_bound().is_some_and(|n| n < limit) {
            // A file that vanished meanwhile (pruned) adds nothing.
            let bytes = files.iter().map(|f| f.metadata().map_or(0, |m| m.len()));
            inv.loose_bytes = Some(bytes.sum());
        }
        Ok(inv)
    }

    /// Objects counted; the whole repository when `complete`, else a lower bound of it.
    pub fn total(&self) -> u64 {
        self.packed + self.loose
    }

    /// All objects, an upper bound on what any push sends; `None` if counting
    /// stopped early, or in a partial clone (a push may send objects it lacks).
    pub fn upper_bound(&self) -> Option<u64> {
        (self.complete && !self.partial).then(|| self.total())
    }

    /// The stored size of the whole repository (pack files plus loose object
    /// files) when the loose ones were measured: no push from here stores more.
    pub fn stored_bytes(&self) -> Option<u64> {
        self.loose_bytes.map(|loose| self.pack_bytes + loose)
    }

    /// Mean bytes per packed object, if there are packs.
    pub fn mean_packed_size(&self) -> Option<f64> {
        (self.packed > 0).then(|| self.pack_bytes as f64 / self.packed as f64)
    }

    fn scan_packs(&mut self, pack_dir: &Path) -> Result<(), EstimateError> {
        let entries = match fs::read_dir(pack_dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(source) => return Err(io_err(pack_dir, source)),
        };
        for entry in entries {
            let entry = entry.map_err(|e| io_err(pack_dir, e))?;
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "promisor") {
                self.partial = true;
                continue;
            }
            if path.extension().is_none_or(|e| e != "idx") {
                continue;
            }
            let pack = path.with_extension("pack");
            // An .idx without its .pack (being written or removed) holds nothing usable.
            let Ok(meta) = fs::metadata(&pack) else {
                continue;
            };
            self.packed += idx_object_count(&path)?;
            self.pack_bytes += meta.len();
        }
        Ok(())
    }
}

/// All objects in the repository (packed + loose, an upper bound on any push), without git.
///
/// Counts every loose object; prefer [`Inventory::scan`] with a limit on the hook's path.
pub fn quick_total(repo: &Repo) -> Result<u64, EstimateError> {
    Ok(Inventory::scan(repo, u64::MAX)?.total())
}

/// Reads the object count from a pack index header (v1 or v2).
pub(crate) fn idx_object_count(path: &Path) -> Result<u64, EstimateError> {
    let mut head = [0u8; 8 + FANOUT_LEN];
    let mut f = File::open(path).map_err(|e| io_err(path, e))?;
    let mut filled = 0;
    while filled < head.len() {
        match f.read(&mut head[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(io_err(path, e)),
        }
    }
    let bad = |reason: String| EstimateError::BadFile {
        path: path.to_path_buf(),
        reason,
    };
    let fanout_start = if head[..4] == IDX_MAGIC {
        let version = u32::from_be_bytes([head[4], head[5], head[6], head[7]]);
        if version != 2 {
            return Err(bad(format!("unsupported pack index version {version}")));
        }
        8
    } else {
        0
    };
    let end = fanout_start + FANOUT_LEN;
    if filled < end {
        return Err(bad(format!("truncated: {filled} bytes")));
    }
    let last = &head[end - 4..end];
    Ok(u64::from(u32::from_be_bytes([
        last[0], last[1], last[2], last[3],
    ])))
}

/// Counts loose objects (files in the two-hex-digit fan-out directories) up
/// to `limit`, keeping their entries in `files` when given; the flag is false
/// when it stopped there.
fn count_loose(
    objects: &Path,
    limit: u64,
    mut files: Option<&mut Vec<fs::DirEntry>>,
) -> Result<(u64, bool), EstimateError> {
    let entries = match fs::read_dir(objects) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((0, true)),
        Err(source) => return Err(io_err(objects, source)),
    };
    let mut n = 0;
    for entry in entries {
        let entry = entry.map_err(|e| io_err(objects, e))?;
        let name = entry.file_name();
        let is_fanout = name.len() == 2 && name.to_str().is_some_and(is_hex);
        if !is_fanout {
            continue;
        }
        if n >= limit {
            return Ok((n, false));
        }
        let sub = entry.path();
        let listing = fs::read_dir(&sub).map_err(|e| io_err(&sub, e))?;
        // Only names of the remaining hex digits are objects (not tmp_obj_*).
        for f in listing.filter_map(Result::ok) {
            if f.file_name().to_str().is_some_and(is_hex) {
                n += 1;
                if let Some(files) = files.as_deref_mut() {
                    files.push(f);
                }
            }
        }
    }
    Ok((n, true))
}

fn io_err(path: &Path, source: std::io::Error) -> EstimateError {
    EstimateError::Io {
        path: path.to_path_buf(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::estimate::test_util::git;

    fn all_objects(dir: &Path) -> u64 {
        git(dir, &["cat-file", "--batch-all-objects", "--batch-check"])
            .lines()
            .count() as u64
    }

    fn make_repo(dir: &Path, format: &str) {
        git(
            dir,
            &["init", "-q", &format!("--object-format={format}"), "."],
        );
        for i in 0..5 {
            fs::write(dir.join(format!("f{i}")), format!("{i}\n")).unwrap();
            git(dir, &["add", "."]);
            git(dir, &["commit", "-q", "-m", &format!("c{i}")]);
        }
    }

    #[test]
    fn counts_loose_then_packed_like_git() {
        for format in ["sha1", "sha256"] {
            let t = tempfile::tempdir().unwrap();
            make_repo(t.path(), format);
            let repo = Repo::discover(t.path()).unwrap();
            let inv = Inventory::scan(&repo, u64::MAX).unwrap();
            assert_eq!(inv.packed, 0);
            assert_eq!(inv.loose, all_objects(t.path()));
            assert_eq!(inv.upper_bound(), Some(inv.loose));
            let disk: u64 = git(
                t.path(),
                &[
                    "cat-file",
                    "--batch-all-objects",
                    "--batch-check=%(objectsize:disk)",
                ],
            )
            .lines()
            .map(|l| l.parse::<u64>().unwrap())
            .sum();
            assert_eq!(inv.loose_bytes, None, "measured only when asked");
            let sized = Inventory::scan_sized(&repo, inv.loose + 1).unwrap();
            assert_eq!(
                sized.loose_bytes,
                Some(disk),
                "loose bytes are git's stored sizes"
            );
            assert_eq!(sized.stored_bytes(), Some(disk));
            // Not below the limit: nothing to prove, nothing measured.
            let over = Inventory::scan_sized(&repo, inv.loose).unwrap();
            assert_eq!(over.stored_bytes(), None);
            let capped = Inventory::scan(&repo, 1).unwrap();
            assert!(!capped.complete && capped.upper_bound().is_none());
            assert!((1..inv.loose).contains(&capped.loose), "{capped:?}");
            git(t.path(), &["repack", "-adq"]);
            let inv = Inventory::scan(&repo, 0).unwrap();
            assert!(inv.complete, "no loose objects left to count");
            assert_eq!((inv.packed, inv.loose), (all_objects(t.path()), 0));
            assert!(inv.pack_bytes > 0);
            // One more loose commit on top of the pack.
            git(t.path(), &["commit", "-q", "--allow-empty", "-m", "x"]);
            assert_eq!(quick_total(&repo).unwrap(), all_objects(t.path()));
        }
    }

    #[test]
    fn reads_v1_index() {
        let t = tempfile::tempdir().unwrap();
        make_repo(t.path(), "sha1");
        git(t.path(), &["-c", "pack.indexVersion=1", "repack", "-adq"]);
        let repo = Repo::discover(t.path()).unwrap();
        let pack_dir = repo.object_dirs()[0].join("pack");
        let idx = fs::read_dir(&pack_dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|e| e == "idx"))
            .unwrap();
        assert_ne!(fs::read(&idx).unwrap()[..4], IDX_MAGIC);
        assert_eq!(idx_object_count(&idx).unwrap(), all_objects(t.path()));
    }

    #[test]
    fn truncated_index_is_an_error() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("x.idx");
        fs::write(&p, [0xff, b't', b'O', b'c', 0, 0, 0, 2, 0, 0]).unwrap();
        let e = idx_object_count(&p).unwrap_err();
        assert!(e.to_string().contains("truncated"), "{e}");
    }
}
