//! Installs and removes pushguard's hook, in the place a team chooses:
//!
//! - the repository's hooks directory (`core.hooksPath` honoured), chaining
//!   any hook that was there ([`hookdir`]);
//! - a hooks folder committed to the repository, with `core.hooksPath` set
//!   locally ([`hooks_path`]);
//! - a hook defined in git config, `hook.pushguard.command` (git ≥ 2.54;
//!   [`config_hook`]);
//! - user-wide: the config hook, or on older git a user-wide hooks folder
//!   whose hooks run each repository's own `.git/hooks/<event>` ([`global`]).
//!
//! Every mode is idempotent, undone exactly by `uninstall` with the same
//! flags, and never overwrites a file or setting it did not write. The hook
//! written is `hooks/pre-push` from this repository (embedded at build
//! time); files are written atomically (temp file in the same directory,
//! then rename).

pub mod config_hook;
mod global;
mod hookdir;
mod hooks_path;

use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::git::{self, GitError};
use crate::platform::Platform;

pub use hookdir::{chained_name, hook_names, hooks_dir};

/// The hook shim, as shipped in `hooks/pre-push`.
pub const SHIM: &str = include_str!("../../hooks/pre-push");
/// The script a user-wide hooks folder holds for every other hook event.
pub const DELEGATE: &str = include_str!("../../hooks/delegate");
/// The line that marks a hook as ours.
pub const MARKER: &str = "# pushguard-hook:";
/// The name an existing foreign hook is kept under.
pub const CHAINED: &str = "pre-push.pushguard-chained";
/// The config key that records the `core.hooksPath` pushguard set (same scope).
pub const RECORD_KEY: &str = "pushguard.installedHooksPath";

/// Which git config file a setting goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The repository's `.git/config`.
    Local,
    /// The user's global config (`~/.gitconfig`, or `$GIT_CONFIG_GLOBAL`).
    Global,
}

impl Scope {
    /// The `git config` flag for this scope.
    pub fn flag(self) -> &'static str {
        match self {
            Scope::Local => "--local",
            Scope::Global => "--global",
        }
    }
}

/// Where to install, from `install`'s flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// The repository's hooks directory (no flag).
    Repository,
    /// `--hooks-path DIR`: a hooks folder committed to the repository.
    HooksPath(PathBuf),
    /// `--config-hook [--global|--local]`: `hook.pushguard.command`.
    ConfigHook(Scope),
    /// `--global`: the config hook in the global config (git ≥ 2.54).
    Global,
    /// `--global --hooks-path DIR`: a user-wide hooks folder whose hooks
    /// also run each repository's own.
    GlobalHooksPath(PathBuf),
}

/// One thing `install` or `uninstall` did or found.
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
    /// A git config value was set.
    ConfigSet {
        /// The key.
        key: String,
        /// The value.
        value: String,
        /// Where.
        scope: Scope,
    },
    /// A git config value was already as wanted.
    ConfigAlready {
        /// The key.
        key: String,
        /// The value.
        value: String,
        /// Where.
        scope: Scope,
    },
    /// A git config value was removed.
    ConfigUnset {
        /// The key.
        key: String,
        /// Where.
        scope: Scope,
    },
    /// Something worth a line of its own (a file kept, a hint).
    Note(String),
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Scope::Local => "local",
            Scope::Global => "global",
        })
    }
}

impl fmt::Display for Done {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Done::Installed {
                hook,
                chained: None,
            } => write!(f, "pushguard: installed {}", hook.display()),
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
            Done::ConfigSet { key, value, scope } => {
                write!(f, "pushguard: set {key}={value} ({scope} config)")
            }
            Done::ConfigAlready { key, value, scope } => {
                write!(f, "pushguard: already set: {key}={value} ({scope} config)")
            }
            Done::ConfigUnset { key, scope } => {
                write!(f, "pushguard: removed {key} ({scope} config)")
            }
            Done::Note(text) => write!(f, "pushguard: {text}"),
        }
    }
}

