//! The edit of an ssh config file's bytes, once `placement` has chosen
//! where: a value changed in place, lines added after a block's header, or
//! a new `Host` block before a line (or at the end). Every other byte stays;
//! added lines take the file's line ending (CRLF or LF) and the
//! indentation its blocks use. Also the unified diff that shows it.
//!
//! - [`Place`]: where; [`realize`]: the new bytes and the lines that now set the keys.
//! - [`unified`]: the diff of two texts (one changed region, 3 lines of context).

use std::path::PathBuf;

/// A keepalive key the fix writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Key {
    /// `ServerAliveInterval`.
    Interval,
    /// `ServerAliveCountMax`.
    CountMax,
}

impl Key {
    /// The keyword as the fix writes it.
    pub fn keyword(self) -> &'static str {
        match self {
            Key::Interval => "ServerAliveInterval",
            Key::CountMax => "ServerAliveCountMax",
        }
    }

    /// The `ssh -G` key.
    pub fn ssh_g(self) -> &'static str {
        match self {
            Key::Interval => "serveraliveinterval",
            Key::CountMax => "serveralivecountmax",
        }
    }
}

/// Where the new lines go in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// Change the value on these lines; add the keys in `add` after the last one.
    Values {
        /// The file.
        file: PathBuf,
        /// 1-based lines and the key each sets.
        lines: Vec<(usize, Key)>,
        /// Keys no line sets yet.
        add: Vec<Key>,
    },
    /// Add the lines right after this `Host` line.
    AfterHeader {
        /// The file.
        file: PathBuf,
        /// The 1-based line of the block's header.
        header: usize,
    },
    /// A new `Host <alias>` block.
    NewBlock {
        /// The file.
        file: PathBuf,
        /// Where.
        before: Before,
    },
}

impl Place {
    /// The file edited.
    pub fn file(&self) -> &PathBuf {
        match self {
            Place::Values { file, .. }
            | Place::AfterHeader { file, .. }
            | Place::NewBlock { file, .. } => file,
        }
    }
}

/// The 1-based line on which each key is set.
pub type KeyLines = Vec<(Key, usize)>;

/// Where a new block goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Before {
    /// Before this 1-based line (a Host/Match header).
    Line(usize),
    /// Before the file's first option line, closed by `Host *` so that the
    /// global options after it still apply to every host.
    Globals,
    /// At the end of the file.
    End,
}

/// One line: where it starts, where its text ends, where the next starts.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: usize,
    text_end: usize,
    end: usize,
}

fn lines(text: &[u8]) -> Vec<Span> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let end = text[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(text.len(), |p| start + p + 1);
        let mut text_end = end;
        while text_end > start && matches!(text[text_end - 1], b'\n' | b'\r') {
            text_end -= 1;
        }
        out.push(Span {
            start,
            text_end,
            end,
        });
        start = end;
    }
    out
}

/// The first word of a line, lowercased (`None` for a blank or comment line);
/// ssh ends a keyword at white space or `=`.
pub fn keyword(line: &[u8]) -> Option<String> {
    let s = line.iter().position(|b| !b" \t\r\x0c".contains(b))?;
    if line[s] == b'#' || line[s] == b'\n' {
        return None;
    }
    let e = line[s..]
        .iter()
        .position(|b| b" \t\r\n=".contains(b))
        .map_or(line.len(), |p| s + p);
    (e > s).then(|| String::from_utf8_lossy(&line[s..e]).to_ascii_lowercase())
}

fn is_header(line: &[u8]) -> bool {
    matches!(keyword(line).as_deref(), Some("host" | "match"))
}

fn indent_of(line: &[u8]) -> &[u8] {
    let n = line
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t'))
        .count();
    &line[..n]
}

/// The file's line ending and the indentation of its blocks' options.
struct Style {
    eol: &'static [u8],
    indent: Vec<u8>,
}

