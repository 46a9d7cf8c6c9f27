//! Which saved session a PuTTY tool's command line loads, read the way
//! PuTTY 0.83's `cmdline.c` (`cmdline_process_param`) and the plink main loops
//! (`unix/plink.c`, `windows/plink.c`) walk it, with TortoiseGitPlink's
//! additions (TortoiseGit `src/TortoisePlink/CMDLINE.C`, `Windows/plink.c`).

use super::Unreadable;

/// A PuTTY tool git may run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    /// `plink`: the host argument may name a saved session.
    Plink,
    /// `putty`, the GUI: its host argument never names a session.
    Putty,
    /// TortoiseGitPlink (TortoisePlink): plink plus `-p`, `-o SendEnv=…`, `--`.
    TortoisePlink,
}

impl Tool {
    /// The tool a program's file name names (`plink`, `PLINK.EXE`,
    /// `TortoiseGitPlink.exe`, `tortoiseplink`…), ignoring case and `.exe`.
    pub fn from_program(basename: &str) -> Option<Tool> {
        let lower = basename.to_ascii_lowercase();
        let stem = lower.strip_suffix(".exe").unwrap_or(&lower);
        match stem {
            "plink" => Some(Tool::Plink),
            "putty" => Some(Tool::Putty),
            "tortoiseplink" | "tortoisegitplink" => Some(Tool::TortoisePlink),
            _ => None,
        }
    }

    /// The tool as people name it: `plink`, `PuTTY`, `TortoiseGitPlink`.
    pub fn name(self) -> &'static str {
        match self {
            Tool::Plink => "plink",
            Tool::Putty => "PuTTY",
            Tool::TortoisePlink => "TortoiseGitPlink",
        }
    }

    /// The tool as JSON names it: `plink`, `putty`, `tortoiseplink` (git's variant names).
    pub fn id(self) -> &'static str {
        match self {
            Tool::Plink => "plink",
            Tool::Putty => "putty",
            Tool::TortoisePlink => "tortoiseplink",
        }
    }
}

/// The session whose settings the tool runs with, as its command line decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// `-load NAME` (the last one): that session, whether or not it exists.
    Load(String),
    /// The session named like the host argument (after `user@` and a protocol
    /// prefix) if it exists and has a host name; otherwise "Default Settings".
    HostOrDefault(String),
    /// "Default Settings", loaded before the command line is read.
    Default,
}

/// PuTTY's options that take a value (`RETURN(2)` in cmdline.c).
const WITH_VALUE: &[&str] = &[
    "-load",
    "-l",
    "-loghost",
    "-hostkey",
    "-L",
    "-R",
    "-D",
    "-nc",
    "-m",
    "-P",
    "-pw",
    "-pwfile",
    "-i",
    "-cert",
    "-sercfg",
    "-sessionlog",
    "-sshlog",
    "-sshrawlog",
    "-proxycmd",
];

/// PuTTY's options without a value (`RETURN(1)` in cmdline.c, and plink's own).
const FLAGS: &[&str] = &[
    "-v",
    "-agent",
    "-pagent",
    "-pageant",
    "-noagent",
    "-nopagent",
    "-nopageant",
    "-no-trivial-auth",
    "-share",
    "-noshare",
    "-A",
    "-a",
    "-X",
    "-x",
    "-t",
    "-T",
    "-N",
    "-C",
    "-1",
    "-2",
    "-4",
    "-ipv4",
    "-6",
    "-ipv6",
    "-logoverwrite",
    "-logappend",
    "-batch",
    "-legacy-stdio-prompts",
    "-legacy_stdio_prompts",
    "-legacy-charset-handling",
    "-legacy_charset_handling",
    "-restrict-acl",
    "-restrict_acl",
    "-restrictacl",
    // plink.c
    "-s",
    "-shareexists",
    "-sanitise-stdout",
    "-sanitize-stdout",
    "-no-sanitise-stdout",
    "-no-sanitize-stdout",
    "-sanitise-stderr",
    "-sanitize-stderr",
    "-no-sanitise-stderr",
    "-no-sanitize-stderr",
    "-no-antispoof",
];

