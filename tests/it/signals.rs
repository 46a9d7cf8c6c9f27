//! Signals and pipes: SIGINT and SIGTERM while `git rev-list` or `ssh -G`
//! runs (the children, in process groups of their own, and their own
//! children are ended and reaped, nothing is left running, pushguard exits
//! 128 + the signal as a shell would), a closed stdout or stderr (SIGPIPE:
//! no panic, the verdict's exit code), a closed stdin.

use std::io::{Read, Write};
use std::path::Path;
use std::process::Child;
use std::time::{Duration, Instant};

use crate::support::world::World;
use crate::support::{BIN, Cmd, require};

/// A world whose push sends 12 objects (warn at 3, block at 6).
fn world() -> Option<(World, String, String)> {
    let w = World::new()?;
    w.commits(4);
    let (url, stdin) = w.first_push_of_main();
    Some((w, url, stdin))
}

fn hook(w: &World, url: &str) -> Cmd {
    w.cmd(BIN, &["pre-push", "origin", url], "work").env(
        "GIT_CONFIG_PARAMETERS",
        "'pushguard.warnobjects'='3' 'pushguard.blockobjects'='6'",
    )
}

/// Waits (bounded) until `file` holds a pid; returns it.
fn pid_in(file: &Path) -> String {
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(20) {
        if let Ok(s) = std::fs::read_to_string(file)
            && s.ends_with('\n')
        {
            return s.trim().to_string();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("{} never appeared", file.display());
}

/// Whether `pid` still runs two seconds on: SIGKILL is delivered when the
/// process is next scheduled, so a grandchild (not reaped by pushguard) may
/// show as running for a moment after the group was killed.
fn alive(pid: &str) -> bool {
    let until = std::time::Instant::now() + std::time::Duration::from_secs(2);
    while running(pid) {
        if std::time::Instant::now() > until {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    false
}

fn running(pid: &str) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| {
        s.rsplit(')')
            .next()
            .and_then(|r| r.split_whitespace().next())
            != Some("Z")
    })
}

/// Starts `cmd` with `stdin` written and closed.
fn start(cmd: Cmd, stdin: &str) -> Child {
    let mut child = cmd.spawn();
    if let Some(mut i) = child.stdin.take() {
        let _ = i.write_all(stdin.as_bytes());
    }
    child
}

/// Sends `sig` to `child`, then waits (bounded) for its exit code and stderr.
fn signal_and_wait(mut child: Child, sig: &str) -> (Option<i32>, String) {
    let pid = child.id().to_string();
    let kill = std::process::Command::new("kill")
        .args([&format!("-{sig}"), &pid])
        .status()
        .unwrap();
    assert!(kill.success());
    let t = Instant::now();
    loop {
        if let Some(st) = child.try_wait().unwrap() {
            let mut err = String::new();
            let _ = child.stderr.take().unwrap().read_to_string(&mut err);
            return (st.code(), err);
        }
        if t.elapsed() > Duration::from_secs(20) {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{pid}")])
                .status();
            panic!("pushguard did not end on {sig}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Nothing whose command line holds `mark` is left running.
fn none_left(mark: &str) -> bool {
    (0..100).any(|_| {
        let left = std::fs::read_dir("/proc")
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| running(&e.file_name().to_string_lossy()))
            .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
            .any(|c| String::from_utf8_lossy(&c).contains(mark));
        if left {
            std::thread::sleep(Duration::from_millis(20));
        }
        !left
    })
}

#[test]
fn sigint_and_sigterm_during_the_object_walk_end_every_child() {
    let Some((w, url, stdin)) = world() else {
        return;
    };
    let real = require("git").unwrap();
    for (sig, code) in [("INT", 130), ("TERM", 143)] {
        let mark = format!("sleep 44{code}");
        let pidfile = w.path(&format!("revlist-{sig}.pid"));
        w.s.write_exec(
            "wrap/git",
            &format!(
                "#!/bin/sh\nif [ \"$1\" = rev-list ]; then\n  {mark} &\n  echo $$ > '{p}'\n  exec {mark}\nfi\nexec '{g}' \"$@\"\n",
                p = pidfile.display(),
                g = real.display()
            ),
            0o755,
        );
        let child = start(hook(&w, &url).path_first(w.path("wrap")), &stdin);
        let walker = pid_in(&pidfile);
        let (got, err) = signal_and_wait(child, sig);
        assert_eq!(got, Some(code), "{err}");
        assert!(err.contains(&format!("stopped by SIG{sig}")), "{err}");
        assert!(!alive(&walker), "git rev-list {walker} survived");
        assert!(none_left(&mark), "{mark} survived SIG{sig}");
    }
}

#[test]
fn sigint_and_sigterm_during_ssh_g_end_every_child() {
    let Some((w, url, stdin)) = world() else {
        return;
    };
    for (sig, code) in [("INT", 130), ("TERM", 143)] {
        let mark = format!("sleep 45{code}");
        let pidfile = w.path(&format!("ssh-{sig}.pid"));
        w.s.write_exec(
            "bin/ssh",
            &format!(
                "#!/bin/sh\nfor a in \"$@\"; do\n  if [ \"$a\" = -G ]; then\n    {mark} &\n    echo $$ > '{p}'\n    exec {mark}\n  fi\ndone\nexit 1\n",
                p = pidfile.display()
            ),
            0o755,
        );
        let child = start(hook(&w, &url), &stdin);
        let ssh = pid_in(&pidfile);
        let (got, err) = signal_and_wait(child, sig);
        assert_eq!(got, Some(code), "{err}");
        assert!(!alive(&ssh), "ssh -G {ssh} survived");
        assert!(none_left(&mark), "{mark} survived SIG{sig}");
    }
}

#[test]
fn closed_stdout_and_stderr_keep_the_exit_code() {
    let Some((w, url, stdin)) = world() else {
        return;
    };
    // The hook's story goes to stderr, check's to stdout: close each early.
    let mut child = hook(&w, &url).spawn();
    drop(child.stderr.take());
    drop(child.stdout.take());
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let st = child.wait().unwrap();
    assert_eq!(st.code(), Some(1), "a block, told to nobody: {st:?}");
    let mut child = w
        .cmd(BIN, &["check", "--format", "json"], "work")
        .env("GIT_CONFIG_PARAMETERS", "'pushguard.blockobjects'='6'")
        .spawn();
    drop(child.stdout.take());
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let st = child.wait().unwrap();
    assert_eq!(st.code(), Some(1), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_closed_stdin_is_no_push() {
    let Some((w, url, _)) = world() else { return };
    let out = w
        .cmd(
            "sh",
            &["-c", &format!("exec '{BIN}' pre-push origin '{url}' <&-")],
            "work",
        )
        .run();
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
}
