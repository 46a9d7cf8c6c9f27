//! Where a config value was set: the origin `git config --show-origin`
//! names (a file, the command line, a blob…), and for a file the line,
//! found by reading the file when that can be done without doubt.
//!
//! git prints no line numbers. The line is the last one in the file that
//! sets the key, in its section, to the value git reports; a file with a
//! continued line (a trailing backslash) is not searched, since a line
//! inside a continued value can look like a setting. Then only the file
//! is named. Only asked when a value is bad, so the extra git process is
//! paid only on that path.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where a config value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigOrigin {
    /// A config file, and the line when it could be found.
    File {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: Option<usize>,
    },
    /// `git -c` or `GIT_CONFIG_PARAMETERS`.
    CommandLine,
    /// Another origin, as git names it (`blob:…`, `standard input`).
    Other(String),
}

impl fmt::Display for ConfigOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigOrigin::File {
                path,
                line: Some(n),
            } => write!(f, "{}:{n}", path.display()),
            ConfigOrigin::File { path, line: None } => {
                write!(f, "{} (line unknown)", path.display())
            }
            ConfigOrigin::CommandLine => {
                f.write_str("the command line (git -c or GIT_CONFIG_PARAMETERS)")
            }
            ConfigOrigin::Other(what) => f.write_str(what),
        }
    }
}

/// Where the value of `key` that git uses (the last one) was set, asking
/// git in `dir`; `None` when git does not say.
pub fn config_origin(dir: &Path, key: &str) -> Option<ConfigOrigin> {
    let out = super::command(dir, &["config", "--show-origin", "-z", "--get-all", key])
        .run()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let fields: Vec<&str> = text.split('\0').collect();
    let (origin, value) = fields
        .chunks_exact(2)
        .map(|pair| (pair[0], pair[1]))
        .next_back()?;
    Some(match origin.split_once(':') {
        Some(("file", path)) => {
            let path = dir.join(path);
            let line = std::fs::read_to_string(&path)
                .ok()
                .and_then(|t| line_of(&t, key, value));
            ConfigOrigin::File { path, line }
        }
        Some(("command line", _)) => ConfigOrigin::CommandLine,
        _ => ConfigOrigin::Other(origin.to_string()),
    })
}

/// The last line of a config file's `text` that sets `key` to `value`;
/// `None` when there is none or the file cannot be read without doubt.
fn line_of(text: &str, key: &str, value: &str) -> Option<usize> {
    let (section, name) = key.rsplit_once('.')?;
    let (want_section, want_sub) = match section.split_once('.') {
        Some((s, sub)) => (s, Some(sub)),
        None => (section, None),
    };
    let mut current: Option<(String, Option<String>)> = None;
    let mut found = None;
    for (i, raw) in text.lines().enumerate() {
        let mut line = raw.trim_start();
        if line.trim_end().ends_with('\\') {
            return None;
        }
        if line.starts_with('[') {
            let (header, rest) = header(line)?;
            current = Some(header);
            line = rest.trim_start();
        }
        let Some((n, v)) = setting(line) else {
            continue;
        };
        let here = current.as_ref().is_some_and(|(s, sub)| {
            s.eq_ignore_ascii_case(want_section) && sub.as_deref() == want_sub
        });
        if here && n.eq_ignore_ascii_case(name) && v == value {
            found = Some(i + 1);
        }
    }
    found
}

