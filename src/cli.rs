//! The command line as typed: subcommands and their arguments (clap), and
//! nothing else; `run` turns them into work.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

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

/// `--flavour`, kept as an alias of `--profile` (see docs/resolve.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FlavourArg {
    /// The `ssh` on `PATH` decides (the default).
    Auto,
    /// `--profile 9.2p1-debian-deb12u10`.
    Debian,
    /// `--profile 9.2p1`.
    Openbsd,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Git's pre-push hook: judge the push on stdin (also when run as `pre-push`).
    /// Without arguments (a pre-commit or prek hook), the push is read from
    /// the PRE_COMMIT_* variables.
    PrePush {
        /// The remote's name, or the URL as typed.
        #[arg(requires = "url")]
        remote: Option<String>,
        /// The URL git pushes to.
        url: Option<String>,
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
        override_usage = "pushguard resolve [-F configfile] [-o option] [-p port] [-l login_name] [-J destination] [-i identity_file] [-4|-6] [--exec] [--explain] [--format text|json] [--ssh program | --profile release] <destination>\n       pushguard resolve --profiles"
    )]
    Resolve(ResolveArgs),
    /// Writes the pre-push hook into this repository (honours core.hooksPath;
    /// an existing hook is kept and runs first), or where the flags say.
    Install(InstallArgs),
    /// Undoes `install` given the same flags: removes pushguard's hook and
    /// settings and restores what it chained.
    Uninstall(InstallArgs),
    /// Which hooks run on push, whether pushguard is among them, and the
    /// ssh, keepalive and settings for every push URL; exit 1 when something
    /// needs fixing.
    Doctor {
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Shows (and with --apply makes) the change that makes the keepalive
    /// effective for a push, proven with ssh -G (docs/fix.md).
    Fix(FixArgs),
}

/// `pushguard fix`: which push, which target, and whether to write.
#[derive(Debug, clap::Args)]
pub struct FixArgs {
    /// The remote (default: the current branch's push remote).
    pub remote: Option<String>,
    /// A host alias as given to ssh, instead of a push.
    #[arg(long, conflicts_with_all = ["remote", "url"])]
    pub host: Option<String>,
    /// The URL git pushes to, instead of a remote.
    #[arg(long, conflicts_with = "remote")]
    pub url: Option<String>,
    /// What to change (default: where the value that wins can be beaten).
    #[arg(long, value_enum)]
    pub target: Option<FixTarget>,
    /// git config: change the user's global file, not the repository's.
    #[arg(long)]
    pub global: bool,
    /// Make the change (otherwise it is only shown).
    #[arg(long)]
    pub apply: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

/// What `fix` changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FixTarget {
    /// The ssh config file ssh reads for the host.
    SshConfig,
    /// git's core.sshCommand.
    GitConfig,
}

/// Where `install` and `uninstall` work (docs/install.md).
#[derive(Debug, Clone, Default, PartialEq, Eq, clap::Args)]
pub struct InstallArgs {
    /// A hooks folder: committed to this repository (sets the local
    /// core.hooksPath), or with --global a user-wide one.
    #[arg(long, value_name = "DIR")]
    pub hooks_path: Option<PathBuf>,
    /// A hook defined in git config (hook.pushguard.command; git 2.54 or later).
    #[arg(long, conflicts_with = "hooks_path")]
    pub config_hook: bool,
    /// User-wide: the config hook in the global config (git 2.54 or
    /// later); on older git only with --hooks-path DIR.
    #[arg(long, conflicts_with = "local")]
    pub global: bool,
    /// With --config-hook: this repository's config (the default).
    #[arg(long, requires = "config_hook")]
    pub local: bool,
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
    /// Model the ssh that this program is (`ssh -V`, and probes for a
    /// build not modelled); default: the `ssh` on PATH.
    #[arg(long = "ssh", value_name = "program", conflicts_with_all = ["profile", "flavour"])]
    pub ssh_program: Option<String>,
    /// Model this build without running anything (`10.5p1`,
    /// `9.2p1-debian-deb12u10`, `9.9p1-apple`; `--profiles` lists them).
    #[arg(long, value_name = "release", conflicts_with = "flavour")]
    pub profile: Option<String>,
    /// List the modelled ssh builds and exit.
    #[arg(long)]
    pub profiles: bool,
    /// Older spelling of --profile (debian: 9.2p1-debian-deb12u10,
    /// openbsd: 9.2p1, auto: the ssh on PATH).
    #[arg(long, value_enum)]
    pub flavour: Option<FlavourArg>,
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
                .required_unless_present("profiles")
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

    fn install_args(line: &str) -> Result<InstallArgs, clap::Error> {
        match parse(line)?.command {
            Cmd::Install(a) | Cmd::Uninstall(a) => Ok(a),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn install_flags_combine_as_documented() {
        let a = install_args("pushguard install --config-hook --global").unwrap();
        assert!(a.config_hook && a.global && !a.local);
        let a = install_args("pushguard uninstall --global --hooks-path /h").unwrap();
        assert_eq!(a.hooks_path.as_deref(), Some(Path::new("/h")));
        assert!(install_args("pushguard install --local").is_err());
        assert!(install_args("pushguard install --config-hook --hooks-path d").is_err());
        assert!(install_args("pushguard install --config-hook --local --global").is_err());
        assert_eq!(
            install_args("pushguard install").unwrap(),
            InstallArgs::default()
        );
    }

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
        assert_eq!(r.flavour, Some(FlavourArg::Debian));
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
    fn fix_takes_a_remote_a_url_or_a_host() {
        let Cmd::Fix(a) = parse("pushguard fix origin --apply --target git-config --global")
            .unwrap()
            .command
        else {
            panic!()
        };
        assert_eq!(a.remote.as_deref(), Some("origin"));
        assert!(a.apply && a.global && a.target == Some(FixTarget::GitConfig));
        let Cmd::Fix(a) = parse("pushguard fix --host h --format json")
            .unwrap()
            .command
        else {
            panic!()
        };
        assert_eq!((a.host.as_deref(), a.format), (Some("h"), Format::Json));
        assert!(parse("pushguard fix origin --host h").is_err());
        assert!(parse("pushguard fix origin --url ssh://h/p").is_err());
        assert!(parse("pushguard fix --target ssh-config").is_ok());
    }

    #[test]
    fn usage_errors_and_the_hook_name() {
        assert!(
            parse("pushguard resolve").is_err(),
            "a destination is required"
        );
        assert!(parse("pushguard resolve -x h").is_err());
        assert!(parse("pushguard resolve --flavour bsd h").is_err());
        let r = resolve("pushguard resolve --profile 10.5p1 h");
        assert_eq!(r.profile.as_deref(), Some("10.5p1"));
        let r = resolve("pushguard resolve --ssh /opt/ssh -p 2 h");
        assert_eq!(r.ssh_program.as_deref(), Some("/opt/ssh"));
        assert_eq!(r.ssh.0, ["-p", "2", "h"]);
        assert!(resolve("pushguard resolve --profiles").profiles);
        assert!(parse("pushguard resolve --ssh a --profile 9.2p1 h").is_err());
        let cli = parse("/usr/bin/pre-push origin ssh://h/p").unwrap();
        assert!(
            matches!(cli.command, Cmd::PrePush { ref remote, .. } if remote.as_deref() == Some("origin"))
        );
        assert!(matches!(
            parse("pushguard pre-push").unwrap().command,
            Cmd::PrePush {
                remote: None,
                url: None,
                ..
            }
        ));
        assert!(
            parse("pushguard pre-push origin").is_err(),
            "a remote needs its url"
        );
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
