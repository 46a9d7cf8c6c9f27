//! The lexical layer of the OpenSSH client configuration language: how a line
//! splits into words (quotes, escapes, `=`, comments), the `*`/`?` pattern
//! language with `!` lists, and time values with units.
//!
//! Hand-written because the exact rules (a `#` only starts a comment at the
//! start of a word, one `=` may stand for the separator, `"` quotes in the
//! keyword splitter but both quotes in the argument splitter) decide which
//! line ssh accepts and which value it takes; no library reproduces them.
//!
//! Every line of every file is read (ssh checks lines of blocks that do not
//! apply too), so the common plain line takes a fast path: each file is
//! classified once, sixteen bytes at a time with the `wide` crate's
//! portable SIMD (SSE2 on x86_64, NEON on aarch64, plain arrays elsewhere),
//! into three bit masks per 64 bytes ([`Masks`]); a line's words then fall
//! out of its 64-bit window of those masks ([`PlainLine`]) with no loop over
//! its bytes. The byte-at-a-time scanner gives the same answer and is kept
//! for long lines and as the reference in tests.

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

/// How many words the fast path keeps inline; longer lines take the full
/// splitters.
const INLINE: usize = 8;

/// Fast path for the common line (trailing whitespace already trimmed, not
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
#[inline(always)]
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

/// Bit masks of the sixteen bytes of `b` from `at` (bit k for byte at+k;
/// past the end of `b` counts as a newline): see [`classify16`].
#[inline(always)]
fn masks16(b: &[u8], at: usize) -> (u32, u32, u32) {
    let chunk: [u8; 16] = match b
        .get(at..at + 16)
        .and_then(|c| <[u8; 16]>::try_from(c).ok())
    {
        Some(c) => c,
        None => {
            let mut c = [b'\n'; 16];
            let rest = b.get(at..).unwrap_or(&[]);
            c[..rest.len()].copy_from_slice(rest);
            c
        }
    };
    classify16(chunk)
}

/// Bit masks of sixteen bytes (bit k for byte k): spaces and tabs,
/// newlines, and bytes that need the full splitters (class 0 of [`CLASS`]
/// but newline).
#[inline(always)]
fn classify16(chunk: [u8; 16]) -> (u32, u32, u32) {
    use wide::i8x16;
    let v = i8x16::new(chunk.map(|x| x.cast_signed()));
    let eq = |x: u8| v.simd_eq(i8x16::splat(x.cast_signed()));
    let ws = eq(b' ') | eq(b'\t');
    let nl = eq(b'\n');
    // Signed: below `!` also catches every byte from 0x80 up.
    let low = v.simd_lt(i8x16::splat(0x21));
    // `"` and `#` differ only in bit 0: one compare finds both.
    let quote_hash = (v | i8x16::splat(1)).simd_eq(i8x16::splat(b'#'.cast_signed()));
    let special = low | eq(0x7f) | quote_hash | eq(b'\'') | eq(b'=') | eq(b'\\');
    let special = special & !(ws | nl);
    (ws.to_bitmask(), nl.to_bitmask(), special.to_bitmask())
}

/// [`classify16`] for 64 bytes (`c` is 64 bytes long).
#[inline(always)]
fn masks64(c: &[u8]) -> [u64; 3] {
    let mut m = [0u64; 3];
    for k in 0..4 {
        let part = c
            .get(16 * k..16 * k + 16)
            .and_then(|p| <[u8; 16]>::try_from(p).ok())
            .unwrap_or([b'\n'; 16]);
        let (w, l, s) = classify16(part);
        m[0] |= u64::from(w) << (16 * k);
        m[1] |= u64::from(l) << (16 * k);
        m[2] |= u64::from(s) << (16 * k);
    }
    m
}

/// Scans the line of `text` that starts at `pos`: a plain line (see
/// [`plain_split`]) is split on the way, its words going to `words`; any
/// other line comes back raw. Returns the line and where the next one
/// starts. Lines up to 63 bytes are classified by [`masks16`]; longer ones
/// go to [`scan_line_bytes`], which gives the same answer.
#[inline(always)]
pub(crate) fn scan_line<'a>(text: &'a str, pos: usize, words: &mut Words<'a>) -> (Line<'a>, usize) {
    let b = text.as_bytes();
    let (mut ws, mut nl, mut special) = (0u64, 0u64, 0u64);
    let mut k = 0;
    while k < 64 {
        let (w, l, s) = masks16(b, pos + k);
        ws |= u64::from(w) << k;
        nl |= u64::from(l) << k;
        special |= u64::from(s) << k;
        if l != 0 {
            break;
        }
        k += 16;
    }
    split_masks(text, pos, [ws, nl, special], words)
}

