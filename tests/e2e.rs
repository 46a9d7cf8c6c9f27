//! End to end: real repositories, a real `git push` through the real hook
//! shim, a fake ssh that logs its argv and runs git-receive-pack locally,
//! and the real `ssh -G` for the effective options.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_pushguard");

/// A work repository with a bare remote reached over a fake ssh.
struct World {
    dir: tempfile::TempDir,
}

impl World {
    fn new() -> World {
        if !have("ssh") {
            if std::env::var_os("CI").is_some() {
                panic!("ssh is required in CI");
            }
            eprintln!(
                "!!! e2e: ssh (OpenSSH client) not installed: results will show 'cannot tell'"
            );
        }
        let w = World {
            dir: tempfile::tempdir().unwrap(),
        };
        fs::create_dir_all(w.path("bin")).unwrap();
        fs::write(w.path("ssh_config"), "").unwrap();
        // The fake ssh: `-G` goes to the real ssh (with our config file), a
        // push runs its remote command locally; every call is logged.
        let real_ssh = which("ssh").unwrap_or_else(|| "/usr/bin/ssh".into());
        let script = format!(
            r#"#!/bin/sh
for a in "$@"; do printf '%s\n' "$a"; done >> "{log}"
printf '%s\n' '--' >> "{log}"
for a in "$@"; do
  if [ "$a" = "-G" ]; then exec {real} "$@"; fi
done
for last in "$@"; do :; done
exec sh -c "$last"
"#,
            log = w.path("ssh.log").display(),
            real = real_ssh.display()
        );
        let fake = w.path("bin/ssh");
        fs::write(&fake, script).unwrap();
        fs::set_permissions(&fake, fs::Permissions::from_mode(0o755)).unwrap();
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
        let hooks = w.path("work/.git/hooks/pre-push");
        fs::copy(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("hooks/pre-push"),
            &hooks,
        )
        .unwrap();
        fs::set_permissions(&hooks, fs::Permissions::from_mode(0o755)).unwrap();
        w
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn ssh_command(&self, extra: &str) -> String {
        format!(
            "{} -F {}{extra}",
            self.path("bin/ssh").display(),
            self.path("ssh_config").display()
        )
    }

    fn cmd(&self, program: &str, args: &[&str], cwd: &str) -> Command {
        let mut c = Command::new(program);
        c.args(args)
            .current_dir(self.path(cwd))
            .env("PUSHGUARD_BIN", BIN)
            .env_remove("PUSHGUARD_SKIP")
            .env_remove("GIT_SSH")
            .env_remove("GIT_SSH_VARIANT")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", self.path("."))
            .env("GIT_SSH_COMMAND", self.ssh_command(""));
        c
    }

    fn git(&self, args: &[&str], cwd: &str) -> String {
        let out = self.cmd("git", args, cwd).output().unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Makes `n` commits of one new file each (3 objects per commit).
    fn commits(&self, n: usize) {
        for i in 0..n {
            let tag = rand_tag();
            let f = format!("work/f{i}-{tag}.txt");
            fs::write(self.path(&f), format!("{i} {tag}\n")).unwrap();
            self.git(&["add", "."], "work");
            self.git(&["commit", "-q", "-m", &format!("c{i}")], "work");
        }
    }

    /// `git <extra> push -q origin main`, to run or to adjust first.
    fn push_cmd(&self, extra: &[&str]) -> Command {
        let mut args = extra.to_vec();
        args.extend(["push", "-q", "origin", "main"]);
        self.cmd("git", &args, "work")
    }

    fn push(&self, extra: &[&str]) -> Output {
        self.push_cmd(extra).output().unwrap()
    }

    fn check_json(&self, extra_env: &[(&str, &str)]) -> (Value, i32) {
        let mut c = self.cmd(BIN, &["check", "--format", "json"], "work");
        for (k, v) in extra_env {
            c.env(k, v);
        }
        let out = c.output().unwrap();
        let v: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        (v, out.status.code().unwrap_or(-1))
    }

    fn remote_has_main(&self) -> bool {
        self.cmd(
            "git",
            &["rev-parse", "-q", "--verify", "refs/heads/main"],
            "remote.git",
        )
        .output()
        .unwrap()
        .status
        .success()
    }
}

fn rand_tag() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

fn which(p: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(p))
            .find(|f| f.is_file())
    })
}

