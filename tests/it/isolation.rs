//! No network, no secrets. The hook, `check`, `resolve`, `fix` and
//! `doctor` give the same answers inside a network namespace with no
//! interfaces (`unshare -rn`); and, traced with `strace -f`, none of them
//! (nor the `ssh -G` and git they start) opens a private key, connects to
//! the agent socket, or opens an IPv4/IPv6 connection, with a key file in
//! `~/.ssh`, one named by `IdentityFile`, and an `SSH_AUTH_SOCK` that all
//! point where they would be seen. (`ssh -G` itself reads the config,
//! `/etc/services` and `/etc/passwd`, and asks nscd over its local socket;
//! it opens no key and no agent: checked here with the same trace.)

use std::path::Path;

use crate::support::world::World;
use crate::support::{BIN, Cmd, Out, require};

/// A world whose push is large, with keys and an agent socket in sight.
fn world() -> Option<(World, String, String)> {
    let w = World::new()?;
    w.commits(4);
    for key in [".ssh/id_ed25519", ".ssh/id_rsa", "keys/deploy_key"] {
        w.s.write(key, "-----BEGIN OPENSSH PRIVATE KEY-----\nsecret\n");
        std::fs::set_permissions(
            w.path(key),
            std::os::unix::fs::PermissionsExt::from_mode(0o600),
        )
        .unwrap();
    }
    w.s.write(
        "ssh_config",
        &format!(
            "Host *\n  IdentityFile {}\n  IdentityAgent {}\n",
            w.path("keys/deploy_key").display(),
            w.path("agent.sock").display()
        ),
    );
    w.git(&["config", "pushguard.warnObjects", "3"], "work");
    // Warn, not block: a walk stopped at the block threshold counts as far
    // as the pipe had read, which differs from run to run.
    w.git(&["config", "pushguard.blockObjects", "100"], "work");
    let (url, stdin) = w.first_push_of_main();
    Some((w, url, stdin))
}

/// The commands, each as (name, arguments, stdin).
fn commands(w: &World, url: &str, stdin: &str) -> Vec<(&'static str, Vec<String>, Option<String>)> {
    let cfg = w.path("ssh_config").display().to_string();
    let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    vec![
        (
            "hook",
            v(&["pre-push", "origin", url]),
            Some(stdin.to_string()),
        ),
        ("check", v(&["check", "--ssh", "--format", "json"]), None),
        (
            "resolve",
            v(&["resolve", "-F", &cfg, "--explain", "bitbucket.example.com"]),
            None,
        ),
        ("fix", v(&["fix", "origin"]), None),
        ("doctor", v(&["doctor", "--format", "json"]), None),
    ]
}

/// `program args` in the world's work repository, with the agent socket set.
fn cmd(w: &World, program: &str, args: &[String], stdin: &Option<String>) -> Cmd {
    let c = w
        .cmd(program, &[], "work")
        .args(args)
        .env("SSH_AUTH_SOCK", w.path("agent.sock"));
    match stdin {
        Some(s) => c.stdin(s.clone()),
        None => c,
    }
}

/// The answer without what differs from run to run (times).
fn answer(out: &Out) -> (Option<i32>, String) {
    let text: String = out
        .text()
        .lines()
        .filter(|l| !l.contains(" ms"))
        .map(|l| format!("{l}\n"))
        .collect();
    (out.code, text)
}

#[test]
fn the_same_answers_without_a_network() {
    let Some((w, url, stdin)) = world() else {
        return;
    };
    let Some(unshare) = require("unshare") else {
        return;
    };
    let probe = w.s.cmd(&unshare).args(["-rn", "true"]).run();
    if !probe.success() {
        assert!(
            std::env::var_os("CI").is_none(),
            "unshare -rn must work in CI: {}",
            probe.stderr
        );
        eprintln!("SKIPPING: unshare -rn does not work here: {}", probe.stderr);
        return;
    }
    for (name, args, input) in commands(&w, &url, &stdin) {
        let outside = cmd(&w, BIN, &args, &input).run();
        let mut inner = vec!["-rn".to_string(), BIN.to_string()];
        inner.extend(args.iter().cloned());
        let inside = cmd(&w, unshare.to_str().unwrap(), &inner, &input).run();
        assert_eq!(
            answer(&inside),
            answer(&outside),
            "{name} differs inside the empty network namespace"
        );
    }
}

/// What a trace shows that must not happen: a private key opened, the
/// agent socket or a network address connected to.
fn forbidden(log: &str, root: &Path) -> Vec<String> {
    let agent = root.join("agent.sock").display().to_string();
    log.lines()
        .filter(|l| {
            let opens = l.contains("open");
            let key = ["id_ed25519", "id_rsa", "deploy_key", "id_ecdsa", "id_dsa"]
                .iter()
                .any(|k| l.contains(k));
            let connect = l.contains("connect(");
            (opens && key) || (connect && (l.contains(&agent) || l.contains("AF_INET")))
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn no_private_key_or_agent_socket_is_touched() {
    let Some((w, url, stdin)) = world() else {
        return;
    };
    let Some(strace) = require("strace") else {
        return;
    };
    let mut ssh_g_seen = false;
    for (name, args, input) in commands(&w, &url, &stdin) {
        let log = w.path(&format!("{name}.strace"));
        let mut traced = vec![
            "-f".to_string(),
            "-qq".into(),
            "-e".into(),
            "trace=open,openat,connect,execve".into(),
            "-o".into(),
            log.display().to_string(),
            BIN.into(),
        ];
        traced.extend(args.iter().cloned());
        let out = cmd(&w, strace.to_str().unwrap(), &traced, &input).run();
        assert!(!out.text().contains("panicked"), "{name}: {}", out.text());
        let text = std::fs::read_to_string(&log).unwrap();
        ssh_g_seen |= text.contains("\"-G\"");
        let bad = forbidden(&text, w.s.root());
        assert!(
            bad.is_empty(),
            "{name} touched a secret or the network:\n{}",
            bad.join("\n")
        );
        assert!(
            text.contains("ssh_config"),
            "{name}: the trace saw no config read"
        );
    }
    assert!(
        ssh_g_seen,
        "no ssh -G in any trace: the check would prove nothing about it"
    );
    // The check can fail: a process that opens the key is caught.
    let log = w.path("cat.strace");
    let key = w.path("keys/deploy_key").display().to_string();
    let args = [
        "-f",
        "-qq",
        "-e",
        "trace=openat",
        "-o",
        &log.display().to_string(),
        "cat",
        &key,
    ];
    w.s.cmd(&strace).args(args).run();
    assert!(!forbidden(&std::fs::read_to_string(&log).unwrap(), w.s.root()).is_empty());
}
