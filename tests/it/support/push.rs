//! A world for real pushes: bare remotes reached over a fake ssh, work
//! repositories with the real hook shim installed, and what each push did.
//!
//! The fake ssh logs every call on one line (`CALL <cwd> <args>`); a `-G`
//! probe goes to the real ssh, anything else runs its last argument (git's
//! remote command) here, so a push really lands in the bare remote. The
//! shim finds pushguard through `PUSHGUARD_BIN`, which is a recorder: it
//! marks the hook's start and end in the same log, runs
//! `pushguard pre-push "$@" --format json` (its stderr passed on to git,
//! which shows it) and exits with its status, so
//! an ssh call made while the hook runs is seen and its verdict stops the
//! push or lets it go on.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{BIN, Cmd, Sandbox, require};

/// The fake ssh: one log line per call, `-G` to the real ssh, else the
/// remote command run locally.
const FAKE_SSH: &str = r#"#!/bin/sh
{ printf 'CALL %s' "$(pwd)"; for a in "$@"; do printf ' %s' "$a"; done; printf '\n'; } >> "$PUSH_DIR/ssh.log"
for a in "$@"; do
  if [ "$a" = "-G" ]; then exec "$REAL_SSH" "$@"; fi
done
for last in "$@"; do :; done
exec sh -c "$last"
"#;

/// What the shim runs as pushguard: the binary under test, recorded.
const RECORDER: &str = r#"#!/bin/sh
d="$PUSH_DIR"
printf 'HOOK-START %s\n' "$(pwd)" >> "$d/ssh.log"
cat > "$d/stdin"
printf '%s\n' "$2" >> "$d/urls"
"$PUSHGUARD_UNDER_TEST" "$@" --format json < "$d/stdin" >> "$d/hook.json" 2> "$d/hook.err"
rc=$?
cat "$d/hook.err" >&2
printf 'HOOK-END %s\n' "$rc" >> "$d/ssh.log"
exit $rc
"#;

/// Repositories, remotes, the fake ssh and the hook, in one sandbox.
pub struct World {
    /// The sandbox (HOME of every child).
    pub s: Sandbox,
}

/// What one push did.
#[derive(Debug)]
pub struct Pushed {
    /// git push succeeded.
    pub ok: bool,
    /// git's stderr.
    pub stderr: String,
    /// git's `Total N` (0 when git sent no pack).
    pub total: u64,
    /// The bytes git reported writing, when it wrote a pack.
    pub written: Option<f64>,
    /// The hook's JSON (the last URL's, when the hook ran for several).
    pub hook: Option<Value>,
    /// Every run's JSON, one per push URL, in git's order.
    pub hooks: Vec<Value>,
    /// The hook's exit status.
    pub hook_rc: Option<i32>,
    /// The hook's working directory.
    pub hook_cwd: Option<String>,
    /// ssh calls (`<cwd> <args>`) made while the hook ran.
    pub during_hook: Vec<String>,
    /// ssh calls made by git itself (outside the hook).
    pub by_git: Vec<String>,
    /// The hook's stdin.
    pub stdin: String,
}

impl Pushed {
    /// The hook's JSON; panics with git's stderr when the hook did not run.
    pub fn json(&self) -> &Value {
        self.hook
            .as_ref()
            .unwrap_or_else(|| panic!("the hook did not run: {}", self.stderr))
    }
}

impl World {
    /// A world, or `None` (the test skips loudly) without git or ssh.
    pub fn new() -> Option<World> {
        require("git")?;
        require("ssh")?;
        let w = World { s: Sandbox::new() };
        w.s.write("ssh_config", "");
        w.s.write("ssh.log", "");
        w.s.write_exec("bin/ssh", FAKE_SSH, 0o755);
        w.s.write_exec("bin/pushguard-recorder", RECORDER, 0o755);
        Some(w)
    }

