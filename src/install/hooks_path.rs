//! `--hooks-path DIR`: a hooks folder committed to the team's repository.
//! The shim goes into DIR (chaining a foreign `pre-push` there) without a
//! machine-specific fallback path, and `core.hooksPath` is set in the local
//! config to DIR as typed: git resolves a relative value from the top of the
//! worktree, and so does pushguard (it asks git). The value set is recorded
//! in `pushguard.installedHooksPath`, so that uninstall unsets only what
//! install set.

use std::path::{Path, PathBuf};

use super::{
    Done, InstallError, RECORD_KEY, Scope, config, drop_empty_section, get_in, hook_text, hookdir,
    settings_of,
};
use crate::git;

/// The absolute directory git would use with `core.hooksPath=value`.
pub fn resolve(cwd: &Path, value: &str) -> Result<PathBuf, InstallError> {
    let setting = format!("core.hooksPath={value}");
    let args = [
        "-c",
        &setting,
        "rev-parse",
        "--path-format=absolute",
        "--git-path",
        "hooks",
    ];
    Ok(PathBuf::from(git::run(cwd, &args)?.trim_end_matches('\n')))
}

/// Installs the shim into `dir` and points the local `core.hooksPath` at it.
pub fn install(cwd: &Path, dir: &Path) -> Result<Vec<Done>, InstallError> {
    let value = dir.to_string_lossy().replace('\\', "/");
    let target = resolve(cwd, &value)?;
    // A core.hooksPath already in force (any scope) elsewhere would be
    // replaced for this repository, and its hooks would stop running.
    let current = settings_of(cwd, "core.hooksPath")?;
    if let Some(last) = current.last()
        && resolve(cwd, &last.value)? != target
    {
        return Err(InstallError::Taken {
            key: "core.hooksPath".into(),
            value: last.value.clone(),
            origin: last.to_string(),
            hint: format!(
                "; its hooks would stop running. Install into it with `pushguard install`, or point it at {value} yourself"
            ),
        });
    }
    let mut done = vec![hookdir::install(&target, &hook_text(None, false))?];
    match get_in(cwd, Scope::Local, "core.hooksPath")? {
        Some(v) => done.push(Done::ConfigAlready {
            key: "core.hooksPath".into(),
            value: v,
            scope: Scope::Local,
        }),
        None if !current.is_empty() => {} // the same folder, set in another scope
        None => {
            config(cwd, Scope::Local, &["core.hooksPath", &value])?;
            config(cwd, Scope::Local, &[RECORD_KEY, &value])?;
            done.push(Done::ConfigSet {
                key: "core.hooksPath".into(),
                value: value.clone(),
                scope: Scope::Local,
            });
        }
    }
    if !keeps_lf(cwd, &target)? {
        done.push(Done::Note(format!(
            "hint: add `{value}/pre-push text eol=lf` to .gitattributes so that Windows checkouts keep the shim's LF endings"
        )));
    }
    Ok(done)
}

/// True when git checks `hook` out with LF endings (`eol=lf`), or it is
/// outside the worktree.
fn keeps_lf(cwd: &Path, dir: &Path) -> Result<bool, InstallError> {
    let hook = dir.join("pre-push");
    let top = match git::run(cwd, &["rev-parse", "--show-toplevel"]) {
        Ok(t) => PathBuf::from(t.trim_end_matches('\n')),
        Err(_) => return Ok(true), // bare: nothing is checked out
    };
    let Ok(rel) = hook.strip_prefix(&top) else {
        return Ok(true);
    };
    let rel = rel.to_string_lossy().replace('\\', "/");
    let out = git::run(&top, &["check-attr", "eol", "--", &rel])?;
    Ok(out.trim_end().ends_with(": lf"))
}

/// Removes the shim from `dir` and unsets the `core.hooksPath` install set.
pub fn uninstall(cwd: &Path, dir: &Path) -> Result<Vec<Done>, InstallError> {
    let value = dir.to_string_lossy().replace('\\', "/");
    let target = resolve(cwd, &value)?;
    let mut done = vec![hookdir::uninstall(&target)?];
    done.extend(unset_recorded(cwd, Scope::Local)?);
    Ok(done)
}

/// Unsets `core.hooksPath` in `scope` when it still holds the value install
/// recorded there, and the record itself.
pub fn unset_recorded(cwd: &Path, scope: Scope) -> Result<Vec<Done>, InstallError> {
    let Some(recorded) = get_in(cwd, scope, RECORD_KEY)? else {
        return Ok(Vec::new());
    };
    let mut done = Vec::new();
    if get_in(cwd, scope, "core.hooksPath")?.as_deref() == Some(recorded.as_str()) {
        config(cwd, scope, &["--unset", "core.hooksPath"])?;
        done.push(Done::ConfigUnset {
            key: "core.hooksPath".into(),
            scope,
        });
        drop_empty_section(cwd, scope, "core")?;
    } else {
        done.push(Done::Note(format!(
            "core.hooksPath was changed since install set it to {recorded}; left as it is"
        )));
    }
    config(cwd, scope, &["--unset", RECORD_KEY])?;
    drop_empty_section(cwd, scope, "pushguard")?;
    Ok(done)
}
