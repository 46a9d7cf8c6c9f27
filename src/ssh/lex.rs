//! The lexical layer of the OpenSSH client configuration language: how a line
//! splits into words (quotes, escapes, `=`, comments), the `*`/`?` pattern
//! language with `!` lists, and time values with units.
//!
//! Hand-written because the exact rules (a `#` only starts a comment at the
//! start of a word, one `=` may stand for the separator, `"` quotes in the
//! keyword splitter but both quotes in the argument splitter) decide which
//! line ssh accepts and which value it takes; no library reproduces them.

use std::borrow::Cow;

/// Characters that separate words for the keyword splitter.
const WHITESPACE: &[u8] = b" \t\r\n";

/// Splits off the first word of `s` the way ssh's keyword splitter does
/// (whitespace, one `=`, `"` quotes). Returns the word and the rest (`None`
/// when nothing follows), or `None` for an unterminated quote.
pub(crate) fn strdelim(s: &str) -> Option<(Cow<'_, str>, Option<&str>)> {
    let b = s.as_bytes();
    let pos = b
        .iter()
        .position(|c| WHITESPACE.contains(c) || *c == b'"' || *c == b'=');
    let Some(p) = pos else {
        return Some((Cow::Borrowed(s), None));
    };
    if b[p] == b'"' {
        // The word runs from the quote to the next quote; the text before
        // the quote is kept as the start of the word.
        let after = &s[p + 1..];
        let q = after.find('"')?;
        let word = format!("{}{}", &s[..p], &after[..q]);
        let rest = &after[q + 1..];
        let rest = skip_ws(rest);
        return Some((Cow::Owned(word), Some(rest)));
    }
    let word = Cow::Borrowed(&s[..p]);
    let was_eq = b[p] == b'=';
    let mut rest = skip_ws(&s[p + 1..]);
    if !was_eq && rest.starts_with('=') {
        rest = skip_ws(&rest[1..]);
    }
    Some((word, Some(rest)))
}

fn skip_ws(s: &str) -> &str {
    trim_start(s, b" \t\r\n")
}

/// Strips leading bytes in `set` (ASCII only; cheaper than char patterns).
pub(crate) fn trim_start<'a>(s: &'a str, set: &[u8]) -> &'a str {
    let n = s.bytes().take_while(|c| set.contains(c)).count();
    &s[n..]
}

/// Splits an argument string into words like ssh's argument splitter: `'`
/// and `"` quotes, backslash escapes of quotes, backslash and (outside
/// quotes) space; a `#` at the start of a word ends the line. `None` when a
/// quote is not closed.
pub(crate) fn argv_split(s: &str) -> Option<Words<'_>> {
    let b = s.as_bytes();
    let mut out = Words::default();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b' ' || b[i] == b'\t' {
            i += 1;
            continue;
        }
        if b[i] == b'#' {
            break;
        }
        // Plain words (no quotes or backslashes) are borrowed.
        let end = b[i..]
            .iter()
            .position(|c| matches!(c, b' ' | b'\t' | b'"' | b'\'' | b'\\'))
            .map_or(b.len(), |p| i + p);
        if end == b.len() || b[end] == b' ' || b[end] == b'\t' {
            out.push(Cow::Borrowed(&s[i..end]));
            i = end;
            continue;
        }
        let mut quote = 0u8;
        let mut arg: Vec<u8> = Vec::new();
        while i < b.len() {
            let c = b[i];
            if c == b'\\' {
                let n = b.get(i + 1).copied();
                if matches!(n, Some(b'\'') | Some(b'"') | Some(b'\\'))
                    || (quote == 0 && n == Some(b' '))
                {
                    i += 1;
                    arg.push(b[i]);
                } else {
                    arg.push(c);
                }
            } else if quote == 0 && (c == b' ' || c == b'\t') {
                break;
            } else if quote == 0 && (c == b'"' || c == b'\'') {
                quote = c;
            } else if quote != 0 && c == quote {
                quote = 0;
            } else {
                arg.push(c);
            }
            i += 1;
        }
        if i >= b.len() && quote != 0 {
            return None;
        }
        out.push(Cow::Owned(String::from_utf8_lossy(&arg).into_owned()));
    }
    Some(out)
}

