//! Rolling pushguard out to a team: `install --hooks-path`, `--config-hook`,
//! `--global` (config hook on git ≥ 2.54, a user-wide hooks folder that keeps
//! every repository's own hooks running on older git), each idempotent and
//! undone byte for byte by `uninstall` with the same flags; per-server
//! settings; the shim's rules; `doctor`.

use std::fs;
use std::path::Path;

use crate::support::world::World;
use crate::support::{BIN, require};

fn git_new() -> Option<World> {
    let git = require("git-new")?;
    World::with_git(git.parent().map(Path::to_path_buf))
}

fn read(w: &World, rel: &str) -> String {
    fs::read_to_string(w.path(rel)).unwrap_or_default()
}

#[test]
fn hooks_path_writes_the_committed_folder_and_uninstall_undoes_it() {
    let Some(w) = World::new() else { return };
    w.s.write("work/sub/x", "");
    let config = read(&w, "work/.git/config");
    // Run from a subdirectory: a relative DIR is the worktree top's, as git reads it.
    let out = w
        .cmd(BIN, &["install", "--hooks-path", ".githooks"], "work/sub")
        .ok();
    let text = out.text();
    assert!(
        text.contains("set core.hooksPath=.githooks (local config)"),
        "{text}"
    );
    assert!(
        text.contains("text eol=lf"),
        "the .gitattributes hint: {text}"
    );
    let shim = read(&w, "work/.githooks/pre-push");
    assert!(
        shim.contains("\nfallback=''\n"),
        "no machine path in a committed file"
    );
    let out = w
        .cmd(BIN, &["install", "--hooks-path", ".githooks"], "work")
        .ok();
    assert!(out.text().contains("already installed"), "{}", out.text());
    assert!(
        out.text().contains("already set: core.hooksPath"),
        "{}",
        out.text()
    );
    w.commits(4);
    let out = w.push_blocking(&["main"]);
    assert_eq!(out.code, Some(1), "{}", out.text());
    w.cmd(BIN, &["uninstall", "--hooks-path", ".githooks"], "work")
        .ok();
    assert!(!w.path("work/.githooks/pre-push").exists());
    assert_eq!(
        read(&w, "work/.git/config"),
        config,
        "the config is as it was"
    );
}

#[test]
fn hooks_path_never_replaces_another_hooks_path() {
    let Some(w) = World::new() else { return };
    w.git(&["config", "core.hooksPath", ".husky/_"], "work");
    let out = w
        .cmd(BIN, &["install", "--hooks-path", ".githooks"], "work")
        .status(3)
        .run();
    assert!(out.stderr.contains("core.hooksPath is already \".husky/_\" (local config, file:.git/config); not changing it"), "{}", out.stderr);
}

#[test]
fn config_hook_local_and_global_are_undone_byte_for_byte() {
    let Some(w) = git_new() else { return };
    w.s.write(".gitconfig", "[user]\n\tname = T\n");
    for scope in ["--local", "--global"] {
        let local = read(&w, "work/.git/config");
        let global = read(&w, ".gitconfig");
        let out = w
            .cmd(BIN, &["install", "--config-hook", scope], "work")
            .ok();
        assert!(
            out.text().contains("set hook.pushguard.command="),
            "{}",
            out.text()
        );
        let again = w
            .cmd(BIN, &["install", "--config-hook", scope], "work")
            .ok();
        assert!(
            again
                .text()
                .contains("already set: hook.pushguard.event=pre-push"),
            "{}",
            again.text()
        );
        let list = w.git(&["hook", "list", "pre-push"], "work").stdout;
        assert_eq!(list.trim(), "pushguard");
        w.commits(4);
        let out = w.push_blocking(&["main"]);
        assert_eq!(out.code, Some(1), "{scope}: {}", out.text());
        assert!(out.stderr.contains("pushguard: push stopped"));
        w.cmd(BIN, &["uninstall", "--config-hook", scope], "work")
            .ok();
        assert_eq!(read(&w, "work/.git/config"), local, "{scope}");
        assert_eq!(read(&w, ".gitconfig"), global, "{scope}");
        assert!(!w.path("work/.git/pushguard").exists() && !w.path(".config/pushguard").exists());
    }
}

