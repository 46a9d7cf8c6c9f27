//! Fail-open on pushguard's own faults, with the faults injected: git
//! missing, `git rev-list` killed or hanging, `ssh -G` hanging or printing
//! garbage, ssh missing, an unreadable config, HOME unset, a full or
//! read-only TMPDIR, a read-only repository. Each case first shows what a
//! sound machine says about the same push (a block: 12 objects, no
//! keepalive), so that a fault that changed nothing would fail the test.
//!
//! The rule: a fault that leaves pushguard without the facts lets the push
//! go on with one line (`cannot check this push: …; letting it go on`), and
//! with `pushguard.strict` stops it with the same line (`…; stopping it`,
//! exit 3). A fault one witness can cover (ssh -G) leaves the verdict to
//! the other (the builtin resolver), and says so. Only a verdict blocks.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::support::world::World;
use crate::support::{BIN, Cmd, Out, require};

/// A world whose next push sends 12 objects with no keepalive, and the
/// hook's stdin for it.
struct Push {
    w: World,
    url: String,
    stdin: String,
}

fn push() -> Option<Push> {
    let w = World::new()?;
    w.commits(4);
    let (url, stdin) = w.first_push_of_main();
    Some(Push { w, url, stdin })
}

/// The thresholds that make the push a block, and strict when asked.
fn params(strict: bool, extra: &str) -> String {
    let mut p = "'pushguard.warnobjects'='3' 'pushguard.blockobjects'='6'".to_string();
    if strict {
        p.push_str(" 'pushguard.strict'='true'");
    }
    if !extra.is_empty() {
        p.push(' ');
        p.push_str(extra);
    }
    p
}

impl Push {
    /// `pushguard pre-push origin <url>` in the work repository.
    fn hook(&self, strict: bool) -> Cmd {
        self.hook_with(strict, "")
    }

    fn hook_with(&self, strict: bool, extra: &str) -> Cmd {
        self.w
            .cmd(BIN, &["pre-push", "origin", &self.url], "work")
            .env("GIT_CONFIG_PARAMETERS", params(strict, extra))
            .stdin(self.stdin.clone())
    }

    /// A directory with `git` that runs `script` for `git rev-list` and
    /// the real git otherwise, first on PATH.
    fn git_wrapper(&self, script: &str) -> PathBuf {
        let real = require("git").expect("git");
        self.w.s.write_exec(
            "wrap/git",
            &format!(
                "#!/bin/sh\nif [ \"$1\" = rev-list ]; then\n{script}\nfi\nexec '{}' \"$@\"\n",
                real.display()
            ),
            0o755,
        );
        self.w.path("wrap")
    }

    /// The fake ssh `bin/ssh` with `-G` doing `script`.
    fn ssh_g_doing(&self, script: &str) {
        self.w.s.write_exec(
            "bin/ssh",
            &format!(
                "#!/bin/sh\nfor a in \"$@\"; do\n  if [ \"$a\" = -G ]; then\n{script}\n  fi\ndone\nexit 1\n"
            ),
            0o755,
        );
    }
}

/// The sound machine's answer: blocked, with the fix.
fn assert_blocked(out: &Out) {
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(
        out.stderr.contains("pushguard: push stopped"),
        "{}",
        out.stderr
    );
}

/// One clear line, and the push goes on (exit 0) or stops (exit 3).
fn assert_one_line(out: &Out, strict: bool, why: &str) {
    let err = &out.stderr;
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("pushguard: cannot check this push: "),
        "{err}"
    );
    assert!(err.contains(why), "{why:?} not in {err}");
    match strict {
        false => {
            assert_eq!(out.code, Some(0), "{err}");
            assert!(err.ends_with("; letting it go on\n"), "{err}");
        }
        true => {
            assert_eq!(out.code, Some(3), "{err}");
            assert!(
                err.ends_with("; stopping it (pushguard.strict is on)\n"),
                "{err}"
            );
        }
    }
}

/// No process of ours is left whose command line holds `mark`.
fn assert_gone(mark: &str) {
    let gone = (0..100).any(|_| {
        let left = std::fs::read_dir("/proc")
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
            .any(|c| String::from_utf8_lossy(&c).contains(mark));
        if left {
            std::thread::sleep(Duration::from_millis(20));
        }
        !left
    });
    assert!(gone, "a process with {mark:?} is still running");
}

#[test]
fn a_sound_machine_blocks_this_push() {
    let Some(p) = push() else { return };
    assert_blocked(&p.hook(false).run());
}

