//! End to end: real repositories, a real `git push` through the real hook
//! shim, a fake ssh that logs its argv and runs git-receive-pack locally,
//! and the real `ssh -G` for the effective options.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::{BIN, Cmd, Out, Sandbox, require};

/// A work repository with a bare remote reached over a fake ssh.
struct World {
    s: Sandbox,
}

impl World {
    /// `None` (the test skips) without git or ssh.
    fn new() -> Option<World> {
        require("git")?;
        let real_ssh = require("ssh")?;
        let w = World { s: Sandbox::new() };
        w.s.write("ssh_config", "");
        // The fake ssh: `-G` and `-V` go to the real ssh (with our config
        // file), a push runs its remote command locally; every call is
        // logged.
        let script = format!(
            r#"#!/bin/sh
for a in "$@"; do printf '%s\n' "$a"; done >> "{log}"
printf '%s\n' '--' >> "{log}"
for a in "$@"; do
  if [ "$a" = "-G" ] || [ "$a" = "-V" ]; then exec {real} "$@"; fi
done
for last in "$@"; do :; done
exec sh -c "$last"
"#,
            log = w.path("ssh.log").display(),
            real = real_ssh.display()
        );
        w.s.write_exec("bin/ssh", &script, 0o755);
        w.git(&["init", "-q", "--bare", "remote.git"], ".");
        w.git(&["init", "-q", "-b", "main", "work"], ".");
        w.git(&["config", "user.name", "T"], "work");
        w.git(&["config", "user.email", "t@example.com"], "work");
        let url = format!(
            "ssh://git@bitbucket.example.com:7999{}",
            w.path("remote.git").display()
        );
        w.git(&["remote", "add", "origin", &url], "work");
        // The hook is the real shim, pointed at the binary under test.
        let shim = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("hooks/pre-push"))
            .unwrap();
        w.s.write_exec("work/.git/hooks/pre-push", &shim, 0o755);
        Some(w)
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.s.path(rel)
    }

    fn ssh_command(&self, extra: &str) -> String {
        format!(
            "{} -F {}{extra}",
            self.path("bin/ssh").display(),
            self.path("ssh_config").display()
        )
    }

    fn cmd(&self, program: &str, args: &[&str], cwd: &str) -> Cmd {
        self.s
            .cmd(program)
            .args(args)
            .dir(cwd)
            .env("PUSHGUARD_BIN", BIN)
            .env("GIT_SSH_COMMAND", self.ssh_command(""))
    }

    fn git(&self, args: &[&str], cwd: &str) -> String {
        self.cmd("git", args, cwd).stdout()
    }

    /// Makes `n` commits of one new file each (3 objects per commit).
    fn commits(&self, n: usize) {
        for i in 0..n {
            let tag = rand_tag();
            fs::write(
                self.path(&format!("work/f{i}-{tag}.txt")),
                format!("{i} {tag}\n"),
            )
            .unwrap();
            self.git(&["add", "."], "work");
            self.git(&["commit", "-q", "-m", &format!("c{i}")], "work");
        }
    }

    /// `git <extra> push -q origin main`, to run or to adjust first.
    fn push_cmd(&self, extra: &[&str]) -> Cmd {
        let mut args = extra.to_vec();
        args.extend(["push", "-q", "origin", "main"]);
        self.cmd("git", &args, "work")
    }

    fn push(&self, extra: &[&str]) -> Out {
        self.push_cmd(extra).run()
    }

    fn check_json(&self, extra_env: &[(&str, &str)]) -> (Value, i32) {
        let c = self.cmd(BIN, &["check", "--format", "json"], "work");
        let out = extra_env.iter().fold(c, |c, (k, v)| c.env(k, v)).run();
        (out.json(), out.code.unwrap_or(-1))
    }

    fn remote_has_main(&self) -> bool {
        self.cmd(
            "git",
            &["rev-parse", "-q", "--verify", "refs/heads/main"],
            "remote.git",
        )
        .run()
        .success()
    }
}

fn rand_tag() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

