//! Repository layouts through a real `git push` with the hook installed
//! (see `support::push`): linked worktrees, submodules, `GIT_DIR` with
//! `GIT_WORK_TREE`, bare repositories, SHA-256, shallow clones, reftable.
//! Each push's count must be git's own `Total N`, exact, judged by the
//! hook where git runs it. (Partial clones: `edges`, item 1.)

use std::path::Path;

use crate::support::push::{Pushed, World};

/// A world with a bare `r.git` and `w` (origin at it) holding `commits`
/// commits; every push counts (warn at 1 object) and none blocks.
fn world(w_args: &[&str], commits: usize) -> Option<World> {
    let w = World::new()?;
    let mut init = vec!["init", "-q", "--bare", "-b", "main"];
    init.extend(w_args.iter().filter(|a| a.starts_with("--object-format")));
    init.push("r.git");
    w.git(".", &init);
    let mut init = vec!["init", "-q", "-b", "main"];
    init.extend_from_slice(w_args);
    init.push("w");
    w.git(".", &init);
    w.git("w", &["remote", "add", "origin", &w.url("r.git")]);
    w.install_hook("w");
    limits(&w, "w");
    for i in 0..commits {
        w.commit("w", &format!("c{i}"), 3);
    }
    Some(w)
}

/// Thresholds in `rel` that make every push counted and none blocked.
fn limits(w: &World, rel: &str) {
    w.git(rel, &["config", "pushguard.warnObjects", "1"]);
    w.git(rel, &["config", "pushguard.blockObjects", "100000"]);
}

/// The push went through, the hook judged it, and counted exactly git's Total.
fn counted_exactly(p: &Pushed, what: &str) {
    assert!(p.ok, "{what}: {}", p.stderr);
    let v = p.json();
    assert!(p.total > 0, "{what}: {}", p.stderr);
    assert_eq!(
        v["objects"]["count"].as_u64(),
        Some(p.total),
        "{what}: {v:#}"
    );
    assert_eq!(v["objects"]["exact"], true, "{what}: {v:#}");
    assert_eq!(v["verdict"], "warn", "{what}: large, no keepalive: {v:#}");
}

#[test]
fn a_linked_worktree() {
    let Some(w) = world(&[], 2) else { return };
    counted_exactly(&w.push("w", &[], &["origin", "main"]), "main");
    w.git("w", &["worktree", "add", "-q", "-b", "feature", "../wt"]);
    w.commit("wt", "f", 3);
    let p = w.push("wt", &[], &["origin", "feature"]);
    counted_exactly(&p, "from the linked worktree");
    assert_eq!(
        p.hook_cwd.as_deref(),
        Some(w.path("wt").to_str().unwrap_or(""))
    );
}

#[test]
fn a_submodule() {
    let Some(w) = world(&[], 2) else { return };
    counted_exactly(&w.push("w", &[], &["origin", "main"]), "main");
    w.bare("super-remote.git");
    w.git(".", &["init", "-q", "-b", "main", "super"]);
    w.git(
        "super",
        &[
            "-c",
            "protocol.file.allow=always",
            "submodule",
            "add",
            "-q",
            &w.url("r.git"),
            "sub",
        ],
    );
    assert!(w.path("super/sub/.git").is_file(), "a gitfile");
    w.install_hook("super/sub");
    limits(&w, "super/sub");
    w.git("super/sub", &["checkout", "-q", "-b", "fix"]);
    w.commit("super/sub", "s", 3);
    counted_exactly(
        &w.push("super/sub", &[], &["origin", "fix"]),
        "from the submodule",
    );
}