/// Byte classes for the fast path: 0 needs the full splitters (quotes,
/// backslash, `=`, `#`, control and non-ASCII bytes), 1 is a space or tab,
/// 2 is any other printable ASCII byte.
static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0x21;
    while c <= 0x7e {
        t[c] = 2;
        c += 1;
    }
    t[b'"' as usize] = 0;
    t[b'\'' as usize] = 0;
    t[b'\\' as usize] = 0;
    t[b'=' as usize] = 0;
    t[b'#' as usize] = 0;
    t[b' ' as usize] = 1;
    t[b'\t' as usize] = 1;
    t
};

/// Fast path for the common line (trailing whitespace already trimmed, not
/// empty): when it holds only plain bytes, spaces and tabs, the keyword and
/// the argument text are plain whitespace splits, exactly what [`strdelim`]
/// and [`argv_split`] would return. `None` sends the line to the full
/// splitters.
pub(crate) fn plain_line(line: &str) -> Option<(&str, &str)> {
    let b = line.as_bytes();
    if b.iter()
        .fold(1u8, |acc, &c| acc & ((CLASS[usize::from(c)] + 1) >> 1))
        == 0
    {
        return None;
    }
    let start = b.iter().position(|&c| CLASS[usize::from(c)] != 1)?;
    let end = b[start..]
        .iter()
        .position(|&c| CLASS[usize::from(c)] == 1)
        .map_or(b.len(), |p| start + p);
    let rest = b[end..]
        .iter()
        .position(|&c| CLASS[usize::from(c)] != 1)
        .map_or(b.len(), |p| end + p);
    Some((&line[start..end], &line[rest..]))
}

/// The lines of `s`, each with its `\n` (like `split_inclusive('\n')`, with
/// a byte loop that is cheaper for short lines).
pub(crate) fn lines(s: &str) -> impl Iterator<Item = &str> {
    let b = s.as_bytes();
    let mut pos = 0;
    std::iter::from_fn(move || {
        if pos >= b.len() {
            return None;
        }
        let end = b[pos..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(b.len(), |p| pos + p + 1);
        let line = &s[pos..end];
        pos = end;
        Some(line)
    })
}

/// Splits plain argument text (see [`plain_line`]) at spaces and tabs; the
/// words are borrowed.
pub(crate) fn plain_words(s: &str) -> Words<'_> {
    let b = s.as_bytes();
    let mut out = Words::default();
    let mut i = 0;
    while i < b.len() {
        if CLASS[usize::from(b[i])] == 1 {
            i += 1;
            continue;
        }
        let end = b[i..]
            .iter()
            .position(|&c| CLASS[usize::from(c)] == 1)
            .map_or(b.len(), |p| i + p);
        out.push(Cow::Borrowed(&s[i..end]));
        i = end;
    }
    out
}

/// The words of a line: up to four inline, more spill to the heap (most
/// lines have one or two words, and every line is split).
#[derive(Debug, Default)]
pub(crate) struct Words<'a> {
    inline: [Cow<'a, str>; 4],
    spill: Vec<Cow<'a, str>>,
    len: usize,
}

impl<'a> Words<'a> {
    fn push(&mut self, w: Cow<'a, str>) {
        if self.len < 4 {
            self.inline[self.len] = w;
        } else {
            self.spill.push(w);
        }
        self.len += 1;
    }
    /// Number of words.
    pub(crate) fn len(&self) -> usize {
        self.len
    }
    /// Word `i`.
    pub(crate) fn get(&self, i: usize) -> Option<&Cow<'a, str>> {
        match i {
            _ if i >= self.len => None,
            0..4 => Some(&self.inline[i]),
            _ => self.spill.get(i - 4),
        }
    }
    /// Takes word `i` out.
    pub(crate) fn take(&mut self, i: usize) -> Option<Cow<'a, str>> {
        match i {
            _ if i >= self.len => None,
            0..4 => Some(std::mem::take(&mut self.inline[i])),
            _ => self.spill.get_mut(i - 4).map(std::mem::take),
        }
    }
    #[cfg(test)]
    fn to_vec(&self) -> Vec<String> {
        (0..self.len)
            .filter_map(|i| self.get(i).map(|c| c.to_string()))
            .collect()
    }
}

