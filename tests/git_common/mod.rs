//! Helpers shared by the git integration tests: finding git, temp repos.

#![allow(dead_code)]

use std::collections::HashMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The git under test (`PUSHGUARD_TEST_GIT`, else 2.47 at /usr/local/bin when
/// present), or `None` to skip.
pub fn git() -> Option<PathBuf> {
    if let Some(g) = std::env::var_os("PUSHGUARD_TEST_GIT") {
        return Some(PathBuf::from(g));
    }
    for cand in ["/usr/local/bin/git", "/usr/bin/git"] {
        if Path::new(cand).exists() {
            return Some(PathBuf::from(cand));
        }
    }
    if std::env::var_os("CI").is_some() {
        panic!("git is missing and CI is set");
    }
    eprintln!("SKIPPING: git not found");
    None
}

/// Runs git in `dir` with a time bound; returns its output.
pub fn run_git(git: &Path, dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new("timeout");
    cmd.arg("20").arg(git).args(args).current_dir(dir);
    cmd.env_remove("GIT_SSH_COMMAND")
        .env_remove("GIT_SSH")
        .env_remove("GIT_SSH_VARIANT")
        .env_remove("GIT_CONFIG_PARAMETERS")
        .env_remove("GIT_DIR")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .env("GIT_TERMINAL_PROMPT", "0");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run git")
}

/// A fresh repository with one commit.
pub fn repo(git: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for args in [
        &["init", "-q", "."][..],
        &["config", "user.email", "t@example.com"],
        &["config", "user.name", "t"],
        &["commit", "-q", "--allow-empty", "-m", "c"],
    ] {
        let out = run_git(git, d, args, &[]);
        assert!(out.status.success(), "{args:?}: {out:?}");
    }
    dir
}

/// A fake ssh: logs `$0` and its arguments to `$FAKE_LOG`; a `-G` probe
/// succeeds when `$FAKE_PROBE_OK` is set, everything else fails.
pub const FAKE: &str = r#"#!/bin/sh
{ echo CALL; for a in "$0" "$@"; do printf 'ARG %s\n' "$a"; done; } >> "$FAKE_LOG"
for a in "$@"; do
  if [ "$a" = -G ] && [ -n "$FAKE_PROBE_OK" ]; then exit 0; fi
done
exit 1
"#;

/// Fake programs under every name whose basename matters.
pub fn fakes(dir: &Path) -> HashMap<&'static str, PathBuf> {
    let mut map = HashMap::new();
    for (key, rel) in [
        ("ssh", "bin/ssh"),
        ("plink", "bin/plink"),
        ("PLINK.EXE", "bin/PLINK.EXE"),
        ("tortoiseplink", "bin/tortoiseplink"),
        ("putty", "bin/putty"),
        ("wrap", "bin/wrap"),
        ("spaced ssh", "sp ace/ssh"),
    ] {
        let p = dir.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, FAKE).unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o755)).unwrap();
        map.insert(key, p);
    }
    map
}
