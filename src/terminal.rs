//! Text that is safe to show on a terminal. Configs, ref names, URLs,
//! remote names and the output of git and ssh can hold control characters
//! and escape sequences (a colour, a cursor move, a rewritten window title,
//! a carriage return that paints over the line before it, a right-to-left
//! override that turns a path around); pushguard shows them escaped, never
//! raw, and cuts a value that would fill a screen.
//!
//! The rule, in one place:
//! - [`sink`]: everything `run` writes to stdout or stderr passes here.
//!   Every control character but newline and tab (C0, DEL, C1) and every
//!   invisible Unicode format character (bidi overrides and isolates,
//!   zero-width ones, the byte-order mark) is written as `\u{..}`; a text
//!   line longer than [`LINE`] characters keeps its start and end around
//!   `[… N bytes cut …]`. JSON is escaped the same way with JSON's own
//!   `\uXXXX` (still valid JSON) and never cut.
//! - [`Shown`]: a value inside a message: quoted like Rust's `{:?}` (so a
//!   newline cannot start a fake line), cut to [`VALUE`] characters.
//! - [`one_line`]: a message from git or ssh that must fit the hook's one
//!   line: its lines joined with `; `.

use std::borrow::Cow;
use std::fmt;

/// The longest text line shown whole, in characters.
pub const LINE: usize = 1000;

/// The longest value shown whole inside a message, in characters.
pub const VALUE: usize = 120;

/// How a stream is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Text for people: escaped, long lines cut.
    Text,
    /// `ssh -G`-style dump: escaped, never cut (scripts read every value).
    Dump,
    /// JSON: escaped as JSON, never cut.
    Json,
}

/// True for a character a terminal would act on or hide.
pub fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c,
            '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}')
}

/// `text` as it may be written to a terminal (see the module doc).
pub fn sink(text: &str, stream: Stream) -> Cow<'_, str> {
    let escaped = escape_with(text, stream);
    if stream != Stream::Text || !escaped.lines().any(|l| l.chars().count() > LINE) {
        return escaped;
    }
    let mut out = String::with_capacity(escaped.len().min(1 << 20));
    for piece in escaped.split_inclusive('\n') {
        let (line, nl) = match piece.strip_suffix('\n') {
            Some(l) => (l, "\n"),
            None => (piece, ""),
        };
        out.push_str(&cut_middle(line, LINE));
        out.push_str(nl);
    }
    Cow::Owned(out)
}

fn escape_with(text: &str, stream: Stream) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match (is_unsafe(c), stream) {
            (false, _) => out.push(c),
            (true, Stream::Json) => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            (true, _) => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
        }
    }
    Cow::Owned(out)
}

/// `s` cut to `max` characters: its start and end around `[… N bytes cut …]`.
pub fn cut_middle(s: &str, max: usize) -> Cow<'_, str> {
    let n = s.chars().count();
    if n <= max {
        return Cow::Borrowed(s);
    }
    let head = max * 3 / 5;
    let tail = max / 5;
    let start = s.char_indices().nth(head).map_or(s.len(), |(i, _)| i);
    let end = s.char_indices().nth(n - tail).map_or(s.len(), |(i, _)| i);
    Cow::Owned(format!(
        "{}[… {} bytes cut …]{}",
        &s[..start],
        end - start,
        &s[end..]
    ))
}

/// A value inside a message: quoted and escaped like `{:?}`, cut to
/// [`VALUE`] characters.
#[derive(Debug, Clone, Copy)]
pub struct Shown<'a>(pub &'a str);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cut = cut_middle(self.0, VALUE);
        let quoted = format!("{:?}", cut.as_ref());
        f.write_str(&escape_with(&quoted, Stream::Text))
    }
}

/// A value inside a line of text: a newline or tab in it is escaped too,
/// so it cannot start a line of its own (the rest is [`sink`]'s).
pub fn inline(s: &str) -> Cow<'_, str> {
    if !s.contains(['\n', '\t']) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.replace('\n', "\\n").replace('\t', "\\t"))
}

/// A message (git's or ssh's stderr, several lines) as one line: its
/// non-blank lines trimmed and joined with `; `.
pub fn one_line(s: &str) -> String {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_and_controls_are_shown_escaped() {
        let evil = "ok\x1b[2J\x1b]0;pwned\x07 \r\u{9b}31m \u{202e}gnp.exe\u{7f}\tend\n";
        let shown = sink(evil, Stream::Text);
        assert_eq!(
            shown,
            "ok\\u{1b}[2J\\u{1b}]0;pwned\\u{7} \\u{d}\\u{9b}31m \\u{202e}gnp.exe\\u{7f}\tend\n"
        );
        assert!(!shown.chars().any(is_unsafe));
        assert_eq!(sink("plain text\n", Stream::Text), "plain text\n");
        assert!(matches!(sink("plain", Stream::Text), Cow::Borrowed(_)));
    }

    #[test]
    fn json_stays_json() {
        let v = serde_json::json!({"url": "ssh://h/\u{1b}[31m\u{9b}\u{202e}\u{7f}"});
        let text = format!("{v:#}");
        let safe = sink(&text, Stream::Json);
        assert!(!safe.chars().any(is_unsafe), "{safe}");
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn long_lines_keep_their_start_and_end() {
        let long = format!("pushguard: {}; letting it go on\n", "k".repeat(1 << 20));
        let shown = sink(&long, Stream::Text);
        assert!(shown.starts_with("pushguard: kkk"));
        assert!(shown.ends_with("kkk; letting it go on\n"));
        assert!(
            shown.contains("[… 1047805 bytes cut …]"),
            "{}",
            &shown[..700]
        );
        assert!(shown.chars().count() < LINE + 40);
        assert_eq!(sink(&long, Stream::Dump), long, "a dump is never cut");
        let multibyte = "é".repeat(2000);
        assert!(cut_middle(&multibyte, 10).starts_with("éééééé[… "));
    }

    #[test]
    fn a_value_is_quoted_escaped_and_cut() {
        assert_eq!(Shown("main").to_string(), "\"main\"");
        assert_eq!(Shown("a\nb\u{1b}").to_string(), "\"a\\nb\\u{1b}\"");
        assert_eq!(Shown("\u{202e}x").to_string(), "\"\\u{202e}x\"");
        let s = Shown(&"x".repeat(5000)).to_string();
        assert!(s.len() < VALUE + 40 && s.contains("bytes cut"), "{s}");
    }

    #[test]
    fn a_value_in_a_line_cannot_start_another() {
        assert_eq!(inline("a\nverdict    ok\tx"), "a\\nverdict    ok\\tx");
        assert!(matches!(inline("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn a_message_fits_one_line() {
        assert_eq!(
            one_line("fatal: bad\n\nhint: try this\n  hint: or that \n"),
            "fatal: bad; hint: try this; hint: or that"
        );
    }
}
