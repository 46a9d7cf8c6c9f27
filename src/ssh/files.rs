//! Reading the config files: which files (the user file from the passwd
//! home, then the system file; `-F` replaces both), their permission check,
//! the line loop, and `Include` (relative paths, globs, depth 16, the
//! includer's block state; from 9.9 `%` tokens and `${}` in its paths).
//!
//! - `Run::read_all`: the files of one pass.
//! - [`glob`]: ssh's `glob(3)` for Include, sorted, no match ignored.
//!
//! Hand-written: ssh's Include rules (an included file starts in the
//! includer's state and its Host/Match do not leak; a file included from a
//! block that does not apply never matches) are what it decides on.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::ConfigError;
use super::Origin;
use super::env::glob_tilde;
use super::lex::{self, Words};
use super::options::LineCtx;
use super::readlog::Where;
use super::request::ResolveRequest;
use super::resolve::Run;
use super::values::Block;

/// How a file is read.
#[derive(Debug, Clone, Copy)]
struct Source {
    /// User file, `-F` file or included from one (not the system file).
    userconf: bool,
    /// Check owner and mode.
    checkperm: bool,
    /// Its blocks never apply (included from a block that does not).
    nevermatch: bool,
    /// Include depth.
    depth: usize,
}

impl Run<'_> {
    /// Reads the files of one pass.
    pub(crate) fn read_all(&mut self, req: &ResolveRequest) -> Result<(), ConfigError> {
        let top = |userconf, checkperm| Source {
            userconf,
            checkperm,
            nevermatch: false,
            depth: 0,
        };
        match &req.config {
            Some(c) if c.eq_ignore_ascii_case("none") => Ok(()),
            Some(c) => {
                let path = PathBuf::from(c);
                if !self.read_file(&path, top(true, false), &mut true)? {
                    return Err(ConfigError::Open {
                        path,
                        reason: "No such file or directory".into(),
                    });
                }
                Ok(())
            }
            None => {
                let user = self.env.user_config.clone();
                self.read_file(&user, top(true, true), &mut true)?;
                let sys = self.env.system_config.clone();
                self.read_file(&sys, top(false, false), &mut true)?;
                Ok(())
            }
        }
    }

    /// Reads one file; `Ok(false)` when it does not exist.
    fn read_file(
        &mut self,
        path: &Path,
        src: Source,
        active: &mut bool,
    ) -> Result<bool, ConfigError> {
        // A probe's config on stdin: a pipe, read once (the final pass
        // finds it empty).
        if let Some(text) = self
            .env
            .stdin_config
            .clone()
            .filter(|_| path == Path::new("/dev/stdin"))
        {
            if !self.final_pass {
                self.read_text(&text, path, src, active)?;
            }
            return Ok(true);
        }
        // One open and one fstat per file, like ssh: the permission check
        // and the buffer size both come from the open file.
        let open_err = |e: std::io::Error| ConfigError::Open {
            path: path.to_path_buf(),
            reason: e.to_string(),
        };
        let env = self.env;
        if let Some(bytes) = env.overlay.get(path) {
            // A stand-in (`overlay.rs`): the disk's owner and mode, if any.
            if src.checkperm
                && !env.overlay.is_sealed()
                && let Ok(m) = std::fs::metadata(path)
                && refused(&m, env)
            {
                return Err(ConfigError::Permissions {
                    path: path.to_path_buf(),
                });
            }
            let cut;
            let bytes = match bytes.contains(&0) {
                true => {
                    cut = cut_at_nul(bytes);
                    &cut[..]
                }
                false => bytes,
            };
            let text = String::from_utf8_lossy(bytes);
            return self.read_logged(&text, path, src, active).map(|()| true);
        }
        if env.overlay.is_sealed() {
            return Ok(false);
        }
        // Non-blocking, so that a FIFO without a writer cannot hold the
        // resolver (ssh itself would wait for ever); reads stay blocking
        // for regular files, for which the flag means nothing.
        let opened = open_nonblocking(path);
        let mut f = match opened {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(open_err(e)),
        };
        let meta = f.metadata().ok();
        if src.checkperm && meta.as_ref().is_some_and(|m| refused(m, self.env)) {
            return Err(ConfigError::Permissions {
                path: path.to_path_buf(),
            });
        }
        // A directory reads as an empty file, as ssh's fgets sees it.
        if meta.as_ref().is_some_and(std::fs::Metadata::is_dir) {
            return self.read_logged("", path, src, active).map(|()| true);
        }
        let size = meta
            .filter(std::fs::Metadata::is_file)
            .and_then(|m| usize::try_from(m.len()).ok());
        let buf = self.spare.pop().unwrap_or_default();
        let mut bytes = read_all_from(&mut f, size, buf).map_err(open_err)?;
        drop(f);
        if bytes.contains(&0) {
            bytes = cut_at_nul(&bytes);
        }
        let done = match std::str::from_utf8(&bytes) {
            Ok(text) => self.read_logged(text, path, src, active),
            Err(_) => {
                let text = String::from_utf8_lossy(&bytes);
                self.read_logged(&text, path, src, active)
            }
        };
        // The buffer serves the next file (files are read one at a time,
        // and an Include nests at most 16 deep).
        self.spare.push(bytes);
        done.map(|()| true)
    }

    /// [`Run::read_text`], with the file's start and end in the read log.
    fn read_logged(
        &mut self,
        text: &str,
        path: &Path,
        src: Source,
        active: &mut bool,
    ) -> Result<(), ConfigError> {
        let at = self.log_at(src);
        if let Some(log) = self.log.as_mut() {
            let origin = Origin::File {
                path: path.to_path_buf(),
                line: 0,
            };
            log.file_start(origin, at);
        }
        let done = self.read_text(text, path, src, active);
        if let Some(log) = self.log.as_mut() {
            log.file_end();
        }
        done
    }

    fn log_at(&self, src: Source) -> Where {
        Where {
            final_pass: self.final_pass,
            userconf: src.userconf,
        }
    }

    /// Applies the lines of one file's text. A bad line does not stop the
    /// reading (ssh reports the first and fails after the file).
    fn read_text(
        &mut self,
        text: &str,
        path: &Path,
        src: Source,
        active: &mut bool,
    ) -> Result<(), ConfigError> {
        let file = path.display().to_string();
        let mut first_err: Option<ConfigError> = None;
        let mut words = Words::default();
        let mut pos = 0;
        let mut ln = 0;
        while pos < text.len() {
            ln += 1;
            let (line, next) = lex::scan_line(text, pos, &mut words);
            pos = next;
            let ctx = LineCtx {
                path: Some(path),
                line: ln,
                active: *active,
                userconf: src.userconf,
            };
            let err = |reason: String| ConfigError::Line {
                file: file.clone(),
                line: ln,
                reason,
            };
            let tried = self.opts.attempts.len();
            let block = match self
                .opts
                .apply(line, &ctx, false, &mut words, &self.env.profile)
            {
                Ok(Some(block)) => block,
                Ok(None) => {
                    let at = self.log_at(src);
                    if let Some(log) = self.log.as_mut() {
                        log.sets(&self.opts.attempts[tried..], at);
                    }
                    continue;
                }
                Err(reason) => {
                    first_err.get_or_insert(err(reason));
                    continue;
                }
            };
            let at = self.log_at(src);
            let outcome = match block {
                Block::Host => {
                    *active = !src.nevermatch && self.host_matches(words.iter());
                    if let Some(log) = self.log.as_mut() {
                        let patterns = words.iter().map(str::to_string).collect();
                        log.header(Some(patterns), ctx.origin(), *active, at);
                    }
                    Ok(())
                }
                Block::Match(rest) => match self.match_line(rest, &words, &ctx) {
                    Ok((v, consumed)) => {
                        let v = match v {
                            Some(v) => v,
                            None if src.nevermatch || !consumed => false,
                            None => {
                                return Err(first_err.unwrap_or(ConfigError::CannotTell {
                                    file,
                                    line: ln,
                                    reason: super::netlist::UNLISTED.into(),
                                }));
                            }
                        };
                        *active = !src.nevermatch && v;
                        if let Some(log) = self.log.as_mut() {
                            log.header(None, ctx.origin(), *active, at);
                        }
                        if consumed {
                            Ok(())
                        } else {
                            Err("keyword match extra arguments at end of line".into())
                        }
                    }
                    Err(reason) => Err(format!("Bad Match condition ({reason})")),
                },
                Block::Include => {
                    if let Some(log) = self.log.as_mut() {
                        log.include_start(ctx.origin(), *active, at);
                    }
                    let done = self.include(&words, &file, ln, src, active);
                    if let Some(log) = self.log.as_mut() {
                        log.include_end();
                    }
                    done?
                }
            };
            if let Err(reason) = outcome {
                first_err.get_or_insert(err(reason));
            }
        }
        match first_err {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// An Include line's paths: relative ones under `~/.ssh/` (user files)
    /// or the system file's directory (ssh's `SSHDIR`: `/etc/ssh/`,
    /// Homebrew's `<prefix>/etc/ssh/`), each globbed; each file starts in
    /// this file's block state, which it does not change. `Ok(Err(reason))`
    /// for a bad path (a line error); `Err` stops the reading.
    fn include(
        &mut self,
        words: &Words<'_>,
        file: &str,
        line: usize,
        src: Source,
        active: &mut bool,
    ) -> Result<Result<(), String>, ConfigError> {
        for arg in words.iter() {
            let expanded;
            let arg = if self.env.profile.rules.include_expansion && arg.contains(['%', '$']) {
                match self.include_tokens(arg) {
                    Ok(Some(a)) => {
                        expanded = a;
                        expanded.as_str()
                    }
                    // An undefined ${NAME}: ssh skips the path.
                    Ok(None) => continue,
                    Err(e) => return Err(e),
                }
            } else {
                arg
            };
            if arg.starts_with('~') && !src.userconf {
                return Ok(Err(format!("bad include path {arg}.")));
            }
            let full = if !arg.starts_with('/') && !arg.starts_with('~') {
                if src.userconf {
                    format!("~/.ssh/{arg}")
                } else {
                    let dir = self.env.system_config.parent();
                    let dir = dir.unwrap_or(&self.env.profile.build.sysconfdir);
                    format!("{}/{arg}", dir.display())
                }
            } else {
                arg.to_string()
            };
            let full = glob_tilde(&full, &self.env.include_home);
            let oactive = *active;
            let found = match self.env.overlay.is_sealed() {
                true => glob_overlay(&self.env.overlay, &full),
                false => glob(&full),
            };
            for f in found {
                if src.depth + 1 > 16 {
                    return Err(ConfigError::Depth {
                        file: file.to_string(),
                        line,
                    });
                }
                let inner = Source {
                    checkperm: true,
                    nevermatch: src.nevermatch || !oactive,
                    depth: src.depth + 1,
                    ..src
                };
                self.read_file(&f, inner, active)?;
                *active = oactive;
            }
        }
        Ok(Ok(()))
    }
}

/// Each line up to its first NUL byte: ssh reads a line into a C string,
/// which ends there.
fn cut_at_nul(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        match line.iter().position(|&b| b == 0) {
            Some(nul) => {
                out.extend_from_slice(&line[..nul]);
                if line.ends_with(b"\n") {
                    out.push(b'\n');
                }
            }
            None => out.extend_from_slice(line),
        }
    }
    out
}