/// [`scan_line`] given the masks of the 64 bytes from `pos`.
#[inline(always)]
fn split_masks<'a>(
    text: &'a str,
    pos: usize,
    masks: [u64; 3],
    words: &mut Words<'a>,
) -> (Line<'a>, usize) {
    let line = match PlainLine::of(masks, pos, text.len()) {
        Ok(line) => line,
        Err(Some(next)) => return (Line::Raw(&text[pos..next]), next),
        Err(None) => return scan_line_bytes(text, pos, words),
    };
    let next = line.next;
    if !matches!(words, Words::Plain(..)) {
        *words = Words::default();
    }
    let Words::Plain(w, count) = words else {
        return scan_line_bytes(text, pos, words);
    };
    *count = 0;
    if line.is_blank() {
        return (Line::Plain("", ""), next);
    }
    let (ks, ke) = line.keyword();
    let (mut first, mut last) = (ke, ke);
    for (s, e) in line.args() {
        if *count == INLINE {
            return (Line::Raw(&text[pos..next]), next);
        }
        if *count == 0 {
            first = s;
        }
        w[*count] = &text[pos + s..pos + e];
        *count += 1;
        last = e;
    }
    (
        Line::Plain(&text[pos + ks..pos + ke], &text[pos + first..pos + last]),
        next,
    )
}

/// The masks of [`classify16`] for a whole text, computed once per file
/// (each byte is classified once, not once per line that reads it): word
/// i holds bytes 64i to 64i+63; every position past the end is a newline.
pub(crate) struct Masks(Vec<[u64; 3]>);

/// A plain line (see [`plain_split`]) of at most 63 bytes, as
/// [`Masks::plain`] finds it from the masks alone: no word buffer, no
/// slicing. Word offsets count from the line's start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PlainLine {
    /// Bit k: byte k is part of a word.
    solid: u64,
    /// Bit k: a word starts at byte k.
    starts: u64,
    /// Where the next line starts (absolute).
    pub next: usize,
}

impl PlainLine {
    /// The line whose 64-byte window of masks is `masks` and which starts
    /// at `pos` of a text of `text_len` bytes. Not plain: `Err(Some(next
    /// line's start))` when a byte needs the full splitters,
    /// `Err(None)` when the line is longer than 63 bytes.
    #[inline(always)]
    fn of(
        [ws, nl, special]: [u64; 3],
        pos: usize,
        text_len: usize,
    ) -> Result<PlainLine, Option<usize>> {
        if nl == 0 {
            return Err(None);
        }
        let len = nl.trailing_zeros();
        let next = (pos + len as usize + 1).min(text_len);
        let below = (1u64 << len) - 1;
        if special & below != 0 {
            return Err(Some(next));
        }
        let solid = !ws & below;
        Ok(PlainLine {
            solid,
            // A word starts at each one whose lower neighbour is zero.
            starts: solid & !(solid << 1),
            next,
        })
    }

    /// Number of words, keyword included (0 for a blank line).
    #[cfg(test)]
    fn count(&self) -> u32 {
        self.starts.count_ones()
    }

    /// Is the line blank?
    #[inline(always)]
    pub(crate) fn is_blank(&self) -> bool {
        self.starts == 0
    }

    /// Are there words after the keyword?
    #[inline(always)]
    pub(crate) fn has_args(&self) -> bool {
        self.starts & self.starts.wrapping_sub(1) != 0
    }

    /// Is there exactly one word after the keyword? (Bit tricks, not a
    /// population count: baseline x86_64 has no instruction for one.)
    #[inline(always)]
    pub(crate) fn has_one_arg(&self) -> bool {
        let second = self.starts & self.starts.wrapping_sub(1);
        second != 0 && second & (second - 1) == 0
    }

