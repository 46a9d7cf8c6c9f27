//! The estimate at its edges (issue 10, items 1-4), each through a real
//! `git push` with the hook installed, a bare remote behind a fake ssh that
//! logs every call and runs git's remote command locally, and git's own
//! `Total N` as the oracle:
//!
//! 1. a partial clone's walk fetches nothing and counts what git sends;
//! 2. new loose content is measured (bytes), so a byte limit holds;
//! 3. refs the count assumes the server still has are listed (`objects.assumes`);
//! 4. tags of a fetched remote bound the count, and never cause a block.
//!
//! The hook here is a script that marks its start and end in the ssh log,
//! runs `pushguard pre-push "$@" --format json` (what the installed shim
//! runs, plus JSON) and exits with its status, so a call made while it runs
//! is seen and its verdict stops or lets the push go on.

use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_pushguard");
/// No child may run longer than this.
const LIMIT: Duration = Duration::from_secs(60);

const HOOK: &str = r#"#!/bin/sh
d="$EDGES_DIR"
printf 'HOOK-START\n' >> "$d/ssh.log"
cat > "$d/stdin"
printf '%s\n' "$1" > "$d/remote"
"$PUSHGUARD_BIN" pre-push "$@" --format json < "$d/stdin" > "$d/hook.json" 2> "$d/hook.err"
rc=$?
printf 'HOOK-END %s\n' "$rc" >> "$d/ssh.log"
exit $rc
"#;

/// Logs each call on one line; `-G` goes to the real ssh, anything else runs
/// its last argument (git's remote command) here.
const FAKE_SSH: &str = r#"#!/bin/sh
printf 'CALL' >> "$EDGES_DIR/ssh.log"
for a in "$@"; do printf ' %s' "$a" >> "$EDGES_DIR/ssh.log"; done
printf '\n' >> "$EDGES_DIR/ssh.log"
for a in "$@"; do
  if [ "$a" = "-G" ]; then exec "$REAL_SSH" "$@"; fi
done
for last in "$@"; do :; done
exec sh -c "$last"
"#;

fn which(program: &str) -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

/// Runs `cmd` to the end or panics after [`LIMIT`]; returns status, stdout, stderr.
fn run(mut cmd: Command, input: &[u8]) -> (ExitStatus, String, String) {
    let what = format!("{cmd:?}");
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let read = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = r.read_to_end(&mut s);
            String::from_utf8_lossy(&s).into_owned()
        })
    };
    let out = read(Box::new(child.stdout.take().unwrap()));
    let err = read(Box::new(child.stderr.take().unwrap()));
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} took longer than {LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let _ = writer.join();
    (status, out.join().unwrap(), err.join().unwrap())
}

/// A scratch world: repositories, the fake ssh, the hook.
struct World {
    tmp: tempfile::TempDir,
}

/// What one push did.
#[derive(Debug)]
struct Pushed {
    ok: bool,
    stderr: String,
    /// git's `Total N` (0 when git sent no pack).
    total: u64,
    /// The bytes git reported writing, when it wrote a pack.
    written: Option<f64>,
    /// The hook's JSON, when the hook ran.
    hook: Option<Value>,
    /// The hook's exit status.
    hook_rc: Option<i32>,
    /// ssh calls made while the hook ran.
    during_hook: Vec<String>,
    /// The hook's stdin.
    stdin: String,
}

impl World {
    /// A world, or `None` (loudly) when a tool is missing; in CI a missing tool fails.
    fn new() -> Option<World> {
        for tool in ["git", "ssh"] {
            if which(tool).is_none() {
                if std::env::var_os("CI").is_some() {
                    panic!("{tool} is required in CI");
                }
                eprintln!("SKIPPING: {tool} not found on PATH");
                return None;
            }
        }
        let w = World {
            tmp: tempfile::tempdir().unwrap(),
        };
        fs::create_dir_all(w.path("bin")).unwrap();
        fs::create_dir_all(w.path("home")).unwrap();
        fs::write(w.path("ssh_config"), "").unwrap();
        fs::write(w.path("ssh.log"), "").unwrap();
        for (name, text) in [("bin/ssh", FAKE_SSH), ("hook", HOOK)] {
            fs::write(w.path(name), text).unwrap();
            fs::set_permissions(w.path(name), fs::Permissions::from_mode(0o755)).unwrap();
        }
        Some(w)
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.tmp.path().join(rel)
    }

