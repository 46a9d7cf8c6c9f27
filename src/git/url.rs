//! Remote URL forms, split exactly as git's connect.c splits them.

use super::GitConfig;

/// Where a push goes, as git's transport layer classifies the URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoteUrl {
    /// Pushed over ssh (`ssh://`, `git+ssh://`, `ssh+git://`, scp-like).
    Ssh(SshTarget),
    /// Any other transport; the string names it (`https`, `file`, `local`, `ext`…).
    Other(String),
}

/// The parts of an ssh URL that git uses to build the ssh command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshTarget {
    /// The user part, if the URL has one (`git` in `git@host:p`).
    pub user: Option<String>,
    /// The host, without brackets.
    pub host: String,
    /// The port, if the URL gives one.
    pub port: Option<String>,
    /// The path as git passes it to git-receive-pack.
    pub path: String,
}

/// A URL git would reject, with git's reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot read URL {url:?}: {reason}")]
pub struct UrlError {
    /// The URL.
    pub url: String,
    /// Why.
    pub reason: String,
}

/// Splits `url` as git does for a connection.
pub fn parse_url(url: &str) -> Result<RemoteUrl, UrlError> {
    let _ = url;
    todo!("git URL parsing")
}

/// The configured remote whose push URL (after insteadOf/pushInsteadOf) is `url`.
pub fn remote_for_url(cfg: &GitConfig, url: &str) -> Option<String> {
    let _ = (cfg, url);
    todo!("map URL to remote")
}
