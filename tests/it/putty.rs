//! PuTTY tools through a real `git push`: the keepalive is the saved
//! session the tool loads (`$HOME/.putty/sessions/<escaped name>`), judged
//! by the same thresholds as OpenSSH's `ServerAliveInterval`, and "cannot
//! tell" (a warning, never a block) only when the session cannot be read.
//!
//! Each scenario runs three ways git may run a PuTTY tool: `ssh.variant=plink`
//! with a `core.sshCommand`, a program named `plink` in `GIT_SSH` (git's
//! variant from the name), and TortoiseGit's `TortoiseGitPlink.exe` with
//! `GIT_SSH_VARIANT=ssh` (git then passes OpenSSH's `-p`). The fake tool logs
//! its argv, fails git's `-G` probe as plink does, and runs git's remote
//! command here, so a push that is let through really lands.

use serde_json::Value;

use crate::support::Cmd;
use crate::support::push::{Pushed, World};

/// The fake PuTTY tool: one log line per call, `-G` refused (cmdline.c has
/// no such option), else the last argument (git's remote command) run here.
const FAKE_PLINK: &str = r#"#!/bin/sh
{ printf 'CALL %s' "$(pwd)"; for a in "$@"; do printf ' %s' "$a"; done; printf '\n'; } >> "$PUSH_DIR/ssh.log"
for a in "$@"; do
  if [ "$a" = "-G" ]; then echo 'plink: unknown option "-G"' >&2; exit 1; fi
done
for last in "$@"; do :; done
exec sh -c "$last"
"#;

/// The host of every URL here, and the name of its host session.
const HOST: &str = "git.example.com";

/// How git is told to run the PuTTY tool.
#[derive(Debug, Clone, Copy)]
enum How {
    /// `core.sshCommand = "<dir>/plink -batch"` and `ssh.variant=plink`.
    Variant,
    /// `GIT_SSH=<dir>/plink`: git takes the variant from the name.
    Named,
    /// `GIT_SSH=<dir>/TortoiseGitPlink.exe`, `GIT_SSH_VARIANT=ssh` (TortoiseGit).
    Tortoise,
}

const ALL: [How; 3] = [How::Variant, How::Named, How::Tortoise];

impl How {
    /// The tool's name in messages, and its id in JSON.
    fn tool(self) -> (&'static str, &'static str) {
        match self {
            How::Variant | How::Named => ("plink", "plink"),
            How::Tortoise => ("TortoiseGitPlink", "tortoiseplink"),
        }
    }

    /// The option git gives the tool for the URL's port.
    fn port_flag(self) -> &'static str {
        match self {
            How::Variant | How::Named => "-P",
            How::Tortoise => "-p",
        }
    }
}

/// A world with a bare remote, a work repository of 23 objects to push,
/// the fake tools, and an empty session directory (so that PuTTY's rule
/// picks `$HOME/.putty`, never the passwd home's).
fn world() -> Option<World> {
    let w = World::new()?;
    w.s.write_exec("bin/plink", FAKE_PLINK, 0o755);
    w.s.write_exec("bin/TortoiseGitPlink.exe", FAKE_PLINK, 0o755);
    std::fs::create_dir_all(w.path(".putty/sessions")).expect("sessions dir");
    w.bare("remote.git");
    w.work("work", "remote.git");
    let url = format!("ssh://git@{HOST}:7999{}", w.path("remote.git").display());
    w.git("work", &["remote", "set-url", "origin", &url]);
    w.commit("work", "big", 12);
    Some(w)
}

/// Writes session `file` (an escaped name) in `$HOME/.putty/sessions`.
fn session(w: &World, file: &str, text: &str) -> String {
    let p = w.s.write(format!(".putty/sessions/{file}"), text);
    p.display().to_string()
}

/// Sets these `pushguard.*` settings in `work`, and for [`How::Variant`]
/// its `core.sshCommand` and `ssh.variant`.
fn configure(w: &World, how: How, settings: &[(&str, &str)]) {
    for (k, v) in settings {
        w.git("work", &["config", &format!("pushguard.{k}"), v]);
    }
    if let How::Variant = how {
        let plink = format!("{} -batch", w.path("bin/plink").display());
        w.git("work", &["config", "core.sshCommand", &plink]);
        w.git("work", &["config", "ssh.variant", "plink"]);
    }
}