fn have(p: &str) -> bool {
    which(p).is_some()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn small_push_goes_through_silently() {
    let w = World::new();
    w.commits(2);
    let out = w.push(&[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("pushguard"), "{}", stderr(&out));
    assert!(w.remote_has_main());
}

#[test]
fn large_push_without_keepalive_is_blocked_with_the_fix() {
    let w = World::new();
    w.commits(4);
    let out = w.push(&[
        "-c",
        "pushguard.blockObjects=6",
        "-c",
        "pushguard.warnObjects=3",
    ]);
    let err = stderr(&out);
    assert!(!out.status.success(), "push should be blocked: {err}");
    assert!(err.contains("pushguard: push stopped"), "{err}");
    assert!(err.contains("Host bitbucket.example.com"), "{err}");
    assert!(err.contains("ServerAliveInterval 30"), "{err}");
    assert!(err.contains("ServerAliveInterval 0"), "{err}");
    assert!(err.contains("PUSHGUARD_SKIP=1"), "{err}");
    assert!(!w.remote_has_main(), "a blocked push must not land");
}

#[test]
fn keepalive_in_config_lets_large_push_through() {
    let w = World::new();
    fs::write(
        w.path("ssh_config"),
        "Host bitbucket.example.com\n  ServerAliveInterval 30\n",
    )
    .unwrap();
    w.commits(4);
    let out = w.push(&[
        "-c",
        "pushguard.blockObjects=6",
        "-c",
        "pushguard.warnObjects=3",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(w.remote_has_main());
}

#[test]
fn keepalive_given_through_git_dash_c_is_seen() {
    let w = World::new();
    w.commits(4);
    let cmd = format!(
        "core.sshCommand={}",
        w.ssh_command(" -o ServerAliveInterval=20")
    );
    let out = w
        .push_cmd(&["-c", &cmd, "-c", "pushguard.blockObjects=6"])
        .env_remove("GIT_SSH_COMMAND")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn keepalive_not_below_idle_timeout_is_blocked() {
    let w = World::new();
    fs::write(w.path("ssh_config"), "ServerAliveInterval 700\n").unwrap();
    w.commits(4);
    let out = w.push(&["-c", "pushguard.blockObjects=6"]);
    assert!(!out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("700"), "{}", stderr(&out));
}

#[test]
fn bypass_and_disable() {
    let w = World::new();
    w.commits(4);
    let out = w
        .push_cmd(&["-c", "pushguard.blockObjects=6"])
        .env("PUSHGUARD_SKIP", "1")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    w.commits(4);
    let out = w.push(&[
        "-c",
        "pushguard.blockObjects=6",
        "-c",
        "pushguard.enabled=false",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn warn_lets_push_go_on() {
    let w = World::new();
    w.commits(4);
    let out = w.push(&["-c", "pushguard.warnObjects=6"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("pushguard: warning"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn push_argv_is_what_git_ran() {
    let w = World::new();
    w.commits(1);
    let out = w.push(&[]);
    assert!(out.status.success(), "{}", stderr(&out));
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
    let w = World::new();
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
    let w = World::new();
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
fn plink_is_cannot_tell_never_block() {
    let w = World::new();
    w.commits(4);
    let plink = w.path("bin/plink");
    fs::write(&plink, "#!/bin/sh\nexit 1\n").unwrap();
    fs::set_permissions(&plink, fs::Permissions::from_mode(0o755)).unwrap();
    w.git(&["config", "pushguard.blockObjects", "6"], "work");
    let (v, code) = w.check_json(&[("GIT_SSH_COMMAND", plink.to_str().unwrap())]);
    assert_eq!(v["verdict"], "warn", "{v:#}");
    assert_eq!(code, 0);
    assert!(v["ssh"]["serveraliveinterval"].is_null());
}

#[test]
fn corrupt_stdin_lets_push_go_on_or_blocks_when_strict() {
    let w = World::new();
    let run = |strict: bool| {
        let mut c = w.cmd(BIN, &["pre-push", "origin", "ssh://git@h/p"], "work");
        if strict {
            c.env("GIT_CONFIG_PARAMETERS", "'pushguard.strict'='true'");
        }
        let mut child = c
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(b"not a ref line\n")
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let out = run(false);
    assert!(out.status.success());
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("line 1"), "{err}");
    let out = run(true);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
}

#[test]
fn invoked_as_pre_push() {
    let w = World::new();
    let link = w.path("bin/pre-push");
    std::os::unix::fs::symlink(BIN, &link).unwrap();
    let out = w
        .cmd(
            link.to_str().unwrap(),
            &["origin", "https://example.com/x"],
            "work",
        )
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn check_ssh_resolves_even_a_small_push() {
    let w = World::new();
    fs::write(
        w.path("ssh_config"),
        "Host bitbucket.example.com\n  ServerAliveInterval 45\n",
    )
    .unwrap();
    w.commits(1);
    let out = w
        .cmd(BIN, &["check", "--ssh", "--format", "json"], "work")
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verdict"], "ok");
    assert_eq!(v["ssh"]["serveraliveinterval"].as_u64(), Some(45), "{v:#}");
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
    let w = World::new();
    w.commits(5);
    let out = w.push(&[]);
    assert!(out.status.success(), "{}", stderr(&out));
    w.git(&["fetch", "-q", "origin"], "work");
    w.commits(1);
    w.git(&["config", "pushguard.warnObjects", "1"], "work");
    let url = w.git(&["remote", "get-url", "--push", "origin"], "work");
    let out = w
        .cmd(BIN, &["check", "--format", "json", &url, "main"], "work")
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["remote"], url.as_str());
    assert_eq!(v["objects"]["count"].as_u64(), Some(3), "{v:#}");
    assert_eq!(v["objects"]["exact"], true, "{v:#}");
    // An unknown URL has no tracking refs: everything counts, and it says so.
    let out = w
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
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["objects"]["count"].as_u64(), Some(18), "{v:#}");
    let notes = v["objects"]["notes"].to_string();
    assert!(notes.contains("upper bound"), "{v:#}");
}

#[test]
fn match_exec_is_unknown_to_the_builtin_but_run_by_ssh_g() {
    let w = World::new();
    fs::write(
        w.path("ssh_config"),
        "Match exec \"true\"\n  ServerAliveInterval 30\n",
    )
    .unwrap();
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
    let w = World::new();
    w.commits(4);
    let head = w.git(&["rev-parse", "HEAD"], "work");
    let zero = "0".repeat(40);
    let mut child = w
        .cmd(
            BIN,
            &["check", "--stdin", "--format", "json", "origin"],
            "work",
        )
        .env("GIT_CONFIG_PARAMETERS", "'pushguard.blockobjects'='6'")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    let line = format!("HEAD~1 {head} refs/heads/topic {zero}\n");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(line.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verdict"], "block", "{v:#}");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_shared_connection_is_mentioned() {
    let w = World::new();
    fs::write(w.path("ssh_config"), "Host *\n  ControlPath /tmp/pg-%C\n").unwrap();
    w.commits(1);
    let out = w
        .cmd(BIN, &["check", "--ssh", "--format", "json"], "work")
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["ssh"]["notes"].to_string().contains("shared connection"),
        "{v:#}"
    );
}