#[test]
fn small_push_goes_through_silently() {
    let Some(w) = World::new() else { return };
    w.commits(2);
    let out = w.push(&[]);
    assert!(out.success(), "{}", out.stderr);
    assert!(!out.stderr.contains("pushguard"), "{}", out.stderr);
    assert!(w.remote_has_main());
}

#[test]
fn large_push_without_keepalive_is_blocked_with_the_fix() {
    let Some(w) = World::new() else { return };
    w.commits(4);
    let out = w.push(&[
        "-c",
        "pushguard.blockObjects=6",
        "-c",
        "pushguard.warnObjects=3",
    ]);
    let err = &out.stderr;
    assert!(!out.success(), "push should be blocked: {err}");
    assert!(err.contains("pushguard: push stopped"), "{err}");
    assert!(err.contains("Fix: pushguard fix origin "), "{err}");
    assert!(err.contains("-o ServerAliveInterval=30"), "{err}");
    assert!(err.contains("ServerAliveInterval 0"), "{err}");
    assert!(err.contains("PUSHGUARD_SKIP=1"), "{err}");
    assert!(!w.remote_has_main(), "a blocked push must not land");
}

#[test]
fn keepalive_in_config_lets_large_push_through() {
    let Some(w) = World::new() else { return };
    w.s.write(
        "ssh_config",
        "Host bitbucket.example.com\n  ServerAliveInterval 30\n",
    );
    w.commits(4);
    let out = w.push(&[
        "-c",
        "pushguard.blockObjects=6",
        "-c",
        "pushguard.warnObjects=3",
    ]);
    assert!(out.success(), "{}", out.stderr);
    assert!(w.remote_has_main());
}

#[test]
fn keepalive_given_through_git_dash_c_is_seen() {
    let Some(w) = World::new() else { return };
    w.commits(4);
    let cmd = format!(
        "core.sshCommand={}",
        w.ssh_command(" -o ServerAliveInterval=20")
    );
    let out = w
        .push_cmd(&["-c", &cmd, "-c", "pushguard.blockObjects=6"])
        .env_remove("GIT_SSH_COMMAND")
        .run();
    assert!(out.success(), "{}", out.stderr);
}

#[test]
fn keepalive_not_below_idle_timeout_is_blocked() {
    let Some(w) = World::new() else { return };
    w.s.write("ssh_config", "ServerAliveInterval 700\n");
    w.commits(4);
    let out = w.push(&["-c", "pushguard.blockObjects=6"]);
    assert!(!out.success(), "{}", out.stderr);
    assert!(out.stderr.contains("700"), "{}", out.stderr);
}

#[test]
fn bypass_and_disable() {
    let Some(w) = World::new() else { return };
    w.commits(4);
    let out = w
        .push_cmd(&["-c", "pushguard.blockObjects=6"])
        .env("PUSHGUARD_SKIP", "1")
        .run();
    assert!(out.success(), "{}", out.stderr);
    w.commits(4);
    let out = w.push(&[
        "-c",
        "pushguard.blockObjects=6",
        "-c",
        "pushguard.enabled=false",
    ]);
    assert!(out.success(), "{}", out.stderr);
}

#[test]
fn warn_lets_push_go_on() {
    let Some(w) = World::new() else { return };
    w.commits(4);
    let out = w.push(&["-c", "pushguard.warnObjects=6"]);
    assert!(out.success(), "{}", out.stderr);
    assert!(out.stderr.contains("pushguard: warning"), "{}", out.stderr);
}

#[test]
fn push_argv_is_what_git_ran() {
    let Some(w) = World::new() else { return };
    w.commits(1);
    let out = w.push(&[]);
    assert!(out.success(), "{}", out.stderr);
    let log = fs::read_to_string(w.path("ssh.log")).unwrap();
    // The last logged call is git's own push connection.
    let calls: Vec<&str> = log.split("--\n").filter(|c| !c.is_empty()).collect();
    let push_call = calls
        .iter()
        .find(|c| c.contains("git-receive-pack"))
        .unwrap();
    let expected = format!(
        "-F\n{}\n-p\n7999\ngit@bitbucket.example.com\ngit-receive-pack '{}'\n",
        w.path("ssh_config").display(),
        w.path("remote.git").display()
    );
    assert_eq!(*push_call, expected);
    let (v, _) = w.check_json(&[("PUSHGUARD_TEST", "1")]);
    assert_eq!(v["verdict"], "ok");
}

