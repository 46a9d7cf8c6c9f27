//! The differential targets' oracles: the real `ssh -G` against the
//! builtin resolver, and `git fetch-pack --diag-url` against pushguard's URL
//! splitting. Each runs the real tool for every input the fuzzer makes
//! (a few milliseconds each), on inputs filtered so that the tool can do
//! nothing but read: no `Match exec`, no path outside the case's own
//! directory, no option that writes a file or looks up a name. A
//! disagreement panics, and the fuzzer keeps the input; the recorded cases
//! (`fuzz/recorded/`, written by `fuzz/record-*.sh`) replay those answers
//! in the main crate's tests on stable.
//!
//! `PUSHGUARD_FUZZ_SSH` and `PUSHGUARD_FUZZ_GIT` name the witnesses
//! (default: `/usr/bin/ssh`, `git` on `PATH`); without them the targets
//! only run pushguard's side.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use pushguard::fuzzing::{Case, sealed_env};
use pushguard::git::{RemoteUrl, parse_url};
use pushguard::process::ProcessBuilder;
use pushguard::ssh::{ExecPolicy, Profile, ResolveEnv, ResolveRequest, resolve};

/// The real ssh, the profile of its build and this process's own case directory.
struct Ssh {
    path: PathBuf,
    profile: Profile,
    dir: PathBuf,
}

fn ssh() -> Option<&'static Ssh> {
    static SSH: OnceLock<Option<Ssh>> = OnceLock::new();
    SSH.get_or_init(|| {
        let path = std::env::var_os("PUSHGUARD_FUZZ_SSH")
            .map(PathBuf::from)
            .unwrap_or_else(|| "/usr/bin/ssh".into());
        let out = ProcessBuilder::new(&path)
            .arg("-V")
            .timeout(Duration::from_secs(5))
            .output()
            .ok()?;
        let banner = String::from_utf8_lossy(&out.stderr).into_owned();
        let dir = std::env::temp_dir().join(format!("pushguard-fuzz-ssh-{}", std::process::id()));
        Some(Ssh {
            path,
            profile: Profile::of_banner(&banner).unwrap_or_default(),
            dir,
        })
    })
    .as_ref()
}

/// ssh's option letters a case may use: none writes a file (`-E`), reads
/// another config (`-F`), queries (`-Q`), or runs anything; `-L`, `-R` and
/// `-w`, `-W` are left out: the builtin resolver refuses them (not modelled).
const LETTERS: &str = "46AaCKkTtXxYgNnqvoplJibcDeImSBfMs";

/// True when ssh can only read the case's own files for it: relative file
/// names, no `/` in configs or arguments (an `ssh://` destination aside),
/// no `Match exec`, no canonicalisation (DNS), no `${}` (the environments
/// differ in `HOME`), no option outside [`LETTERS`].
fn harmless(case: &Case) -> bool {
    let names_ok = case.files.iter().all(|(n, _)| {
        !n.is_empty()
            && !n.starts_with('/')
            && !n.split('/').any(|c| c.is_empty() || c == "." || c == "..")
            && n.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-/".contains(&b))
    });
    let text_ok = |t: &[u8]| {
        let lower = String::from_utf8_lossy(t).to_ascii_lowercase();
        !lower.contains('/')
            && !lower.contains("exec")
            && !lower.contains("canonical")
            && !lower.contains("${")
            && !t.contains(&0)
    };
    let words_ok = case.argv.iter().all(|w| {
        let w = w.strip_prefix("ssh://").unwrap_or(w);
        // No left-out letter anywhere in an option word (`-vV` prints the
        // version and stops, `-pE` is a port): over-careful is fine.
        let letters_ok = match w.strip_prefix('-') {
            Some("-") => true,
            Some(rest) => {
                rest.chars().next().is_some_and(|c| LETTERS.contains(c))
                    && !rest.contains(['E', 'F', 'G', 'Q', 'V', 'y', 'O', 'L', 'R', 'w', 'W'])
            }
            None => true,
        };
        letters_ok && text_ok(w.as_bytes())
    });
    names_ok && words_ok && case.files.iter().all(|(_, t)| text_ok(t)) && case.files.len() <= 8
}

/// Writes the case's files under `dir` (emptied first).
fn materialize(dir: &Path, files: &[(PathBuf, Vec<u8>)]) -> std::io::Result<()> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir)?;
    for (path, text) in files {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        if path.is_dir() {
            continue;
        }
        std::fs::write(path, text)?;
    }
    Ok(())
}

/// The builtin resolver against the real `ssh -G` on one case: the same
/// dump, or both rejecting.
pub fn ssh_vs_ssh_g(data: &[u8]) {
    let case = Case::decode(data);
    let Some(ssh) = ssh().filter(|_| harmless(&case)) else {
        pushguard::fuzzing::ssh_resolve(data);
        return;
    };
    let files = case.files_under(&ssh.dir);
    if materialize(&ssh.dir, &files).is_err() {
        return;
    }
    let config = ssh.dir.join(".ssh/config");
    let mut argv = vec!["-F".to_string(), config.display().to_string()];
    argv.extend(case.argv.iter().cloned());
    let mut base = ResolveEnv::current(ssh.profile.clone(), ExecPolicy::Unknown);
    base.include_home = ssh.dir.clone();
    let env = sealed_env(&files, base);
    let ours = ResolveRequest::from_ssh_args(&argv)
        .and_then(|r| resolve(&r, &env))
        .map(|r| r.dump())
        .map_err(|e| e.to_string());
    let real = ProcessBuilder::new(&ssh.path)
        .arg("-G")
        .args(&argv)
        .env("HOME", &ssh.dir)
        .timeout(Duration::from_secs(10))
        .output();
    let Ok(real) = real else {
        return;
    };
    let stdout = String::from_utf8_lossy(&real.stdout);
    let stderr = String::from_utf8_lossy(&real.stderr);
    match (real.status.success(), &ours) {
        (true, Ok(mine)) if *mine == stdout => {}
        (false, Err(_)) => {}
        (true, Ok(mine)) => {
            let only = |a: &str, b: &str| -> Vec<String> {
                a.lines()
                    .filter(|l| !b.lines().any(|m| m == *l))
                    .map(str::to_string)
                    .collect()
            };
            panic!(
                "ssh -G {argv:?} differs:\n ssh only:  {:?}\n ours only: {:?}",
                only(&stdout, mine),
                only(mine, &stdout)
            );
        }
        (true, Err(e)) => panic!("ssh -G {argv:?} accepts, the builtin rejects: {e}"),
        (false, Ok(_)) => panic!("ssh -G {argv:?} rejects ({}), the builtin accepts", stderr.trim()),
    }
}

