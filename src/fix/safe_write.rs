//! Writing a user's file so that it is never half written: the new bytes go
//! to a temporary file in the same directory, which is flushed to disk and
//! renamed over the file, and the directory is flushed; the file keeps its
//! mode and owner (ssh refuses a config others can write); a symlinked file
//! is written at its target (the link stays); the old bytes are kept next to
//! it as `NAME.pushguard-backup` (`.1`, `.2`… when that exists). A file
//! without its owner's write bit is refused (even for root), and a file that
//! changed since it was read is not overwritten.
//!
//! - [`Writer::replace`]: write one file; [`Written`] says where, and the backup.
//! - [`Writer::restore`]: put the old bytes back after a failed proof.
//! - [`Fault`]: a test's failure injected between the write and the rename.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// The suffix of the backup next to an edited file.
pub const BACKUP_SUFFIX: &str = ".pushguard-backup";

/// A failure a test injects after the new bytes are on disk and before the rename.
pub type Fault<'a> = &'a dyn Fn(&Path) -> io::Result<()>;

/// Writes files safely; tests may inject a fault.
#[derive(Clone, Copy, Default)]
pub struct Writer<'a> {
    /// Called with the temporary file's path just before the rename.
    pub before_rename: Option<Fault<'a>>,
}

impl std::fmt::Debug for Writer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer")
            .field("before_rename", &self.before_rename.is_some())
            .finish()
    }
}

/// A file written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The file written (a symlink's target).
    pub path: PathBuf,
    /// The backup of its old bytes (`None`: the file is new, or none was asked).
    pub backup: Option<PathBuf>,
    /// The file did not exist before.
    pub created: bool,
}

/// Why a file was not written (it is unchanged).
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The owner's write bit is off.
    #[error("{} is read-only (mode {mode:04o}); pushguard changes nothing there", path.display())]
    ReadOnly {
        /// The file.
        path: PathBuf,
        /// Its mode.
        mode: u32,
    },
    /// The file changed after it was read.
    #[error("{} changed while pushguard was working; run it again", path.display())]
    Changed {
        /// The file.
        path: PathBuf,
    },
    /// A system call failed.
    #[error("cannot {op} {}: {source}", path.display())]
    Io {
        /// What was being done.
        op: &'static str,
        /// On which file.
        path: PathBuf,
        /// The error.
        source: io::Error,
    },
}

fn io_err<'p>(op: &'static str, path: &'p Path) -> impl FnOnce(io::Error) -> WriteError + 'p {
    move |source| WriteError::Io {
        op,
        path: path.to_path_buf(),
        source,
    }
}

/// The file a path names, symlinks followed (the path itself when it does not exist yet).
pub fn target(path: &Path) -> Result<PathBuf, WriteError> {
    match fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(path.to_path_buf()),
        Err(e) => Err(io_err("read", path)(e)),
        Ok(m) if m.file_type().is_symlink() => {
            fs::canonicalize(path).map_err(io_err("follow the link", path))
        }
        Ok(_) => Ok(path.to_path_buf()),
    }
}

/// The first free backup name for `path`: `NAME.pushguard-backup`, then `.1`, `.2`…
pub fn backup_name(path: &Path) -> PathBuf {
    let base = format!("{}{BACKUP_SUFFIX}", path.display());
    let mut candidate = PathBuf::from(&base);
    let mut n = 0;
    while fs::symlink_metadata(&candidate).is_ok() {
        n += 1;
        candidate = PathBuf::from(format!("{base}.{n}"));
    }
    candidate
}

/// Keeps a copy of `path`'s bytes next to it (mode and owner kept), before
/// a change another program makes (`git config`).
pub fn backup(path: &Path) -> Result<PathBuf, WriteError> {
    let real = target(path)?;
    let meta = fs::metadata(&real).map_err(io_err("read", &real))?;
    let bytes = fs::read(&real).map_err(io_err("read", &real))?;
    write_backup(&real, &bytes, perms::mode(&meta), perms::owner(&meta))
}

