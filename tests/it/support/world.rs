//! A work repository that pushes over "ssh" to a bare remote beside it: the
//! ssh is a fake that hands `-G` to the real ssh and runs git's remote
//! command locally, so a push is judged as an ssh push without a server.
//! Every child gets `GIT_SSH_COMMAND` for the fake (with an empty `-F`
//! config: no keepalive) and `PUSHGUARD_BIN` for the binary under test.

use std::path::PathBuf;

use super::{BIN, Cmd, Out, Sandbox, require};

/// The URL's host.
pub const HOST: &str = "bitbucket.example.com";

/// A work repository with a bare remote reached over a fake ssh.
pub struct World {
    /// The sandbox (`HOME` of every child).
    pub s: Sandbox,
    /// A directory put first on every child's `PATH` (a newer git's), if any.
    pub path_first: Option<PathBuf>,
}

impl World {
    /// `None` (the test skips) without git or ssh.
    pub fn new() -> Option<World> {
        Self::with_git(None)
    }

    /// Like [`World::new`], with the git in `dir` first on `PATH`.
    pub fn with_git(dir: Option<PathBuf>) -> Option<World> {
        require("git")?;
        let real_ssh = require("ssh")?;
        let w = World {
            s: Sandbox::new(),
            path_first: dir,
        };
        w.s.write("ssh_config", "");
        w.s.write_exec(
            "bin/ssh",
            &format!(
                "#!/bin/sh\nfor a in \"$@\"; do\n  if [ \"$a\" = -G ]; then exec '{}' \"$@\"; fi\ndone\nfor last in \"$@\"; do :; done\nexec sh -c \"$last\"\n",
                real_ssh.display()
            ),
            0o755,
        );
        w.git(&["init", "-q", "--bare", "remote.git"], ".");
        w.git(&["init", "-q", "-b", "main", "work"], ".");
        w.git(&["config", "user.name", "T"], "work");
        w.git(&["config", "user.email", "t@example.com"], "work");
        let url = format!("ssh://git@{HOST}:7999{}", w.path("remote.git").display());
        w.git(&["remote", "add", "origin", &url], "work");
        Some(w)
    }

    /// A path in the sandbox.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.s.path(rel)
    }

    /// `program args` in `cwd` with the world's environment.
    pub fn cmd(&self, program: &str, args: &[&str], cwd: &str) -> Cmd {
        let c = self
            .s
            .cmd(program)
            .args(args)
            .dir(cwd)
            .env("PUSHGUARD_BIN", BIN)
            .env(
                "GIT_SSH_COMMAND",
                format!(
                    "{} -F {}",
                    self.path("bin/ssh").display(),
                    self.path("ssh_config").display()
                ),
            );
        match &self.path_first {
            Some(d) => c.path_first(d),
            None => c,
        }
    }

    /// `git args` in `cwd`, which must succeed; its stdout.
    pub fn git(&self, args: &[&str], cwd: &str) -> Out {
        self.cmd("git", args, cwd).ok()
    }

    /// Makes `n` commits of one new file each (3 objects per commit).
    pub fn commits(&self, n: usize) {
        let first = std::fs::read_dir(self.path("work")).map_or(0, |d| d.count());
        for i in first..first + n {
            self.s.write(format!("work/f{i}.txt"), &format!("{i}\n"));
            self.git(&["add", "."], "work");
            self.git(&["commit", "-q", "-m", &format!("c{i}")], "work");
        }
    }

    /// `origin`'s URL and the hook's stdin for a first push of `main` from
    /// `work` (the remote has no `main` yet).
    pub fn first_push_of_main(&self) -> (String, String) {
        let out = |args: &[&str]| self.git(args, "work").stdout.trim().to_string();
        let head = out(&["rev-parse", "HEAD"]);
        let url = out(&["remote", "get-url", "origin"]);
        let zeros = "0".repeat(40);
        (
            url,
            format!("refs/heads/main {head} refs/heads/main {zeros}\n"),
        )
    }

    /// `git -c <low thresholds> push origin <refs>`: large enough to block.
    pub fn push_blocking(&self, refs: &[&str]) -> Out {
        let mut args = vec![
            "-c",
            "pushguard.warnObjects=3",
            "-c",
            "pushguard.blockObjects=6",
            "push",
            "origin",
        ];
        args.extend_from_slice(refs);
        self.cmd("git", &args, "work").run()
    }

    /// The remote's `refs/heads/<branch>`, if it has it.
    pub fn remote_has(&self, branch: &str) -> bool {
        let r = format!("refs/heads/{branch}");
        self.cmd("git", &["rev-parse", "-q", "--verify", &r], "remote.git")
            .run()
            .success()
    }

    /// A script at `bin/<name>` that logs its argv, stdin and the
    /// `PRE_COMMIT_*` variables to `<name>.log`, then runs `then`.
    pub fn logger(&self, name: &str, then: &str) -> PathBuf {
        let log = self.path(&format!("{name}.log"));
        self.s.write_exec(
            format!("bin/{name}"),
            &format!(
                "#!/bin/sh\n{{ echo \"ARGS $*\"; echo STDIN; cat; echo ENV; env | grep '^PRE_COMMIT_' | sort; }} >> '{}'\n{then}\n",
                log.display()
            ),
            0o755,
        )
    }

    /// What a [`World::logger`] logged.
    pub fn log(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(&format!("{name}.log"))).unwrap_or_default()
    }
}
