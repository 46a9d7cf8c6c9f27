//! Golden test: the argv we say git runs equals what a fake ssh logs during
//! a real `git push`, for every ssh source and variant.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use pushguard::git::{self, GitConfig, RemoteUrl, Variant, shell::split_words};

struct Setup {
    dir: tempfile::TempDir,
}

impl Setup {
    fn new() -> Setup {
        let s = Setup {
            dir: tempfile::tempdir().unwrap(),
        };
        let bin = s.bin();
        fs::create_dir_all(&bin).unwrap();
        // Every fake logs $0 and its arguments, then fails (the push stops
        // there); a -G probe succeeds, as OpenSSH's would.
        for name in ["ssh", "plink", "tortoiseplink", "mywrap"] {
            let p = bin.join(name);
            fs::write(
                &p,
                format!(
                    "#!/bin/sh\n{{ printf '%s\\n' \"$0\"; for a in \"$@\"; do printf '%s\\n' \"$a\"; done; echo --END--; }} >> '{}'\nfor a in \"$@\"; do [ \"$a\" = -G ] && exit 0; done\nexit 1\n",
                    s.log().display()
                ),
            )
            .unwrap();
            fs::set_permissions(&p, fs::Permissions::from_mode(0o755)).unwrap();
        }
        let w = s.work();
        fs::create_dir_all(&w).unwrap();
        s.git(&["init", "-q", "-b", "main"], &[]);
        s.git(
            &[
                "-c",
                "user.name=T",
                "-c",
                "user.email=t@e",
                "commit",
                "-q",
                "--allow-empty",
                "-m",
                "x",
            ],
            &[],
        );
        s
    }

    fn bin(&self) -> PathBuf {
        self.dir.path().join("bin")
    }
    fn log(&self) -> PathBuf {
        self.dir.path().join("argv.log")
    }
    fn work(&self) -> PathBuf {
        self.dir.path().join("work")
    }

