//! The flow at its edges (issue 10, items 5-9 and ssh facts), each through
//! a real `git push` with the hook installed and a bare remote behind the
//! fake ssh (see `support::push`), the real `ssh -G` as the witness of what
//! ssh does.

use std::fs;

use serde_json::Value;

use crate::support::push::World;

/// A world with `w` (origin at `r.git`) holding three commits of 3 files,
/// and thresholds that make a push of them large (warn at 3 objects, block
/// at 6).
fn world() -> Option<World> {
    let w = World::new()?;
    w.bare("r.git");
    w.work("w", "r.git");
    w.git("w", &["config", "pushguard.warnObjects", "3"]);
    w.git("w", &["config", "pushguard.blockObjects", "6"]);
    for i in 0..3 {
        w.commit("w", &format!("c{i}"), 3);
    }
    Some(w)
}

/// What the real ssh -G prints for `key` with this world's config.
fn ssh_g(w: &World, host: &str, key: &str) -> Option<String> {
    let out = w
        .cmd("ssh", &["-G", "-F", "ssh_config", host], ".")
        .ok()
        .stdout;
    out.lines()
        .find_map(|l| l.strip_prefix(&format!("{key} ")).map(str::to_string))
}

/// Item 6: `ServerAliveInterval 30` with `ServerAliveCountMax 0` makes ssh
/// quit after 30 s of server silence without sending a keepalive: no
/// keepalive, so a large push is blocked; with `ServerAliveCountMax 1` the
/// same push goes through.
#[test]
fn a_count_max_of_zero_is_no_keepalive() {
    let Some(w) = world() else { return };
    let host = "git.example.com";
    w.s.write(
        "ssh_config",
        &format!("Host {host}\n  ServerAliveInterval 30\n  ServerAliveCountMax 0\n"),
    );
    assert_eq!(ssh_g(&w, host, "serveralivecountmax").as_deref(), Some("0"));
    let p = w.push("w", &[], &["origin", "main"]);
    let v = p.json();
    assert!(!p.ok, "{v:#}");
    assert_eq!(v["verdict"], "block", "{v:#}");
    assert_eq!(v["ssh"]["resolver"], "ssh -G", "{v:#}");
    assert_eq!(v["ssh"]["serveraliveinterval"], 30, "{v:#}");
    assert_eq!(v["ssh"]["serveralivecountmax"], 0, "{v:#}");
    assert!(
        v["reasons"].to_string().contains("ServerAliveCountMax 0"),
        "{v:#}"
    );
    let text = w.check_text("w", "origin", &p.stdin);
    assert!(text.contains("gives up after 30 s"), "{text}");

    w.s.write(
        "ssh_config",
        &format!("Host {host}\n  ServerAliveInterval 30\n  ServerAliveCountMax 1\n"),
    );
    let p = w.push("w", &[], &["origin", "main"]);
    let v = p.json();
    assert!(p.ok, "{}", p.stderr);
    assert_eq!(v["verdict"], "ok", "{v:#}");
    // Counting stopped at the block threshold: a lower bound of git's Total.
    let count = v["objects"]["count"].as_u64().unwrap_or(u64::MAX);
    assert!((6..=p.total).contains(&count), "{v:#}: {}", p.stderr);
}

/// Item 7: with `pushguard.resolver=builtin` and a `GIT_SSH` wrapper that
/// adds `-o ServerAliveInterval=30`, pushguard cannot see the wrapper's
/// options: it warns, never blocks, and shows no default as the origin.
/// With `ssh -G` through the wrapper, the value is seen (30, ok), and where
/// it comes from cannot be told.
#[test]
fn options_pushguard_cannot_see_never_block() {
    let Some(w) = world() else { return };
    let wrapper = format!(
        "#!/bin/sh\nexec {} -o ServerAliveInterval=30 \"$@\"\n",
        w.ssh_command()
    );
    let wrapper = w.s.write_exec("bin/ssh-wrapper", &wrapper, 0o755);
    let via_wrapper =
        |cmd: crate::support::Cmd| cmd.env_remove("GIT_SSH_COMMAND").env("GIT_SSH", &wrapper);
    let builtin = ["-c", "pushguard.resolver=builtin"];
    let p = w.push_with(
        via_wrapper(w.cmd("git", &[], "w")),
        &builtin,
        &["origin", "main"],
    );
    let v = p.json();
    assert!(p.ok, "never blocked on what pushguard cannot see: {v:#}");
    assert_eq!(v["verdict"], "warn", "{v:#}");
    assert_eq!(v["ssh"]["serveraliveinterval"], Value::Null, "{v:#}");
    assert_eq!(v["ssh"]["serveraliveinterval_origin"], Value::Null, "{v:#}");
    let why = v["ssh"]["unknown_reason"].as_str().unwrap_or_default();
    assert!(why.contains("ssh-wrapper is not ssh itself"), "{v:#}");
    let text = via_wrapper(w.pushguard("w", &["check", "--stdin", "origin"]))
        .env("GIT_CONFIG_PARAMETERS", "'pushguard.resolver'='builtin'")
        .stdin(p.stdin.clone())
        .run()
        .text();
    assert!(!text.contains("default"), "{text}");
    assert!(text.contains("keepalive  cannot tell: "), "{text}");

    // ssh -G through the wrapper sees its option; the origin stays unknown.
    w.commit("w", "more", 3);
    let p = w.push_with(
        via_wrapper(w.cmd("git", &[], "w")),
        &[],
        &["origin", "main"],
    );
    let v = p.json();
    assert!(p.ok, "{v:#}");
    assert_eq!(v["verdict"], "ok", "{v:#}");
    assert_eq!(v["ssh"]["serveraliveinterval"], 30, "{v:#}");
    assert_eq!(v["ssh"]["serveraliveinterval_origin"], Value::Null, "{v:#}");
}