/// `cmd` with the environment that makes git run the tool as `how` says.
fn with_tool(w: &World, cmd: Cmd, how: How) -> Cmd {
    let tool = |name: &str| w.path(&format!("bin/{name}")).display().to_string();
    let cmd = cmd.env_remove("GIT_SSH_COMMAND");
    match how {
        How::Variant => cmd,
        How::Named => cmd.env("GIT_SSH", tool("plink")),
        How::Tortoise => cmd
            .env("GIT_SSH", tool("TortoiseGitPlink.exe"))
            .env("GIT_SSH_VARIANT", "ssh"),
    }
}

/// What the hook says (its text, on stderr) about pushing `main` to the
/// remote, which does not have it yet.
fn hook_message(w: &World, how: How) -> String {
    let url = w.git("work", &["remote", "get-url", "--push", "origin"]);
    let oid = w.git("work", &["rev-parse", "main"]);
    let stdin = format!("refs/heads/main {oid} refs/heads/main {}\n", "0".repeat(40));
    let cmd = w
        .pushguard("work", &["pre-push", "origin", &url])
        .stdin(stdin);
    with_tool(w, cmd, how).run().stderr
}

/// `git push origin main` in `work`, running the tool as `how` says, with
/// these `pushguard.*` settings; and the hook's message, asked first.
fn push(w: &World, how: How, settings: &[(&str, &str)]) -> (Pushed, String) {
    configure(w, how, settings);
    let message = hook_message(w, how);
    let cmd = with_tool(w, w.cmd("git", &[], "work"), how);
    (w.push_with(cmd, &[], &["origin", "main"]), message)
}

/// Large enough to block without a keepalive.
const HUGE: [(&str, &str); 2] = [("warnObjects", "5"), ("blockObjects", "15")];
/// Large enough to warn, not to block.
const LARGE: [(&str, &str); 2] = [("warnObjects", "5"), ("blockObjects", "1000")];

fn remote_has_main(w: &World) -> bool {
    w.cmd(
        "git",
        &["rev-parse", "-q", "--verify", "refs/heads/main"],
        "remote.git",
    )
    .run()
    .success()
}

/// The tool's own call, as git made it for the push (after the hook).
fn tool_call(p: &Pushed) -> &str {
    p.by_git.last().map_or("", String::as_str)
}

#[test]
fn a_host_session_with_a_keepalive_lets_a_huge_push_through() {
    for how in ALL {
        let Some(w) = world() else { return };
        let file = session(&w, HOST, &format!("HostName={HOST}\nPingIntervalSecs=30\n"));
        session(&w, "Default%20Settings", "PingIntervalSecs=0\n");
        let (p, _) = push(&w, how, &HUGE);
        assert!(p.ok, "{how:?}: {}", p.stderr);
        let v = p.json();
        assert_eq!(v["verdict"], "ok", "{how:?}: {v:#}");
        assert_eq!(v["ssh"]["serveraliveinterval"], 30, "{how:?}: {v:#}");
        assert_eq!(
            v["ssh"]["serveraliveinterval_origin"],
            serde_json::json!({
                "file": file,
                "line": 2,
                "putty_session": HOST,
                "key": "PingIntervalSecs",
            }),
            "{how:?}"
        );
        assert_eq!(v["ssh"]["putty_tool"], how.tool().1);
        assert!(
            tool_call(&p).contains(&format!(" {} 7999 git@{HOST} ", how.port_flag())),
            "{how:?}: {:?}",
            p.by_git
        );
        assert!(remote_has_main(&w), "{how:?}");
    }
}

