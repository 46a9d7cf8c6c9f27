//! Finding the repository's directories without starting git: the git dir,
//! the common dir (linked worktrees), the object directories (alternates
//! included) and whether a commit-graph exists.
//!
//! Hand-written because the hook's fast path must not start a git process:
//! a `git rev-parse` costs a few milliseconds, the file checks here a few
//! microseconds. It follows git's own rules (`GIT_DIR`, `.git` files with
//! `gitdir:`, `commondir`, `GIT_COMMON_DIR`, `GIT_OBJECT_DIRECTORY`,
//! `GIT_ALTERNATE_OBJECT_DIRECTORIES`, `objects/info/alternates`).

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};

use super::EstimateError;

/// How deep git follows alternates of alternates.
const MAX_ALTERNATE_DEPTH: usize = 5;

/// A repository's directories as git would find them from a working directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repo {
    cwd: PathBuf,
    git_dir: PathBuf,
    common_dir: PathBuf,
    object_dirs: Vec<PathBuf>,
}

impl Repo {
    /// Finds the repository for `cwd` as git would, honouring the `GIT_*` environment.
    pub fn discover(cwd: &Path) -> Result<Repo, EstimateError> {
        Self::discover_in(cwd, |k| std::env::var_os(k))
    }

    /// Like [`Repo::discover`] with the environment given as a lookup function.
    pub(crate) fn discover_in(
        cwd: &Path,
        env: impl Fn(&str) -> Option<OsString>,
    ) -> Result<Repo, EstimateError> {
        let var = |k: &str| env(k).filter(|v| !v.is_empty()).map(|v| cwd.join(v));
        let git_dir = match var("GIT_DIR") {
            Some(dir) if dir.is_file() => read_gitfile(&dir)?,
            Some(dir) if looks_like_git_dir(&dir) => dir,
            Some(dir) => return Err(EstimateError::NotARepo { dir }),
            None => find_git_dir(cwd)?,
        };
        let common_dir = match var("GIT_COMMON_DIR") {
            Some(dir) => dir,
            None => match fs::read_to_string(git_dir.join("commondir")) {
                Ok(text) => git_dir.join(text.trim_end_matches(['\n', '\r'])),
                Err(_) => git_dir.clone(),
            },
        };
        let objects = var("GIT_OBJECT_DIRECTORY").unwrap_or_else(|| common_dir.join("objects"));
        let mut object_dirs = vec![objects.clone()];
        if let Some(list) = env("GIT_ALTERNATE_OBJECT_DIRECTORIES") {
            for p in std::env::split_paths(&list) {
                if !p.as_os_str().is_empty() {
                    add_object_dir(&mut object_dirs, cwd.join(p), 0);
                }
            }
        }
        add_alternates_of(&mut object_dirs, &objects, 0);
        Ok(Repo {
            cwd: cwd.to_path_buf(),
            git_dir,
            common_dir,
            object_dirs,
        })
    }

    /// The directory git commands for this repository run in.
    pub fn cwd(&self) -> &Path {
        &self.cwd
    }

    /// The git dir (`.git`, or `.git/worktrees/<name>` in a linked worktree).
    pub fn git_dir(&self) -> &Path {
        &self.git_dir
    }

    /// The common dir shared by all worktrees (holds refs and objects).
    pub fn common_dir(&self) -> &Path {
        &self.common_dir
    }

    /// The object directories: the repository's own first, then alternates.
    pub fn object_dirs(&self) -> &[PathBuf] {
        &self.object_dirs
    }

    /// True when any object directory holds a commit-graph (single file or chain).
    pub fn has_commit_graph(&self) -> bool {
        self.object_dirs.iter().any(|d| {
            let info = d.join("info");
            info.join("commit-graph").is_file()
                || info
                    .join("commit-graphs")
                    .join("commit-graph-chain")
                    .is_file()
        })
    }
}

/// Walks up from `start` as git does: `<dir>/.git` (directory or gitfile), then `<dir>` itself (bare).
fn find_git_dir(start: &Path) -> Result<PathBuf, EstimateError> {
    for dir in start.ancestors() {
        let dot_git = dir.join(".git");
        if dot_git.is_file() {
            return read_gitfile(&dot_git);
        }
        if looks_like_git_dir(&dot_git) {
            return Ok(dot_git);
        }
        if looks_like_git_dir(dir) {
            return Ok(dir.to_path_buf());
        }
    }
    Err(EstimateError::NotARepo {
        dir: start.to_path_buf(),
    })
}

/// git's test for a git dir: a `HEAD`, and objects + refs or a `commondir` file.
fn looks_like_git_dir(dir: &Path) -> bool {
    dir.join("HEAD").is_file()
        && (dir.join("commondir").is_file()
            || (dir.join("objects").is_dir() && dir.join("refs").is_dir()))
}

/// Reads a `.git` file (`gitdir: <path>`, relative to the file's directory).
fn read_gitfile(file: &Path) -> Result<PathBuf, EstimateError> {
    let text = fs::read_to_string(file).map_err(|source| EstimateError::Io {
        path: file.to_path_buf(),
        source,
    })?;
    let Some(target) = text.trim_end().strip_prefix("gitdir:") else {
        return Err(EstimateError::BadFile {
            path: file.to_path_buf(),
            reason: "does not start with `gitdir:`".into(),
        });
    };
    let base = file.parent().unwrap_or(Path::new("."));
    Ok(base.join(target.trim()))
}