/// The working directories of the fake ssh's calls (`CALL <cwd> <args>`)
/// logged since `start`, for the calls whose arguments contain `marker`.
fn ssh_cwds(w: &World, start: usize, marker: &str) -> Vec<String> {
    w.ssh_log()[start..]
        .lines()
        .filter_map(|l| l.strip_prefix("CALL "))
        .filter(|c| c.contains(marker))
        .filter_map(|c| c.split(' ').next().map(str::to_string))
        .collect()
}

/// Item 9: git runs ssh from the worktree's top when started inside the
/// worktree, and where it was started otherwise (`.git/`, a bare
/// repository). With a relative `core.sshCommand = ssh -F ssh/config`,
/// `check` from a subdirectory resolves what the push from there resolves;
/// and from every such directory pushguard's `ssh -G` runs where git's ssh
/// does.
#[test]
fn ssh_runs_where_git_runs_it() {
    let Some(w) = world() else { return };
    let host = "git.example.com";
    w.s.write(
        "w/ssh/config",
        &format!("Host {host}\n  ServerAliveInterval 30\n"),
    );
    w.s.write("w/sub/deeper/keep", "");
    let relative = format!("{} -F ssh/config", w.path("bin/ssh").display());
    w.git("w", &["config", "core.sshCommand", &relative]);
    let no_env = |c: crate::support::Cmd| c.env_remove("GIT_SSH_COMMAND");
    let top = w.path("w").display().to_string();

    let start = w.ssh_log().len();
    let out = no_env(w.pushguard("w/sub/deeper", &["check", "--format", "json"])).run();
    let v = out.json();
    assert_eq!(v["verdict"], "ok", "{v:#}");
    assert_eq!(v["ssh"]["serveraliveinterval"], 30, "{v:#}");
    let origin = &v["ssh"]["serveraliveinterval_origin"];
    assert_eq!(origin["line"], 2, "{v:#}");
    assert_eq!(origin["file"], format!("{top}/ssh/config"), "{v:#}");
    assert_eq!(
        ssh_cwds(&w, start, "-G"),
        vec![top.clone()],
        "{}",
        w.ssh_log()
    );
    let text = no_env(w.pushguard("w/sub/deeper", &["check"])).run().text();
    assert!(!text.contains("cannot tell"), "{text}");
    // A config that is nowhere: the command named as configured, said once.
    let missing = format!("{} -F nowhere/config", w.path("bin/ssh").display());
    let out = no_env(w.pushguard("w/sub", &["check", "--format", "json"]))
        .env(
            "GIT_CONFIG_PARAMETERS",
            format!("'core.sshCommand'='{missing}'"),
        )
        .run();
    let why = out.json()["ssh"]["unknown_reason"].to_string();
    let named = format!("ssh -G through `{missing}` failed (exit code 255): ");
    assert!(why.contains(&named), "{why}");
    assert_eq!(why.matches("nowhere/config").count(), 2, "{why}");

    let p = w.push_with(
        no_env(w.cmd("git", &[], "w/sub/deeper")),
        &[],
        &["origin", "main"],
    );
    let hook = p.json();
    assert!(p.ok, "{}", p.stderr);
    assert_eq!(hook["verdict"], v["verdict"], "{hook:#}");
    assert_eq!(hook["ssh"]["serveraliveinterval"], 30, "{hook:#}");
    assert_eq!(p.hook_cwd.as_deref(), Some(top.as_str()));
    assert!(
        p.by_git.iter().all(|c| c.starts_with(&format!("{top} "))),
        "{p:?}"
    );

    // Outside the worktree's files git does not move; neither does pushguard.
    w.git(".", &["clone", "-q", "--bare", &w.url("r.git"), "b.git"]);
    for dir in ["w/.git/refs", "b.git/refs"] {
        let start = w.ssh_log().len();
        w.pushguard(
            dir,
            &["check", "--ssh", "--format", "json", "origin", "main"],
        )
        .run();
        let probed = ssh_cwds(&w, start, "-G");
        let start = w.ssh_log().len();
        let p = w.push_with(w.cmd("git", &[], dir), &[], &["origin", "main"]);
        assert!(p.ok, "{dir}: {}", p.stderr);
        let pushed = ssh_cwds(&w, start, "git-receive-pack");
        let here = w.path(dir).display().to_string();
        assert_eq!(pushed, vec![here.clone()], "{dir}: git's ssh");
        assert_eq!(probed, [here], "{dir}: pushguard's ssh -G");
    }
}

