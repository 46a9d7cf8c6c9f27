//! The lexical layer of the OpenSSH client configuration language: how a line
//! splits into words (quotes, escapes, `=`, comments), and numbers, ports and
//! time values with units.
//!
//! - [`scan_line`]: the reader of a file, one line at a time; a plain line
//!   (no quotes, escapes, `=`, `#` or control bytes) is split in place into
//!   [`Words`], any other comes back raw for the full splitters.
//! - [`strdelim`], [`argv_split`]: ssh's keyword and argument splitters.
//! - [`convtime`], [`strtonum`], [`a2port`]: values as ssh's C helpers read
//!   them.
//!
//! Hand-written because the exact rules (a `#` only starts a comment at the
//! start of a word, one `=` may stand for the separator, `"` quotes in the
//! keyword splitter but both quotes in the argument splitter) decide which
//! line ssh accepts and which value it takes; no library reproduces them.
//! The plain-line split gives exactly what the full splitters would (tested
//! against them), without their allocations.

use std::borrow::Cow;

use super::profile::TimeGrammar;

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
    let mut out = Vec::new();
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
    Some(Words::Full(out))
}

/// Byte classes for the plain-line split: 0 needs the full splitters (quotes,
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

/// How many words a plain line keeps inline; longer lines take the full
/// splitters.
const INLINE: usize = 8;

/// The plain split of one line (trailing whitespace already trimmed, not
/// empty): when it holds only plain bytes, spaces and tabs and at most
/// [`INLINE`] argument words, returns (keyword, argument text) and puts the
/// words in `words`, exactly what [`strdelim`] and [`argv_split`] would
/// give. `None` sends the line to the full splitters
/// (`words` is then unspecified).
pub(crate) fn plain_split<'a>(line: &'a str, words: &mut Words<'a>) -> Option<(&'a str, &'a str)> {
    match scan_line(line, 0, words) {
        (Line::Plain(k, r), next)
            if !k.is_empty() && next == line.len() && !line.ends_with('\n') =>
        {
            Some((k, r))
        }
        _ => None,
    }
}

/// The first index from `i` on whose byte is not of class `class`.
fn skip(b: &[u8], mut i: usize, class: u8) -> usize {
    while i < b.len() && CLASS[usize::from(b[i])] == class {
        i += 1;
    }
    i
}

/// One line of a config file, as [`scan_line`] found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Line<'a> {
    /// A plain line split in place (see [`plain_split`]): keyword (empty
    /// for a blank line) and the argument text; the words are in the
    /// buffer.
    Plain(&'a str, &'a str),
    /// Any other line, with its newline, for the full splitters.
    Raw(&'a str),
}

/// Scans the line of `text` that starts at `pos`: a plain line (see
/// [`plain_split`]) is split on the way, its words going to `words`; any
/// other line comes back raw. Returns the line and where the next one
/// starts.
pub(crate) fn scan_line<'a>(text: &'a str, pos: usize, words: &mut Words<'a>) -> (Line<'a>, usize) {
    let b = text.as_bytes();
    let n = b.len();
    let raw = |from: usize| {
        let end = b[from..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(n, |p| from + p + 1);
        (Line::Raw(&text[pos..end]), end)
    };
    let ks = skip(b, pos, 1);
    let ke = skip(b, ks, 2);
    if ke < n && CLASS[usize::from(b[ke])] == 0 && b[ke] != b'\n' {
        return raw(ke);
    }
    let keyword = &text[ks..ke];
    let mut i = skip(b, ke, 1);
    let rest_start = i;
    let mut rest_end = i;
    if !matches!(words, Words::Plain(..)) {
        *words = Words::default();
    }
    let Words::Plain(w, len) = words else {
        return raw(i);
    };
    *len = 0;
    while i < n {
        if CLASS[usize::from(b[i])] == 2 {
            let e = skip(b, i, 2);
            if *len == INLINE {
                return raw(e);
            }
            w[*len] = &text[i..e];
            *len += 1;
            rest_end = e;
            i = skip(b, e, 1);
        } else if b[i] == b'\n' {
            i += 1;
            break;
        } else {
            return raw(i);
        }
    }
    (Line::Plain(keyword, &text[rest_start..rest_end]), i)
}

/// The words of a line: borrowed in place by the plain split, or built by the
/// full splitter (quotes and escapes make owned words).
#[derive(Debug)]
pub(crate) enum Words<'a> {
    /// Up to [`INLINE`] borrowed words and their count.
    Plain([&'a str; INLINE], usize),
    /// Words from [`argv_split`].
    Full(Vec<Cow<'a, str>>),
}

impl Default for Words<'_> {
    fn default() -> Self {
        Words::Plain([""; INLINE], 0)
    }
}

impl<'a> Words<'a> {
    /// Number of words.
    pub(crate) fn len(&self) -> usize {
        match self {
            Words::Plain(_, n) => *n,
            Words::Full(v) => v.len(),
        }
    }
    /// Word `i`.
    pub(crate) fn get(&self, i: usize) -> Option<&str> {
        match self {
            Words::Plain(w, n) => (i < *n).then(|| w[i]),
            Words::Full(v) => v.get(i).map(|c| c.as_ref()),
        }
    }
    /// Takes word `i` out.
    pub(crate) fn take(&mut self, i: usize) -> Option<Cow<'a, str>> {
        match self {
            Words::Plain(w, n) => (i < *n).then(|| Cow::Borrowed(w[i])),
            Words::Full(v) => v.get_mut(i).map(std::mem::take),
        }
    }
    /// The words in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).filter_map(|i| self.get(i))
    }
    #[cfg(test)]
    fn to_vec(&self) -> Vec<String> {
        self.iter().map(str::to_string).collect()
    }
}

