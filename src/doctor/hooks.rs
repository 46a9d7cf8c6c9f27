//! Which hooks git runs on push, in order, and whether pushguard is among
//! them: config hooks as git lists them (`git hook list pre-push`, git ≥
//! 2.54), then the hook-directory script and what it runs first (a hook
//! pushguard chained, pre-commit's `.legacy`, the repository's own hook
//! behind a user-wide folder), each hook manager recognised by the script it
//! writes and its config file read for a mention of pushguard.

use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::Problem;
use crate::check::Env;
use crate::git::{self, GitConfig};
use crate::install::{self, MARKER, config_hook};
use crate::platform::Platform;

/// One hook git runs on push.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Hook {
    /// `config` (hook.<name>.command), `hookdir` (the hooks directory's
    /// pre-push), `chained` (run first by the hook above it), `repository`
    /// (the repository's own hook, run by a user-wide folder's).
    pub kind: &'static str,
    /// The config hook's name.
    pub name: Option<String>,
    /// The config hook's command.
    pub command: Option<String>,
    /// Where it is set (`local config, file:.git/config`).
    pub origin: Option<String>,
    /// The script's file.
    pub path: Option<PathBuf>,
    /// The hook manager that wrote it: `pushguard`, `pre-commit`, `prek`,
    /// `lefthook`, `husky`, `git-lfs`; `null` when not recognised.
    pub manager: Option<&'static str>,
    /// Whether it runs pushguard; `null` when pushguard cannot tell.
    pub runs_pushguard: Option<bool>,
    /// How pushguard is found or named (`shim: PATH`, `.pre-commit-config.yaml`).
    pub how: Option<String>,
    /// The pushguard binary it would run, when found.
    pub binary: Option<PathBuf>,
    /// False when git skips it (`hook.<name>.enabled=false`).
    pub enabled: bool,
}

/// What runs on push.
#[derive(Debug, Clone, Default)]
pub struct HookView {
    /// `git --version`.
    pub git_version: String,
    /// True when this git runs hooks defined in config.
    pub config_hooks: bool,
    /// The hooks directory.
    pub hooks_dir: PathBuf,
    /// Where `core.hooksPath` is set, if it is.
    pub hooks_path: Option<String>,
    /// The hooks, in the order git runs them (a chained hook before the one
    /// that runs it).
    pub hooks: Vec<Hook>,
    /// What is wrong.
    pub problems: Vec<Problem>,
}

/// Looks at what git runs on push in the repository at `cwd`.
pub fn examine(cwd: &Path, cfg: &GitConfig, env: &Env) -> Result<HookView, install::InstallError> {
    let mut view = HookView {
        git_version: git::run(cwd, &["--version"])?.trim().to_string(),
        config_hooks: config_hook::supported(cwd)?.is_ok(),
        hooks_dir: install::hooks_dir(cwd)?,
        ..HookView::default()
    };
    if view.config_hooks {
        // The hook-directory script runs last; git lists it as "hook from hookdir".
        for (scope, name) in listed(cwd)? {
            if let Some(name) = name {
                view.hooks.push(config_entry(cwd, cfg, env, &scope, &name)?);
            }
        }
    } else {
        ignored_config_hooks(cfg, &view.git_version, &mut view.problems);
    }
    let dir_hooks = hookdir(cwd, &mut view, env)?;
    view.hooks.extend(dir_hooks);
    Ok(view)
}

/// `git hook list -z --show-scope pre-push`: (scope, name) for config
/// hooks, name `None` for the hook-directory script.
fn listed(cwd: &Path) -> Result<Vec<(String, Option<String>)>, install::InstallError> {
    let args = ["hook", "list", "-z", "--show-scope", "pre-push"];
    let Ok(out) = git::command(cwd, &args).run() else {
        return Ok(Vec::new()); // no hooks at all: git says so and exits 1
    };
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    Ok(text
        .split('\0')
        .filter(|r| !r.is_empty())
        .map(|r| match r.rsplit_once('\t') {
            // `scope [TAB flag…] TAB name`; `disabled`, `event-disabled` are flags.
            Some((scope, name)) => (scope.to_string(), Some(name.to_string())),
            None => (String::new(), None),
        })
        .collect())
}

