//! The command line as typed: subcommands and their arguments (clap), and
//! nothing else; `run` turns them into work.

use std::ffi::OsString;
use std::path::Path;

use clap::parser::ValueSource;
use clap::{Arg, ArgAction, ArgMatches, Parser, Subcommand, ValueEnum};

/// `pushguard` and its subcommand.
#[derive(Debug, Parser)]
#[command(
    name = "pushguard",
    version,
    about = "Stops a large git push over SSH from dying on an idle timeout"
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Cmd,
}

impl Cli {
    /// Parses argv (program name first); run under the hook's name
    /// `pre-push`, the subcommand is `pre-push`.
    pub fn from_argv(args: impl IntoIterator<Item = OsString>) -> Result<Cli, clap::Error> {
        let mut args: Vec<OsString> = args.into_iter().collect();
        let as_hook = args
            .first()
            .and_then(|a| Path::new(a).file_name())
            .is_some_and(|n| n == "pre-push");
        if as_hook {
            args.insert(1, "pre-push".into());
        }
        Cli::try_parse_from(args)
    }
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people.
    Text,
    /// For scripts (docs/json.md).
    Json,
}

/// Which ssh build's defaults `resolve` applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FlavourArg {
    /// The `ssh` on `PATH` decides.
    Auto,
    /// Debian's patches (e.g. BatchMode implies a keepalive).
    Debian,
    /// Upstream OpenSSH.
    Openbsd,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Git's pre-push hook: judge the push on stdin (also when run as `pre-push`).
    PrePush {
        /// The remote's name, or the URL as typed.
        remote: String,
        /// The URL git pushes to.
        url: String,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Dry run: what would the hook say if you pushed now?
    Check {
        /// Remote name or URL (default: the current branch's push remote).
        remote: Option<String>,
        /// What to push (default: the current branch to its namesake);
        /// patterns (`refs/heads/*:refs/heads/*`) and `^` exclusions as in git.
        refspecs: Vec<String>,
        /// Every branch, as `git push --all` (`--branches`).
        #[arg(long, visible_alias = "branches")]
        all: bool,
        /// Every tag, as `git push --tags`.
        #[arg(long)]
        tags: bool,
        /// Every ref, as `git push --mirror` (deletions send nothing and are not listed).
        #[arg(long)]
        mirror: bool,
        /// Read hook-format lines from stdin instead of refspecs.
        #[arg(long)]
        stdin: bool,
        /// Resolve ssh options even when the push is small.
        #[arg(long)]
        ssh: bool,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Prints the effective ssh options for a destination, like `ssh -G`,
    /// from pushguard's own resolver (options apply in argv order, as in ssh).
    #[command(
        override_usage = "pushguard resolve [-F configfile] [-o option] [-p port] [-l login_name] [-J destination] [-i identity_file] [-4|-6] [--exec] [--explain] [--format text|json] [--flavour auto|debian|openbsd] <destination>"
    )]
    Resolve(ResolveArgs),
    /// Writes the pre-push hook into this repository (honours core.hooksPath;
    /// an existing hook is kept and runs first).
    Install,
    /// Removes pushguard's pre-push hook and restores the one it chained.
    Uninstall,
}

/// `pushguard resolve`: pushguard's own flags and the ssh arguments.
#[derive(Debug, clap::Args)]
pub struct ResolveArgs {
    /// Run `Match exec` commands (as ssh does) instead of treating them as unknown.
    #[arg(long)]
    pub exec: bool,
    /// Show where every value came from, and the keepalive lines that lost.
    #[arg(long)]
    pub explain: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Which ssh build's defaults apply.
    #[arg(long, value_enum, default_value = "auto")]
    pub flavour: FlavourArg,
    /// The ssh options and the destination.
    #[command(flatten)]
    pub ssh: SshArgs,
}

/// The ssh options and destination given to `resolve`, as ssh words in the
/// order typed: ssh applies command-line options in that order, and
/// `ResolveRequest::from_ssh_args` reads them as ssh's getopt does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SshArgs(pub Vec<String>);

/// The ssh options `resolve` takes: id, letter, value name (none for a
/// flag), help.
const SSH_OPTIONS: [(&str, char, Option<&str>, &str); 8] = [
    (
        "ssh-F",
        'F',
        Some("configfile"),
        "Config file instead of the user and system files (`none`: no file)",
    ),
    ("ssh-o", 'o', Some("option"), "An option line, as `ssh -o`"),
    ("ssh-p", 'p', Some("port"), "Port"),
    ("ssh-l", 'l', Some("login_name"), "Login name"),
    ("ssh-J", 'J', Some("destination"), "Jump host(s)"),
    ("ssh-i", 'i', Some("identity_file"), "Identity file"),
    ("ssh-4", '4', None, "IPv4 only"),
    ("ssh-6", '6', None, "IPv6 only"),
];