/// Why installing or removing failed.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    /// Not in a git repository, or git failed.
    #[error("{0}")]
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
    /// The git on PATH does not run hooks defined in config.
    #[error(
        "{version} does not run hooks defined in config (hook.<name>.command needs git 2.54 or later){hint}"
    )]
    NoConfigHooks {
        /// `git --version`.
        version: String,
        /// What to do instead.
        hint: &'static str,
    },
    /// A setting pushguard would change already holds someone else's value.
    #[error("{key} is already {value:?} ({origin}); not changing it{hint}")]
    Taken {
        /// The key.
        key: String,
        /// Its value.
        value: String,
        /// Where it is set.
        origin: String,
        /// What to do instead.
        hint: String,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> InstallError + '_ {
    move |source| InstallError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Installs pushguard's hook for `mode`, run in `cwd`; `binary` is the
/// installing binary (the shim's last fallback).
pub fn install(cwd: &Path, binary: Option<&Path>, mode: &Mode) -> Result<Vec<Done>, InstallError> {
    match mode {
        Mode::Repository => {
            let dir = hooks_dir(cwd)?;
            Ok(vec![hookdir::install(&dir, &hook_text(binary, false))?])
        }
        Mode::HooksPath(dir) => hooks_path::install(cwd, dir),
        Mode::ConfigHook(scope) => config_hook::install(cwd, binary, *scope),
        Mode::Global => match config_hook::supported(cwd)? {
            Ok(()) => config_hook::install(cwd, binary, Scope::Global),
            Err(version) => Err(InstallError::NoConfigHooks {
                version,
                hint: "; choose a user-wide hooks folder instead: pushguard install --global --hooks-path DIR (its hooks also run each repository's own .git/hooks)",
            }),
        },
        Mode::GlobalHooksPath(dir) => global::install(cwd, binary, dir),
    }
}

/// Undoes [`install`] with the same `mode`.
pub fn uninstall(cwd: &Path, mode: &Mode) -> Result<Vec<Done>, InstallError> {
    match mode {
        Mode::Repository => Ok(vec![hookdir::uninstall(&hooks_dir(cwd)?)?]),
        Mode::HooksPath(dir) => hooks_path::uninstall(cwd, dir),
        Mode::ConfigHook(scope) => config_hook::uninstall(cwd, *scope),
        Mode::Global => config_hook::uninstall(cwd, Scope::Global),
        Mode::GlobalHooksPath(dir) => global::uninstall(cwd, dir),
    }
}

/// The hook text for a binary at `binary` (its path is the last fallback;
/// none for a folder committed to a repository); `delegate` makes it run
/// the repository's own pre-push first (a user-wide hooks folder).
pub fn hook_text(binary: Option<&Path>, delegate: bool) -> String {
    hook_text_for(Platform::HOST, binary, delegate)
}

/// [`hook_text`] for `platform`: on Windows the binary's path is written
/// with forward slashes (`C:/Users/me/.cargo/bin/pushguard.exe`), which
/// Git's sh and Windows both read, where a backslash would be one more
/// thing for the shell to get wrong.
pub fn hook_text_for(platform: Platform, binary: Option<&Path>, delegate: bool) -> String {
    let quoted = binary
        .map(|b| {
            let path = b.display().to_string();
            let path = match platform {
                Platform::Windows => path.replace('\\', "/"),
                Platform::Unix => path,
            };
            crate::process::sh_quote(&path)
        })
        .unwrap_or_else(|| "''".into());
    let text = lf(SHIM).replacen("fallback=''", &format!("fallback={quoted}"), 1);
    match delegate {
        true => text.replacen("delegate=''", "delegate=yes", 1),
        false => text,
    }
}

/// `text` with LF line endings. Git for Windows runs a hook script with its
/// `sh.exe`, which takes a CR as part of the line; `.gitattributes` keeps
/// the shipped scripts LF in every checkout, and this keeps the files
/// written LF whatever the build was made from.
fn lf(text: &str) -> String {
    text.replace("\r\n", "\n")
}

/// True when the file at `path` exists and carries [`MARKER`].
pub fn is_ours(path: &Path) -> Result<bool, InstallError> {
    match fs::read(path) {
        Ok(b) => Ok(String::from_utf8_lossy(&b).contains(MARKER)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(io(path)(e)),
    }
}

/// True when something (a file, a dangling link) is at `path`.
fn exists(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

/// Writes `text` to `path` atomically, with LF endings, executable where
/// the platform has a mode bit (Windows has none, and git does not ask for
/// one there: `mingw_access` drops `X_OK`).
fn write_atomic(path: &Path, text: &str) -> Result<(), InstallError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map_or("hook".into(), |n| n.to_string_lossy());
    let tmp = dir.join(format!(".{name}.pushguard-{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = fs::File::create(&tmp).map_err(io(&tmp))?;
        f.write_all(lf(text).as_bytes()).map_err(io(&tmp))?;
        f.sync_all().map_err(io(&tmp))?;
        make_executable(&tmp).map_err(io(&tmp))?;
        fs::rename(&tmp, path).map_err(io(path))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(unix)]
fn make_executable(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755))
}

#[cfg(not(unix))]
fn make_executable(_: &Path) -> std::io::Result<()> {
    Ok(())
}

/// A config value with where it is set (`git config --show-origin --show-scope`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    /// The value.
    pub value: String,
    /// `local`, `global`, `system`, `command`, `worktree`.
    pub scope: String,
    /// `file:PATH`, `command line:`, …
    pub origin: String,
}

impl fmt::Display for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} config, {}", self.scope, self.origin)
    }
}

