//! What every integration test shares: one isolation policy for each child
//! a test runs (git, ssh, pushguard, fakes), one guard for the tools a test
//! needs, and a small builder so that a test reads like its scenario:
//!
//! ```text
//! let s = Sandbox::new();
//! s.git(&["init", "-q", "work"]).ok();
//! let v = s.pushguard(&["check", "--format", "json"]).dir("work").status(1).run().json();
//! ```
//!
//! Isolation: every child runs with `HOME` (and `XDG_CONFIG_HOME`,
//! `GIT_CONFIG_GLOBAL`) inside the test's temp directory,
//! `GIT_CONFIG_NOSYSTEM=1`, no `GIT_*`, `SSH_*`, `PUSHGUARD_*` or `PUTTY*` variable of
//! the outer environment, stdin closed unless the test gives bytes, and a
//! time bound after which its whole process group is killed and the test
//! fails. `PUSHGUARD_SSH` (an ssh binary) and `PUSHGUARD_TEST_GIT` (a git
//! binary) put that build first on every child's `PATH`.
//!
//! `push` is a world for real pushes through the installed hook; `ssh` the
//! witness of the real `ssh -G`; `fix` the repository `pushguard fix` edits.

pub mod fix;
pub mod push;
pub mod ssh;
pub mod sshd;
pub mod world;

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock, mpsc};
use std::time::Duration;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_pushguard");

/// How long one child may run before the test fails.
const LIMIT: Duration = Duration::from_secs(60);

/// Prefixes of the outer environment's variables no child sees (`PUTTY`:
/// `PUTTYDIR`, `PUTTYSESSIONS` move PuTTY's saved sessions).
const SCRUBBED: [&str; 4] = ["GIT_", "SSH_", "PUSHGUARD_", "PUTTY"];

/// The program a test needs (`git`, `ssh`, `strace`, …), or `None` after a
/// loud `SKIPPING` line when it is missing here; with `CI` set a missing
/// tool fails the test instead.
pub fn require(tool: &str) -> Option<PathBuf> {
    static FOUND: OnceLock<Mutex<HashMap<String, Option<PathBuf>>>> = OnceLock::new();
    let found = FOUND
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(tool.to_string())
        .or_insert_with(|| find_working(tool))
        .clone();
    if found.is_none() {
        let test = std::thread::current().name().unwrap_or("?").to_string();
        if std::env::var_os("CI").is_some() {
            panic!("{test}: {tool} is missing or does not work here, and CI is set");
        }
        // Straight to stderr: the test harness does not capture this.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPING {test}: {tool} is missing or does not work here"
        );
    }
    found
}

/// Where `tool` is, if it runs.
fn find_working(tool: &str) -> Option<PathBuf> {
    let path = override_of(tool)
        .or_else(|| which(tool))
        .or_else(|| known_place(tool))?;
    if tool == "git-new" {
        return new_enough(&path).then_some(path);
    }
    let probe: &[&str] = match tool {
        "git" => &["--version"],
        "ssh" => &["-V"],
        "socat" => &["-V"],
        "strace" => &["-qq", "-e", "trace=execve", "-o", "/dev/null", "true"],
        _ => return Some(path),
    };
    Command::new(&path)
        .args(probe)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
        .then_some(path)
}

/// Where a tool lives when it is not on `PATH`: sshd in /usr/sbin, the git
/// that `../shared/tools/build-git` builds (`git-new`: a git that runs
/// hooks defined in config, 2.54 or later), npm's tools installed by
/// `.ci/run`.
fn known_place(tool: &str) -> Option<PathBuf> {
    let home = std::env::var_os("HOME").map(PathBuf::from)?;
    let cache = home.join(".cache/pushguard");
    let p = match tool {
        "sshd" => PathBuf::from("/usr/sbin/sshd"),
        "git-new" => cache.join("git-2.55.0/bin/git"),
        "husky" => cache.join("npm/node_modules/.bin/husky"),
        _ => return None,
    };
    p.is_file().then_some(p)
}

/// True when the git the tests run (`PUSHGUARD_TEST_GIT`, else `PATH`'s)
/// is 2.54 or later, so it runs hooks defined in config.
pub fn is_new_git() -> bool {
    override_of("git")
        .or_else(|| which("git"))
        .is_some_and(|p| new_enough(&p))
}

