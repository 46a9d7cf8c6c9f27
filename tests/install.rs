//! `pushguard install` / `uninstall` and the hook shim, in real repositories
//! with real pushes to a local bare remote.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_pushguard");

struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new() -> Repo {
        let r = Repo {
            dir: tempfile::tempdir().unwrap(),
        };
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
        r
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn cmd(&self, prog: &str, args: &[&str], cwd: &str) -> Command {
        let mut c = Command::new(prog);
        c.args(args)
            .current_dir(self.path(cwd))
            .env("HOME", self.path("."))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env_remove("PUSHGUARD_BIN");
        c
    }

    fn run(&self, prog: &str, args: &[&str], cwd: &str) -> Output {
        let out = self.cmd(prog, args, cwd).output().unwrap();
        assert!(
            out.status.success(),
            "{prog} {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    fn hook(&self) -> PathBuf {
        self.path("work/.git/hooks/pre-push")
    }
}

fn write_exec(path: &Path, text: &str, mode: u32) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn install_is_idempotent_and_uninstall_removes() {
    let r = Repo::new();
    let out = r.run(BIN, &["install"], "work");
    assert!(text(&out).contains("installed"), "{}", text(&out));
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
    assert!(text(&out).contains("already installed"), "{}", text(&out));
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
    let r = Repo::new();
    r.run("git", &["config", "core.hooksPath", "my-hooks"], "work");
    r.run(BIN, &["install"], "work");
    assert!(r.path("work/my-hooks/pre-push").exists());
    assert!(!r.hook().exists());
}

#[test]
fn foreign_hook_is_chained_runs_first_and_is_restored() {
    let r = Repo::new();
    let log = r.path("foreign.log");
    let foreign = format!(
        "#!/bin/sh\necho \"args: $*\" >> '{}'\ncat >> '{}'\nexit ${{FOREIGN_EXIT:-0}}\n",
        log.display(),
        log.display()
    );
    write_exec(&r.hook(), &foreign, 0o750);
    r.run(BIN, &["install"], "work");
    let chained = r.path("work/.git/hooks/pre-push.pushguard-chained");
    assert_eq!(fs::read_to_string(&chained).unwrap(), foreign);
    // A failing foreign hook stops the push before pushguard runs.
    let out = r
        .cmd("git", &["push", "-q", "origin", "main"], "work")
        .env("FOREIGN_EXIT", "1")
        .output()
        .unwrap();
    assert!(!out.status.success());
    // A passing one sees git's argv and stdin; then the push goes on.
    let out = r
        .cmd("git", &["push", "-q", "origin", "main"], "work")
        .env("PUSHGUARD_BIN", BIN)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
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
    let r = Repo::new();
    write_exec(&r.hook(), "#!/bin/sh\nexit 0\n", 0o755);
    let out = r.cmd(BIN, &["uninstall"], "work").output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(
        text(&out).contains("not pushguard's hook"),
        "{}",
        text(&out)
    );
    assert!(r.hook().exists());
}

#[test]
fn missing_binary_lets_the_push_go_on_with_one_line() {
    let r = Repo::new();
    let shim =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("hooks/pre-push")).unwrap();
    write_exec(&r.hook(), &shim, 0o755);
    let out = r
        .cmd("git", &["push", "-q", "origin", "main"], "work")
        .env("PUSHGUARD_BIN", "/nonexistent/pushguard")
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
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
    for f in ["install.sh", "hooks/pre-push"] {
        let st = Command::new("sh")
            .arg("-n")
            .arg(root.join(f))
            .status()
            .unwrap();
        assert!(st.success(), "{f}");
    }
}
