//! `pushguard install` / `uninstall` and the hook shim, in real repositories
//! with real pushes to a local bare remote.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::support::{BIN, Cmd, Out, Sandbox, require};

struct Repo {
    s: Sandbox,
}

impl Repo {
    /// `None` (the test skips) without git.
    fn new() -> Option<Repo> {
        require("git")?;
        let r = Repo { s: Sandbox::new() };
        r.run("git", &["init", "-q", "--bare", "remote.git"], ".");
        r.run("git", &["init", "-q", "-b", "main", "work"], ".");
        r.run(
            "git",
            &[
                "-c",
                "user.name=T",
                "-c",
                "user.email=t@e",
                "commit",
                "-q",
                "--allow-empty",
                "-m",
                "x",
            ],
            "work",
        );
        r.run("git", &["remote", "add", "origin", "../remote.git"], "work");
        Some(r)
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.s.path(rel)
    }

    fn cmd(&self, prog: &str, args: &[&str], cwd: &str) -> Cmd {
        self.s.cmd(prog).args(args).dir(cwd)
    }

    fn run(&self, prog: &str, args: &[&str], cwd: &str) -> Out {
        self.cmd(prog, args, cwd).ok()
    }

    fn hook(&self) -> PathBuf {
        self.path("work/.git/hooks/pre-push")
    }
}

#[test]
fn install_is_idempotent_and_uninstall_removes() {
    let Some(r) = Repo::new() else { return };
    let out = r.run(BIN, &["install"], "work");
    assert!(out.text().contains("installed"), "{}", out.text());
    let hook = fs::read_to_string(r.hook()).unwrap();
    assert!(hook.contains("# pushguard-hook:"));
    assert!(
        hook.contains(&format!("fallback={BIN}")) || hook.contains(&format!("fallback='{BIN}'")),
        "{hook}"
    );
    assert_eq!(
        fs::metadata(r.hook()).unwrap().permissions().mode() & 0o777,
        0o755
    );
    let out = r.run(BIN, &["install"], "work");
    assert!(out.text().contains("already installed"), "{}", out.text());
    assert!(
        !r.path("work/.git/hooks/pre-push.pushguard-chained")
            .exists(),
        "never chains itself"
    );
    r.run(BIN, &["uninstall"], "work");
    assert!(!r.hook().exists());
}

#[test]
fn honours_relative_core_hooks_path() {
    let Some(r) = Repo::new() else { return };
    r.run("git", &["config", "core.hooksPath", "my-hooks"], "work");
    r.run(BIN, &["install"], "work");
    assert!(r.path("work/my-hooks/pre-push").exists());
    assert!(!r.hook().exists());
}

#[test]
fn foreign_hook_is_chained_runs_first_and_is_restored() {
    let Some(r) = Repo::new() else { return };
    let log = r.path("foreign.log");
    let foreign = format!(
        "#!/bin/sh\necho \"args: $*\" >> '{}'\ncat >> '{}'\nexit ${{FOREIGN_EXIT:-0}}\n",
        log.display(),
        log.display()
    );
    r.s.write_exec(r.hook(), &foreign, 0o750);
    r.run(BIN, &["install"], "work");
    let chained = r.path("work/.git/hooks/pre-push.pushguard-chained");
    assert_eq!(fs::read_to_string(&chained).unwrap(), foreign);
    // A failing foreign hook stops the push before pushguard runs.
    let out = r
        .cmd("git", &["push", "-q", "origin", "main"], "work")
        .env("FOREIGN_EXIT", "1")
        .run();
    assert!(!out.success());
    // A passing one sees git's argv and stdin; then the push goes on.
    let out = r
        .cmd("git", &["push", "-q", "origin", "main"], "work")
        .env("PUSHGUARD_BIN", BIN)
        .run();
    assert!(out.success(), "{}", out.text());
    let logged = fs::read_to_string(&log).unwrap();
    assert!(logged.contains("args: origin ../remote.git"), "{logged}");
    assert!(
        logged.contains("refs/heads/main "),
        "stdin reached the chained hook: {logged}"
    );
    // Uninstall restores it byte for byte, mode included.
    r.run(BIN, &["uninstall"], "work");
    assert_eq!(fs::read_to_string(r.hook()).unwrap(), foreign);
    assert_eq!(
        fs::metadata(r.hook()).unwrap().permissions().mode() & 0o777,
        0o750
    );
    assert!(!chained.exists());
}

#[test]
fn refuses_to_remove_a_foreign_hook() {
    let Some(r) = Repo::new() else { return };
    r.s.write_exec(r.hook(), "#!/bin/sh\nexit 0\n", 0o755);
    let out = r.cmd(BIN, &["uninstall"], "work").run();
    assert_eq!(out.code, Some(3), "{}", out.text());
    assert!(
        out.text().contains("not pushguard's hook"),
        "{}",
        out.text()
    );
    assert!(r.hook().exists());
}

#[test]
fn missing_binary_lets_the_push_go_on_with_one_line() {
    let Some(r) = Repo::new() else { return };
    let shim =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("hooks/pre-push")).unwrap();
    r.s.write_exec(r.hook(), &shim, 0o755);
    let out = r
        .cmd("git", &["push", "-q", "origin", "main"], "work")
        .env("PUSHGUARD_BIN", "/nonexistent/pushguard")
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .run();
    assert!(out.success(), "{}", out.text());
    let err = &out.stderr;
    assert_eq!(
        err.lines().filter(|l| l.contains("pushguard")).count(),
        1,
        "{err}"
    );
    assert!(err.contains("not installed"), "{err}");
}

#[test]
fn install_sh_is_posix() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let s = Sandbox::new();
    for f in ["install.sh", "hooks/pre-push"] {
        s.cmd("sh").arg("-n").arg(root.join(f)).ok();
    }
}
