//! Loose objects by name, and their stored sizes, read from the object
//! directories' fan-out folders without git.
//!
//! A loose object's file is the object zlib-compressed, so its length is the
//! object's stored size exactly. Reading the names costs a directory listing
//! per fan-out folder (git keeps a few thousand loose objects at most, see
//! `gc.auto`); a size costs one `stat`, paid only for objects a push sends.

use std::collections::HashMap;
use std::fs;

use super::{EstimateError, Repo};

/// The loose objects of every object directory (alternates included).
#[derive(Debug, Default)]
pub(crate) struct Loose {
    /// Object name (hex) → its directory entry (a `stat` through the entry's
    /// open directory costs about half of one by path).
    names: HashMap<Box<str>, fs::DirEntry>,
}

impl Loose {
    /// Lists the loose objects of `repo`.
    pub(crate) fn read(repo: &Repo) -> Result<Loose, EstimateError> {
        let mut loose = Loose::default();
        for dir in repo.object_dirs() {
            let entries = match fs::read_dir(dir) {
                Ok(e) => e,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(source) => {
                    return Err(EstimateError::Io {
                        path: dir.clone(),
                        source,
                    });
                }
            };
            for entry in entries.filter_map(Result::ok) {
                let name = entry.file_name();
                let Some(fanout) = name.to_str().filter(|n| n.len() == 2 && is_hex(n)) else {
                    continue;
                };
                let Ok(files) = fs::read_dir(entry.path()) else {
                    continue;
                };
                for file in files.filter_map(Result::ok) {
                    let name = file.file_name();
                    // Only names of the remaining hex digits are objects (not tmp_obj_*).
                    if let Some(rest) = name.to_str().filter(|r| is_hex(r)) {
                        // git writes loose object names in lowercase, as rev-list prints them.
                        let mut oid = String::with_capacity(2 + rest.len());
                        oid.push_str(fanout);
                        oid.push_str(rest);
                        // The first object directory holding it wins, as in git.
                        loose.names.entry(oid.into_boxed_str()).or_insert(file);
                    }
                }
            }
        }
        Ok(loose)
    }

    /// True when no object directory holds a loose object.
    pub(crate) fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// How many loose objects there are.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }

    /// The stored size of `oid` if it is loose (one `stat`; `None` if it vanished meanwhile).
    pub(crate) fn size(&self, oid: &str) -> Option<u64> {
        self.names.get(oid)?.metadata().ok().map(|m| m.len())
    }
}

pub(crate) fn is_hex(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::estimate::test_util::git;

    #[test]
    fn sizes_are_the_files_and_packed_objects_are_not_loose() {
        let t = tempfile::tempdir().unwrap();
        git(t.path(), &["init", "-q", "."]);
        fs::write(t.path().join("a"), "a\n".repeat(1000)).unwrap();
        git(t.path(), &["add", "a"]);
        let blob = git(t.path(), &["rev-parse", ":a"]);
        let blob = blob.trim();
        let repo = Repo::discover(t.path()).unwrap();
        let loose = Loose::read(&repo).unwrap();
        assert_eq!(loose.len(), 1);
        // git's own measure of the stored size agrees.
        let disk = git(
            t.path(),
            &[
                "cat-file",
                "--batch-all-objects",
                "--batch-check=%(objectsize:disk)",
            ],
        );
        assert_eq!(loose.size(blob), disk.trim().parse().ok());
        git(t.path(), &["commit", "-q", "-m", "x"]);
        git(t.path(), &["repack", "-adq"]);
        git(t.path(), &["prune-packed"]);
        let loose = Loose::read(&repo).unwrap();
        assert!(loose.is_empty(), "{loose:?}");
        assert_eq!(loose.size(blob), None);
    }
}