/// Item 8: `pushguard.strict=true` holds even when another setting is bad:
/// the hook stops the push (exit 3) and names the file and line of the bad
/// value; a value given with `git -c` is named as coming from the command
/// line. Without strict the push goes on, with the same one line.
#[test]
fn strict_holds_when_another_setting_is_bad() {
    let Some(w) = world() else { return };
    w.git("w", &["config", "pushguard.strict", "true"]);
    w.git("w", &["config", "pushguard.blockObjects", "lots"]);
    let config = w.path("w/.git/config");
    let text = fs::read_to_string(&config).unwrap_or_default();
    let line = 1 + text
        .lines()
        .position(|l| l.trim() == "blockObjects = lots")
        .unwrap_or_else(|| panic!("{text}"));
    let p = w.push("w", &[], &["origin", "main"]);
    assert!(!p.ok, "{}", p.stderr);
    assert_eq!(p.hook_rc, Some(3), "{}", p.stderr);
    let at = format!("(set at {}:{line})", config.display());
    assert!(p.stderr.contains(&at), "{at}: {}", p.stderr);
    assert!(
        p.stderr.contains("stopping it (pushguard.strict is on)"),
        "{}",
        p.stderr
    );
    assert!(!w.git("r.git", &["branch"]).contains("main"), "blocked");

    w.git("w", &["config", "--unset", "pushguard.blockObjects"]);
    let p = w.push(
        "w",
        &["-c", "pushguard.warnObjects=many"],
        &["origin", "main"],
    );
    assert_eq!(p.hook_rc, Some(3), "{}", p.stderr);
    assert!(
        p.stderr.contains("(set at the command line"),
        "{}",
        p.stderr
    );

    w.git("w", &["config", "pushguard.strict", "false"]);
    let p = w.push(
        "w",
        &["-c", "pushguard.warnObjects=many"],
        &["origin", "main"],
    );
    assert!(p.ok, "{}", p.stderr);
    assert!(p.stderr.contains("letting it go on"), "{}", p.stderr);
}