impl Writer<'_> {
    /// Writes `new` as the file `path` names, which must still hold `old`
    /// (`None`: must not exist; it is created, mode 0600, its directory
    /// 0700). With `backup`, the old bytes are kept next to it first.
    pub fn replace(
        &self,
        path: &Path,
        old: Option<&[u8]>,
        new: &[u8],
        backup: bool,
    ) -> Result<Written, WriteError> {
        let real = target(path)?;
        let meta = match fs::metadata(&real) {
            Ok(m) => Some(m),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(io_err("read", &real)(e)),
        };
        if let Some(m) = &meta
            && perms::mode(m) & 0o200 == 0
        {
            return Err(WriteError::ReadOnly {
                path: real,
                mode: perms::mode(m),
            });
        }
        let now = match &meta {
            Some(_) => Some(fs::read(&real).map_err(io_err("read", &real))?),
            None => None,
        };
        if now.as_deref() != old {
            return Err(WriteError::Changed { path: real });
        }
        let dir = real
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if meta.is_none() && !dir.exists() {
            perms::private_dir(fs::DirBuilder::new().recursive(true))
                .create(dir)
                .map_err(io_err("create the directory", dir))?;
        }
        let mode = meta.as_ref().map_or(0o600, perms::mode);
        let owner = meta.as_ref().and_then(perms::owner);
        let backup = match (&now, backup) {
            (Some(bytes), true) => Some(write_backup(&real, bytes, mode, owner)?),
            _ => None,
        };
        let written = self.swap(&real, dir, new, mode, owner);
        if written.is_err()
            && let Some(b) = &backup
        {
            let _ = fs::remove_file(b);
        }
        written?;
        Ok(Written {
            path: real,
            backup,
            created: meta.is_none(),
        })
    }

    /// Puts `original` back (`None`: the file was created, and goes) where
    /// `written` wrote `new`, and removes the backup it made.
    pub fn restore(
        &self,
        written: &Written,
        new: &[u8],
        original: Option<&[u8]>,
    ) -> Result<(), WriteError> {
        match original {
            Some(bytes) => {
                self.replace(&written.path, Some(new), bytes, false)?;
            }
            None => {
                fs::remove_file(&written.path).map_err(io_err("remove", &written.path))?;
            }
        }
        if let Some(b) = &written.backup {
            fs::remove_file(b).map_err(io_err("remove", b))?;
        }
        Ok(())
    }

    /// The temporary file, its flush, the fault hook, the rename and the
    /// directory's flush.
    fn swap(
        &self,
        real: &Path,
        dir: &Path,
        new: &[u8],
        mode: u32,
        owner: Option<(u32, u32)>,
    ) -> Result<(), WriteError> {
        let (tmp, mut f) = temp_file(dir, real)?;
        let done = (|| {
            keep_mode_and_owner(&f, &tmp, mode, owner)?;
            f.write_all(new).map_err(io_err("write", &tmp))?;
            f.sync_all().map_err(io_err("flush", &tmp))?;
            drop(f);
            if let Some(fault) = self.before_rename {
                fault(&tmp).map_err(io_err("write", real))?;
            }
            fs::rename(&tmp, real).map_err(io_err("replace", real))
        })();
        if done.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        done?;
        perms::sync_dir(dir).map_err(io_err("flush the directory", dir))
    }
}

/// A new file beside `real`, opened exclusively.
fn temp_file(dir: &Path, real: &Path) -> Result<(PathBuf, File), WriteError> {
    static SEQ: AtomicU32 = AtomicU32::new(0);
    let name = real
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    loop {
        let n = SEQ.fetch_add(1, Ordering::Relaxed);
        let tmp = dir.join(format!(".{name}.pushguard-{}-{n}", std::process::id()));
        match perms::private(OpenOptions::new().write(true).create_new(true)).open(&tmp) {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io_err("create a file in", dir)(e)),
        }
    }
}

/// Gives the open file `f` exactly `mode` (no umask) and the old owner.
fn keep_mode_and_owner(
    f: &File,
    path: &Path,
    mode: u32,
    owner: Option<(u32, u32)>,
) -> Result<(), WriteError> {
    perms::set_mode(f, mode).map_err(io_err("set the mode of", path))?;
    if let Some(owner) = owner {
        perms::set_owner(f, owner).map_err(io_err("keep the owner of", path))?;
    }
    Ok(())
}

