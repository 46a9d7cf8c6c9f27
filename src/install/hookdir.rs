//! The hook file in one hooks directory: written beside, never over, a
//! hook pushguard did not write. A foreign `pre-push` is renamed to
//! `pre-push.pushguard-chained` (mode and content kept) and the shim runs it
//! first with the same arguments and stdin; uninstall renames it back.
//!
//! On Windows git also runs `pre-push.exe` when there is no `pre-push`
//! (hook.c `find_hook`, `STRIP_EXTENSION`), so the shim written as
//! `pre-push` would hide it: a foreign `pre-push.exe` is chained as
//! `pre-push.pushguard-chained.exe`, which the shim's
//! `pre-push.pushguard-chained` finds under Git's sh (the MSYS2 runtime
//! tries the name, then `.exe`: path.cc `stat_suffixes`, spawn.cc
//! `perhaps_suffix`). What to do is decided by [`plan_install`] and
//! [`plan_uninstall`] from the platform and what is there, so the rules of
//! both platforms are tested on any host.

use std::fs;
use std::path::{Path, PathBuf};

use super::{CHAINED, Done, InstallError, exists, io, is_ours, write_atomic};
use crate::git;
use crate::platform::Platform;

/// The effective hooks directory of the repository at `cwd` (core.hooksPath honoured).
pub fn hooks_dir(cwd: &Path) -> Result<PathBuf, InstallError> {
    let args = ["rev-parse", "--path-format=absolute", "--git-path", "hooks"];
    let out = git::run(cwd, &args)?;
    Ok(PathBuf::from(out.trim_end_matches('\n')))
}

/// The file names git runs as the pre-push hook, in the order it looks:
/// `pre-push`, and on Windows then `pre-push.exe`.
pub fn hook_names(platform: Platform) -> &'static [&'static str] {
    match platform {
        Platform::Unix => &["pre-push"],
        Platform::Windows => &["pre-push", "pre-push.exe"],
    }
}

/// The name a foreign hook found as `name` is kept under (`.exe` kept, so
/// that Windows still runs it).
pub fn chained_name(name: &str) -> String {
    match name.strip_suffix(".exe") {
        Some(_) => format!("{CHAINED}.exe"),
        None => CHAINED.to_string(),
    }
}

/// What a name in the hooks directory holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// Nothing.
    Nothing,
    /// pushguard's shim.
    Ours,
    /// Something else (a file or a dangling link).
    Foreign,
}

/// One file operation in the hooks directory, by file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Rename `from` to `to` (a foreign hook kept, or put back).
    Rename {
        /// The current name.
        from: String,
        /// The new name.
        to: String,
    },
    /// Write the shim as `pre-push` (atomically; no mode bit is relied on).
    WriteShim,
    /// Remove our `pre-push`.
    RemoveShim,
}

/// Why a plan cannot be carried out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// A foreign hook is to be chained, but a chained one is already there.
    ChainTaken {
        /// The foreign hook's name.
        hook: String,
        /// The chained name in the way.
        chained: String,
    },
    /// `pre-push` is not ours: uninstall leaves it alone.
    Foreign,
}

/// The chained names a platform's shim may run, each with the hook name it came from.
fn chained_names(platform: Platform) -> impl Iterator<Item = (&'static str, String)> {
    hook_names(platform)
        .iter()
        .map(|name| (*name, chained_name(name)))
}

/// The steps that install the shim, given what each name holds: a foreign
/// hook git would run now is chained first (the first of
/// [`hook_names`] found), unless a chained hook is already there. An
/// installed shim is written again (the caller skips identical text).
pub fn plan_install(
    platform: Platform,
    found: &dyn Fn(&str) -> Found,
) -> Result<Vec<Step>, Refusal> {
    if found("pre-push") == Found::Ours {
        return Ok(vec![Step::WriteShim]);
    }
    let mut steps = Vec::new();
    let runs = hook_names(platform)
        .iter()
        .find(|name| found(name) != Found::Nothing);
    if let Some(hook) = runs {
        if let Some((_, taken)) = chained_names(platform).find(|(_, c)| found(c) != Found::Nothing)
        {
            return Err(Refusal::ChainTaken {
                hook: hook.to_string(),
                chained: taken,
            });
        }
        steps.push(Step::Rename {
            from: hook.to_string(),
            to: chained_name(hook),
        });
    }
    steps.push(Step::WriteShim);
    Ok(steps)
}

