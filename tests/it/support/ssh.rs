//! The real `ssh -G` as a witness beside the builtin resolver: which ssh
//! (`PUSHGUARD_SSH`, else `ssh` on `PATH`), its banner, and the comparison
//! of the two answers for one argv.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use pushguard::ssh::{ExecPolicy, Flavour, ResolveEnv, ResolveRequest, resolve};

use super::Cmd;

/// The ssh build that witnesses.
pub struct Witness {
    /// The binary.
    pub path: PathBuf,
    /// `ssh -V` up to the first comma: `OpenSSH_9.2p1 Debian-2+deb12u10`.
    pub banner: String,
}

/// The witness, or `None` (after `require`'s message) when there is no ssh.
pub fn witness() -> Option<&'static Witness> {
    static WITNESS: OnceLock<Option<Witness>> = OnceLock::new();
    let path = super::require("ssh")?;
    WITNESS
        .get_or_init(|| {
            let out = Cmd::isolated(path.as_os_str(), Path::new("/"))
                .arg("-V")
                .ok();
            let banner = out
                .stderr
                .split(',')
                .next()
                .unwrap_or_default()
                .trim()
                .to_string();
            Some(Witness { path, banner })
        })
        .as_ref()
}

/// What `ssh -G` said.
#[derive(Debug)]
pub struct SshOut {
    /// Exit status 0?
    pub ok: bool,
    /// stdout.
    pub stdout: String,
    /// stderr.
    pub stderr: String,
}

impl Witness {
    /// Runs `ssh -G <args>` with `home` as `HOME`.
    pub fn ssh_g(&self, args: &[String], home: &Path) -> SshOut {
        let out = Cmd::isolated(self.path.as_os_str(), home)
            .arg("-G")
            .args(args)
            .run();
        SshOut {
            ok: out.success(),
            stdout: out.stdout,
            stderr: out.stderr,
        }
    }

    /// The resolver environment ssh sees when run with `home` as `HOME`;
    /// `Match exec` runs, as in ssh.
    pub fn env(&self, home: &Path) -> ResolveEnv {
        let mut env = ResolveEnv::current(Flavour::from_version(&self.banner), ExecPolicy::Run);
        env.include_home = home.to_path_buf();
        env
    }

    /// Compares builtin and real for one argv; `Ok(accepted)` when they
    /// agree (both print the same, or both reject), `Err(description)`
    /// otherwise.
    pub fn compare(&self, args: &[String], env: &ResolveEnv) -> Result<bool, String> {
        let real = self.ssh_g(args, &env.include_home);
        let ours = ResolveRequest::from_ssh_args(args).and_then(|r| resolve(&r, env));
        match (real.ok, ours) {
            (true, Ok(res)) => {
                let mine = res.dump();
                if mine == real.stdout {
                    return Ok(true);
                }
                let a: Vec<&str> = real.stdout.lines().collect();
                let b: Vec<&str> = mine.lines().collect();
                let mut d = String::new();
                for l in &a {
                    if !b.contains(l) {
                        d.push_str(&format!("  ssh only:  {l}\n"));
                    }
                }
                for l in &b {
                    if !a.contains(l) {
                        d.push_str(&format!("  ours only: {l}\n"));
                    }
                }
                if d.is_empty() {
                    d = "  (order differs)\n".into();
                }
                Err(d)
            }
            (false, Err(_)) => Ok(false),
            (true, Err(e)) => Err(format!("  ssh accepted, ours rejected: {e}\n")),
            (false, Ok(_)) => Err(format!("  ssh rejected: {}  ours accepted\n", real.stderr)),
        }
    }
}