#[test]
fn git_missing_lets_the_push_go_on() {
    let Some(p) = push() else { return };
    // Only the fake ssh's directory on PATH: no git at all.
    let out = p.hook(false).env("PATH", p.w.path("bin")).run();
    assert_one_line(&out, false, "cannot run `git config -z --list`");
}

#[test]
fn git_rev_list_killed() {
    let Some(p) = push() else { return };
    let wrap = p.git_wrapper("kill -9 $$");
    for strict in [false, true] {
        let out = p.hook(strict).path_first(&wrap).run();
        assert_one_line(&out, strict, "rev-list");
        assert!(out.stderr.contains("killed by a signal"), "{}", out.stderr);
    }
}

#[test]
fn git_rev_list_hanging_ends_within_the_time_budget() {
    let Some(p) = push() else { return };
    let wrap = p.git_wrapper("exec sleep 4321");
    let t = Instant::now();
    let out = p
        .hook_with(false, "'pushguard.timebudget'='2'")
        .path_first(&wrap)
        .run();
    let took = t.elapsed();
    // What is known: nothing counted, no keepalive: a warning, never a block.
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("ran out of time (pushguard.timeBudget)"),
        "{}",
        out.stderr
    );
    assert!(took < Duration::from_secs(6), "took {took:?}");
    assert_gone("sleep 4321");
    let out = p
        .hook_with(true, "'pushguard.timebudget'='2'")
        .path_first(&wrap)
        .run();
    assert_one_line(&out, true, "the time budget (pushguard.timeBudget) ran out");
    assert_gone("sleep 4321");
}

#[test]
fn ssh_g_hanging_leaves_the_verdict_to_the_builtin_resolver() {
    let Some(p) = push() else { return };
    p.ssh_g_doing("    sleep 4322 & sleep 4322");
    let t = Instant::now();
    for strict in [false, true] {
        let out = p.hook(strict).run();
        assert_blocked(&out);
        assert!(
            out.stderr
                .contains("did not answer within 3000 ms; using the builtin resolver"),
            "{}",
            out.stderr
        );
    }
    assert!(t.elapsed() < Duration::from_secs(15));
    assert_gone("sleep 4322");
}

#[test]
fn ssh_g_printing_garbage_is_cannot_tell() {
    let Some(p) = push() else { return };
    p.ssh_g_doing(
        "    printf 'hostname h\\033]0;pwned\\007x\\nuser \\033[2J\\nserveraliveinterval bogus\\n'; exit 0",
    );
    for strict in [false, true] {
        let out = p.hook(strict).run();
        assert_eq!(out.code, Some(0), "{}", out.stderr);
        assert!(
            out.stderr
                .contains("cannot tell whether ssh sends keepalives"),
            "{}",
            out.stderr
        );
        assert!(!out.stderr.contains('\x1b'), "raw escape: {:?}", out.stderr);
        assert!(
            out.stderr.contains("hostname h\\u{1b}]0;pwned\\u{7}x"),
            "{}",
            out.stderr
        );
    }
}

#[test]
fn ssh_missing_leaves_the_verdict_to_the_builtin_resolver() {
    let Some(p) = push() else { return };
    let out = p
        .hook(false)
        .env("GIT_SSH_COMMAND", "/nonexistent/ssh")
        .run();
    assert_blocked(&out);
    assert!(out.stderr.contains("/nonexistent/ssh"), "{}", out.stderr);
    assert!(
        out.stderr.contains("using the builtin resolver"),
        "{}",
        out.stderr
    );
}

#[test]
fn an_unreadable_config() {
    let Some(p) = push() else { return };
    // A directory where git's global config file should be.
    std::fs::create_dir_all(p.w.path("broken.gitconfig")).unwrap();
    p.w.git(&["config", "pushguard.strict", "true"], "work");
    let out = p
        .hook(false)
        .env("GIT_CONFIG_GLOBAL", p.w.path("broken.gitconfig"))
        .run();
    // strict is read from the repository's own file all the same.
    assert_one_line(&out, true, "error processing config file");
    p.w.git(&["config", "--unset", "pushguard.strict"], "work");
    let out = p
        .hook(false)
        .env("GIT_CONFIG_GLOBAL", p.w.path("broken.gitconfig"))
        .run();
    assert_one_line(&out, false, "error processing config file");
}

#[test]
fn home_unset_changes_nothing() {
    let Some(p) = push() else { return };
    let out = p.hook(false).env_remove("HOME").run();
    assert_blocked(&out);
}

