//! Predicting an edit before it is made, and proving it after.
//!
//! - [`predict`]: the builtin resolver reads the edited file from an
//!   overlay (nothing written): the keys must come from the new lines, and
//!   every other host named must resolve as before.
//! - [`Others`]: the `ssh -G` dump of every other host named in the touched
//!   files (and the repository's other remotes), taken before the edit and
//!   compared after it.
//! - [`after`]: the real `ssh -G` through the command git runs must show
//!   the keepalive effective, the builtin resolver (when its origins were
//!   true before) must name the new lines, and nothing else may change.

use std::path::{Path, PathBuf};

use super::edit::Key;
use super::facts::{self, Facts, PROBE_LIMIT};
use crate::git::SshInvocation;
use crate::policy::keepalive_effective;
use crate::process::ProcessBuilder;
use crate::ssh::{ExecPolicy, Origin, ResolveEnv, resolve};

/// What the proof found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Proof {
    /// The keepalive is effective and nothing else changed.
    pub ok: bool,
    /// `ServerAliveInterval` after, as `ssh -G` prints it.
    pub interval: Option<u64>,
    /// `ServerAliveCountMax` after.
    pub count_max: Option<u64>,
    /// Where the builtin resolver says the interval comes from now.
    pub origin: Option<Origin>,
    /// Other hosts resolved the same before and after.
    pub unchanged: Vec<String>,
    /// Other hosts whose keepalive changed, as asked (`--host` with a
    /// pattern, or a git config that serves every host): host and lines.
    pub also: Vec<(String, Vec<String>)>,
    /// Why the proof failed.
    pub failure: Option<String>,
}

/// The hosts a config text names in its `Host` lines (no patterns).
pub fn hosts_named(text: &[u8], out: &mut Vec<String>) {
    for line in text.split(|&b| b == b'\n') {
        let line = String::from_utf8_lossy(line);
        let t = line.trim_start();
        let Some(kw) = super::edit::keyword(t.as_bytes()) else {
            continue;
        };
        if kw != "host" {
            continue;
        }
        let rest = t[4..].trim_start().trim_start_matches('=');
        for w in rest.split_whitespace() {
            let w = w.trim_matches('"');
            if w.is_empty() || w.starts_with('#') {
                break;
            }
            if !w.contains(['*', '?', '!']) && !out.iter().any(|o| o == w) {
                out.push(w.to_string());
            }
        }
    }
}

/// The probe of `inv` for another host (no port, no user).
fn other(inv: &SshInvocation, host: &str) -> SshInvocation {
    SshInvocation {
        host_arg: host.to_string(),
        port: None,
        ..inv.clone()
    }
}

/// `ssh -G` for `host` through `inv`'s command, run in `top`: its dump, or its error.
fn dump(inv: &SshInvocation, host: &str, top: &Path) -> Result<String, String> {
    let argv = other(inv, host).probe_argv();
    let Some((program, args)) = argv.split_first() else {
        return Err("no command".into());
    };
    ProcessBuilder::new(program)
        .args(args)
        .cwd(top)
        .timeout(PROBE_LIMIT)
        .run()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .map_err(|e| e.to_string())
}

/// The other hosts and their dumps before the edit.
#[derive(Debug, Clone, Default)]
pub struct Others {
    before: Vec<(String, Result<String, String>)>,
}

/// True when `host` is one `pattern` (a `--host` with `*` or `?`) names.
fn chosen(pattern: &str, host: &str) -> bool {
    fn m(p: &[u8], s: &[u8]) -> bool {
        match p.first() {
            None => s.is_empty(),
            Some(b'*') => (0..=s.len()).any(|k| m(&p[1..], &s[k..])),
            Some(b'?') => !s.is_empty() && m(&p[1..], &s[1..]),
            Some(c) => s.first() == Some(c) && m(&p[1..], &s[1..]),
        }
    }
    pattern.contains(['*', '?']) && m(pattern.as_bytes(), host.as_bytes())
}

