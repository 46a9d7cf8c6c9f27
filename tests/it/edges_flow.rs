//! The flow at its edges (issue 10, items 5-9 and ssh facts), each through
//! a real `git push` with the hook installed and a bare remote behind the
//! fake ssh (see `support::push`), the real `ssh -G` as the witness of what
//! ssh does.

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