fn ignored_config_hooks(cfg: &GitConfig, version: &str, problems: &mut Vec<Problem>) {
    for (k, v) in cfg.entries() {
        let name = k
            .strip_prefix("hook.")
            .and_then(|r| r.strip_suffix(".event"));
        if let (Some(name), "pre-push") = (name, v.as_str()) {
            problems.push(Problem::error(
                format!("hook.{name} is configured for pre-push, but {version} does not run hooks defined in config"),
                "use git 2.54 or later, or `pushguard install` (the hooks directory)".into(),
            ));
        }
    }
}

fn config_entry(
    cwd: &Path,
    cfg: &GitConfig,
    env: &Env,
    scope: &str,
    name: &str,
) -> Result<Hook, install::InstallError> {
    let key = format!("hook.{name}.command");
    let command = cfg.get(&key).unwrap_or_default().to_string();
    let origin = install::settings_of(cwd, &key)?
        .pop()
        .map(|s| s.to_string());
    let enabled = !scope.contains("disabled")
        && cfg.get_bool(&format!("hook.{name}.enabled")) != Ok(Some(false));
    let mut hook = Hook {
        kind: "config",
        name: Some(name.to_string()),
        command: Some(command.clone()),
        origin,
        enabled,
        ..Hook::default()
    };
    let program = first_word(&command);
    let path = Path::new(&program);
    if install::is_ours(path).unwrap_or(false) {
        hook.manager = Some("pushguard");
        hook.path = Some(path.to_path_buf());
        hook.runs_pushguard = Some(true);
        let text = fs::read_to_string(path).unwrap_or_default();
        (hook.binary, hook.how) = found(find_binary(path, &text, env));
    } else if is_pushguard_name(&program) {
        hook.manager = Some("pushguard");
        hook.runs_pushguard = Some(true);
        let bin = match path.is_absolute() {
            true => path.is_file().then(|| path.to_path_buf()),
            false => on_path(&program, env),
        };
        hook.how = Some(match bin {
            Some(_) => {
                "the binary itself (without the shim, a missing binary fails the push)".into()
            }
            None => format!("{program} is not found: git will fail the push"),
        });
        hook.binary = bin;
    } else {
        hook.manager = manager_of_text(&command);
        hook.runs_pushguard = Some(false);
    }
    Ok(hook)
}

/// The hooks directory's pre-push and what it runs first, in run order.
fn hookdir(cwd: &Path, view: &mut HookView, env: &Env) -> Result<Vec<Hook>, install::InstallError> {
    view.hooks_path = install::settings_of(cwd, "core.hooksPath")?
        .pop()
        .map(|s| format!("core.hooksPath={} ({s})", s.value));
    // The first name git runs (on Windows `pre-push.exe` when there is no `pre-push`).
    let found = install::hook_names(Platform::HOST)
        .iter()
        .map(|n| view.hooks_dir.join(n))
        .find(|p| p.is_file());
    let mut out = Vec::new();
    let Some(path) = found else {
        return Ok(out);
    };
    if !is_executable(&path) {
        view.problems.push(Problem::error(
            format!("{} is not executable: git does not run it", path.display()),
            format!("chmod +x {}", path.display()),
        ));
        return Ok(out);
    }
    classify(cwd, &path, "hookdir", env, &mut out);
    for h in out.iter().filter(|h| h.manager == Some("lefthook")) {
        if h.how.as_deref().is_some_and(|w| w.ends_with(NO_STDIN)) {
            view.problems.push(Problem::error(
                format!(
                    "lefthook runs pushguard without git's stdin: {}",
                    h.how.as_deref().unwrap_or_default()
                ),
                "add `use_stdin: true` to pushguard's command in the lefthook config".into(),
            ));
        }
    }
    let own = own_hook(cwd)?;
    let runs_own = out.iter().any(|h| h.kind == "repository");
    if let (Some(own), false) = (own, runs_own)
        && own != path
        && own.is_file()
    {
        view.problems.push(Problem::error(
            format!(
                "{} does not run: {}",
                own.display(),
                view.hooks_path.as_deref().unwrap_or("core.hooksPath is set")
            ),
            "run it from the hook in core.hooksPath, or install pushguard with --config-hook (git 2.54 or later) and unset core.hooksPath".into(),
        ));
    }
    Ok(out)
}

/// The repository's own `.git/hooks/pre-push`.
fn own_hook(cwd: &Path) -> Result<Option<PathBuf>, install::InstallError> {
    let args = ["rev-parse", "--path-format=absolute", "--git-common-dir"];
    let dir = PathBuf::from(git::run(cwd, &args)?.trim_end_matches('\n'));
    Ok(Some(dir.join("hooks").join("pre-push")))
}

