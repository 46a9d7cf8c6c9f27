//! Golden test: the argv `ssh_invocation` predicts equals what a real `git
//! push` executes. A fake ssh logs every call (its `$0` and arguments); we run
//! our predicted argv against the same fake and compare the two logs, and
//! also compare git's probe call with `probe_argv()`.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use pushguard::git::{
    GitConfig, IpFamily, RemoteUrl, SshInvocation, Variant, parse_url, ssh_invocation,
};

use crate::support::{Cmd, Sandbox, require};

/// One way of telling git which ssh to run.
#[derive(Debug, Clone)]
enum Source {
    Env(&'static str, String),
    RepoConfig(String),
    DashC(String),
}

struct Case {
    url: String,
    source: Source,
    /// Extra `-c` settings (variant, protocol version).
    extra: Vec<(&'static str, &'static str)>,
    env_variant: Option<&'static str>,
    probe_ok: bool,
    /// `git push -4/-6`.
    family: IpFamily,
    /// More environment for the push.
    env: Vec<(&'static str, String)>,
}

impl Case {
    /// A case with no extra settings.
    fn new(url: &str, source: &Source, probe_ok: bool) -> Case {
        Case {
            url: url.into(),
            source: source.clone(),
            extra: vec![],
            env_variant: None,
            probe_ok,
            family: IpFamily::Any,
            env: vec![],
        }
    }
}

fn calls(log: &Path) -> Vec<Vec<String>> {
    let text = fs::read_to_string(log).unwrap_or_default();
    let mut out: Vec<Vec<String>> = Vec::new();
    for line in text.lines() {
        if line == "CALL" {
            out.push(Vec::new());
        } else if let (Some(a), Some(last)) = (line.strip_prefix("ARG "), out.last_mut()) {
            last.push(a.to_string());
        }
    }
    out
}

/// Runs `argv` the way git would (same env for the fake) and returns the log.
fn run_ours(repo: &Sandbox, argv: &[String], log: &Path, probe_ok: bool) -> Vec<Vec<String>> {
    let _ = fs::remove_file(log);
    let cmd = repo.cmd(&argv[0]).args(&argv[1..]).env("FAKE_LOG", log);
    match probe_ok {
        true => cmd.env("FAKE_PROBE_OK", "1"),
        false => cmd,
    }
    .run();
    calls(log)
}

/// `git <args>` in `repo` with `env`.
fn git(repo: &Sandbox, args: &[String], env: &[(&str, String)]) -> Cmd {
    env.iter()
        .fold(repo.cmd("git").args(args), |c, (k, v)| c.env(k, v))
}

/// Runs one case; returns the number of argv comparisons made.
fn run_case(repo: &Sandbox, case: &Case) -> Result<usize, String> {
    let log = repo.path("fake.log");
    let ours_log = repo.path("ours.log");
    let _ = fs::remove_file(&log);
    let mut env: Vec<(&str, String)> = vec![("FAKE_LOG", log.display().to_string())];
    if case.probe_ok {
        env.push(("FAKE_PROBE_OK", "1".into()));
    }
    env.extend(case.env.iter().cloned());
    if let Some(v) = case.env_variant {
        env.push(("GIT_SSH_VARIANT", v.into()));
    }
    let mut dash_c: Vec<(String, String)> = case
        .extra
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    repo.git(&["config", "--unset-all", "core.sshCommand"])
        .run();
    match &case.source {
        Source::Env(k, v) => env.push((k, v.clone())),
        Source::RepoConfig(v) => {
            repo.git(&["config", "core.sshCommand", v]).ok();
        }
        Source::DashC(v) => dash_c.push(("core.sshCommand".into(), v.clone())),
    }
    let mut args: Vec<String> = Vec::new();
    for (k, v) in &dash_c {
        args.push("-c".into());
        args.push(format!("{k}={v}"));
    }
    // What the hook would see: the same config, read the way the lead reads it.
    let mut cfg_args = args.clone();
    cfg_args.extend(["config", "-z", "--list"].map(String::from));
    let cfg_out = git(repo, &cfg_args, &env).run();
    let cfg = GitConfig::from_z(cfg_out.stdout.as_bytes()).unwrap();

    args.push("push".into());
    match case.family {
        IpFamily::V4 => args.push("-4".into()),
        IpFamily::V6 => args.push("-6".into()),
        IpFamily::Any => {}
    }
    args.extend([case.url.as_str(), "HEAD:refs/heads/x"].map(String::from));
    let stderr = git(repo, &args, &env).run().stderr;
    let git_calls = calls(&log);

    let envmap: HashMap<&str, String> = env.iter().map(|(k, v)| (*k, v.clone())).collect();
    let lookup = |k: &str| envmap.get(k).cloned();
    let target = match parse_url(&case.url) {
        Ok(RemoteUrl::Ssh(t)) => t,
        other => return Err(format!("not ssh: {other:?}")),
    };
    let inv = match ssh_invocation(&target, &cfg, &lookup, "git-receive-pack", case.family) {
        Ok(inv) => inv,
        Err(e) => {
            return if git_calls.is_empty() && stderr.contains(&e.to_string()) {
                Ok(1)
            } else {
                Err(format!(
                    "we say {e}, git ran {git_calls:?}, stderr {stderr}"
                ))
            };
        }
    };
    let mut checks = 0;
    let mut expected: Vec<Vec<String>> = Vec::new();
    let push_inv: SshInvocation = if inv.variant == Variant::Auto {
        expected.extend(run_ours(repo, &inv.probe_argv(), &ours_log, case.probe_ok));
        checks += 1;
        match inv.after_probe(case.probe_ok) {
            Ok(i) => i,
            Err(e) => {
                return if git_calls.len() == 1 && stderr.contains(&e.to_string()) {
                    if git_calls == expected {
                        Ok(checks + 1)
                    } else {
                        Err(format!("probe: git {git_calls:?}\nours {expected:?}"))
                    }
                } else {
                    Err(format!(
                        "we say {e}, git ran {git_calls:?}, stderr {stderr}"
                    ))
                };
            }
        }
    } else {
        inv.clone()
    };
    expected.extend(run_ours(
        repo,
        &push_inv.push_argv(),
        &ours_log,
        case.probe_ok,
    ));
    checks += 1;
    if git_calls != expected {
        return Err(format!(
            "git ran {git_calls:?}\nours    {expected:?}\ninvocation {push_inv:?}\nstderr {stderr}"
        ));
    }
    Ok(checks)
}

#[test]
fn push_argv_matches_real_git_push() {
    if require("git").is_none() {
        return;
    }
    let repo = Sandbox::repo();
    let bins = Sandbox::new();
    let fk = bins.fakes();
    let p = |k: &str| fk[k].display().to_string();
    let urls = [
        "ssh://git@bitbucket.example.com:7999/proj/repo.git",
        "git@host:2222/p",
        "ssh://h/~u/it's!",
        "u@[::1]:a b",
        "ssh://[u@h:22]/p",
        "git+ssh://h%3a2200/x%20y",
        // An existing local directory of that name does not make it local.
        "x:y",
    ];
    fs::create_dir(repo.path("x:y")).unwrap();
    let mut sources: Vec<Source> = Vec::new();
    for name in [
        "ssh",
        "plink",
        "PLINK.EXE",
        "tortoiseplink",
        "putty",
        "wrap",
    ] {
        sources.push(Source::Env("GIT_SSH_COMMAND", p(name)));
        sources.push(Source::Env(
            "GIT_SSH_COMMAND",
            format!("{} -o X=1", p(name)),
        ));
        sources.push(Source::RepoConfig(format!("'{}' -v", p(name))));
        sources.push(Source::DashC(p(name)));
        sources.push(Source::Env("GIT_SSH", p(name)));
    }
    sources.push(Source::Env("GIT_SSH", p("spaced ssh")));
    sources.push(Source::Env(
        "GIT_SSH_COMMAND",
        format!("FOO=1 {}", p("ssh")),
    ));
    sources.push(Source::Env(
        "GIT_SSH_COMMAND",
        format!("\"{}\"", p("spaced ssh")),
    ));

    let mut cases = Vec::new();
    for url in urls {
        for s in &sources {
            for probe_ok in [false, true] {
                cases.push(Case::new(url, s, probe_ok));
            }
        }
    }
    // Variants and protocol versions on a smaller set.
    let variant_sources = [
        Source::Env("GIT_SSH_COMMAND", p("wrap")),
        Source::Env("GIT_SSH", p("ssh")),
    ];
    for url in ["ssh://git@h:7999/p", "git@h:p"] {
        for s in &variant_sources {
            for v in [
                "ssh",
                "plink",
                "putty",
                "tortoiseplink",
                "simple",
                "auto",
                "bogus",
            ] {
                cases.push(Case {
                    extra: vec![("ssh.variant", v)],
                    ..Case::new(url, s, false)
                });
                cases.push(Case {
                    extra: vec![("ssh.variant", "plink")],
                    env_variant: Some(v),
                    ..Case::new(url, s, true)
                });
                for family in [IpFamily::V4, IpFamily::V6] {
                    cases.push(Case {
                        extra: vec![("ssh.variant", v)],
                        family,
                        ..Case::new(url, s, true)
                    });
                }
            }
            for version in ["0", "1", "2"] {
                for probe_ok in [false, true] {
                    cases.push(Case {
                        extra: vec![("protocol.version", version)],
                        ..Case::new(url, s, probe_ok)
                    });
                }
            }
        }
    }
    let mut failures = Vec::new();
    let mut checks = 0;
    for case in &cases {
        match run_case(&repo, case) {
            Ok(n) => checks += n,
            Err(e) => failures.push(format!(
                "{} {:?} {:?} {:?} probe_ok={}: {e}",
                case.url, case.source, case.extra, case.env_variant, case.probe_ok
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
    eprintln!(
        "{} push cases, {checks} argv/error comparisons match git",
        cases.len()
    );
}

#[test]
fn strange_hostname_is_refused_like_git() {
    if require("git").is_none() {
        return;
    }
    let repo = Sandbox::repo();
    let bins = Sandbox::new();
    let fk = bins.fakes();
    let source = Source::Env("GIT_SSH_COMMAND", fk["ssh"].display().to_string());
    let case = Case::new("ssh://-oProxyCommand=x/p", &source, false);
    assert_eq!(run_case(&repo, &case), Ok(1));
}

#[test]
fn sources_take_precedence_like_git() {
    if require("git").is_none() {
        return;
    }
    let repo = Sandbox::repo();
    let bins = Sandbox::new();
    let fk = bins.fakes();
    let p = |k: &str| fk[k].display().to_string();
    let config = Source::RepoConfig(p("plink"));
    let cases = [
        // GIT_SSH_COMMAND beats core.sshCommand beats GIT_SSH.
        Case {
            env: vec![
                ("GIT_SSH_COMMAND", p("ssh")),
                ("GIT_SSH", p("tortoiseplink")),
            ],
            ..Case::new("ssh://h:22/p", &config, false)
        },
        Case {
            env: vec![("GIT_SSH", p("tortoiseplink"))],
            ..Case::new("ssh://h:22/p", &config, false)
        },
        // GIT_SSH_VARIANT beats ssh.variant.
        Case {
            env: vec![("GIT_SSH_VARIANT", "ssh".into())],
            extra: vec![("ssh.variant", "putty")],
            ..Case::new("ssh://h:22/p", &config, false)
        },
    ];
    for case in &cases {
        assert_eq!(run_case(&repo, case), Ok(1), "{:?}", case.env);
    }
}
