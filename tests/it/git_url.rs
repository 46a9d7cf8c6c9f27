//! Golden test: `parse_url` against `git fetch-pack --diag-url` for a table
//! of URL forms and a combinatorial set.

use pushguard::git::{RemoteUrl, parse_url};

use crate::support::{Sandbox, require};

/// What git's diag says, in the same shape as ours.
#[derive(Debug, PartialEq, Eq)]
enum Diag {
    Ssh {
        userandhost: String,
        port: Option<String>,
        path: String,
    },
    Other(String),
    Fatal(String),
}

fn git_diag(s: &Sandbox, url: &str) -> Diag {
    let out = s.git(&["fetch-pack", "--diag-url", url]).run();
    let stdout = &out.stdout;
    if !out.success() {
        let err = out.stderr.trim();
        let msg = err.strip_prefix("fatal: ").unwrap_or(err);
        return Diag::Fatal(msg.to_string());
    }
    let field = |k: &str| {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(&format!("Diag: {k}=")))
            .unwrap_or_else(|| panic!("{url}: no {k} in {stdout}"))
            .to_string()
    };
    match field("protocol").as_str() {
        "ssh" => Diag::Ssh {
            userandhost: field("userandhost"),
            port: Some(field("port")).filter(|p| p != "NONE"),
            path: field("path"),
        },
        p => Diag::Other(p.to_string()),
    }
}

fn ours(url: &str) -> Diag {
    match parse_url(url) {
        Ok(RemoteUrl::Ssh(t)) => Diag::Ssh {
            userandhost: t.user_and_host(),
            port: t.port,
            path: t.path,
        },
        // diag names local paths and file:// both "file".
        Ok(RemoteUrl::Other(k)) if k == "local" => Diag::Other("file".into()),
        Ok(RemoteUrl::Other(k)) => Diag::Other(k),
        Err(e) => Diag::Fatal(e.reason),
    }
}

const TABLE: &[&str] = &[
    "ssh://host/p",
    "ssh://host/~u/p",
    "ssh://host/~",
    "ssh://git@host:7999/proj/repo.git",
    "ssh://git@host:22/~u/p%20x",
    "git+ssh://h/~",
    "ssh+git://u@h/x",
    "ssh://[::1]/p",
    "ssh://[::1]:22/p",
    "ssh://u@[::1]:22/p",
    "ssh://[u@h:22]/p",
    "ssh://h:/p",
    "ssh://h: 22/p",
    "ssh://h:+22/p",
    "ssh://h:-0/p",
    "ssh://h:65535/p",
    "ssh://h:65536/p",
    "ssh://u@h:99999/p",
    "ssh://h:abc/p",
    "ssh://u%40x@h/p",
    "ssh://h%3a22/p",
    "ssh://h/%00",
    "ssh://h/p@[x]",
    "ssh://h",
    "ssh://h/",
    "ssh://-h/p",
    "ssh://h/-p",
    "ssh://a@b@h/p",
    "git@host:2222/p",
    "git@host:proj/repo.git",
    "host:p",
    "host:",
    "h:/~u/p",
    "h:~u/p",
    "h:%20",
    "h:-p",
    "a@b@host:x/y",
    "git@[::1]:p",
    "[::1]:p",
    "[h:22]:p",
    "u@[h:22]:p",
    "[::1]x:22:p",
    "[h:22:p",
    "./x:y",
    "x:y",
    "/tmp/x",
    "x",
    "file:///tmp/x",
    "file://h/x",
    "git://h:9/~p",
    "git://h/p",
    "a_b://h/p",
    "ssh://h/it's!",
    "h:it's mine!",
];

fn check(s: &Sandbox, urls: &[String]) -> usize {
    let mut failures = Vec::new();
    for url in urls {
        let (g, o) = (git_diag(s, url), ours(url));
        if g != o {
            failures.push(format!("{url:?}\n  git:  {g:?}\n  ours: {o:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    urls.len()
}

#[test]
fn table_matches_git_diag_url() {
    if require("git").is_none() {
        return;
    }
    let repo = Sandbox::repo();
    // (`-x` is an option to fetch-pack, and `SSH://`, `h::z` are helper URLs
    // for push, which --diag-url does not model: see the unit tests.)
    let urls: Vec<String> = TABLE.iter().map(|s| s.to_string()).collect();
    let n = check(&repo, &urls);
    eprintln!("{n} URL forms match git --diag-url");
}

#[test]
fn combinations_match_git_diag_url() {
    if require("git").is_none() {
        return;
    }
    let repo = Sandbox::repo();
    let users = ["", "git@", "a.b-c@", "u%40x@", "a@b@"];
    let hosts = [
        "h",
        "host.example.com",
        "[::1]",
        "[fe80::1%25eth0]",
        "[h:2222]",
        "h_x",
    ];
    let ports = ["", ":22", ":0", ":070000", ":x"];
    let paths = [
        "/p",
        "/~u/r.git",
        "/~",
        "/a b/c",
        "/it's",
        "/x%2fy%41",
        "/!bang",
        "/~/r",
    ];
    let mut urls = Vec::new();
    for scheme in ["ssh://", "git+ssh://"] {
        for u in users {
            for h in hosts {
                for p in ports {
                    for path in paths {
                        urls.push(format!("{scheme}{u}{h}{p}{path}"));
                    }
                }
            }
        }
    }
    for u in ["", "git@", "a@b@"] {
        for h in ["h", "host.example.com", "[::1]", "[h:22]", "[h:22", "h]"] {
            for path in ["p", "2222/p", "/~u/p", "~u/p", "a b", "it's!", "x%20y", ""] {
                urls.push(format!("{u}{h}:{path}"));
            }
        }
    }
    let n = check(&repo, &urls);
    eprintln!("{n} generated URLs match git --diag-url");
}
