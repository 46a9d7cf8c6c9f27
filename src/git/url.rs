//! Remote URL forms, split exactly as git 2.47 splits them (transport.c picks
//! the transport, connect.c splits ssh URLs), and the mapping from a URL back
//! to the configured remote (remote.c's insteadOf/pushInsteadOf rules).
//! Git for Windows adds its own rules (`has_dos_drive_prefix`,
//! `is_valid_win32_path`, the UNC form of `file://`): `parse_url_on` takes
//! the platform, so both sets are tested on any host.
//!
//! Hand-written rather than using a URL crate: git's splitting is not RFC 3986
//! (scp-like `host:path`, `[host:port]`, percent-decoding of the whole URL
//! before splitting, ports checked with `strtol`), and the ssh argv must match
//! git byte for byte. The splitting works on a NUL-terminated byte buffer the
//! way git edits its copy in place, so corner cases fall out the same.

use super::GitConfig;
use crate::platform::Platform;

/// Where a push goes, as git's transport layer classifies the URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoteUrl {
    /// Pushed over ssh (`ssh://`, `git+ssh://`, `ssh+git://`, scp-like).
    Ssh(SshTarget),
    /// Any other transport; the string names it (`https`, `file`, `local`, `git`,
    /// or the remote helper's name for `<helper>::<address>`).
    Other(String),
}

/// The parts of an ssh URL that git uses to build the ssh command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshTarget {
    /// The user part, if the URL has one (`git` in `git@host:p`; split at the last `@` as ssh does).
    pub user: Option<String>,
    /// The host, without brackets.
    pub host: String,
    /// The port, if the URL gives one (as written: git passes ` 22` or `+22` through).
    pub port: Option<String>,
    /// The path as git passes it to git-receive-pack.
    pub path: String,
}

impl SshTarget {
    /// The host argument git gives ssh: `[user@]host`.
    pub fn user_and_host(&self) -> String {
        match &self.user {
            Some(u) => format!("{u}@{}", self.host),
            None => self.host.clone(),
        }
    }
}

/// A URL git would reject, with git's reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot read URL {}: {reason}", crate::terminal::Shown(url))]
pub struct UrlError {
    /// The URL.
    pub url: String,
    /// Why.
    pub reason: String,
}

/// Splits `url` as git does for a push on this host (with git's default
/// `core.protectNTFS=true` on Windows).
pub fn parse_url(url: &str) -> Result<RemoteUrl, UrlError> {
    parse_url_on(url, Platform::HOST, true)
}

/// Splits `url` as git does for a push on `platform`; `protect_ntfs` is
/// `core.protectNTFS` (git's default: true), used only on Windows.
pub fn parse_url_on(
    url: &str,
    platform: Platform,
    protect_ntfs: bool,
) -> Result<RemoteUrl, UrlError> {
    let err = |reason: String| UrlError {
        url: url.to_string(),
        reason,
    };
    // transport.c: `<helper>::<address>` first.
    let scheme_len = url
        .bytes()
        .enumerate()
        .take_while(|&(i, c)| is_scheme_char(i == 0, c))
        .count();
    if url[scheme_len..].starts_with("::") {
        return Ok(RemoteUrl::Other(url[..scheme_len].to_string()));
    }
    if url.starts_with("rsync:") {
        return Err(err("git-over-rsync is no longer supported".into()));
    }
    let builtin = ["file://", "git://", "ssh://", "git+ssh://", "ssh+git://"];
    if is_url(url) && !builtin.iter().any(|p| url.starts_with(p)) {
        let name = url.split(':').next().unwrap_or_default();
        return Ok(RemoteUrl::Other(name.to_string()));
    }
    let windows = (platform == Platform::Windows).then_some(protect_ntfs);
    let split = split_connect_url(url.as_bytes(), windows).map_err(err)?;
    if split.path.first() == Some(&b'-') && split.protocol != Protocol::Git {
        return Err(err(format!(
            "strange pathname '{}' blocked",
            String::from_utf8_lossy(&split.path)
        )));
    }
    match split.protocol {
        Protocol::Local => Ok(RemoteUrl::Other("local".into())),
        Protocol::File => Ok(RemoteUrl::Other("file".into())),
        Protocol::Git => Ok(RemoteUrl::Other("git".into())),
        Protocol::Ssh => {
            let (userhost, port) = split_host_and_port(split.host);
            let text = |b: Vec<u8>, what: &str| {
                String::from_utf8(b).map_err(|_| {
                    err(format!(
                        "the {what} is not UTF-8 after percent-decoding (git accepts it, pushguard cannot represent it)"
                    ))
                })
            };
            let userhost = text(userhost, "host")?;
            let (user, host) = match userhost.rfind('@') {
                Some(i) => (
                    Some(userhost[..i].to_string()),
                    userhost[i + 1..].to_string(),
                ),
                None => (None, userhost),
            };
            Ok(RemoteUrl::Ssh(SshTarget {
                user,
                host,
                port: port.map(|p| text(p, "port")).transpose()?,
                path: text(split.path, "path")?,
            }))
        }
    }
}

