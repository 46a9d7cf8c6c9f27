//! The estimate against the oracle: for every push shape, the exact count
//! must equal the `Total N` that a real `git push` prints right after.
//!
//! Each push runs twice: first a capturing pre-push hook records git's real
//! stdin and refuses (so nothing moves), the estimate runs on that stdin,
//! then the same push runs for real and its `Total` is compared.

use std::fs;
use std::path::{Path, PathBuf};

use pushguard::estimate::{Count, Repo, estimate, quick_total};
use pushguard::git::GitConfig;
use pushguard::plan::parse_updates;

use crate::support::push::git_total;
use crate::support::{Cmd, Sandbox, require};

const HOOK: &str = "#!/bin/sh\n\
if [ -n \"$CAPTURE\" ]; then printf '%s\\n' \"$1\" > \"$CAPTURE.remote\"; cat > \"$CAPTURE\"; exit 1; fi\n\
cat >/dev/null\nexit 0\n";

/// git in `dir` with a fixed identity.
fn run(s: &Sandbox, dir: &Path, args: &[&str]) -> Cmd {
    s.git(args)
        .dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
}

fn git(s: &Sandbox, dir: &Path, args: &[&str]) -> String {
    run(s, dir, args).stdout()
}

/// Writes `n` files under a few directories and commits them.
fn commit_files(s: &Sandbox, dir: &Path, tag: &str, n: usize) {
    for i in 0..n {
        let sub = dir.join(format!("d{}/e{}", i % 3, i % 2));
        fs::create_dir_all(&sub).unwrap();
        fs::write(sub.join(format!("{tag}-{i}.txt")), format!("{tag} {i}\n")).unwrap();
    }
    git(s, dir, &["add", "-A"]);
    git(s, dir, &["commit", "-q", "-m", tag]);
}

struct Setup {
    s: Sandbox,
    root: PathBuf,
    work: PathBuf,
}

fn setup(format: &str) -> Setup {
    setup_refs(format, "files")
}

fn setup_refs(format: &str, refs: &str) -> Setup {
    let s = Sandbox::new();
    let root = s.root().to_path_buf();
    let of = format!("--object-format={format}");
    let rf = format!("--ref-format={refs}");
    git(&s, &root, &["init", "-q", "--bare", &of, "remote.git"]);
    git(&s, &root, &["init", "-q", &of, &rf, "-b", "main", "work"]);
    let work = root.join("work");
    git(&s, &work, &["remote", "add", "origin", "../remote.git"]);
    install_hook(&s, &work);
    Setup { s, root, work }
}

fn install_hook(s: &Sandbox, work: &Path) {
    s.write_exec(work.join(".git/hooks/pre-push"), HOOK, 0o755);
}

/// Estimates the push `args` from git's real hook stdin, then pushes; returns (estimate, git's total).
fn estimate_then_push(s: &Sandbox, work: &Path, push_args: &[&str]) -> (Count, u64) {
    let capture = work.join("..").join("capture");
    let _ = fs::remove_file(&capture);
    let mut args = vec!["push", "--progress"];
    args.extend_from_slice(push_args);
    let dry = run(s, work, &args).env("CAPTURE", &capture).run();
    let stdin = fs::read_to_string(&capture).unwrap_or_default();
    if !stdin.is_empty() {
        assert!(!dry.success(), "capturing hook must stop the push");
    }
    let remote = fs::read_to_string(capture.with_extension("remote")).unwrap_or_default();
    let updates = parse_updates(&stdin).unwrap();
    let repo = Repo::discover(work).unwrap();
    let cfg = GitConfig::read(work).unwrap();
    let est = estimate(&repo, &cfg, Some(remote.trim()), &updates, 1_000_000).unwrap();
    let real = run(s, work, &args).run();
    assert!(real.success(), "push {args:?}: {real:?}");
    let total = git_total(&real.stderr);
    assert!(
        est.objects.value() <= quick_total(&repo).unwrap(),
        "upper bound broken"
    );
    (est.objects, total)
}

fn assert_exact(s: &Sandbox, work: &Path, what: &str, push_args: &[&str]) -> u64 {
    let (count, total) = estimate_then_push(s, work, push_args);
    assert_eq!(
        count,
        Count::Exact(total),
        "{what}: estimate vs git's Total"
    );
    total
}

