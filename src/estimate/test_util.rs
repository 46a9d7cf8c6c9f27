//! Helpers for this module's unit tests: running real git in temp repositories.

use std::path::Path;
use std::process::Command;

/// Runs git in `dir`, panics on failure, returns stdout.
pub(crate) fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}