/// How much of something that is not a regular file (a device, a FIFO) is
/// read before it counts as endless (`/dev/zero`; `/dev/null` is empty).
const NOT_A_FILE_LIMIT: usize = 16 << 20;

impl Run<'_> {
    /// An Include path with its `%` tokens and `${}` expanded (9.9):
    /// `Ok(None)` when a `${NAME}` has no value (ssh skips the path), an
    /// error for an unknown `%` token (ssh stops).
    fn include_tokens(&self, arg: &str) -> Result<Option<String>, ConfigError> {
        let host = self.match_host().map_err(ConfigError::Usage)?;
        let t = self.tokens(&host);
        let s = t.percent(arg)?;
        Ok(self.env.dollar_expand(&s).ok())
    }
}

/// ssh's check of the user file and of every `Include`d file (readconf.c
/// `read_config_file_depth`): owned by root or the user, writable by no
/// one else; else "Bad owner or permissions", fatal. Debian's patch
/// allows a group-writable file whose group holds only the user.
#[cfg(unix)]
fn refused(m: &std::fs::Metadata, env: &super::ResolveEnv) -> bool {
    use std::os::unix::fs::MetadataExt;
    let uid = env.uid;
    if (m.uid() != 0 && m.uid() != uid) || m.mode() & 0o002 != 0 {
        return true;
    }
    m.mode() & 0o020 != 0
        && !(env.profile.build.debian_patches && super::env::group_has_only(m.gid(), m.uid(), uid))
}

