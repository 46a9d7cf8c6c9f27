//! The estimate at its edges (issue 10, items 1-4), each through a real
//! `git push` with the hook installed, a bare remote behind a fake ssh that
//! logs every call and runs git's remote command locally, and git's own
//! `Total N` as the oracle (see `support::push`):
//!
//! 1. a partial clone's walk fetches nothing and counts what git sends;
//! 2. new loose content is measured (bytes), so a byte limit holds;
//! 3. refs the count assumes the server still has are listed (`objects.assumes`);
//! 4. tags of a fetched remote bound the count, and never cause a block.

use std::fs;

use serde_json::Value;

use crate::support::push::World;

fn upload_packs(calls: &[String]) -> Vec<&String> {
    calls
        .iter()
        .filter(|c| c.contains("git-upload-pack"))
        .collect()
}

/// Item 1: a partial clone (blob:none, tree:0) of a remote behind ssh. The
/// hook must start no `git-upload-pack` (no lazy fetch); its count must be
/// git's `Total` (blob:none: the missing blobs are sent, git fetches them
/// first) or a lower bound of it, said so (tree:0: a missing tree hides
/// what it holds).
#[test]
fn partial_clone_walk_fetches_nothing_and_counts_what_git_sends() {
    let Some(w) = World::new() else { return };
    w.bare("up.git");
    w.work("seed", "up.git");
    for i in 0..8 {
        w.commit("seed", &format!("c{i}"), 4);
    }
    w.git("seed", &["push", "-q", "--no-verify", "origin", "main"]);
    let limits = [
        "-c",
        "pushguard.warnObjects=10",
        "-c",
        "pushguard.blockObjects=100000",
    ];
    for filter in ["blob:none", "tree:0"] {
        let clone = format!("clone-{}", filter.replace(':', "-"));
        let filter_arg = format!("--filter={filter}");
        w.git(".", &["clone", "-q", &filter_arg, &w.url("up.git"), &clone]);
        w.install_hook(&clone);
        let mirror = format!("mirror-{}.git", filter.replace(':', "-"));
        w.bare(&mirror);
        w.git(&clone, &["remote", "add", "mirror", &w.url(&mirror)]);
        // A branch from an old commit: most of its history was never checked
        // out, so its older blobs (and, for tree:0, trees) are not here.
        w.git(&clone, &["checkout", "-q", "-b", "topic", "main~5"]);
        w.commit(&clone, "topic", 1);

        // A first push to an empty server sends everything, missing objects too.
        let p = w.push(&clone, &limits, &["mirror", "topic"]);
        assert!(p.ok, "{filter}: {}", p.stderr);
        assert!(
            upload_packs(&p.during_hook).is_empty(),
            "{filter}: the hook fetched: {:?}",
            p.during_hook
        );
        assert!(p.total > 0, "{}", p.stderr);
        let o = &p.json()["objects"];
        let count = o["count"].as_u64().unwrap();
        assert!(
            o["missing"].as_u64().is_some_and(|m| m > 0),
            "{filter}: {o:#}"
        );
        if filter == "blob:none" {
            assert_eq!(count, p.total, "{filter}: count vs git's Total: {o:#}");
            assert_eq!(o["exact"], true, "{filter}: {o:#}");
        } else {
            assert!(
                count <= p.total,
                "{filter}: a lower bound: {o:#} vs {}",
                p.total
            );
            assert_eq!(o["exact"], false, "{filter}: {o:#}");
            assert!(o["notes"].to_string().contains("trees"), "{filter}: {o:#}");
        }
        assert_eq!(
            o["upper_bound"],
            Value::Null,
            "{filter}: the clone's size bounds nothing"
        );

        // A new branch to the promisor remote itself: the tracking refs bound it.
        let topic2 = format!("topic2-{}", filter.replace(':', "-"));
        w.git(&clone, &["checkout", "-q", "-b", &topic2, "main"]);
        w.commit(&clone, &topic2, 2);
        let p = w.push(&clone, &limits, &["origin", &topic2]);
        assert!(p.ok, "{filter}: {}", p.stderr);
        assert!(
            upload_packs(&p.during_hook).is_empty(),
            "{filter}: {:?}",
            p.during_hook
        );
        let o = &p.json()["objects"];
        assert_eq!(o["count"].as_u64(), Some(p.total), "{filter}: {o:#}");
        assert_eq!(o["exact"], true, "{filter}: {o:#}");
    }
}