/// The hook at `path` and what it runs first, in run order.
fn classify(cwd: &Path, path: &Path, kind: &'static str, env: &Env, out: &mut Vec<Hook>) {
    let text = fs::read_to_string(path).unwrap_or_default();
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut hook = Hook {
        kind,
        path: Some(path.to_path_buf()),
        enabled: true,
        manager: manager_of_text(&text),
        ..Hook::default()
    };
    let first = |name: &str| Some(dir.join(name)).filter(|p| p.is_file() && is_executable(p));
    match hook.manager {
        Some("pushguard") => {
            let chained = install::hook_names(Platform::HOST)
                .iter()
                .find_map(|n| first(&install::chained_name(n)));
            if let Some(c) = chained {
                classify(cwd, &c, "chained", env, out);
            }
            if text.contains("\ndelegate=yes\n")
                && let Ok(Some(own)) = own_hook(cwd)
                && own.is_file()
                && own.parent() != Some(dir)
            {
                classify(cwd, &own, "repository", env, out);
            }
            hook.runs_pushguard = Some(true);
            (hook.binary, hook.how) = found(find_binary(path, &text, env));
        }
        Some(m @ ("pre-commit" | "prek")) => {
            if let Some(legacy) = first("pre-push.legacy") {
                classify(cwd, &legacy, "chained", env, out);
            }
            named_in(
                cwd,
                m,
                &[".pre-commit-config.yaml", ".pre-commit-config.yml"],
                &mut hook,
            );
        }
        Some("lefthook") => named_in(
            cwd,
            "lefthook",
            &[
                "lefthook.yml",
                ".lefthook.yml",
                "lefthook.yaml",
                ".lefthook.yaml",
                "lefthook.toml",
                ".lefthook.toml",
                "lefthook.json",
                ".lefthook.json",
                "lefthook-local.yml",
                ".lefthook-local.yml",
            ],
            &mut hook,
        ),
        Some("husky") => {
            let script = dir.parent().map(|p| p.join("pre-push"));
            let names = script.as_ref().and_then(|s| fs::read_to_string(s).ok());
            hook.runs_pushguard = Some(names.as_deref().is_some_and(|t| t.contains("pushguard")));
            if hook.runs_pushguard == Some(true) {
                hook.how = script.map(|s| format!("named in {}", s.display()));
            }
        }
        Some(_) => hook.runs_pushguard = Some(false),
        None => {
            hook.runs_pushguard = match text.contains("pushguard") {
                true => None,
                false => Some(false),
            };
            if hook.runs_pushguard.is_none() {
                hook.how = Some(
                    "the script mentions pushguard; pushguard cannot tell whether it runs it"
                        .into(),
                );
            }
        }
    }
    out.push(hook);
}

/// How `how` ends for a lefthook config that gives pushguard no stdin.
const NO_STDIN: &str = "without use_stdin: true, so every push looks empty to it";

/// Sets whether the manager's config file at the worktree top names pushguard.
fn named_in(cwd: &Path, manager: &str, files: &[&str], hook: &mut Hook) {
    let top = git::run(cwd, &["rev-parse", "--show-toplevel"])
        .map(|t| PathBuf::from(t.trim_end_matches('\n')))
        .unwrap_or_else(|_| cwd.to_path_buf());
    let found = files
        .iter()
        .map(|f| top.join(f))
        .find_map(|p| fs::read_to_string(&p).ok().map(|t| (p, t)));
    hook.runs_pushguard = Some(false);
    match found {
        Some((p, t)) if t.contains("pushguard") => {
            hook.runs_pushguard = Some(true);
            hook.how = Some(
                match manager == "lefthook" && !t.contains("use_stdin: true") {
                    true => format!("named in {}, {NO_STDIN}", p.display()),
                    false => format!("named in {}", p.display()),
                },
            );
        }
        Some(_) => {}
        None => hook.how = Some(format!("no {manager} config file found")),
    }
}

/// The manager that wrote a hook script or command, by its text.
fn manager_of_text(text: &str) -> Option<&'static str> {
    const SIGNS: [(&str, &str); 7] = [
        (MARKER, "pushguard"),
        ("File generated by pre-commit", "pre-commit"),
        ("File generated by prek", "prek"),
        ("call_lefthook", "lefthook"),
        ("lefthook", "lefthook"),
        ("/h\"", "husky"),
        ("git lfs pre-push", "git-lfs"),
    ];
    SIGNS
        .iter()
        .find(|(sign, _)| text.contains(sign))
        .map(|(_, m)| *m)
}