/// Windows: never refused here (`platform::ConfigCheck`). Git for Windows'
/// ssh makes the Unix check over modes the MSYS2 runtime makes up, which
/// always pass; Win32-OpenSSH checks the file's ACL, which pushguard cannot
/// read: when it refuses the file, ssh stops the push by itself, with its
/// own "Bad owner or permissions" message.
#[cfg(windows)]
fn refused(_: &std::fs::Metadata, _: &super::ResolveEnv) -> bool {
    false
}

/// Opens `path` for reading, non-blocking on Unix (a FIFO without a
/// writer opens at once); Windows has no FIFO to wait on.
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let nonblock = rustix::fs::OFlags::NONBLOCK.bits();
        o.custom_flags(i32::try_from(nonblock).unwrap_or(0));
    }
    o.open(path)
}

/// Reads an open file to its end into `buf` (a spare buffer, reused).
/// `size` is its size when it is a regular file: a read that brings that
/// many bytes ends it (one read for a file that does not change under us);
/// otherwise it reads until end of file.
fn read_all_from(
    f: &mut std::fs::File,
    size: Option<usize>,
    mut buf: Vec<u8>,
) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let want = size.unwrap_or(8192).min(1 << 26) + 1;
    if buf.len() < want {
        buf.resize(want, 0);
    }
    let mut len = 0;
    while size.is_none_or(|s| len < s) {
        if size.is_none() && len >= NOT_A_FILE_LIMIT {
            return Err(std::io::Error::other(
                "not a regular file, and it does not end (read 16 MiB)",
            ));
        }
        if len == buf.len() {
            buf.resize(len * 2, 0);
        }
        match f.read(&mut buf[len..]) {
            Ok(0) => break,
            Ok(k) => len += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            // ssh's getline stops at a read error (a directory opens and
            // fails its first read; a FIFO whose writer writes nothing would
            // block): what came before is the file.
            Err(_) => break,
        }
    }
    buf.truncate(len);
    Ok(buf)
}