/// Deterministic incompressible bytes (xorshift64).
fn noise(len: usize, mut seed: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        out.extend_from_slice(&seed.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// Item 2: one new 12 MiB file, loose, with `pushguard.blockBytes=10m`. The
/// stored size of the loose objects is measured, so the push is blocked (ssh
/// has no keepalive), and the figure is what git writes. Both with a
/// repository small enough for the quick path and with a packed history.
#[test]
fn new_loose_content_is_measured() {
    let Some(w) = World::new() else { return };
    for packed in [false, true] {
        let (remote, work) = if packed {
            ("packed.git", "packed")
        } else {
            ("loose.git", "loose")
        };
        w.bare(remote);
        w.work(work, remote);
        for i in 0..3 {
            w.commit(work, &format!("c{i}"), 3);
        }
        if packed {
            w.git(work, &["repack", "-adq"]);
        }
        let p = w.push(work, &[], &["origin", "main"]);
        assert!(p.ok, "{}", p.stderr);
        fs::write(w.path(work).join("big.bin"), noise(12 << 20, 7)).unwrap();
        w.git(work, &["add", "big.bin"]);
        w.git(work, &["commit", "-q", "-m", "big"]);

        let limit = ["-c", "pushguard.blockBytes=10m"];
        let p = w.push(work, &limit, &["origin", "main"]);
        let v = p.json();
        assert_eq!(v["verdict"], "block", "packed {packed}: {v:#}");
        assert!(!p.ok && p.hook_rc == Some(1), "{}", p.stderr);
        let o = &v["objects"];
        let bytes = o["bytes"].as_u64().unwrap_or(0);
        assert!(bytes >= 10 << 20, "packed {packed}: {o:#}");
        assert_eq!(o["bytes_quality"], "exact", "packed {packed}: {o:#}");
        assert_eq!(o["bytes_exact"].as_u64(), Some(bytes), "{o:#}");

        // The same push for real: git's count and bytes.
        let real = w.push(
            work,
            &["-c", "pushguard.enabled=false"],
            &["origin", "main"],
        );
        assert!(real.ok, "{}", real.stderr);
        assert_eq!(
            o["count"].as_u64(),
            Some(real.total),
            "{o:#}: {}",
            real.stderr
        );
        let written = real.written.unwrap_or_else(|| panic!("{}", real.stderr));
        let off = (bytes as f64 - written).abs() / written;
        eprintln!("packed history {packed}: stored {bytes} B, git wrote {written:.0} B");
        assert!(off < 0.05, "packed {packed}: {bytes} vs git's {written}");
    }
}

/// Item 3: the server deleted a branch whose tracking ref is still here (no
/// prune); a branch on top of it sends that history too. The count (exact
/// if the server still had it) says what it assumes, with the tracking
/// ref's last update, and the text says so. An ordinary new branch stays
/// exact and names its assumption; a fast-forward, which stdin confirms,
/// assumes nothing.
#[test]
fn the_boundary_says_what_it_assumes() {
    let Some(w) = World::new() else { return };
    w.bare("r.git");
    w.work("w", "r.git");
    // Past the quick path (a repository this small proves any push small).
    w.git("w", &["config", "pushguard.warnObjects", "1"]);
    w.git("w", &["config", "pushguard.blockObjects", "100000"]);
    for i in 0..3 {
        w.commit("w", &format!("m{i}"), 3);
    }
    assert!(w.push("w", &[], &["origin", "main"]).ok);

    // An ordinary new branch: exactly git's Total, resting on origin/main.
    w.git("w", &["checkout", "-q", "-b", "topic"]);
    w.commit("w", "topic", 2);
    let p = w.push("w", &[], &["origin", "topic"]);
    assert!(p.ok, "{}", p.stderr);
    let o = &p.json()["objects"];
    assert_eq!(
        (o["count"].as_u64(), &o["exact"]),
        (Some(p.total), &Value::Bool(true)),
        "{o:#}"
    );
    let assumes = o["assumes"].as_array().unwrap_or_else(|| panic!("{o:#}"));
    assert_eq!(assumes.len(), 1, "{o:#}");
    assert_eq!(assumes[0]["ref"], "refs/remotes/origin/main", "{o:#}");
    assert_eq!(assumes[0]["remote_ref"], "refs/heads/main", "{o:#}");
    assert_eq!(assumes[0]["kind"], "tracking", "{o:#}");

    // A fast-forward: stdin gives the server's main, nothing is assumed.
    w.git("w", &["checkout", "-q", "main"]);
    w.commit("w", "m3", 2);
    let p = w.push("w", &[], &["origin", "main"]);
    let o = &p.json()["objects"];
    assert_eq!(o["count"].as_u64(), Some(p.total), "{o:#}");
    assert_eq!(o["assumes"], Value::Array(vec![]), "{o:#}");

    // A branch from an older commit of main: origin/main contains it.
    w.git("w", &["checkout", "-q", "-b", "old", "main~2"]);
    w.commit("w", "old", 1);
    let p = w.push("w", &[], &["origin", "old"]);
    let o = &p.json()["objects"];
    assert_eq!(o["count"].as_u64(), Some(p.total), "{o:#}");
    let refs: Vec<&Value> = o["assumes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| &a["ref"])
        .collect();
    assert!(
        refs.contains(&&Value::from("refs/remotes/origin/main")),
        "{o:#}"
    );

    // Two refs at once: main fast-forwards (stdin confirms the server's main)
    // and a new branch starts further down main, so nothing is assumed.
    w.git("w", &["checkout", "-q", "main"]);
    w.commit("w", "m4", 1);
    w.git("w", &["checkout", "-q", "-b", "below", "main~2"]);
    w.commit("w", "below", 1);
    let p = w.push("w", &[], &["origin", "main", "below"]);
    let o = &p.json()["objects"];
    assert_eq!(o["count"].as_u64(), Some(p.total), "{o:#}");
    assert_eq!(o["assumes"], Value::Array(vec![]), "{o:#}");

    // feature-x is pushed (its tracking ref gets a reflog entry), then
    // deleted on the server behind this clone's back.
    let before = now();
    w.git("w", &["checkout", "-q", "-b", "feature-x"]);
    for i in 0..4 {
        w.commit("w", &format!("x{i}"), 3);
    }
    assert!(w.push("w", &[], &["origin", "feature-x"]).ok);
    w.git("r.git", &["branch", "-D", "feature-x"]);
    w.git("w", &["checkout", "-q", "-b", "fix"]);
    w.commit("w", "fix", 1);
    let p = w.push("w", &[], &["origin", "fix"]);
    assert!(p.ok, "{}", p.stderr);
    let o = &p.json()["objects"];
    let count = o["count"].as_u64().unwrap();
    assert!(
        count < p.total,
        "git sends the deleted branch's history: {o:#}"
    );
    assert_eq!(o["exact"], true, "exact if the assumption holds: {o:#}");
    let assumes = o["assumes"].as_array().unwrap_or_else(|| panic!("{o:#}"));
    let x = assumes
        .iter()
        .find(|a| a["ref"] == "refs/remotes/origin/feature-x")
        .unwrap_or_else(|| panic!("{o:#}"));
    assert_eq!(x["remote_ref"], "refs/heads/feature-x");
    let updated = x["updated"].as_u64().unwrap_or_else(|| panic!("{x:#}"));
    assert!((before..=now() + 1).contains(&updated), "{x:#}");
    let text = w.check_text("w", "origin", &p.stdin);
    assert!(
        text.contains("assuming   origin still has feature-x (as of "),
        "{text}"
    );
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Item 4: the server holds a release only through its tag (the branch was
/// deleted after tagging, and this clone pruned it). A hotfix from the tag
/// sends a handful of objects: the tag (fetched from that remote) bounds the
/// count, and since the push would be blocked without it, pushguard warns
/// rather than blocks. The first push of a whole history to a server never
/// fetched from still blocks (its tags are not assumed).
#[test]
fn tags_of_a_fetched_remote_bound_the_count_and_never_block() {
    let Some(w) = World::new() else { return };
    w.bare("r.git");
    w.work("w", "r.git");
    w.commit("w", "m0", 3);
    assert!(w.push("w", &[], &["origin", "main"]).ok);
    w.git("w", &["checkout", "-q", "-b", "release"]);
    for i in 0..8 {
        w.commit("w", &format!("r{i}"), 3);
    }
    w.git("w", &["tag", "-a", "-m", "release 1.0", "v1.0"]);
    assert!(w.push("w", &[], &["origin", "release", "v1.0"]).ok);
    w.git("r.git", &["branch", "-D", "release"]);
    w.git("w", &["fetch", "-q", "--prune", "origin"]);
    w.git("w", &["checkout", "-q", "-b", "hotfix", "v1.0"]);
    w.git("w", &["branch", "-D", "release"]);
    w.commit("w", "hotfix", 1);

    let limits = [
        "-c",
        "pushguard.warnObjects=10",
        "-c",
        "pushguard.blockObjects=20",
    ];
    let p = w.push("w", &limits, &["origin", "hotfix"]);
    let v = p.json();
    assert!(p.ok, "never blocked on what pushguard cannot see: {v:#}");
    assert!((1..10).contains(&p.total), "{}", p.stderr);
    let o = &v["objects"];
    let exact = (o["count"].as_u64(), &o["exact"]);
    assert_eq!(exact, (Some(p.total), &Value::Bool(true)), "{o:#}");
    let assumes = o["assumes"].as_array().unwrap_or_else(|| panic!("{o:#}"));
    assert!(
        assumes
            .iter()
            .any(|a| a["ref"] == "refs/tags/v1.0" && a["kind"] == "tag"),
        "{o:#}"
    );
    let without = o["without_tags"]["count"].as_u64().unwrap_or(0);
    assert!(without >= 20, "without the tag it would block: {o:#}");
    assert_eq!(v["verdict"], "warn", "{v:#}");
    assert!(v["reasons"].to_string().contains("tag v1.0"), "{v:#}");

    // The seed case: a new, empty server this clone never fetched from.
    w.bare("fresh.git");
    w.git("w", &["remote", "add", "fresh", &w.url("fresh.git")]);
    let p = w.push("w", &limits, &["fresh", "hotfix"]);
    let v = p.json();
    assert!(!p.ok, "{v:#}");
    assert_eq!(v["verdict"], "block", "{v:#}");
    assert_eq!(v["objects"]["assumes"], Value::Array(vec![]), "{v:#}");
    let real = w.push(
        "w",
        &["-c", "pushguard.enabled=false"],
        &["fresh", "hotfix"],
    );
    assert!(real.ok, "{}", real.stderr);
    assert!(
        v["objects"]["count"].as_u64().unwrap() <= real.total,
        "{v:#}"
    );
    assert!(real.total >= 20, "{}", real.stderr);
}