/// The steps that remove the shim and put the chained hook back under the
/// name it came from (over the shim when that is `pre-push`); nothing when
/// there is no `pre-push`.
pub fn plan_uninstall(
    platform: Platform,
    found: &dyn Fn(&str) -> Found,
) -> Result<Vec<Step>, Refusal> {
    match found("pre-push") {
        Found::Nothing => return Ok(Vec::new()),
        Found::Foreign => return Err(Refusal::Foreign),
        Found::Ours => {}
    }
    let back = chained_names(platform).find(|(_, c)| found(c) != Found::Nothing);
    Ok(match back {
        // The rename replaces the shim: there is always a pre-push.
        Some(("pre-push", chained)) => vec![Step::Rename {
            from: chained,
            to: "pre-push".into(),
        }],
        Some((hook, chained)) => vec![
            Step::RemoveShim,
            Step::Rename {
                from: chained,
                to: hook.to_string(),
            },
        ],
        None => vec![Step::RemoveShim],
    })
}

/// What `dir/name` holds.
fn found_in(dir: &Path, name: &str) -> Result<Found, InstallError> {
    let path = dir.join(name);
    Ok(match (exists(&path), is_ours(&path)?) {
        (false, _) => Found::Nothing,
        (true, true) => Found::Ours,
        (true, false) => Found::Foreign,
    })
}

/// What each name the plans ask about holds, read once.
fn survey(dir: &Path, platform: Platform) -> Result<Vec<(String, Found)>, InstallError> {
    let mut names: Vec<String> = hook_names(platform).iter().map(|n| n.to_string()).collect();
    names.extend(chained_names(platform).map(|(_, c)| c));
    names
        .into_iter()
        .map(|n| found_in(dir, &n).map(|f| (n, f)))
        .collect()
}

fn lookup(seen: &[(String, Found)]) -> impl Fn(&str) -> Found + '_ {
    |name| {
        seen.iter()
            .find(|(n, _)| n == name)
            .map_or(Found::Nothing, |(_, f)| *f)
    }
}

/// Writes `text` as `dir/pre-push`, chaining a foreign hook found there.
pub fn install(dir: &Path, text: &str) -> Result<Done, InstallError> {
    fs::create_dir_all(dir).map_err(io(dir))?;
    let platform = Platform::HOST;
    let hook = dir.join("pre-push");
    let seen = survey(dir, platform)?;
    let steps = plan_install(platform, &lookup(&seen)).map_err(|r| match r {
        Refusal::ChainTaken { hook, chained } => InstallError::ChainTaken {
            hook: dir.join(hook),
            chained: dir.join(chained),
        },
        Refusal::Foreign => InstallError::Foreign { path: hook.clone() },
    })?;
    if steps == [Step::WriteShim]
        && lookup(&seen)("pre-push") == Found::Ours
        && fs::read_to_string(&hook).map_err(io(&hook))? == text
    {
        return Ok(Done::AlreadyInstalled { hook });
    }
    for step in &steps {
        match step {
            Step::Rename { from, to } => {
                let from = dir.join(from);
                fs::rename(&from, dir.join(to)).map_err(io(&from))?;
            }
            Step::WriteShim => write_atomic(&hook, text)?,
            Step::RemoveShim => {}
        }
    }
    let chained = chained_names(platform)
        .map(|(_, c)| dir.join(c))
        .find(|c| exists(c));
    Ok(Done::Installed { hook, chained })
}