#[test]
fn git_dir_and_git_work_tree() {
    let Some(w) = world(&[], 3) else { return };
    let git_dir = w.path("w/.git");
    let cmd = w
        .cmd("git", &[], ".")
        .env("GIT_DIR", &git_dir)
        .env("GIT_WORK_TREE", w.path("w"));
    let p = w.push_with(cmd, &[], &["origin", "main"]);
    counted_exactly(&p, "GIT_DIR and GIT_WORK_TREE from outside");
    let root = w.s.root().to_str();
    assert_eq!(
        p.hook_cwd.as_deref(),
        root,
        "git stays where it was started"
    );
    // The hook sees GIT_DIR as git gives it; relative to where git runs.
    w.commit("w", "more", 3);
    let cmd = w.cmd("git", &[], ".").env("GIT_DIR", "w/.git");
    counted_exactly(
        &w.push_with(cmd, &[], &["origin", "main"]),
        "a relative GIT_DIR",
    );
}

#[test]
fn a_bare_repository() {
    let Some(w) = world(&[], 3) else { return };
    w.git(".", &["init", "-q", "--bare", "-b", "main", "b.git"]);
    let b = w.path("b.git").display().to_string();
    // Into the bare repository over a local path (not ssh: the hook skips).
    w.git("w", &["push", "-q", &b, "main"]);
    w.git("b.git", &["remote", "add", "origin", &w.url("r.git")]);
    w.install_hook("b.git");
    limits(&w, "b.git");
    let p = w.push("b.git", &[], &["origin", "main"]);
    counted_exactly(&p, "from a bare repository");
    assert!(Path::new(&b).join("hooks/pre-push").is_file());
    // A new branch, bounded by the bare repository's tracking refs.
    w.git("b.git", &["fetch", "-q", "origin"]);
    w.commit("w", "topic", 2);
    w.git("w", &["push", "-q", &b, "main:topic"]);
    counted_exactly(&w.push("b.git", &[], &["origin", "topic"]), "a new branch");
}

#[test]
fn sha256() {
    let Some(w) = world(&["--object-format=sha256"], 3) else {
        return;
    };
    let p = w.push("w", &[], &["origin", "main"]);
    counted_exactly(&p, "first push");
    assert_eq!(
        p.stdin.split(' ').nth(1).map(str::len),
        Some(64),
        "{}",
        p.stdin
    );
    w.git("w", &["checkout", "-q", "-b", "topic"]);
    w.commit("w", "t", 2);
    counted_exactly(&w.push("w", &[], &["origin", "topic"]), "a new branch");
}

#[test]
fn a_shallow_clone() {
    let Some(w) = world(&[], 4) else { return };
    counted_exactly(&w.push("w", &[], &["origin", "main"]), "main");
    let url = format!("file://{}", w.path("r.git").display());
    w.git(".", &["clone", "-q", "--depth", "1", &url, "shallow"]);
    assert!(w.path("shallow/.git/shallow").is_file());
    w.git("shallow", &["remote", "set-url", "origin", &w.url("r.git")]);
    w.install_hook("shallow");
    limits(&w, "shallow");
    w.commit("shallow", "x", 3);
    counted_exactly(
        &w.push("shallow", &[], &["origin", "main"]),
        "a fast-forward",
    );
    w.git("shallow", &["checkout", "-q", "-b", "br"]);
    w.commit("shallow", "y", 2);
    counted_exactly(&w.push("shallow", &[], &["origin", "br"]), "a new branch");
}

#[test]
fn reftable() {
    let Some(w) = world(&["--ref-format=reftable"], 3) else {
        return;
    };
    assert!(w.path("w/.git/reftable").is_dir());
    counted_exactly(&w.push("w", &[], &["origin", "main"]), "first push");
    // A new branch: only the tracking refs (in the reftable) bound it.
    w.git("w", &["checkout", "-q", "-b", "topic"]);
    w.commit("w", "t", 2);
    let p = w.push("w", &[], &["origin", "topic"]);
    counted_exactly(&p, "a new branch");
    let assumes = p.json()["objects"]["assumes"].to_string();
    assert!(assumes.contains("refs/remotes/origin/main"), "{assumes}");
}