#[test]
fn check_json_has_documented_fields() {
    let Some(w) = World::new() else { return };
    w.commits(4);
    w.git(&["config", "pushguard.blockObjects", "6"], "work");
    let (v, code) = w.check_json(&[]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(v["verdict"], "block");
    assert!(
        v["objects"]["count"].as_u64().is_some_and(|n| n >= 6),
        "{v:#}"
    );
    assert_eq!(v["objects"]["exact"], false);
    assert_eq!(v["ssh"]["serveraliveinterval"].as_u64(), Some(0));
    assert_eq!(v["ssh"]["host"], "bitbucket.example.com");
    assert!(v["reasons"].as_array().is_some_and(|r| !r.is_empty()));
}

#[test]
fn not_ssh_is_skipped() {
    let Some(w) = World::new() else { return };
    w.commits(1);
    w.git(
        &["remote", "set-url", "origin", "https://example.com/r.git"],
        "work",
    );
    let (v, code) = w.check_json(&[]);
    assert_eq!(code, 0);
    assert_eq!(v["verdict"], "skip");
}

#[test]
fn plink_without_a_saved_session_has_no_keepalive() {
    let Some(w) = World::new() else { return };
    w.commits(4);
    let plink = w.s.write_exec("bin/plink", "#!/bin/sh\nexit 1\n", 0o755);
    // $HOME/.putty exists, so plink looks nowhere else (unix/storage.c).
    fs::create_dir_all(w.path(".putty/sessions")).unwrap();
    w.git(&["config", "pushguard.blockObjects", "6"], "work");
    let (v, code) = w.check_json(&[("GIT_SSH_COMMAND", plink.to_str().unwrap())]);
    assert_eq!(v["verdict"], "block", "{v:#}");
    assert_eq!(code, 1);
    assert_eq!(v["ssh"]["serveraliveinterval"], 0);
    assert_eq!(v["ssh"]["serveraliveinterval_origin"], "default");
    let file = w.path(".putty/sessions/Default%20Settings");
    assert_eq!(
        v["ssh"]["putty_session"],
        format!(
            "PuTTY session \"Default Settings\" ({}): no such session, PuTTY's default (no keepalive)",
            file.display()
        )
    );
}

#[test]
fn corrupt_stdin_lets_push_go_on_or_blocks_when_strict() {
    let Some(w) = World::new() else { return };
    let run = |strict: bool| {
        let c = w
            .cmd(BIN, &["pre-push", "origin", "ssh://git@h/p"], "work")
            .stdin("not a ref line\n");
        match strict {
            true => c.env("GIT_CONFIG_PARAMETERS", "'pushguard.strict'='true'"),
            false => c,
        }
        .run()
    };
    let out = run(false);
    assert!(out.success());
    let err = &out.stderr;
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("line 1"), "{err}");
    let out = run(true);
    assert_eq!(out.code, Some(3), "{}", out.stderr);
}

#[test]
fn invoked_as_pre_push() {
    let Some(w) = World::new() else { return };
    let link = w.path("bin/pre-push");
    std::os::unix::fs::symlink(BIN, &link).unwrap();
    let out = w
        .cmd(
            link.to_str().unwrap(),
            &["origin", "https://example.com/x"],
            "work",
        )
        .run();
    assert!(out.success(), "{}", out.stderr);
}

