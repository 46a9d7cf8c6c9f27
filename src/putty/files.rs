//! Unix PuTTY's session files, after PuTTY 0.83's `unix/storage.c`: where the
//! directory is (`make_filename`), how a name becomes a file name
//! (`make_session_filename`), how a file is read (`open_settings_r`,
//! `read_setting_i`), and the edit that sets the keepalive.

use std::path::{Path, PathBuf};

use super::{Session, Setting};

/// The session directory, as `make_filename(INDEX_SESSIONDIR)` picks it:
/// `$PUTTYSESSIONS`, else `<dir>/sessions` where `<dir>` is `$PUTTYDIR`, else
/// the first of `$XDG_CONFIG_HOME/putty` (or `~/.config/putty`),
/// `$HOME/.putty`, `<passwd home>/.putty`, `/.putty` that exists, else the
/// first `.putty` of those (where PuTTY would create it).
pub fn sessions_dir(
    env: &dyn Fn(&str) -> Option<String>,
    passwd_home: Option<&Path>,
    exists: &dyn Fn(&Path) -> bool,
) -> PathBuf {
    if let Some(dir) = env("PUTTYSESSIONS") {
        return dir.into();
    }
    let dir = match env("PUTTYDIR") {
        Some(dir) => dir,
        None => putty_dir(env, passwd_home, exists),
    };
    format!("{dir}/sessions").into()
}

/// `make_filename(INDEX_DIR)` without `$PUTTYDIR`.
fn putty_dir(
    env: &dyn Fn(&str) -> Option<String>,
    passwd_home: Option<&Path>,
    exists: &dyn Fn(&Path) -> bool,
) -> String {
    let home = env("HOME");
    let pw = passwd_home.map(|p| p.display().to_string());
    let xdg = match env("XDG_CONFIG_HOME").filter(|x| !x.is_empty()) {
        Some(x) => format!("{x}/putty"),
        None => {
            let base = home.as_deref().or(pw.as_deref()).unwrap_or("");
            format!("{base}/.config/putty")
        }
    };
    if exists(Path::new(&xdg)) {
        return xdg;
    }
    let old = [
        home.map(|h| format!("{h}/.putty")),
        pw.map(|h| format!("{h}/.putty")),
        Some("/.putty".to_string()),
    ];
    let mut candidates = old.into_iter().flatten();
    let first = candidates.next().unwrap_or_else(|| "/.putty".into());
    std::iter::once(first.clone())
        .chain(candidates)
        .find(|d| exists(Path::new(d)))
        // A build with XDG_DEFAULT would create the XDG one instead.
        .unwrap_or(first)
}

