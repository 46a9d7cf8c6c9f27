//! The cheap upper bound: how many objects the repository holds at most,
//! read from the pack `.idx` headers and by counting loose object files.
//!
//! Hand-written because it must cost a fraction of a millisecond and start
//! no process: only the first 1,032 bytes of each `.idx` are read (the
//! fanout table's last entry is the pack's object count, in v1 and v2).
//! Objects present in several packs are counted once per pack, so the sum
//! is an upper bound, never an undercount.

use std::fs::{self, File};
use std::io::Read;
use std::path::Path;

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
}

impl Inventory {
    /// Counts packed and loose objects in every object directory of `repo`.
    pub fn scan(repo: &Repo) -> Result<Inventory, EstimateError> {
        let mut inv = Inventory::default();
        for dir in repo.object_dirs() {
            inv.scan_packs(&dir.join("pack"))?;
            inv.loose += count_loose(dir)?;
        }
        Ok(inv)
    }

    /// All objects: an upper bound on what any push from this repository sends.
    pub fn total(&self) -> u64 {
        self.packed + self.loose
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

/// The repository's object count upper bound (packed + loose), without git.
pub fn quick_total(repo: &Repo) -> Result<u64, EstimateError> {
    Ok(Inventory::scan(repo)?.total())
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

/// Counts loose objects: files in the two-hex-digit fan-out directories.
fn count_loose(objects: &Path) -> Result<u64, EstimateError> {
    let entries = match fs::read_dir(objects) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
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
        let sub = entry.path();
        let files = fs::read_dir(&sub).map_err(|e| io_err(&sub, e))?;
        // Only names of the remaining hex digits are objects (not tmp_obj_*).
        n += files
            .filter_map(Result::ok)
            .filter(|f| f.file_name().to_str().is_some_and(is_hex))
            .count() as u64;
    }
    Ok(n)
}

fn is_hex(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit())
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
            let inv = Inventory::scan(&repo).unwrap();
            assert_eq!(inv.packed, 0);
            assert_eq!(inv.loose, all_objects(t.path()));
            git(t.path(), &["repack", "-adq"]);
            let inv = Inventory::scan(&repo).unwrap();
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