/// The transports git's connect.c knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Protocol {
    Local,
    File,
    Ssh,
    Git,
}

/// What connect.c's URL split yields: protocol, host (with port), path.
#[derive(Debug)]
struct ConnectUrl {
    protocol: Protocol,
    host: Vec<u8>,
    path: Vec<u8>,
}

/// git's URL scheme characters: `[A-Za-z0-9][A-Za-z0-9+.-]*`.
fn is_scheme_char(first: bool, c: u8) -> bool {
    c.is_ascii_alphanumeric() || (!first && matches!(c, b'+' | b'-' | b'.'))
}

/// True for `scheme://…` with a plausible scheme.
fn is_url(url: &str) -> bool {
    let b = url.as_bytes();
    let Some(&first) = b.first() else {
        return false;
    };
    if !is_scheme_char(true, first) {
        return false;
    }
    let rest = &b[1..];
    let n = rest.iter().take_while(|&&c| c != b':').count();
    if !rest[..n].iter().all(|&c| is_scheme_char(false, c)) {
        return false;
    }
    rest[n..].starts_with(b"://")
}

/// Percent-decodes everything after the scheme (`%00` and bad escapes stay as is).
fn url_decode(url: &[u8]) -> Vec<u8> {
    let start = url.iter().position(|&c| c == b':').unwrap_or(0);
    let mut out = url[..start].to_vec();
    let mut i = start;
    while i < url.len() {
        if url[i] == b'%' && i + 3 <= url.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(url[i + 1]), hex(url[i + 2])) {
                let v = (h * 16 + l) as u8;
                if v > 0 {
                    out.push(v);
                    i += 3;
                    continue;
                }
            }
        }
        out.push(url[i]);
        i += 1;
    }
    out
}

/// The C string starting at `at` in a NUL-terminated buffer.
fn cstr(buf: &[u8], at: usize) -> &[u8] {
    let rest = buf.get(at..).unwrap_or_default();
    let n = rest.iter().position(|&c| c == 0).unwrap_or(rest.len());
    &rest[..n]
}

/// Index of the first `needle` in the C string at `at`.
fn cstrchr(buf: &[u8], at: usize, needle: u8) -> Option<usize> {
    cstr(buf, at)
        .iter()
        .position(|&c| c == needle)
        .map(|i| at + i)
}

/// connect.c's `host_end`: where the host ends, honouring `[...]` (after an `@`).
/// With `remove_brackets`, the brackets are cut out of the buffer in place.
fn host_end(buf: &mut [u8], host: usize, remove_brackets: bool) -> usize {
    let s = cstr(buf, host);
    let start = match s.windows(2).position(|w| w == b"@[") {
        Some(i) => host + i + 1,
        None => host,
    };
    if buf.get(start) != Some(&b'[') {
        return host;
    }
    let Some(end) = cstrchr(buf, start + 1, b']') else {
        return host;
    };
    if remove_brackets {
        buf[end] = 0;
        buf.copy_within(start + 1..=end, start);
        return end + 1;
    }
    end
}

