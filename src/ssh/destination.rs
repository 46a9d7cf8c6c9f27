//! The destination on ssh's command line: `[user@]host` (the last `@`) or
//! an `ssh://` URI (a `%XX`-escaped user, a port, no path), and ssh's
//! checks of host and user names (also of jump hops and config users).

use super::ConfigError;
use super::keywords::Op;
use super::lex;
use super::options::{LineCtx, Options};
use super::profile::{HostCheck, Profile};
use super::specs::{hpdelim, valid_uri_host};

/// Applies the destination (`ssh://` URI or `[user@]host`, last `@`) at its
/// place in argv; returns the host.
pub(crate) fn apply_destination(
    dest: &str,
    opts: &mut Options,
    p: &Profile,
) -> Result<String, ConfigError> {
    let ctx = LineCtx::COMMAND_LINE;
    let bad = || ConfigError::Usage(format!("bad destination {dest}"));
    let set_user = |opts: &mut Options, u: String| {
        if opts.unset(Op::User) {
            opts.user_from_command_line = true;
        }
        opts.set_first(Op::User, u, &ctx);
    };
    let Some(rest) = dest.strip_prefix("ssh://") else {
        return match dest.rfind('@') {
            Some(0) => Err(bad()),
            Some(at) => {
                set_user(opts, dest[..at].to_string());
                Ok(dest[at + 1..].to_string())
            }
            None => Ok(dest.to_string()),
        };
    };
    let (user, hostport) = match rest.find('@') {
        Some(p) => (
            Some(rest[..p].split(';').next().unwrap_or("")),
            &rest[p + 1..],
        ),
        None => (None, rest),
    };
    if user == Some("") {
        return Err(bad());
    }
    let (h, port) = hpdelim(hostport).ok_or_else(bad)?;
    let (port, path) = match port {
        Some(p) => match p.split_once('/') {
            Some((a, b)) => (Some(a), Some(b)),
            None => (Some(p), None),
        },
        None => (None, None),
    };
    if path.is_some_and(|p| !p.is_empty()) || !valid_uri_host(&h, p) {
        return Err(bad());
    }
    if let Some(u) = user {
        let u = urldecode(u, p.rules.uri_nul_refused).ok_or_else(bad)?;
        set_user(opts, u);
    }
    if let Some(p) = port.filter(|p| !p.is_empty()) {
        let n = lex::a2port(p).filter(|n| *n > 0).ok_or_else(bad)?;
        opts.set_first(Op::Port, n.to_string(), &ctx);
    }
    Ok(h)
}

/// `%XX` escapes and `+` (a blank) of an `ssh://` user; a NUL ends it, or
/// (`nul_refused`, 10.1) makes it invalid.
pub(crate) fn urldecode(s: &str, nul_refused: bool) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = b.get(i + 1..i + 3)?;
                let h = std::str::from_utf8(hex).ok()?;
                if !hex.iter().all(u8::is_ascii_hexdigit) {
                    return None;
                }
                let c = u8::from_str_radix(h, 16).ok()?;
                if c == 0 && nul_refused {
                    return None;
                }
                out.push(c);
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    // A C string ends at its first NUL.
    if let Some(z) = out.iter().position(|c| *c == 0) {
        out.truncate(z);
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// ssh's refusal of a user name.
pub(crate) fn bad_user() -> ConfigError {
    ConfigError::Usage("remote username contains invalid characters".into())
}

/// ssh's check of a command-line host name (9.6; a comma from 10.0).
pub(crate) fn valid_hostname(s: &str, check: HostCheck) -> bool {
    let bad: &[u8] = match check {
        HostCheck::Comma => b"'`\"$\\;&<>|(){},",
        _ => b"'`\"$\\;&<>|(){}",
    };
    !s.starts_with('-')
        && !s.bytes().any(|c| {
            bad.contains(&c) || c.is_ascii_whitespace() || c == 0x0b || c.is_ascii_control()
        })
}

/// ssh's check of a remote user name (9.6); `control` refuses control
/// characters too (10.1).
pub(crate) fn valid_ruser(s: &str, control: bool) -> bool {
    let b = s.as_bytes();
    if b.first() == Some(&b'-') {
        return false;
    }
    let space = |c: u8| c.is_ascii_whitespace() || c == 0x0b;
    b.iter().enumerate().all(|(i, &c)| {
        let next = b.get(i + 1).copied();
        let bad = (control && c.is_ascii_control())
            || b"'`\";&<>|(){}".contains(&c)
            || (space(c) && next == Some(b'-'))
            || (c == b'\\' && next.is_none());
        !bad
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked_like_ssh() {
        for (host, metachars, comma) in [
            ("h.example", true, true),
            ("a,b", true, false),
            ("a;b", false, false),
            ("a b", false, false),
            ("-x", false, false),
            ("a\u{1}b", false, false),
            ("[::1]", true, true),
        ] {
            assert_eq!(
                valid_hostname(host, HostCheck::Metachars),
                metachars,
                "{host}"
            );
            assert_eq!(valid_hostname(host, HostCheck::Comma), comma, "{host}");
        }
        for (user, plain, control) in [
            ("git", true, true),
            ("a b", true, true),
            ("a$b", true, true),
            ("a,b", true, true),
            ("a;b", false, false),
            ("a -b", false, false),
            ("a\\", false, false),
            ("-x", false, false),
            ("a\u{1}b", true, false),
        ] {
            assert_eq!(valid_ruser(user, false), plain, "{user:?}");
            assert_eq!(valid_ruser(user, true), control, "{user:?}");
        }
        assert_eq!(urldecode("u%41+v", true).as_deref(), Some("uA v"));
        assert_eq!(urldecode("u%00x", false).as_deref(), Some("u"));
        assert_eq!(urldecode("u%00x", true), None);
        assert_eq!(urldecode("u%4", true), None);
    }
}