/// Removes our `dir/pre-push`, restoring a chained one.
pub fn uninstall(dir: &Path) -> Result<Done, InstallError> {
    let platform = Platform::HOST;
    let hook = dir.join("pre-push");
    let seen = survey(dir, platform)?;
    let steps = plan_uninstall(platform, &lookup(&seen))
        .map_err(|_| InstallError::Foreign { path: hook.clone() })?;
    if steps.is_empty() {
        return Ok(Done::NotInstalled { hook });
    }
    let mut restored = false;
    for step in &steps {
        match step {
            Step::RemoveShim => fs::remove_file(&hook).map_err(io(&hook))?,
            Step::Rename { from, to } => {
                let from = dir.join(from);
                fs::rename(&from, dir.join(to)).map_err(io(&from))?;
                restored = true;
            }
            Step::WriteShim => {}
        }
    }
    let hook = match (restored, steps.last()) {
        (true, Some(Step::Rename { to, .. })) => dir.join(to),
        _ => hook,
    };
    Ok(Done::Removed { hook, restored })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(pairs: &'static [(&'static str, Found)]) -> impl Fn(&str) -> Found {
        move |name| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map_or(Found::Nothing, |(_, f)| *f)
        }
    }

    fn rename(from: &str, to: &str) -> Step {
        Step::Rename {
            from: from.into(),
            to: to.into(),
        }
    }

    // git hook.c find_hook: the name, then (STRIP_EXTENSION, ".exe" in
    // config.mak.uname for Windows builds) the name with .exe.
    #[test]
    fn windows_also_runs_pre_push_exe() {
        assert_eq!(hook_names(Platform::Unix), ["pre-push"]);
        assert_eq!(hook_names(Platform::Windows), ["pre-push", "pre-push.exe"]);
        assert_eq!(chained_name("pre-push"), CHAINED);
        assert_eq!(chained_name("pre-push.exe"), format!("{CHAINED}.exe"));
    }

    #[test]
    fn a_foreign_hook_git_runs_is_chained_under_its_own_kind_of_name() {
        let empty = state(&[]);
        for p in [Platform::Unix, Platform::Windows] {
            assert_eq!(plan_install(p, &empty), Ok(vec![Step::WriteShim]));
        }
        let script = state(&[("pre-push", Found::Foreign)]);
        for p in [Platform::Unix, Platform::Windows] {
            assert_eq!(
                plan_install(p, &script),
                Ok(vec![rename("pre-push", CHAINED), Step::WriteShim])
            );
        }
        // Only Windows runs pre-push.exe, so only there would the shim hide it.
        let exe = state(&[("pre-push.exe", Found::Foreign)]);
        assert_eq!(
            plan_install(Platform::Unix, &exe),
            Ok(vec![Step::WriteShim])
        );
        assert_eq!(
            plan_install(Platform::Windows, &exe),
            Ok(vec![
                rename("pre-push.exe", "pre-push.pushguard-chained.exe"),
                Step::WriteShim
            ])
        );
        // With both, git runs pre-push; pre-push.exe stays as unused as it was.
        let both = state(&[
            ("pre-push", Found::Foreign),
            ("pre-push.exe", Found::Foreign),
        ]);
        assert_eq!(
            plan_install(Platform::Windows, &both),
            Ok(vec![rename("pre-push", CHAINED), Step::WriteShim])
        );
        let ours = state(&[("pre-push", Found::Ours), (CHAINED, Found::Foreign)]);
        assert_eq!(
            plan_install(Platform::Windows, &ours),
            Ok(vec![Step::WriteShim])
        );
    }

    #[test]
    fn a_chained_hook_in_the_way_stops_the_install() {
        let taken = state(&[
            ("pre-push.exe", Found::Foreign),
            ("pre-push.pushguard-chained", Found::Foreign),
        ]);
        assert_eq!(
            plan_install(Platform::Windows, &taken),
            Err(Refusal::ChainTaken {
                hook: "pre-push.exe".into(),
                chained: CHAINED.into()
            })
        );
        // On Unix a chained .exe is nobody's business.
        let unix = state(&[
            ("pre-push", Found::Foreign),
            ("pre-push.pushguard-chained.exe", Found::Foreign),
        ]);
        assert_eq!(
            plan_install(Platform::Unix, &unix),
            Ok(vec![rename("pre-push", CHAINED), Step::WriteShim])
        );
    }

    #[test]
    fn uninstall_puts_the_chained_hook_back_under_its_name() {
        let none = state(&[]);
        assert_eq!(plan_uninstall(Platform::Windows, &none), Ok(vec![]));
        let foreign = state(&[("pre-push", Found::Foreign)]);
        assert_eq!(
            plan_uninstall(Platform::Unix, &foreign),
            Err(Refusal::Foreign)
        );
        let script = state(&[("pre-push", Found::Ours), (CHAINED, Found::Foreign)]);
        assert_eq!(
            plan_uninstall(Platform::Unix, &script),
            Ok(vec![rename(CHAINED, "pre-push")])
        );
        let exe = state(&[
            ("pre-push", Found::Ours),
            ("pre-push.pushguard-chained.exe", Found::Foreign),
        ]);
        assert_eq!(
            plan_uninstall(Platform::Windows, &exe),
            Ok(vec![
                Step::RemoveShim,
                rename("pre-push.pushguard-chained.exe", "pre-push.exe")
            ])
        );
        assert_eq!(
            plan_uninstall(Platform::Unix, &exe),
            Ok(vec![Step::RemoveShim])
        );
    }
}
