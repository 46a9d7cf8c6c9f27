//! The ssh side: the config lexer, the resolver over a sealed overlay
//! (Includes, Match, the command line), and what `ssh -G` prints.

use std::path::{Path, PathBuf};

use crate::ssh::lex::{self, Line, Words};
use crate::ssh::profile::TimeGrammar;
use crate::ssh::trace::{self, Trace};
use crate::ssh::{
    Effective, ExecPolicy, Overlay, Profile, ResolveEnv, ResolveRequest, resolve, resolve_logged,
};

/// One resolver case: the ssh arguments and the files it may read.
///
/// As text (what the fuzzer mutates and the recorded cases hold): the first
/// line is the argv, words split at spaces and tabs; then each file is a
/// `== NAME` line followed by its bytes. A relative NAME is under the
/// case's home directory. Without any `== ` line, everything after the
/// first line is the user file (`.ssh/config`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// The ssh arguments (no program name).
    pub argv: Vec<String>,
    /// The files: name as written, contents.
    pub files: Vec<(String, Vec<u8>)>,
}

impl Case {
    /// Reads a case from its text form.
    pub fn decode(data: &[u8]) -> Case {
        let (first, rest) = match data.iter().position(|&b| b == b'\n') {
            Some(i) => (&data[..i], &data[i + 1..]),
            None => (data, &[][..]),
        };
        let argv = String::from_utf8_lossy(first)
            .split([' ', '\t'])
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect();
        let mut files: Vec<(String, Vec<u8>)> = Vec::new();
        let mut loose = Vec::new();
        for line in rest.split_inclusive(|&b| b == b'\n') {
            if let Some(name) = line.strip_prefix(b"== ") {
                let name = String::from_utf8_lossy(name).trim_end().to_string();
                files.push((name, Vec::new()));
                continue;
            }
            match files.last_mut() {
                Some((_, text)) => text.extend_from_slice(line),
                None => loose.extend_from_slice(line),
            }
        }
        if files.is_empty() {
            files.push((".ssh/config".into(), loose));
        }
        Case { argv, files }
    }

    /// The text form ([`Case::decode`] reads it back).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = self.argv.join(" ").into_bytes();
        out.push(b'\n');
        for (name, text) in &self.files {
            out.extend_from_slice(format!("== {name}\n").as_bytes());
            out.extend_from_slice(text);
            if !text.is_empty() && !text.ends_with(b"\n") {
                out.push(b'\n');
            }
        }
        out
    }

    /// The files with relative names placed under `home`.
    pub fn files_under(&self, home: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        self.files
            .iter()
            .map(|(name, text)| (home.join(name), text.clone()))
            .collect()
    }
}

/// `base` with a sealed overlay of `files`: the resolver reads these and
/// nothing else.
pub fn sealed_env(files: &[(PathBuf, Vec<u8>)], base: ResolveEnv) -> ResolveEnv {
    let overlay = files
        .iter()
        .fold(Overlay::sealed(), |o, (p, t)| o.with(p.clone(), t.clone()));
    ResolveEnv { overlay, ..base }
}

/// The environment of the fuzz cases: user `fuzz` (uid 1000) at `/fuzz`.
fn fuzz_env(profile: Profile) -> ResolveEnv {
    ResolveEnv {
        user_config: PathBuf::from("/fuzz/.ssh/config"),
        system_config: PathBuf::from("/etc/ssh/ssh_config"),
        home: PathBuf::from("/fuzz"),
        include_home: PathBuf::from("/fuzz"),
        local_user: "fuzz".into(),
        uid: 1000,
        profile,
        exec: ExecPolicy::Unknown,
        stdin_config: None,
        home_var: Some("/fuzz".into()),
        overlay: Overlay::default(),
    }
}

/// The lexer: every line of `data` is scanned; a line the fast path split
/// must split the same with ssh's full splitters; times and numbers parse
/// within their ranges.
pub fn ssh_lex(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut pos = 0;
    let mut words = Words::default();
    while pos < text.len() {
        let (line, next) = lex::scan_line(&text, pos, &mut words);
        assert!(next > pos, "no progress at {pos}");
        let span = &text[pos..next];
        assert!(
            next == text.len() || span.ends_with('\n'),
            "a line ends at a newline"
        );
        if let Line::Plain(k, r) = line {
            let t = span.trim_end_matches(['\n', ' ', '\t']);
            match full_split(t) {
                Some((fk, fr, fw)) => {
                    assert_eq!((k, r), (fk.as_str(), fr.as_str()), "{t:?}");
                    let ours: Vec<&str> = words.iter().collect();
                    assert_eq!(ours, fw, "{t:?}");
                }
                None => assert!(k.is_empty(), "{t:?}: a keyword from a blank line"),
            }
        }
        let raw = match line {
            Line::Raw(r) => r,
            Line::Plain(..) => span,
        };
        if let Some(ws) = lex::argv_split(raw) {
            for w in ws.iter() {
                for g in [
                    TimeGrammar::Strtol,
                    TimeGrammar::Digits,
                    TimeGrammar::Fractional,
                ] {
                    if let Some(t) = lex::convtime(w, g) {
                        assert!((0..=i64::from(i32::MAX)).contains(&t), "{w:?} -> {t}");
                    }
                }
                if let Ok(n) = lex::strtonum(w, 0, 65535) {
                    assert!((0..=65535).contains(&n));
                }
            }
        }
        pos = next;
    }
}