/// Splits like connect.c's `parse_connect_url`; `windows` is `Some(protectNTFS)`
/// for Git for Windows' rules.
fn split_connect_url(orig: &[u8], windows: Option<bool>) -> Result<ConnectUrl, String> {
    let is_url = std::str::from_utf8(orig).is_ok_and(is_url);
    let mut buf = if is_url {
        url_decode(orig)
    } else {
        orig.to_vec()
    };
    buf.extend_from_slice(&[0, 0]);
    let mut protocol = Protocol::Local;
    let mut separator = b'/';
    let mut host = 0;
    if let Some(i) = buf.windows(3).position(|w| w == b"://") {
        let scheme = &buf[..i];
        protocol = match scheme {
            b"ssh" | b"git+ssh" | b"ssh+git" => Protocol::Ssh,
            b"git" => Protocol::Git,
            b"file" => Protocol::File,
            _ => {
                return Err(format!(
                    "protocol '{}' is not supported",
                    String::from_utf8_lossy(scheme)
                ));
            }
        };
        host = i + 3;
    } else if !is_local_not_ssh(cstr(&buf, 0), windows) {
        protocol = Protocol::Ssh;
        separator = b':';
    }
    let end = host_end(&mut buf, host, false);
    let path = match protocol {
        Protocol::Local => Some(end),
        // Windows: `file://server/share` keeps its `//` (a UNC path), and
        // `file://C:/x` starts the path at the drive.
        Protocol::File if windows.is_some() => {
            let h = cstr(&buf, host);
            let mut unc = b"//".to_vec();
            unc.extend_from_slice(h);
            if h.first() != Some(&b'/')
                && dos_drive_prefix(h) == 0
                && offset_1st_component(&unc) > 1
            {
                Some(host - 2)
            } else if dos_drive_prefix(cstr(&buf, end)) > 0 {
                Some(end)
            } else {
                cstrchr(&buf, end, separator)
            }
        }
        _ => cstrchr(&buf, end, separator),
    };
    let Some(mut path) = path.filter(|&p| buf[p] != 0) else {
        return Err("no path specified; see 'git help pull' for valid url syntax".into());
    };
    let host_stop = path;
    if separator == b':' {
        path += 1;
    }
    if matches!(protocol, Protocol::Git | Protocol::Ssh) && buf.get(path + 1) == Some(&b'~') {
        path += 1;
    }
    let path_bytes = cstr(&buf, path).to_vec();
    buf[host_stop] = 0;
    Ok(ConnectUrl {
        protocol,
        host: cstr(&buf, host).to_vec(),
        path: path_bytes,
    })
}

/// url.c's `url_is_local_not_ssh`: no colon, or a slash before it; on
/// Windows (`Some(protectNTFS)`) also a drive prefix on a valid path
/// (`C:/x`, `C:\x`, `C:x`; with `core.protectNTFS`, `C:/a:b` is not valid
/// and goes to host `C`).
fn is_local_not_ssh(url: &[u8], windows: Option<bool>) -> bool {
    let colon = url.iter().position(|&c| c == b':');
    let slash = url.iter().position(|&c| c == b'/');
    let plain = match (colon, slash) {
        (None, _) => true,
        (Some(c), Some(s)) => s < c,
        (Some(_), None) => false,
    };
    plain
        || windows.is_some_and(|protect| {
            dos_drive_prefix(url) > 0 && (!protect || is_valid_win32_path(url))
        })
}

