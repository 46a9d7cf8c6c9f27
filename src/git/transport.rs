//! Which ssh program git runs for a push, its variant, and its exact argv,
//! as git's connect.c and run-command.c decide them.

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

impl SshSource {
    /// The name users know it by.
    pub fn name(self) -> &'static str {
        match self {
            SshSource::GitSshCommand => "GIT_SSH_COMMAND",
            SshSource::CoreSshCommand => "core.sshCommand",
            SshSource::GitSsh => "GIT_SSH",
            SshSource::Default => "default",
        }
    }
}

/// The ssh command git will run for one push URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshInvocation {
    /// The command text (`ssh`, `ssh -o X=1`, `/path/to/plink`).
    pub command: String,
    /// True when git runs it through the shell (GIT_SSH_COMMAND, core.sshCommand).
    pub use_shell: bool,
    /// Where the command came from.
    pub source: SshSource,
    /// The variant git uses.
    pub variant: Variant,
    /// The options git adds before the host (`-p 7999`, `-4`…).
    pub options: Vec<String>,
    /// The options of git's `-G` probe (always OpenSSH's form).
    pub probe_options: Vec<String>,
    /// The host argument: `[user@]host`.
    pub host_arg: String,
    /// The remote command: `git-receive-pack '<path>'`.
    pub remote_command: String,
}

/// git would refuse to run ssh for this URL (it dies with this reason).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("git would refuse this push: {0}")]
pub struct InvocationError(pub String);

/// Characters that make run-command go through `sh -c`.
const SHELL_META: &str = "|&;<>()$`\\\"' \t\n*?[#~=%";

impl SshInvocation {
    /// Wraps `command` + `args` the way run-command executes them.
    fn wrap(&self, args: Vec<String>) -> Vec<String> {
        let needs_shell = self.use_shell && self.command.chars().any(|c| SHELL_META.contains(c));
        let mut out = Vec::new();
        if needs_shell {
            out.push("/bin/sh".to_string());
            out.push("-c".to_string());
            out.push(if args.is_empty() {
                self.command.clone()
            } else {
                format!("{} \"$@\"", self.command)
            });
        }
        out.push(self.command.clone());
        out.extend(args);
        out
    }

    /// The argv git executes for the push (after any `sh -c` wrapping).
    pub fn push_argv(&self) -> Vec<String> {
        let mut args = self.options.clone();
        args.push(self.host_arg.clone());
        args.push(self.remote_command.clone());
        self.wrap(args)
    }

    /// The argv of git's own `-G` probe: the same command asked for its
    /// effective config with OpenSSH's options (what pushguard runs too).
    pub fn probe_argv(&self) -> Vec<String> {
        let mut args = vec!["-G".to_string()];
        args.extend(self.probe_options.clone());
        args.push(self.host_arg.clone());
        self.wrap(args)
    }
}

/// The first word of a command line as git's `split_cmdline` reads it.
fn first_word(cmd: &str) -> Option<String> {
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut chars = cmd.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, c) if c.is_ascii_whitespace() => return Some(word),
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (q, '\\') if q != Some('\'') => word.push(chars.next()?),
            (_, c) => word.push(c),
        }
    }
    quote.is_none().then_some(word)
}

fn variant_of_name(name: &str) -> Variant {
    let base = name.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    match base.to_ascii_lowercase().as_str() {
        "ssh" | "ssh.exe" => Variant::OpenSsh,
        "plink" | "plink.exe" => Variant::Plink,
        "tortoiseplink" | "tortoiseplink.exe" => Variant::TortoisePlink,
        _ => Variant::Auto,
    }
}