/// The file name of session `name`: `+-.@_`, digits and ASCII letters kept,
/// every other byte `%XX` (upper-case hex); "" is "Default Settings".
pub fn file_name(name: &str) -> String {
    let name = if name.is_empty() {
        super::DEFAULT_SESSION
    } else {
        name
    };
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"+-.@_".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Reads a session file's text as `open_settings_r` does: `key=value` lines
/// (split at the first `=`, value up to the first CR or LF, lines without
/// `=` ignored), the first line of a key winning. Only the keys pushguard
/// needs are kept.
pub(crate) fn parse(text: &[u8]) -> Result<Session, String> {
    let mut s = Session::default();
    let mut seen_host = false;
    let mut seen_protocol = false;
    for (n, line) in text.split(|&b| b == b'\n').enumerate() {
        let Some(eq) = line.iter().position(|&b| b == b'=') else {
            continue;
        };
        let key = &line[..eq];
        let rest = &line[eq + 1..];
        let end = rest
            .iter()
            .position(|&b| b == b'\r' || b == b'\n')
            .unwrap_or(rest.len());
        let value = &rest[..end];
        match key {
            b"HostName" if !seen_host => {
                seen_host = true;
                s.has_host_name = !value.is_empty();
            }
            b"Protocol" if !seen_protocol => {
                seen_protocol = true;
                s.protocol = Some(String::from_utf8_lossy(value).into_owned());
            }
            b"PingInterval" if s.minutes.is_none() => {
                s.minutes = Some(setting("PingInterval", value, n + 1)?);
            }
            b"PingIntervalSecs" if s.seconds.is_none() => {
                s.seconds = Some(setting("PingIntervalSecs", value, n + 1)?);
            }
            b"BugIgnore2" if s.ignore_bug.is_none() => {
                s.ignore_bug = Some(setting("BugIgnore2", value, n + 1)?);
            }
            _ => {}
        }
    }
    Ok(s)
}

/// One integer setting at `line`, read with C's `atoi`.
fn setting(name: &'static str, value: &[u8], line: usize) -> Result<Setting, String> {
    let raw = String::from_utf8_lossy(value).into_owned();
    let value = atoi(value)
        .ok_or_else(|| format!("line {line}: {name}={raw} is outside the range of PuTTY's int"))?;
    Ok(Setting {
        name,
        raw,
        value,
        line: Some(line),
    })
}

/// C's `atoi`: leading white space, a sign, digits up to the first other byte;
/// `None` outside `int` (where `atoi` is undefined).
fn atoi(s: &[u8]) -> Option<i64> {
    let n = crate::platform::c_number(s);
    let mut v: i64 = 0;
    for &b in n.digits {
        v = v.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
        if v > i64::from(i32::MAX) + 1 {
            return None;
        }
    }
    let v = if n.negative { -v } else { v };
    i32::try_from(v).ok().map(i64::from)
}

/// The session file text after setting the keepalive to `interval` seconds:
/// the first `PingIntervalSecs=` line gets the new value (or one is added at
/// the end), a first `PingInterval=` line with a non-zero value gets `0`
/// (PuTTY adds minutes × 60); every other byte, and the line endings, stay.
pub fn fix_session_file(text: &[u8], interval: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 24);
    let mut seen_secs = false;
    let mut seen_mins = false;
    let crlf = text.windows(2).any(|w| w == b"\r\n");
    for piece in text.split_inclusive(|&b| b == b'\n') {
        let Some(eq) = piece.iter().position(|&b| b == b'=') else {
            out.extend_from_slice(piece);
            continue;
        };
        let value_end = piece[eq + 1..]
            .iter()
            .position(|&b| b == b'\r' || b == b'\n')
            .map_or(piece.len(), |p| eq + 1 + p);
        let new_value = match &piece[..eq] {
            b"PingIntervalSecs" if !seen_secs => {
                seen_secs = true;
                Some(interval.to_string())
            }
            b"PingInterval" if !seen_mins => {
                seen_mins = true;
                (atoi(&piece[eq + 1..value_end]) != Some(0)).then(|| "0".to_string())
            }
            _ => None,
        };
        match new_value {
            Some(v) => {
                out.extend_from_slice(&piece[..=eq]);
                out.extend_from_slice(v.as_bytes());
                out.extend_from_slice(&piece[value_end..]);
            }
            None => out.extend_from_slice(piece),
        }
    }
    if !seen_secs {
        let eol: &[u8] = if crlf { b"\r\n" } else { b"\n" };
        if !out.is_empty() && !out.ends_with(b"\n") {
            out.extend_from_slice(eol);
        }
        out.extend_from_slice(format!("PingIntervalSecs={interval}").as_bytes());
        out.extend_from_slice(eol);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::tests::env_of;

    // unix/storage.c make_filename: PUTTYSESSIONS, PUTTYDIR, then the XDG
    // directory if it exists, then ~/.putty, passwd home, /.putty.
    #[test]
    fn finds_the_session_directory() {
        let none = |_: &Path| false;
        let env = env_of(&[("HOME", "/h")]);
        let pw = Some(Path::new("/pw"));
        assert_eq!(
            sessions_dir(&env, pw, &none),
            PathBuf::from("/h/.putty/sessions")
        );
        let xdg = |p: &Path| p == Path::new("/h/.config/putty");
        assert_eq!(
            sessions_dir(&env, pw, &xdg),
            PathBuf::from("/h/.config/putty/sessions")
        );
        let pwd = |p: &Path| p == Path::new("/pw/.putty");
        assert_eq!(
            sessions_dir(&env, pw, &pwd),
            PathBuf::from("/pw/.putty/sessions")
        );
        let env = env_of(&[("HOME", "/h"), ("XDG_CONFIG_HOME", "/x")]);
        let x = |p: &Path| p == Path::new("/x/putty");
        assert_eq!(
            sessions_dir(&env, pw, &x),
            PathBuf::from("/x/putty/sessions")
        );
        let env = env_of(&[("PUTTYDIR", "/d"), ("HOME", "/h")]);
        assert_eq!(sessions_dir(&env, pw, &none), PathBuf::from("/d/sessions"));
        let env = env_of(&[("PUTTYSESSIONS", "/s"), ("PUTTYDIR", "/d")]);
        assert_eq!(sessions_dir(&env, pw, &none), PathBuf::from("/s"));
        let env = env_of(&[]);
        assert_eq!(
            sessions_dir(&env, pw, &none),
            PathBuf::from("/pw/.putty/sessions")
        );
    }

    // unix/storage.c make_session_filename.
    #[test]
    fn escapes_names_like_make_session_filename() {
        assert_eq!(file_name(""), "Default%20Settings");
        assert_eq!(file_name("Default Settings"), "Default%20Settings");
        assert_eq!(file_name("git@h.example-1_+"), "git@h.example-1_+");
        assert_eq!(file_name("a/b:c%"), "a%2Fb%3Ac%25");
        assert_eq!(file_name("é"), "%C3%A9");
    }

    // unix/storage.c open_settings_r: first `=` splits, value ends at CR/LF,
    // add234 keeps the first of equal keys; read_setting_i is atoi.
    #[test]
    fn reads_like_open_settings_r() {
        let s = parse(
            b"Present=1\r\nHostName=h\r\nPingIntervalSecs=30 s\r\nPingIntervalSecs=0\r\n\
              PingInterval=1\r\n PingInterval=9\nnoequals\nProtocol=ssh",
        )
        .unwrap();
        assert!(s.has_host_name);
        assert_eq!(s.protocol.as_deref(), Some("ssh"));
        let secs = s.seconds.unwrap();
        assert_eq!(
            (secs.value, secs.line, secs.raw.as_str()),
            (30, Some(3), "30 s")
        );
        assert_eq!(s.minutes.map(|m| (m.value, m.line)), Some((1, Some(5))));
        let bug = parse(b"BugIgnore2=2\nBugIgnore2=0\n").unwrap().ignore_bug;
        assert_eq!(bug.map(|b| (b.value, b.line)), Some((2, Some(1))));
        let empty = parse(b"HostName=\nPingIntervalSecs=x\n").unwrap();
        assert!(!empty.has_host_name);
        assert_eq!(empty.seconds.map(|s| s.value), Some(0));
        assert!(parse(b"PingIntervalSecs=99999999999\n").is_err());
    }

    #[test]
    fn atoi_is_c_atoi() {
        for (s, v) in [
            (&b" \t-12x"[..], Some(-12)),
            (b"+7", Some(7)),
            (b"", Some(0)),
            (b"-", Some(0)),
            (b"2147483647", Some(2147483647)),
            (b"-2147483648", Some(-2147483648)),
            (b"2147483648", None),
        ] {
            assert_eq!(atoi(s), v, "{:?}", String::from_utf8_lossy(s));
        }
    }

    #[test]
    fn fix_keeps_every_other_byte() {
        let text =
            b"HostName=h\r\nPingInterval=5\r\nPingIntervalSecs=0\r\nPingIntervalSecs=7\r\nX=y";
        assert_eq!(
            fix_session_file(text, 30),
            b"HostName=h\r\nPingInterval=0\r\nPingIntervalSecs=30\r\nPingIntervalSecs=7\r\nX=y"
                .to_vec()
        );
        assert_eq!(
            fix_session_file(b"PingInterval=0\nX=y", 30),
            b"PingInterval=0\nX=y\nPingIntervalSecs=30\n".to_vec()
        );
        assert_eq!(fix_session_file(b"", 30), b"PingIntervalSecs=30\n".to_vec());
        assert_eq!(
            fix_session_file(b"A=1\r\n", 25),
            b"A=1\r\nPingIntervalSecs=25\r\n".to_vec()
        );
        let fixed = fix_session_file(b"PingIntervalSecs=0\n", 30);
        assert_eq!(parse(&fixed).unwrap().seconds.map(|s| s.value), Some(30));
    }
}