/// compat/win32/path-utils.c `win32_has_dos_drive_prefix`: the length of a
/// leading `X:` (any ASCII byte, or one UTF-8 character, then `:`), or 0.
fn dos_drive_prefix(path: &[u8]) -> usize {
    let at = |i: usize| path.get(i).copied().unwrap_or(0);
    if at(0) & 0x80 == 0 {
        return if at(0) != 0 && at(1) == b':' { 2 } else { 0 };
    }
    let mut i = 1;
    while i < 4 && at(i) & 0x80 != 0 {
        i += 1;
    }
    if at(i) == b':' { i + 1 } else { 0 }
}

/// Windows' directory separators.
fn is_dir_sep(c: u8) -> bool {
    c == b'/' || c == b'\\'
}

/// compat/win32/path-utils.c `win32_offset_1st_component`: past a drive
/// prefix or a `//server/share` root (0 for a bare `//server`).
fn offset_1st_component(path: &[u8]) -> usize {
    let at = |i: usize| path.get(i).copied().unwrap_or(0);
    let mut pos = dos_drive_prefix(path);
    if pos == 0 && is_dir_sep(at(0)) && is_dir_sep(at(1)) {
        let Some(sep) = path[2..].iter().position(|&c| is_dir_sep(c)) else {
            return 0;
        };
        pos = 2 + sep;
        loop {
            pos += 1;
            if at(pos) == 0 || is_dir_sep(at(pos)) {
                break;
            }
        }
    }
    pos + usize::from(is_dir_sep(at(pos)))
}

/// compat/mingw.c `is_valid_win32_path(path, 0)` (core.protectNTFS): no
/// reserved device names (AUX, COM1-9, CON, CONIN$, CONOUT$, LPTn, NUL, PRN)
/// as a component, no `:<>"|?*` or control bytes, no component ending in a
/// space or `.` other than `.` and `..`.
fn is_valid_win32_path(path: &[u8]) -> bool {
    let at = |i: usize| path.get(i).copied().unwrap_or(0);
    let mut p = dos_drive_prefix(path);
    // Each turn reads one component from `p` (mingw.c's `segment_start`).
    loop {
        if let Some(mut j) = reserved_name_len(path, p) {
            // Trailing spaces, an extension or a stream name keep it reserved.
            while at(p + j) == b' ' {
                j += 1;
            }
            let c = at(p + j);
            if c == 0 || c == b'.' || c == b':' || is_dir_sep(c) {
                return false;
            }
        }
        let (mut i, mut periods, mut trailing) = (0usize, 0usize, false);
        loop {
            let c = at(p + i);
            match c {
                0 | b'/' | b'\\' => {
                    if trailing && (i != periods || periods > 2) {
                        return false;
                    }
                    if c == 0 {
                        return true;
                    }
                    p += i + 1;
                    break;
                }
                b'.' | b' ' => {
                    periods += usize::from(c == b'.');
                    trailing = true;
                }
                b':' | b'<' | b'>' | b'"' | b'|' | b'?' | b'*' | 1..0x20 => return false,
                _ => trailing = false,
            }
            i += 1;
        }
    }
}

/// The length of a device name (any case) starting the component at `p`.
fn reserved_name_len(path: &[u8], p: usize) -> Option<usize> {
    let lower = |i: usize| path.get(p + i).map_or(0, u8::to_ascii_lowercase);
    let is = |word: &[u8]| word.iter().enumerate().all(|(i, &w)| lower(i) == w);
    if is(b"conin$") {
        Some(6)
    } else if is(b"conout$") {
        Some(7)
    } else if (is(b"com") && (b'1'..=b'9').contains(&lower(3)))
        || (is(b"lpt") && lower(3).is_ascii_digit())
    {
        Some(4)
    } else {
        [&b"aux"[..], b"con", b"nul", b"prn"]
            .into_iter()
            .any(is)
            .then_some(3)
    }
}

