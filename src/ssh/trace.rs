//! What `ssh -G -vvv` says on stderr while it reads its configuration (it
//! connects nowhere): the files it read and the result of every `Match exec`
//! it ran, by file and line. The builtin resolver replays those results
//! ([`ExecPolicy::Replay`](super::ExecPolicy::Replay)) instead of treating
//! them as unknown, and so names the line that really won.
//!
//! - [`traced`]: a `-G` probe argv with `-vvv` after the `-G`.
//! - [`probe`]: runs it; [`Traced`] is the dump (without the `loglevel`
//!   line `-vvv` changes) and the [`Trace`].
//! - [`Trace::parse`]: reads the stderr lines below.
//!
//! The lines, from readconf.c (the same from 8.7p1 to 10.5p1; the file is
//! printed with `%.200s`, the command with `%.100s`):
//!
//! ```text
//! debug1: Reading configuration data FILE
//! debug3: FILE line N: matched 'exec "CMD"'
//! debug3: FILE line N: not matched '!exec "CMD"'
//! debug3: FILE line N: skipped exec "CMD"        (not run: an earlier criterion failed)
//! ```
//!
//! "matched" is the criterion's truth after a `!`; the command's own success
//! is that truth with the `!` undone. A skipped exec is not run by ssh and
//! not evaluated by the builtin resolver either.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use super::probe::ProbeError;
use super::{Effective, Origin};
use crate::process::{Failure, ProcessBuilder};

/// How many bytes of a file name ssh prints (`%.200s`).
const NAME_LIMIT: usize = 200;

/// One `Match exec` that ssh ran: where, and whether the command succeeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecResult {
    /// The file as ssh printed it, made absolute against the directory ssh ran in.
    pub file: PathBuf,
    /// The Match line.
    pub line: usize,
    /// The command exited 0.
    pub succeeded: bool,
}

impl ExecResult {
    /// True when this result is for the Match line at `origin` (a name ssh
    /// cut at 200 bytes matches every path it is the start of).
    pub fn is_at(&self, origin: &Origin) -> bool {
        let Origin::File { path, line } = origin else {
            return false;
        };
        *line == self.line && same_file(&self.file, path)
    }
}

/// True when `printed` (as ssh printed a file name, made absolute) names `path`.
pub fn same_file(printed: &Path, path: &Path) -> bool {
    if printed == path {
        return true;
    }
    let p = printed.as_os_str().as_encoded_bytes();
    p.len() >= NAME_LIMIT && path.as_os_str().as_encoded_bytes().starts_with(p)
}

/// The `Match exec` results of one ssh run, in the order ssh ran them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Replay(Arc<[ExecResult]>);

impl Replay {
    /// The results in order.
    pub fn results(&self) -> &[ExecResult] {
        &self.0
    }

    /// The `n`th result.
    pub(crate) fn get(&self, n: usize) -> Option<&ExecResult> {
        self.0.get(n)
    }
}

/// What `ssh -G -vvv` printed on stderr about its configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trace {
    /// The files ssh read, in order (absolute; an Include and a second pass repeat them).
    pub files: Vec<PathBuf>,
    /// The `Match exec` commands it ran, in order.
    pub execs: Replay,
}

impl Trace {
    /// Reads ssh's stderr; relative file names are taken from `cwd`, where ssh ran.
    pub fn parse(stderr: &str, cwd: &Path) -> Trace {
        const READING: &str = "Reading configuration data ";
        let abs = |name: &str| cwd.join(name);
        let mut files = Vec::new();
        let mut execs = Vec::new();
        for raw in stderr.lines() {
            let line = raw.trim_end_matches('\r');
            let Some((_, text)) = line
                .split_once(": ")
                .filter(|(d, _)| d.starts_with("debug"))
            else {
                continue;
            };
            if let Some(name) = text.strip_prefix(READING) {
                files.push(abs(name));
            } else if let Some((name, n, succeeded)) = exec_line(text) {
                execs.push(ExecResult {
                    file: abs(name),
                    line: n,
                    succeeded,
                });
            }
        }
        Trace {
            files,
            execs: Replay(execs.into()),
        }
    }

    /// True when ssh printed its trace (not when `-E` or `-y` sent it elsewhere).
    pub fn is_present(&self) -> bool {
        !self.files.is_empty()
    }
}