/// What git's `--diag-url` or pushguard says about a URL, in one shape.
#[derive(Debug, PartialEq, Eq)]
pub enum Diag {
    /// An ssh URL, split.
    Ssh {
        /// `[user@]host`.
        userandhost: String,
        /// The port, when given.
        port: Option<String>,
        /// The path.
        path: String,
    },
    /// Another transport.
    Other(String),
    /// Rejected, with the reason.
    Fatal(String),
}

/// pushguard's answer for `url`, as `--diag-url` would put it.
pub fn ours(url: &str) -> Diag {
    match parse_url(url) {
        Ok(RemoteUrl::Ssh(t)) => Diag::Ssh {
            userandhost: t.user_and_host(),
            port: t.port,
            path: t.path,
        },
        Ok(RemoteUrl::Other(k)) if k == "local" => Diag::Other("file".into()),
        Ok(RemoteUrl::Other(k)) => Diag::Other(k),
        // git's die() shows a control character as `?` (usage.c vreportf).
        Err(e) => Diag::Fatal(
            e.reason
                .chars()
                .map(|c| match c.is_ascii_control() && c != '\t' && c != '\n' {
                    true => '?',
                    false => c,
                })
                .collect(),
        ),
    }
}

/// git's answer for `url` from `git fetch-pack --diag-url` output.
pub fn diag(ok: bool, stdout: &str, stderr: &str) -> Diag {
    if !ok {
        let err = stderr.trim();
        return Diag::Fatal(err.strip_prefix("fatal: ").unwrap_or(err).to_string());
    }
    let field = |k: &str| {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(&format!("Diag: {k}=")))
            .unwrap_or_default()
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

/// True for a URL `--diag-url` models as a push does: not an option, no
/// remote helper (`x::y`, or a scheme git does not know), one line, UTF-8.
pub fn comparable(url: &str) -> bool {
    // git's is_urlschemechar: a digit may come first.
    let scheme = |first: bool, c: u8| c.is_ascii_alphanumeric() || (!first && b"+.-".contains(&c));
    let b = url.as_bytes();
    let n = b
        .iter()
        .enumerate()
        .take_while(|&(i, &c)| scheme(i == 0, c))
        .count();
    let helper = url[n..].starts_with("::");
    let is_url = n > 0 && url[n..].starts_with("://");
    let builtin = ["file://", "git://", "ssh://", "git+ssh://", "ssh+git://"]
        .iter()
        .any(|p| url.starts_with(p));
    !url.is_empty()
        && !url.starts_with('-')
        && !url.starts_with("rsync:")
        && !helper
        && !(is_url && !builtin)
        && !url.contains(['\n', '\r', '\0'])
        // git 2.47 reads one byte past a URL that ends at its `:` (connect.c
        // looks at `path[1]` for a `~`), so the path it shows is now and then
        // garbage: no oracle there.
        && !url.ends_with(':')
}

/// The git witness and an empty repository for it to run in
/// (`fetch-pack` wants one); `None` without git.
fn git() -> Option<&'static (String, PathBuf)> {
    static GIT: OnceLock<Option<(String, PathBuf)>> = OnceLock::new();
    GIT.get_or_init(|| {
        let git = std::env::var("PUSHGUARD_FUZZ_GIT").unwrap_or_else(|_| "git".into());
        let dir = std::env::temp_dir().join(format!("pushguard-fuzz-git-{}", std::process::id()));
        ProcessBuilder::new(&git)
            .args(["init", "-q"])
            .arg(&dir)
            .timeout(Duration::from_secs(10))
            .run()
            .ok()?;
        Some((git, dir))
    })
    .as_ref()
}

/// pushguard's URL splitting against `git fetch-pack --diag-url`.
pub fn url_vs_diag(data: &[u8]) {
    pushguard::fuzzing::git_url(data);
    let Ok(url) = std::str::from_utf8(data) else {
        return;
    };
    let Some((git, repo)) = git().filter(|_| comparable(url)) else {
        return;
    };
    let out = ProcessBuilder::new(git)
        .args(["fetch-pack", "--diag-url", url])
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .cwd(repo)
        .timeout(Duration::from_secs(10))
        .output();
    let Ok(out) = out else {
        return;
    };
    let theirs = diag(
        out.status.success(),
        &String::from_utf8_lossy(&out.stdout),
        &String::from_utf8_lossy(&out.stderr),
    );
    let mine = ours(url);
    // Documented: a URL whose percent-decoding is not UTF-8 is refused.
    if matches!(&mine, Diag::Fatal(why) if why.contains("pushguard cannot represent it")) {
        return;
    }
    assert_eq!(mine, theirs, "{url:?}: ours (left) and git --diag-url (right) differ");
}