/// What ssh's full splitters make of a line: keyword, argument text, words.
fn full_split(line: &str) -> Option<(String, String, Vec<String>)> {
    let (k, r) = lex::strdelim(line)?;
    let (k, r) = if k.is_empty() {
        lex::strdelim(r?)?
    } else {
        (k, r)
    };
    if k.is_empty() || k.starts_with('#') {
        return None;
    }
    let r = lex::trim_start(r.unwrap_or(""), b" \t\r\n");
    let words = lex::argv_split(r)?;
    Some((
        k.into_owned(),
        r.to_string(),
        words.iter().map(str::to_string).collect(),
    ))
}

/// The resolver on a [`Case`] over a sealed overlay: any answer but a
/// panic; the read log must not change the answer; every rendering works.
pub fn ssh_resolve(data: &[u8]) {
    let case = Case::decode(data);
    // Each modelled build in turn, by the input's length.
    let profiles = Profile::modelled();
    let profile = profiles[data.len() % profiles.len()].clone();
    let env = sealed_env(&case.files_under(Path::new("/fuzz")), fuzz_env(profile));
    let Ok(req) = ResolveRequest::from_ssh_args(&case.argv) else {
        return;
    };
    let plain = resolve(&req, &env);
    let logged = resolve_logged(&req, &env);
    match (&plain, &logged) {
        (Ok(a), Ok((b, _))) => {
            assert_eq!(a, b, "the read log changed the answer");
            let _ = (a.dump(), a.explain(), a.to_json());
        }
        (Err(a), Err(b)) => assert_eq!(a, b, "the read log changed the error"),
        _ => panic!("the read log changed the outcome: {plain:?} / {logged:?}"),
    }
}

/// `ssh -G` stdout and `ssh -G -vvv` stderr, as the probe reads them.
pub fn ssh_g_output(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let e = Effective::from_dump(&text);
    let _ = e.server_alive_interval();
    for (k, vs) in e.entries() {
        assert!(!k.is_empty(), "an empty key");
        assert!(!vs.is_empty(), "{k} without values");
    }
    let cwd = Path::new("/fuzz");
    let t = Trace::parse(&text, cwd);
    for f in &t.files {
        assert!(f.is_absolute(), "{f:?} is not absolute");
    }
    for r in t.execs.results() {
        let _ = trace::same_file(&r.file, cwd);
    }
    let _ = trace::errors(&text);
    let argv: Vec<String> = text.split(' ').map(str::to_string).collect();
    let traced = trace::traced(&argv);
    assert!(traced.len() >= argv.len());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_reads_back_from_its_text() {
        let c = Case::decode(b"-F /c/config h\n== /c/config\nInclude inc\n== .ssh/inc\nPort 2\n");
        assert_eq!(c.argv, ["-F", "/c/config", "h"]);
        assert_eq!(c.files.len(), 2);
        assert_eq!(Case::decode(&c.encode()), c);
        let c = Case::decode(b"h\nPort 3\n");
        assert_eq!(c.files, [(".ssh/config".to_string(), b"Port 3\n".to_vec())]);
    }

    #[test]
    fn the_sealed_resolver_reads_includes_from_the_case_only() {
        let c = Case::decode(
            b"h\n== .ssh/config\nInclude conf.d/*\nHost h\n  Port 7\n== .ssh/conf.d/a\nUser alice\n== .ssh/conf.d/b\nUser bob\nServerAliveInterval 9\n",
        );
        let env = sealed_env(
            &c.files_under(Path::new("/fuzz")),
            fuzz_env(Profile::debian12(6)),
        );
        let req = ResolveRequest::from_ssh_args(&c.argv).unwrap();
        let r = resolve(&req, &env).unwrap();
        let get = |k: &str| r.effective.get(k).map(|v| v.value.clone());
        assert_eq!(get("user").as_deref(), Some("alice"));
        assert_eq!(get("port").as_deref(), Some("7"));
        assert_eq!(get("serveraliveinterval").as_deref(), Some("9"));
        let origin = r
            .effective
            .get("serveraliveinterval")
            .unwrap()
            .origin
            .to_string();
        assert_eq!(origin, "/fuzz/.ssh/conf.d/b:2");
        ssh_resolve(&c.encode());
    }

    #[test]
    fn the_lexer_check_accepts_ssh_lines() {
        ssh_lex(b"Host a b\n  Port=22\n\tUser \"x y\"\n# c\nProxyCommand 'a b' \\\" c\n");
    }
}
