//! The compound value specs: `host:port` (with `[v6]` brackets), ProxyJump
//! hops and forwarding specs, parsed and printed as `ssh -G` does.
//!
//! - [`hpdelim`]: `host:port` / `[host]:port`.
//! - [`Jump`], [`parse_jump`]: a ProxyJump list (ssh keeps the first hop
//!   and the rest as text).
//! - [`parse_forward`]: Local/Remote/DynamicForward specs in print form.
//!
//! Hand-written: ssh's own splitting rules (`hpdelim`, `parse_forward`,
//! `parse_ssh_uri`) decide what is accepted and how it prints.

use super::lex;
use super::profile::Profile;

/// The proxy jump as parsed (first hop printed last, like ssh).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Jump {
    /// The hops before the last comma, as written.
    pub extra: Option<String>,
    /// The last hop's user.
    pub user: Option<String>,
    /// The last hop's host (`none` for `ProxyJump none`).
    pub host: String,
    /// The last hop's port: -1 when not given, 0 for `none`.
    pub port: i64,
}

impl Jump {
    /// `ProxyJump none`.
    pub(crate) fn is_none(&self) -> bool {
        self.host == "none" && self.port == 0 && self.user.is_none()
    }

    /// As `ssh -G` prints it (a numeric host in brackets).
    pub(crate) fn print(&self) -> String {
        let numeric =
            self.host.contains(':') || self.host.bytes().all(|c| c.is_ascii_digit() || c == b'.');
        let mut s = String::new();
        if let Some(x) = &self.extra {
            s.push_str(x);
            s.push(',');
        }
        if let Some(u) = &self.user {
            s.push_str(u);
            s.push('@');
        }
        if numeric {
            s.push('[');
        }
        s.push_str(&self.host);
        if numeric {
            s.push(']');
        }
        if self.port > 0 {
            s.push_str(&format!(":{}", self.port));
        }
        s
    }
}

/// Splits `host:port` / `[host]:port`; the port is `None` when absent.
pub(crate) fn hpdelim(s: &str) -> Option<(String, Option<&str>)> {
    if let Some(r) = s.strip_prefix('[') {
        let end = r.find(']')?;
        let host = &r[..end];
        let after = &r[end + 1..];
        if after.is_empty() {
            return Some((host.to_string(), None));
        }
        let port = after.strip_prefix(':')?;
        return Some((host.to_string(), Some(port)));
    }
    match s.split_once(':') {
        Some((h, p)) => Some((h.to_string(), Some(p))),
        None => Some((s.to_string(), None)),
    }
}

/// Whether an `ssh://` host is one ssh takes (its `valid_domain` without
/// lowercasing: a letter or digit first, `_` too from 10.0; letters,
/// digits, `-`, `.`, `_`; no two dots in a row).
pub(crate) fn valid_uri_host(h: &str, p: &Profile) -> bool {
    let Some(first) = h.bytes().next() else {
        return false;
    };
    (first.is_ascii_alphanumeric() || (first == b'_' && p.rules.domain_underscore))
        && !h.contains("..")
        && h.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_'))
}

/// One hop `[user@]host[:port]` or `ssh://[user@]host[:port]`.
fn parse_hop(s: &str, p: &Profile) -> Option<(Option<String>, String, i64)> {
    if let Some(rest) = s.strip_prefix("ssh://") {
        let (user, hostport) = match rest.find('@') {
            Some(at) => {
                let u = rest[..at].split(';').next().unwrap_or("");
                if u.is_empty() {
                    return None;
                }
                let u = super::destination::urldecode(u, p.rules.uri_nul_refused)?;
                (Some(u), &rest[at + 1..])
            }
            None => (None, rest),
        };
        let (host, port) = hpdelim(hostport)?;
        if !valid_uri_host(&host, p) {
            return None;
        }
        let port = match port {
            Some(p) if !p.is_empty() => {
                if p.contains('/') {
                    return None;
                }
                i64::from(lex::a2port(p).filter(|x| *x > 0)?)
            }
            _ => -1,
        };
        return Some((user, host, port));
    }
    let (user, rest) = match s.rfind('@') {
        Some(p) => {
            if p == 0 {
                return None;
            }
            (Some(s[..p].to_string()), &s[p + 1..])
        }
        None => (None, s),
    };
    let (host, port) = hpdelim(rest)?;
    if host.is_empty() {
        return None;
    }
    let port = match port {
        Some(p) if !p.is_empty() => i64::from(lex::a2port(p).filter(|x| *x > 0)?),
        _ => -1,
    };
    Some((user, host, port))
}

/// A check of one hop's user and host.
pub(crate) type HopCheck<'c> = &'c dyn Fn(Option<&str>, &str) -> bool;