fn add_object_dir(dirs: &mut Vec<PathBuf>, dir: PathBuf, depth: usize) {
    let canonical = |p: &Path| fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let key = canonical(&dir);
    if !dir.is_dir() || dirs.iter().any(|d| canonical(d) == key) {
        return;
    }
    dirs.push(dir.clone());
    add_alternates_of(dirs, &dir, depth + 1);
}

/// Adds the directories listed in `<objects>/info/alternates` (relative to `objects`).
fn add_alternates_of(dirs: &mut Vec<PathBuf>, objects: &Path, depth: usize) {
    if depth > MAX_ALTERNATE_DEPTH {
        return;
    }
    let Ok(text) = fs::read_to_string(objects.join("info").join("alternates")) else {
        return;
    };
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let path = unquote(line);
        add_object_dir(dirs, objects.join(path), depth);
    }
}

/// Undoes git's C-style quoting of an alternates line (`"..."` with backslash escapes).
fn unquote(line: &str) -> String {
    let Some(inner) = line.strip_prefix('"').and_then(|l| l.strip_suffix('"')) else {
        return line.to_string();
    };
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::estimate::test_util::git;

    fn no_env(_: &str) -> Option<OsString> {
        None
    }

    fn canon(p: &Path) -> PathBuf {
        fs::canonicalize(p).unwrap()
    }

    #[test]
    fn finds_git_dir_from_subdirectory() {
        let t = tempfile::tempdir().unwrap();
        git(t.path(), &["init", "-q", "r"]);
        let sub = t.path().join("r/a/b");
        fs::create_dir_all(&sub).unwrap();
        let repo = Repo::discover_in(&sub, no_env).unwrap();
        assert_eq!(canon(repo.git_dir()), canon(&t.path().join("r/.git")));
        assert_eq!(
            canon(&repo.object_dirs()[0]),
            canon(&t.path().join("r/.git/objects"))
        );
        assert!(!repo.has_commit_graph());
    }

    #[test]
    fn not_a_repo_is_an_error() {
        let t = tempfile::tempdir().unwrap();
        let e = Repo::discover_in(t.path(), no_env).unwrap_err();
        assert!(matches!(e, EstimateError::NotARepo { .. }), "{e}");
    }

    #[test]
    fn linked_worktree_uses_common_dir() {
        let t = tempfile::tempdir().unwrap();
        let r = t.path().join("r");
        git(t.path(), &["init", "-q", "r"]);
        git(&r, &["commit", "-q", "--allow-empty", "-m", "x"]);
        git(&r, &["worktree", "add", "-q", "../wt"]);
        let repo = Repo::discover_in(&t.path().join("wt"), no_env).unwrap();
        let expect_git = git(&t.path().join("wt"), &["rev-parse", "--absolute-git-dir"]);
        let expect_git = expect_git.trim();
        assert_eq!(canon(repo.git_dir()), canon(Path::new(&expect_git)));
        assert_eq!(canon(repo.common_dir()), canon(&r.join(".git")));
        assert_eq!(
            canon(&repo.object_dirs()[0]),
            canon(&r.join(".git/objects"))
        );
    }

    #[test]
    fn bare_repo_and_relative_git_dir() {
        let t = tempfile::tempdir().unwrap();
        git(t.path(), &["init", "-q", "--bare", "b.git"]);
        let repo = Repo::discover_in(&t.path().join("b.git"), no_env).unwrap();
        assert_eq!(canon(repo.git_dir()), canon(&t.path().join("b.git")));
        let env = |k: &str| (k == "GIT_DIR").then(|| OsString::from("b.git"));
        let repo = Repo::discover_in(t.path(), env).unwrap();
        assert_eq!(canon(repo.git_dir()), canon(&t.path().join("b.git")));
        let env = |k: &str| (k == "GIT_DIR").then(|| OsString::from("nope"));
        assert!(Repo::discover_in(t.path(), env).is_err());
    }

    #[test]
    fn alternates_and_env_object_dirs() {
        let t = tempfile::tempdir().unwrap();
        git(t.path(), &["init", "-q", "--bare", "base.git"]);
        git(t.path(), &["init", "-q", "--bare", "extra.git"]);
        git(t.path(), &["clone", "-q", "--shared", "base.git", "r"]);
        let env = |k: &str| {
            (k == "GIT_ALTERNATE_OBJECT_DIRECTORIES").then(|| OsString::from("extra.git/objects"))
        };
        let repo = Repo::discover_in(&t.path().join("r"), no_env).unwrap();
        let dirs: Vec<_> = repo.object_dirs().iter().map(|d| canon(d)).collect();
        assert_eq!(dirs.len(), 2, "{dirs:?}");
        assert_eq!(dirs[1], canon(&t.path().join("base.git/objects")));
        let repo = Repo::discover_in(&t.path().join("r"), |k| {
            env(k).map(|v| t.path().join("r").join("..").join(v).into_os_string())
        })
        .unwrap();
        assert_eq!(repo.object_dirs().len(), 3);
    }

    #[test]
    fn commit_graph_is_detected() {
        let t = tempfile::tempdir().unwrap();
        git(t.path(), &["init", "-q", "r"]);
        let r = t.path().join("r");
        git(&r, &["commit", "-q", "--allow-empty", "-m", "x"]);
        git(&r, &["commit-graph", "write", "--reachable"]);
        assert!(Repo::discover_in(&r, no_env).unwrap().has_commit_graph());
    }

    #[test]
    fn unquotes_alternates_lines() {
        assert_eq!(unquote("plain"), "plain");
        assert_eq!(unquote(r#""a\"b\\c""#), "a\"b\\c");
    }
}
