//! The hook file in one hooks directory: written beside, never over, a
//! hook pushguard did not write. A foreign `pre-push` is renamed to
//! `pre-push.pushguard-chained` (mode and content kept) and the shim runs it
//! first with the same arguments and stdin; uninstall renames it back.

use std::fs;
use std::path::{Path, PathBuf};

use super::{CHAINED, Done, InstallError, exists, io, is_ours, write_atomic};
use crate::git;

/// The effective hooks directory of the repository at `cwd` (core.hooksPath honoured).
pub fn hooks_dir(cwd: &Path) -> Result<PathBuf, InstallError> {
    let args = ["rev-parse", "--path-format=absolute", "--git-path", "hooks"];
    let out = git::run(cwd, &args)?;
    Ok(PathBuf::from(out.trim_end_matches('\n')))
}

/// Writes `text` as `dir/pre-push`, chaining a foreign hook found there.
pub fn install(dir: &Path, text: &str) -> Result<Done, InstallError> {
    fs::create_dir_all(dir).map_err(io(dir))?;
    let hook = dir.join("pre-push");
    let chained = dir.join(CHAINED);
    if is_ours(&hook)? {
        if fs::read_to_string(&hook).map_err(io(&hook))? == text {
            return Ok(Done::AlreadyInstalled { hook });
        }
        write_atomic(&hook, text)?;
        return Ok(Done::Installed {
            chained: exists(&chained).then_some(chained),
            hook,
        });
    }
    let kept = if exists(&hook) {
        if exists(&chained) {
            return Err(InstallError::ChainTaken { hook, chained });
        }
        fs::rename(&hook, &chained).map_err(io(&hook))?;
        Some(chained)
    } else {
        None
    };
    write_atomic(&hook, text)?;
    Ok(Done::Installed {
        hook,
        chained: kept,
    })
}

/// Removes our `dir/pre-push`, restoring a chained one.
pub fn uninstall(dir: &Path) -> Result<Done, InstallError> {
    let hook = dir.join("pre-push");
    let chained = dir.join(CHAINED);
    if !exists(&hook) {
        return Ok(Done::NotInstalled { hook });
    }
    if !is_ours(&hook)? {
        return Err(InstallError::Foreign { path: hook });
    }
    if exists(&chained) {
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