/// A section header at the start of `line` and what follows it:
/// `[section]`, `[section "sub"]`, or the old `[section.sub]`.
fn header(line: &str) -> Option<((String, Option<String>), &str)> {
    let inner = line.strip_prefix('[')?;
    match inner.find('"') {
        Some(q) if q < inner.find(']')? => {
            let section = inner[..q].trim().to_string();
            let mut sub = String::new();
            let mut chars = inner[q + 1..].char_indices();
            while let Some((j, c)) = chars.next() {
                match c {
                    '\\' => sub.push(chars.next()?.1),
                    '"' => {
                        let after = &inner[q + 1 + j + 1..];
                        let rest = after.trim_start().strip_prefix(']')?;
                        return Some(((section, Some(sub)), rest));
                    }
                    c => sub.push(c),
                }
            }
            None
        }
        _ => {
            let end = inner.find(']')?;
            let rest = &inner[end + 1..];
            let head = &inner[..end];
            Some(match head.split_once('.') {
                Some((s, sub)) => ((s.to_string(), Some(sub.to_ascii_lowercase())), rest),
                None => ((head.to_string(), None), rest),
            })
        }
    }
}

/// A `name = value` line (or a bare `name`, which is true) with the value
/// as git reads it: comments dropped, quotes removed, escapes undone.
fn setting(line: &str) -> Option<(&str, String)> {
    let end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .unwrap_or(line.len());
    let name = &line[..end];
    if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let rest = line[end..].trim_start();
    let Some(raw) = rest.strip_prefix('=') else {
        return match rest.chars().next() {
            None | Some('#' | ';') => Some((name, "true".to_string())),
            Some(_) => None,
        };
    };
    let mut value = String::new();
    let mut quoted = false;
    // Spaces are kept only inside quotes or between words.
    let mut pending = String::new();
    let mut chars = raw.trim_start().chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => quoted = !quoted,
            '#' | ';' if !quoted => break,
            '\\' => {
                value.push_str(&pending);
                pending.clear();
                value.push(match chars.next()? {
                    'n' => '\n',
                    't' => '\t',
                    'b' => '\u{8}',
                    other => other,
                });
            }
            c if c.is_whitespace() && !quoted => pending.push(c),
            c => {
                value.push_str(&pending);
                pending.clear();
                value.push(c);
            }
        }
    }
    Some((name, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_line_that_sets_the_value() {
        let text =
            "[core]\n\tbare = false\n[pushguard]\n\twarnObjects = 3\n\tblockObjects = lots # why\n";
        assert_eq!(line_of(text, "pushguard.blockObjects", "lots"), Some(5));
        assert_eq!(line_of(text, "pushguard.blockobjects", "lots"), Some(5));
        assert_eq!(line_of(text, "pushguard.blockObjects", "other"), None);
        assert_eq!(line_of(text, "core.blockObjects", "lots"), None);
    }

    #[test]
    fn the_last_setting_wins_and_headers_may_hold_settings() {
        let text = "[pushguard] strict = \"maybe\"\n[PushGuard]\n  strict=maybe\n";
        assert_eq!(line_of(text, "pushguard.strict", "maybe"), Some(3));
        let text = "[pushguard] strict = maybe\n";
        assert_eq!(line_of(text, "pushguard.strict", "maybe"), Some(1));
        let text = "[pushguard]\n\tstrict\n";
        assert_eq!(line_of(text, "pushguard.strict", "true"), Some(2));
    }

    #[test]
    fn subsections_and_quoting() {
        let text = "[remote \"Origin\"]\n\tpushurl = \"a b\" ; c\n[remote.origin]\n\tpushurl = x\n";
        assert_eq!(line_of(text, "remote.Origin.pushurl", "a b"), Some(2));
        assert_eq!(line_of(text, "remote.origin.pushurl", "x"), Some(4));
        assert_eq!(line_of(text, "remote.origin.pushurl", "a b"), None);
    }

    #[test]
    fn a_continued_line_is_not_guessed_at() {
        let text = "[alias]\n\tx = !echo \\\n[pushguard]\n\tstrict = maybe\n";
        assert_eq!(line_of(text, "pushguard.strict", "maybe"), None);
    }

    #[test]
    fn origins_read_well() {
        let f = |line| ConfigOrigin::File {
            path: "/r/.git/config".into(),
            line,
        };
        assert_eq!(f(Some(7)).to_string(), "/r/.git/config:7");
        assert_eq!(f(None).to_string(), "/r/.git/config (line unknown)");
    }
}
