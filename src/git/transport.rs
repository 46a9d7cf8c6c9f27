//! Which ssh program git runs for a push, its variant, and its exact argv.

use super::{GitConfig, SshTarget};

/// The ssh flavour git assumes, which decides the flags it passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// OpenSSH (`ssh`): `-p PORT`, reads ssh_config.
    OpenSsh,
    /// PuTTY's plink: `-P PORT`.
    Plink,
    /// `putty`: like plink.
    Putty,
    /// TortoisePlink: `-batch -P PORT`.
    TortoisePlink,
    /// `simple`: no options at all.
    Simple,
    /// Not known from the name: git probes with `<ssh> -G` (success: OpenSSH, else simple).
    Auto,
}

/// Where git took the ssh command from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SshSource {
    /// The `GIT_SSH_COMMAND` environment variable.
    GitSshCommand,
    /// The `core.sshCommand` config key.
    CoreSshCommand,
    /// The `GIT_SSH` environment variable (a program, no arguments).
    GitSsh,
    /// Nothing set: plain `ssh`.
    Default,
}

/// The ssh command git will run for one push URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshInvocation {
    /// The command text (`ssh`, `ssh -o X=1`, `/path/to/plink`).
    pub command: String,
    /// True when git runs it through `sh -c '<command> "$@"'`.
    pub use_shell: bool,
    /// Where the command came from.
    pub source: SshSource,
    /// The variant git uses.
    pub variant: Variant,
    /// The options git adds before the host (`-p 7999`, `-4`…).
    pub options: Vec<String>,
    /// The host argument: `[user@]host`.
    pub host_arg: String,
    /// The remote command: `git-receive-pack '<path>'`.
    pub remote_command: String,
}

impl SshInvocation {
    /// The argv git executes for the push (after any `sh -c` wrapping).
    pub fn push_argv(&self) -> Vec<String> {
        todo!("argv")
    }

    /// The argv that asks the same ssh for its effective config (`-G` in place of the remote command).
    pub fn probe_argv(&self) -> Vec<String> {
        todo!("probe argv")
    }
}

/// Works out the ssh invocation for a push to `target`, as git's connect.c does.
///
/// `env` looks up environment variables; `receive_pack` is the remote program
/// (`git-receive-pack` unless `remote.<name>.receivepack` says otherwise).
pub fn ssh_invocation(
    target: &SshTarget,
    cfg: &GitConfig,
    env: &dyn Fn(&str) -> Option<String>,
    receive_pack: &str,
) -> SshInvocation {
    let _ = (target, cfg, env, receive_pack);
    todo!("ssh invocation")
}
