//! The list-valued keyword kinds: word lists where `none` stands alone,
//! domain names, PermitRemoteOpen targets, environment names and
//! assignments, CNAME rules, channel timeouts, and the algorithm and key
//! type lists ssh checks against the build's names. Each parser reads a
//! line's words ([`Args`]) into [`Parsed::Many`] or one value.
//!
//! Hand-written because each list's accepted forms and ssh's message for a
//! bad one (and how they changed between releases: 9.2 dropped a repeated
//! SetEnv name, 9.7 refused a list of nothing but a comment, 10.4 an empty
//! cipher list) decide which configs ssh accepts (see `readconf.c`).

use std::borrow::Cow;

use super::algorithms::{CIPHERS, MACS, key_names_valid};
use super::keywords::{Algorithm, Parse};
use super::lex::{self, convtime};
use super::profile::Profile;
use super::specs;
use super::values::{Args, LineError, Parsed};

/// `none` (or `any`), which must be a list's only word: `first` says
/// nothing came before it, `a` what comes after; `word` is how ssh's
/// message names it.
fn alone(keyword: &str, word: &str, first: bool, a: &Args<'_, '_>) -> Result<(), LineError> {
    if first && a.left() == 0 {
        Ok(())
    } else {
        Err(format!(
            "keyword {keyword} \"{word}\" argument must appear alone."
        ))
    }
}

/// A list option whose only argument was a comment (9.7 refuses it).
pub(crate) fn needs_arguments<'a>(
    v: Parsed<'a>,
    keyword: &str,
    p: &Profile,
) -> Result<Parsed<'a>, LineError> {
    match &v {
        Parsed::Many(x) if x.is_empty() && p.rules.lists_need_arguments => {
            Err(format!("no {keyword} specified"))
        }
        _ => Ok(v),
    }
}

/// Algorithm names, each one the build supports (a `-` list is not
/// checked); the check stops at an empty name, and from 10.4 a cipher or
/// MAC list must name one.
pub(crate) fn algorithms<'a>(
    a: &mut Args<'_, 'a>,
    which: Algorithm,
    p: &Profile,
) -> Result<Parsed<'a>, LineError> {
    let (all, what, needs_one): (&[&str], &str, bool) = match which {
        Algorithm::Cipher => (CIPHERS, "cipher spec", true),
        Algorithm::Mac => (MACS, "MAC spec", true),
        Algorithm::Kex => (&p.defaults.kex_names, "KexAlgorithms", false),
    };
    let arg = a.next_nonempty()?;
    let names = arg.strip_prefix(['+', '^']).unwrap_or(&arg);
    let listed: Vec<&str> = names.split(',').take_while(|n| !n.is_empty()).collect();
    let bad = listed.iter().any(|n| !all.contains(n))
        || (needs_one && listed.is_empty() && p.rules.strict_algorithm_lists);
    if !arg.starts_with('-') && bad {
        return Err(format!("Bad SSH2 {what} '{arg}'."));
    }
    Ok(Parsed::One(arg))
}

/// Key type names (patterns allowed), each one the build knows; only
/// plain types with `plain_only` (a `-` list is not checked).
pub(crate) fn key_types<'a>(
    a: &mut Args<'_, 'a>,
    plain_only: bool,
    p: &Profile,
) -> Result<Parsed<'a>, LineError> {
    let arg = a.next_nonempty()?;
    let names = arg.strip_prefix(['+', '^']).unwrap_or(&arg);
    if !arg.starts_with('-') && !key_names_valid(names, &p.defaults.key_names, plain_only) {
        return Err(format!("Bad key types '{arg}'."));
    }
    Ok(Parsed::One(arg))
}

/// ChannelTimeout: `type=interval` words (the interval a valid time),
/// `none` alone; kept as written.
pub(crate) fn channel_timeouts<'a>(
    a: &mut Args<'_, 'a>,
    keyword: &str,
    p: &Profile,
) -> Result<Parsed<'a>, LineError> {
    let mut vals = Vec::new();
    while let Some(arg) = a.next() {
        if arg.eq_ignore_ascii_case("none") {
            alone(keyword, "none", vals.is_empty(), a)?;
        } else {
            let ok = match arg.split_once('=') {
                Some((t, v)) if !t.is_empty() => convtime(v, p.rules.time).is_some(),
                _ => false,
            };
            if !ok {
                return Err(format!("invalid channel timeout {arg}"));
            }
        }
        vals.push(arg);
    }
    needs_arguments(Parsed::Many(vals), keyword, p)
}

/// SendEnv's names (a `-pattern` removes).
pub(crate) fn env_names<'a>(a: &mut Args<'_, 'a>) -> Result<Parsed<'a>, LineError> {
    let mut vals = Vec::new();
    while let Some(arg) = a.next() {
        if arg.is_empty() || arg.contains('=') {
            return Err("Invalid environment name.".into());
        }
        vals.push(arg);
    }
    Ok(Parsed::Many(vals))
}

/// A word list where `none` must stand alone.
pub(crate) fn words<'a>(
    a: &mut Args<'_, 'a>,
    keyword: &str,
    _kind: Parse,
) -> Result<Parsed<'a>, LineError> {
    let mut vals = Vec::new();
    while let Some(arg) = a.next() {
        if arg.is_empty() {
            return Err(format!("keyword {keyword} empty argument"));
        }
        if arg.eq_ignore_ascii_case("none") {
            alone(keyword, "none", vals.is_empty(), a)?;
        }
        vals.push(arg);
    }
    Ok(Parsed::Many(vals))
}

