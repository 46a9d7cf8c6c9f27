//! Installs and removes the pre-push hook, honouring `core.hooksPath` and
//! chaining any hook that was there before.
//!
//! The hook written is `hooks/pre-push` from this repository (embedded at
//! build time) with the installing binary's path as a last-resort fallback.
//! A hook we did not write is never overwritten: it is renamed to
//! `pre-push.pushguard-chained` (mode and content kept) and our hook runs it
//! first with the same arguments and stdin. Writes are atomic (temp file in
//! the same directory, then rename).

use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::git::{self, GitError};

/// The hook shim, as shipped in `hooks/pre-push`.
pub const SHIM: &str = include_str!("../hooks/pre-push");
/// The line that marks a hook as ours.
pub const MARKER: &str = "# pushguard-hook:";
/// The name an existing foreign hook is kept under.
pub const CHAINED: &str = "pre-push.pushguard-chained";

/// What `install` or `uninstall` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Done {
    /// The hook was written.
    Installed {
        /// The hook file.
        hook: PathBuf,
        /// The foreign hook kept and chained, if any.
        chained: Option<PathBuf>,
    },
    /// Our hook was already there, byte for byte.
    AlreadyInstalled {
        /// The hook file.
        hook: PathBuf,
    },
    /// Our hook was removed (and the chained one put back, if any).
    Removed {
        /// The hook file.
        hook: PathBuf,
        /// True when a chained hook was restored in its place.
        restored: bool,
    },
    /// There was no hook of ours to remove.
    NotInstalled {
        /// Where it would be.
        hook: PathBuf,
    },
}

impl std::fmt::Display for Done {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Done::Installed {
                hook,
                chained: None,
            } => {
                write!(f, "pushguard: installed {}", hook.display())
            }
            Done::Installed {
                hook,
                chained: Some(c),
            } => write!(
                f,
                "pushguard: installed {}; the existing hook was kept as {} and runs first",
                hook.display(),
                c.display()
            ),
            Done::AlreadyInstalled { hook } => {
                write!(f, "pushguard: already installed: {}", hook.display())
            }
            Done::Removed {
                hook,
                restored: true,
            } => write!(
                f,
                "pushguard: removed; the earlier hook is back at {}",
                hook.display()
            ),
            Done::Removed {
                hook,
                restored: false,
            } => write!(f, "pushguard: removed {}", hook.display()),
            Done::NotInstalled { hook } => {
                write!(f, "pushguard: no pushguard hook at {}", hook.display())
            }
        }
    }
}

/// Why installing or removing failed.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    /// Not in a git repository, or git failed.
    #[error("cannot find the hooks directory: {0}")]
    Git(#[from] GitError),
    /// A file operation failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A hook we did not write is in the way.
    #[error("{} is not pushguard's hook; not touching it", path.display())]
    Foreign {
        /// The hook file.
        path: PathBuf,
    },
    /// Both a foreign hook and a chained one exist.
    #[error("{} already exists; move it or {} away first", chained.display(), hook.display())]
    ChainTaken {
        /// The hook file.
        hook: PathBuf,
        /// The chained file.
        chained: PathBuf,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> InstallError + '_ {
    move |source| InstallError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The effective hooks directory of the repository at `cwd` (core.hooksPath honoured).
pub fn hooks_dir(cwd: &Path) -> Result<PathBuf, InstallError> {
    let args = ["rev-parse", "--path-format=absolute", "--git-path", "hooks"];
    let out = git::run(cwd, &args)?;
    Ok(PathBuf::from(out.trim_end_matches('\n')))
}

/// The hook text for a binary at `binary` (its path is the last fallback).
pub fn hook_text(binary: Option<&Path>) -> String {
    let quoted = binary
        .map(|b| crate::process::sh_quote(&b.display().to_string()))
        .unwrap_or_else(|| "''".into());
    SHIM.replacen("fallback=''", &format!("fallback={quoted}"), 1)
}

fn is_ours(path: &Path) -> Result<bool, InstallError> {
    match fs::read(path) {
        Ok(b) => Ok(String::from_utf8_lossy(&b).contains(MARKER)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(io(path)(e)),
    }
}

/// Writes `text` to `path` atomically with mode 0755.
fn write_atomic(path: &Path, text: &str) -> Result<(), InstallError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(format!(".pre-push.pushguard-{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = fs::File::create(&tmp).map_err(io(&tmp))?;
        f.write_all(text.as_bytes()).map_err(io(&tmp))?;
        f.sync_all().map_err(io(&tmp))?;
        fs::set_permissions(&tmp, fs::Permissions::from_mode(0o755)).map_err(io(&tmp))?;
        fs::rename(&tmp, path).map_err(io(path))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Installs the hook in the repository at `cwd`.
pub fn install(cwd: &Path, binary: Option<&Path>) -> Result<Done, InstallError> {
    let dir = hooks_dir(cwd)?;
    fs::create_dir_all(&dir).map_err(io(&dir))?;
    let hook = dir.join("pre-push");
    let chained = dir.join(CHAINED);
    let text = hook_text(binary);
    if is_ours(&hook)? {
        if fs::read_to_string(&hook).map_err(io(&hook))? == text {
            return Ok(Done::AlreadyInstalled { hook });
        }
        write_atomic(&hook, &text)?;
        return Ok(Done::Installed {
            hook,
            chained: chained.exists().then_some(chained),
        });
    }
    let kept = if fs::symlink_metadata(&hook).is_ok() {
        if fs::symlink_metadata(&chained).is_ok() {
            return Err(InstallError::ChainTaken { hook, chained });
        }
        fs::rename(&hook, &chained).map_err(io(&hook))?;
        Some(chained)
    } else {
        None
    };
    write_atomic(&hook, &text)?;
    Ok(Done::Installed {
        hook,
        chained: kept,
    })
}

/// Removes our hook from the repository at `cwd`, restoring a chained one.
pub fn uninstall(cwd: &Path) -> Result<Done, InstallError> {
    let dir = hooks_dir(cwd)?;
    let hook = dir.join("pre-push");
    let chained = dir.join(CHAINED);
    if fs::symlink_metadata(&hook).is_err() {
        return Ok(Done::NotInstalled { hook });
    }
    if !is_ours(&hook)? {
        return Err(InstallError::Foreign { path: hook });
    }
    if fs::symlink_metadata(&chained).is_ok() {
        fs::rename(&chained, &hook).map_err(io(&chained))?;
        Ok(Done::Removed {
            hook,
            restored: true,
        })
    } else {
        fs::remove_file(&hook).map_err(io(&hook))?;
        Ok(Done::Removed {
            hook,
            restored: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shim_is_posix_sh_with_lf_and_marker() {
        assert!(SHIM.starts_with("#!/bin/sh\n"));
        assert!(!SHIM.contains('\r'));
        assert!(SHIM.contains(MARKER));
        assert!(SHIM.contains("fallback=''"));
        let t = hook_text(Some(Path::new("/opt/it's/pushguard")));
        assert!(t.contains(r"fallback='/opt/it'\''s/pushguard'"), "{t}");
    }
}
