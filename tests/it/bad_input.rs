//! The bad-input corpus: configs, hook stdin, URLs, refs and settings that
//! no one should write, each run through the real binary under
//! `/usr/bin/time` (wall time and max RSS are printed, and bounded loosely:
//! a blow-up fails, a slow machine does not). Each case states its answer:
//! the exit code, a precise message (file and line where there is one), no
//! panic, no raw control character, no line longer than the terminal rule
//! allows; in the hook, a bad input lets the push go on with one line (exit
//! 0) and stops it with `pushguard.strict` (exit 3).

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::sync::Mutex;

use crate::support::{BIN, Cmd, Out, Sandbox, require};

/// The figures of every case run, for the report.
static FIGURES: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Generous bounds: a debug build on a loaded 2-core machine stays far
/// below them; an unbounded loop or a copy per line does not.
const MAX_SECONDS: f64 = 60.0;
const MAX_RSS_KB: u64 = 1 << 20;

/// Runs `args` under `/usr/bin/time` in `dir`; checks the general rules
/// and records the figures.
fn measured(
    s: &Sandbox,
    case: &str,
    args: &[&str],
    stdin: Option<Vec<u8>>,
    env: &[(&str, &str)],
) -> Out {
    let time = require("time").unwrap_or_else(|| "/usr/bin/time".into());
    let mut c: Cmd = s.cmd(&time).args(["-f", "PGTIME %e %M", BIN]).args(args);
    for (k, v) in env {
        c = c.env(k, v);
    }
    if let Some(bytes) = stdin {
        c = c.stdin(bytes);
    }
    let mut out = c.run();
    // GNU time adds a line of its own for a non-zero status.
    let all: String = out
        .stderr
        .lines()
        .filter(|l| !l.starts_with("Command exited with non-zero status"))
        .map(|l| format!("{l}\n"))
        .collect();
    let all = all.trim_end().to_string();
    let (rest, last) = all.rsplit_once('\n').unwrap_or(("", all.as_str()));
    let figures = last
        .strip_prefix("PGTIME ")
        .unwrap_or_else(|| panic!("{case}: no figures in {all}"));
    let (secs, kb) = figures.split_once(' ').unwrap();
    let (secs, kb): (f64, u64) = (secs.parse().unwrap(), kb.parse().unwrap());
    out.stderr = match rest.is_empty() {
        true => String::new(),
        false => format!("{rest}\n"),
    };
    FIGURES.lock().unwrap().push(format!(
        "{case:<44} {secs:>6.2} s {:>8} KB  exit {:?}",
        kb, out.code
    ));
    let _ = writeln!(
        std::io::stderr(),
        "bad input: {case:<44} {secs:>6.2} s {kb:>8} KB max RSS"
    );
    assert!(secs < MAX_SECONDS, "{case}: {secs} s");
    assert!(kb < MAX_RSS_KB, "{case}: {kb} KB");
    let text = out.text();
    assert!(
        !text.contains("panicked"),
        "{case}: {}",
        &text[..text.len().min(2000)]
    );
    assert!(
        !text.chars().any(pushguard::terminal::is_unsafe),
        "{case}: a raw control character"
    );
    for l in out.stderr.lines() {
        assert!(
            l.chars().count() <= pushguard::terminal::LINE + 40,
            "{case}: a {} character line",
            l.len()
        );
    }
    out
}

/// `pushguard resolve -F <cfg> h` on config text written to `cfg`.
fn resolve(s: &Sandbox, case: &str, cfg: &[u8]) -> Out {
    std::fs::write(s.path("cfg"), cfg).unwrap();
    let f = s.path("cfg").display().to_string();
    measured(s, case, &["resolve", "-F", &f, "h"], None, &[])
}