    /// The first word (the keyword): its start and end (an empty span at
    /// 64 for a blank line).
    #[inline(always)]
    pub(crate) fn keyword(&self) -> (usize, usize) {
        let s = self.starts.trailing_zeros();
        let run = (!self.solid.checked_shr(s).unwrap_or(0)).trailing_zeros();
        (s as usize, (s + run).min(64) as usize)
    }

    /// From the start of the second word to the end of the last (the
    /// single argument of a two-word line).
    #[inline(always)]
    pub(crate) fn rest(&self) -> (usize, usize) {
        let second = self.starts & self.starts.wrapping_sub(1);
        (
            second.trailing_zeros() as usize,
            64 - self.solid.leading_zeros() as usize,
        )
    }

    /// The words after the keyword, in order: start and end of each.
    pub(crate) fn args(&self) -> impl Iterator<Item = (usize, usize)> + use<> {
        let solid = self.solid;
        let mut starts = self.starts & self.starts.wrapping_sub(1);
        std::iter::from_fn(move || {
            if starts == 0 {
                return None;
            }
            let s = starts.trailing_zeros() as usize;
            starts &= starts - 1;
            Some((s, s + (!(solid >> s)).trailing_zeros() as usize))
        })
    }
}

impl Masks {
    /// Classifies `text`, reusing `buf` (see [`Masks::into_buf`]).
    pub(crate) fn of(text: &str, mut buf: Vec<[u64; 3]>) -> Masks {
        let b = text.as_bytes();
        let full = b.len() / 64;
        buf.clear();
        buf.resize(full + 1, [0; 3]);
        for (m, c) in buf.iter_mut().zip(b.chunks_exact(64)) {
            *m = masks64(c);
        }
        // The last part word, padded with newlines.
        let rest = b.get(full * 64..).unwrap_or_default();
        let mut a = [b'\n'; 64];
        a[..rest.len()].copy_from_slice(rest);
        if let Some(m) = buf.last_mut() {
            *m = masks64(&a);
        }
        Masks(buf)
    }

    /// Gives the buffer back for the next file.
    pub(crate) fn into_buf(self) -> Vec<[u64; 3]> {
        self.0
    }

    /// The masks of the 64 bytes from `pos`.
    #[inline(always)]
    fn window(&self, pos: usize) -> [u64; 3] {
        const PAST: [u64; 3] = [0, u64::MAX, 0];
        let (i, s) = (pos / 64, pos % 64);
        let a = self.0.get(i).copied().unwrap_or(PAST);
        let b = self.0.get(i + 1).copied().unwrap_or(PAST);
        // Two shifts, so that s == 0 takes nothing from `b`.
        let join = |x: u64, y: u64| (x >> s) | ((y << 1) << (63 - s));
        [join(a[0], b[0]), join(a[1], b[1]), join(a[2], b[2])]
    }

    /// [`scan_line`] from the precomputed masks (`text` is the classified
    /// text).
    #[inline(always)]
    pub(crate) fn scan_line<'a>(
        &self,
        text: &'a str,
        pos: usize,
        words: &mut Words<'a>,
    ) -> (Line<'a>, usize) {
        split_masks(text, pos, self.window(pos), words)
    }

    /// The line at `pos` when it is plain (see [`plain_split`]) and at
    /// most 63 bytes.
    #[inline(always)]
    pub(crate) fn plain(&self, pos: usize, text_len: usize) -> Option<PlainLine> {
        PlainLine::of(self.window(pos), pos, text_len).ok()
    }
}

/// [`scan_line`] a byte at a time, with no limit on the line's length.
#[inline(never)]
pub(crate) fn scan_line_bytes<'a>(
    text: &'a str,
    pos: usize,
    words: &mut Words<'a>,
) -> (Line<'a>, usize) {
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

/// The words of a line: borrowed in place by the fast path, or built by the
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

/// `*` and `?` wildcard match of a whole string, byte-wise.
pub(crate) fn match_pattern(s: &str, pattern: &str) -> bool {
    // Most patterns are names that end in a plain byte: a different last
    // byte settles it at once.
    if let (Some(&pl), Some(&sl)) = (pattern.as_bytes().last(), s.as_bytes().last())
        && pl != b'*'
        && pl != b'?'
        && pl != sl
    {
        return false;
    }
    wild_match(s.as_bytes(), pattern.as_bytes(), Fold::None)
}

/// Which side of a match is taken in lowercase (as if lowercased first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fold {
    None,
    Pattern,
    Both,
}