/// Glob with `*`, `?`, `[...]`, results sorted; none when nothing matches.
pub(crate) fn glob(pattern: &str) -> Vec<PathBuf> {
    let wild = |s: &str| s.contains(['*', '?', '[']);
    if !wild(pattern) {
        // A name that is there, even a link that loops (its open fails as
        // ssh's does) or dangles (the open ignores it).
        let p = PathBuf::from(pattern);
        return match p.symlink_metadata() {
            Ok(_) => vec![p],
            Err(_) => Vec::new(),
        };
    }
    let comps: Vec<&str> = pattern.split('/').filter(|c| !c.is_empty()).collect();
    // The components before the first wildcard name one directory: start
    // there, with no stat of each ancestor.
    let lit = comps.iter().take_while(|c| !wild(c)).count();
    let mut start = PathBuf::from(if pattern.starts_with('/') { "/" } else { "." });
    for c in &comps[..lit] {
        start.push(c);
    }
    let mut bases = vec![start];
    // A name read from a directory exists (a dangling link is left for
    // the open to ignore, as ssh does); a literal last component does not
    // have to.
    let mut listed = false;
    for (i, comp) in comps.iter().enumerate().skip(lit) {
        let last = i + 1 == comps.len();
        let mut next = BTreeSet::new();
        listed = wild(comp);
        for b in &bases {
            if !wild(comp) {
                let p = b.join(comp);
                if last || p.is_dir() {
                    next.insert(p);
                }
                continue;
            }
            let Ok(rd) = std::fs::read_dir(b) else {
                continue;
            };
            for e in rd.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.starts_with('.') && !comp.starts_with('.') {
                    continue;
                }
                if fnmatch(comp, &name) {
                    next.insert(b.join(&name));
                }
            }
        }
        bases = next.into_iter().collect();
    }
    let mut out: Vec<PathBuf> = if listed {
        bases
    } else {
        bases.into_iter().filter(|p| p.exists()).collect()
    };
    out.sort_by(|a, b| {
        a.as_os_str()
            .as_encoded_bytes()
            .cmp(b.as_os_str().as_encoded_bytes())
    });
    out
}