/// The protocol names plink knows (backend ids): `-ssh`, and `ssh,host`.
const PROTOCOLS: &[&str] = &[
    "ssh",
    "ssh-connection",
    "telnet",
    "rlogin",
    "supdup",
    "raw",
    "serial",
];

/// Reads the arguments `args` (after the program name) as `tool` does, up to
/// the host argument, and says which session supplies the settings.
///
/// Values of options are skipped unread (`-pw` holds a password). What makes
/// the tool stop or read its settings elsewhere is "cannot tell".
pub fn choose_session(tool: Tool, args: &[String]) -> Result<Choice, Unreadable> {
    let stop = |why: String| Err(Unreadable::CommandLine(why));
    let mut load: Option<&str> = None;
    let mut only_hosts = false;
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        i += 1;
        let a = arg.as_str();
        if tool == Tool::TortoisePlink && a == "--" && !only_hosts {
            only_hosts = true;
            continue;
        }
        if only_hosts || !a.starts_with('-') {
            return host_choice(tool, a, load);
        }
        let takes_value = WITH_VALUE.contains(&a)
            || (tool == Tool::TortoisePlink && matches!(a, "-p" | "-o" | "-preconnectcommand"));
        if takes_value {
            let Some(value) = args.get(i) else {
                return stop(format!("option {a} needs a value"));
            };
            i += 1;
            if a == "-load" {
                load = Some(value);
            } else if a == "-o" && !value.eq_ignore_ascii_case("SendEnv=GIT_PROTOCOL") {
                return stop(format!("TortoiseGitPlink rejects -o {value}"));
            }
            continue;
        }
        let protocol = a.strip_prefix('-').is_some_and(|p| PROTOCOLS.contains(&p));
        if protocol || FLAGS.contains(&a) {
            continue;
        }
        return match a {
            // Unix plink: an X-resource-style setting that can override what
            // sessions say; PuTTY's handling of it is broken in 0.83.
            "-o" => stop("plink -o sets session values from the command line".into()),
            "-V" | "--version" | "--help" | "-pgpfp" => {
                stop(format!("{a} exits without connecting"))
            }
            _ => stop(format!("unknown option {a}")),
        };
    }
    match load {
        // `-load` with no host argument: plink connects to the session's host.
        Some(name) => Ok(Choice::Load(name.to_string())),
        None => stop("no host argument".into()),
    }
}