/// The destination's argument id.
const DESTINATION: &str = "destination";

impl clap::Args for SshArgs {
    fn augment_args(mut cmd: clap::Command) -> clap::Command {
        for (id, letter, value, help) in SSH_OPTIONS {
            let arg = Arg::new(id).short(letter).help(help);
            cmd = cmd.arg(match value {
                Some(name) => arg.value_name(name).action(ArgAction::Append),
                None => arg.action(ArgAction::Count),
            });
        }
        cmd.arg(
            Arg::new(DESTINATION)
                .required(true)
                .value_name("destination")
                .help("`[user@]host` or `ssh://[user@]host[:port]`"),
        )
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }
}

impl clap::FromArgMatches for SshArgs {
    fn from_arg_matches(m: &ArgMatches) -> Result<Self, clap::Error> {
        // Each word with the index clap saw it at, to restore argv order.
        let mut words: Vec<(usize, Vec<String>)> = Vec::new();
        for (id, letter, value, _) in SSH_OPTIONS {
            if m.value_source(id) != Some(ValueSource::CommandLine) {
                continue;
            }
            let flag = format!("-{letter}");
            match value {
                Some(_) => {
                    let values = m.get_many::<String>(id).into_iter().flatten();
                    let at = m.indices_of(id).into_iter().flatten();
                    words.extend(
                        at.zip(values)
                            .map(|(i, v)| (i, vec![flag.clone(), v.clone()])),
                    );
                }
                // A repeated flag counts once, at its last place: it assigns.
                None => words.extend(m.index_of(id).map(|i| (i, vec![flag]))),
            }
        }
        if let (Some(i), Some(d)) = (m.index_of(DESTINATION), m.get_one::<String>(DESTINATION)) {
            words.push((i, vec![d.clone()]));
        }
        words.sort_by_key(|(i, _)| *i);
        Ok(SshArgs(words.into_iter().flat_map(|(_, w)| w).collect()))
    }

    fn update_from_arg_matches(&mut self, m: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(m)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<Cli, clap::Error> {
        Cli::from_argv(line.split(' ').map(OsString::from))
    }

    fn resolve(line: &str) -> ResolveArgs {
        match parse(line).unwrap().command {
            Cmd::Resolve(r) => r,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn resolve_keeps_ssh_words_in_order_and_takes_its_own_flags_anywhere() {
        let r = resolve("pushguard resolve -F c --explain -o Port=1 -p 2 h");
        assert!(r.explain && !r.exec);
        assert_eq!(r.ssh.0, ["-F", "c", "-o", "Port=1", "-p", "2", "h"]);
        let r = resolve("pushguard resolve -p 2 -o Port=1 --format json --exec h");
        assert_eq!((r.format, r.exec), (Format::Json, true));
        assert_eq!(r.ssh.0, ["-p", "2", "-o", "Port=1", "h"]);
        // Options after the destination stay after it, as ssh reads them.
        let r = resolve("pushguard resolve b@h -l a --flavour debian");
        assert_eq!(r.flavour, FlavourArg::Debian);
        assert_eq!(r.ssh.0, ["b@h", "-l", "a"]);
        let r = resolve("pushguard resolve -4 -6 -J j1 -i k -oUser=git -i l h");
        assert_eq!(
            r.ssh.0,
            [
                "-4", "-6", "-J", "j1", "-i", "k", "-o", "User=git", "-i", "l", "h"
            ]
        );
        let r = resolve("pushguard resolve -6 -4 h");
        assert_eq!(r.ssh.0, ["-6", "-4", "h"]);
    }

    #[test]
    fn usage_errors_and_the_hook_name() {
        assert!(
            parse("pushguard resolve").is_err(),
            "a destination is required"
        );
        assert!(parse("pushguard resolve -x h").is_err());
        assert!(parse("pushguard resolve --flavour bsd h").is_err());
        let cli = parse("/usr/bin/pre-push origin ssh://h/p").unwrap();
        assert!(matches!(cli.command, Cmd::PrePush { ref remote, .. } if remote == "origin"));
        let cli = parse("pushguard check --ssh --format json origin main").unwrap();
        let Cmd::Check {
            remote,
            refspecs,
            ssh,
            format,
            stdin,
            all,
            ..
        } = cli.command
        else {
            panic!()
        };
        assert_eq!(remote.as_deref(), Some("origin"));
        assert_eq!(refspecs, ["main"]);
        assert!(ssh && !stdin && !all && format == Format::Json);
        let cli = parse("pushguard check --branches --tags origin").unwrap();
        assert!(matches!(
            cli.command,
            Cmd::Check {
                all: true,
                tags: true,
                mirror: false,
                ..
            }
        ));
    }
}