#[test]
fn global_is_the_config_hook_on_new_git_and_keeps_the_hooks_directory_running() {
    let Some(w) = git_new() else { return };
    let own = w.logger("own", "exit 0");
    fs::copy(&own, w.path("work/.git/hooks/pre-push")).unwrap();
    w.cmd(BIN, &["install", "--global"], "work").ok();
    assert!(read(&w, ".gitconfig").contains("[hook \"pushguard\"]"));
    w.commits(4);
    let out = w.push_blocking(&["main"]);
    assert_eq!(out.code, Some(1), "{}", out.text());
    // The config hook ran first; the repository's own hook still runs (after it,
    // when pushguard lets the push go on).
    let out = w
        .cmd("git", &["push", "-q", "origin", "main"], "work")
        .env("PUSHGUARD_SKIP", "1")
        .run();
    assert!(out.success(), "{}", out.text());
    assert!(
        w.log("own").contains("STDIN\nrefs/heads/main "),
        "{}",
        w.log("own")
    );
    w.cmd(BIN, &["uninstall", "--global"], "work").ok();
    assert_eq!(read(&w, ".gitconfig").trim(), "");
}

#[test]
fn config_hook_and_global_on_old_git_say_what_to_do_instead() {
    let Some(w) = World::new() else { return };
    if crate::support::is_new_git() {
        return; // the git on PATH runs config hooks: covered above
    }
    let out = w
        .cmd(BIN, &["install", "--config-hook"], "work")
        .status(3)
        .run();
    assert!(out.stderr.contains("does not run hooks defined in config (hook.<name>.command needs git 2.54 or later); use `pushguard install`"), "{}", out.stderr);
    let out = w.cmd(BIN, &["install", "--global"], "work").status(3).run();
    assert!(
        out.stderr
            .contains("pushguard install --global --hooks-path DIR"),
        "{}",
        out.stderr
    );
    assert!(!w.path(".gitconfig").exists(), "nothing written");
}

#[test]
fn a_global_hooks_folder_runs_every_repositorys_own_hooks() {
    let Some(w) = World::new() else { return };
    let dir = w.path("hooks");
    let dir = dir.to_str().unwrap();
    let out = w
        .cmd(BIN, &["install", "--global", "--hooks-path", dir], "work")
        .ok();
    assert!(out.text().contains("set core.hooksPath="), "{}", out.text());
    let again = w
        .cmd(BIN, &["install", "--global", "--hooks-path", dir], "work")
        .ok();
    assert!(
        !again.text().contains("wrote"),
        "idempotent: {}",
        again.text()
    );
    // The repository's own hooks, which a user-wide core.hooksPath would silence.
    let commit = w.logger("pre-commit", "exit 0");
    fs::copy(&commit, w.path("work/.git/hooks/pre-commit")).unwrap();
    let push = w.logger("own-push", "exit 0");
    fs::copy(&push, w.path("work/.git/hooks/pre-push")).unwrap();
    w.commits(4);
    assert!(w.log("pre-commit").contains("ARGS"), "pre-commit ran");
    let out = w.push_blocking(&["main"]);
    assert_eq!(out.code, Some(1), "{}", out.text());
    assert!(out.stderr.contains("pushguard: push stopped"));
    assert!(
        w.log("own-push").contains("STDIN\nrefs/heads/main "),
        "{}",
        w.log("own-push")
    );
    // A failing own hook still stops the push, before pushguard.
    w.s.write_exec("work/.git/hooks/pre-push", "#!/bin/sh\nexit 7\n", 0o755);
    let out = w.cmd("git", &["push", "origin", "main"], "work").run();
    assert!(
        !out.success() && !out.stderr.contains("pushguard"),
        "{}",
        out.text()
    );
    w.cmd(BIN, &["uninstall", "--global", "--hooks-path", dir], "work")
        .ok();
    assert!(!w.path("hooks").exists());
    assert_eq!(read(&w, ".gitconfig").trim(), "");
}

