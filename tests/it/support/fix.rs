//! A repository whose `origin` is reached over ssh with a sandbox config,
//! for `pushguard fix` (`tests/it/fix.rs`): the fix run as JSON, `ssh -G`
//! through the witness, and the checks every applied fix shares (proven,
//! the push's keepalive 30 s / 4, other hosts as they were).

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::ssh::witness;
use super::{Out, Sandbox, require};

/// The push host.
pub const HOST: &str = "bitbucket.example.com";
/// origin's URL.
pub const URL: &str = "ssh://git@bitbucket.example.com:7999/proj/repo.git";

/// A repository whose `origin` is reached over ssh with a sandbox config.
pub struct Fx {
    /// The sandbox, a repository at its root.
    pub s: Sandbox,
    /// The witness ssh.
    pub ssh: PathBuf,
}

impl Fx {
    /// `None` (the test skips) without git or ssh.
    pub fn new() -> Option<Fx> {
        require("git")?;
        let ssh = witness()?.path.clone();
        let s = Sandbox::repo();
        s.git(&["remote", "add", "origin", URL]).ok();
        Some(Fx { s, ssh })
    }

    /// Writes the config `name` and points core.sshCommand at it with `-F`.
    pub fn config(&self, name: &str, text: &str) -> PathBuf {
        let p = self.s.write(name, text);
        self.git_ssh_command(&format!("ssh -F {}", p.display()));
        p
    }

    /// Sets the repository's `core.sshCommand`.
    pub fn git_ssh_command(&self, cmd: &str) {
        self.s.git(&["config", "core.sshCommand", cmd]).ok();
    }

    /// `pushguard fix <args>`, whatever its exit code.
    pub fn fix(&self, args: &[&str]) -> Out {
        self.s.pushguard(&["fix"]).args(args).run()
    }

    /// `pushguard fix --format json <args>`: its JSON.
    pub fn fix_json(&self, args: &[&str]) -> Value {
        self.s
            .pushguard(&["fix", "--format", "json"])
            .args(args)
            .run()
            .json()
    }

    /// `ssh -G -F cfg <args>` as the witness prints it.
    pub fn ssh_g(&self, cfg: &Path, args: &[&str]) -> String {
        self.s
            .cmd(&self.ssh)
            .args(["-G", "-F"])
            .arg(cfg)
            .args(args)
            .ok()
            .stdout
    }

    /// The keepalive of the push host, as git's ssh gets it.
    pub fn keepalive(&self, cfg: &Path) -> (u64, u64) {
        keepalive(&self.ssh_g(cfg, &["-p", "7999", &format!("git@{HOST}")]))
    }

    /// Every host in `others`, resolved.
    pub fn dumps(&self, cfg: &Path, others: &[&str]) -> Vec<String> {
        others.iter().map(|h| self.ssh_g(cfg, &[h])).collect()
    }

    /// `fix --apply` must succeed, be proven, leave `others` as they were
    /// and make the push's keepalive 30 s / 4; returns the JSON report.
    pub fn applied(&self, cfg: &Path, others: &[&str]) -> Value {
        let before = self.dumps(cfg, others);
        let v = self.fix_json(&["--apply"]);
        assert_eq!(v["status"], "applied", "{v:#}");
        assert_eq!(v["proof"]["ok"], true, "{v:#}");
        assert_eq!(self.dumps(cfg, others), before, "other hosts changed");
        assert_eq!(self.keepalive(cfg), (30, 4));
        v
    }

    /// The proof names exactly `hosts` as unchanged, and each still has its
    /// keepalive (interval, count max) by the real `ssh -G` of `cfg`.
    pub fn unchanged(&self, v: &Value, cfg: &Path, hosts: &[(&str, (u64, u64))]) {
        let names: Vec<&str> = hosts.iter().map(|(h, _)| *h).collect();
        assert_eq!(v["proof"]["unchanged"], serde_json::json!(names), "{v:#}");
        assert_eq!(v["proof"]["also_changed"], serde_json::json!([]), "{v:#}");
        for (h, want) in hosts {
            assert_eq!(keepalive(&self.ssh_g(cfg, &[h])), *want, "{h}");
        }
    }

    /// A second remote, `upstream`, on `host`: the proof checks its host too.
    pub fn upstream(&self, host: &str) {
        let url = format!("ssh://git@{host}/team/other.git");
        self.s.git(&["remote", "add", "upstream", &url]).ok();
    }

    /// A new core.sshCommand serves every host: the proof reports the other
    /// remote's `host` as changed in its keepalive only (as asked), and the
    /// ssh config `cfg` still gives it `kept` (interval, count max).
    pub fn served_too(&self, v: &Value, cfg: &Path, host: &str, kept: (u64, u64)) {
        assert_eq!(v["proof"]["unchanged"], serde_json::json!([]), "{v:#}");
        assert_eq!(
            v["proof"]["also_changed"],
            serde_json::json!([{
                "host": host,
                "lines": ["serveralivecountmax 4", "serveraliveinterval 30"],
            }]),
            "{v:#}"
        );
        assert_eq!(keepalive(&self.ssh_g(cfg, &[host])), kept, "{host}");
    }
}

/// `(serveraliveinterval, serveralivecountmax)` of an `ssh -G` dump.
pub fn keepalive(dump: &str) -> (u64, u64) {
    let get = |k: &str| {
        dump.lines()
            .find_map(|l| l.strip_prefix(k))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(u64::MAX)
    };
    (get("serveraliveinterval "), get("serveralivecountmax "))
}

/// A file's text.
pub fn read(p: &Path) -> String {
    String::from_utf8(fs::read(p).unwrap()).unwrap()
}