    /// The ssh URL of a bare repository in this world.
    fn url(&self, rel: &str) -> String {
        format!("ssh://git@git.example.com{}", self.path(rel).display())
    }

    /// A command with nothing from the outer environment but PATH.
    fn cmd(&self, program: &str, args: &[&str], cwd: &str) -> Command {
        let mut c = Command::new(program);
        c.args(args).current_dir(self.path(cwd)).env_clear();
        if let Some(p) = std::env::var_os("PATH") {
            c.env("PATH", p);
        }
        let real_ssh = which("ssh").unwrap_or_else(|| "/usr/bin/ssh".into());
        c.env("HOME", self.path("home"))
            .env("LANG", "C")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_AUTHOR_NAME", "T")
            .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
            .env("GIT_COMMITTER_NAME", "T")
            .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
            .env(
                "GIT_SSH_COMMAND",
                format!(
                    "{} -F {}",
                    self.path("bin/ssh").display(),
                    self.path("ssh_config").display()
                ),
            )
            .env("REAL_SSH", real_ssh)
            .env("EDGES_DIR", self.path("."))
            .env("PUSHGUARD_BIN", BIN);
        c
    }

    fn git(&self, cwd: &str, args: &[&str]) -> String {
        let (status, out, err) = run(self.cmd("git", args, cwd), b"");
        assert!(status.success(), "git {args:?} in {cwd}: {err}");
        out.trim().to_string()
    }

    fn ssh_log(&self) -> String {
        fs::read_to_string(self.path("ssh.log")).unwrap_or_default()
    }

    /// A bare repository `rel` that serves partial clones.
    fn bare(&self, rel: &str) {
        self.git(".", &["init", "-q", "--bare", "-b", "main", rel]);
        self.git(rel, &["config", "uploadpack.allowFilter", "true"]);
        self.git(rel, &["config", "uploadpack.allowAnySHA1InWant", "true"]);
    }

    /// A work repository `rel` with `origin` at the bare `remote`, and the hook.
    fn work(&self, rel: &str, remote: &str) {
        self.git(".", &["init", "-q", "-b", "main", rel]);
        self.git(rel, &["remote", "add", "origin", &self.url(remote)]);
        self.install_hook(rel);
    }

    fn install_hook(&self, rel: &str) {
        let hooks = self.path(rel).join(".git/hooks");
        fs::create_dir_all(&hooks).unwrap();
        fs::copy(self.path("hook"), hooks.join("pre-push")).unwrap();
    }

    /// Changes `n` files (in a few directories, some nested) and commits.
    fn commit(&self, rel: &str, tag: &str, n: usize) {
        for i in 0..n {
            let dir = self.path(rel).join(format!("d{}/s{}", i % 3, i % 2));
            fs::create_dir_all(&dir).unwrap();
            fs::write(dir.join(format!("f{i}")), format!("{tag} {i}\n")).unwrap();
        }
        self.git(rel, &["add", "-A"]);
        self.git(rel, &["commit", "-q", "-m", tag]);
    }

    /// `git <pre> push --progress <args>` in `rel`, and what the hook saw and said.
    fn push(&self, rel: &str, pre: &[&str], args: &[&str]) -> Pushed {
        for f in ["hook.json", "stdin", "remote"] {
            let _ = fs::remove_file(self.path(f));
        }
        let log_start = self.ssh_log().len();
        let mut all: Vec<&str> = pre.to_vec();
        all.extend(["push", "--progress"]);
        all.extend_from_slice(args);
        let (status, _, stderr) = run(self.cmd("git", &all, rel), b"");
        let log = self.ssh_log()[log_start..].to_string();
        let mut during_hook = Vec::new();
        let mut inside = false;
        let mut hook_rc = None;
        for line in log.lines() {
            if line == "HOOK-START" {
                inside = true;
            } else if let Some(rc) = line.strip_prefix("HOOK-END ") {
                inside = false;
                hook_rc = rc.trim().parse().ok();
            } else if inside {
                during_hook.push(line.to_string());
            }
        }
        let hook = fs::read_to_string(self.path("hook.json"))
            .ok()
            .map(|t| serde_json::from_str(&t).unwrap_or_else(|e| panic!("{e}: {t}")));
        Pushed {
            ok: status.success(),
            total: git_total(&stderr),
            written: written_bytes(&stderr),
            stderr,
            hook,
            hook_rc,
            during_hook,
            stdin: fs::read_to_string(self.path("stdin")).unwrap_or_default(),
        }
    }

