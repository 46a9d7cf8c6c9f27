//! Which ssh program git runs for a push, its variant, and its exact argv.
//!
//! Hand-written after git 2.47's connect.c (command choice, variant, options)
//! and run-command.c (when a command string goes through `/bin/sh -c`): no
//! library models this, and the argv must equal git's for the ssh options we
//! resolve to be the ones ssh will use.
//!
//! Git for Windows differs in two places, both taken as a `Platform`: the
//! program's name is cut with `gitbasename` (compat/basename.c: `\` and `/`
//! separate, a drive prefix goes), and the shell is the `sh` found in `PATH`
//! (run-command.c `git_shell_path`; Git's own `usr\bin\sh.exe`), so a
//! backslash in `core.sshCommand` is a shell escape there too.

use super::{GitConfig, SshTarget};
use crate::platform::Platform;

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
        self.push_argv_on(Platform::HOST)
    }

    /// The push argv as git on `platform` builds it.
    pub fn push_argv_on(&self, platform: Platform) -> Vec<String> {
        let mut args = self.options.clone();
        args.push(self.host_arg.clone());
        args.push(self.remote_command.clone());
        self.wrap(args, platform)
    }

    /// The argv of git's variant probe `<ssh> -G [OpenSSH options] [user@]host`
    /// (after any `sh -c` wrapping); for OpenSSH it prints the effective config.
    pub fn probe_argv(&self) -> Vec<String> {
        self.probe_argv_on(Platform::HOST)
    }

    /// The probe argv as git on `platform` builds it.
    pub fn probe_argv_on(&self, platform: Platform) -> Vec<String> {
        let mut args = vec!["-G".to_string()];
        args.extend(options(
            Variant::OpenSsh,
            self.port.as_deref(),
            self.family,
            self.protocol_v1,
        ));
        args.push(self.host_arg.clone());
        self.wrap(args, platform)
    }

    /// The file name of the program git runs (the first word of a command,
    /// as split_cmdline reads it; all of `GIT_SSH`), cut as git on
    /// `platform` cuts it. It says what the program reads — a
    /// `TortoiseGitPlink.exe` reads PuTTY sessions whatever the variant.
    pub fn program_name(&self, platform: Platform) -> Option<String> {
        program_name(&self.command, self.use_shell, platform)
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
    /// `/bin/sh -c '<cmd> "$@"' '<cmd>' args…`, otherwise directly; on
    /// Windows the shell is the `sh` in `PATH`.
    fn wrap(&self, args: Vec<String>, platform: Platform) -> Vec<String> {
        const META: &[char] = &[
            '|', '&', ';', '<', '>', '(', ')', '$', '`', '\\', '"', '\'', ' ', '\t', '\n', '*',
            '?', '[', '#', '~', '=', '%',
        ];
        let mut argv = Vec::with_capacity(args.len() + 4);
        if self.use_shell && self.command.contains(META) {
            argv.push(shell(platform).to_string());
            argv.push("-c".to_string());
            argv.push(format!("{} \"$@\"", self.command));
        }
        argv.push(self.command.clone());
        argv.extend(args);
        argv
    }
}

/// The shell git runs command strings with: `SHELL_PATH`, or on Windows
/// the `sh` it locates in `PATH` (Git for Windows' bash).
pub fn shell(platform: Platform) -> &'static str {
    match platform {
        Platform::Unix => "/bin/sh",
        Platform::Windows => "sh",
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
    ssh_invocation_on(target, cfg, env, receive_pack, family, Platform::HOST)
}

