//! File contents that stand in for what is on disk, so that a resolution
//! can answer "what if this file said that" without writing it (`fix`
//! predicts its edit this way before it makes it).
//!
//! Keyed by the path as the resolver opens it (the `-F` path, the user
//! file, an Include's globbed name). Only reading goes through it: an
//! Include glob still lists the directories on disk. A [sealed](Overlay::sealed)
//! overlay is the whole file system instead: a path it lacks does not
//! exist, Include globs list its paths only, and no file is opened or
//! stat'ed (fuzzing and replayed cases resolve without the disk).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Files whose contents the resolver reads from here instead of the disk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overlay {
    files: Arc<BTreeMap<PathBuf, Vec<u8>>>,
    sealed: bool,
}

impl Overlay {
    /// An empty overlay that stands for the whole file system: nothing
    /// else exists.
    pub fn sealed() -> Overlay {
        Overlay {
            sealed: true,
            ..Overlay::default()
        }
    }

    /// This overlay with `path` reading as `bytes`.
    pub fn with(mut self, path: impl Into<PathBuf>, bytes: Vec<u8>) -> Overlay {
        Arc::make_mut(&mut self.files).insert(path.into(), bytes);
        self
    }

    /// What `path` reads as, when the overlay has it.
    pub fn get(&self, path: &Path) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }

    /// True when nothing outside the overlay exists.
    pub fn is_sealed(&self) -> bool {
        self.sealed
    }

    /// The paths the overlay has, in order.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.files.keys().map(PathBuf::as_path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stands_in_for_named_files_only() {
        let o = Overlay::default().with("/a", b"Port 1\n".to_vec());
        assert_eq!(o.get(Path::new("/a")), Some(&b"Port 1\n"[..]));
        assert_eq!(o.get(Path::new("/b")), None);
        let o2 = o.clone().with("/a", b"Port 2\n".to_vec());
        assert_eq!(
            o.get(Path::new("/a")),
            Some(&b"Port 1\n"[..]),
            "a copy is its own"
        );
        assert_eq!(o2.get(Path::new("/a")), Some(&b"Port 2\n"[..]));
        assert!(!o2.is_sealed());
        let s = Overlay::sealed()
            .with("/b", Vec::new())
            .with("/a", Vec::new());
        assert!(s.is_sealed());
        assert_eq!(
            s.paths().collect::<Vec<_>>(),
            [Path::new("/a"), Path::new("/b")]
        );
    }
}
