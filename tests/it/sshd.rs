//! The real failure on a real SSH server: `sshd` on 127.0.0.1 behind an
//! idle-timeout middlebox (`socat -T`), a bare repository whose `pre-receive`
//! works silently for longer than the timeout, with `receive.keepAlive 0`
//! (otherwise git-receive-pack itself sends keepalives while a hook is
//! silent, which Bitbucket Server's own SSH layer did not).
//!
//! 1. without pushguard and without a keepalive the push dies as users see it;
//! 2. with pushguard installed (low thresholds) the same push is stopped
//!    before anything is sent: the server's hook never runs;
//! 3. after the fix the same push goes through the same middlebox;
//! 4. an interval not below the idle timeout is caught (and does fail);
//! 5. the hook's own wall time inside the run, which the idle session waits for.
//!
//! A loaded machine can stall the SSH handshake past the idle timeout: an
//! attempt whose push never reached the server's hook (and was not stopped
//! by pushguard) is inconclusive and is tried again, at most [`TRIES`]
//! times, then reported as a failure with what was seen.

use std::fs;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::support::sshd::{ALIAS, Sshd};
use crate::support::{BIN, Cmd, Out, Sandbox, require};

/// The middlebox's idle timeout.
const IDLE: Duration = Duration::from_secs(3);
/// How long the server's pre-receive works silently.
const BUSY: u64 = 7;
/// Attempts before an inconclusive scenario fails.
const TRIES: usize = 3;

/// A work repository, a bare remote on the real sshd, and the middlebox.
struct Stage {
    s: Sandbox,
    server: Sshd,
}

impl Stage {
    fn new() -> Option<Stage> {
        require("git")?;
        require("ssh")?;
        let s = Sandbox::new();
        let server = Sshd::start(&s, IDLE)?;
        let st = Stage { s, server };
        st.git(&["init", "-q", "--bare", "remote.git"], ".");
        st.git(&["config", "receive.keepAlive", "0"], "remote.git");
        let hook_log = st.path("server-hook.log");
        st.s.write_exec(
            "remote.git/hooks/pre-receive",
            &format!(
                "#!/bin/sh\necho start >> '{log}'\ncat >/dev/null\nsleep {BUSY}\necho end >> '{log}'\n",
                log = hook_log.display()
            ),
            0o755,
        );
        st.git(&["init", "-q", "-b", "main", "work"], ".");
        st.git(&["config", "user.name", "T"], "work");
        st.git(&["config", "user.email", "t@example.com"], "work");
        let ssh = format!("ssh -F {}", st.server.ssh_config.display());
        st.git(&["config", "core.sshCommand", &ssh], "work");
        let url = format!("ssh://{ALIAS}{}", st.path("remote.git").display());
        st.git(&["remote", "add", "origin", &url], "work");
        // Thresholds for this server only (pushguard.<url>.*, matched by git).
        for (k, v) in [
            ("idleTimeout", IDLE.as_secs().to_string()),
            ("warnObjects", "3".into()),
            ("blockObjects", "6".into()),
        ] {
            let key = format!("pushguard.ssh://{ALIAS}.{k}");
            st.git(&["config", &key, &v], "work");
        }
        for i in 0..4 {
            st.s.write(format!("work/f{i}.txt"), &format!("{i}\n"));
            st.git(&["add", "."], "work");
            st.git(&["commit", "-q", "-m", &format!("c{i}")], "work");
        }
        Some(st)
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.s.path(rel)
    }

    fn cmd(&self, prog: &str, args: &[&str], cwd: &str) -> Cmd {
        self.s.cmd(prog).args(args).dir(cwd)
    }

    fn git(&self, args: &[&str], cwd: &str) -> Out {
        self.cmd("git", args, cwd).ok()
    }

    /// Installs pushguard's hook; the binary runs through a wrapper that
    /// records its wall time.
    fn install_pushguard(&self) {
        self.cmd(BIN, &["install"], "work").ok();
        self.s.write_exec(
            "timed-pushguard",
            &format!(
                "#!/bin/sh\ndate +%s%N >> '{t}'\n'{BIN}' \"$@\"\nrc=$?\ndate +%s%N >> '{t}'\nexit $rc\n",
                t = self.path("hook-times").display()
            ),
            0o755,
        );
    }

    /// `git push origin main`, timed.
    fn push(&self) -> (Out, Duration) {
        let started = Instant::now();
        let out = self
            .cmd("git", &["push", "origin", "main"], "work")
            .env("PUSHGUARD_BIN", self.path("timed-pushguard"))
            .run();
        (out, started.elapsed())
    }

