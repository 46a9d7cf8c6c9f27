//! Remote URL forms, split exactly as git's transport and connect code
//! split them (golden-tested against `git fetch-pack --diag-url`).
//!
//! Hand-written: gix-url was measured to differ from git on forms that
//! decide the ssh command (scp-like `host:2222/p` is a path, `[host:port]`,
//! percent-decoding, the `/~` rule).

use super::GitConfig;

/// Where a push goes, as git's transport layer classifies the URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoteUrl {
    /// Pushed over ssh (`ssh://`, `git+ssh://`, `ssh+git://`, scp-like).
    Ssh(SshTarget),
    /// Any other transport; the string names it (`https`, `file`, `local`, `git`, a helper…).
    Other(String),
}

/// The parts of an ssh URL that git uses to build the ssh command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshTarget {
    /// The user part, if the host argument has one (`git` in `git@host:p`).
    pub user: Option<String>,
    /// The host, without brackets.
    pub host: String,
    /// The port, if the URL gives a valid one.
    pub port: Option<String>,
    /// The path as git passes it to git-receive-pack.
    pub path: String,
}

impl SshTarget {
    /// The host argument git gives ssh: `[user@]host`.
    pub fn host_arg(&self) -> String {
        match &self.user {
            Some(u) => format!("{u}@{}", self.host),
            None => self.host.clone(),
        }
    }
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

fn is_scheme_char(first: bool, c: u8) -> bool {
    c.is_ascii_alphabetic() || (!first && (c.is_ascii_digit() || b"+.-".contains(&c)))
}

/// git's `is_url`: `scheme://…` with a plausible scheme.
fn is_url(url: &str) -> bool {
    let b = url.as_bytes();
    if b.is_empty() || !is_scheme_char(true, b[0]) {
        return false;
    }
    let mut i = 1;
    while i < b.len() && b[i] != b':' {
        if !is_scheme_char(false, b[i]) {
            return false;
        }
        i += 1;
    }
    url[i..].starts_with("://")
}

/// git's `url_is_local_not_ssh`: no colon, or a slash before the first colon.
fn is_local_not_ssh(url: &str) -> bool {
    match (url.find(':'), url.find('/')) {
        (None, _) => true,
        (Some(c), Some(s)) => s < c,
        (Some(_), None) => false,
    }
}

/// Decodes `%XX` escapes after the scheme, as git's `url_decode` does.
fn url_decode(url: &str) -> String {
    let (scheme, rest) = match url.find(':') {
        Some(i) if i > 0 => url.split_at(i),
        _ => ("", url),
    };
    let b = rest.as_bytes();
    let mut out = scheme.as_bytes().to_vec();
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// git's `host_end`: where a host ends, skipping a bracketed part.
/// Returns (host without brackets if `strip`, index in the returned host where the rest begins).
fn host_end(host: &str, strip: bool) -> (String, usize) {
    let start = host.find("@[").map_or(0, |i| i + 1);
    if host[start..].starts_with('[')
        && let Some(close) = host[start + 1..].find(']')
    {
        {
            let close = start + 1 + close;
            if strip {
                let stripped = format!(
                    "{}{}{}",
                    &host[..start],
                    &host[start + 1..close],
                    &host[close + 1..]
                );
                return (stripped, close - 1);
            }
            return (host.to_string(), close);
        }
    }
    (host.to_string(), 0)
}

/// git's port rule: a number 0..65535 filling the rest.
fn valid_port(p: &str) -> bool {
    !p.is_empty()
        && p.bytes().all(|b| b.is_ascii_digit())
        && p.parse::<u32>().is_ok_and(|n| n < 65536)
}

/// Splits `url` as git does for a push.
pub fn parse_url(url: &str) -> Result<RemoteUrl, UrlError> {
    let fail = |reason: &str| UrlError {
        url: url.to_string(),
        reason: reason.to_string(),
    };
    // transport_get: `<helper>::<address>`.
    let scheme_len = url
        .bytes()
        .enumerate()
        .take_while(|(i, c)| is_scheme_char(*i == 0, *c))
        .count();
    if scheme_len > 0 && url[scheme_len..].starts_with("::") {
        return Ok(RemoteUrl::Other(url[..scheme_len].to_string()));
    }
    if url.starts_with("rsync:") {
        return Err(fail("git-over-rsync is no longer supported"));
    }
    let builtin = ["file://", "git://", "ssh://", "git+ssh://", "ssh+git://"];
    if is_url(url) && !builtin.iter().any(|p| url.starts_with(p)) {
        return Ok(RemoteUrl::Other(url[..scheme_len].to_string()));
    }
    // parse_connect_url.
    let decoded = if is_url(url) {
        url_decode(url)
    } else {
        url.to_string()
    };
    let (host_part, scp) = match decoded.find("://") {
        Some(i) => {
            let scheme = &decoded[..i];
            match scheme {
                "ssh" | "git+ssh" | "ssh+git" => {}
                "git" => return Ok(RemoteUrl::Other("git".into())),
                "file" => return Ok(RemoteUrl::Other("file".into())),
                _ => return Err(fail(&format!("protocol '{scheme}' is not supported"))),
            }
            (decoded[i + 3..].to_string(), false)
        }
        None if is_local_not_ssh(&decoded) => return Ok(RemoteUrl::Other("local".into())),
        None => (decoded.clone(), true),
    };
    let (host_part, end) = if scp {
        // scp-like: brackets are removed before looking for the ':' separator.
        host_end(&host_part, true)
    } else {
        host_end(&host_part, false)
    };
    let sep = if scp { ':' } else { '/' };
    let Some(rel) = host_part[end..].find(sep) else {
        return Err(fail("no path specified"));
    };
    let split = end + rel;
    let host_and_port = &host_part[..split];
    let mut path = &host_part[split..];
    if scp {
        path = &path[1..];
    }
    if path.len() > 1 && path.as_bytes()[0] == b'/' && path.as_bytes()[1] == b'~' {
        path = &path[1..];
    }
    // get_host_and_port, then get_port. With brackets the host ends at the
    // closing bracket and only what follows it can be a port.
    let (stripped, e) = host_end(host_and_port, true);
    let bracketed = stripped.len() != host_and_port.len();
    let mut port = None;
    let mut user_host = if bracketed {
        let rest = &stripped[e..];
        if let Some(p) = rest.find(':').map(|c| &rest[c + 1..])
            && valid_port(p)
        {
            port = Some(p.to_string());
        }
        stripped[..e].to_string()
    } else {
        let mut h = stripped;
        if let Some(c) = h.find(':') {
            let p = h[c + 1..].to_string();
            if valid_port(&p) {
                h.truncate(c);
                port = Some(p);
            } else if p.is_empty() {
                h.truncate(c);
            }
        }
        h
    };
    if port.is_none()
        && let Some(c) = user_host.find(':')
    {
        let p = user_host[c + 1..].to_string();
        if valid_port(&p) {
            user_host.truncate(c);
            port = Some(p);
        }
    }
    if user_host.starts_with('-') {
        return Err(fail(&format!("strange hostname '{user_host}' blocked")));
    }
    let (user, host) = match user_host.rsplit_once('@') {
        Some((u, h)) => (Some(u.to_string()), h.to_string()),
        None => (None, user_host.clone()),
    };
    Ok(RemoteUrl::Ssh(SshTarget {
        user,
        host,
        port,
        path: path.to_string(),
    }))
}

/// Applies the longest matching `url.<base>.<key>` rewrite (`insteadOf` or `pushInsteadOf`).
fn rewrite(cfg: &GitConfig, url: &str, key: &str) -> Option<String> {
    let suffix = format!(".{}", key.to_ascii_lowercase());
    cfg.entries()
        .iter()
        .filter_map(|(k, v)| {
            let base = k.strip_prefix("url.")?.strip_suffix(&suffix)?;
            url.starts_with(v.as_str())
                .then(|| (v.len(), format!("{base}{}", &url[v.len()..])))
        })
        .max_by_key(|(len, _)| *len)
        .map(|(_, u)| u)
}

/// The URLs git pushes to for `remote`, after rewriting (as `git remote get-url --push --all`).
pub fn push_urls(cfg: &GitConfig, remote: &str) -> Vec<String> {
    let push = cfg.get_all(&format!("remote.{remote}.pushurl"));
    if !push.is_empty() {
        return push
            .iter()
            .map(|u| rewrite(cfg, u, "insteadOf").unwrap_or_else(|| u.to_string()))
            .collect();
    }
    cfg.get_all(&format!("remote.{remote}.url"))
        .iter()
        .map(|u| {
            rewrite(cfg, u, "pushInsteadOf")
                .or_else(|| rewrite(cfg, u, "insteadOf"))
                .unwrap_or_else(|| u.to_string())
        })
        .collect()
}

/// The configured remote whose push URL (after insteadOf/pushInsteadOf) is `url`.
pub fn remote_for_url(cfg: &GitConfig, url: &str) -> Option<String> {
    let mut names: Vec<&str> = cfg
        .entries()
        .iter()
        .filter_map(|(k, _)| {
            let rest = k.strip_prefix("remote.")?;
            rest.strip_suffix(".url")
                .or_else(|| rest.strip_suffix(".pushurl"))
        })
        .collect();
    names.dedup();
    names
        .into_iter()
        .find(|n| push_urls(cfg, n).iter().any(|u| u == url))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ssh(url: &str) -> SshTarget {
        match parse_url(url) {
            Ok(RemoteUrl::Ssh(t)) => t,
            other => panic!("{url}: {other:?}"),
        }
    }

    #[test]
    fn forms() {
        let t = ssh("ssh://git@bitbucket.example.com:7999/proj/repo.git");
        assert_eq!(
            (t.host_arg().as_str(), t.port.as_deref(), t.path.as_str()),
            ("git@bitbucket.example.com", Some("7999"), "/proj/repo.git")
        );
        let t = ssh("git@host:2222/p");
        assert_eq!((t.port, t.path.as_str()), (None, "2222/p"));
        assert_eq!(ssh("[git@h:22]:p").port.as_deref(), Some("22"));
        assert_eq!(ssh("git@[::1]:p").host, "::1");
        assert_eq!(ssh("ssh://h/~u/p").path, "~u/p");
        assert_eq!(ssh("ssh://a%40b@h/x%20y").host_arg(), "a@b@h");
        assert_eq!(
            parse_url("https://x/y").unwrap(),
            RemoteUrl::Other("https".into())
        );
        assert_eq!(
            parse_url("./a:b").unwrap(),
            RemoteUrl::Other("local".into())
        );
        assert_eq!(
            parse_url("foo::bar").unwrap(),
            RemoteUrl::Other("foo".into())
        );
        assert!(parse_url("ssh://-oProxyCommand=x/p").is_err());
    }

    #[test]
    fn remote_mapping_with_rewrites() {
        let cfg = GitConfig::from_pairs([
            ("remote.origin.url", "bb:proj/repo.git"),
            (
                "url.ssh://git@bitbucket.example.com:7999/.pushInsteadOf",
                "bb:",
            ),
            ("url.https://bitbucket.example.com/.insteadOf", "bb:"),
        ]);
        assert_eq!(
            push_urls(&cfg, "origin"),
            ["ssh://git@bitbucket.example.com:7999/proj/repo.git"]
        );
        assert_eq!(
            remote_for_url(&cfg, "ssh://git@bitbucket.example.com:7999/proj/repo.git").as_deref(),
            Some("origin")
        );
        assert_eq!(remote_for_url(&cfg, "ssh://elsewhere/x"), None);
    }
}
