//! Golden test: our URL split equals `git fetch-pack --diag-url` for a
//! generated table of ssh URL forms.

use std::process::Command;

use pushguard::git::{RemoteUrl, parse_url};

fn urls() -> Vec<String> {
    let users = ["", "git@", "a.b-c@", "a%40b@", "x_y@"];
    let hosts = [
        "h",
        "bitbucket.example.com",
        "[::1]",
        "127.0.0.1",
        "[fe80::1%25eth0]",
        "h-1",
    ];
    let ports = ["", ":22", ":7999", ":", ":99999", ":0", ":abc"];
    let paths = [
        "/p",
        "/~u/p",
        "/proj/repo.git",
        "/a%20b",
        "/x y",
        "/it's!",
        "/",
        "//double",
    ];
    let mut out = Vec::new();
    for scheme in ["ssh://", "git+ssh://", "ssh+git://"] {
        for u in users {
            for h in hosts {
                for p in ports {
                    for path in paths {
                        out.push(format!("{scheme}{u}{h}{p}{path}"));
                    }
                }
            }
        }
    }
    // scp-like: the part after ':' is always a path.
    let scp_hosts = [
        "h",
        "git@h",
        "[git@h:22]",
        "git@[::1]",
        "[h]",
        "a@b@h",
        "h.example.com",
    ];
    let scp_paths = ["p", "2222/p", "~u/p", "/abs", "/~x", "a:b", "it's", ""];
    for h in scp_hosts {
        for p in scp_paths {
            out.push(format!("{h}:{p}"));
        }
    }
    out
}

struct Diag {
    protocol: String,
    userandhost: String,
    port: String,
    path: String,
}

fn diag(dir: &std::path::Path, url: &str) -> Result<Diag, String> {
    let out = Command::new("git")
        .args(["fetch-pack", "--diag-url", url])
        .current_dir(dir)
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let get = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("Diag: {k}=")))
            .unwrap_or("")
            .to_string()
    };
    Ok(Diag {
        protocol: get("protocol"),
        userandhost: get("userandhost"),
        port: get("port"),
        path: get("path"),
    })
}

#[test]
fn url_split_equals_git_diag_url() {
    let dir = tempfile::tempdir().unwrap();
    let ok = Command::new("git")
        .args(["init", "-q"])
        .current_dir(dir.path())
        .status()
        .unwrap();
    assert!(ok.success());
    let mut checked = 0;
    let mut diffs = Vec::new();
    for url in urls() {
        let ours = parse_url(&url);
        let theirs = diag(dir.path(), &url);
        match (&ours, &theirs) {
            (Ok(RemoteUrl::Ssh(t)), Ok(d)) if d.protocol == "ssh" => {
                let port = t.port.clone().unwrap_or_else(|| "NONE".into());
                if (t.host_arg(), port, t.path.clone())
                    != (d.userandhost.clone(), d.port.clone(), d.path.clone())
                {
                    diffs.push(format!(
                        "{url}: ours {}|{:?}|{} git {}|{}|{}",
                        t.host_arg(),
                        t.port,
                        t.path,
                        d.userandhost,
                        d.port,
                        d.path
                    ));
                }
            }
            (Err(_), Err(_)) => {}
            (Ok(RemoteUrl::Other(_)), Ok(d)) if d.protocol != "ssh" => {}
            _ => diffs.push(format!(
                "{url}: ours {ours:?}, git {:?}",
                theirs.map(|d| (d.protocol, d.userandhost, d.port, d.path))
            )),
        }
        checked += 1;
    }
    assert!(checked > 1000, "{checked}");
    assert!(
        diffs.is_empty(),
        "{} of {checked} differ:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
    eprintln!("{checked} URL forms equal git fetch-pack --diag-url");
}
