//! Which ssh program git runs for a push, its variant, and its exact argv.
//!
//! Hand-written after git 2.47's connect.c (command choice, variant, options)
//! and run-command.c (when a command string goes through `/bin/sh -c`): no
//! library models this, and the argv must equal git's for the ssh options we
//! resolve to be the ones ssh will use.

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

/// The address family asked for with `git push -4` / `-6`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IpFamily {
    /// Neither flag.
    #[default]
    Any,
    /// `-4`.
    V4,
    /// `-6`.
    V6,
}

/// Cases where git dies instead of running ssh.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvocationError {
    /// The `[user@]host` argument starts with `-`.
    #[error("strange hostname '{0}' blocked")]
    StrangeHostname(String),
    /// The simple variant cannot take a port.
    #[error("ssh variant 'simple' does not support setting port")]
    SimplePort,
    /// The simple variant cannot take `-4`/`-6`.
    #[error("ssh variant 'simple' does not support -{0}")]
    SimpleFamily(u8),
    /// `protocol.version` has a value git does not know.
    #[error("unknown value for config 'protocol.version': {0}")]
    ProtocolVersion(String),
}

/// The ssh command git will run for one push URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshInvocation {
    /// The command text (`ssh`, `ssh -o X=1`, `/path/to/plink`).
    pub command: String,
    /// True when git runs it through `/bin/sh -c '<command> "$@"'`.
    pub use_shell: bool,
    /// Where the command came from.
    pub source: SshSource,
    /// The variant git uses.
    pub variant: Variant,
    /// The options git adds before the host (`-p 7999`, `-4`…); for `Auto`,
    /// the OpenSSH ones git uses for its `-G` probe.
    pub options: Vec<String>,
    /// The host argument: `[user@]host`.
    pub host_arg: String,
    /// The remote command: `git-receive-pack '<path>'`.
    pub remote_command: String,
    /// The port from the URL.
    pub port: Option<String>,
    /// The address family asked for.
    pub family: IpFamily,
    /// True when protocol.version=1 (git then adds `-o SendEnv=GIT_PROTOCOL`).
    pub protocol_v1: bool,
}

impl SshInvocation {
    /// The argv git executes for the push (after any `sh -c` wrapping).
    pub fn push_argv(&self) -> Vec<String> {
        let mut args = self.options.clone();
        args.push(self.host_arg.clone());
        args.push(self.remote_command.clone());
        self.wrap(args)
    }

    /// The argv of git's variant probe `<ssh> -G [OpenSSH options] [user@]host`
    /// (after any `sh -c` wrapping); for OpenSSH it prints the effective config.
    pub fn probe_argv(&self) -> Vec<String> {
        let mut args = vec!["-G".to_string()];
        args.extend(options(
            Variant::OpenSsh,
            self.port.as_deref(),
            self.family,
            self.protocol_v1,
        ));
        args.push(self.host_arg.clone());
        self.wrap(args)
    }

    /// The invocation git settles on after its probe for `Auto`: OpenSSH when
    /// the probe exits 0, else simple (which may make git die). Others unchanged.
    pub fn after_probe(&self, probe_succeeded: bool) -> Result<SshInvocation, InvocationError> {
        if self.variant != Variant::Auto {
            return Ok(self.clone());
        }
        let variant = if probe_succeeded {
            Variant::OpenSsh
        } else {
            Variant::Simple
        };
        check_simple(variant, self.port.as_deref(), self.family)?;
        Ok(SshInvocation {
            variant,
            options: options(variant, self.port.as_deref(), self.family, self.protocol_v1),
            ..self.clone()
        })
    }

    /// run-command.c: a command with shell metacharacters runs as
    /// `/bin/sh -c '<cmd> "$@"' '<cmd>' args…`, otherwise directly.
    fn wrap(&self, args: Vec<String>) -> Vec<String> {
        const META: &[char] = &[
            '|', '&', ';', '<', '>', '(', ')', '$', '`', '\\', '"', '\'', ' ', '\t', '\n', '*',
            '?', '[', '#', '~', '=', '%',
        ];
        let mut argv = Vec::with_capacity(args.len() + 4);
        if self.use_shell && self.command.contains(META) {
            argv.push("/bin/sh".to_string());
            argv.push("-c".to_string());
            argv.push(format!("{} \"$@\"", self.command));
        }
        argv.push(self.command.clone());
        argv.extend(args);
        argv
    }
}