/// git's `sq_quote_buf`: single quotes, with `'` and `!` escaped.
pub fn sq_quote(s: &str) -> String {
    let mut out = String::from("'");
    for c in s.chars() {
        match c {
            '\'' | '!' => {
                out.push_str("'\\");
                out.push(c);
                out.push('\'');
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// Options git passes before the host for `variant` (push_ssh_options).
fn ssh_options(
    variant: Variant,
    port: Option<&str>,
    protocol_v1: bool,
    family: Option<u8>,
) -> Result<Vec<String>, InvocationError> {
    let mut o = Vec::new();
    if variant == Variant::OpenSsh && protocol_v1 {
        o.extend(["-o".to_string(), "SendEnv=GIT_PROTOCOL".to_string()]);
    }
    if let Some(f) = family {
        if variant == Variant::Simple {
            return Err(InvocationError(format!(
                "ssh variant 'simple' does not support -{f}"
            )));
        }
        o.push(format!("-{f}"));
    }
    if variant == Variant::TortoisePlink {
        o.push("-batch".into());
    }
    if let Some(p) = port {
        let flag = match variant {
            Variant::Simple => {
                return Err(InvocationError(
                    "ssh variant 'simple' does not support setting port".into(),
                ));
            }
            Variant::OpenSsh | Variant::Auto => "-p",
            Variant::Plink | Variant::Putty | Variant::TortoisePlink => "-P",
        };
        o.extend([flag.to_string(), p.to_string()]);
    }
    Ok(o)
}

/// Works out the ssh invocation for a push to `target`, as git's connect.c does.
///
/// `env` looks up environment variables; `receive_pack` is the remote program
/// (`git-receive-pack` unless `remote.<name>.receivepack` says otherwise);
/// `family` is 4 or 6 for `git push -4/-6`. A variant of `Auto` means git
/// will probe: the caller decides it from the probe's result.
pub fn ssh_invocation(
    target: &SshTarget,
    cfg: &GitConfig,
    env: &dyn Fn(&str) -> Option<String>,
    receive_pack: &str,
    family: Option<u8>,
) -> Result<SshInvocation, InvocationError> {
    let (command, source) = if let Some(c) = env("GIT_SSH_COMMAND") {
        (c, SshSource::GitSshCommand)
    } else if let Some(c) = cfg.get("core.sshCommand") {
        (c.to_string(), SshSource::CoreSshCommand)
    } else if let Some(c) = env("GIT_SSH") {
        (c, SshSource::GitSsh)
    } else {
        ("ssh".to_string(), SshSource::Default)
    };
    let use_shell = matches!(source, SshSource::GitSshCommand | SshSource::CoreSshCommand);
    let forced = env("GIT_SSH_VARIANT").or_else(|| cfg.get("ssh.variant").map(str::to_string));
    let variant = match forced.as_deref() {
        Some("auto") | None => {
            let name = if use_shell {
                first_word(&command)
            } else {
                Some(command.clone())
            };
            name.map_or(Variant::Auto, |n| variant_of_name(&n))
        }
        Some("plink") => Variant::Plink,
        Some("putty") => Variant::Putty,
        Some("tortoiseplink") => Variant::TortoisePlink,
        Some("simple") => Variant::Simple,
        Some(_) => Variant::OpenSsh,
    };
    let host_arg = target.host_arg();
    if host_arg.starts_with('-') {
        return Err(InvocationError(format!(
            "strange hostname '{host_arg}' blocked"
        )));
    }
    // Push speaks protocol v0 even when v2 is configured; v1 adds SendEnv.
    let protocol_v1 = cfg.get("protocol.version") == Some("1");
    let port = target.port.as_deref();
    let options = ssh_options(variant, port, protocol_v1, family)?;
    let probe_options = ssh_options(Variant::OpenSsh, port, protocol_v1, family)?;
    Ok(SshInvocation {
        command,
        use_shell,
        source,
        variant,
        options,
        probe_options,
        host_arg,
        remote_command: format!("{receive_pack} {}", sq_quote(&target.path)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(port: Option<&str>) -> SshTarget {
        SshTarget {
            user: Some("git".into()),
            host: "h".into(),
            port: port.map(str::to_string),
            path: "/it's!.git".into(),
        }
    }

    fn inv(env: &[(&str, &str)], cfg: &[(&str, &str)], port: Option<&str>) -> SshInvocation {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let lookup = move |k: &str| env.iter().find(|(e, _)| e == k).map(|(_, v)| v.clone());
        ssh_invocation(
            &target(port),
            &GitConfig::from_pairs(cfg.iter().copied()),
            &lookup,
            "git-receive-pack",
            None,
        )
        .unwrap()
    }

    #[test]
    fn precedence_and_argv() {
        let i = inv(&[], &[], Some("7999"));
        assert_eq!(
            i.push_argv(),
            [
                "ssh",
                "-p",
                "7999",
                "git@h",
                r"git-receive-pack '/it'\''s'\!'.git'"
            ]
        );
        let i = inv(
            &[("GIT_SSH", "/x/plink")],
            &[("core.sshCommand", "ssh -v")],
            Some("1"),
        );
        assert_eq!(i.source, SshSource::CoreSshCommand);
        assert_eq!(
            &i.push_argv()[..4],
            ["/bin/sh", "-c", "ssh -v \"$@\"", "ssh -v"]
        );
        let i = inv(&[("GIT_SSH", "/x/plink")], &[], Some("1"));
        assert_eq!(
            (i.variant, &i.options[..]),
            (Variant::Plink, &["-P".to_string(), "1".to_string()][..])
        );
        let i = inv(&[("GIT_SSH", "/x/TortoisePlink.exe")], &[], Some("1"));
        assert_eq!(i.options, ["-batch", "-P", "1"]);
        let i = inv(&[("GIT_SSH_COMMAND", "'my wrapper' -x")], &[], None);
        assert_eq!(i.variant, Variant::Auto);
        assert_eq!(
            i.probe_argv(),
            [
                "/bin/sh",
                "-c",
                "'my wrapper' -x \"$@\"",
                "'my wrapper' -x",
                "-G",
                "git@h"
            ]
        );
    }

    #[test]
    fn variant_overrides_and_protocol() {
        let i = inv(&[("GIT_SSH_VARIANT", "putty")], &[], Some("2"));
        assert_eq!(i.options, ["-P", "2"]);
        let i = inv(&[], &[("protocol.version", "1")], None);
        assert_eq!(i.options, ["-o", "SendEnv=GIT_PROTOCOL"]);
        let i = inv(&[], &[("protocol.version", "2")], None);
        assert!(i.options.is_empty());
        let t = target(Some("2"));
        let cfg = GitConfig::from_pairs([("ssh.variant", "simple")]);
        assert!(ssh_invocation(&t, &cfg, &|_| None, "git-receive-pack", None).is_err());
    }

    #[test]
    fn first_word_like_split_cmdline() {
        assert_eq!(first_word("ssh -v").as_deref(), Some("ssh"));
        assert_eq!(first_word("'/a b/plink' x").as_deref(), Some("/a b/plink"));
        assert_eq!(first_word("\"unclosed").as_deref(), None);
        assert_eq!(first_word(r"a\ b c").as_deref(), Some("a b"));
    }
}