/// `ssh_invocation` as git on `platform` works it out.
pub fn ssh_invocation_on(
    target: &SshTarget,
    cfg: &GitConfig,
    env: &dyn Fn(&str) -> Option<String>,
    receive_pack: &str,
    family: IpFamily,
    platform: Platform,
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
        Some("auto") | None => variant_from_name(&command, use_shell, platform),
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
/// git's `split_cmdline`), or the whole `GIT_SSH` value; `strcasecmp`
/// against `ssh`, `plink`, `tortoiseplink`, each with or without `.exe`.
fn variant_from_name(command: &str, is_cmdline: bool, platform: Platform) -> Variant {
    let Some(program) = program_name(command, is_cmdline, platform) else {
        return Variant::Auto;
    };
    match program.to_ascii_lowercase().as_str() {
        "ssh" | "ssh.exe" => Variant::OpenSsh,
        "plink" | "plink.exe" => Variant::Plink,
        "tortoiseplink" | "tortoiseplink.exe" => Variant::TortoisePlink,
        _ => Variant::Auto,
    }
}

/// The basename of the program in `command` (`None`: split_cmdline fails).
fn program_name(command: &str, is_cmdline: bool, platform: Platform) -> Option<String> {
    let program = if is_cmdline {
        first_word(command)?
    } else {
        command.to_string()
    };
    Some(match platform {
        Platform::Unix => basename(&program),
        Platform::Windows => win_basename(&program),
    })
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

/// compat/basename.c `gitbasename` (Git for Windows): a drive prefix goes,
/// `/` and `\\` both separate, trailing separators are dropped; `""` is `.`.
fn win_basename(path: &str) -> String {
    let b = path.as_bytes();
    // compat/win32/path-utils.c: a drive is one ASCII byte, or one UTF-8
    // character, before a colon.
    let drive = if b.first().is_some_and(|c| c & 0x80 == 0) {
        if b.len() >= 2 && b[1] == b':' { 2 } else { 0 }
    } else {
        let n = b
            .iter()
            .skip(1)
            .take(3)
            .take_while(|c| *c & 0x80 != 0)
            .count()
            + 1;
        if b.get(n) == Some(&b':') { n + 1 } else { 0 }
    };
    let rest = &path[drive..];
    if rest.is_empty() {
        return ".".into();
    }
    let trimmed = rest.trim_end_matches(['/', '\\']);
    if trimmed.is_empty() {
        // gitbasename keeps the first separator of an all-separator path.
        return rest[..1].to_string();
    }
    trimmed
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(trimmed)
        .to_string()
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
        let unix = Platform::Unix;
        assert_eq!(
            variant_from_name("PLINK.EXE -x", true, unix),
            Variant::Plink
        );
        assert_eq!(variant_from_name("/a/ssh -v", false, unix), Variant::Auto);
        assert_eq!(sq_quote("a'b!c"), "'a'\\''b'\\!'c'");
    }

    // compat/basename.c gitbasename with compat/win32/path-utils.h
    // is_dir_sep ('/' or '\\') and win32_has_dos_drive_prefix.
    #[test]
    fn windows_basename() {
        for (path, base) in [
            (r"C:\Program Files\PuTTY\plink.exe", "plink.exe"),
            ("C:/x/TortoiseGitPlink.exe", "TortoiseGitPlink.exe"),
            ("C:plink", "plink"),
            ("C:", "."),
            ("", "."),
            (r"a\b\\", "b"),
            ("///", "/"),
            ("é:ssh", "ssh"),
        ] {
            assert_eq!(win_basename(path), base, "{path}");
        }
        assert_eq!(basename(r"C:\PuTTY\plink.exe"), r"C:\PuTTY\plink.exe");
    }

    fn invocation_on(
        env: &[(&str, &str)],
        cfg: &[(&str, &str)],
        platform: Platform,
    ) -> SshInvocation {
        let cfg = GitConfig::from_pairs(cfg.iter().copied());
        let target = SshTarget {
            user: Some("git".into()),
            host: "h".into(),
            port: Some("2222".into()),
            path: "r".into(),
        };
        let env = |k: &str| {
            env.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        };
        match ssh_invocation_on(
            &target,
            &cfg,
            &env,
            "git-receive-pack",
            IpFamily::Any,
            platform,
        ) {
            Ok(inv) => inv,
            Err(e) => panic!("{e}"),
        }
    }

    // connect.c determine_ssh_variant: basename() of GIT_SSH, strcasecmp
    // with "plink"/"plink.exe"; on Windows basename is gitbasename.
    #[test]
    fn git_ssh_with_a_windows_path() {
        let env = [("GIT_SSH", r"C:\Program Files\PuTTY\PLINK.EXE")];
        let win = invocation_on(&env, &[], Platform::Windows);
        assert_eq!(
            (win.variant, win.options.as_slice()),
            (Variant::Plink, &["-P".to_string(), "2222".to_string()][..])
        );
        assert_eq!(
            win.program_name(Platform::Windows).as_deref(),
            Some("PLINK.EXE")
        );
        assert_eq!(
            invocation_on(&env, &[], Platform::Unix).variant,
            Variant::Auto
        );
    }

    // alias.c split_cmdline: a backslash outside single quotes escapes the
    // next byte, so `"C:\Program Files\…"` loses its separators before
    // basename sees it (sh keeps them in double quotes: the command still
    // runs, but git probes it with -G); single quotes or `/` keep them.
    #[test]
    fn backslashes_in_ssh_command_on_windows() {
        let win = Platform::Windows;
        let variant = |cmd: &str| invocation_on(&[], &[("core.sshCommand", cmd)], win).variant;
        assert_eq!(
            variant(r#""C:\Program Files\PuTTY\plink.exe" -batch"#),
            Variant::Auto
        );
        assert_eq!(
            variant(r"'C:\Program Files\PuTTY\plink.exe' -batch"),
            Variant::Plink
        );
        assert_eq!(variant(r"C:\\PuTTY\\plink.exe"), Variant::Plink);
        assert_eq!(variant("C:/PuTTY/plink.exe -v"), Variant::Plink);
        assert_eq!(variant("tortoiseplink"), Variant::TortoisePlink);
        // TortoiseGit's program is not a name git knows (TortoiseGit sets
        // GIT_SSH_VARIANT=ssh, src/Git/Git.cpp).
        assert_eq!(
            variant(r"'C:\TortoiseGit\bin\TortoiseGitPlink.exe'"),
            Variant::Auto
        );
        let inv = invocation_on(
            &[],
            &[("core.sshCommand", r"'C:\T\TortoiseGitPlink.exe' -v")],
            win,
        );
        assert_eq!(
            inv.program_name(win).as_deref(),
            Some("TortoiseGitPlink.exe")
        );
    }

    // run-command.c prepare_shell_cmd: git_shell_path() is SHELL_PATH, or on
    // GIT_WINDOWS_NATIVE locate_in_PATH("sh").
    #[test]
    fn shell_command_on_windows_runs_through_sh() {
        let inv = invocation_on(
            &[],
            &[("core.sshCommand", "plink -load s")],
            Platform::Windows,
        );
        let argv = inv.push_argv_on(Platform::Windows);
        assert_eq!(
            &argv[..4],
            ["sh", "-c", "plink -load s \"$@\"", "plink -load s"]
        );
        assert_eq!(inv.push_argv_on(Platform::Unix)[0], "/bin/sh");
        assert_eq!(&inv.probe_argv_on(Platform::Windows)[..2], ["sh", "-c"]);
    }
}
