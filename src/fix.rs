//! The smallest change that makes the keepalive effective: the lines for
//! `~/.ssh/config` and a one-off command that composes with the ssh command
//! git already uses.

use crate::git::{SshInvocation, SshSource, Variant};
use crate::policy::proposed_interval;
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
    /// The block to add to `~/.ssh/config`.
    pub ssh_config: String,
    /// A one-off `git` command for this push only.
    pub one_off: String,
    /// Where a losing line wins today, if known: the fix must go above it or change it.
    pub blocker: Option<Origin>,
    /// True for PuTTY tools: the keepalive is a PuTTY session setting, not ssh_config.
    pub putty: bool,
}

/// Builds the suggestion for `host`, reached by `inv`, under `idle_timeout`.
pub fn suggest(
    inv: &SshInvocation,
    host: &str,
    idle_timeout: u64,
    winning: Option<&Origin>,
) -> Suggestion {
    let interval = proposed_interval(idle_timeout);
    let ssh_config = format!(
        "Host {host}\n    ServerAliveInterval {interval}\n    ServerAliveCountMax {PROPOSED_COUNT_MAX}\n"
    );
    let opts =
        format!("-o ServerAliveInterval={interval} -o ServerAliveCountMax={PROPOSED_COUNT_MAX}");
    // Command-line -o options win over every config file, and each form below
    // takes precedence over the one git used, so the existing command is kept.
    let one_off = match inv.source {
        SshSource::GitSshCommand => {
            format!(
                "GIT_SSH_COMMAND={} git push",
                sh_quote(&format!("{} {opts}", inv.command))
            )
        }
        SshSource::CoreSshCommand | SshSource::GitSsh => format!(
            "git -c core.sshCommand={} push",
            sh_quote(&format!("{} {opts}", command_word(inv)))
        ),
        SshSource::Default => format!(
            "git -c core.sshCommand={} push",
            sh_quote(&format!("ssh {opts}"))
        ),
    };
    // A winning line in a system file loses to the top of the user's file.
    let blocker = winning
        .filter(|o| matches!(o, Origin::File { path, .. } if !path.starts_with("/etc")))
        .cloned();
    let putty = matches!(
        inv.variant,
        Variant::Plink | Variant::Putty | Variant::TortoisePlink
    );
    Suggestion {
        host: host.to_string(),
        interval,
        ssh_config,
        one_off,
        blocker,
        putty,
    }
}

/// The command as a shell word list: GIT_SSH is a bare program path.
fn command_word(inv: &SshInvocation) -> String {
    match inv.source {
        SshSource::GitSsh => sh_quote(&inv.command),
        _ => inv.command.clone(),
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
            variant: Variant::OpenSsh,
            options: vec![],
            port: None,
            family: crate::git::IpFamily::Any,
            protocol_v1: false,
            host_arg: "git@h".into(),
            remote_command: "git-receive-pack 'p'".into(),
        }
    }

    #[test]
    fn one_off_composes_with_existing_command() {
        let s = suggest(
            &inv("ssh -i ~/.ssh/k", SshSource::CoreSshCommand),
            "h",
            600,
            None,
        );
        assert_eq!(
            s.one_off,
            "git -c core.sshCommand='ssh -i ~/.ssh/k -o ServerAliveInterval=30 -o ServerAliveCountMax=4' push"
        );
        let s = suggest(&inv("ssh -v", SshSource::GitSshCommand), "h", 60, None);
        assert_eq!(
            s.one_off,
            "GIT_SSH_COMMAND='ssh -v -o ServerAliveInterval=30 -o ServerAliveCountMax=4' git push"
        );
        let s = suggest(&inv("/opt/my ssh", SshSource::GitSsh), "h", 40, None);
        assert!(
            s.one_off
                .contains(r"'\''/opt/my ssh'\'' -o ServerAliveInterval=20"),
            "{}",
            s.one_off
        );
        assert!(
            s.ssh_config
                .starts_with("Host h\n    ServerAliveInterval 20\n")
        );
    }
}
