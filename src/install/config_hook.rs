//! A hook defined in git config (git ≥ 2.54): `hook.pushguard.command` names
//! the shim and `hook.pushguard.event` is `pre-push`. git runs config hooks
//! before the hook-directory script, each with its own copy of stdin, and
//! `core.hooksPath` does not touch them: the way to add pushguard without
//! disabling any other hook.
//!
//! The command is the shim (written to `<git-common-dir>/pushguard/pre-push`
//! for the local config, `~/.config/pushguard/pre-push` for the global one),
//! not the binary itself, so that a missing binary lets the push go on with
//! one line instead of failing it with "command not found".

use std::fs;
use std::path::{Path, PathBuf};

use super::{
    Done, InstallError, Scope, config, drop_empty_section, exists, get_in, hook_text, io, is_ours,
    write_atomic,
};
use crate::git;

/// The friendly name pushguard's config hook goes by.
pub const NAME: &str = "pushguard";
/// `hook.pushguard.command`.
pub const COMMAND_KEY: &str = "hook.pushguard.command";
/// `hook.pushguard.event`.
pub const EVENT_KEY: &str = "hook.pushguard.event";

/// `Ok(())` when the git on `PATH` runs hooks defined in config, else
/// `Err(its version)`. Asks git itself: a probe hook given with `-c` must
/// appear in `git hook list pre-push`.
pub fn supported(cwd: &Path) -> Result<Result<(), String>, InstallError> {
    let args = [
        "-c",
        "hook.pushguard-probe.command=true",
        "-c",
        "hook.pushguard-probe.event=pre-push",
        "hook",
        "list",
        "pre-push",
    ];
    let listed = git::command(cwd, &args)
        .run()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).contains("pushguard-probe"));
    if listed {
        return Ok(Ok(()));
    }
    Ok(Err(git::run(cwd, &["--version"])?.trim().to_string()))
}

/// Where the shim a config hook of `scope` runs lives.
pub fn shim_path(cwd: &Path, scope: Scope) -> Result<PathBuf, InstallError> {
    let dir = match scope {
        Scope::Local => {
            let args = ["rev-parse", "--path-format=absolute", "--git-common-dir"];
            PathBuf::from(git::run(cwd, &args)?.trim_end_matches('\n'))
        }
        Scope::Global => user_config_dir().ok_or_else(|| InstallError::Io {
            path: PathBuf::from("~/.config"),
            source: std::io::Error::other("neither XDG_CONFIG_HOME nor HOME is set"),
        })?,
    };
    Ok(dir.join("pushguard").join("pre-push"))
}

/// `$XDG_CONFIG_HOME`, else `~/.config`.
fn user_config_dir() -> Option<PathBuf> {
    let absolute = |v: std::ffi::OsString| Some(PathBuf::from(v)).filter(|p| p.is_absolute());
    std::env::var_os("XDG_CONFIG_HOME")
        .and_then(absolute)
        .or_else(|| {
            std::env::var_os("HOME")
                .or_else(|| std::env::var_os("USERPROFILE"))
                .and_then(absolute)
                .map(|h| h.join(".config"))
        })
}

/// The `hook.pushguard.command` value that runs the shim at `shim`.
pub fn command_for(shim: &Path) -> String {
    crate::process::sh_quote(&shim.to_string_lossy().replace('\\', "/"))
}