fn all_shapes(format: &str) {
    let setup = setup(format);
    let (s, w) = (&setup.s, &setup.work);
    let exact = |what: &str, args: &[&str]| assert_exact(s, w, what, args);
    commit_files(s, w, "a", 7);
    commit_files(s, w, "b", 3);
    assert!(exact("empty remote", &["origin", "main"]) > 0);
    git(s, w, &["checkout", "-q", "-b", "feature"]);
    commit_files(s, w, "f", 4);
    assert!(exact("new branch", &["origin", "feature"]) > 0);
    git(s, w, &["checkout", "-q", "main"]);
    commit_files(s, w, "c", 5);
    commit_files(s, w, "d", 2);
    assert!(exact("fast-forward", &["origin", "main"]) > 0);
    git(s, w, &["reset", "-q", "--hard", "HEAD~2"]);
    commit_files(s, w, "e", 3);
    assert!(exact("force push", &["-f", "origin", "main"]) > 0);
    git(s, w, &["tag", "light"]);
    git(s, w, &["tag", "-a", "-m", "annotated", "v1", "HEAD~1"]);
    assert_eq!(exact("lightweight tag", &["origin", "light"]), 0);
    assert_eq!(exact("annotated tag", &["origin", "v1"]), 1);
    git(s, w, &["checkout", "-q", "-b", "two"]);
    commit_files(s, w, "t", 2);
    git(s, w, &["checkout", "-q", "main"]);
    commit_files(s, w, "g", 2);
    git(s, w, &["tag", "-a", "-m", "second", "v2"]);
    assert!(exact("several refs", &["origin", "main", "two", "v2"]) > 3);
    assert_eq!(exact("deletions only", &["origin", ":two", ":light"]), 0);
    assert_eq!(exact("nothing to push", &["origin", "main"]), 0);
    stale_tracking_ref(format);
}

/// Someone else force-pushes main; our tracking ref still shows the old tip,
/// and stdin (the remote's real tip, which we lack) contradicts it.
fn stale_tracking_ref(format: &str) {
    let setup = setup(format);
    let (s, w) = (&setup.s, &setup.work);
    for i in 0..4 {
        commit_files(s, w, &format!("s{i}"), 3);
    }
    git(s, w, &["push", "-q", "origin", "main"]);
    git(
        s,
        &setup.root,
        &["clone", "-q", "-b", "main", "remote.git", "other"],
    );
    let other = setup.root.join("other");
    git(s, &other, &["reset", "-q", "--hard", "HEAD~3"]);
    commit_files(s, &other, "o", 6);
    git(s, &other, &["push", "-q", "-f", "origin", "main"]);
    commit_files(s, w, "h", 2);
    let (count, total) = estimate_then_push(s, w, &["-f", "origin", "main"]);
    assert_eq!(count, Count::Exact(total), "stale tracking ref");
    // Trusting the stale ref would have counted only the last commit.
    assert!(total > 10, "{total}");
}

#[test]
fn exact_count_equals_git_total_sha1() {
    if require("git").is_some() {
        all_shapes("sha1");
    }
}

#[test]
fn exact_count_equals_git_total_sha256() {
    if require("git").is_some() {
        all_shapes("sha256");
    }
}

/// A new branch has no remote oid on stdin: only the tracking refs bound it.
fn new_branch_bounded_by_tracking_refs(refs: &str, pack_refs: bool) {
    let setup = setup_refs("sha1", refs);
    let (s, w) = (&setup.s, &setup.work);
    for i in 0..3 {
        commit_files(s, w, &format!("m{i}"), 5);
    }
    git(s, w, &["push", "-q", "origin", "main"]);
    if pack_refs {
        git(s, w, &["pack-refs", "--all"]);
        assert!(!w.join(".git/refs/remotes/origin/main").exists());
    }
    git(s, w, &["checkout", "-q", "-b", "topic"]);
    commit_files(s, w, "t", 2);
    let (count, total) = estimate_then_push(s, w, &["origin", "topic"]);
    assert_eq!(
        count,
        Count::Exact(total),
        "{refs} refs, packed: {pack_refs}"
    );
    assert!((1..10).contains(&total), "{total}");
}

