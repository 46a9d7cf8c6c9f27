//! The fuzz targets on stable, without libFuzzer: every seed in
//! `fuzz/seeds/<target>/` runs through its target (`pushguard::fuzzing`);
//! and the recorded answers of the two oracles replay against pushguard:
//! `fuzz/recorded/ssh_g/*.case` (a config, an argv) with the answer of the
//! real `ssh -G` that recorded it (`*.expect`, naming the ssh build), and
//! `fuzz/recorded/diag_url/*.url` with `git fetch-pack --diag-url`'s.
//! Every disagreement the differential targets found is a recorded case.
//!
//! `fuzz/record.sh` (the ignored test `record` below) writes the `.expect`
//! files again from the ssh and git on this machine.

use std::path::{Path, PathBuf};

use pushguard::fuzzing::{Case, TARGETS, sealed_env};
use pushguard::git::{RemoteUrl, parse_url};
use pushguard::ssh::{ExecPolicy, Overlay, Profile, ResolveEnv, ResolveRequest, resolve};

use crate::support::ssh::witness;
use crate::support::{Sandbox, require};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// The files of `dir` ending in `ext` (all when `ext` is empty), sorted.
fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && (ext.is_empty() || p.extension().is_some_and(|x| x == ext)))
        .collect();
    v.sort();
    v
}

#[test]
fn every_seed_runs_through_its_target() {
    let mut ran = 0;
    fn pure(name: &str) -> &str {
        match name {
            "ssh_vs_ssh_g" => "ssh_resolve",
            "url_vs_diag" => "git_url",
            n => n,
        }
    }
    let names = std::fs::read_dir(fuzz_dir().join("seeds")).unwrap();
    for entry in names.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some((_, target)) = TARGETS.iter().find(|(n, _)| *n == pure(&name)) else {
            panic!("seeds for {name}, which is no target");
        };
        let mut inputs = files(&entry.path(), "");
        if name == "ssh_vs_ssh_g" {
            inputs.extend(files(&fuzz_dir().join("recorded/ssh_g"), "case"));
        }
        for input in inputs {
            let bytes = std::fs::read(&input).unwrap();
            let done = std::panic::catch_unwind(|| target(&bytes));
            assert!(done.is_ok(), "{name} failed on {}", input.display());
            ran += 1;
        }
    }
    assert!(ran > 20, "only {ran} seeds");
}

/// The directory the ssh cases are recorded in (their paths are under it).
const CASE_DIR: &str = "/tmp/pushguard-ssh-g-case";

/// A recorded answer: the header's facts, the exit code, the dump.
struct Expect {
    banner: String,
    user: String,
    uid: u32,
    home: PathBuf,
    code: i32,
    dump: String,
}

fn read_expect(path: &Path) -> Expect {
    let text = std::fs::read_to_string(path).unwrap();
    let (head, rest) = text.split_once('\n').unwrap();
    let (code, dump) = rest.split_once('\n').unwrap_or((rest, ""));
    let field = |k: &str| {
        head.split("; ")
            .find_map(|f| f.strip_prefix(k))
            .unwrap_or_else(|| panic!("{}: no {k} in {head}", path.display()))
            .to_string()
    };
    Expect {
        banner: head
            .trim_start_matches("# ")
            .split("; ")
            .next()
            .unwrap()
            .to_string(),
        user: field("user "),
        uid: field("uid ").parse().unwrap(),
        home: field("home ").into(),
        code: code.trim_start_matches("exit ").parse().unwrap(),
        dump: dump.to_string(),
    }
}

/// The ssh argv of a case: `-F <dir>/.ssh/config` first.
fn case_argv(case: &Case, dir: &Path) -> Vec<String> {
    let mut argv = vec![
        "-F".to_string(),
        dir.join(".ssh/config").display().to_string(),
    ];
    argv.extend(case.argv.iter().cloned());
    argv
}