/// Registers the config hook in `scope`.
pub fn install(cwd: &Path, binary: Option<&Path>, scope: Scope) -> Result<Vec<Done>, InstallError> {
    if let Err(version) = supported(cwd)? {
        return Err(InstallError::NoConfigHooks {
            version,
            hint: match scope {
                Scope::Local => {
                    "; use `pushguard install` (this repository's hooks directory) or `pushguard install --hooks-path DIR`"
                }
                Scope::Global => "; use `pushguard install --global --hooks-path DIR`",
            },
        });
    }
    let shim = shim_path(cwd, scope)?;
    let command = command_for(&shim);
    if let Some(value) = get_in(cwd, scope, COMMAND_KEY)?
        && value != command
    {
        return Err(InstallError::Taken {
            key: COMMAND_KEY.into(),
            value,
            origin: format!("{scope} config"),
            hint: format!(
                "; `git config {} --unset {COMMAND_KEY}` first",
                scope.flag()
            ),
        });
    }
    let mut done = Vec::new();
    let text = hook_text(binary, false);
    if exists(&shim) && !is_ours(&shim)? {
        return Err(InstallError::Foreign { path: shim });
    }
    let same = exists(&shim) && fs::read_to_string(&shim).map_err(io(&shim))? == text;
    done.push(if same {
        Done::AlreadyInstalled { hook: shim.clone() }
    } else {
        if let Some(dir) = shim.parent() {
            fs::create_dir_all(dir).map_err(io(dir))?;
        }
        write_atomic(&shim, &text)?;
        Done::Installed {
            hook: shim.clone(),
            chained: None,
        }
    });
    let set = |key: &str, value: &str| Done::ConfigSet {
        key: key.into(),
        value: value.into(),
        scope,
    };
    let already = |key: &str, value: &str| Done::ConfigAlready {
        key: key.into(),
        value: value.into(),
        scope,
    };
    if get_in(cwd, scope, COMMAND_KEY)?.is_some() {
        done.push(already(COMMAND_KEY, &command));
    } else {
        config(cwd, scope, &[COMMAND_KEY, &command])?;
        done.push(set(COMMAND_KEY, &command));
    }
    if events(cwd, scope)?.iter().any(|e| e == "pre-push") {
        done.push(already(EVENT_KEY, "pre-push"));
    } else {
        config(cwd, scope, &["--add", EVENT_KEY, "pre-push"])?;
        done.push(set(EVENT_KEY, "pre-push"));
    }
    Ok(done)
}

/// The `hook.pushguard.event` values in exactly `scope`.
fn events(cwd: &Path, scope: Scope) -> Result<Vec<String>, InstallError> {
    let args = ["config", scope.flag(), "--get-all", EVENT_KEY];
    match git::command(cwd, &args).run() {
        Ok(out) => Ok(String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect()),
        Err(_) => Ok(Vec::new()),
    }
}

/// Removes the config hook from `scope`, leaving the config as it was.
pub fn uninstall(cwd: &Path, scope: Scope) -> Result<Vec<Done>, InstallError> {
    let shim = shim_path(cwd, scope)?;
    let command = command_for(&shim);
    let mut done = Vec::new();
    match get_in(cwd, scope, COMMAND_KEY)? {
        None => done.push(Done::Note(format!(
            "no {COMMAND_KEY} in the {scope} config"
        ))),
        Some(value) if value != command => {
            return Err(InstallError::Taken {
                key: COMMAND_KEY.into(),
                value,
                origin: format!("{scope} config"),
                hint: ": it is not the one pushguard install wrote".into(),
            });
        }
        Some(_) => {
            config(cwd, scope, &["--unset", COMMAND_KEY])?;
            done.push(Done::ConfigUnset {
                key: COMMAND_KEY.into(),
                scope,
            });
            if events(cwd, scope)?.iter().any(|e| e == "pre-push") {
                config(cwd, scope, &["--unset-all", EVENT_KEY, "^pre-push$"])?;
                done.push(Done::ConfigUnset {
                    key: EVENT_KEY.into(),
                    scope,
                });
            }
            drop_empty_section(cwd, scope, &format!("hook.{NAME}"))?;
        }
    }
    if is_ours(&shim)? {
        fs::remove_file(&shim).map_err(io(&shim))?;
        if let Some(dir) = shim.parent() {
            let _ = fs::remove_dir(dir); // only when empty
        }
        done.push(Done::Removed {
            hook: shim,
            restored: false,
        });
    }
    Ok(done)
}