impl Others {
    /// Takes the dumps of `hosts` (all but this host) through `inv` in `top`.
    pub fn before(inv: &SshInvocation, this: &str, hosts: &[String], top: &Path) -> Others {
        let before = hosts
            .iter()
            .filter(|h| h.as_str() != this)
            .map(|h| (h.clone(), dump(inv, h, top)))
            .collect();
        Others { before }
    }

    /// Compares after the edit (with `inv`, the command git runs now):
    /// unchanged hosts, and those whose keepalive changed as `allowed` says;
    /// `Err` names the first other change.
    #[allow(clippy::type_complexity)]
    pub fn after(
        &self,
        inv: &SshInvocation,
        top: &Path,
        allowed: &dyn Fn(&str) -> bool,
    ) -> Result<(Vec<String>, Vec<(String, Vec<String>)>), String> {
        let mut same = Vec::new();
        let mut also = Vec::new();
        for (host, was) in &self.before {
            let now = dump(inv, host, top);
            if &now == was {
                same.push(host.clone());
                continue;
            }
            let (Ok(was), Ok(now)) = (was, &now) else {
                return Err(format!(
                    "ssh -G for {host} answered otherwise than before the edit"
                ));
            };
            let changed: Vec<String> = now
                .lines()
                .filter(|l| !was.lines().any(|w| w == *l))
                .map(str::to_string)
                .collect();
            let keepalive_only = but_keepalive(was) == but_keepalive(now);
            if keepalive_only && allowed(host) {
                also.push((host.clone(), changed));
            } else {
                return Err(format!(
                    "the edit also changes {host}: ssh -G now prints {}",
                    changed.join(", ")
                ));
            }
        }
        Ok((same, also))
    }
}

/// A dump without its keepalive lines.
fn but_keepalive(dump: &str) -> Vec<&str> {
    dump.lines()
        .filter(|l| {
            !l.starts_with("serveraliveinterval ") && !l.starts_with("serveralivecountmax ")
        })
        .collect()
}

/// Whether a change to `host`'s keepalive was asked for by `--host PATTERN`.
pub fn asked(pattern: &str) -> impl Fn(&str) -> bool + '_ {
    move |h| chosen(pattern, h)
}

/// Checks the edit of `file` (as the resolver opens it) to `new` with the
/// builtin resolver before it is made: each key must be set by its new
/// line, and every host in `others` must resolve as before (but for its
/// keepalive, when `allowed`).
pub fn predict(
    facts: &Facts,
    file: &Path,
    new: &[u8],
    at: &[(Key, usize)],
    keys: &[(Key, u64)],
    others: &[String],
    allowed: &dyn Fn(&str) -> bool,
) -> Result<(), String> {
    let Some(b) = &facts.builtin else {
        return Err("origins are not known".into());
    };
    let mut env = b.env.clone();
    env.overlay = env.overlay.with(file, new.to_vec());
    let res =
        resolve(&b.req, &env).map_err(|e| format!("the edited file would be rejected: {e}"))?;
    expect_lines(&res.effective, file, at, keys)?;
    let words = facts.words.as_deref().unwrap_or_default();
    let plain = |env: &ResolveEnv| ResolveEnv {
        exec: ExecPolicy::Unknown,
        ..env.clone()
    };
    let (before, after) = (plain(&b.env), plain(&env));
    for host in others.iter().filter(|h| **h != facts.host) {
        let Ok(req) = facts::request(&facts.inv, words, host, &facts.top) else {
            continue;
        };
        let was = resolve(&req, &before).map(|r| r.dump());
        let now = resolve(&req, &after).map(|r| r.dump());
        let same = match (&was, &now) {
            (Ok(w), Ok(n)) if allowed(host) => but_keepalive(w) == but_keepalive(n),
            _ => was == now,
        };
        if !same {
            return Err(format!("the edit would also change {host}"));
        }
    }
    Ok(())
}