/// The wildcard match behind [`match_pattern`], lowercasing on the fly.
fn wild_match(s: &[u8], p: &[u8], fold: Fold) -> bool {
    let pc = |c: u8| {
        if fold == Fold::None {
            c
        } else {
            c.to_ascii_lowercase()
        }
    };
    let sc = |c: u8| {
        if fold == Fold::Both {
            c.to_ascii_lowercase()
        } else {
            c
        }
    };
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
            return (si..=s.len()).any(|k| wild_match(&s[k..], &p[pi..], fold));
        }
        if si == s.len() {
            return false;
        }
        if p[pi] != b'?' && pc(p[pi]) != sc(s[si]) {
            return false;
        }
        si += 1;
        pi += 1;
    }
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
    pattern_list(s, list, if lower { Fold::Pattern } else { Fold::None })
}

fn pattern_list(s: &str, list: &str, fold: Fold) -> ListMatch {
    let mut got = false;
    for sub in list.split(',') {
        let (neg, pat) = match sub.strip_prefix('!') {
            Some(p) => (true, p),
            None => (false, sub),
        };
        if pat.len() >= 1023 {
            return ListMatch::No;
        }
        if wild_match(s.as_bytes(), pat.as_bytes(), fold) {
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
    pattern_list(host, list, Fold::Both)
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

/// The common case of [`a2port`], one to four digits, without the general
/// parser; `None` for anything else (which [`a2port`] may still accept).
#[inline(always)]
pub(crate) fn a2port_digits(s: &[u8]) -> Option<u16> {
    if s.is_empty() || s.len() > 4 {
        return None;
    }
    let mut v: u16 = 0;
    for &c in s {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u16::from(c - b'0');
    }
    Some(v)
}

/// A port number or a TCP service name from `/etc/services`; `None` when
/// neither (ssh's `a2port`).
pub(crate) fn a2port(s: &str) -> Option<u16> {
    if let Some(v) = a2port_digits(s.as_bytes()) {
        return Some(v);
    }
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
            "Host 1 2 3 4 5 6 7 8",
        ] {
            let mut words = Words::default();
            let (keyword, rest) = plain_split(line, &mut words).unwrap();
            let (sk, sr) = strdelim(line).unwrap();
            let (sk, sr) = if sk.is_empty() {
                strdelim(sr.unwrap()).unwrap()
            } else {
                (sk, sr)
            };
            assert_eq!(keyword, sk);
            let sr = trim_start(sr.unwrap_or(""), b" \t\r\n");
            assert_eq!(rest, sr);
            assert_eq!(words.to_vec(), argv_split(sr).unwrap().to_vec());
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
    fn classify16_agrees_with_the_class_table_for_every_byte() {
        for x in 0..=255u8 {
            let mut chunk = [b'a'; 16];
            chunk[x as usize % 16] = x;
            let (ws, nl, special) = classify16(chunk);
            let bit = 1u32 << (x as usize % 16);
            let class = CLASS[usize::from(x)];
            assert_eq!(ws == bit, class == 1, "{x:#x} ws");
            assert_eq!(nl == bit, x == b'\n', "{x:#x} nl");
            assert_eq!(special == bit, class == 0 && x != b'\n', "{x:#x} special");
            assert_eq!(
                ws | nl | special,
                if class == 2 { 0 } else { bit },
                "{x:#x}"
            );
        }
    }

    #[test]
    fn scan_line_masks_agree_with_bytes() {
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
        for _ in 0..30_000 {
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
            let (mut w1, mut w2, mut w3) = (Words::default(), Words::default(), Words::default());
            let masks = Masks::of(&text, Vec::new());
            while pos < text.len() {
                let (a, na) = scan_line(&text, pos, &mut w1);
                let (b, nb) = scan_line_bytes(&text, pos, &mut w2);
                let (c, nc) = masks.scan_line(&text, pos, &mut w3);
                assert_eq!((a, na), (b, nb), "{text:?} at {pos}");
                assert_eq!((a, na), (c, nc), "{text:?} at {pos}");
                if let Line::Plain(..) = a {
                    assert_eq!(w1.to_vec(), w2.to_vec(), "{text:?} at {pos}");
                    assert_eq!(w1.to_vec(), w3.to_vec(), "{text:?} at {pos}");
                }
                // The mask-only view of a plain line gives the same words.
                if let Some(p) = masks.plain(pos, text.len()) {
                    let Line::Plain(k, r) = a else {
                        panic!("{text:?} at {pos}: plain by masks, raw by scan_line");
                    };
                    assert_eq!(p.next, na);
                    let all: Vec<&str> = std::iter::once(p.keyword())
                        .filter(|_| p.count() > 0)
                        .chain(p.args())
                        .map(|(s, e)| &text[pos + s..pos + e])
                        .collect();
                    let mut want = vec![k];
                    want.extend(w1.iter());
                    want.retain(|w| !w.is_empty());
                    assert_eq!(all, want, "{text:?} at {pos}");
                    assert_eq!(p.count() as usize, want.len());
                    assert_eq!(p.is_blank(), want.is_empty());
                    assert_eq!(p.has_args(), want.len() > 1);
                    assert_eq!(p.has_one_arg(), want.len() == 2);
                    if p.count() == 2 {
                        let (s, e) = p.rest();
                        assert_eq!(&text[pos + s..pos + e], r);
                    }
                } else if let Line::Plain(..) = a {
                    // Only long lines are plain to scan_line alone.
                    assert!(na - pos >= 64, "{text:?} at {pos}");
                }
                pos = na;
            }
        }
    }

    #[test]
    fn scan_line_agrees_with_split() {
        let lines = [
            "",
            "\n",
            "  \t\n",
            "Port 22\n",
            "  Port   22  x  \n",
            "User",
            "Host a b\tc\n",
            "Port 22\r\n",
            "Port=22\n",
            "a 'b'\n",
            "#c\n",
            "x\x0c\n",
            "Host 1 2 3 4 5 6 7 8 9\n",
            "\u{e9} x\n",
        ];
        for a in lines {
            for b in lines {
                let text = format!("{a}{b}");
                let mut pos = 0;
                let mut got = Vec::new();
                let mut words = Words::default();
                while pos < text.len() {
                    let (line, next) = scan_line(&text, pos, &mut words);
                    assert!(next > pos);
                    let (l, w) = match line {
                        Line::Plain(k, r) => (format!("{k}|{r}"), words.to_vec()),
                        Line::Raw(raw) => {
                            let t = raw.trim_end_matches([' ', '\t', '\r', '\n', '\x0c']);
                            let mut w2 = Words::default();
                            match plain_split(t, &mut w2) {
                                Some((k, r)) if !t.is_empty() => {
                                    assert!(raw.contains(['\r', '\x0c']), "{raw:?}");
                                    (format!("{k}|{r}"), w2.to_vec())
                                }
                                _ => (format!("raw {raw:?}"), Vec::new()),
                            }
                        }
                    };
                    got.push((l, w, &text[pos..next]));
                    pos = next;
                }
                let want: Vec<&str> = text.split_inclusive('\n').collect();
                assert_eq!(got.len(), want.len(), "{text:?}");
                for ((l, w, span), want) in got.iter().zip(&want) {
                    assert_eq!(span, want);
                    let t = want.trim_end_matches([' ', '\t', '\r', '\n', '\x0c']);
                    let mut w2 = Words::default();
                    if let Some((k, r)) = plain_split(t, &mut w2) {
                        assert_eq!(l, &format!("{k}|{r}"));
                        assert_eq!(w, &w2.to_vec());
                    } else if !t.trim_start_matches([' ', '\t']).is_empty() {
                        assert!(l.starts_with("raw "), "{want:?} gave {l}");
                    }
                }
            }
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
        // Folding on the fly equals lowercasing first.
        let hosts = ["Host-1.Example.COM", "a", "B", "xY", ""];
        let lists = ["*.example.com", "HOST-?.*", "!x*,*", "a,B", "?", "*Y", "X?"];
        for h in hosts {
            for l in lists {
                let lowered =
                    match_pattern_list(&h.to_ascii_lowercase(), &l.to_ascii_lowercase(), false);
                assert_eq!(match_hostname(h, l), lowered, "{h} {l}");
                let pat_only = match_pattern_list(h, &l.to_ascii_lowercase(), false);
                assert_eq!(match_pattern_list(h, l, true), pat_only, "{h} {l}");
            }
        }
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
