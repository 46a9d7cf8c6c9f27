//! What the hook's message and `check` say about the fix, without doing it
//! (pure, fast): the `pushguard fix` command for this push, the block it
//! would add, and a one-off command for this push only that composes with
//! the ssh command git already uses — its keepalive options replace any on
//! that command line (ssh keeps the first value), so it is effective.

use super::edit::Key;
use super::git_config::compose;
use crate::git::{SshInvocation, SshSource};
use crate::platform::Platform;
use crate::policy::{Reads, proposed_interval, reads};
use crate::process::sh_quote;
use crate::ssh::Origin;

/// ServerAliveCountMax the fix proposes (with 30 s: give up after 2 minutes of silence).
pub const PROPOSED_COUNT_MAX: u64 = 4;

/// How to fix the keepalive for one host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// The host alias the `Host` line names.
    pub host: String,
    /// The interval proposed, in seconds.
    pub interval: u64,
    /// The command that shows (and with `--apply` makes) the change: `pushguard fix origin`.
    pub command: String,
    /// The block `pushguard fix` adds when a new block is the fix; `None`
    /// when the program reads no OpenSSH config.
    pub ssh_config: Option<String>,
    /// A one-off `git` command for this push only; `None` when the program
    /// reads no OpenSSH config (a PuTTY tool takes no keepalive option).
    pub one_off: Option<String>,
    /// Where the value that wins today is set, if known (in a user-side file).
    pub blocker: Option<Origin>,
    /// True for PuTTY tools: the keepalive is a PuTTY session setting, not ssh_config.
    pub putty: bool,
}

/// The `pushguard fix` command for a push to `remote` at `url` (`remote`
/// is the URL itself when the push named no remote).
pub fn fix_command(remote: &str, url: &str) -> String {
    match remote == url {
        true => format!("pushguard fix --url {}", sh_quote(url)),
        false => format!("pushguard fix {}", sh_quote(remote)),
    }
}

/// The command git would run with the keepalive keys set on its command
/// line, as the value of `core.sshCommand` (or `GIT_SSH_COMMAND` when that
/// is where it comes from).
pub fn with_keepalive(inv: &SshInvocation, keys: &[(Key, u64)]) -> String {
    let base = match inv.source {
        SshSource::GitSshCommand | SshSource::CoreSshCommand => inv.command.clone(),
        SshSource::GitSsh => sh_quote(&inv.command),
        SshSource::Default => "ssh".to_string(),
    };
    compose(&base, keys).0
}

/// Builds the suggestion for `host`, reached by `inv`, under `idle_timeout`,
/// for the push that `fix` (a [`fix_command`]) fixes.
pub fn suggest(
    inv: &SshInvocation,
    host: &str,
    idle_timeout: u64,
    winning: Option<&Origin>,
    fix: String,
) -> Suggestion {
    let interval = proposed_interval(idle_timeout);
    let ssh_config = format!(
        "Host {host}\n    ServerAliveInterval {interval}\n    ServerAliveCountMax {PROPOSED_COUNT_MAX}\n"
    );
    let keys = [
        (Key::Interval, interval),
        (Key::CountMax, PROPOSED_COUNT_MAX),
    ];
    let command = with_keepalive(inv, &keys);
    let one_off = match inv.source {
        SshSource::GitSshCommand => format!("GIT_SSH_COMMAND={} git push", sh_quote(&command)),
        _ => format!("git -c core.sshCommand={} push", sh_quote(&command)),
    };
    // A winning line in a system file loses to the top of the user's file.
    let blocker = winning
        .filter(|o| matches!(o, Origin::File { path, .. } if !path.starts_with("/etc")))
        .cloned();
    let reads = reads(inv.variant, inv.program_name(Platform::HOST).as_deref());
    let openssh = reads == Reads::OpenSshConfig;
    Suggestion {
        host: host.to_string(),
        interval,
        command: fix,
        ssh_config: openssh.then_some(ssh_config),
        one_off: openssh.then_some(one_off),
        blocker,
        putty: matches!(reads, Reads::PuttySession(_)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inv(command: &str, source: SshSource) -> SshInvocation {
        SshInvocation {
            command: command.into(),
            use_shell: true,
            source,
            variant: crate::git::Variant::OpenSsh,
            options: vec![],
            port: None,
            family: crate::git::IpFamily::Any,
            protocol_v1: false,
            host_arg: "git@h".into(),
            remote_command: "git-receive-pack 'p'".into(),
        }
    }

    fn one_off(command: &str, source: SshSource, idle: u64) -> String {
        suggest(
            &inv(command, source),
            "h",
            idle,
            None,
            fix_command("origin", "u"),
        )
        .one_off
        .unwrap_or_default()
    }

    #[test]
    fn one_off_composes_with_existing_command() {
        assert_eq!(
            one_off("ssh -i ~/.ssh/k", SshSource::CoreSshCommand, 600),
            "git -c core.sshCommand='ssh -i ~/.ssh/k -o ServerAliveInterval=30 -o ServerAliveCountMax=4' push"
        );
        assert_eq!(
            one_off("ssh -v", SshSource::GitSshCommand, 60),
            "GIT_SSH_COMMAND='ssh -v -o ServerAliveInterval=30 -o ServerAliveCountMax=4' git push"
        );
        let s = one_off("/opt/my ssh", SshSource::GitSsh, 40);
        assert!(
            s.contains(r"'\''/opt/my ssh'\'' -o ServerAliveInterval=20"),
            "{s}"
        );
        let s = suggest(&inv("ssh", SshSource::Default), "h", 40, None, "x".into());
        assert!(
            s.ssh_config
                .is_some_and(|c| c.starts_with("Host h\n    ServerAliveInterval 20\n"))
        );
    }

    // A PuTTY tool reads no OpenSSH config, even when git runs it as ssh.
    #[test]
    fn a_putty_tool_gets_no_ssh_config_and_no_one_off() {
        let mut i = inv("TortoiseGitPlink", SshSource::GitSsh);
        i.use_shell = false;
        let s = suggest(&i, "h", 600, None, "pushguard fix origin".into());
        assert!(s.putty);
        assert_eq!((s.ssh_config, s.one_off), (None, None));
        assert_eq!(s.interval, 30);
    }

    #[test]
    fn a_keepalive_already_on_the_command_line_is_replaced() {
        assert_eq!(
            one_off(
                "ssh -o ServerAliveInterval=0",
                SshSource::CoreSshCommand,
                600
            ),
            "git -c core.sshCommand='ssh -o ServerAliveInterval=30 -o ServerAliveCountMax=4' push"
        );
    }

    #[test]
    fn names_the_remote_or_the_url() {
        assert_eq!(fix_command("origin", "ssh://h/p"), "pushguard fix origin");
        assert_eq!(
            fix_command("ssh://h/p q", "ssh://h/p q"),
            "pushguard fix --url 'ssh://h/p q'"
        );
    }
}