/// `*` and `?` wildcard match of a whole string, byte-wise.
pub(crate) fn match_pattern(s: &str, pattern: &str) -> bool {
    fn m(s: &[u8], p: &[u8]) -> bool {
        let (mut si, mut pi) = (0, 0);
        loop {
            if pi == p.len() {
                return si == s.len();
            }
            if p[pi] == b'*' {
                while pi < p.len() && p[pi] == b'*' {
                    pi += 1;
                }
                if pi == p.len() {
                    return true;
                }
                return (si..=s.len()).any(|k| m(&s[k..], &p[pi..]));
            }
            if si == s.len() {
                return false;
            }
            if p[pi] != b'?' && p[pi] != s[si] {
                return false;
            }
            si += 1;
            pi += 1;
        }
    }
    m(s.as_bytes(), pattern.as_bytes())
}

/// The outcome of matching against a comma-separated pattern list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ListMatch {
    /// A `!pattern` matched.
    Negated,
    /// No pattern matched.
    No,
    /// A positive pattern matched and no negated one did.
    Yes,
}

/// Matches `s` against a comma-separated list of patterns, each possibly
/// negated with `!`; with `lower`, patterns are lowercased first.
pub(crate) fn match_pattern_list(s: &str, list: &str, lower: bool) -> ListMatch {
    let mut got = false;
    for sub in list.split(',') {
        let (neg, pat) = match sub.strip_prefix('!') {
            Some(p) => (true, p),
            None => (false, sub),
        };
        if pat.len() >= 1023 {
            return ListMatch::No;
        }
        let pat = if lower {
            pat.to_ascii_lowercase()
        } else {
            pat.to_string()
        };
        if match_pattern(s, &pat) {
            if neg {
                return ListMatch::Negated;
            }
            got = true;
        }
    }
    if got { ListMatch::Yes } else { ListMatch::No }
}

/// Host matching: the host lowercased against the lowercased pattern list.
pub(crate) fn match_hostname(host: &str, list: &str) -> ListMatch {
    match_pattern_list(&host.to_ascii_lowercase(), list, true)
}

/// Parses a time value (`90`, `1m30s`, `2h`, units s m h d w, any case) to
/// seconds; `None` when invalid or above `i32::MAX`.
pub(crate) fn convtime(s: &str) -> Option<i64> {
    if s.is_empty() {
        return None;
    }
    let b = s.as_bytes();
    let mut i = 0;
    let mut total: i64 = 0;
    while i < b.len() {
        let (secs, used) = strtol(&s[i..])?;
        if secs < 0 {
            return None;
        }
        i += used;
        let mult = match b.get(i) {
            None => 1,
            Some(c) => {
                i += 1;
                match c {
                    b's' | b'S' => 1,
                    b'm' | b'M' => 60,
                    b'h' | b'H' => 3600,
                    b'd' | b'D' => 86400,
                    b'w' | b'W' => 604800,
                    _ => return None,
                }
            }
        };
        if secs > i64::from(i32::MAX) / mult {
            return None;
        }
        let secs = secs * mult;
        if total > i64::from(i32::MAX) - secs {
            return None;
        }
        total += secs;
    }
    Some(total)
}

/// C `strtol` base 10: leading whitespace, sign, digits. Returns the value
/// and the bytes consumed, or `None` when no digits (or out of `long` range).
pub(crate) fn strtol(s: &str) -> Option<(i64, usize)> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && (b[i] == b' ' || (b'\t'..=b'\r').contains(&b[i])) {
        i += 1;
    }
    let mut neg = false;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        neg = b[i] == b'-';
        i += 1;
    }
    let start = i;
    let mut v: i64 = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        v = v.checked_mul(10)?.checked_add(i64::from(b[i] - b'0'))?;
        i += 1;
    }
    if i == start {
        return None;
    }
    Some((if neg { -v } else { v }, i))
}