#[test]
fn check_ssh_resolves_even_a_small_push() {
    let Some(w) = World::new() else { return };
    w.s.write(
        "ssh_config",
        "Host bitbucket.example.com\n  ServerAliveInterval 45\n",
    );
    w.commits(1);
    let v = w
        .cmd(BIN, &["check", "--ssh", "--format", "json"], "work")
        .run()
        .json();
    assert_eq!(v["verdict"], "ok");
    assert_eq!(v["ssh"]["serveraliveinterval"].as_u64(), Some(45), "{v:#}");
    // The build the builtin modelled: what `ssh -V` printed before the comma.
    let version = v["ssh"]["version"].as_str().unwrap_or_default();
    assert!(version.starts_with("OpenSSH_"), "{v:#}");
    assert_eq!(
        v["ssh"]["serveraliveinterval_origin"]["line"].as_u64(),
        Some(2),
        "{v:#}"
    );
    let (v, _) = w.check_json(&[]);
    assert!(v["ssh"]["skipped"].is_string(), "{v:#}");
}

#[test]
fn a_url_is_mapped_to_its_remote_for_tracking_refs() {
    let Some(w) = World::new() else { return };
    w.commits(5);
    let out = w.push(&[]);
    assert!(out.success(), "{}", out.stderr);
    w.git(&["fetch", "-q", "origin"], "work");
    w.commits(1);
    w.git(&["config", "pushguard.warnObjects", "1"], "work");
    let url = w.git(&["remote", "get-url", "--push", "origin"], "work");
    let v = w
        .cmd(BIN, &["check", "--format", "json", &url, "main"], "work")
        .run()
        .json();
    assert_eq!(v["remote"], url.as_str());
    assert_eq!(v["objects"]["count"].as_u64(), Some(3), "{v:#}");
    assert_eq!(v["objects"]["exact"], true, "{v:#}");
    // An unknown URL has no tracking refs: everything counts, and it says so.
    let v = w
        .cmd(
            BIN,
            &[
                "check",
                "--format",
                "json",
                "ssh://git@elsewhere.example.com/x.git",
                "main",
            ],
            "work",
        )
        .run()
        .json();
    assert_eq!(v["objects"]["count"].as_u64(), Some(18), "{v:#}");
    let notes = v["objects"]["notes"].to_string();
    assert!(notes.contains("upper bound"), "{v:#}");
}

#[test]
fn match_exec_is_unknown_to_the_builtin_but_run_by_ssh_g() {
    let Some(w) = World::new() else { return };
    w.s.write(
        "ssh_config",
        "Match exec \"true\"\n  ServerAliveInterval 30\n",
    );
    w.commits(4);
    w.git(&["config", "pushguard.blockObjects", "6"], "work");
    // The real ssh -G runs `true`: the keepalive is there.
    let (v, code) = w.check_json(&[]);
    assert_eq!((v["verdict"].as_str(), code), (Some("ok"), 0), "{v:#}");
    assert_eq!(v["ssh"]["resolver"], "ssh -G");
    // The builtin never runs it: cannot tell, which warns and never blocks.
    w.git(&["config", "pushguard.resolver", "builtin"], "work");
    let (v, code) = w.check_json(&[]);
    assert_eq!((v["verdict"].as_str(), code), (Some("warn"), 0), "{v:#}");
    let why = v["ssh"]["unknown_reason"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(why.contains("Match exec") && why.contains(":1"), "{v:#}");
}

#[test]
fn check_stdin_takes_hook_lines() {
    let Some(w) = World::new() else { return };
    w.commits(4);
    let head = w.git(&["rev-parse", "HEAD"], "work");
    let zero = "0".repeat(40);
    let out = w
        .cmd(
            BIN,
            &["check", "--stdin", "--format", "json", "origin"],
            "work",
        )
        .env("GIT_CONFIG_PARAMETERS", "'pushguard.blockobjects'='6'")
        .stdin(format!("HEAD~1 {head} refs/heads/topic {zero}\n"))
        .run();
    let v = out.json();
    assert_eq!(v["verdict"], "block", "{v:#}");
    assert_eq!(out.code, Some(1));
}

#[test]
fn a_shared_connection_is_mentioned() {
    let Some(w) = World::new() else { return };
    w.s.write("ssh_config", "Host *\n  ControlPath /tmp/pg-%C\n");
    w.commits(1);
    let v = w
        .cmd(BIN, &["check", "--ssh", "--format", "json"], "work")
        .run()
        .json();
    assert!(
        v["ssh"]["notes"].to_string().contains("shared connection"),
        "{v:#}"
    );
}
