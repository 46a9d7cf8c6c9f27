//! `--global --hooks-path DIR`: a user-wide hooks folder, for git without
//! config hooks (< 2.54). A user-wide `core.hooksPath` makes git stop
//! running every repository's own `.git/hooks/*`; so DIR gets, besides the
//! pre-push shim (which runs the repository's own pre-push first, with the
//! same stdin), a delegate under every other hook event's name that runs the
//! repository's own hook of that name. Nothing is silently disabled, with
//! two exceptions named in docs/install.md: `push-to-checkout` and
//! `proc-receive` change what git does by merely existing, so they get no
//! delegate.

use std::fs;
use std::path::{Path, PathBuf};

use super::{
    DELEGATE, Done, InstallError, RECORD_KEY, Scope, config, exists, get_in, hook_text, hookdir,
    hooks_path, io, is_ours, settings_of, write_atomic,
};

/// The hook events a user-wide folder delegates (githooks(5) of git 2.55,
/// less pre-push, which the shim handles, and the two named above).
pub const DELEGATED: [&str; 25] = [
    "applypatch-msg",
    "pre-applypatch",
    "post-applypatch",
    "pre-commit",
    "pre-merge-commit",
    "prepare-commit-msg",
    "commit-msg",
    "post-commit",
    "pre-rebase",
    "post-checkout",
    "post-merge",
    "pre-receive",
    "update",
    "post-receive",
    "post-update",
    "reference-transaction",
    "pre-auto-gc",
    "post-rewrite",
    "sendemail-validate",
    "fsmonitor-watchman",
    "p4-changelist",
    "p4-prepare-changelist",
    "p4-post-changelist",
    "p4-pre-submit",
    "post-index-change",
];

/// `~/x` as git reads a path-valued setting.
fn expand_home(value: &str) -> PathBuf {
    match (value.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => Path::new(&home).join(rest),
        _ => PathBuf::from(value),
    }
}

fn absolute(cwd: &Path, dir: &Path) -> PathBuf {
    match dir.is_absolute() {
        true => dir.to_path_buf(),
        false => cwd.join(dir),
    }
}

/// Installs the user-wide folder at `dir` and points the global `core.hooksPath` at it.
pub fn install(cwd: &Path, binary: Option<&Path>, dir: &Path) -> Result<Vec<Done>, InstallError> {
    let dir = absolute(cwd, dir);
    let value = dir.to_string_lossy().replace('\\', "/");
    let current = get_in(cwd, Scope::Global, "core.hooksPath")?;
    if let Some(v) = &current
        && absolute(cwd, &expand_home(v)) != dir
    {
        let origin = settings_of(cwd, "core.hooksPath")?
            .into_iter()
            .find(|s| s.scope == "global")
            .map_or("global config".into(), |s| s.to_string());
        return Err(InstallError::Taken {
            key: "core.hooksPath".into(),
            value: v.clone(),
            origin,
            hint: format!("; install into it instead: pushguard install --global --hooks-path {v}"),
        });
    }
    let mut done = vec![hookdir::install(&dir, &hook_text(binary, true))?];
    let (mut written, mut kept) = (0, Vec::new());
    for event in DELEGATED {
        let path = dir.join(event);
        if exists(&path) && !is_ours(&path)? {
            kept.push(event);
            continue;
        }
        if !exists(&path) || fs::read_to_string(&path).map_err(io(&path))? != DELEGATE {
            write_atomic(&path, DELEGATE)?;
            written += 1;
        }
    }
    if written > 0 {
        done.push(Done::Note(format!(
            "wrote {written} hooks in {} that run each repository's own .git/hooks/<event>",
            dir.display()
        )));
    }
    if !kept.is_empty() {
        done.push(Done::Note(format!(
            "kept your own {} in {}: they run instead of each repository's hook of that name",
            kept.join(", "),
            dir.display()
        )));
    }
    match current {
        Some(v) => done.push(Done::ConfigAlready {
            key: "core.hooksPath".into(),
            value: v,
            scope: Scope::Global,
        }),
        None => {
            config(cwd, Scope::Global, &["core.hooksPath", &value])?;
            config(cwd, Scope::Global, &[RECORD_KEY, &value])?;
            done.push(Done::ConfigSet {
                key: "core.hooksPath".into(),
                value,
                scope: Scope::Global,
            });
        }
    }
    Ok(done)
}

/// Removes what [`install`] wrote into `dir` and the global setting it made.
pub fn uninstall(cwd: &Path, dir: &Path) -> Result<Vec<Done>, InstallError> {
    let dir = absolute(cwd, dir);
    let mut done = vec![hookdir::uninstall(&dir)?];
    let mut removed = 0;
    for event in DELEGATED {
        let path = dir.join(event);
        if is_ours(&path)? {
            fs::remove_file(&path).map_err(io(&path))?;
            removed += 1;
        }
    }
    if removed > 0 {
        done.push(Done::Note(format!(
            "removed {removed} delegating hooks from {}",
            dir.display()
        )));
    }
    let _ = fs::remove_dir(&dir); // only when empty
    done.extend(hooks_path::unset_recorded(cwd, Scope::Global)?);
    Ok(done)
}
