//! Which `<section>.<url>.<key>` entry applies to a URL, decided by git's own
//! URL matching (`git config --get-urlmatch`, the rules of `http.<url>.*`:
//! scheme, user, host with `*.` wildcards, port, path prefix; the most
//! specific wins, the plain `<section>.<key>` matches every URL).
//!
//! git is given a config text built from the candidates with each value
//! replaced by the candidate's number, so one call answers which entry wins
//! for every key, and values never reach git's parser twice.
//!
//! An scp-like URL (`git@host:proj/repo.git`) is not a URL to git's matcher;
//! it is matched as `ssh://git@host/proj/repo.git`, and `git+ssh://` and
//! `ssh+git://` as `ssh://`.

use std::collections::HashMap;
use std::path::Path;

use super::{GitError, RemoteUrl, parse_url};
use crate::process::Failure;

/// The URL git's matcher is given for the push URL `url`.
pub fn match_url(url: &str) -> String {
    for scheme in ["git+ssh://", "ssh+git://"] {
        if let Some(rest) = url.strip_prefix(scheme) {
            return format!("ssh://{rest}");
        }
    }
    if url.contains("://") {
        return url.to_string();
    }
    match parse_url(url) {
        Ok(RemoteUrl::Ssh(t)) => {
            let host = match t.host.contains(':') {
                true => format!("[{}]", t.host),
                false => t.host.clone(),
            };
            let user = t.user.as_deref().map_or(String::new(), |u| format!("{u}@"));
            let port = t.port.as_deref().map_or(String::new(), |p| format!(":{p}"));
            let path = t.path.trim_start_matches('/');
            format!("ssh://{user}{host}{port}/{path}")
        }
        _ => url.to_string(),
    }
}

/// For each key of `section`, the index (into `candidates`) of the entry
/// git's URL matching picks for `url`. A candidate is `(url, key)`; `None`
/// is the plain `<section>.<key>`.
pub fn url_match(
    cwd: &Path,
    section: &str,
    candidates: &[(Option<&str>, &str)],
    url: &str,
) -> Result<HashMap<String, usize>, GitError> {
    let mut text = String::new();
    for (i, (sub, key)) in candidates.iter().enumerate() {
        match sub {
            Some(u) => {
                let quoted = u.replace('\\', "\\\\").replace('"', "\\\"");
                text.push_str(&format!("[{section} \"{quoted}\"]\n\t{key} = {i}\n"));
            }
            None => text.push_str(&format!("[{section}]\n\t{key} = {i}\n")),
        }
    }
    let target = match_url(url);
    let args = ["config", "--file", "-", "--get-urlmatch", section, &target];
    let out = match super::command(cwd, &args).stdin(text).run() {
        Ok(out) => out.stdout,
        // Nothing matches.
        Err(e) if matches!(&e.kind, Failure::Exit { code: Some(1), .. }) => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    let mut picked = HashMap::new();
    for line in String::from_utf8_lossy(&out).lines() {
        let bad = || GitError::Output {
            args: args.join(" "),
            reason: format!("unexpected line {line:?}"),
        };
        let (name, value) = line.split_once(' ').ok_or_else(bad)?;
        let key = name.strip_prefix(section).and_then(|k| k.strip_prefix('.'));
        let index = value
            .parse::<usize>()
            .ok()
            .filter(|i| *i < candidates.len());
        match (key, index) {
            (Some(k), Some(i)) => picked.insert(k.to_ascii_lowercase(), i),
            _ => return Err(bad()),
        };
    }
    Ok(picked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scp_like_urls_are_matched_as_ssh_urls() {
        for (url, want) in [
            (
                "git@bitbucket.example.com:proj/repo.git",
                "ssh://git@bitbucket.example.com/proj/repo.git",
            ),
            ("host:/abs/r.git", "ssh://host/abs/r.git"),
            ("host:~me/r.git", "ssh://host/~me/r.git"),
            ("[::1]:r.git", "ssh://[::1]/r.git"),
            ("git+ssh://h:22/r", "ssh://h:22/r"),
            ("ssh://git@h:7999/p/r.git", "ssh://git@h:7999/p/r.git"),
            ("https://h/r.git", "https://h/r.git"),
        ] {
            assert_eq!(match_url(url), want, "{url}");
        }
    }

    #[test]
    fn git_picks_the_most_specific_entry() {
        let dir = tempfile::tempdir().unwrap();
        let c = [
            (None, "idletimeout"),
            (Some("ssh://bitbucket.example.com:7999"), "idletimeout"),
            (Some("ssh://*.example.com"), "idletimeout"),
            (
                Some("ssh://git@bitbucket.example.com:7999/proj"),
                "idletimeout",
            ),
            (Some("ssh://*.example.com"), "warnobjects"),
        ];
        let pick = |url: &str| url_match(dir.path(), "pushguard", &c, url).unwrap();
        let p = pick("ssh://git@bitbucket.example.com:7999/proj/repo.git");
        assert_eq!(
            p.get("idletimeout"),
            Some(&3),
            "user and path prefix are the most specific"
        );
        assert_eq!(p.get("warnobjects"), None, "a port must be named to match");
        let p = pick("git@elb.example.com:team/r.git");
        assert_eq!(
            (p["idletimeout"], p["warnobjects"]),
            (2, 4),
            "scp-like, host wildcard"
        );
        assert_eq!(pick("ssh://other.org/r")["idletimeout"], 0, "the plain key");
        let p = url_match(dir.path(), "pushguard", &c[1..2], "ssh://other.org/r").unwrap();
        assert!(p.is_empty());
    }
}