fn style(text: &[u8], spans: &[Span]) -> Style {
    let eol: &'static [u8] = match spans.first() {
        Some(s) if s.end > s.text_end && text[s.text_end] == b'\r' => b"\r\n",
        _ => b"\n",
    };
    let mut after_header = false;
    let mut indent = b"    ".to_vec();
    for s in spans {
        let line = &text[s.start..s.text_end];
        if is_header(line) {
            after_header = true;
        } else if after_header && keyword(line).is_some() {
            indent = indent_of(line).to_vec();
            break;
        }
    }
    Style { eol, indent }
}

/// The byte range of a line's first value (after the keyword, white space
/// and an optional `=`); a quoted value includes its quotes.
fn value_range(line: &[u8]) -> Option<(usize, usize)> {
    let mut i = line.iter().position(|b| !b" \t".contains(b))?;
    while i < line.len() && !b" \t=".contains(&line[i]) {
        i += 1;
    }
    while i < line.len() && b" \t".contains(&line[i]) {
        i += 1;
    }
    if line.get(i) == Some(&b'=') {
        i += 1;
        while i < line.len() && b" \t".contains(&line[i]) {
            i += 1;
        }
    }
    let start = i;
    if line.get(i) == Some(&b'"') {
        let close = line[i + 1..].iter().position(|&b| b == b'"')?;
        return Some((start, i + close + 2));
    }
    while i < line.len() && !b" \t\r\n".contains(&line[i]) {
        i += 1;
    }
    (i > start).then_some((start, i))
}

fn option_line(indent: &[u8], key: Key, value: u64, eol: &[u8]) -> Vec<u8> {
    let mut l = indent.to_vec();
    l.extend_from_slice(format!("{} {value}", key.keyword()).as_bytes());
    l.extend_from_slice(eol);
    l
}

/// The new bytes of `text` with `keys` set at `place` for `alias`, and the
/// 1-based line where each key is now set; `Err` when the file no longer
/// has the lines the place names.
pub fn realize(
    text: &[u8],
    place: &Place,
    keys: &[(Key, u64)],
    alias: &str,
) -> Result<(Vec<u8>, KeyLines), String> {
    let spans = lines(text);
    let st = style(text, &spans);
    let value_of = |k: Key| keys.iter().find(|(x, _)| *x == k).map_or(0, |(_, v)| *v);
    let span = |n: usize| {
        n.checked_sub(1)
            .and_then(|i| spans.get(i))
            .copied()
            .ok_or_else(|| format!("line {n} is not in the file any more"))
    };
    let mut out = Vec::with_capacity(text.len() + 128);
    let mut at = Vec::new();
    match place {
        Place::Values {
            lines: edits, add, ..
        } => {
            let mut last = 0;
            let mut pos = 0;
            for &(n, k) in edits {
                let s = span(n)?;
                let (vs, ve) = value_range(&text[s.start..s.text_end])
                    .ok_or_else(|| format!("line {n} has no value"))?;
                out.extend_from_slice(&text[pos..s.start + vs]);
                out.extend_from_slice(value_of(k).to_string().as_bytes());
                pos = s.start + ve;
                at.push((k, n));
                last = last.max(n);
            }
            let s = span(last)?;
            out.extend_from_slice(&text[pos..s.end]);
            let mut pieces = Vec::new();
            if s.end == s.text_end && !add.is_empty() {
                pieces.push((None, st.eol.to_vec()));
            }
            let indent = indent_of(&text[s.start..s.text_end]).to_vec();
            for &k in add {
                pieces.push((Some(k), option_line(&indent, k, value_of(k), st.eol)));
            }
            insert(&mut out, &mut at, pieces);
            out.extend_from_slice(&text[s.end..]);
        }
        Place::AfterHeader { header, .. } => {
            let s = span(*header)?;
            out.extend_from_slice(&text[..s.end]);
            let next = spans.get(*header).map(|n| &text[n.start..n.text_end]);
            let indent = match next {
                Some(l) if keyword(l).is_some() && !is_header(l) => indent_of(l).to_vec(),
                _ => st.indent.clone(),
            };
            let mut pieces = Vec::new();
            if s.end == s.text_end {
                pieces.push((None, st.eol.to_vec()));
            }
            for &(k, v) in keys {
                pieces.push((Some(k), option_line(&indent, k, v, st.eol)));
            }
            insert(&mut out, &mut at, pieces);
            out.extend_from_slice(&text[s.end..]);
        }
        Place::NewBlock { before, .. } => {
            let cut = match before {
                Before::Line(n) => span(*n)?.start,
                Before::Globals => spans
                    .iter()
                    .find(|s| keyword(&text[s.start..s.text_end]).is_some())
                    .map_or(text.len(), |s| s.start),
                Before::End => text.len(),
            };
            out.extend_from_slice(&text[..cut]);
            let mut pieces = Vec::new();
            if *before == Before::End && !text.is_empty() {
                if !text.ends_with(b"\n") {
                    pieces.push((None, st.eol.to_vec()));
                }
                let last_blank = spans
                    .last()
                    .is_some_and(|s| text[s.start..s.text_end].iter().all(|b| b" \t".contains(b)));
                if !last_blank {
                    pieces.push((None, st.eol.to_vec()));
                }
            }
            let mut head = format!("Host {alias}").into_bytes();
            head.extend_from_slice(st.eol);
            pieces.push((None, head));
            for &(k, v) in keys {
                pieces.push((Some(k), option_line(&st.indent, k, v, st.eol)));
            }
            if *before != Before::End {
                pieces.push((None, st.eol.to_vec()));
            }
            if *before == Before::Globals {
                let mut all = b"Host *".to_vec();
                all.extend_from_slice(st.eol);
                pieces.push((None, all));
            }
            insert(&mut out, &mut at, pieces);
            out.extend_from_slice(&text[cut..]);
        }
    }
    Ok((out, at))
}