    /// A path in the world.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.s.path(rel)
    }

    /// The ssh URL of a bare repository in this world.
    pub fn url(&self, rel: &str) -> String {
        format!("ssh://git@git.example.com{}", self.path(rel).display())
    }

    /// The ssh command every child's git uses (`GIT_SSH_COMMAND`).
    pub fn ssh_command(&self) -> String {
        format!(
            "{} -F {}",
            self.path("bin/ssh").display(),
            self.path("ssh_config").display()
        )
    }

    /// `program` in `cwd` with a fixed identity, the fake ssh and the recorder.
    pub fn cmd(&self, program: impl AsRef<std::ffi::OsStr>, args: &[&str], cwd: &str) -> Cmd {
        let real_ssh = require("ssh").unwrap_or_else(|| "ssh".into());
        self.s
            .cmd(program)
            .args(args)
            .dir(cwd)
            .env("LANG", "C")
            .env("GIT_AUTHOR_NAME", "T")
            .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
            .env("GIT_COMMITTER_NAME", "T")
            .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
            .env("GIT_SSH_COMMAND", self.ssh_command())
            .env("REAL_SSH", real_ssh)
            .env("PUSH_DIR", self.path("."))
            .env("PUSHGUARD_BIN", self.path("bin/pushguard-recorder"))
            .env("PUSHGUARD_UNDER_TEST", BIN)
    }

    /// git in `cwd`; its stdout, trimmed (panics on failure).
    pub fn git(&self, cwd: &str, args: &[&str]) -> String {
        self.cmd("git", args, cwd).stdout()
    }

    /// pushguard in `cwd`.
    pub fn pushguard(&self, cwd: &str, args: &[&str]) -> Cmd {
        self.cmd(BIN, args, cwd)
    }

    /// The dry run's text (stdout and stderr) for hook-format `stdin` lines.
    pub fn check_text(&self, rel: &str, remote: &str, stdin: &str) -> String {
        self.pushguard(rel, &["check", "--stdin", remote])
            .stdin(stdin)
            .run()
            .text()
    }

    /// The ssh log so far.
    pub fn ssh_log(&self) -> String {
        fs::read_to_string(self.path("ssh.log")).unwrap_or_default()
    }

    /// A bare repository `rel` that also serves partial clones.
    pub fn bare(&self, rel: &str) {
        self.git(".", &["init", "-q", "--bare", "-b", "main", rel]);
        self.git(rel, &["config", "uploadpack.allowFilter", "true"]);
        self.git(rel, &["config", "uploadpack.allowAnySHA1InWant", "true"]);
    }

    /// A work repository `rel` with `origin` at the bare `remote`, and the hook.
    pub fn work(&self, rel: &str, remote: &str) {
        self.git(".", &["init", "-q", "-b", "main", rel]);
        self.git(rel, &["remote", "add", "origin", &self.url(remote)]);
        self.install_hook(rel);
    }

    /// Copies the real shim into the hooks directory git uses in `rel`.
    pub fn install_hook(&self, rel: &str) {
        let hooks = self.git(
            rel,
            &["rev-parse", "--path-format=absolute", "--git-path", "hooks"],
        );
        let shim = Path::new(env!("CARGO_MANIFEST_DIR")).join("hooks/pre-push");
        let text = fs::read_to_string(shim).expect("hooks/pre-push");
        self.s
            .write_exec(Path::new(&hooks).join("pre-push"), &text, 0o755);
    }

    /// Changes `n` files (in a few directories, some nested) and commits.
    pub fn commit(&self, rel: &str, tag: &str, n: usize) {
        for i in 0..n {
            let dir = self.path(rel).join(format!("d{}/s{}", i % 3, i % 2));
            fs::create_dir_all(&dir).expect("mkdir");
            fs::write(dir.join(format!("f{i}")), format!("{tag} {i}\n")).expect("write");
        }
        self.git(rel, &["add", "-A"]);
        self.git(rel, &["commit", "-q", "-m", tag]);
    }

    /// `git <pre> push --progress <args>` in `rel`, and what the hook saw and said.
    pub fn push(&self, rel: &str, pre: &[&str], args: &[&str]) -> Pushed {
        self.push_with(self.cmd("git", &[], rel), pre, args)
    }

    /// [`World::push`] with a prepared command (its own env or directory).
    pub fn push_with(&self, cmd: Cmd, pre: &[&str], args: &[&str]) -> Pushed {
        for f in ["hook.json", "hook.err", "stdin", "urls"] {
            let _ = fs::remove_file(self.path(f));
        }
        let log_start = self.ssh_log().len();
        let out = cmd.args(pre).args(["push", "--progress"]).args(args).run();
        let log = self.ssh_log()[log_start..].to_string();
        let mut p = Pushed {
            ok: out.success(),
            total: git_total(&out.stderr),
            written: written_bytes(&out.stderr),
            stderr: out.stderr,
            hook: None,
            hooks: Vec::new(),
            hook_rc: None,
            hook_cwd: None,
            during_hook: Vec::new(),
            by_git: Vec::new(),
            stdin: fs::read_to_string(self.path("stdin")).unwrap_or_default(),
        };
        let mut inside = false;
        for line in log.lines() {
            if let Some(cwd) = line.strip_prefix("HOOK-START ") {
                inside = true;
                p.hook_cwd = Some(cwd.to_string());
            } else if let Some(rc) = line.strip_prefix("HOOK-END ") {
                inside = false;
                p.hook_rc = rc.trim().parse().ok();
            } else if let Some(call) = line.strip_prefix("CALL ") {
                match inside {
                    true => p.during_hook.push(call.to_string()),
                    false => p.by_git.push(call.to_string()),
                }
            }
        }
        let text = fs::read_to_string(self.path("hook.json")).unwrap_or_default();
        p.hooks = serde_json::Deserializer::from_str(&text)
            .into_iter::<Value>()
            .map(|v| v.unwrap_or_else(|e| panic!("{e}: {text}")))
            .collect();
        p.hook = p.hooks.last().cloned();
        p
    }
}

/// `Total N` from push stderr; 0 when git sent no pack.
pub fn git_total(stderr: &str) -> u64 {
    stderr
        .split("Total ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// The size in "Writing objects: 100% (n/n), 12.00 MiB | ..., done.", in bytes.
pub fn written_bytes(stderr: &str) -> Option<f64> {
    let last = stderr
        .split(['\r', '\n'])
        .rfind(|l| l.starts_with("Writing objects: 100%"))?;
    let size = last.split(", ").nth(1)?;
    let mut words = size.split_whitespace();
    let n: f64 = words.next()?.parse().ok()?;
    let unit = match words.next()? {
        "bytes" => 1.0,
        "KiB" => 1024.0,
        "MiB" => 1024.0 * 1024.0,
        "GiB" => 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    Some(n * unit)
}
