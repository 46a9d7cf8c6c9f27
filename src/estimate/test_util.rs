//! Helpers for this module's unit tests: running real git in temp repositories.

use std::path::Path;

/// Runs git in `dir` (with an author, whatever the machine's config),
/// panics on failure, returns stdout.
pub(crate) fn git(dir: &Path, args: &[&str]) -> String {
    let mut all = vec!["-c", "user.name=T", "-c", "user.email=t@example.invalid"];
    all.extend_from_slice(args);
    crate::git::run(dir, &all).unwrap_or_else(|e| panic!("{e}"))
}