#[test]
fn no_keepalive_in_default_settings_blocks_a_huge_push_like_openssh() {
    for how in ALL {
        let Some(w) = world() else { return };
        let file = session(
            &w,
            "Default%20Settings",
            "HostName=\nProtocol=ssh\nPortNumber=22\nPingIntervalSecs=0\n",
        );
        let (p, message) = push(&w, how, &HUGE);
        assert!(!p.ok, "{how:?}: the push went through");
        assert_eq!(p.hook_rc, Some(1), "{how:?}: {}", p.stderr);
        let v = p.json();
        assert_eq!(v["verdict"], "block", "{how:?}: {v:#}");
        assert_eq!(v["ssh"]["serveraliveinterval"], 0);
        assert_eq!(v["ssh"]["serveraliveinterval_origin"]["line"], 4, "{v:#}");
        assert_eq!(v["fix"]["command"], "pushguard fix origin");
        assert_eq!(v["fix"]["one_off"], Value::Null);
        let (name, _) = how.tool();
        let keepalive = format!(
            "  keepalive  {name} sends no keepalive (ping interval 0), from PuTTY session \"Default Settings\" ({file}): PingIntervalSecs=0 at line 4\n"
        );
        assert!(message.contains(&keepalive), "{how:?}: {message}");
        assert!(
            message.starts_with(&format!(
                "pushguard: push stopped: this push is large and {name} sends no keepalive"
            )),
            "{message}"
        );
        assert!(
            message.contains(
                "Fix: pushguard fix origin   (sets \"Seconds between keepalives\" to 30 in PuTTY session \"Default Settings\"; --apply makes it)"
            ),
            "{message}"
        );
        assert!(!remote_has_main(&w), "{how:?}");
    }
    // The same push through OpenSSH without a keepalive: the same verdict.
    let Some(w) = world() else { return };
    let cmd = w.cmd("git", &[], "work");
    let p = w.push_with(
        cmd,
        &[
            "-c",
            "pushguard.warnObjects=5",
            "-c",
            "pushguard.blockObjects=15",
        ],
        &["origin", "main"],
    );
    assert_eq!(p.json()["verdict"], "block", "{}", p.stderr);
}

#[test]
fn no_keepalive_in_the_host_session_blocks_though_default_settings_has_one() {
    for how in ALL {
        let Some(w) = world() else { return };
        // PuTTY loads the host-named session (it has a HostName), not
        // "Default Settings": its 0 is what plink uses.
        let file = session(
            &w,
            HOST,
            &format!("HostName={HOST}\nProtocol=ssh\nPingInterval=0\nPingIntervalSecs=0\n"),
        );
        session(&w, "Default%20Settings", "PingIntervalSecs=30\n");
        let (p, message) = push(&w, how, &HUGE);
        assert!(!p.ok, "{how:?}: the push went through");
        assert_eq!(p.hook_rc, Some(1), "{how:?}: {}", p.stderr);
        let v = p.json();
        assert_eq!(v["verdict"], "block", "{how:?}: {v:#}");
        assert_eq!(v["ssh"]["serveraliveinterval"], 0, "{how:?}: {v:#}");
        assert_eq!(
            v["ssh"]["serveraliveinterval_origin"],
            serde_json::json!({
                "file": file,
                "line": 4,
                "putty_session": HOST,
                "key": "PingIntervalSecs",
            }),
            "{how:?}"
        );
        assert_eq!(
            v["ssh"]["putty_session"],
            format!(
                "PuTTY session \"{HOST}\" ({file}): PingInterval=0 at line 3, PingIntervalSecs=0 at line 4"
            ),
            "{how:?}"
        );
        let (name, _) = how.tool();
        assert!(
            message.contains(&format!(
                "  keepalive  {name} sends no keepalive (ping interval 0), from PuTTY session \"{HOST}\" ({file}): "
            )),
            "{how:?}: {message}"
        );
        assert!(
            message.contains(&format!("to 30 in PuTTY session \"{HOST}\"")),
            "{how:?}: {message}"
        );
        assert!(!remote_has_main(&w), "{how:?}");
    }
}

#[test]
fn no_keepalive_warns_a_large_push_and_lets_it_go_on() {
    for how in ALL {
        let Some(w) = world() else { return };
        // A host-named session without a HostName is not loaded (cmdline.c).
        session(&w, HOST, "PingIntervalSecs=30\n");
        let file = session(&w, "Default%20Settings", "PingIntervalSecs=0\n");
        let (p, message) = push(&w, how, &LARGE);
        assert!(p.ok, "{how:?}: {}", p.stderr);
        let v = p.json();
        assert_eq!(v["verdict"], "warn", "{how:?}: {v:#}");
        assert_eq!(v["ssh"]["serveraliveinterval"], 0);
        assert_eq!(
            v["ssh"]["serveraliveinterval_origin"]["file"],
            file.as_str()
        );
        assert_eq!(
            v["ssh"]["putty_session"],
            format!("PuTTY session \"Default Settings\" ({file}): PingIntervalSecs=0 at line 1")
        );
        assert!(
            message.starts_with("pushguard: warning (the push goes on)"),
            "{message}"
        );
        assert!(remote_has_main(&w), "{how:?}");
    }
}