/// `FILE line N: [not ]matched '[!]exec "CMD"' `: the file, the line and
/// whether the command succeeded.
fn exec_line(text: &str) -> Option<(&str, usize, bool)> {
    let mut from = 0;
    while let Some(at) = text[from..].find(" line ") {
        let at = from + at;
        from = at + 1;
        let rest = &text[at + " line ".len()..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let Ok(n) = rest[..digits].parse::<usize>() else {
            continue;
        };
        let Some(rest) = rest[digits..].strip_prefix(": ") else {
            continue;
        };
        let (matched, rest) = match rest.strip_prefix("not ") {
            Some(r) => (false, r),
            None => (true, rest),
        };
        let Some(rest) = rest.strip_prefix("matched '") else {
            continue;
        };
        let (negated, rest) = match rest.strip_prefix('!') {
            Some(r) => (true, r),
            None => (false, rest),
        };
        let is_exec = rest
            .get(..5)
            .is_some_and(|a| a.eq_ignore_ascii_case("exec "));
        if !is_exec || !rest[5..].starts_with('"') {
            continue;
        }
        return Some((&text[..at], n, matched != negated));
    }
    None
}

/// A `-G` probe argv (program first, `-G` among the words) with `-vvv` right
/// after the `-G`.
pub fn traced(argv: &[String]) -> Vec<String> {
    let mut out = argv.to_vec();
    if let Some(at) = out.iter().skip(1).position(|a| a == "-G") {
        out.insert(at + 2, "-vvv".into());
    }
    out
}

/// What a traced `ssh -G` answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Traced {
    /// The dump, without its `loglevel` line (which `-vvv` makes DEBUG3).
    pub dump: String,
    /// The same, parsed.
    pub effective: Effective,
    /// What stderr said.
    pub trace: Trace,
}

/// Runs the `-G` probe `argv` with `-vvv` in `cwd` (the directory git runs
/// ssh in), stdin closed, bounded by `limit`. A program that fails with
/// `-vvv` (a wrapper that is not ssh) is asked again without it: then the
/// trace is empty.
pub fn probe(argv: &[String], cwd: &Path, limit: Duration) -> Result<Traced, ProbeError> {
    let run = |argv: &[String]| -> Result<_, ProbeError> {
        let (program, args) = argv.split_first().ok_or(ProbeError::Empty)?;
        Ok(ProcessBuilder::new(program)
            .args(args)
            .cwd(cwd)
            .timeout(limit)
            .run()?)
    };
    let out = match run(&traced(argv)) {
        Ok(out) => out,
        Err(ProbeError::Process(p)) if matches!(p.kind, Failure::Exit { .. }) => {
            let mut out = run(argv)?;
            out.stderr.clear();
            out
        }
        Err(e) => return Err(e),
    };
    let dump: String = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.starts_with("loglevel "))
        .flat_map(|l| [l, "\n"])
        .collect();
    let trace = Trace::parse(&String::from_utf8_lossy(&out.stderr), cwd);
    Ok(Traced {
        effective: Effective::from_dump(&dump),
        dump,
        trace,
    })
}