    fn server_hook(&self) -> String {
        fs::read_to_string(self.path("server-hook.log")).unwrap_or_default()
    }

    /// Waits until the server's hook has finished (it may go on after the
    /// client is gone), then whether the server has `main`, waiting a little
    /// for receive-pack to update it.
    fn server_kept_ref(&self) -> bool {
        let until = Instant::now() + Duration::from_secs(BUSY * 3);
        while !self.server_hook().contains("end") && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(100));
        }
        let until = Instant::now() + Duration::from_secs(5);
        loop {
            if self.remote_main().is_some() {
                return true;
            }
            if Instant::now() > until {
                return false;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn remote_main(&self) -> Option<String> {
        let out = self
            .cmd(
                "git",
                &["rev-parse", "-q", "--verify", "refs/heads/main"],
                "remote.git",
            )
            .run();
        out.success().then(|| out.stdout.trim().to_string())
    }

    /// The hook's wall time, from the wrapper's two stamps.
    fn hook_time(&self) -> Option<Duration> {
        let text = fs::read_to_string(self.path("hook-times")).ok()?;
        let stamps: Vec<u128> = text.lines().filter_map(|l| l.parse().ok()).collect();
        match stamps[..] {
            [a, b, ..] => Some(Duration::from_nanos((b - a) as u64)),
            _ => None,
        }
    }

    /// Adds the keepalive to the Host block of the ssh config the push uses.
    fn set_interval(&self, interval: u64) {
        let cfg = &self.server.ssh_config;
        let text = fs::read_to_string(cfg).expect("ssh_config");
        let text = text.replacen(
            &format!("Host {ALIAS}\n"),
            &format!("Host {ALIAS}\n  ServerAliveInterval {interval}\n  ServerAliveCountMax 4\n"),
            1,
        );
        fs::write(cfg, text).expect("ssh_config");
    }

    fn explain(&self, out: &Out, took: Duration) -> String {
        format!(
            "push took {} ms, exit {:?}\nstderr: {}\nserver hook log: {:?}\nsshd log:\n{}",
            took.as_millis(),
            out.code,
            out.stderr,
            self.server_hook(),
            fs::read_to_string(&self.server.log).unwrap_or_default()
        )
    }
}

/// Runs `scenario` on fresh stages until it is conclusive: `Err` is an
/// inconclusive attempt (the handshake was cut), with what was seen.
fn conclusive<T>(name: &str, scenario: impl Fn(Stage) -> Result<T, String>) -> Option<T> {
    let mut seen = Vec::new();
    for attempt in 1..=TRIES {
        let stage = Stage::new()?;
        match scenario(stage) {
            Ok(t) => return Some(t),
            Err(why) => {
                eprintln!("INCONCLUSIVE {name}, attempt {attempt}: {why}");
                seen.push(why);
            }
        }
    }
    panic!(
        "{name}: inconclusive {TRIES} times (the SSH handshake was cut each time; a loaded machine?):\n{}",
        seen.join("\n---\n")
    );
}

/// A push that failed before the server's hook ran and without pushguard
/// stopping it: the handshake or the upload was cut, not the silent wait.
fn cut_early(st: &Stage, out: &Out) -> bool {
    !out.success() && !st.server_hook().contains("start") && !out.stderr.contains("pushguard:")
}

#[test]
fn s1_without_pushguard_the_push_dies_as_users_see_it() {
    let kept = conclusive("scenario 1", |st| {
        let (out, took) = st.push();
        if cut_early(&st, &out) {
            return Err(st.explain(&out, took));
        }
        assert_eq!(out.code, Some(128), "{}", st.explain(&out, took));
        assert!(
            out.stderr.contains("the remote end hung up unexpectedly"),
            "{}",
            st.explain(&out, took)
        );
        assert!(
            took < Duration::from_secs(BUSY),
            "it died on the idle timeout, not after the hook"
        );
        Ok((st.server_kept_ref(), took))
    });
    if let Some((kept, took)) = kept {
        eprintln!(
            "scenario 1: the push failed after {} ms (exit 128, \"the remote end hung up unexpectedly\"); the server {} the ref once its hook finished",
            took.as_millis(),
            if kept { "kept" } else { "did not keep" }
        );
    }
}

#[test]
fn s2_pushguard_stops_the_push_before_anything_is_sent() {
    conclusive("scenario 2", |st| {
        st.install_pushguard();
        let (out, took) = st.push();
        if cut_early(&st, &out) {
            return Err(st.explain(&out, took));
        }
        assert_eq!(out.code, Some(1), "{}", st.explain(&out, took));
        assert!(
            out.stderr.contains("pushguard: push stopped"),
            "{}",
            out.stderr
        );
        assert!(
            out.stderr.contains("ServerAliveInterval=1"),
            "the fix fits a 3 s timeout: {}",
            out.stderr
        );
        assert_eq!(st.server_hook(), "", "the server's hook never ran");
        assert_eq!(st.remote_main(), None, "the ref is unchanged");
        let hook = st.hook_time().expect("the hook ran");
        eprintln!(
            "scenario 2 / 5: blocked; the hook took {} ms of the {} ms push",
            hook.as_millis(),
            took.as_millis()
        );
        Ok(())
    });
}

#[test]
fn s3_after_the_fix_the_same_push_goes_through() {
    conclusive("scenario 3", |st| {
        st.install_pushguard();
        st.cmd(BIN, &["fix", "--apply"], "work").ok();
        let (out, took) = st.push();
        if cut_early(&st, &out) {
            return Err(st.explain(&out, took));
        }
        assert!(out.success(), "{}", st.explain(&out, took));
        assert!(!out.stderr.contains("pushguard:"), "{}", out.stderr);
        assert!(
            took >= Duration::from_secs(BUSY),
            "the server's hook ran its full time"
        );
        let head = st.git(&["rev-parse", "HEAD"], "work").stdout;
        assert_eq!(st.remote_main().as_deref(), Some(head.trim()));
        let hook = st.hook_time().expect("the hook ran");
        eprintln!(
            "scenario 3 / 5: the push went through in {} ms with keepalives every 1 s; the hook took {} ms",
            took.as_millis(),
            hook.as_millis()
        );
        Ok(())
    });
}

#[test]
fn s4_an_interval_not_below_the_idle_timeout_is_caught_and_does_fail() {
    let idle = IDLE.as_secs();
    for interval in [idle, idle * 2] {
        conclusive("scenario 4 (pushguard)", |st| {
            st.install_pushguard();
            st.set_interval(interval);
            let (out, took) = st.push();
            if cut_early(&st, &out) {
                return Err(st.explain(&out, took));
            }
            assert_eq!(out.code, Some(1), "{}", st.explain(&out, took));
            let want = format!(
                "ssh's keepalive (every {interval} s) is not below the server's idle timeout ({idle} s)"
            );
            assert!(out.stderr.contains(&want), "{}", out.stderr);
            assert_eq!(st.server_hook(), "");
            Ok(())
        });
    }
    // And it is right to: without pushguard that keepalive comes too late.
    conclusive("scenario 4 (without pushguard)", |st| {
        st.set_interval(idle * 2);
        let (out, took) = st.push();
        if cut_early(&st, &out) {
            return Err(st.explain(&out, took));
        }
        assert_eq!(out.code, Some(128), "{}", st.explain(&out, took));
        st.server_kept_ref();
        Ok(())
    });
}

#[test]
fn s5_a_small_push_with_pushguard_fits_in_the_idle_window() {
    conclusive("scenario 5", |st| {
        st.install_pushguard();
        // The server's hook is quick now: only pushguard's own time is idle.
        st.s.write_exec(
            "remote.git/hooks/pre-receive",
            "#!/bin/sh\ncat >/dev/null\n",
            0o755,
        );
        st.git(
            &[
                "config",
                &format!("pushguard.ssh://{ALIAS}.blockObjects"),
                "20000",
            ],
            "work",
        );
        st.git(
            &[
                "config",
                &format!("pushguard.ssh://{ALIAS}.warnObjects"),
                "5000",
            ],
            "work",
        );
        let (out, took) = st.push();
        if !out.success() && st.hook_time().is_none() {
            return Err(st.explain(&out, took));
        }
        assert!(out.success(), "{}", st.explain(&out, took));
        let hook = st.hook_time().expect("the hook ran");
        assert!(
            hook < IDLE,
            "the hook took {} ms, longer than the idle timeout",
            hook.as_millis()
        );
        eprintln!(
            "scenario 5: a small push through the middlebox without keepalive: the hook took {} ms of the {} ms push",
            hook.as_millis(),
            took.as_millis()
        );
        Ok(())
    });
}
