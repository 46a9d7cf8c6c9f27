//! Golden test of the exact execve argv, `/bin/sh -c` wrapping included:
//! `strace -f -e execve` records what git executes during a real push, and
//! it must equal `push_argv()` (and `probe_argv()` for the auto variant).

use std::collections::HashMap;

use pushguard::git::{GitConfig, IpFamily, RemoteUrl, parse_url, ssh_invocation};

use crate::support::{Sandbox, require};

/// Environment settings for one push.
type Env<'a> = Vec<(&'a str, String)>;

/// Reads one strace string literal starting at `s` (after the opening quote).
fn unquote(s: &mut std::str::Chars) -> String {
    let mut out = String::new();
    while let Some(c) = s.next() {
        match c {
            '"' => break,
            '\\' => match s.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(c) => out.push(c),
                None => break,
            },
            c => out.push(c),
        }
    }
    out
}

/// The argv of the first successful execve of every process but the first
/// (`env`, which becomes git), in order.
fn execs(trace: &str) -> Vec<Vec<String>> {
    let mut seen: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for line in trace.lines() {
        let Some((pid, rest)) = line.split_once(' ') else {
            continue;
        };
        let rest = rest.trim_start();
        if !rest.starts_with("execve(") || !rest.ends_with("= 0") || seen.contains(&pid) {
            continue;
        }
        seen.push(pid);
        let Some(open) = rest.find(", [") else {
            continue;
        };
        let mut chars = rest[open + 3..].chars();
        let mut argv = Vec::new();
        while let Some(c) = chars.next() {
            match c {
                '"' => argv.push(unquote(&mut chars)),
                ']' => break,
                _ => {}
            }
        }
        out.push(argv);
    }
    out.into_iter().skip(1).collect()
}

#[test]
fn execve_argv_matches_push_argv() {
    let (Some(git), Some(strace)) = (require("git"), require("strace")) else {
        return;
    };
    let repo = Sandbox::repo();
    let bins = Sandbox::new();
    let fk = bins.fakes();
    let p = |k: &str| fk[k].display().to_string();
    let log = repo.path("fake.log").display().to_string();
    let cases: Vec<(&str, Env, bool)> = vec![
        (
            "ssh://git@h:7999/p.git",
            vec![("GIT_SSH_COMMAND", format!("{} -o X=1", p("ssh")))],
            false,
        ),
        ("git@h:it's!", vec![("GIT_SSH_COMMAND", p("ssh"))], false),
        ("ssh://h:22/p", vec![("GIT_SSH", p("spaced ssh"))], false),
        ("ssh://h:22/p", vec![("GIT_SSH", p("wrap"))], true),
        (
            "h:p",
            vec![("GIT_SSH_COMMAND", format!("{} -v", p("wrap")))],
            false,
        ),
        (
            "ssh://h:22/p",
            vec![("GIT_SSH_COMMAND", format!("{} -v", p("wrap")))],
            true,
        ),
        (
            "ssh://[::1]:22/~u/p",
            vec![("GIT_SSH_COMMAND", format!("{} -v", p("tortoiseplink")))],
            false,
        ),
    ];
    let mut checked = 0;
    for (url, mut env, probe_ok) in cases {
        env.push(("FAKE_LOG", log.clone()));
        if probe_ok {
            env.push(("FAKE_PROBE_OK", "1".into()));
        }
        let trace = repo.path("strace.txt");
        repo.cmd(&strace)
            .args([
                "-f",
                "-qq",
                "-s",
                "4096",
                "-e",
                "trace=execve",
                "-e",
                "signal=none",
            ])
            .arg("-o")
            .arg(&trace)
            .arg("env")
            .args(env.iter().map(|(k, v)| format!("{k}={v}")))
            .arg(&git)
            .args(["push", url, "HEAD:refs/heads/x"])
            .run();
        let got = execs(&std::fs::read_to_string(&trace).unwrap());

        let envmap: HashMap<&str, String> = env.into_iter().collect();
        let lookup = |k: &str| envmap.get(k).cloned();
        let Ok(RemoteUrl::Ssh(t)) = parse_url(url) else {
            panic!("{url}")
        };
        let cfg = GitConfig::default();
        let inv = ssh_invocation(&t, &cfg, &lookup, "git-receive-pack", IpFamily::Any).unwrap();
        let mut want = Vec::new();
        let inv = if inv.variant == pushguard::git::Variant::Auto {
            want.push(inv.probe_argv());
            inv.after_probe(probe_ok).unwrap()
        } else {
            inv
        };
        want.push(inv.push_argv());
        // A `/bin/sh -c` then runs the program: compare git's children only.
        let mut after_shell = false;
        let got: Vec<Vec<String>> = got
            .into_iter()
            .filter(|a| {
                let keep = !after_shell;
                after_shell = keep && a[0] == "/bin/sh";
                keep
            })
            .collect();
        assert_eq!(got, want, "{url}");
        checked += want.len();
    }
    eprintln!("{checked} execve argvs match git");
}