#[test]
fn recorded_ssh_g_answers_replay() {
    let dir = Path::new(CASE_DIR);
    let cases = files(&fuzz_dir().join("recorded/ssh_g"), "case");
    assert!(!cases.is_empty());
    let mut failures = Vec::new();
    for path in &cases {
        let case = Case::decode(&std::fs::read(path).unwrap());
        let e = read_expect(&path.with_extension("expect"));
        let base = ResolveEnv {
            user_config: dir.join(".ssh/config"),
            system_config: "/etc/ssh/ssh_config".into(),
            home: e.home.clone(),
            include_home: dir.to_path_buf(),
            local_user: e.user.clone(),
            uid: e.uid,
            profile: Profile::of_banner(&e.banner).unwrap_or_default(),
            exec: ExecPolicy::Unknown,
            stdin_config: None,
            home_var: Some(e.home.display().to_string()),
            overlay: Overlay::default(),
        };
        let env = sealed_env(&case.files_under(dir), base);
        let ours = ResolveRequest::from_ssh_args(&case_argv(&case, dir))
            .and_then(|r| resolve(&r, &env))
            .map(|r| r.dump())
            .map_err(|e| e.to_string());
        let agrees = match (&ours, e.code) {
            (Ok(d), 0) => *d == e.dump,
            (Err(_), c) => c != 0,
            _ => false,
        };
        if !agrees {
            failures.push(format!(
                "{}: {} said exit {}, ours {ours:?}",
                path.display(),
                e.banner,
                e.code
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// pushguard's answer for a URL in `--diag-url`'s words.
fn ours(url: &str) -> String {
    match parse_url(url) {
        Ok(RemoteUrl::Ssh(t)) => format!(
            "ssh\n{}\n{}\n{}\n",
            t.user_and_host(),
            t.port.as_deref().unwrap_or("NONE"),
            t.path
        ),
        Ok(RemoteUrl::Other(k)) if k == "local" => "other\nfile\n".into(),
        Ok(RemoteUrl::Other(k)) => format!("other\n{k}\n"),
        Err(e) => format!(
            "fatal\n{}\n",
            e.reason
                .chars()
                .map(|c| if c.is_ascii_control() { '?' } else { c })
                .collect::<String>()
        ),
    }
}

#[test]
fn recorded_diag_url_answers_replay() {
    let urls = files(&fuzz_dir().join("recorded/diag_url"), "url");
    assert!(!urls.is_empty());
    let mut failures = Vec::new();
    for path in &urls {
        let url = std::fs::read_to_string(path).unwrap();
        let expect = std::fs::read_to_string(path.with_extension("expect")).unwrap();
        let (_, answer) = expect.split_once('\n').unwrap();
        if ours(&url) != answer {
            failures.push(format!(
                "{url:?}: git said {answer:?}, ours {:?}",
                ours(&url)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Writes every `.expect` from the ssh and git on this machine
/// (`fuzz/record.sh`). The ssh cases run in [`CASE_DIR`], with it as HOME.
#[test]
#[ignore = "writes fuzz/recorded/*/*.expect; run by fuzz/record.sh"]
fn record() {
    let w = witness().expect("an ssh to record with");
    let git = require("git").expect("a git to record with");
    let dir = Path::new(CASE_DIR);
    let me = ResolveEnv::current(Profile::detect_default(), ExecPolicy::Unknown);
    for path in files(&fuzz_dir().join("recorded/ssh_g"), "case") {
        let case = Case::decode(&std::fs::read(&path).unwrap());
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        assert!(
            !text.contains("%l") && !text.contains("%L") && !text.contains("%C"),
            "{}: the local host name would be recorded",
            path.display()
        );
        let _ = std::fs::remove_dir_all(dir);
        for (p, t) in case.files_under(dir) {
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, t).unwrap();
        }
        let out = w.ssh_g(&case_argv(&case, dir), dir);
        let head = format!(
            "# {}; user {}; uid {}; home {}; dir {CASE_DIR}\nexit {}\n",
            w.banner,
            me.local_user,
            me.uid,
            me.home.display(),
            if out.ok { 0 } else { 255 }
        );
        let body = if out.ok { out.stdout } else { String::new() };
        std::fs::write(path.with_extension("expect"), head + &body).unwrap();
    }
    let _ = std::fs::remove_dir_all(dir);
    let repo = Sandbox::repo();
    let version = repo.cmd(&git).arg("--version").stdout();
    for path in files(&fuzz_dir().join("recorded/diag_url"), "url") {
        let url = std::fs::read_to_string(&path).unwrap();
        let out = repo
            .cmd(&git)
            .args(["fetch-pack", "--diag-url", &url])
            .run();
        let field = |k: &str| {
            out.stdout
                .lines()
                .find_map(|l| l.strip_prefix(&format!("Diag: {k}=")))
                .unwrap_or_default()
                .to_string()
        };
        let answer = match (out.success(), field("protocol").as_str()) {
            (false, _) => {
                let err = out.stderr.trim();
                format!("fatal\n{}\n", err.strip_prefix("fatal: ").unwrap_or(err))
            }
            (true, "ssh") => format!(
                "ssh\n{}\n{}\n{}\n",
                field("userandhost"),
                field("port"),
                field("path")
            ),
            (true, p) => format!("other\n{p}\n"),
        };
        std::fs::write(
            path.with_extension("expect"),
            format!("# {version}\n{answer}"),
        )
        .unwrap();
    }
}
