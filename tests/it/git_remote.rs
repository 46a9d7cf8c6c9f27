//! Golden test: push URLs after insteadOf/pushInsteadOf against
//! `git remote get-url --push --all`, and `remote.<name>.receivepack` against
//! what a real push runs.

use pushguard::git::{
    GitConfig, IpFamily, RemoteUrl, is_remote_name, parse_url, push_urls, receive_pack,
    remote_for_url, ssh_invocation,
};

use crate::support::{Sandbox, require};

const CONFIG: &[(&str, &str)] = &[
    ("url.ssh://git@push.example.com/.pushInsteadOf", "ex:"),
    ("url.ssh://git@fetch.example.com/.insteadOf", "ex:"),
    ("url.ssh://git@long.example.com/.insteadOf", "ex:long/"),
    ("url.https://tie-a/.insteadOf", "tie:"),
    ("url.https://tie-b/.insteadOf", "tie:"),
    ("url.Case.Base/.insteadOf", "cb:"),
    ("url.ssh://all/.insteadOf", ""),
    ("remote.plain.url", "git@h:p.git"),
    ("remote.rewritten.url", "ex:long/r"),
    ("remote.pushrule.url", "ex:r"),
    ("remote.mixed.url", "ex:a"),
    ("remote.mixed.url", "tie:b"),
    ("remote.withpush.url", "ex:f"),
    ("remote.withpush.pushurl", "ex:long/p"),
    ("remote.withpush.pushurl", "tie:q"),
    ("remote.tied.url", "tie:x"),
    ("remote.Upper.url", "cb:y"),
    ("remote.dotted.name.url", "ssh://h:22/~u/d"),
];

#[test]
fn push_urls_match_git_remote_get_url() {
    if require("git").is_none() {
        return;
    }
    let repo = Sandbox::repo();
    for (k, v) in CONFIG {
        repo.git(&["config", "--add", k, v]).ok();
    }
    let out = repo.git(&["config", "-z", "--list"]).ok();
    let cfg = GitConfig::from_z(out.stdout.as_bytes()).unwrap();
    let names = [
        "plain",
        "rewritten",
        "pushrule",
        "mixed",
        "withpush",
        "tied",
        "Upper",
        "dotted.name",
    ];
    let mut checked = 0;
    for name in names {
        assert!(is_remote_name(&cfg, name), "{name}");
        let out = repo
            .git(&["remote", "get-url", "--push", "--all", name])
            .ok();
        let theirs: Vec<String> = out.stdout.lines().map(String::from).collect();
        assert_eq!(push_urls(&cfg, name), theirs, "{name}");
        for url in &theirs {
            let found = remote_for_url(&cfg, url).unwrap();
            // Another remote may share the URL; it must be one that pushes there.
            assert!(push_urls(&cfg, &found).contains(url), "{url} -> {found}");
            checked += 1;
        }
    }
    assert!(!is_remote_name(&cfg, "upper"));
    assert_eq!(remote_for_url(&cfg, "ssh://nowhere/x"), None);
    eprintln!("{} remotes, {checked} push URLs match git", names.len());
}

#[test]
fn receivepack_first_value_is_what_git_runs() {
    if require("git").is_none() {
        return;
    }
    let repo = Sandbox::repo();
    let bins = Sandbox::new();
    let fk = bins.fakes();
    for (k, v) in [
        ("remote.o.url", "git@h:p.git"),
        ("remote.o.receivepack", "/opt/first receive"),
        ("remote.o.receivepack", "second"),
    ] {
        repo.git(&["config", "--add", k, v]).ok();
    }
    let log = repo.path("fake.log");
    let fake = fk["ssh"].display().to_string();
    repo.git(&["push", "o", "HEAD:refs/heads/x"])
        .env("GIT_SSH", &fake)
        .env("FAKE_LOG", &log)
        .run();
    let text = std::fs::read_to_string(&log).unwrap();
    let git_args: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("ARG "))
        .collect();

    let out = repo.git(&["config", "-z", "--list"]).ok();
    let cfg = GitConfig::from_z(out.stdout.as_bytes()).unwrap();
    let Ok(RemoteUrl::Ssh(t)) = parse_url("git@h:p.git") else {
        panic!()
    };
    let lookup = |k: &str| (k == "GIT_SSH").then(|| fake.clone());
    let rp = receive_pack(&cfg, "o");
    let inv = ssh_invocation(&t, &cfg, &lookup, &rp, IpFamily::Any).unwrap();
    assert_eq!(git_args, inv.push_argv());
    assert_eq!(inv.remote_command, "/opt/first receive 'p.git'");
}