/// Works out the ssh invocation for a push to `target`, as git's connect.c does.
///
/// `env` looks up environment variables; `receive_pack` is the remote program
/// (`git-receive-pack` unless `remote.<name>.receivepack` says otherwise);
/// `family` is `git push -4/-6`, which a hook cannot see (pass `Any`).
pub fn ssh_invocation(
    target: &SshTarget,
    cfg: &GitConfig,
    env: &dyn Fn(&str) -> Option<String>,
    receive_pack: &str,
    family: IpFamily,
) -> Result<SshInvocation, InvocationError> {
    let host_arg = target.user_and_host();
    if host_arg.starts_with('-') {
        return Err(InvocationError::StrangeHostname(host_arg));
    }
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
    let configured = env("GIT_SSH_VARIANT").or_else(|| cfg.get("ssh.variant").map(str::to_string));
    let variant = match configured.as_deref() {
        Some("auto") | None => variant_from_name(&command, use_shell),
        Some("plink") => Variant::Plink,
        Some("putty") => Variant::Putty,
        Some("tortoiseplink") => Variant::TortoisePlink,
        Some("simple") => Variant::Simple,
        Some(_) => Variant::OpenSsh,
    };
    // Push over v2 falls back to v0; only v1 is announced to ssh.
    let version = match cfg.get("protocol.version") {
        Some(v) => v.to_string(),
        None => env("GIT_TEST_PROTOCOL_VERSION").unwrap_or_else(|| "2".into()),
    };
    let protocol_v1 = match version.as_str() {
        "1" => true,
        "0" | "2" => false,
        _ => return Err(InvocationError::ProtocolVersion(version)),
    };
    check_simple(variant, target.port.as_deref(), family)?;
    let probe_variant = if variant == Variant::Auto {
        Variant::OpenSsh
    } else {
        variant
    };
    Ok(SshInvocation {
        options: options(probe_variant, target.port.as_deref(), family, protocol_v1),
        command,
        use_shell,
        source,
        variant,
        host_arg,
        remote_command: format!("{receive_pack} {}", sq_quote(&target.path)),
        port: target.port.clone(),
        family,
        protocol_v1,
    })
}

/// git dies when the simple variant would need a port or an address family.
fn check_simple(
    variant: Variant,
    port: Option<&str>,
    family: IpFamily,
) -> Result<(), InvocationError> {
    if variant != Variant::Simple {
        return Ok(());
    }
    match family {
        IpFamily::V4 => return Err(InvocationError::SimpleFamily(4)),
        IpFamily::V6 => return Err(InvocationError::SimpleFamily(6)),
        IpFamily::Any => {}
    }
    match port {
        Some(_) => Err(InvocationError::SimplePort),
        None => Ok(()),
    }
}

/// The options git puts before the host, in git's order.
fn options(variant: Variant, port: Option<&str>, family: IpFamily, v1: bool) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if variant == Variant::OpenSsh && v1 {
        out.extend(["-o".into(), "SendEnv=GIT_PROTOCOL".into()]);
    }
    match family {
        IpFamily::V4 => out.push("-4".into()),
        IpFamily::V6 => out.push("-6".into()),
        IpFamily::Any => {}
    }
    if variant == Variant::TortoisePlink {
        out.push("-batch".into());
    }
    if let Some(port) = port {
        let flag = if variant == Variant::OpenSsh {
            "-p"
        } else {
            "-P"
        };
        out.extend([flag.to_string(), port.to_string()]);
    }
    out
}

/// The variant from the program's name: the first word of a command (split as
/// git's `split_cmdline`), or the whole `GIT_SSH` value.
fn variant_from_name(command: &str, is_cmdline: bool) -> Variant {
    let program = if is_cmdline {
        match first_word(command) {
            Some(w) => w,
            None => return Variant::Auto,
        }
    } else {
        command.to_string()
    };
    match basename(&program).to_ascii_lowercase().as_str() {
        "ssh" | "ssh.exe" => Variant::OpenSsh,
        "plink" | "plink.exe" => Variant::Plink,
        "tortoiseplink" | "tortoiseplink.exe" => Variant::TortoisePlink,
        _ => Variant::Auto,
    }
}

/// The first word as git's `split_cmdline` yields it, or `None` when the
/// line has an unclosed quote or ends in a backslash.
fn first_word(line: &str) -> Option<String> {
    let mut words = vec![String::new()];
    let mut quote: Option<char> = None;
    let mut chars = line.chars().peekable();
    let space = |c: char| matches!(c, ' ' | '\t' | '\n' | '\r');
    while let Some(c) = chars.next() {
        if quote.is_none() && space(c) {
            while chars.peek().is_some_and(|&n| space(n)) {
                chars.next();
            }
            words.push(String::new());
        } else if quote.is_none() && (c == '\'' || c == '"') {
            quote = Some(c);
        } else if Some(c) == quote {
            quote = None;
        } else {
            let c = if c == '\\' && quote != Some('\'') {
                chars.next()?
            } else {
                c
            };
            words.last_mut()?.push(c);
        }
    }
    if quote.is_some() {
        return None;
    }
    words.into_iter().next()
}

/// POSIX `basename`: trailing slashes dropped; `""` is `.`, all slashes is `/`.
fn basename(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".into();
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed).to_string()
}

/// git's `sq_quote`: wrap in `'…'`, with `'` and `!` written as `'\''` and `'\!'`.
pub fn sq_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        if c == '\'' || c == '!' {
            out.push('\'');
            out.push('\\');
            out.push(c);
            out.push('\'');
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_git() {
        assert_eq!(first_word("  x"), Some(String::new()));
        assert_eq!(first_word("'/a b/ssh' -v"), Some("/a b/ssh".into()));
        assert_eq!(first_word("a\\ b c"), Some("a b".into()));
        assert_eq!(first_word("'a"), None);
        assert_eq!(first_word("a\\"), None);
        assert_eq!(basename("/usr/bin/plink/"), "plink");
        assert_eq!(variant_from_name("PLINK.EXE -x", true), Variant::Plink);
        assert_eq!(variant_from_name("/a/ssh -v", false), Variant::Auto);
        assert_eq!(sq_quote("a'b!c"), "'a'\\''b'\\!'c'");
    }
}