/// A file's mode and owner as the writer keeps them: Unix modes and ids.
#[cfg(unix)]
mod perms {
    use std::fs::{DirBuilder, File, Metadata, OpenOptions, Permissions};
    use std::io;
    use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
    use std::path::Path;

    /// The permission bits.
    pub(super) fn mode(m: &Metadata) -> u32 {
        m.mode() & 0o7777
    }

    /// The owner and group.
    pub(super) fn owner(m: &Metadata) -> Option<(u32, u32)> {
        Some((m.uid(), m.gid()))
    }

    /// Opens files readable by their owner only.
    pub(super) fn private(o: &mut OpenOptions) -> &mut OpenOptions {
        o.mode(0o600)
    }

    /// Makes directories its owner's only.
    pub(super) fn private_dir(b: &mut DirBuilder) -> &mut DirBuilder {
        b.mode(0o700)
    }

    /// Sets exactly `mode`.
    pub(super) fn set_mode(f: &File, mode: u32) -> io::Result<()> {
        f.set_permissions(Permissions::from_mode(mode))
    }

    /// Gives `f` the owner and group, when they differ.
    pub(super) fn set_owner(f: &File, (uid, gid): (u32, u32)) -> io::Result<()> {
        let m = f.metadata()?;
        if (m.uid(), m.gid()) == (uid, gid) {
            return Ok(());
        }
        std::os::unix::fs::fchown(f, Some(uid), Some(gid))
    }

    /// Flushes a directory's entries (the rename) to disk.
    pub(super) fn sync_dir(dir: &Path) -> io::Result<()> {
        File::open(dir)?.sync_all()
    }
}

/// Windows: the read-only attribute is the only mode (`0o444` or `0o644`),
/// files keep their ACL by being written in place of the old name, and
/// std cannot open a directory to flush it (the rename after the file's
/// flush is what there is).
#[cfg(windows)]
mod perms {
    use std::fs::{DirBuilder, File, Metadata, OpenOptions};
    use std::io;
    use std::path::Path;

    /// `0o444` for a read-only file, else `0o644`.
    pub(super) fn mode(m: &Metadata) -> u32 {
        if m.permissions().readonly() {
            0o444
        } else {
            0o644
        }
    }

    /// No owner ids on Windows.
    pub(super) fn owner(_: &Metadata) -> Option<(u32, u32)> {
        None
    }

    /// As they are.
    pub(super) fn private(o: &mut OpenOptions) -> &mut OpenOptions {
        o
    }

    /// As they are.
    pub(super) fn private_dir(b: &mut DirBuilder) -> &mut DirBuilder {
        b
    }

    /// The read-only attribute from the owner's write bit.
    pub(super) fn set_mode(f: &File, mode: u32) -> io::Result<()> {
        let mut p = f.metadata()?.permissions();
        p.set_readonly(mode & 0o200 == 0);
        f.set_permissions(p)
    }

    /// Nothing to keep.
    pub(super) fn set_owner(_: &File, _: (u32, u32)) -> io::Result<()> {
        Ok(())
    }

    /// Nothing std can do.
    pub(super) fn sync_dir(_: &Path) -> io::Result<()> {
        Ok(())
    }
}