/// Every value of `key` with its scope and origin, in git's order.
pub fn settings_of(cwd: &Path, key: &str) -> Result<Vec<Setting>, InstallError> {
    let args = [
        "config",
        "--show-origin",
        "--show-scope",
        "-z",
        "--get-all",
        key,
    ];
    let out = match git::command(cwd, &args).run() {
        Ok(out) => out.stdout,
        Err(e) if exit_code(&e) == Some(1) => return Ok(Vec::new()),
        Err(e) => return Err(GitError::from(e).into()),
    };
    let text = String::from_utf8_lossy(&out);
    let fields: Vec<&str> = text.split('\0').collect();
    Ok(fields
        .chunks_exact(3)
        .map(|c| Setting {
            scope: c[0].to_string(),
            origin: c[1].to_string(),
            value: c[2].to_string(),
        })
        .collect())
}

/// The exit code of a git that ran and failed.
fn exit_code(e: &crate::process::ProcessError) -> Option<i32> {
    match &e.kind {
        crate::process::Failure::Exit { code, .. } => *code,
        _ => None,
    }
}

/// `git config <scope> <args>` in `cwd`.
fn config(cwd: &Path, scope: Scope, args: &[&str]) -> Result<(), InstallError> {
    let mut all = vec!["config", scope.flag()];
    all.extend_from_slice(args);
    git::run(cwd, &all)?;
    Ok(())
}

/// The value of `key` in exactly `scope`, if set.
fn get_in(cwd: &Path, scope: Scope, key: &str) -> Result<Option<String>, InstallError> {
    match git::command(cwd, &["config", scope.flag(), "--get", key]).run() {
        Ok(out) => Ok(Some(
            String::from_utf8_lossy(&out.stdout)
                .trim_end_matches('\n')
                .to_string(),
        )),
        Err(e) if exit_code(&e) == Some(1) => Ok(None),
        Err(e) => Err(GitError::from(e).into()),
    }
}

/// Removes the section `name` from `scope` when no key is left in it, so an
/// uninstall leaves the config file as it found it.
fn drop_empty_section(cwd: &Path, scope: Scope, section: &str) -> Result<(), InstallError> {
    let pattern = format!("^{}\\.", section.replace('.', "\\."));
    let args = ["config", scope.flag(), "--get-regexp", &pattern];
    match git::command(cwd, &args).run() {
        Ok(_) => Ok(()),
        Err(e) if exit_code(&e) == Some(1) => {
            // Nothing left: the header may still be there; removing it may
            // fail when it is not, which is fine.
            let _ = git::command(cwd, &["config", scope.flag(), "--remove-section", section]).run();
            Ok(())
        }
        Err(e) => Err(GitError::from(e).into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shim_is_posix_sh_with_lf_and_marker() {
        for text in [SHIM, DELEGATE] {
            assert!(text.starts_with("#!/bin/sh\n"));
            assert!(!text.contains('\r'));
            assert!(text.contains(MARKER));
        }
        assert!(SHIM.contains("fallback=''") && SHIM.contains("delegate=''"));
        let t = hook_text(Some(Path::new("/opt/it's/pushguard")), false);
        assert!(t.contains(r"fallback='/opt/it'\''s/pushguard'"), "{t}");
        assert!(t.contains("delegate=''"));
        assert!(hook_text(None, true).contains("\ndelegate=yes\n"));
    }

    // docs/windows.md "Hooks": LF, no mode bit, a path both sh and Windows read.
    #[test]
    fn the_windows_shim_names_the_binary_with_forward_slashes() {
        let bin = Path::new(r"C:\Users\me\.cargo\bin\pushguard.exe");
        let t = hook_text_for(Platform::Windows, Some(bin), false);
        assert!(
            t.contains("\nfallback=C:/Users/me/.cargo/bin/pushguard.exe\n"),
            "{t}"
        );
        assert!(!t.contains('\r'));
        let t = hook_text_for(Platform::Unix, Some(Path::new(r"/opt/a\b")), false);
        assert!(t.contains(r"fallback='/opt/a\b'"), "{t}");
        assert_eq!(lf("a\r\nb\n"), "a\nb\n");
    }
}