/// connect.c's `get_host_and_port` then `get_port`: strips brackets, splits a
/// valid `:port`, drops a trailing `:`.
fn split_host_and_port(mut buf: Vec<u8>) -> (Vec<u8>, Option<Vec<u8>>) {
    buf.extend_from_slice(&[0, 0]);
    let end = host_end(&mut buf, 0, true);
    if let Some(colon) = cstrchr(&buf, end, b':') {
        let after = cstr(&buf, colon + 1);
        if valid_port(after) {
            let port = after.to_vec();
            buf[colon] = 0;
            return (cstr(&buf, 0).to_vec(), Some(port));
        } else if after.is_empty() {
            buf[colon] = 0;
        }
    }
    if let Some(colon) = cstrchr(&buf, 0, b':') {
        let after = cstr(&buf, colon + 1);
        if valid_port(after) {
            let port = after.to_vec();
            buf[colon] = 0;
            return (cstr(&buf, 0).to_vec(), Some(port));
        }
    }
    (cstr(&buf, 0).to_vec(), None)
}

/// True when `strtol` reads the whole of `s` as a number in `0..65536`.
fn valid_port(s: &[u8]) -> bool {
    let n = crate::platform::c_number(s);
    if n.digits.is_empty() || !n.rest.is_empty() {
        return false;
    }
    let value = n.digits.iter().fold(0u64, |v, &c| {
        v.saturating_mul(10).saturating_add(u64::from(c - b'0'))
    });
    if n.negative {
        value == 0
    } else {
        value < 65536
    }
}

/// Rewrites `url` with the longest matching prefix among `(base, prefix)`
/// rules (first rule wins a tie), as remote.c's `alias_url` does.
fn rewrite(url: &str, rules: &[(String, String)]) -> Option<String> {
    let mut best: Option<&(String, String)> = None;
    for rule in rules {
        if url.starts_with(rule.1.as_str()) && best.is_none_or(|b| b.1.len() < rule.1.len()) {
            best = Some(rule);
        }
    }
    best.map(|(base, prefix)| format!("{base}{}", &url[prefix.len()..]))
}

/// The distinct `<sub>` of `<section>.<sub>.<key>` keys, in order of first appearance.
fn subsections<'a>(cfg: &'a GitConfig, section: &str) -> Vec<&'a str> {
    let mut subs: Vec<&str> = Vec::new();
    for (k, _) in cfg.entries() {
        let sub = k
            .strip_prefix(section)
            .and_then(|r| r.strip_prefix('.'))
            .and_then(|r| r.rsplit_once('.'))
            .map(|(sub, _)| sub);
        if let Some(sub) = sub.filter(|s| !subs.contains(s)) {
            subs.push(sub);
        }
    }
    subs
}

/// The `url.<base>.<key>` rules, grouped by base in order of first appearance.
fn rewrite_rules(cfg: &GitConfig, key: &str) -> Vec<(String, String)> {
    subsections(cfg, "url")
        .into_iter()
        .flat_map(|base| {
            cfg.get_all(&format!("url.{base}.{key}"))
                .into_iter()
                .map(move |v| (base.to_string(), v.to_string()))
        })
        .collect()
}

/// The configured remotes (any `remote.<name>.*` key), in config order.
/// The configured remotes, in config order.
pub fn remote_names(cfg: &GitConfig) -> Vec<&str> {
    subsections(cfg, "remote")
}

/// True when `name` is a configured remote (git's `remote_is_configured`).
pub fn is_remote_name(cfg: &GitConfig, name: &str) -> bool {
    remote_names(cfg).contains(&name)
}

/// `remote.<name>.receivepack` (git uses the first value) or `git-receive-pack`.
pub fn receive_pack(cfg: &GitConfig, remote: &str) -> String {
    cfg.get_all(&format!("remote.{remote}.receivepack"))
        .first()
        .map_or_else(|| "git-receive-pack".to_string(), |s| s.to_string())
}