/// True for a git at `path` of version 2.54 or later.
fn new_enough(path: &Path) -> bool {
    let Ok(out) = Command::new(path).arg("--version").output() else {
        return false;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let version: Vec<u32> = text
        .trim()
        .trim_start_matches("git version ")
        .split('.')
        .take(2)
        .map_while(|p| p.parse().ok())
        .collect();
    version >= vec![2, 54]
}

/// The build a variable asks for: `PUSHGUARD_SSH`, `PUSHGUARD_TEST_GIT`,
/// `PUSHGUARD_SSHD` (an sshd, e.g. extracted from Debian's package),
/// `PUSHGUARD_GIT_NEW` (a git ≥ 2.54 for config hooks).
fn override_of(tool: &str) -> Option<PathBuf> {
    let var = match tool {
        "ssh" => "PUSHGUARD_SSH",
        "git" => "PUSHGUARD_TEST_GIT",
        "sshd" => "PUSHGUARD_SSHD",
        "git-new" => "PUSHGUARD_GIT_NEW",
        _ => return None,
    };
    std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

fn which(program: &str) -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .map(|d| d.join(program))
        .find(|f| f.is_file())
}

/// The `PATH` every child gets: the overridden builds first.
fn child_path() -> &'static OsStr {
    static PATH: OnceLock<OsString> = OnceLock::new();
    PATH.get_or_init(|| {
        let outer = std::env::var_os("PATH").unwrap_or_default();
        let overridden: Vec<(&str, PathBuf)> = ["ssh", "git"]
            .into_iter()
            .filter_map(|t| Some((t, override_of(t)?)))
            .collect();
        if overridden.is_empty() {
            return outer;
        }
        let dir =
            Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("tools-{}", std::process::id()));
        fs::create_dir_all(&dir).expect("tools dir");
        for (name, target) in overridden {
            let link = dir.join(name);
            let _ = fs::remove_file(&link);
            std::os::unix::fs::symlink(&target, &link).expect("tools link");
        }
        let mut dirs = vec![dir];
        dirs.extend(std::env::split_paths(&outer));
        std::env::join_paths(dirs).expect("PATH")
    })
}

/// A fake ssh: logs `$0` and its arguments to `$FAKE_LOG`; a `-G` probe
/// succeeds when `$FAKE_PROBE_OK` is set, everything else fails.
pub const FAKE: &str = r#"#!/bin/sh
{ echo CALL; for a in "$0" "$@"; do printf 'ARG %s\n' "$a"; done; } >> "$FAKE_LOG"
for a in "$@"; do
  if [ "$a" = -G ] && [ -n "$FAKE_PROBE_OK" ]; then exit 0; fi
done
exit 1
"#;

/// A temp directory that is `HOME` for every child the test runs there.
pub struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    /// A fresh, empty sandbox.
    pub fn new() -> Sandbox {
        Sandbox {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// A sandbox whose root is a fresh repository with one commit.
    pub fn repo() -> Sandbox {
        let s = Sandbox::new();
        s.git(&["init", "-q", "."]).ok();
        s.git(&["config", "user.email", "t@example.com"]).ok();
        s.git(&["config", "user.name", "t"]).ok();
        s.git(&["commit", "-q", "--allow-empty", "-m", "c"]).ok();
        s
    }

    /// The sandbox's root directory.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// A path inside the sandbox.
    pub fn path(&self, rel: impl AsRef<Path>) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Writes a file (and its directories); returns its path.
    pub fn write(&self, rel: impl AsRef<Path>, text: &str) -> PathBuf {
        let p = self.path(rel);
        if let Some(d) = p.parent() {
            fs::create_dir_all(d).expect("mkdir");
        }
        fs::write(&p, text).expect("write");
        p
    }

    /// Writes an executable file with `mode`; returns its path.
    pub fn write_exec(&self, rel: impl AsRef<Path>, text: &str, mode: u32) -> PathBuf {
        let p = self.write(rel, text);
        fs::set_permissions(&p, fs::Permissions::from_mode(mode)).expect("chmod");
        p
    }

    /// A [`FAKE`] ssh under every name whose basename matters to git.
    pub fn fakes(&self) -> HashMap<&'static str, PathBuf> {
        let mut map = HashMap::new();
        for (key, rel) in [
            ("ssh", "bin/ssh"),
            ("plink", "bin/plink"),
            ("PLINK.EXE", "bin/PLINK.EXE"),
            ("tortoiseplink", "bin/tortoiseplink"),
            ("putty", "bin/putty"),
            ("wrap", "bin/wrap"),
            ("spaced ssh", "sp ace/ssh"),
        ] {
            map.insert(key, self.write_exec(rel, FAKE, 0o755));
        }
        map
    }

    /// `program`, isolated, run in the sandbox's root.
    pub fn cmd(&self, program: impl AsRef<OsStr>) -> Cmd {
        Cmd::isolated(program.as_ref(), self.dir.path())
    }

    /// `git <args>`.
    pub fn git(&self, args: &[&str]) -> Cmd {
        self.cmd("git").args(args)
    }

    /// `pushguard <args>`.
    pub fn pushguard(&self, args: &[&str]) -> Cmd {
        self.cmd(BIN).args(args)
    }
}