    /// The dry run's text for the hook stdin of the last push.
    fn check_text(&self, rel: &str, remote: &str, stdin: &str) -> String {
        let cmd = self.cmd(BIN, &["check", "--stdin", remote], rel);
        let (_, out, err) = run(cmd, stdin.as_bytes());
        format!("{out}{err}")
    }
}

/// `Total N` from push stderr; 0 when git sent no pack.
fn git_total(stderr: &str) -> u64 {
    stderr
        .split("Total ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// The size in "Writing objects: 100% (n/n), 12.00 MiB | ..., done.", in bytes.
fn written_bytes(stderr: &str) -> Option<f64> {
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

fn hook_json(p: &Pushed) -> &Value {
    p.hook
        .as_ref()
        .unwrap_or_else(|| panic!("the hook did not run: {}", p.stderr))
}

fn upload_packs(calls: &[String]) -> Vec<&String> {
    calls
        .iter()
        .filter(|c| c.contains("git-upload-pack"))
        .collect()
}

/// Item 1: a partial clone (blob:none, tree:0) of a remote behind ssh. The
/// hook must start no `git-upload-pack` (no lazy fetch); its count must be
/// git's `Total` (blob:none: the missing blobs are sent, git fetches them
/// first) or a lower bound of it, said so (tree:0: a missing tree hides
/// what it holds).
#[test]
fn partial_clone_walk_fetches_nothing_and_counts_what_git_sends() {
    let Some(w) = World::new() else { return };
    w.bare("up.git");
    w.work("seed", "up.git");
    for i in 0..8 {
        w.commit("seed", &format!("c{i}"), 4);
    }
    w.git("seed", &["push", "-q", "--no-verify", "origin", "main"]);
    let limits = [
        "-c",
        "pushguard.warnObjects=10",
        "-c",
        "pushguard.blockObjects=100000",
    ];
    for filter in ["blob:none", "tree:0"] {
        let clone = format!("clone-{}", filter.replace(':', "-"));
        let filter_arg = format!("--filter={filter}");
        w.git(".", &["clone", "-q", &filter_arg, &w.url("up.git"), &clone]);
        w.install_hook(&clone);
        let mirror = format!("mirror-{}.git", filter.replace(':', "-"));
        w.bare(&mirror);
        w.git(&clone, &["remote", "add", "mirror", &w.url(&mirror)]);
        // A branch from an old commit: most of its history was never checked
        // out, so its older blobs (and, for tree:0, trees) are not here.
        w.git(&clone, &["checkout", "-q", "-b", "topic", "main~5"]);
        w.commit(&clone, "topic", 1);

        // A first push to an empty server sends everything, missing objects too.
        let p = w.push(&clone, &limits, &["mirror", "topic"]);
        assert!(p.ok, "{filter}: {}", p.stderr);
        assert!(
            upload_packs(&p.during_hook).is_empty(),
            "{filter}: the hook fetched: {:?}",
            p.during_hook
        );
        assert!(p.total > 0, "{}", p.stderr);
        let o = &hook_json(&p)["objects"];
        let count = o["count"].as_u64().unwrap();
        assert!(
            o["missing"].as_u64().is_some_and(|m| m > 0),
            "{filter}: {o:#}"
        );
        if filter == "blob:none" {
            assert_eq!(count, p.total, "{filter}: count vs git's Total: {o:#}");
            assert_eq!(o["exact"], true, "{filter}: {o:#}");
        } else {
            assert!(
                count <= p.total,
                "{filter}: a lower bound: {o:#} vs {}",
                p.total
            );
            assert_eq!(o["exact"], false, "{filter}: {o:#}");
            assert!(o["notes"].to_string().contains("trees"), "{filter}: {o:#}");
        }
        assert_eq!(
            o["upper_bound"],
            Value::Null,
            "{filter}: the clone's size bounds nothing"
        );

        // A new branch to the promisor remote itself: the tracking refs bound it.
        let topic2 = format!("topic2-{}", filter.replace(':', "-"));
        w.git(&clone, &["checkout", "-q", "-b", &topic2, "main"]);
        w.commit(&clone, &topic2, 2);
        let p = w.push(&clone, &limits, &["origin", &topic2]);
        assert!(p.ok, "{filter}: {}", p.stderr);
        assert!(
            upload_packs(&p.during_hook).is_empty(),
            "{filter}: {:?}",
            p.during_hook
        );
        let o = &hook_json(&p)["objects"];
        assert_eq!(o["count"].as_u64(), Some(p.total), "{filter}: {o:#}");
        assert_eq!(o["exact"], true, "{filter}: {o:#}");
    }
}

/// Deterministic incompressible bytes (xorshift64).
fn noise(len: usize, mut seed: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        out.extend_from_slice(&seed.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// Item 2: one new 12 MiB file, loose, with `pushguard.blockBytes=10m`. The
/// stored size of the loose objects is measured, so the push is blocked (ssh
/// has no keepalive), and the figure is what git writes. Both with a
/// repository small enough for the quick path and with a packed history.
#[test]
fn new_loose_content_is_measured() {
    let Some(w) = World::new() else { return };
    for packed in [false, true] {
        let (remote, work) = if packed {
            ("packed.git", "packed")
        } else {
            ("loose.git", "loose")
        };
        w.bare(remote);
        w.work(work, remote);
        for i in 0..3 {
            w.commit(work, &format!("c{i}"), 3);
        }
        if packed {
            w.git(work, &["repack", "-adq"]);
        }
        let p = w.push(work, &[], &["origin", "main"]);
        assert!(p.ok, "{}", p.stderr);
        fs::write(w.path(work).join("big.bin"), noise(12 << 20, 7)).unwrap();
        w.git(work, &["add", "big.bin"]);
        w.git(work, &["commit", "-q", "-m", "big"]);

        let limit = ["-c", "pushguard.blockBytes=10m"];
        let p = w.push(work, &limit, &["origin", "main"]);
        let v = hook_json(&p);
        assert_eq!(v["verdict"], "block", "packed {packed}: {v:#}");
        assert!(!p.ok && p.hook_rc == Some(1), "{}", p.stderr);
        let o = &v["objects"];
        let bytes = o["bytes"].as_u64().unwrap_or(0);
        assert!(bytes >= 10 << 20, "packed {packed}: {o:#}");
        assert_eq!(o["bytes_quality"], "exact", "packed {packed}: {o:#}");
        assert_eq!(o["bytes_exact"].as_u64(), Some(bytes), "{o:#}");

        // The same push for real: git's count and bytes.
        let real = w.push(
            work,
            &["-c", "pushguard.enabled=false"],
            &["origin", "main"],
        );
        assert!(real.ok, "{}", real.stderr);
        assert_eq!(
            o["count"].as_u64(),
            Some(real.total),
            "{o:#}: {}",
            real.stderr
        );
        let written = real.written.unwrap_or_else(|| panic!("{}", real.stderr));
        let off = (bytes as f64 - written).abs() / written;
        eprintln!("packed history {packed}: stored {bytes} B, git wrote {written:.0} B");
        assert!(off < 0.05, "packed {packed}: {bytes} vs git's {written}");
    }
}

/// Item 3: the server deleted a branch whose tracking ref is still here (no
/// prune); a branch on top of it sends that history too. The count (exact
/// if the server still had it) says what it assumes, with the tracking
/// ref's last update, and the text says so. An ordinary new branch stays
/// exact and names its assumption; a fast-forward, which stdin confirms,
/// assumes nothing.
#[test]
fn the_boundary_says_what_it_assumes() {
    let Some(w) = World::new() else { return };
    w.bare("r.git");
    w.work("w", "r.git");
    // Past the quick path (a repository this small proves any push small).
    w.git("w", &["config", "pushguard.warnObjects", "1"]);
    w.git("w", &["config", "pushguard.blockObjects", "100000"]);
    for i in 0..3 {
        w.commit("w", &format!("m{i}"), 3);
    }
    assert!(w.push("w", &[], &["origin", "main"]).ok);

    // An ordinary new branch: exactly git's Total, resting on origin/main.
    w.git("w", &["checkout", "-q", "-b", "topic"]);
    w.commit("w", "topic", 2);
    let p = w.push("w", &[], &["origin", "topic"]);
    assert!(p.ok, "{}", p.stderr);
    let o = &hook_json(&p)["objects"];
    assert_eq!(
        (o["count"].as_u64(), &o["exact"]),
        (Some(p.total), &Value::Bool(true)),
        "{o:#}"
    );
    let assumes = o["assumes"].as_array().unwrap_or_else(|| panic!("{o:#}"));
    assert_eq!(assumes.len(), 1, "{o:#}");
    assert_eq!(assumes[0]["ref"], "refs/remotes/origin/main", "{o:#}");
    assert_eq!(assumes[0]["remote_ref"], "refs/heads/main", "{o:#}");
    assert_eq!(assumes[0]["kind"], "tracking", "{o:#}");

    // A fast-forward: stdin gives the server's main, nothing is assumed.
    w.git("w", &["checkout", "-q", "main"]);
    w.commit("w", "m3", 2);
    let p = w.push("w", &[], &["origin", "main"]);
    let o = &hook_json(&p)["objects"];
    assert_eq!(o["count"].as_u64(), Some(p.total), "{o:#}");
    assert_eq!(o["assumes"], Value::Array(vec![]), "{o:#}");

    // A branch from an older commit of main: origin/main contains it.
    w.git("w", &["checkout", "-q", "-b", "old", "main~2"]);
    w.commit("w", "old", 1);
    let p = w.push("w", &[], &["origin", "old"]);
    let o = &hook_json(&p)["objects"];
    assert_eq!(o["count"].as_u64(), Some(p.total), "{o:#}");
    let refs: Vec<&Value> = o["assumes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| &a["ref"])
        .collect();
    assert!(
        refs.contains(&&Value::from("refs/remotes/origin/main")),
        "{o:#}"
    );

    // Two refs at once: main fast-forwards (stdin confirms the server's main)
    // and a new branch starts further down main, so nothing is assumed.
    w.git("w", &["checkout", "-q", "main"]);
    w.commit("w", "m4", 1);
    w.git("w", &["checkout", "-q", "-b", "below", "main~2"]);
    w.commit("w", "below", 1);
    let p = w.push("w", &[], &["origin", "main", "below"]);
    let o = &hook_json(&p)["objects"];
    assert_eq!(o["count"].as_u64(), Some(p.total), "{o:#}");
    assert_eq!(o["assumes"], Value::Array(vec![]), "{o:#}");

    // feature-x is pushed (its tracking ref gets a reflog entry), then
    // deleted on the server behind this clone's back.
    let before = now();
    w.git("w", &["checkout", "-q", "-b", "feature-x"]);
    for i in 0..4 {
        w.commit("w", &format!("x{i}"), 3);
    }
    assert!(w.push("w", &[], &["origin", "feature-x"]).ok);
    w.git("r.git", &["branch", "-D", "feature-x"]);
    w.git("w", &["checkout", "-q", "-b", "fix"]);
    w.commit("w", "fix", 1);
    let p = w.push("w", &[], &["origin", "fix"]);
    assert!(p.ok, "{}", p.stderr);
    let o = &hook_json(&p)["objects"];
    let count = o["count"].as_u64().unwrap();
    assert!(
        count < p.total,
        "git sends the deleted branch's history: {o:#}"
    );
    assert_eq!(o["exact"], true, "exact if the assumption holds: {o:#}");
    let assumes = o["assumes"].as_array().unwrap_or_else(|| panic!("{o:#}"));
    let x = assumes
        .iter()
        .find(|a| a["ref"] == "refs/remotes/origin/feature-x")
        .unwrap_or_else(|| panic!("{o:#}"));
    assert_eq!(x["remote_ref"], "refs/heads/feature-x");
    let updated = x["updated"].as_u64().unwrap_or_else(|| panic!("{x:#}"));
    assert!((before..=now() + 1).contains(&updated), "{x:#}");
    let text = w.check_text("w", "origin", &p.stdin);
    assert!(
        text.contains("assuming   origin still has feature-x (as of "),
        "{text}"
    );
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Item 4: the server holds a release only through its tag (the branch was
/// deleted after tagging, and this clone pruned it). A hotfix from the tag
/// sends a handful of objects: the tag (fetched from that remote) bounds the
/// count, and since the push would be blocked without it, pushguard warns
/// rather than blocks. The first push of a whole history to a server never
/// fetched from still blocks (its tags are not assumed).
#[test]
fn tags_of_a_fetched_remote_bound_the_count_and_never_block() {
    let Some(w) = World::new() else { return };
    w.bare("r.git");
    w.work("w", "r.git");
    w.commit("w", "m0", 3);
    assert!(w.push("w", &[], &["origin", "main"]).ok);
    w.git("w", &["checkout", "-q", "-b", "release"]);
    for i in 0..8 {
        w.commit("w", &format!("r{i}"), 3);
    }
    w.git("w", &["tag", "-a", "-m", "release 1.0", "v1.0"]);
    assert!(w.push("w", &[], &["origin", "release", "v1.0"]).ok);
    w.git("r.git", &["branch", "-D", "release"]);
    w.git("w", &["fetch", "-q", "--prune", "origin"]);
    w.git("w", &["checkout", "-q", "-b", "hotfix", "v1.0"]);
    w.git("w", &["branch", "-D", "release"]);
    w.commit("w", "hotfix", 1);

    let limits = [
        "-c",
        "pushguard.warnObjects=10",
        "-c",
        "pushguard.blockObjects=20",
    ];
    let p = w.push("w", &limits, &["origin", "hotfix"]);
    let v = hook_json(&p);
    assert!(p.ok, "never blocked on what pushguard cannot see: {v:#}");
    assert!((1..10).contains(&p.total), "{}", p.stderr);
    let o = &v["objects"];
    let exact = (o["count"].as_u64(), &o["exact"]);
    assert_eq!(exact, (Some(p.total), &Value::Bool(true)), "{o:#}");
    let assumes = o["assumes"].as_array().unwrap_or_else(|| panic!("{o:#}"));
    assert!(
        assumes
            .iter()
            .any(|a| a["ref"] == "refs/tags/v1.0" && a["kind"] == "tag"),
        "{o:#}"
    );
    let without = o["without_tags"]["count"].as_u64().unwrap_or(0);
    assert!(without >= 20, "without the tag it would block: {o:#}");
    assert_eq!(v["verdict"], "warn", "{v:#}");
    assert!(v["reasons"].to_string().contains("tag v1.0"), "{v:#}");

    // The seed case: a new, empty server this clone never fetched from.
    w.bare("fresh.git");
    w.git("w", &["remote", "add", "fresh", &w.url("fresh.git")]);
    let p = w.push("w", &limits, &["fresh", "hotfix"]);
    let v = hook_json(&p);
    assert!(!p.ok, "{v:#}");
    assert_eq!(v["verdict"], "block", "{v:#}");
    assert_eq!(v["objects"]["assumes"], Value::Array(vec![]), "{v:#}");
    let real = w.push(
        "w",
        &["-c", "pushguard.enabled=false"],
        &["fresh", "hotfix"],
    );
    assert!(real.ok, "{}", real.stderr);
    assert!(
        v["objects"]["count"].as_u64().unwrap() <= real.total,
        "{v:#}"
    );
    assert!(real.total >= 20, "{}", real.stderr);
}