#[test]
fn tracking_refs_loose_packed_and_reftable() {
    if require("git").is_none() {
        return;
    }
    new_branch_bounded_by_tracking_refs("files", false);
    new_branch_bounded_by_tracking_refs("files", true);
    new_branch_bounded_by_tracking_refs("reftable", false);
}

#[test]
fn shallow_clone_push() {
    if require("git").is_none() {
        return;
    }
    let setup = setup("sha1");
    let s = &setup.s;
    for i in 0..4 {
        commit_files(s, &setup.work, &format!("s{i}"), 3);
    }
    git(s, &setup.work, &["push", "-q", "origin", "main"]);
    let url = format!("file://{}", setup.root.join("remote.git").display());
    git(
        s,
        &setup.root,
        &["clone", "-q", "-b", "main", "--depth", "1", &url, "shallow"],
    );
    let sh = setup.root.join("shallow");
    assert!(sh.join(".git/shallow").is_file());
    install_hook(s, &sh);
    commit_files(s, &sh, "x", 4);
    assert!(assert_exact(s, &sh, "shallow fast-forward", &["origin", "main"]) > 0);
    git(s, &sh, &["checkout", "-q", "-b", "br"]);
    commit_files(s, &sh, "y", 2);
    assert!(assert_exact(s, &sh, "shallow new branch", &["origin", "br"]) > 0);
}

#[test]
fn stops_early_and_bounds_with_indexes() {
    if require("git").is_none() {
        return;
    }
    let setup = setup("sha1");
    let (s, w) = (&setup.s, &setup.work);
    for i in 0..5 {
        commit_files(s, w, &format!("m{i}"), 10);
    }
    git(s, w, &["repack", "-adq"]);
    let head = git(s, w, &["rev-parse", "HEAD"]);
    let zero = "0".repeat(40);
    let stdin = format!("refs/heads/main {head} refs/heads/main {zero}\n");
    let updates = parse_updates(&stdin).unwrap();
    let repo = Repo::discover(w).unwrap();
    let cfg = GitConfig::read(w).unwrap();
    let full = estimate(&repo, &cfg, Some("origin"), &updates, u64::MAX).unwrap();
    let Count::Exact(n) = full.objects else {
        panic!("{full:?}")
    };
    assert_eq!(full.upper_bound, None, "an exact count needs no bound");
    let stopped = estimate(&repo, &cfg, Some("origin"), &updates, 20).unwrap();
    assert_eq!(stopped.upper_bound, Some(quick_total(&repo).unwrap()));
    // At least the limit; possibly all n when git wrote everything before
    // the first read (a loaded machine), which "at least" still states
    // truly.
    assert!(
        matches!(stopped.objects, Count::AtLeast(k) if (20..=n).contains(&k)),
        "{stopped:?}"
    );
    let bytes = stopped.bytes.unwrap();
    assert!(bytes.at_least && bytes.value > 0, "{bytes:?}");
    assert!(bytes.to_string().starts_with("at least ~"), "{bytes}");
    let unknown = estimate(&repo, &cfg, None, &updates, u64::MAX).unwrap();
    assert_eq!(unknown.objects, Count::Exact(n));
    assert!(unknown.notes.iter().any(|n| n.contains("upper bound")));
}

#[test]
fn missing_boundary_oid_is_ignored_and_bad_tip_is_an_error() {
    if require("git").is_none() {
        return;
    }
    let setup = setup("sha1");
    let (s, w) = (&setup.s, &setup.work);
    commit_files(s, w, "a", 2);
    let head = git(s, w, &["rev-parse", "HEAD"]);
    let missing = "1234567890".repeat(4);
    let stdin = format!("refs/heads/main {head} refs/heads/main {missing}\n");
    let repo = Repo::discover(w).unwrap();
    let cfg = GitConfig::read(w).unwrap();
    let est = estimate(
        &repo,
        &cfg,
        Some("origin"),
        &parse_updates(&stdin).unwrap(),
        100,
    )
    .unwrap();
    assert!(est.objects.is_exact() && est.objects.value() > 0, "{est:?}");
    assert!(est.walk_time.is_some());
    let not_a_repo = tempfile::tempdir().unwrap();
    assert!(Repo::discover(not_a_repo.path()).is_err());
}