/// C `strtonum` within `[min, max]`: the whole string must be a number.
pub(crate) fn strtonum(s: &str, min: i64, max: i64) -> Result<i64, &'static str> {
    match strtol(s) {
        Some((v, used)) if used == s.len() => {
            if v < min {
                Err("too small")
            } else if v > max {
                Err("too large")
            } else {
                Ok(v)
            }
        }
        _ => Err("invalid"),
    }
}

/// A port number or a TCP service name from `/etc/services`; `None` when
/// neither (ssh's `a2port`).
pub(crate) fn a2port(s: &str) -> Option<u16> {
    if let Ok(v) = strtonum(s, 0, 65535) {
        return u16::try_from(v).ok();
    }
    let services = std::fs::read_to_string("/etc/services").ok()?;
    for line in services.lines() {
        let line = line.split('#').next().unwrap_or("");
        let mut words = line.split_whitespace();
        let (Some(name), Some(pp)) = (words.next(), words.next()) else {
            continue;
        };
        let Some((port, proto)) = pp.split_once('/') else {
            continue;
        };
        if proto == "tcp" && (name == s || words.any(|a| a == s)) {
            return port.parse().ok();
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strdelim_forms() {
        assert_eq!(strdelim("Port 22"), Some(("Port".into(), Some("22"))));
        assert_eq!(strdelim("Port=22"), Some(("Port".into(), Some("22"))));
        assert_eq!(strdelim("Port = 22"), Some(("Port".into(), Some("22"))));
        assert_eq!(strdelim("Port==22"), Some(("Port".into(), Some("=22"))));
        assert_eq!(strdelim("\"Po rt\" 1"), Some(("Po rt".into(), Some("1"))));
        assert_eq!(strdelim("\"Port"), None);
    }

    #[test]
    fn argv_split_quotes_and_comments() {
        assert_eq!(
            argv_split("a 'b c' \"d\\\"e\" f\\ g #x").unwrap().to_vec(),
            vec!["a", "b c", "d\"e", "f g"]
        );
        assert_eq!(argv_split("a#b").unwrap().to_vec(), vec!["a#b"]);
        assert!(argv_split("'a").is_none());
    }

    #[test]
    fn plain_fast_path_agrees() {
        for line in [
            "Port 22",
            "  Port   22  x",
            "\tHostName\th",
            "User",
            "  User",
            "Host a b\tc",
        ] {
            let (k, r) = plain_line(line).unwrap();
            let (sk, sr) = strdelim(line).unwrap();
            let (sk, sr) = if sk.is_empty() {
                strdelim(sr.unwrap()).unwrap()
            } else {
                (sk, sr)
            };
            assert_eq!(k, sk);
            let sr = trim_start(sr.unwrap_or(""), b" \t\r\n");
            assert_eq!(r, sr);
            assert_eq!(plain_words(r).to_vec(), argv_split(sr).unwrap().to_vec());
        }
        for line in [
            "Port=22", "a \"b\"", "a 'b'", "a\\ b", "#x", "a #b", "a\rb", "\u{e9} x",
        ] {
            assert!(plain_line(line).is_none(), "{line}");
        }
    }

    #[test]
    fn lines_like_split_inclusive() {
        for s in ["", "a", "a\n", "a\nb", "\n\n", "a\r\nb\n"] {
            let ours: Vec<&str> = lines(s).collect();
            let std: Vec<&str> = s.split_inclusive('\n').collect();
            assert_eq!(ours, std);
        }
    }

    #[test]
    fn patterns() {
        assert!(match_pattern("foo.example", "*.example"));
        assert!(match_pattern("ab", "a?"));
        assert!(!match_pattern("a", "a?"));
        assert_eq!(match_pattern_list("a", "b,!a", false), ListMatch::Negated);
        assert_eq!(match_pattern_list("a", "a,b", false), ListMatch::Yes);
        assert_eq!(match_hostname("A", "a"), ListMatch::Yes);
    }

    #[test]
    fn times() {
        assert_eq!(convtime("1m30s"), Some(90));
        assert_eq!(convtime("30"), Some(30));
        assert_eq!(convtime("1x"), None);
        assert_eq!(convtime("-1"), None);
        assert_eq!(convtime("1H1"), Some(3601));
        assert_eq!(convtime(""), None);
    }
}