/// Each key of `keys` must have its value from `file` at its line in `at`.
fn expect_lines(
    eff: &crate::ssh::Effective,
    file: &Path,
    at: &[(Key, usize)],
    keys: &[(Key, u64)],
) -> Result<(), String> {
    for &(k, line) in at {
        let want = keys
            .iter()
            .find(|(x, _)| *x == k)
            .map(|(_, v)| v.to_string());
        let got = eff.get(k.ssh_g());
        let origin = Origin::File {
            path: PathBuf::from(file),
            line,
        };
        match got {
            Some(v) if Some(&v.value) == want.as_ref() && v.origin == origin => {}
            Some(v) => {
                return Err(format!(
                    "{} would be {} from {}, not from {origin}",
                    k.keyword(),
                    v.value,
                    v.origin
                ));
            }
            None => return Err(format!("{} would not be set", k.keyword())),
        }
    }
    Ok(())
}

/// The proof after an edit of `file`: the real `ssh -G` through `inv` (the
/// command git runs now) must show `keys` effective for `idle`; the builtin
/// resolver, when it was trusted, must name the lines `at`; `others` must
/// be unchanged (or changed as `allowed` says).
#[allow(clippy::too_many_arguments)]
pub fn after(
    facts: &Facts,
    inv: &SshInvocation,
    file: Option<&Path>,
    at: &[(Key, usize)],
    keys: &[(Key, u64)],
    idle: u64,
    others: &Others,
    allowed: &dyn Fn(&str) -> bool,
) -> Proof {
    let mut proof = Proof::default();
    let real = match facts::probe(inv, &facts.top) {
        Ok(r) => r,
        Err(e) => {
            proof.failure = Some(format!("ssh -G fails after the edit: {e}"));
            return proof;
        }
    };
    let value = |k: Key| {
        real.effective
            .get(k.ssh_g())
            .and_then(|v| v.value.parse::<u64>().ok())
    };
    proof.interval = value(Key::Interval);
    proof.count_max = value(Key::CountMax);
    let wanted = keys.iter().all(|&(k, v)| value(k) == Some(v));
    let effective = proof.interval.is_some_and(|i| keepalive_effective(i, idle))
        && proof.count_max.is_some_and(|c| c >= 1);
    if !wanted || !effective {
        proof.failure = Some(format!(
            "ssh -G still says ServerAliveInterval {} and ServerAliveCountMax {}",
            show(proof.interval),
            show(proof.count_max)
        ));
        return proof;
    }
    if let (Some(b), Some(file)) = (&facts.builtin, file) {
        match facts::replay(&b.req, &b.program, facts.profile.clone(), &real) {
            Ok((_, res, _)) => {
                proof.origin = res
                    .effective
                    .get(Key::Interval.ssh_g())
                    .map(|v| v.origin.clone());
                if let Err(e) = expect_lines(&res.effective, file, at, keys) {
                    proof.failure = Some(format!("the builtin resolver disagrees: {e}"));
                    return proof;
                }
            }
            Err(e) => {
                proof.failure = Some(format!(
                    "the builtin resolver disagrees after the edit: {e}"
                ));
                return proof;
            }
        }
    }
    match others.after(inv, &facts.top, allowed) {
        Ok((same, also)) => {
            proof.unchanged = same;
            proof.also = also;
            proof.ok = true;
        }
        Err(e) => proof.failure = Some(e),
    }
    proof
}

fn show(v: Option<u64>) -> String {
    v.map_or_else(|| "(none)".into(), |v| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_literal_hosts_only() {
        let mut out = vec!["a".to_string()];
        hosts_named(
            b"Host a b *.x !c\n  HostName h\nhost=d\nMatch host e\n  Host \"f\" # g\n",
            &mut out,
        );
        assert_eq!(out, ["a", "b", "d", "f"]);
    }

    #[test]
    fn a_pattern_chooses_hosts() {
        assert!(chosen("*", "x"));
        assert!(chosen("git.*", "git.example.com"));
        assert!(
            !chosen("git.example.com", "git.example.com"),
            "no pattern, no choice"
        );
        assert!(!chosen("a?", "abc"));
    }
}