/// `script` run by `sh -c` in a mount namespace of its own (root only).
fn in_mount_ns(p: &Push, script: &str) -> Option<Cmd> {
    let unshare = require("unshare")?;
    let probe = p.w.s.cmd(&unshare).args(["-m", "true"]).run();
    if !probe.success() {
        eprintln!("SKIPPING: unshare -m does not work here: {}", probe.stderr);
        assert!(
            std::env::var_os("CI").is_none(),
            "unshare -m must work in CI"
        );
        return None;
    }
    Some(p.w.s.cmd(unshare).args(["-m", "sh", "-c", script]))
}

#[test]
fn a_full_or_unwritable_tmpdir_does_not_stop_the_push() {
    let Some(p) = push() else { return };
    // The real shim, with a hook it chains (the shim keeps stdin for both).
    let shim =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/hooks/pre-push")).unwrap();
    p.w.s.write_exec("work/.git/hooks/pre-push", &shim, 0o755);
    p.w.s.write_exec(
        "work/.git/hooks/pre-push.pushguard-chained",
        "#!/bin/sh\nwc -l > \"$HOME/chained.lines\"\n",
        0o755,
    );
    let full = p.w.path("full");
    std::fs::create_dir_all(&full).unwrap();
    let script = format!(
        "mount -t tmpfs -o size=4k tmpfs '{f}' && dd if=/dev/zero of='{f}/fill' bs=4k count=2 2>/dev/null; \
         TMPDIR='{f}' exec git push -q origin main",
        f = full.display()
    );
    for tmp in ["/proc/self", "/nonexistent/tmp"] {
        let out =
            p.w.cmd("git", &["push", "-q", "origin", "main"], "work")
                .env("TMPDIR", tmp)
                .run();
        assert!(out.success(), "TMPDIR={tmp}: {}", out.stderr);
        assert!(p.w.remote_has("main"));
        assert_eq!(
            std::fs::read_to_string(p.w.path("chained.lines"))
                .unwrap()
                .trim(),
            "1"
        );
        p.w.git(&["push", "-q", "origin", "--delete", "main"], "work");
    }
    let Some(c) = in_mount_ns(&p, &script) else {
        return;
    };
    let out = c
        .dir("work")
        .env("PUSHGUARD_BIN", BIN)
        .env(
            "GIT_SSH_COMMAND",
            format!(
                "{} -F {}",
                p.w.path("bin/ssh").display(),
                p.w.path("ssh_config").display()
            ),
        )
        .run();
    assert!(out.success(), "full TMPDIR: {}", out.stderr);
    assert!(p.w.remote_has("main"));
}

#[test]
fn a_read_only_repository_is_judged_as_usual() {
    let Some(p) = push() else { return };
    let work = p.w.path("work");
    let script = format!(
        "mount --bind '{w}' '{w}' && mount -o remount,bind,ro '{w}' && cd '{w}' && \
         touch .git/probe 2>/dev/null && exit 99; exec \"$@\"",
        w = work.display()
    );
    let Some(c) = in_mount_ns(&p, &script) else {
        return;
    };
    let out = c
        .args(["sh", BIN, "pre-push", "origin", &p.url])
        .env("GIT_CONFIG_PARAMETERS", params(false, ""))
        .env(
            "GIT_SSH_COMMAND",
            format!(
                "{} -F {}",
                p.w.path("bin/ssh").display(),
                p.w.path("ssh_config").display()
            ),
        )
        .stdin(p.stdin.clone())
        .run();
    assert_ne!(out.code, Some(99), "the repository was writable");
    assert_blocked(&out);
}

#[test]
fn remote_names_and_config_paths_are_shown_escaped() {
    let Some(p) = push() else { return };
    // The winning line is in an included file whose name holds escapes.
    let evil = p.w.s.write(
        "conf.d/\x1b]0;pwned\x07\x1b[31m.conf",
        "ServerAliveInterval 0\n",
    );
    p.w.s.write(
        "ssh_config",
        &format!("Include {}/*.conf\n", p.w.path("conf.d").display()),
    );
    let out =
        p.w.cmd(BIN, &["pre-push", "or\x1b[2Jigin\r", &p.url], "work")
            .env("GIT_CONFIG_PARAMETERS", params(false, ""))
            .stdin(p.stdin.clone())
            .run();
    assert_blocked(&out);
    let err = &out.stderr;
    assert!(
        !err.chars().any(pushguard::terminal::is_unsafe),
        "raw: {err:?}"
    );
    assert!(
        err.contains("pushguard fix 'or\\u{1b}[2Jigin\\u{d}'")
            || err.contains("or\\u{1b}[2Jigin\\u{d}"),
        "{err}"
    );
    assert!(
        err.contains("\\u{1b}]0;pwned\\u{7}\\u{1b}[31m.conf:1"),
        "{err}"
    );
    assert!(evil.exists());
}