    fn env(&self, extra: &[(&str, String)]) -> Vec<(String, String)> {
        let path = format!(
            "{}:{}",
            self.bin().display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut e = vec![
            ("PATH".to_string(), path),
            ("HOME".to_string(), self.dir.path().display().to_string()),
            ("GIT_CONFIG_NOSYSTEM".to_string(), "1".to_string()),
        ];
        e.extend(extra.iter().map(|(k, v)| (k.to_string(), v.clone())));
        e
    }

    fn git(&self, args: &[&str], env: &[(String, String)]) -> std::process::Output {
        let mut c = Command::new("git");
        c.args(args)
            .current_dir(self.work())
            .env_remove("GIT_SSH")
            .env_remove("GIT_SSH_COMMAND")
            .env_remove("GIT_SSH_VARIANT")
            .env("GIT_CONFIG_NOSYSTEM", "1");
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().unwrap()
    }

    /// The calls logged: each is [$0, args...].
    fn calls(&self) -> Vec<Vec<String>> {
        let text = fs::read_to_string(self.log()).unwrap_or_default();
        let _ = fs::remove_file(self.log());
        text.split("--END--\n")
            .filter(|c| !c.is_empty())
            .map(|c| c.lines().map(str::to_string).collect())
            .collect()
    }
}

/// What the fake program sees for an argv we predict: its own words after
/// the shell split the command, then git's arguments.
fn seen_by_program(argv: &[String], env: &dyn Fn(&str) -> Option<String>) -> (String, Vec<String>) {
    if argv[0] == "/bin/sh" {
        let words = split_words(&argv[3], env).unwrap();
        let mut args = words[1..].to_vec();
        args.extend(argv[4..].iter().cloned());
        (words[0].clone(), args)
    } else {
        (argv[0].clone(), argv[1..].to_vec())
    }
}

fn base(p: &str) -> &str {
    Path::new(p)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(p)
}

struct Case {
    url: &'static str,
    env: Vec<(&'static str, String)>,
    config: Vec<(&'static str, &'static str)>,
    variant: Variant,
}

#[test]
fn push_argv_equals_what_git_runs() {
    let s = Setup::new();
    let bin = s.bin().display().to_string();
    let urls = [
        "ssh://git@h.example.com:2222/proj/repo.git",
        "git@h:2222/p",
        "[git@h:22]:p",
        "ssh://[::1]:7999/~u/p",
        "ssh://h/it's!.git",
        "h:~u/x y.git",
    ];
    let mut cases = Vec::new();
    for url in urls {
        cases.push(Case {
            url,
            env: vec![],
            config: vec![],
            variant: Variant::OpenSsh,
        });
        cases.push(Case {
            url,
            env: vec![("GIT_SSH_COMMAND", "ssh -o ServerAliveInterval=30".into())],
            config: vec![],
            variant: Variant::OpenSsh,
        });
        cases.push(Case {
            url,
            env: vec![],
            config: vec![("core.sshCommand", "ssh -i 'my key' -v")],
            variant: Variant::OpenSsh,
        });
        cases.push(Case {
            url,
            env: vec![("GIT_SSH", format!("{bin}/plink"))],
            config: vec![],
            variant: Variant::Plink,
        });
        cases.push(Case {
            url,
            env: vec![("GIT_SSH", format!("{bin}/tortoiseplink"))],
            config: vec![],
            variant: Variant::TortoisePlink,
        });
        cases.push(Case {
            url,
            env: vec![("GIT_SSH", format!("{bin}/ssh"))],
            config: vec![("ssh.variant", "putty")],
            variant: Variant::Putty,
        });
        cases.push(Case {
            url,
            env: vec![("GIT_SSH_VARIANT", "plink".into())],
            config: vec![("core.sshCommand", "ssh")],
            variant: Variant::Plink,
        });
        cases.push(Case {
            url,
            env: vec![],
            config: vec![("protocol.version", "1")],
            variant: Variant::OpenSsh,
        });
        cases.push(Case {
            url,
            env: vec![("GIT_SSH_COMMAND", "mywrap --flag".into())],
            config: vec![],
            variant: Variant::Auto,
        });
    }
    let mut checked = 0;
    for case in &cases {
        for (k, _) in &case.config {
            let _ = s.git(&["config", "--unset-all", k], &[]);
        }
        for (k, v) in &case.config {
            assert!(s.git(&["config", k, v], &[]).status.success());
        }
        let env = s.env(&case.env);
        let out = s.git(&["push", "-q", case.url, "main"], &env);
        assert!(!out.status.success(), "the fake fails every push");
        let calls = s.calls();
        for (k, _) in &case.config {
            let _ = s.git(&["config", "--unset-all", k], &[]);
        }
        let cfg = GitConfig::from_pairs(case.config.iter().copied());
        let lookup = |k: &str| env.iter().find(|(e, _)| e == k).map(|(_, v)| v.clone());
        let RemoteUrl::Ssh(t) = git::parse_url(case.url).unwrap() else {
            panic!("{} is ssh", case.url)
        };
        let inv = git::ssh_invocation(&t, &cfg, &lookup, "git-receive-pack", None).unwrap();
        assert_eq!(inv.variant, case.variant, "{}", case.url);
        let mut expected = Vec::new();
        if inv.variant == Variant::Auto {
            expected.push(inv.probe_argv());
        }
        expected.push(inv.push_argv());
        assert_eq!(
            calls.len(),
            expected.len(),
            "{} {:?}: {calls:?}",
            case.url,
            case.env
        );
        for (call, argv) in calls.iter().zip(&expected) {
            let (program, args) = seen_by_program(argv, &lookup);
            assert_eq!(base(&call[0]), base(&program), "{}", case.url);
            assert_eq!(
                call[1..],
                args[..],
                "{} {:?} {:?}",
                case.url,
                case.env,
                case.config
            );
            checked += 1;
        }
    }
    eprintln!("{checked} ssh invocations equal what git ran");
}