/// The lines of ssh's stderr that are not its debug trace (its error, with file and line).
pub fn errors(stderr: &str) -> String {
    stderr
        .lines()
        .filter(|l| !l.starts_with("debug") && !l.starts_with("Pseudo-terminal"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    // readconf.c match_cfg_line's debug3 lines, as 9.2p1 prints them.
    const STDERR: &str = "OpenSSH_9.2p1 Debian-2+deb12u6, OpenSSL 3.0.19 27 Jan 2026\n\
debug1: Reading configuration data cfg\n\
debug1: cfg line 2: Applying options for *\n\
debug2: checking match for 'exec \"true\" host h*' host h originally h\n\
debug1: Executing command: 'true'\n\
debug3: command returned status 0\n\
debug3: cfg line 4: matched 'exec \"true\"' \n\
debug3: cfg line 4: matched 'host \"h\"' \n\
debug3: cfg line 6: not matched 'exec \"false\"' \n\
debug3: cfg line 7: not matched '!EXEC \"true\"' \n\
debug3: cfg line 8: skipped exec \"x\"\n\
debug3: /a line 9/b line 3: matched '!exec \"false line 1: matched\"' \n\
debug1: Reading configuration data /etc/ssh/ssh_config\r\n";

    #[test]
    fn reads_files_and_exec_results() {
        let t = Trace::parse(STDERR, Path::new("/top"));
        assert_eq!(
            t.files,
            [PathBuf::from("/top/cfg"), "/etc/ssh/ssh_config".into()]
        );
        let got: Vec<(String, usize, bool)> = t
            .execs
            .results()
            .iter()
            .map(|e| (e.file.display().to_string(), e.line, e.succeeded))
            .collect();
        assert_eq!(
            got,
            [
                ("/top/cfg".to_string(), 4, true),
                ("/top/cfg".into(), 6, false),
                ("/top/cfg".into(), 7, true),
                ("/a line 9/b".into(), 3, false),
            ]
        );
        assert!(t.is_present());
        assert!(!Trace::parse("debug1: x\n", Path::new("/")).is_present());
    }

    #[test]
    fn a_cut_name_matches_what_it_starts() {
        let long = format!("/{}", "d".repeat(250));
        let cut = PathBuf::from(&long[..NAME_LIMIT]);
        assert!(same_file(&cut, Path::new(&long)));
        assert!(!same_file(Path::new("/a"), Path::new("/ab")));
        let r = ExecResult {
            file: "/c".into(),
            line: 2,
            succeeded: true,
        };
        assert!(r.is_at(&Origin::File {
            path: "/c".into(),
            line: 2
        }));
        assert!(!r.is_at(&Origin::CommandLine));
    }

    #[test]
    fn a_replay_resolves_as_running_the_commands_does() {
        use crate::ssh::{ExecPolicy, Profile, ResolveEnv, ResolveRequest, resolve};
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("cfg");
        let text = "Match exec \"true\"\n  Port 1\nMatch exec \"false\"\n  User x\nMatch !exec \"false\"\n  ServerAliveInterval 7\n";
        std::fs::write(&cfg, text).unwrap();
        let req =
            ResolveRequest::from_ssh_args(&["-F".into(), cfg.display().to_string(), "h".into()])
                .unwrap();
        let env = |exec| ResolveEnv::current(Profile::newest(), exec);
        let ran = resolve(&req, &env(ExecPolicy::Run)).unwrap();
        let result = |line, succeeded| ExecResult {
            file: cfg.clone(),
            line,
            succeeded,
        };
        let trace = Replay(vec![result(1, true), result(3, false), result(5, false)].into());
        let replayed = resolve(&req, &env(ExecPolicy::Replay(trace))).unwrap();
        assert_eq!(replayed.dump(), ran.dump());
        assert!(replayed.exec_unknown.is_empty());
        assert_eq!(replayed.effective.server_alive_interval(), Some(7));
        // A trace that does not fit makes that exec and every later one unknown.
        let off = Replay(vec![result(1, true), result(4, false)].into());
        let r = resolve(&req, &env(ExecPolicy::Replay(off))).unwrap();
        let lines: Vec<String> = r.exec_unknown.iter().map(|o| o.to_string()).collect();
        assert_eq!(
            lines,
            [
                format!("{}:3", cfg.display()),
                format!("{}:5", cfg.display())
            ]
        );
    }

    #[test]
    fn a_program_that_refuses_vvv_is_asked_without_it() {
        let script =
            "for a; do [ \"$a\" = -vvv ] && exit 2; done; echo 'user x'; echo 'loglevel INFO'";
        let argv: Vec<String> = ["sh", "-c", script, "sh", "-G", "h"]
            .map(String::from)
            .to_vec();
        let t = probe(&argv, Path::new("/"), Duration::from_secs(5)).unwrap();
        assert_eq!(t.dump, "user x\n");
        assert!(!t.trace.is_present());
        let fails: Vec<String> = [
            "sh",
            "-c",
            "echo 'cfg line 1: bad' >&2; exit 255",
            "sh",
            "-G",
        ]
        .map(String::from)
        .to_vec();
        let e = probe(&fails, Path::new("/"), Duration::from_secs(5)).unwrap_err();
        assert!(e.to_string().contains("cfg line 1: bad"), "{e}");
    }

    #[test]
    fn vvv_goes_after_g() {
        let argv: Vec<String> = ["sh", "-c", "ssh -G \"$@\"", "ssh", "-G", "-p", "1", "h"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            traced(&argv)[4..7],
            ["-G".to_string(), "-vvv".into(), "-p".into()]
        );
        assert_eq!(errors(STDERR).lines().count(), 1);
    }
}