/// Parses a ProxyJump value as profile `p` does (every hop must parse, and
/// pass `check` when given: a command-line jump from 10.3); `None` when
/// invalid. The comment goes, then trailing blanks; before 10.1 the value
/// is cut at its first blank.
pub(crate) fn parse_jump(s: &str, p: &Profile, check: Option<HopCheck<'_>>) -> Option<Jump> {
    if s.eq_ignore_ascii_case("none") {
        return Some(Jump {
            extra: None,
            user: None,
            host: "none".into(),
            port: 0,
        });
    }
    let blank = |c: char| c.is_ascii_whitespace() || c == '\x0b';
    let cut = s.find('#').map_or(s, |i| &s[..i]);
    let cut = if p.rules.jump_keeps_blanks {
        cut.trim_end_matches(blank)
    } else {
        match cut.char_indices().skip(1).find(|(_, c)| blank(*c)) {
            Some((i, _)) => &cut[..i],
            None => cut,
        }
    };
    let mut first = None;
    for (i, hop) in cut.split(',').rev().enumerate() {
        let parsed = parse_hop(hop, p)?;
        if let Some(check) = check
            && !check(parsed.0.as_deref(), &parsed.1)
        {
            return None;
        }
        if i == 0 {
            first = Some(parsed);
        }
    }
    let (user, host, port) = first?;
    // The hops before the last comma; before 10.3 found in the value as
    // written (its comment too), from 10.3 in the cut value.
    let extra = match p.rules.proxy_first_match {
        true => cut.rfind(',').map(|i| cut[..i].to_string()),
        false => s.rfind(',').filter(|i| *i != 0).map(|i| s[..i].to_string()),
    };
    Some(Jump {
        extra,
        user,
        host,
        port,
    })
}

/// Parses a forwarding spec and prints it as `ssh -G` does.
pub(crate) fn parse_forward(spec: &str, dynamic: bool, remote: bool) -> Option<String> {
    // Split on ':' honouring [ ] brackets.
    let mut parts: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut depth = 0;
    for c in spec.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            ':' if depth == 0 => {
                parts.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    parts.push(cur);
    let clean = |s: &str| s.trim_start_matches('[').trim_end_matches(']').to_string();
    let port = |s: &str| -> Option<i64> { lex::a2port(s).map(i64::from) };
    let is_path = |s: &str| s.contains('/');
    let listen = |host: Option<String>, p: &str| -> Option<String> {
        if is_path(p) {
            return Some(p.to_string());
        }
        let n = port(p)?;
        Some(match host {
            Some(h) => format!("[{h}]:{n}"),
            None => n.to_string(),
        })
    };
    let zero_listen = |l: &str| !remote && !is_path(l) && (l == "0" || l.ends_with(":0"));
    if dynamic {
        let l = match parts.len() {
            1 => listen(None, &parts[0])?,
            2 => listen(Some(clean(&parts[0])), &parts[1])?,
            _ => return None,
        };
        if zero_listen(&l) {
            return None;
        }
        // A dynamic remote forward prints its implicit SOCKS target.
        return Some(if remote { format!("{l} [socks]:0") } else { l });
    }
    let (lh, lp, ch, cp): (Option<String>, &str, Option<String>, &str) = match parts.len() {
        2 => (None, &parts[0], None, &parts[1]),
        3 if is_path(&parts[2]) && !is_path(&parts[0]) => {
            (Some(clean(&parts[0])), &parts[1], None, &parts[2])
        }
        3 => (None, &parts[0], Some(clean(&parts[1])), &parts[2]),
        4 => (
            Some(clean(&parts[0])),
            &parts[1],
            Some(clean(&parts[2])),
            &parts[3],
        ),
        _ => return None,
    };
    let l = listen(lh, lp)?;
    if zero_listen(&l) {
        return None;
    }
    let c = if is_path(cp) {
        cp.to_string()
    } else {
        let n = port(cp)?;
        match ch {
            Some(h) => format!("[{h}]:{n}"),
            None => n.to_string(),
        }
    };
    Some(format!("{l} {c}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jumps_parse_and_print() {
        let p = Profile::debian12(6);
        let j = parse_jump("a@b:2200", &p, None).unwrap();
        assert_eq!(j.print(), "a@b:2200");
        let j = parse_jump("x,y,10.0.0.1", &p, None).unwrap();
        assert_eq!(j.print(), "x,y,[10.0.0.1]");
        assert!(parse_jump("NONE", &p, None).unwrap().is_none());
        assert!(parse_jump("a,@b", &p, None).is_none());
        assert!(parse_jump("ssh://h:22/x", &p, None).is_none());
        // Before 10.1 the value is cut at its first blank.
        assert_eq!(parse_jump("j1 j2", &p, None).unwrap().print(), "j1");
        let new = Profile::newest();
        assert_eq!(parse_jump("j1 j2", &new, None).unwrap().print(), "j1 j2");
        let no_semicolon = |_: Option<&str>, h: &str| !h.contains(';');
        assert!(parse_jump("a;b", &new, Some(&no_semicolon)).is_none());
    }

    #[test]
    fn forwards_print_like_ssh() {
        // spec, dynamic, remote, printed
        let cases = [
            ("8080:h:80", false, false, Some("8080 [h]:80")),
            ("[::1]:8080:h:80", false, false, Some("[::1]:8080 [h]:80")),
            ("1080", true, false, Some("1080")),
            ("1080", true, true, Some("1080 [socks]:0")),
            ("/a:h:1", false, false, Some("/a [h]:1")),
            ("b:1:/s", false, false, Some("[b]:1 /s")),
            ("0:h:1", false, false, None),
            ("0:h:1", false, true, Some("0 [h]:1")),
        ];
        for (spec, dynamic, remote, want) in cases {
            assert_eq!(
                parse_forward(spec, dynamic, remote).as_deref(),
                want,
                "{spec}"
            );
        }
    }
}