/// One child to run, isolated and bounded; built like the scenario reads.
pub struct Cmd {
    command: Command,
    home: PathBuf,
    line: String,
    stdin: Option<Vec<u8>>,
    status: Option<i32>,
}

impl Cmd {
    /// `program` with the isolation policy, `home` as `HOME` and cwd.
    pub fn isolated(program: &OsStr, home: &Path) -> Cmd {
        let mut command = Command::new(program);
        for (k, _) in std::env::vars_os() {
            if SCRUBBED.iter().any(|p| k.to_string_lossy().starts_with(p)) {
                command.env_remove(&k);
            }
        }
        command
            .current_dir(home)
            .env("PATH", child_path())
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", home.join(".gitconfig"))
            .env("GIT_TERMINAL_PROMPT", "0");
        Cmd {
            command,
            home: home.to_path_buf(),
            line: program.to_string_lossy().into_owned(),
            stdin: None,
            status: None,
        }
    }

    /// Adds an argument.
    pub fn arg(mut self, a: impl AsRef<OsStr>) -> Cmd {
        self.line.push(' ');
        self.line.push_str(&a.as_ref().to_string_lossy());
        self.command.arg(a);
        self
    }

    /// Adds arguments.
    pub fn args<S: AsRef<OsStr>>(self, args: impl IntoIterator<Item = S>) -> Cmd {
        args.into_iter().fold(self, Cmd::arg)
    }

    /// Sets a variable for the child.
    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Cmd {
        self.command.env(key, value);
        self
    }

    /// Puts `dir` first on the child's `PATH` (e.g. a newer git's directory,
    /// so that its `git-receive-pack` and hooks come from the same build).
    pub fn path_first(mut self, dir: impl AsRef<Path>) -> Cmd {
        let mut dirs = vec![dir.as_ref().to_path_buf()];
        dirs.extend(std::env::split_paths(child_path()));
        self.command
            .env("PATH", std::env::join_paths(dirs).expect("PATH"));
        self
    }

    /// Removes a variable the policy set.
    pub fn env_remove(mut self, key: impl AsRef<OsStr>) -> Cmd {
        self.command.env_remove(key);
        self
    }

    /// Runs in `dir` (relative to the sandbox root, or absolute).
    pub fn dir(mut self, dir: impl AsRef<Path>) -> Cmd {
        self.command.current_dir(self.home.join(dir));
        self
    }

    /// Gives the child these bytes on stdin.
    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Cmd {
        self.stdin = Some(bytes.into());
        self
    }

    /// Expects this exit code (checked by [`Cmd::run`]).
    pub fn status(mut self, code: i32) -> Cmd {
        self.status = Some(code);
        self
    }

    /// Expects success and returns the output.
    pub fn ok(self) -> Out {
        self.status(0).run()
    }

    /// Expects success and returns stdout, trimmed.
    pub fn stdout(self) -> String {
        self.ok().stdout.trim().to_string()
    }

    /// Starts the child in a process group of its own, stdin, stdout and
    /// stderr piped, for a test that signals it or closes its pipes; the
    /// test waits for it (and kills the group if it must).
    pub fn spawn(mut self) -> std::process::Child {
        self.command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.line))
    }

    /// Runs to completion within the time bound; checks the expected status.
    pub fn run(mut self) -> Out {
        let stdin = match self.stdin {
            Some(_) => Stdio::piped(),
            None => Stdio::null(),
        };
        let mut child = self
            .command
            .stdin(stdin)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.line));
        let group = child.id();
        if let (Some(bytes), Some(mut pipe)) = (self.stdin.take(), child.stdin.take()) {
            std::thread::spawn(move || pipe.write_all(&bytes));
        }
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || tx.send(child.wait_with_output()));
        let output = match rx.recv_timeout(LIMIT) {
            Ok(out) => out.unwrap_or_else(|e| panic!("{}: {e}", self.line)),
            Err(_) => {
                let _ = Command::new("kill")
                    .args(["-KILL", "--", &format!("-{group}")])
                    .status();
                panic!("{} ran past {} s", self.line, LIMIT.as_secs());
            }
        };
        let out = Out {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        };
        if let Some(want) = self.status {
            assert_eq!(
                out.code,
                Some(want),
                "{}\nstdout: {}\nstderr: {}",
                self.line,
                out.stdout,
                out.stderr
            );
        }
        out
    }
}

/// What a child left behind.
#[derive(Debug)]
pub struct Out {
    /// The exit code (`None` when killed by a signal).
    pub code: Option<i32>,
    /// Its stdout.
    pub stdout: String,
    /// Its stderr.
    pub stderr: String,
}

impl Out {
    /// Exit code 0?
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }

    /// stdout read as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("{e}: stdout {} stderr {}", self.stdout, self.stderr))
    }

    /// stdout then stderr.
    pub fn text(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}
