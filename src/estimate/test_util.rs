//! Helpers for this module's unit tests: running real git in temp repositories.

use std::path::Path;

/// Runs git in `dir`, panics on failure, returns stdout.
pub(crate) fn git(dir: &Path, args: &[&str]) -> String {
    crate::git::run(dir, args).unwrap_or_else(|e| panic!("{e}"))
}