/// Appends the new lines, recording the line each key is set on.
fn insert(out: &mut Vec<u8>, at: &mut Vec<(Key, usize)>, pieces: Vec<(Option<Key>, Vec<u8>)>) {
    for (key, bytes) in pieces {
        if let Some(k) = key {
            at.push((k, out.iter().filter(|&&b| b == b'\n').count() + 1));
        }
        out.extend_from_slice(&bytes);
    }
}

/// A unified diff of `old` and `new` (labelled `label`): the changed region
/// with 3 lines of context; line endings are not shown.
pub fn unified(label: &str, old: &[u8], new: &[u8]) -> String {
    let text = |b: &[u8]| -> Vec<String> {
        let spans = lines(b);
        spans
            .iter()
            .map(|s| String::from_utf8_lossy(&b[s.start..s.text_end]).into_owned())
            .collect()
    };
    let (a, b) = (text(old), text(new));
    if a == b && old == new {
        return String::new();
    }
    let pre = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let max_suf = a.len().min(b.len()) - pre;
    let suf = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take(max_suf)
        .take_while(|(x, y)| x == y)
        .count();
    let from = pre.saturating_sub(3);
    let a_to = (a.len() - suf + 3).min(a.len());
    let b_to = (b.len() - suf + 3).min(b.len());
    let range = |start: usize, end: usize| {
        let len = end - start;
        let first = if len == 0 { start } else { start + 1 };
        format!("{first},{len}")
    };
    let mut out = format!(
        "--- {label}\n+++ {label}\n@@ -{} +{} @@\n",
        range(from, a_to),
        range(from, b_to)
    );
    for l in &a[from..pre] {
        out.push_str(&format!(" {l}\n"));
    }
    for l in &a[pre..a.len() - suf] {
        out.push_str(&format!("-{l}\n"));
    }
    for l in &b[pre..b.len() - suf] {
        out.push_str(&format!("+{l}\n"));
    }
    for l in &a[a.len() - suf..a_to] {
        out.push_str(&format!(" {l}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEYS: &[(Key, u64)] = &[(Key::Interval, 30), (Key::CountMax, 4)];

    fn run(text: &str, place: Place) -> (String, Vec<(Key, usize)>) {
        let (b, at) = realize(text.as_bytes(), &place, KEYS, "h").unwrap();
        (String::from_utf8(b).unwrap(), at)
    }

    fn new_block(before: Before) -> Place {
        Place::NewBlock {
            file: "/c".into(),
            before,
        }
    }

    #[test]
    fn a_new_block_before_a_header_keeps_every_other_byte() {
        let text = "# mine\nHost *\n\tServerAliveInterval 0\n";
        let (t, at) = run(text, new_block(Before::Line(2)));
        assert_eq!(
            t,
            "# mine\nHost h\n\tServerAliveInterval 30\n\tServerAliveCountMax 4\n\nHost *\n\tServerAliveInterval 0\n"
        );
        assert_eq!(at, [(Key::Interval, 3), (Key::CountMax, 4)]);
    }

    #[test]
    fn above_global_options_closes_with_host_star() {
        let text = "# top\r\n\r\nServerAliveInterval 0\r\nHost x\r\n  User y\r\n";
        let (t, at) = run(text, new_block(Before::Globals));
        assert_eq!(
            t,
            "# top\r\n\r\nHost h\r\n  ServerAliveInterval 30\r\n  ServerAliveCountMax 4\r\n\r\nHost *\r\nServerAliveInterval 0\r\nHost x\r\n  User y\r\n"
        );
        assert_eq!(at, [(Key::Interval, 4), (Key::CountMax, 5)]);
    }

    #[test]
    fn at_the_end_after_a_blank_line() {
        let (t, at) = run("Host x\n    User y", new_block(Before::End));
        assert_eq!(
            t,
            "Host x\n    User y\n\nHost h\n    ServerAliveInterval 30\n    ServerAliveCountMax 4\n"
        );
        assert_eq!(at, [(Key::Interval, 5), (Key::CountMax, 6)]);
        let (t, _) = run("", new_block(Before::End));
        assert_eq!(
            t,
            "Host h\n    ServerAliveInterval 30\n    ServerAliveCountMax 4\n"
        );
    }

    #[test]
    fn in_place_changes_only_the_value() {
        let text = "Host h\n  ServerAliveInterval=\"900\" # slow\n  User git\n";
        let place = Place::Values {
            file: "/c".into(),
            lines: vec![(2, Key::Interval)],
            add: vec![Key::CountMax],
        };
        let (t, at) = run(text, place);
        assert_eq!(
            t,
            "Host h\n  ServerAliveInterval=30 # slow\n  ServerAliveCountMax 4\n  User git\n"
        );
        assert_eq!(at, [(Key::Interval, 2), (Key::CountMax, 3)]);
    }

    #[test]
    fn into_a_block_with_its_indentation() {
        let text = "Host h\n\tUser git\nHost *\n  ServerAliveInterval 0\n";
        let place = Place::AfterHeader {
            file: "/c".into(),
            header: 1,
        };
        let (t, at) = run(text, place);
        assert_eq!(
            t,
            "Host h\n\tServerAliveInterval 30\n\tServerAliveCountMax 4\n\tUser git\nHost *\n  ServerAliveInterval 0\n"
        );
        assert_eq!(at, [(Key::Interval, 2), (Key::CountMax, 3)]);
    }

    #[test]
    fn keywords_and_values() {
        assert_eq!(keyword(b"  Host=x").as_deref(), Some("host"));
        assert_eq!(keyword(b" # c"), None);
        assert_eq!(keyword(b"\r"), None);
        assert_eq!(value_range(b"K 1"), Some((2, 3)));
        assert_eq!(value_range(b"K = 12 x"), Some((4, 6)));
        assert_eq!(value_range(b"K"), None);
    }

    #[test]
    fn diff_shows_one_hunk_with_context() {
        let old = b"a\nb\nc\nd\ne\nf\ng\n";
        let new = b"a\nb\nc\nd\nX\nY\ne\nf\ng\n";
        assert_eq!(
            unified("/c", old, new),
            "--- /c\n+++ /c\n@@ -2,6 +2,8 @@\n b\n c\n d\n+X\n+Y\n e\n f\n g\n"
        );
        assert_eq!(
            unified("/c", b"", b"x\n"),
            "--- /c\n+++ /c\n@@ -0,0 +1,1 @@\n+x\n"
        );
    }
}
