//! A PuTTY tool as git runs it: its arguments (the command's own words as
//! `sh` splits them, git's options for the variant, the host), the session
//! they load, and the keepalive read from this host's store. The hook,
//! `check`, `doctor` and `fix` all take the session from here, so they name
//! the same one.

use super::{Choice, Keepalive, Store, Tool, Unreadable, choose_session};
use crate::git::{self, SshInvocation, Variant};
use crate::platform::Platform;

/// The arguments the program gets after its own name when git runs `inv`:
/// its words from `GIT_SSH_COMMAND`/`core.sshCommand`, git's options, the
/// host and the remote command. With the variant `auto` git first probes
/// `<program> -G`, which a PuTTY tool fails (cmdline.c has no `-G`), so git
/// runs it as `simple`, without options.
pub fn arguments(
    inv: &SshInvocation,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<String>, Unreadable> {
    let inv = match inv.variant {
        Variant::Auto => inv.after_probe(false).map_err(|e| {
            Unreadable::CommandLine(format!(
                "git runs {} as a simple ssh (a PuTTY tool fails git's -G probe): {e}",
                inv.command
            ))
        })?,
        _ => inv.clone(),
    };
    let mut args: Vec<String> = match inv.use_shell {
        true => git::shell::split_words(&inv.command, env)
            .map_err(|e| Unreadable::CommandLine(e.to_string()))?
            .into_iter()
            .skip(1)
            .collect(),
        false => Vec::new(),
    };
    args.extend(inv.options.iter().cloned());
    args.push(inv.host_arg.clone());
    args.push(inv.remote_command.clone());
    Ok(args)
}

/// The session `tool` loads when git runs `inv`.
pub fn choice_for(
    tool: Tool,
    inv: &SshInvocation,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Choice, Unreadable> {
    choose_session(tool, &arguments(inv, env)?)
}

/// Where PuTTY keeps saved sessions here, for the environment `env`: on
/// Unix, unix/storage.c also looks at the passwd home's `.putty` when
/// `$HOME/.putty` does not exist, and takes a directory that exists in any
/// form (`access(F_OK)`).
pub fn store_here(env: &dyn Fn(&str) -> Option<String>) -> Store {
    let passwd_home = match Platform::HOST {
        Platform::Unix => Some(
            crate::ssh::ResolveEnv::current(crate::ssh::Profile::newest(), Default::default()).home,
        ),
        Platform::Windows => None,
    };
    Store::for_platform(Platform::HOST, env, passwd_home.as_deref(), &|p| p.exists())
}

/// The keepalive `tool` will use when git runs `inv` here.
pub fn keepalive_for(
    tool: Tool,
    inv: &SshInvocation,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Keepalive, Unreadable> {
    store_here(env).keepalive(&choice_for(tool, inv, env)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::{GitConfig, IpFamily, SshTarget};

    fn inv(env: &[(&str, &str)], cfg: &[(&str, &str)], port: Option<&str>) -> SshInvocation {
        let target = SshTarget {
            user: Some("git".into()),
            host: "git.example.com".into(),
            port: port.map(str::to_string),
            path: "p.git".into(),
        };
        let lookup = |k: &str| {
            env.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        };
        let cfg = GitConfig::from_pairs(cfg.iter().copied());
        match git::ssh_invocation(&target, &cfg, &lookup, "git-receive-pack", IpFamily::Any) {
            Ok(i) => i,
            Err(e) => panic!("{e}"),
        }
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    // connect.c push_ssh_options for plink: `-P PORT`; the command's own
    // words come first (sh splits them).
    #[test]
    fn arguments_as_git_runs_the_tool() {
        let i = inv(
            &[("GIT_SSH_COMMAND", "plink -load 'my s'")],
            &[],
            Some("7999"),
        );
        assert_eq!(
            arguments(&i, &no_env).unwrap(),
            [
                "-load",
                "my s",
                "-P",
                "7999",
                "git@git.example.com",
                "git-receive-pack 'p.git'"
            ]
        );
        assert_eq!(
            choice_for(Tool::Plink, &i, &no_env),
            Ok(Choice::Load("my s".into()))
        );
        // GIT_SSH is a program, not a command line.
        let i = inv(&[("GIT_SSH", "/opt/my plink/plink")], &[], None);
        assert_eq!(
            choice_for(Tool::Plink, &i, &no_env),
            Ok(Choice::HostOrDefault("git.example.com".into()))
        );
    }

    // TortoiseGit runs git with GIT_SSH_VARIANT=ssh (src/Git/Git.cpp): git
    // passes OpenSSH's `-p`, which TortoisePlink's CMDLINE.C accepts and
    // plink's does not.
    #[test]
    fn openssh_options_to_a_putty_tool() {
        let i = inv(
            &[
                ("GIT_SSH", "/c/TortoiseGit/bin/TortoiseGitPlink.exe"),
                ("GIT_SSH_VARIANT", "ssh"),
            ],
            &[("protocol.version", "1")],
            Some("7999"),
        );
        assert_eq!(
            choice_for(Tool::TortoisePlink, &i, &no_env),
            Ok(Choice::HostOrDefault("git.example.com".into()))
        );
        assert!(choice_for(Tool::Plink, &i, &no_env).is_err());
    }

    // connect.c: `putty` is not a name git knows (variant auto); its -G
    // probe fails, so git runs it as simple, which cannot take a port.
    #[test]
    fn an_auto_variant_runs_as_simple() {
        let i = inv(&[("GIT_SSH", "putty")], &[], None);
        assert_eq!(i.variant, Variant::Auto);
        assert_eq!(
            arguments(&i, &no_env).unwrap(),
            ["git@git.example.com", "git-receive-pack 'p.git'"]
        );
        let i = inv(&[("GIT_SSH", "putty")], &[], Some("2222"));
        let e = choice_for(Tool::Putty, &i, &no_env).unwrap_err();
        assert!(
            e.to_string().contains("does not support setting port"),
            "{e}"
        );
    }

    #[test]
    fn a_command_sh_cannot_split_without_running_is_cannot_tell() {
        let i = inv(&[("GIT_SSH_COMMAND", "plink -load $(pick)")], &[], None);
        assert!(matches!(
            choice_for(Tool::Plink, &i, &no_env),
            Err(Unreadable::CommandLine(_))
        ));
    }
}