/// [`glob`] over a sealed overlay's paths: the same components match.
fn glob_overlay(overlay: &super::Overlay, pattern: &str) -> Vec<PathBuf> {
    let comps: Vec<&str> = pattern.split('/').filter(|c| !c.is_empty()).collect();
    let matches = |p: &Path| {
        let Some(text) = p.to_str() else {
            return false;
        };
        let names: Vec<&str> = text.split('/').filter(|c| !c.is_empty()).collect();
        text.starts_with('/') == pattern.starts_with('/')
            && names.len() == comps.len()
            && comps.iter().zip(&names).all(|(c, n)| {
                let hidden = n.starts_with('.') && !c.starts_with('.');
                c == n || (!hidden && fnmatch(c, n))
            })
    };
    let mut out: Vec<PathBuf> = overlay
        .paths()
        .filter(|p| matches(p))
        .map(Path::to_path_buf)
        .collect();
    out.sort_by(|a, b| {
        a.as_os_str()
            .as_encoded_bytes()
            .cmp(b.as_os_str().as_encoded_bytes())
    });
    out
}

/// `fnmatch(3)` of one path component: `*`, `?`, `[set]`, `[!set]`.
/// Each token but `*` takes one character ([`star_match`](super::pattern::star_match)).
fn fnmatch(p: &str, s: &str) -> bool {
    /// The token at `p[i..]` against `c`, and the token's length; `None`
    /// for a `*`.
    fn one(p: &[u8], i: usize, c: u8) -> Option<(bool, usize)> {
        match p[i] {
            b'*' => None,
            b'?' => Some((true, 1)),
            b'[' => {
                let Some(end) = p[i + 1..]
                    .iter()
                    .position(|c| *c == b']')
                    .map(|e| i + 1 + e)
                else {
                    return Some((c == b'[', 1));
                };
                let set = &p[i + 1..end];
                let (neg, set) = match set.first() {
                    Some(b'!') | Some(b'^') => (true, &set[1..]),
                    _ => (false, set),
                };
                let mut hit = false;
                let mut k = 0;
                while k < set.len() {
                    if k + 2 < set.len() && set[k + 1] == b'-' {
                        hit |= set[k] <= c && c <= set[k + 2];
                        k += 3;
                    } else {
                        hit |= set[k] == c;
                        k += 1;
                    }
                }
                Some((hit != neg, end + 1 - i))
            }
            lit => Some((lit == c, 1)),
        }
    }
    super::pattern::star_match(s.as_bytes(), p.as_bytes(), one)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the `ssh_resolve` fuzz target: `Include c****…on*` took
    /// time exponential in its stars.
    #[test]
    fn many_stars_cost_no_more_than_one() {
        let p = format!("c{}on*", "*".repeat(80));
        assert!(!fnmatch(&p, &format!("c{}", "o".repeat(60))));
        assert!(fnmatch(&p, "cxonx"));
        let p = format!("{}b", "*a".repeat(30));
        assert!(!fnmatch(&p, &"a".repeat(100)));
        assert!(fnmatch(&p, &format!("{}b", "a".repeat(40))));
        assert!(fnmatch("*[!x]?", "ab") && !fnmatch("*[!x]?", "xb") && fnmatch("[", "["));
    }

    #[test]
    fn fnmatch_sets() {
        assert!(fnmatch("*.conf", "a.conf"));
        assert!(fnmatch("[ab]?", "bx"));
        assert!(!fnmatch("[!ab]?", "bx"));
        assert!(fnmatch("[a-c]", "b"));
    }

    #[test]
    fn globs_are_sorted_and_skip_hidden_names() {
        let dir = tempfile::tempdir().unwrap();
        for n in ["b.conf", "a.conf", ".h.conf", "c.txt"] {
            std::fs::write(dir.path().join(n), "").unwrap();
        }
        let got = glob(&format!("{}/*.conf", dir.path().display()));
        let names: Vec<String> = got
            .iter()
            .filter_map(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a.conf", "b.conf"]);
        assert!(glob(&format!("{}/nope*", dir.path().display())).is_empty());
        assert!(glob(&format!("{}/literal", dir.path().display())).is_empty());
    }

    /// Found by the bad-input corpus: a directory read as an error (ssh
    /// reads it as empty), a symlink loop was skipped (ssh fails on it),
    /// and a FIFO held the resolver for ever.
    #[cfg(unix)]
    #[test]
    fn files_that_are_not_files() {
        use crate::ssh::{ResolveEnv, ResolveRequest, resolve};
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir(d.join("dir")).unwrap();
        std::os::unix::fs::symlink(d.join("loop2"), d.join("loop1")).unwrap();
        std::os::unix::fs::symlink(d.join("loop1"), d.join("loop2")).unwrap();
        let fifo = std::process::Command::new("mkfifo")
            .arg(d.join("fifo"))
            .status();
        let env = ResolveEnv::current(crate::ssh::Profile::debian12(6), Default::default());
        let port = |cfg: &str| {
            let c = d.join("cfg");
            std::fs::write(&c, cfg).unwrap();
            let req =
                ResolveRequest::from_ssh_args(&["-F".into(), c.display().to_string(), "h".into()])
                    .unwrap();
            resolve(&req, &env)
                .map(|r| r.effective.get("port").unwrap().value.clone())
                .map_err(|e| e.to_string())
        };
        let inc = |name: &str| format!("Include {}\nPort 2\n", d.join(name).display());
        assert_eq!(port(&inc("dir")), Ok("2".into()));
        let e = port(&inc("loop1")).unwrap_err();
        assert!(e.contains("Too many levels of symbolic links"), "{e}");
        assert_eq!(port(&inc("dangling")), Ok("2".into()));
        if fifo.is_ok_and(|s| s.success()) {
            let t = std::time::Instant::now();
            assert_eq!(port(&inc("fifo")), Ok("2".into()));
            assert!(t.elapsed() < std::time::Duration::from_secs(2));
        }
        // As ssh: an included device fails the permission check.
        let e = port("Include /dev/null\nPort 3\n").unwrap_err();
        assert_eq!(e, "Bad owner or permissions on /dev/null");
        let top = |f: &str| {
            let req = ResolveRequest::from_ssh_args(&["-F".into(), f.into(), "h".into()]).unwrap();
            resolve(&req, &env).map(|_| ()).map_err(|e| e.to_string())
        };
        let dir = d.join("dir").display().to_string();
        assert_eq!(top(&dir), Ok(()), "a directory reads as empty");
        assert_eq!(top("/dev/null"), Ok(()));
        let e = top("/dev/zero").unwrap_err();
        assert!(e.contains("not a regular file"), "{e}");
    }

    /// Found by the bad-input corpus: `Port 22\0junk` was a bad port; ssh
    /// reads the line as a C string, `Port 22`.
    #[test]
    fn a_nul_ends_its_line() {
        assert_eq!(
            cut_at_nul(b"Port 22\0junk\nUser a\0b\nx\0"),
            b"Port 22\nUser a\nx"
        );
    }

    #[test]
    fn a_sealed_overlay_is_globbed_like_a_directory() {
        let o = super::super::Overlay::sealed()
            .with("/c/b.conf", Vec::new())
            .with("/c/a.conf", Vec::new())
            .with("/c/.h.conf", Vec::new())
            .with("/c/d/e.conf", Vec::new());
        let names = |p: &str| -> Vec<PathBuf> { glob_overlay(&o, p) };
        assert_eq!(
            names("/c/*.conf"),
            [Path::new("/c/a.conf"), Path::new("/c/b.conf")]
        );
        assert_eq!(names("/c/*/e.conf"), [Path::new("/c/d/e.conf")]);
        assert_eq!(names("/c/b.conf"), [Path::new("/c/b.conf")]);
        assert!(names("/c/nope").is_empty());
        assert!(names("c/a.conf").is_empty(), "relative is not absolute");
    }
}