/// The host argument `arg`, read as cmdline.c does once options are past.
fn host_choice(tool: Tool, arg: &str, load: Option<&str>) -> Result<Choice, Unreadable> {
    if let Some(name) = load {
        return Ok(Choice::Load(name.to_string()));
    }
    if arg.starts_with("telnet:") {
        return Err(Unreadable::CommandLine(
            "a telnet: host argument selects telnet".into(),
        ));
    }
    if tool == Tool::Putty {
        return Ok(Choice::Default);
    }
    let mut host = arg;
    if let Some((prefix, rest)) = arg.split_once(',') {
        if !PROTOCOLS.contains(&prefix) {
            return Err(Unreadable::CommandLine(format!(
                "plink rejects the protocol prefix {prefix:?}"
            )));
        }
        host = rest;
    }
    // Only for tools whose host argument can be a session: `user@` goes.
    let name = host.rsplit_once('@').map_or(host, |(_, h)| h);
    Ok(Choice::HostOrDefault(name.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choose(tool: Tool, args: &[&str]) -> Result<Choice, Unreadable> {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        choose_session(tool, &args)
    }

    // git's connect.c push_ssh_options: plink gets `[-4|-6] [-batch] [-P port]
    // [user@]host command`; the rest is what GIT_SSH_COMMAND adds in front.
    #[test]
    fn the_host_argument_names_the_session() {
        assert_eq!(
            choose(
                Tool::Plink,
                &["-P", "7999", "git@host", "git-receive-pack 'p'"]
            ),
            Ok(Choice::HostOrDefault("host".into()))
        );
        assert_eq!(
            choose(Tool::TortoisePlink, &["-batch", "-p", "22", "a@b@h", "cmd"]),
            Ok(Choice::HostOrDefault("h".into()))
        );
        // cmdline.c: an `ssh,` prefix picks the protocol, the rest is the host.
        assert_eq!(
            choose(Tool::Plink, &["ssh,me@h", "cmd"]),
            Ok(Choice::HostOrDefault("h".into()))
        );
        assert!(choose(Tool::Plink, &["bogus,h", "cmd"]).is_err());
    }

    // cmdline.c: `-load` loads at once and sets loaded_session, so the host
    // argument is no longer looked up as a session; the last -load wins.
    #[test]
    fn load_wins_over_the_host() {
        assert_eq!(
            choose(Tool::Plink, &["-load", "a", "-v", "-load", "b", "h", "cmd"]),
            Ok(Choice::Load("b".into()))
        );
        assert_eq!(
            choose(Tool::Plink, &["-load", "s"]),
            Ok(Choice::Load("s".into()))
        );
        assert!(choose(Tool::Plink, &["-load"]).is_err());
    }

    // Values are skipped, never read as the host: `-pw secret host`.
    #[test]
    fn skips_option_values() {
        assert_eq!(
            choose(
                Tool::Plink,
                &["-pw", "hunter2", "-i", "k.ppk", "-ssh", "h", "c"]
            ),
            Ok(Choice::HostOrDefault("h".into()))
        );
    }

    // windows/putty.c cmdline_tooltype has no TOOLTYPE_HOST_ARG_CAN_BE_SESSION.
    #[test]
    fn putty_gui_never_takes_the_host_as_a_session() {
        assert_eq!(choose(Tool::Putty, &["-P", "22", "h"]), Ok(Choice::Default));
        assert_eq!(
            choose(Tool::Putty, &["-load", "x", "h"]),
            Ok(Choice::Load("x".into()))
        );
    }

    // TortoisePlink CMDLINE.C: -o accepts only SendEnv=GIT_PROTOCOL; `--`
    // ends the options (Windows/plink.c skipFurtherParameters).
    #[test]
    fn tortoise_plink_extras() {
        assert_eq!(
            choose(
                Tool::TortoisePlink,
                &["-o", "SendEnv=GIT_PROTOCOL", "--", "-odd", "c"]
            ),
            Ok(Choice::HostOrDefault("-odd".into()))
        );
        assert!(choose(Tool::TortoisePlink, &["-o", "ServerAliveInterval=5", "h"]).is_err());
        assert!(choose(Tool::Plink, &["-p", "22", "h"]).is_err());
    }

    #[test]
    fn what_stops_plink_is_cannot_tell() {
        for args in [
            &["-o", "PingIntervalSecs:30", "h"][..],
            &["-nosuch", "h"],
            &["-V"],
            &[],
            &["telnet:h"],
        ] {
            assert!(choose(Tool::Plink, args).is_err(), "{args:?}");
        }
    }

    #[test]
    fn names_the_tool_from_the_program() {
        assert_eq!(Tool::from_program("PLINK.EXE"), Some(Tool::Plink));
        assert_eq!(
            Tool::from_program("TortoiseGitPlink.exe"),
            Some(Tool::TortoisePlink)
        );
        assert_eq!(
            Tool::from_program("tortoiseplink"),
            Some(Tool::TortoisePlink)
        );
        assert_eq!(Tool::from_program("putty.exe"), Some(Tool::Putty));
        assert_eq!(Tool::from_program("ssh.exe"), None);
        assert_eq!(Tool::from_program("plink.exe.bak"), None);
    }
}
