//! The git side: git's configuration (asked of git itself), remote URL forms,
//! and exactly which ssh command and argv git runs for a push.
//!
//! Config is read with one `git config -z --list` call, so that
//! `GIT_CONFIG_PARAMETERS`, includes and `includeIf` are seen exactly as git
//! sees them (gix-config differs from git on those cases). Every git
//! process starts through [`command`]: one place for the program, the
//! directory and the time bound.

use std::path::Path;
use std::time::Duration;

use crate::process::{Failure, ProcessBuilder, ProcessError};

mod origin;
pub mod shell;
mod transport;
mod url;
mod urlmatch;

pub use origin::{ConfigOrigin, config_origin};
pub use transport::{
    InvocationError, IpFamily, SshInvocation, SshSource, Variant, sq_quote, ssh_invocation,
    ssh_invocation_on,
};
pub use url::{
    RemoteUrl, SshTarget, UrlError, is_remote_name, parse_url, parse_url_on, push_urls,
    receive_pack, remote_for_url, remote_names,
};
pub use urlmatch::{match_url, url_match};

/// Git configuration as git itself reports it, in git's order (last value wins).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GitConfig {
    entries: Vec<(String, String)>,
}

/// How long one git plumbing call may take: a hung git must not hold the
/// push (the hook lets it go on when it cannot check).
pub const GIT_LIMIT: Duration = Duration::from_secs(30);

/// `git <args>` in `dir`, bounded by [`GIT_LIMIT`], stdin closed.
pub fn command(dir: &Path, args: &[&str]) -> ProcessBuilder {
    let mut git = ProcessBuilder::new("git");
    git.args(args).cwd(dir).timeout(GIT_LIMIT);
    git
}

/// Runs `git <args>` in `dir`; its stdout (lossy UTF-8) when it succeeds.
pub fn run(dir: &Path, args: &[&str]) -> Result<String, GitError> {
    let out = command(dir, args).run()?;
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Running git failed or it printed something we cannot read.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// git could not be started, timed out or exited non-zero.
    #[error(transparent)]
    Process(#[from] ProcessError),
    /// git printed something that is not in the expected format.
    #[error("cannot read output of `git {args}`: {reason}")]
    Output {
        /// The arguments given to git.
        args: String,
        /// What is wrong.
        reason: String,
    },
}

/// Normalises a config key as git does: section and variable lowercased,
/// the subsection (between the first and last dot) kept as is.
pub fn normalize_key(key: &str) -> String {
    match (key.find('.'), key.rfind('.')) {
        (Some(first), Some(last)) if first != last => format!(
            "{}{}{}",
            key[..first].to_ascii_lowercase(),
            &key[first..last],
            key[last..].to_ascii_lowercase()
        ),
        _ => key.to_ascii_lowercase(),
    }
}

impl GitConfig {
    /// Reads the whole configuration with one `git config -z --list` in `dir`.
    pub fn read(dir: &Path) -> Result<GitConfig, GitError> {
        match command(dir, &["config", "-z", "--list"]).run() {
            Ok(out) => Self::from_z(&out.stdout),
            // Exit status 1 with no output means "no config at all".
            Err(ProcessError {
                kind:
                    Failure::Exit {
                        code: Some(1),
                        stdout,
                        stderr,
                    },
                ..
            }) if stdout.is_empty() && stderr.is_empty() => Ok(GitConfig::default()),
            Err(e) => Err(e.into()),
        }
    }

    /// Parses `git config -z --list` output (`key LF value NUL`, or `key NUL`).
    pub fn from_z(bytes: &[u8]) -> Result<GitConfig, GitError> {
        let text = String::from_utf8_lossy(bytes);
        let mut entries = Vec::new();
        for rec in text.split('\0') {
            if rec.is_empty() {
                continue;
            }
            let (k, v) = match rec.split_once('\n') {
                Some((k, v)) => (k, v),
                // A key with no `=` is boolean true in git.
                None => (rec, "true"),
            };
            if k.is_empty() {
                return Err(GitError::Output {
                    args: "config -z --list".into(),
                    reason: "empty key".into(),
                });
            }
            entries.push((normalize_key(k), v.to_string()));
        }
        Ok(GitConfig { entries })
    }

    /// Builds a config from `(key, value)` pairs (for tests).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> GitConfig {
        GitConfig {
            entries: pairs
                .into_iter()
                .map(|(k, v)| (normalize_key(k), v.to_string()))
                .collect(),
        }
    }

    /// The last value of `key` (git's "last one wins").
    pub fn get(&self, key: &str) -> Option<&str> {
        let key = normalize_key(key);
        self.entries
            .iter()
            .rev()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `key`, in order.
    pub fn get_all(&self, key: &str) -> Vec<&str> {
        let key = normalize_key(key);
        self.entries
            .iter()
            .filter(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// All entries in order, keys normalised.
    pub fn entries(&self) -> &[(String, String)] {
        &self.entries
    }

    /// `key` read as a git boolean; `Err` carries the bad value.
    pub fn get_bool(&self, key: &str) -> Result<Option<bool>, String> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => parse_bool(v).map(Some).ok_or_else(|| v.to_string()),
        }
    }
}

/// Parses a git boolean (`true/yes/on/1`, `false/no/off/0/""`).
pub fn parse_bool(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "1" => Some(true),
        "false" | "no" | "off" | "0" | "" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_z_list_and_last_wins() {
        let c = GitConfig::from_z(
            b"core.sshcommand\nssh -v\0Remote.Origin.URL\nx\0core.bare\0core.sshcommand\nssh\0",
        )
        .unwrap();
        assert_eq!(c.get("core.sshCommand"), Some("ssh"));
        assert_eq!(c.get_all("core.sshcommand"), vec!["ssh -v", "ssh"]);
        assert_eq!(c.get("remote.Origin.url"), Some("x"));
        assert_eq!(c.get("remote.origin.url"), None);
        assert_eq!(c.get_bool("core.bare"), Ok(Some(true)));
    }
}