/// Writes the backup of `real` (a new file, never over another).
fn write_backup(
    real: &Path,
    bytes: &[u8],
    mode: u32,
    owner: Option<(u32, u32)>,
) -> Result<PathBuf, WriteError> {
    loop {
        let path = backup_name(real);
        let f = match perms::private(OpenOptions::new().write(true).create_new(true)).open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io_err("back up", real)(e)),
        };
        let mut f = f;
        let done = keep_mode_and_owner(&f, &path, mode, owner)
            .and_then(|()| f.write_all(bytes).map_err(io_err("write", &path)))
            .and_then(|()| f.sync_all().map_err(io_err("flush", &path)));
        if let Err(e) = done {
            let _ = fs::remove_file(&path);
            return Err(e);
        }
        return Ok(path);
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    fn mode(p: &Path) -> u32 {
        fs::metadata(p).unwrap().mode() & 0o7777
    }

    #[test]
    fn replaces_keeping_mode_with_a_numbered_backup() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("config");
        fs::write(&p, "old\r\n").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o640)).unwrap();
        fs::write(d.path().join("config.pushguard-backup"), "older").unwrap();
        let w = Writer::default()
            .replace(&p, Some(b"old\r\n"), b"new\r\n", true)
            .unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"new\r\n");
        assert_eq!(mode(&p), 0o640);
        let backup = d.path().join("config.pushguard-backup.1");
        assert_eq!(w.backup.as_deref(), Some(backup.as_path()));
        assert_eq!(fs::read(&backup).unwrap(), b"old\r\n");
        assert_eq!(mode(&backup), 0o640);
        assert!(!w.created);
        assert_eq!(
            names(d.path()),
            [
                "config",
                "config.pushguard-backup",
                "config.pushguard-backup.1"
            ]
        );
        // And back.
        Writer::default()
            .restore(&w, b"new\r\n", Some(b"old\r\n"))
            .unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"old\r\n");
        assert_eq!(names(d.path()), ["config", "config.pushguard-backup"]);
    }

    #[test]
    fn follows_a_symlink_to_its_target() {
        let d = tempfile::tempdir().unwrap();
        let real = d.path().join("dotfiles/ssh_config");
        fs::create_dir_all(real.parent().unwrap()).unwrap();
        fs::write(&real, "a\n").unwrap();
        let link = d.path().join("config");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let w = Writer::default()
            .replace(&link, Some(b"a\n"), b"b\n", true)
            .unwrap();
        assert_eq!(w.path, fs::canonicalize(&real).unwrap());
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read(&link).unwrap(), b"b\n");
        assert!(real.with_file_name("ssh_config.pushguard-backup").exists());
    }

    #[test]
    fn refuses_read_only_and_changed_files() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("config");
        fs::write(&p, "a\n").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o444)).unwrap();
        let e = Writer::default()
            .replace(&p, Some(b"a\n"), b"b\n", true)
            .unwrap_err();
        assert!(matches!(e, WriteError::ReadOnly { mode: 0o444, .. }), "{e}");
        assert!(
            e.to_string()
                .ends_with("is read-only (mode 0444); pushguard changes nothing there")
        );
        fs::set_permissions(&p, fs::Permissions::from_mode(0o600)).unwrap();
        let e = Writer::default()
            .replace(&p, Some(b"x\n"), b"b\n", true)
            .unwrap_err();
        assert!(matches!(e, WriteError::Changed { .. }), "{e}");
        assert_eq!(fs::read(&p).unwrap(), b"a\n");
        assert_eq!(names(d.path()), ["config"]);
    }

    #[test]
    fn a_failure_before_the_rename_leaves_the_file_intact() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("config");
        fs::write(&p, "a\n").unwrap();
        let seen = std::cell::RefCell::new(None);
        let fault = |tmp: &Path| {
            *seen.borrow_mut() = Some(fs::read(tmp).unwrap());
            Err(io::Error::other("disk full"))
        };
        let w = Writer {
            before_rename: Some(&fault),
        };
        let e = w.replace(&p, Some(b"a\n"), b"b\n", true).unwrap_err();
        assert!(e.to_string().contains("disk full"), "{e}");
        assert_eq!(
            seen.borrow().as_deref(),
            Some(&b"b\n"[..]),
            "the new bytes were written"
        );
        assert_eq!(fs::read(&p).unwrap(), b"a\n");
        assert_eq!(
            names(d.path()),
            ["config"],
            "no temporary file, no backup left"
        );
    }

    #[test]
    fn creates_a_private_file_and_directory() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join(".ssh/config");
        let w = Writer::default()
            .replace(&p, None, b"Host h\n", true)
            .unwrap();
        assert!(w.created && w.backup.is_none());
        assert_eq!(mode(&p), 0o600);
        assert_eq!(mode(p.parent().unwrap()), 0o700);
        Writer::default().restore(&w, b"Host h\n", None).unwrap();
        assert!(!p.exists());
    }
}