/// Parses a time value (`90`, `1m30s`, `2h`, units s m h d w, any case) to
/// seconds as the given grammar reads it; `None` when invalid or above
/// `i32::MAX`.
pub(crate) fn convtime(s: &str, grammar: TimeGrammar) -> Option<i64> {
    match grammar {
        TimeGrammar::Strtol => convtime_terms(s, |t| strtol(t).filter(|(v, _)| *v >= 0)),
        TimeGrammar::Digits => convtime_terms(s, |t| {
            let n = t.bytes().take_while(u8::is_ascii_digit).count();
            let v = strtonum(&t[..n], 0, i64::from(i32::MAX)).ok()?;
            Some((v, n))
        }),
        TimeGrammar::Fractional => convtime_fractional(s),
    }
}

/// The integer grammars: terms of a number (read by `number`, which
/// returns it and the bytes it took) and an optional unit.
fn convtime_terms(s: &str, number: impl Fn(&str) -> Option<(i64, usize)>) -> Option<i64> {
    if s.is_empty() {
        return None;
    }
    let b = s.as_bytes();
    let mut i = 0;
    let mut total: i64 = 0;
    while i < b.len() {
        let (secs, used) = number(&s[i..])?;
        i += used;
        let mult = match b.get(i) {
            None => 1,
            Some(c) => {
                i += 1;
                unit(*c)?
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

/// A time unit's seconds.
fn unit(c: u8) -> Option<i64> {
    match c {
        b's' | b'S' => Some(1),
        b'm' | b'M' => Some(60),
        b'h' | b'H' => Some(3600),
        b'd' | b'D' => Some(86400),
        b'w' | b'W' => Some(604800),
        _ => None,
    }
}

/// 10.3's grammar: decimal numbers, a fraction only in the one seconds
/// term, the sum truncated to whole seconds.
fn convtime_fractional(s: &str) -> Option<i64> {
    if s.is_empty() {
        return None;
    }
    let b = s.as_bytes();
    let mut i = 0;
    let mut total = 0.0f64;
    let mut seconds = false;
    while i < b.len() {
        let n = b[i..]
            .iter()
            .take_while(|c| c.is_ascii_digit() || **c == b'.')
            .count();
        let num = &s[i..i + n];
        // strtod reads the longest number; only digits and one point may
        // make it up, and it needs a digit.
        let val: f64 = match num.matches('.').count() {
            0 | 1 if num.bytes().any(|c| c.is_ascii_digit()) => num.parse().ok()?,
            _ => return None,
        };
        i += n;
        let mult = match b.get(i) {
            None | Some(b's' | b'S') => {
                if seconds {
                    return None;
                }
                seconds = true;
                1
            }
            Some(c) => unit(*c)?,
        };
        if num.contains('.') && (mult > 1 || num.ends_with('.')) {
            return None;
        }
        total += val * mult as f64;
        if i < b.len() {
            i += 1;
        }
    }
    (total <= f64::from(i32::MAX)).then_some(total as i64)
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

    /// What the full splitters make of a line: keyword, argument text and
    /// words (`None` for a line without a keyword or with a bad quote).
    fn full_split(line: &str) -> Option<(String, String, Vec<String>)> {
        let (k, r) = strdelim(line)?;
        let (k, r) = if k.is_empty() { strdelim(r?)? } else { (k, r) };
        if k.is_empty() || k.starts_with('#') {
            return None;
        }
        let r = trim_start(r.unwrap_or(""), b" \t\r\n");
        Some((k.into_owned(), r.to_string(), argv_split(r)?.to_vec()))
    }

    #[test]
    fn plain_split_agrees_with_the_full_splitters() {
        for line in [
            "Port 22",
            "  Port   22  x",
            "\tHostName\th",
            "User",
            "  User",
            "Host a b\tc",
            "Host 1 2 3 4 5 6 7 8",
        ] {
            let mut words = Words::default();
            let (keyword, rest) = plain_split(line, &mut words).unwrap();
            let (k, r, w) = full_split(line).unwrap();
            assert_eq!((keyword, rest), (k.as_str(), r.as_str()), "{line}");
            assert_eq!(words.to_vec(), w, "{line}");
        }
        for line in [
            "Port=22",
            "a \"b\"",
            "a 'b'",
            "a\\ b",
            "#x",
            "a #b",
            "a\rb",
            "\u{e9} x",
            "Host 1 2 3 4 5 6 7 8 9",
            "Port 22\nUser x",
            "Port 22\n",
        ] {
            assert!(plain_split(line, &mut Words::default()).is_none(), "{line}");
        }
    }

    #[test]
    fn scan_line_agrees_with_the_full_splitters_on_random_text() {
        let mut seed = 0x1234_5678_9abc_def1u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let pieces: [&str; 14] = [
            " ",
            "\t",
            "\n",
            "\r",
            "\x0c",
            "=",
            "#",
            "\"",
            "'",
            "\\",
            "\u{e9}",
            "\x7f",
            "Port",
            "host-1.example.com",
        ];
        let mut plain = 0;
        for _ in 0..20_000 {
            let n = (next() % 40) as usize;
            let mut text = String::new();
            for _ in 0..n {
                let r = next() % 100;
                let p = if r < 60 {
                    pieces[12 + (r % 2) as usize]
                } else if r < 85 {
                    pieces[(r % 3) as usize]
                } else {
                    pieces[(r % 12) as usize]
                };
                text.push_str(p);
            }
            let mut pos = 0;
            let mut words = Words::default();
            while pos < text.len() {
                let (line, next) = scan_line(&text, pos, &mut words);
                assert!(next > pos, "{text:?} at {pos}");
                let span = &text[pos..next];
                assert!(
                    next == text.len() || span.ends_with('\n'),
                    "{text:?} at {pos}: a line ends at a newline"
                );
                assert!(
                    !span.as_bytes()[..span.len() - 1].contains(&b'\n'),
                    "{text:?} at {pos}"
                );
                if let Line::Plain(k, r) = line {
                    // The full splitters see the line without its
                    // trailing blanks, as the option code gives it them.
                    let t = span.trim_end_matches(['\n', ' ', '\t']);
                    match full_split(t) {
                        Some((fk, fr, fw)) => {
                            plain += 1;
                            assert_eq!((k, r), (fk.as_str(), fr.as_str()), "{text:?} at {pos}");
                            assert_eq!(words.to_vec(), fw, "{text:?} at {pos}");
                        }
                        None => assert!(k.is_empty(), "{text:?} at {pos}: {k:?} from a blank"),
                    }
                }
                pos = next;
            }
        }
        assert!(plain > 10_000, "the generator makes plain lines ({plain})");
    }

    #[test]
    fn times_in_each_grammar() {
        use TimeGrammar::{Digits, Fractional, Strtol};
        // input, then the three grammars' answers (from probes/time.md).
        let cases: &[(&str, [Option<i64>; 3])] = &[
            ("1m30s", [Some(90); 3]),
            ("30", [Some(30); 3]),
            ("1x", [None; 3]),
            ("-1", [None; 3]),
            ("1H1", [Some(3601); 3]),
            ("", [None; 3]),
            ("+5", [Some(5), None, None]),
            ("-0", [Some(0), None, None]),
            (" 5", [Some(5), None, None]),
            ("30s30s", [Some(60), Some(60), None]),
            ("1M1s1S", [Some(62), Some(62), None]),
            ("5m5m5", [Some(605); 3]),
            ("1.5", [None, None, Some(1)]),
            (".5", [None, None, Some(0)]),
            ("1m1.5", [None, None, Some(61)]),
            ("1.5s1m", [None, None, Some(61)]),
            ("1.99999999999999999999", [None, None, Some(2)]),
            ("2147483647.0", [None, None, Some(2147483647)]),
            ("2147483647.5", [None; 3]),
            ("1.", [None; 3]),
            ("1.5m", [None; 3]),
            ("1..5", [None; 3]),
            ("1e3", [None; 3]),
            ("0x10", [None; 3]),
            ("5ss", [None; 3]),
            ("5,5", [None; 3]),
            ("00010", [Some(10); 3]),
            ("2147483648", [None; 3]),
            ("1W", [Some(604800); 3]),
        ];
        for (input, want) in cases {
            for (g, w) in [Strtol, Digits, Fractional].iter().zip(want) {
                assert_eq!(convtime(input, *g), *w, "{input:?} in {g:?}");
            }
        }
    }

    #[test]
    fn ports() {
        assert_eq!(a2port("22"), Some(22));
        assert_eq!(a2port("0022"), Some(22));
        assert_eq!(a2port("65536"), None);
        assert_eq!(a2port("no-such-service"), None);
    }
}