#[test]
fn the_shim_finds_the_binary_beside_itself_and_strict_stops_a_push_without_it() {
    let Some(w) = World::new() else { return };
    let shim =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("hooks/pre-push")).unwrap();
    w.s.write_exec("work/.githooks/pre-push", &shim, 0o755);
    w.git(&["config", "core.hooksPath", ".githooks"], "work");
    w.commits(4);
    let plain_path = "/usr/local/bin:/usr/bin:/bin";
    let push = |strict: bool| {
        w.cmd(
            "git",
            &[
                "-c",
                &format!("pushguard.strict={strict}"),
                "-c",
                "pushguard.blockObjects=6",
                "push",
                "origin",
                "main",
            ],
            "work",
        )
        .env_remove("PUSHGUARD_BIN")
        .env("PATH", plain_path)
        .run()
    };
    let out = push(true);
    assert_eq!(
        out.code,
        Some(1),
        "git reports the hook's failure: {}",
        out.text()
    );
    assert!(
        out.stderr.contains("push stopped (pushguard.strict is on)"),
        "{}",
        out.stderr
    );
    let out = push(false);
    assert!(out.success(), "{}", out.text());
    assert_eq!(
        out.stderr
            .lines()
            .filter(|l| l.contains("pushguard"))
            .count(),
        1,
        "{}",
        out.stderr
    );
    // Beside the shim: found.
    std::os::unix::fs::symlink(BIN, w.path("work/.githooks/pushguard")).unwrap();
    w.commits(4);
    let out = push(false);
    assert_eq!(out.code, Some(1), "{}", out.text());
    assert!(
        out.stderr.contains("pushguard: push stopped"),
        "{}",
        out.stderr
    );
}

#[test]
fn per_server_settings_are_matched_like_http_url_settings() {
    let Some(w) = World::new() else { return };
    w.commits(1);
    for (k, v) in [
        ("pushguard.idleTimeout", "600"),
        ("pushguard.ssh://*.example.com.idleTimeout", "240"),
        (
            "pushguard.ssh://bitbucket.example.com:7999.idleTimeout",
            "350",
        ),
        (
            "pushguard.ssh://git@bitbucket.example.com:7999/proj.idleTimeout",
            "60",
        ),
        ("pushguard.ssh://off.example.com.enabled", "false"),
    ] {
        w.git(&["config", k, v], "work");
    }
    let timeout = |url: &str| {
        let v = w
            .cmd(BIN, &["check", "--format", "json", url], "work")
            .ok()
            .json();
        (
            v["idle_timeout"].as_u64(),
            v["verdict"].as_str().unwrap_or("").to_string(),
        )
    };
    assert_eq!(
        timeout("ssh://git@bitbucket.example.com:7999/proj/r.git").0,
        Some(60)
    );
    assert_eq!(
        timeout("ssh://other@bitbucket.example.com:7999/proj/r.git").0,
        Some(350),
        "user must match"
    );
    assert_eq!(
        timeout("ssh://bitbucket.example.com/proj/r.git").0,
        Some(240),
        "no port: the wildcard"
    );
    assert_eq!(
        timeout("git@lb.example.com:proj/r.git").0,
        Some(240),
        "scp-like as ssh://"
    );
    assert_eq!(timeout("ssh://example.org/r.git").0, Some(600));
    assert_eq!(timeout("ssh://off.example.com/r.git").1, "skip");
    w.git(
        &[
            "config",
            "pushguard.ssh://bad.example.com.blockObjects",
            "lots",
        ],
        "work",
    );
    let out = w
        .cmd(BIN, &["check", "ssh://bad.example.com/r.git"], "work")
        .status(3)
        .run();
    assert!(
        out.stderr
            .contains("for pushguard.ssh://bad.example.com.blockobjects"),
        "{}",
        out.stderr
    );
}