fn rejected_at(out: &Out, file: &Path, line: usize) {
    assert_eq!(out.code, Some(255), "{}", out.stderr);
    let at = format!("{}: line {line}:", file.display());
    let at2 = format!("{} line {line}:", file.display());
    assert!(
        out.stderr.contains(&at) || out.stderr.contains(&at2),
        "{at2} not in {}",
        out.stderr
    );
}

#[test]
fn configs() {
    if require("git").is_none() {
        return;
    }
    let s = Sandbox::new();
    let cfg = s.path("cfg");
    let port = |o: &Out| {
        o.stdout
            .lines()
            .find_map(|l| l.strip_prefix("port "))
            .map(str::to_string)
    };

    let out = resolve(
        &s,
        "non-UTF-8 bytes",
        b"Host h\n  User j\xf6rg\xff\n  Bogus\xff 1\n",
    );
    rejected_at(&out, &cfg, 3);
    // As ssh reads it: a line ends at its NUL.
    let out = resolve(&s, "NUL bytes", b"Port 2\0junk\nUser a\0b\n");
    assert_eq!(port(&out).as_deref(), Some("2"), "{}", out.stderr);

    let pad = b"# padding padding padding padding padding padding padding padding padding padding padding\n";
    let mut big = pad.repeat((100 << 20) / pad.len());
    big.extend_from_slice(b"Port 2222\n");
    let out = resolve(&s, "a 100 MB config", &big);
    assert_eq!(port(&out).as_deref(), Some("2222"), "{}", out.stderr);
    drop(big);

    let mut many = String::new();
    for i in 1..=5000 {
        let _ = write!(many, "Host h{i} h\n  Port {i}\n");
    }
    let out = resolve(&s, "a 10,000-line config", many.as_bytes());
    assert_eq!(port(&out).as_deref(), Some("1"));

    let long = format!("{} 1\n", "k".repeat(1 << 20));
    let out = resolve(&s, "a 1 MB keyword", long.as_bytes());
    rejected_at(&out, &cfg, 1);
    assert!(
        out.stderr.contains("Bad configuration option: kkk"),
        "{}",
        &out.stderr[..200]
    );
    assert!(out.stderr.contains("bytes cut"), "the keyword is cut");
    let out = resolve(
        &s,
        "a 1 MB value",
        format!("Hostname {}\n", "v".repeat(1 << 20)).as_bytes(),
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);

    let out = resolve(
        &s,
        "an Include cycle",
        format!("Include {}\n", cfg.display()).as_bytes(),
    );
    assert!(
        out.stderr
            .contains("Too many recursive configuration includes"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("line 1"), "{}", out.stderr);
    for i in 0..18 {
        s.write(
            format!("deep/c{i}"),
            &format!("Include {}\n", s.path(format!("deep/c{}", i + 1)).display()),
        );
    }
    let out = resolve(
        &s,
        "Include depth 18",
        format!("Include {}\n", s.path("deep/c0").display()).as_bytes(),
    );
    assert!(
        out.stderr
            .contains("Too many recursive configuration includes"),
        "{}",
        out.stderr
    );

    for i in 0..5000 {
        s.write(format!("conf.d/{i:05}.conf"), &format!("Port {}\n", i + 1));
    }
    let glob = format!("Include {}/*.conf\n", s.path("conf.d").display());
    let out = resolve(&s, "a glob of 5,000 files", glob.as_bytes());
    assert_eq!(port(&out).as_deref(), Some("1"), "{}", out.stderr);

    std::os::unix::fs::symlink(s.path("gone"), s.path("vanished")).unwrap();
    let out = resolve(
        &s,
        "a vanished file",
        format!("Include {}\nPort 7\n", s.path("vanished").display()).as_bytes(),
    );
    assert_eq!(port(&out).as_deref(), Some("7"));
    std::os::unix::fs::symlink(s.path("loop2"), s.path("loop1")).unwrap();
    std::os::unix::fs::symlink(s.path("loop1"), s.path("loop2")).unwrap();
    let out = resolve(
        &s,
        "a symlink loop",
        format!("Include {}\n", s.path("loop1").display()).as_bytes(),
    );
    assert_eq!(out.code, Some(255));
    assert!(
        out.stderr.contains("Too many levels of symbolic links"),
        "{}",
        out.stderr
    );
    std::fs::create_dir_all(s.path("adir")).unwrap();
    let out = resolve(
        &s,
        "a directory as an Include",
        format!("Include {}\nPort 8\n", s.path("adir").display()).as_bytes(),
    );
    assert_eq!(port(&out).as_deref(), Some("8"), "{}", out.stderr);
    let dir = s.path("adir").display().to_string();
    let out = measured(
        &s,
        "a directory as -F",
        &["resolve", "-F", &dir, "h"],
        None,
        &[],
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    if std::process::Command::new("mkfifo")
        .arg(s.path("fifo"))
        .status()
        .is_ok_and(|st| st.success())
    {
        let out = resolve(
            &s,
            "a FIFO as an Include",
            format!("Include {}\nPort 9\n", s.path("fifo").display()).as_bytes(),
        );
        assert_eq!(port(&out).as_deref(), Some("9"), "{}", out.stderr);
    }
    // Root reads any file: an endless device stands for one that cannot be read.
    let out = measured(
        &s,
        "an endless file as -F (/dev/zero)",
        &["resolve", "-F", "/dev/zero", "h"],
        None,
        &[],
    );
    assert_eq!(out.code, Some(255), "{}", out.stderr);
    assert!(
        out.stderr.contains("/dev/zero: not a regular file"),
        "{}",
        out.stderr
    );

    let mut report = String::from("bad-input corpus (debug build): case, wall time, max RSS\n");
    for f in FIGURES.lock().unwrap().iter() {
        report.push_str(f);
        report.push('\n');
    }
    let _ = std::fs::write(
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("bad_input_configs.txt"),
        report,
    );
}

/// A repository with one commit, a remote `origin` over ssh, and the oid.
fn repo() -> Option<(Sandbox, String)> {
    require("git")?;
    let s = Sandbox::repo();
    s.git(&["remote", "add", "origin", "ssh://git@h.example/p.git"])
        .ok();
    let head = s.git(&["rev-parse", "HEAD"]).stdout();
    Some((s, head))
}

/// The hook on `stdin`, without and with strict: one line, exit 0 or 3.
fn hook_one_line(s: &Sandbox, case: &str, stdin: Vec<u8>, want: &str) {
    for (strict, code, end) in [
        ("false", 0, "; letting it go on"),
        ("true", 3, "; stopping it (pushguard.strict is on)"),
    ] {
        let params = format!("'pushguard.strict'='{strict}'");
        let out = measured(
            s,
            &format!("{case} (strict={strict})"),
            &["pre-push", "origin", "ssh://git@h.example/p.git"],
            Some(stdin.clone()),
            &[("GIT_CONFIG_PARAMETERS", &params)],
        );
        assert_eq!(out.code, Some(code), "{case}: {}", out.stderr);
        assert_eq!(out.stderr.lines().count(), 1, "{case}: {}", out.stderr);
        assert!(
            out.stderr.len() < 600,
            "{case}: a value is not cut: {} bytes",
            out.stderr.len()
        );
        assert!(
            out.stderr.trim_end().ends_with(end),
            "{case}: {}",
            out.stderr
        );
        assert!(
            out.stderr.contains(want),
            "{case}: {want:?} not in {}",
            out.stderr
        );
    }
}

#[test]
fn hook_input() {
    let Some((s, head)) = repo() else { return };
    let z = "0".repeat(40);
    hook_one_line(
        &s,
        "truncated stdin",
        format!("refs/heads/main {}", &head[..20]).into_bytes(),
        "pre-push input line 1: expected 4 space-separated fields, found 2",
    );
    let garbage: Vec<u8> = (0..65536u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    hook_one_line(
        &s,
        "64 KB of garbage stdin",
        garbage,
        "pre-push input line ",
    );
    hook_one_line(
        &s,
        "an oid of 39 digits",
        format!("refs/heads/main {} refs/heads/main {z}\n", &head[..39]).into_bytes(),
        "is not an object id",
    );
    let long = format!(
        "refs/heads/main {} refs/heads/main {z}\n",
        "f".repeat(1 << 20)
    );
    hook_one_line(&s, "a 1 MB oid", long.into_bytes(), "bytes cut");
    hook_one_line(
        &s,
        "NUL bytes in stdin",
        format!("refs/heads/main\0 {head} refs/heads/main {z}\nx\0\n").into_bytes(),
        "pre-push input line 2",
    );
    let mut lines = String::new();
    for i in 0..20_000 {
        let _ = writeln!(lines, "refs/heads/b{i} {head} refs/heads/b{i} {z}");
    }
    let out = measured(
        &s,
        "20,000 ref lines",
        &["pre-push", "origin", "ssh://git@h.example/p.git"],
        Some(lines.into_bytes()),
        &[],
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    // A long setting value and pre-commit variable: named, cut.
    let params = format!("'pushguard.warnobjects'='{}'", "x".repeat(100_000));
    let out = measured(
        &s,
        "a 100 KB setting value (an env string's limit is 128 KB)",
        &["pre-push", "origin", "ssh://h/p"],
        Some(Vec::new()),
        &[("GIT_CONFIG_PARAMETERS", &params)],
    );
    assert_eq!(out.code, Some(0));
    assert!(
        out.stderr.contains("for pushguard.warnObjects") && out.stderr.contains("bytes cut"),
        "{}",
        out.stderr
    );
    let to = "y".repeat(100_000);
    let vars = [
        ("PRE_COMMIT_REMOTE_NAME", "origin"),
        ("PRE_COMMIT_REMOTE_URL", "ssh://h/p"),
        ("PRE_COMMIT_LOCAL_BRANCH", "refs/heads/main"),
        ("PRE_COMMIT_REMOTE_BRANCH", "refs/heads/main"),
        ("PRE_COMMIT_TO_REF", to.as_str()),
    ];
    let out = measured(&s, "a 100 KB PRE_COMMIT_TO_REF", &["pre-push"], None, &vars);
    assert_eq!(out.code, Some(0));
    assert!(
        out.stderr.contains("PRE_COMMIT_TO_REF") && out.stderr.contains("bytes cut"),
        "{}",
        out.stderr
    );
}

#[test]
fn urls_and_refs_with_control_characters() {
    let Some((s, head)) = repo() else { return };
    let z = "0".repeat(40);
    for url in [
        "ssh://git@h\x1b]0;pwned\x07.example/p",
        "ssh://h.example/p\nverdict    ok",
        "git@h\u{202e}gnp.example:p\r",
    ] {
        let out = measured(
            &s,
            "a URL with control characters",
            &["check", url, "HEAD"],
            None,
            &[],
        );
        let verdicts = out
            .stdout
            .lines()
            .filter(|l| l.starts_with("verdict"))
            .count();
        assert!(verdicts <= 1, "a fake line: {}", out.stdout);
        assert!(
            out.stdout.contains("remote ") || out.stderr.contains("cannot check"),
            "{}",
            out.text()
        );
    }
    let stdin = format!("refs/heads/\x1b[31mred {head} refs/heads/\x1b[2Jx {z}\n");
    let out = measured(
        &s,
        "a ref name with escape sequences",
        &["check", "--stdin", "origin"],
        Some(stdin.into_bytes()),
        &[],
    );
    assert!(
        out.stdout.contains("refs/heads/\\u{1b}[31mred"),
        "{}",
        out.stdout
    );
    let out = measured(
        &s,
        "a remote name with escape sequences",
        &["pre-push", "or\x1b[2Jigin", "ssh://h/p"],
        Some(Vec::new()),
        &[],
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
}
