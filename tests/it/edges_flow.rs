//! The flow at its edges (issue 10, items 5-9 and ssh facts), each through
//! a real `git push` with the hook installed and a bare remote behind the
//! fake ssh (see `support::push`), the real `ssh -G` as the witness of what
//! ssh does.



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