/// The URLs git pushes to for remote `name`, after insteadOf/pushInsteadOf.
pub fn push_urls(cfg: &GitConfig, name: &str) -> Vec<String> {
    let instead = rewrite_rules(cfg, "insteadof");
    let push_instead = rewrite_rules(cfg, "pushinsteadof");
    let pushurls = cfg.get_all(&format!("remote.{name}.pushurl"));
    if !pushurls.is_empty() {
        return pushurls
            .iter()
            .map(|u| rewrite(u, &instead).unwrap_or_else(|| u.to_string()))
            .collect();
    }
    let urls = cfg.get_all(&format!("remote.{name}.url"));
    // Only URLs a pushInsteadOf rule matches become push URLs; if any do,
    // git pushes to those alone.
    let pushed: Vec<String> = urls
        .iter()
        .filter_map(|u| rewrite(u, &push_instead))
        .collect();
    if !pushed.is_empty() {
        return pushed;
    }
    urls.iter()
        .map(|u| rewrite(u, &instead).unwrap_or_else(|| u.to_string()))
        .collect()
}

/// The configured remote whose push URL (after insteadOf/pushInsteadOf) is `url`.
pub fn remote_for_url(cfg: &GitConfig, url: &str) -> Option<String> {
    remote_names(cfg)
        .into_iter()
        .find(|name| push_urls(cfg, name).iter().any(|u| u == url))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ssh(url: &str) -> SshTarget {
        match parse_url(url) {
            Ok(RemoteUrl::Ssh(t)) => t,
            other => panic!("{url}: {other:?}"),
        }
    }

    #[test]
    fn scp_port_is_a_path() {
        let t = ssh("git@host:2222/p");
        assert_eq!((t.user.as_deref(), t.host.as_str()), (Some("git"), "host"));
        assert_eq!((t.port, t.path.as_str()), (None, "2222/p"));
    }

    #[test]
    fn classifies_other_transports() {
        for (u, k) in [
            ("https://h/p", "https"),
            ("ext::ssh -x", "ext"),
            ("./x:y", "local"),
            ("/tmp/x", "local"),
            ("file:///x", "file"),
            ("git://h/p", "git"),
            ("SSH://h/p", "SSH"),
            ("h::z", "h"),
        ] {
            assert_eq!(parse_url(u), Ok(RemoteUrl::Other(k.into())), "{u}");
        }
        assert!(parse_url("ssh://h").is_err());
        assert!(parse_url("h:-x").is_err());
        assert!(parse_url("-x").is_err());
        // git would send the raw byte; a String cannot carry it.
        assert!(parse_url("ssh://h/%ff").is_err());
        assert_eq!(
            parse_url("rsync://h/p").map_err(|e| e.reason),
            Err("git-over-rsync is no longer supported".into())
        );
    }

    #[test]
    fn never_panics_on_short_odd_urls() {
        let alphabet = [":", "/", "@", "[", "]", "%", "~", "-", "a", "é", "%4"];
        let mut n = 0;
        let mut stack = vec![String::new()];
        while let Some(s) = stack.pop() {
            let _ = parse_url(&s);
            let _ = parse_url(&format!("ssh://{s}"));
            n += 1;
            if s.len() < 5 {
                stack.extend(alphabet.iter().map(|c| format!("{s}{c}")));
            }
        }
        assert!(n > 10_000);
    }

    fn on(url: &str, platform: Platform) -> Result<RemoteUrl, UrlError> {
        parse_url_on(url, platform, true)
    }

    fn ssh_on(url: &str, platform: Platform) -> (String, String) {
        match on(url, platform) {
            Ok(RemoteUrl::Ssh(t)) => (t.user_and_host(), t.path),
            other => panic!("{url}: {other:?}"),
        }
    }

    // url.c url_is_local_not_ssh: `has_dos_drive_prefix(url) &&
    // is_valid_path(url)` on Windows; compat/win32/path-utils.c: any ASCII
    // byte (or one UTF-8 character) before the colon is a drive.
    #[test]
    fn drive_letters_are_local_on_windows() {
        let local = Ok(RemoteUrl::Other("local".into()));
        for url in [
            "C:/repo",
            r"C:\repo",
            "C:repo",
            "x:repo",
            "é:/x",
            "c:/a/..",
            "c:/a/nullx",
        ] {
            assert_eq!(on(url, Platform::Windows), local, "{url}");
        }
        assert_eq!(
            ssh_on("C:/repo", Platform::Unix),
            ("C".into(), "/repo".into())
        );
        assert_eq!(
            ssh_on(r"C:\repo", Platform::Unix),
            ("C".into(), r"\repo".into())
        );
        assert_eq!(
            ssh_on("git@h:p", Platform::Windows),
            ("git@h".into(), "p".into())
        );
        assert_eq!(
            ssh_on("host:C:/p", Platform::Windows),
            ("host".into(), "C:/p".into())
        );
    }

    // compat/mingw.c is_valid_win32_path (core.protectNTFS, on by default):
    // an invalid drive path is not local, so it goes over ssh to host "C".
    #[test]
    fn invalid_windows_paths_are_scp_like() {
        for url in [
            "C:/repo:x",
            "C:/a/NUL",
            "C:/a/nul.txt",
            "C:/a/Com1 ",
            "C:/a/conout$",
            "C:/a/b.",
            "C:/a/b /c",
            "C:/a/.../c",
            "C:/a?b",
            "C:/a\x01b",
        ] {
            assert_eq!(ssh_on(url, Platform::Windows).0, "C", "{url}");
        }
        assert_eq!(
            parse_url_on("C:/repo:x", Platform::Windows, false),
            Ok(RemoteUrl::Other("local".into()))
        );
        for ok in ["C:/a/aux1", "C:/a/lpt", "C:/a/conin", "C:/a/.b", "C:/prn_x"] {
            assert!(is_valid_win32_path(ok.as_bytes()), "{ok}");
        }
    }

    // No colon is local everywhere; connect.c only knows `/` as the slash
    // before a colon, and the `\\?\` prefix has no drive at its start.
    #[test]
    fn unc_paths() {
        let local = Ok(RemoteUrl::Other("local".into()));
        for p in [Platform::Unix, Platform::Windows] {
            assert_eq!(on(r"\\server\share\repo", p), local);
            assert_eq!(on("//server/share/repo", p), local);
            assert_eq!(on("//server/share/a:b", p), local);
            assert_eq!(ssh_on(r"\\server\share\a:b", p).0, r"\\server\share\a");
            assert_eq!(
                ssh_on(r"\\?\C:\repo", p),
                (r"\\?\C".into(), r"\repo".into())
            );
        }
    }

    // connect.c parse_connect_url: on Windows `file://server/share` keeps
    // `//` (offset_1st_component > 1) and `file://C:` starts at the drive.
    #[test]
    fn file_urls_on_windows() {
        let file = Ok(RemoteUrl::Other("file".into()));
        assert_eq!(on("file://C:", Platform::Windows), file);
        assert!(on("file://C:", Platform::Unix).is_err());
        assert_eq!(on("file://server/share", Platform::Windows), file);
        assert!(on("file://server", Platform::Windows).is_err());
        assert_eq!(offset_1st_component(b"//server/share/x"), 15);
        assert_eq!(offset_1st_component(b"//server"), 0);
        assert_eq!(offset_1st_component(b"C:/x"), 3);
    }

    #[test]
    fn push_urls_follow_remote_c() {
        let cfg = GitConfig::from_pairs([
            ("url.ssh://a/.pushInsteadOf", "x:"),
            ("url.ssh://b/.insteadOf", "x:"),
            ("url.ssh://c/.insteadOf", "x:l"),
            ("remote.o.url", "x:long"),
            ("remote.o.url", "y:q"),
        ]);
        assert_eq!(push_urls(&cfg, "o"), vec!["ssh://a/long".to_string()]);
        assert_eq!(remote_for_url(&cfg, "ssh://a/long"), Some("o".into()));
        assert_eq!(remote_for_url(&cfg, "ssh://c/ong"), None);
        assert!(is_remote_name(&cfg, "o"));
    }
}