/// Item 5: a remote with two push URLs, a local mirror first, then ssh. git
/// runs the hook once per URL and the push is blocked at the second; the
/// dry run judges both and its verdict is the worst.
#[test]
fn every_push_url_is_judged() {
    let Some(w) = world() else { return };
    w.bare("mirror.git");
    let mirror = w.path("mirror.git").display().to_string();
    w.git(
        "w",
        &["remote", "set-url", "--add", "--push", "origin", &mirror],
    );
    w.git(
        "w",
        &[
            "remote",
            "set-url",
            "--add",
            "--push",
            "origin",
            &w.url("r.git"),
        ],
    );

    let out = w.pushguard("w", &["check", "--format", "json"]).run();
    let v = out.json();
    assert_eq!(out.code, Some(1), "{v:#}");
    assert_eq!(v["verdict"], "block", "{v:#}");
    assert_eq!(v["url"], w.url("r.git"), "the worst URL at the top: {v:#}");
    let judged: Vec<(&str, &str)> = v["urls"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|u| {
            (
                u["url"].as_str().unwrap_or(""),
                u["verdict"].as_str().unwrap_or(""),
            )
        })
        .collect();
    let ssh_url = w.url("r.git");
    assert_eq!(
        judged,
        [(mirror.as_str(), "skip"), (ssh_url.as_str(), "block")]
    );
    let text = w.pushguard("w", &["check"]).run().stdout;
    assert!(
        text.starts_with("verdict    block (the worst of 2 push URLs)"),
        "{text}"
    );

    // The real push: one hook run per URL, the same verdicts.
    let p = w.push("w", &[], &["origin", "main"]);
    assert!(!p.ok, "{}", p.stderr);
    let hooked: Vec<(&str, &str)> = p
        .hooks
        .iter()
        .map(|h| {
            (
                h["url"].as_str().unwrap_or(""),
                h["verdict"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(hooked, judged, "{}", p.stderr);
}

/// `(local ref, remote ref)` pairs, sorted, from lines whose words hold
/// the local ref first and the remote ref at `remote`.
fn ref_pairs<'a>(lines: impl Iterator<Item = &'a str>, remote: usize) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = lines
        .filter_map(|l| {
            let w: Vec<&str> = l.split(' ').collect();
            Some((w.first()?.to_string(), w.get(remote)?.to_string()))
        })
        .collect();
    out.sort();
    out
}

/// The dry run's `update` lines (`update     <local> <oid> -> <remote>`).
fn planned(text: &str) -> Vec<(String, String)> {
    ref_pairs(
        text.lines().filter_map(|l| l.strip_prefix("update     ")),
        3,
    )
}

/// Hook stdin lines (`<local> <oid> <remote> <oid>`).
fn hooked(stdin: &str) -> Vec<(String, String)> {
    ref_pairs(stdin.lines(), 2)
}

/// Pattern refspecs and `--all`, `--tags`, `--mirror`: the dry run plans
/// the refs git puts on the hook's stdin for the same push, and counts
/// what git sends; the matching refspec `:` is refused with the reason.
#[test]
fn check_takes_the_refspecs_git_push_takes() {
    let Some(w) = world() else { return };
    w.git("w", &["config", "pushguard.warnObjects", "1"]);
    w.git("w", &["config", "pushguard.blockObjects", "100000"]);
    w.git("w", &["checkout", "-q", "-b", "topic"]);
    w.commit("w", "t", 2);
    w.git("w", &["tag", "light"]);
    w.git("w", &["tag", "-a", "-m", "v2", "v2", "main"]);
    w.git("w", &["checkout", "-q", "main"]);
    w.bare("m.git");
    w.git("w", &["remote", "add", "m", &w.url("m.git")]);
    let forms: [(&str, &[&str]); 4] = [
        ("--all", &["--all", "origin"]),
        ("--tags", &["--tags", "origin"]),
        ("a pattern", &["origin", "+refs/heads/*:refs/heads/copy/*"]),
        ("--mirror", &["--mirror", "m"]),
    ];
    for (what, args) in forms {
        let mut check = vec!["check"];
        check.extend_from_slice(args);
        let text = w.pushguard("w", &check).run().stdout;
        check.extend(["--format", "json"]);
        let v = w.pushguard("w", &check).run().json();
        let p = w.push("w", &[], args);
        assert!(p.ok, "{what}: {}", p.stderr);
        assert!(!hooked(&p.stdin).is_empty(), "{what}: {}", p.stderr);
        assert_eq!(planned(&text), hooked(&p.stdin), "{what}: {text}");
        assert_eq!(
            v["objects"]["count"].as_u64(),
            Some(p.total),
            "{what}: {v:#}"
        );
        assert_eq!(
            p.json()["objects"]["count"],
            v["objects"]["count"],
            "{what}"
        );
    }
    let out = w.pushguard("w", &["check", "origin", ":"]).run();
    assert_eq!(out.code, Some(3));
    assert!(
        out.stderr.contains("cannot see the server's"),
        "{}",
        out.stderr
    );
}

/// Debian's ssh turns `BatchMode yes` into `ServerAliveInterval 300`; the
/// value is shown as coming from the BatchMode line, never as ssh's
/// default. The real ssh -G says which build this is: upstream OpenSSH
/// keeps 0, which is its default (and a large push is blocked).
#[test]
fn debians_batchmode_keepalive_comes_from_the_batchmode_line() {
    let Some(w) = world() else { return };
    let host = "git.example.com";
    w.s.write(
        "ssh_config",
        &format!("Host {host}\n  User git\n  BatchMode yes\n"),
    );
    let interval = ssh_g(&w, host, "serveraliveinterval");
    let p = w.push("w", &[], &["origin", "main"]);
    let v = p.json();
    let origin = &v["ssh"]["serveraliveinterval_origin"];
    match interval.as_deref() {
        Some("300") => {
            assert!(p.ok, "300 s is below the idle timeout: {v:#}");
            assert_eq!(v["ssh"]["serveraliveinterval"], 300, "{v:#}");
            assert_eq!(origin["line"], 3, "the BatchMode line: {v:#}");
            let text = w.check_text("w", "origin", &p.stdin);
            assert!(text.contains("ssh_config:3"), "{text}");
            assert!(!text.contains("default"), "{text}");
        }
        Some("0") => {
            assert!(!p.ok, "{v:#}");
            assert_eq!(origin, "default", "upstream ssh: {v:#}");
        }
        other => panic!("ssh -G printed serveraliveinterval {other:?}"),
    }
}