#[test]
fn a_ping_interval_not_below_the_idle_timeout_is_blocked() {
    let Some(w) = world() else { return };
    session(
        &w,
        "Default%20Settings",
        "PingInterval=1\nPingIntervalSecs=0\n",
    );
    let mut settings = HUGE.to_vec();
    settings.push(("idleTimeout", "60"));
    let (p, message) = push(&w, How::Named, &settings);
    let v = p.json();
    assert_eq!(v["verdict"], "block", "{v:#}");
    assert_eq!(v["ssh"]["serveraliveinterval"], 60);
    assert!(
        message.contains(
            "plink's keepalive (every 60 s) is not below the server's idle timeout (60 s)"
        ),
        "{message}"
    );
    assert!(
        message.contains("to 30 in PuTTY session \"Default Settings\""),
        "{message}"
    );
}

#[test]
fn an_unreadable_session_warns_and_never_blocks() {
    for how in ALL {
        let Some(w) = world() else { return };
        // A directory where the session file should be: it cannot be read.
        let file = w.path(".putty/sessions/Default%20Settings");
        std::fs::create_dir_all(&file).expect("mkdir");
        let (p, message) = push(&w, how, &HUGE);
        assert!(p.ok, "{how:?}: {}", p.stderr);
        let v = p.json();
        assert_eq!(v["verdict"], "warn", "{how:?}: {v:#}");
        assert_eq!(v["ssh"]["serveraliveinterval"], Value::Null);
        let reason = v["ssh"]["unknown_reason"].as_str().unwrap_or_default();
        assert!(
            reason.starts_with(&format!(
                "cannot read PuTTY session file {}",
                file.display()
            )),
            "{how:?}: {v:#}"
        );
        assert_eq!(v["ssh"]["putty_tool"], how.tool().1);
        assert!(
            message.contains(
                "pushguard cannot read that session, so it only warns here, never blocks."
            ),
            "{message}"
        );
        assert!(remote_has_main(&w), "{how:?}");
    }
}

#[test]
fn check_doctor_and_fix_name_the_session_the_hook_judges() {
    let Some(w) = world() else { return };
    let file = session(&w, "Default%20Settings", "PingIntervalSecs=0\n");
    let plink = w.path("bin/plink").display().to_string();
    let run = |args: &[&str]| {
        w.pushguard("work", args)
            .env_remove("GIT_SSH_COMMAND")
            .env("GIT_SSH", &plink)
            .run()
    };
    w.git("work", &["config", "pushguard.warnObjects", "5"]);
    w.git("work", &["config", "pushguard.blockObjects", "15"]);
    let out = run(&["check", "--format", "json"]);
    let v = out.json();
    assert_eq!(
        (v["verdict"].as_str(), out.code),
        (Some("block"), Some(1)),
        "{v:#}"
    );
    assert_eq!(
        v["ssh"]["serveraliveinterval_origin"]["file"],
        file.as_str()
    );
    let v = run(&["doctor", "--format", "json"]).json();
    let origin = &v["remotes"][0];
    assert_eq!(origin["keepalive_effective"], false, "{v:#}");
    assert_eq!(origin["ssh"]["serveraliveinterval"], 0);
    assert_eq!(
        origin["ssh"]["serveraliveinterval_origin"]["file"],
        file.as_str()
    );
    let problem = v["problems"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["what"].as_str().is_some_and(|w| w.contains("PuTTY")))
        .unwrap_or_else(|| panic!("no PuTTY problem: {v:#}"));
    assert_eq!(
        problem["fix"],
        "pushguard fix origin sets \"Seconds between keepalives\" to 30 in PuTTY session \"Default Settings\" (--apply makes it)"
    );
    // What the hook's message names is what `fix` edits.
    let v = run(&["fix", "origin", "--format", "json"]).json();
    assert_eq!(
        (v["target"].as_str(), v["file"].as_str()),
        (Some("putty-session"), Some(file.as_str())),
        "{v:#}"
    );
    assert_eq!(v["interval"], 30);
}