fn found(b: Option<(PathBuf, &'static str)>) -> (Option<PathBuf>, Option<String>) {
    match b {
        Some((p, how)) => (Some(p), Some(format!("the shim finds the binary {how}"))),
        None => (
            None,
            Some("the shim finds no pushguard binary: the push goes on unchecked".into()),
        ),
    }
}

/// The binary the shim at `shim` (text `text`) would run, and how it is found,
/// searched in the shim's order.
pub fn find_binary(shim: &Path, text: &str, env: &Env) -> Option<(PathBuf, &'static str)> {
    if let Some(b) = env.get("PUSHGUARD_BIN").filter(|b| !b.is_empty()) {
        return Some(PathBuf::from(b))
            .filter(|p| is_executable(p))
            .map(|p| (p, "in $PUSHGUARD_BIN"));
    }
    if let Some(p) = on_path("pushguard", env) {
        return Some((p, "on PATH"));
    }
    let beside = shim.parent().map(|d| d.join("pushguard"));
    let cargo = env
        .get("HOME")
        .map(|h| Path::new(&h).join(".cargo/bin/pushguard"));
    let fallback = fallback_of(text).map(PathBuf::from);
    [
        (beside, "beside the hook"),
        (cargo, "in ~/.cargo/bin"),
        (fallback, "at the path install recorded"),
    ]
    .into_iter()
    .find_map(|(p, how)| p.filter(|p| is_executable(p)).map(|p| (p, how)))
}

/// The `fallback=` value written into an installed shim, unquoted.
fn fallback_of(text: &str) -> Option<String> {
    let line = text.lines().find_map(|l| l.strip_prefix("fallback="))?;
    let v = match line.strip_prefix('\'').and_then(|l| l.strip_suffix('\'')) {
        Some(q) => q.replace(r"'\''", "'"),
        None => line.to_string(),
    };
    Some(v).filter(|v| !v.is_empty())
}

/// `program` found on `PATH` (the environment pushguard runs in).
fn on_path(program: &str, env: &Env) -> Option<PathBuf> {
    let path = env.get("PATH")?;
    let names: &[&str] = match cfg!(windows) {
        true => &["", ".exe"],
        false => &[""],
    };
    std::env::split_paths(&path).find_map(|d| {
        names
            .iter()
            .map(|ext| d.join(format!("{program}{ext}")))
            .find(|p| p.is_file() && is_executable(p))
    })
}

fn is_pushguard_name(program: &str) -> bool {
    Path::new(program)
        .file_stem()
        .is_some_and(|s| s == "pushguard")
}

/// The first word of a command as sh reads a simple one (quotes removed).
fn first_word(command: &str) -> String {
    let c = command.trim_start();
    match c.strip_prefix('\'') {
        Some(rest) => rest.split('\'').next().unwrap_or_default().to_string(),
        None => match c.strip_prefix('"') {
            Some(rest) => rest.split('"').next().unwrap_or_default().to_string(),
            None => c.split_whitespace().next().unwrap_or_default().to_string(),
        },
    }
}

#[cfg(unix)]
fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(p: &Path) -> bool {
    p.is_file()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hook_managers_are_known_by_their_scripts() {
        assert_eq!(manager_of_text(install::SHIM), Some("pushguard"));
        assert_eq!(manager_of_text("# File generated by prek: x"), Some("prek"));
        assert_eq!(
            manager_of_text("#!/usr/bin/env sh\n. \"$(dirname \"$0\")/h\""),
            Some("husky")
        );
        assert_eq!(manager_of_text("git lfs pre-push \"$@\""), Some("git-lfs"));
        assert_eq!(manager_of_text("#!/bin/sh\nexit 0\n"), None);
    }

    #[test]
    fn the_shim_fallback_and_a_command_first_word_are_read_as_sh_reads_them() {
        let t = install::hook_text(Some(Path::new("/opt/it's/pushguard")), false);
        assert_eq!(fallback_of(&t).as_deref(), Some("/opt/it's/pushguard"));
        assert_eq!(fallback_of(install::SHIM), None);
        assert_eq!(first_word("'/a b/pre-push' x"), "/a b/pre-push");
        assert_eq!(first_word("pushguard pre-push"), "pushguard");
        assert!(is_pushguard_name("/usr/bin/pushguard") && !is_pushguard_name("pre-commit"));
    }
}