/// CanonicalDomains: domain names, lowercased, a final dot dropped; `none`
/// alone. Before 9.7 an empty one has its own message.
pub(crate) fn domains<'a>(
    a: &mut Args<'_, 'a>,
    keyword: &str,
    p: &Profile,
) -> Result<Parsed<'a>, LineError> {
    let mut vals = Vec::new();
    while let Some(arg) = a.next() {
        if arg.is_empty() && !p.rules.lists_need_arguments {
            return Err(format!("keyword {keyword} empty argument"));
        }
        if arg.eq_ignore_ascii_case("none") {
            alone(keyword, "none", vals.is_empty(), a)?;
        }
        vals.push(Cow::Owned(valid_domain(&arg, p.rules.domain_underscore)?));
    }
    Ok(Parsed::Many(vals))
}

/// PermitRemoteOpen before 9.2: the first argument is taken only when it
/// is `any` or `none` (as written); otherwise it is skipped, unchecked.
pub(crate) fn remote_open_89<'a>(a: &mut Args<'_, 'a>) -> Result<Parsed<'a>, LineError> {
    let first = match a.next() {
        Some(s) if !s.is_empty() => s,
        _ => return Err("missing permitremoteopen specification".into()),
    };
    if first == "any" || first == "none" {
        return Ok(Parsed::Many(vec![first]));
    }
    let mut vals = Vec::new();
    while let Some(arg) = a.next() {
        remote_open_target(&arg)?;
        vals.push(arg);
    }
    Ok(Parsed::Many(vals))
}

/// A PermitRemoteOpen `host:port` (port `*` allowed).
pub(crate) fn remote_open_target(arg: &str) -> Result<(), LineError> {
    let (_, port) =
        specs::hpdelim(arg).ok_or_else(|| "missing host in permitremoteopen".to_string())?;
    match port {
        Some(p) if p == "*" || lex::a2port(p).is_some_and(|x| x > 0) => Ok(()),
        _ => Err("bad port number in permitremoteopen".into()),
    }
}

pub(crate) fn remote_open<'a>(
    a: &mut Args<'_, 'a>,
    keyword: &str,
) -> Result<Parsed<'a>, LineError> {
    let mut vals = Vec::new();
    while let Some(arg) = a.next() {
        if arg.eq_ignore_ascii_case("none") || arg.eq_ignore_ascii_case("any") {
            alone(keyword, &arg, vals.is_empty(), a)?; // as written
        } else {
            remote_open_target(&arg)?;
        }
        vals.push(arg);
    }
    if vals.is_empty() {
        return Err("missing permitremoteopen specification".into());
    }
    Ok(Parsed::Many(vals))
}

/// SetEnv's `NAME=value` words; with `dedup` (9.2) a name given twice
/// keeps its first value.
pub(crate) fn env_assignments<'a>(
    a: &mut Args<'_, 'a>,
    dedup: bool,
) -> Result<Parsed<'a>, LineError> {
    let mut vals: Vec<Cow<'a, str>> = Vec::new();
    let name = |s: &str| s.split('=').next().unwrap_or("").to_string();
    while let Some(arg) = a.next() {
        if !arg.contains('=') {
            return Err("Invalid SetEnv.".into());
        }
        let n = name(&arg);
        if !dedup || !vals.iter().any(|v| name(v) == n) {
            vals.push(arg);
        }
    }
    Ok(Parsed::Many(vals))
}

pub(crate) fn cnames<'a>(
    a: &mut Args<'_, 'a>,
    keyword: &str,
    none: bool,
) -> Result<Parsed<'a>, LineError> {
    let mut vals = Vec::new();
    while let Some(arg) = a.next() {
        let v = if none && arg.eq_ignore_ascii_case("none") {
            alone(keyword, "none", vals.is_empty(), a)?;
            format!("{arg}:")
        } else if arg == "*" {
            "*:*".to_string()
        } else {
            let l = arg.to_ascii_lowercase();
            match l.split_once(':') {
                Some((s, t)) if !t.is_empty() => format!("{s}:{t}"),
                _ => return Err(format!("Invalid permitted CNAME \"{l}\"")),
            }
        };
        vals.push(Cow::Owned(v));
    }
    Ok(Parsed::Many(vals))
}

/// A domain name as ssh keeps it (lowercased, a final dot dropped), or
/// its message; `underscore` allows a leading `_` (10.0).
pub(crate) fn valid_domain(s: &str, underscore: bool) -> Result<String, LineError> {
    let first = s.bytes().next();
    let Some(first) = first else {
        return Err("empty domain name".into());
    };
    if !(first.is_ascii_alphanumeric() || (underscore && first == b'_')) {
        return Err(format!("domain name \"{s}\" starts with invalid character"));
    }
    let lower = s.to_ascii_lowercase();
    if lower.contains("..") {
        return Err(format!(
            "domain name \"{lower}\" contains consecutive separators"
        ));
    }
    if !lower
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_'))
    {
        return Err(format!(
            "domain name \"{lower}\" contains invalid characters"
        ));
    }
    Ok(lower
        .strip_suffix('.')
        .map_or(lower.clone(), str::to_string))
}
