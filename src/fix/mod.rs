//! `pushguard fix`: the smallest change after which the keepalive is
//! effective for a push, made only when asked (`--apply`), written safely,
//! and proven with the real `ssh -G` afterwards (undone when the proof fails).
//! See `docs/fix.md`.
//!
//! - `facts`: the keepalive today (`ssh -G -vvv` through the command git
//!   runs) and where it comes from (the builtin resolver replaying that
//!   run's `Match exec` results), or "cannot tell".
//! - `placement`: where in the ssh config the lines must go to win, for
//!   this host only; `edit`: the bytes of that edit and its diff.
//! - `git_config`: `core.sshCommand` with the keepalive options composed in.
//! - `putty`: the PuTTY session's keepalive for plink, PuTTY, TortoiseGitPlink;
//!   `registry`: a registry session's change, backed up and put back on failure.
//! - `proof`: the prediction before an edit and the proof after it.
//! - `safe_write`: atomic writes with backup, mode, owner, symlinks.
//! - `oneoff`: what the hook and `check` say (the fix command, a one-off push).
//! - `render`: the plan and its outcome as text and JSON.

mod edit;
mod facts;
mod git_config;
mod oneoff;
mod placement;
mod proof;
mod putty;
mod registry;
mod render;
pub mod safe_write;
mod ssh_config;

use std::path::{Path, PathBuf};

pub use oneoff::{PROPOSED_COUNT_MAX, Suggestion, fix_command, suggest};
pub use proof::Proof;
pub use render::{json, text};
pub use safe_write::{WriteError, Writer};

use crate::check::{self, CheckError, Env};
use crate::git::{self, IpFamily, RemoteUrl, SshTarget, Variant};
use crate::plan;
use crate::policy::{self, Reads, keepalive_effective, proposed_interval};
use crate::ssh::Origin;
use edit::Key;

/// What to fix: the push to a remote, to a URL, or a bare host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// A remote (`None`: the current branch's push remote).
    Remote(Option<String>),
    /// The URL git pushes to.
    Url(String),
    /// A host alias, as given to ssh.
    Host(String),
}

/// Which kind of file the fix changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    /// The ssh config ssh reads for the host.
    SshConfig,
    /// git's `core.sshCommand`.
    GitConfig,
}

/// What the user asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// What to fix.
    pub subject: Subject,
    /// The target; `None`: chosen from where the value wins.
    pub target: Option<TargetKind>,
    /// git config: the user's `--global` file.
    pub global: bool,
    /// Write the change (otherwise only show it).
    pub apply: bool,
}

/// How it ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Nothing to do: the keepalive is effective.
    AlreadyEffective,
    /// The change is shown, not made.
    Planned,
    /// Made and proven.
    Applied,
    /// Made, not proven, and undone.
    Restored,
    /// Only the user can make it (a variable of the parent shell, `git -c`…).
    Manual,
    /// No change pushguard can find is right.
    CannotFix,
}

impl Status {
    /// The name in output and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::AlreadyEffective => "already effective",
            Status::Planned => "planned",
            Status::Applied => "applied",
            Status::Restored => "restored",
            Status::Manual => "manual",
            Status::CannotFix => "cannot fix",
        }
    }

    /// True when the run did what was asked.
    pub fn success(self) -> bool {
        matches!(
            self,
            Status::AlreadyEffective | Status::Planned | Status::Applied
        )
    }
}

/// The change, by target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// An ssh config file's edit.
    SshConfig {
        /// The file (as ssh opens it).
        file: PathBuf,
        /// The diff.
        diff: String,
    },
    /// `core.sshCommand`.
    GitConfig {
        /// `local`, `global`…
        scope: String,
        /// The config file.
        file: PathBuf,
        /// The value now.
        old: Option<String>,
        /// The new value.
        new: String,
        /// The `git config` command.
        argv: Vec<String>,
    },
    /// A variable only the user's shell can change.
    Environment {
        /// `GIT_SSH_COMMAND`.
        variable: String,
        /// Its new value.
        value: String,
    },
    /// A PuTTY session file's edit.
    PuttyFile {
        /// The file.
        file: PathBuf,
        /// The diff.
        diff: String,
    },
    /// PuTTY registry values (`reg add` commands).
    PuttyRegistry {
        /// Each command: argv, and as typed in PowerShell and Git Bash.
        commands: Vec<(Vec<String>, Option<String>, String)>,
    },
}

impl Change {
    /// The target's name in output and JSON.
    pub fn target(&self) -> &'static str {
        match self {
            Change::SshConfig { .. } => "ssh-config",
            Change::GitConfig { .. } => "git-config",
            Change::Environment { .. } => "environment",
            Change::PuttyFile { .. } => "putty-session",
            Change::PuttyRegistry { .. } => "putty-registry",
        }
    }
}

/// The keepalive before the fix, and where each value comes from (`None`: cannot tell).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Before {
    /// `ServerAliveInterval` (PuTTY: the session's interval).
    pub interval: Option<u64>,
    /// Its origin.
    pub interval_origin: Option<Origin>,
    /// `ServerAliveCountMax`.
    pub count_max: Option<u64>,
    /// Its origin.
    pub count_origin: Option<Origin>,
    /// For PuTTY tools: the session and its settings.
    pub putty: Option<String>,
}

/// What `fix` found, proposes and did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The arguments that name this push to `pushguard fix` (`origin`, `--url U`, `--host H`).
    pub subject: String,
    /// The remote, if one was named.
    pub remote: Option<String>,
    /// The URL.
    pub url: Option<String>,
    /// The host as ssh gets it.
    pub host: String,
    /// The ssh command git runs.
    pub command: String,
    /// Its variant.
    pub variant: Variant,
    /// The interval proposed.
    pub interval: u64,
    /// The count max proposed.
    pub count_max: u64,
    /// The keepalive before.
    pub before: Before,
    /// How it ended.
    pub status: Status,
    /// The change.
    pub change: Option<Change>,
    /// Why this change, in sentences.
    pub why: Vec<String>,
    /// How it ended, in a sentence (with the status).
    pub outcome: String,
    /// Caveats.
    pub notes: Vec<String>,
    /// The backup of the file changed.
    pub backup: Option<PathBuf>,
    /// The proof after `--apply`.
    pub proof: Option<Proof>,
}

impl Report {
    fn end(mut self, status: Status, outcome: impl Into<String>) -> Report {
        self.status = status;
        self.outcome = outcome.into();
        self
    }
}

/// Why `fix` could not work at all (nothing was changed).
#[derive(Debug, thiserror::Error)]
pub enum FixError {
    /// Settings, plan, git or URL.
    #[error(transparent)]
    Check(#[from] CheckError),
    /// git failed.
    #[error(transparent)]
    Git(#[from] git::GitError),
    /// The URL is not an ssh one.
    #[error("{0} is not an ssh URL: there is no ssh keepalive to fix")]
    NotSsh(String),
    /// ssh rejects the configuration.
    #[error("ssh rejects its configuration, and pushguard edits no config ssh rejects:\n{0}")]
    SshRejects(String),
    /// `ssh -G` could not run.
    #[error("cannot resolve the ssh options: {0}")]
    Probe(String),
    /// A file could not be written (and is unchanged).
    #[error(transparent)]
    Write(#[from] WriteError),
    /// A registry change did not read back as set, and could not be undone.
    #[error("{why}, and putting the session back failed ({error}): run {by_hand}")]
    Unrestored {
        /// What went wrong first.
        why: String,
        /// Why it could not be undone.
        error: String,
        /// The command that undoes it by hand.
        by_hand: String,
    },
    /// A file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// The directory git runs ssh in: the worktree's top (else `cwd`).
fn worktree_top(cwd: &Path) -> PathBuf {
    git::run(cwd, &["rev-parse", "--show-toplevel"])
        .ok()
        .map(|t| PathBuf::from(t.trim_end()))
        .filter(|t| !t.as_os_str().is_empty())
        .unwrap_or_else(|| cwd.to_path_buf())
}

/// The push the request names: `pushguard fix`'s arguments for it, the
/// remote, the URL and the ssh target.
fn target(
    cwd: &Path,
    cfg: &git::GitConfig,
    subject: &Subject,
) -> Result<(String, Option<String>, Option<String>, SshTarget), FixError> {
    let (remote, url) = match subject {
        Subject::Host(h) => {
            let t = SshTarget {
                user: None,
                host: h.clone(),
                port: None,
                path: String::new(),
            };
            return Ok((
                format!("--host {}", crate::process::sh_quote(h)),
                None,
                None,
                t,
            ));
        }
        Subject::Url(u) => (None, u.clone()),
        Subject::Remote(r) => {
            // A remote with several push URLs: the first one over ssh
            // (`pushguard fix --url` names another).
            let plans = plan::for_check(cwd, cfg, r.as_deref(), &[], Some(Vec::new()))
                .map_err(CheckError::from)?;
            let over_ssh =
                |p: &plan::PushPlan| matches!(git::parse_url(&p.url), Ok(RemoteUrl::Ssh(_)));
            let first = plans.iter().position(over_ssh).unwrap_or(0);
            let Some(p) = plans.into_iter().nth(first) else {
                return Err(FixError::NotSsh(r.clone().unwrap_or_default()));
            };
            let named = git::is_remote_name(cfg, &p.remote);
            (named.then_some(p.remote), p.url)
        }
    };
    let args = oneoff::fix_command(remote.as_deref().unwrap_or(&url), &url);
    let args = args.trim_start_matches("pushguard fix ").to_string();
    match git::parse_url(&url).map_err(CheckError::from)? {
        RemoteUrl::Ssh(t) => Ok((args, remote, Some(url), t)),
        RemoteUrl::Other(kind) => Err(FixError::NotSsh(format!("{url} ({kind})"))),
    }
}

/// Works out the fix for `req` in `cwd`, and with `--apply` makes and proves it.
pub fn run(cwd: &Path, env: &Env, req: &Request, writer: &Writer) -> Result<Report, FixError> {
    let (cfg, settings) = check::settings(cwd, env)?;
    let (subject, remote, url, t) = target(cwd, &cfg, &req.subject)?;
    let inv = git::ssh_invocation(
        &t,
        &cfg,
        &|k| env.get(k),
        &git::receive_pack(&cfg, remote.as_deref().unwrap_or("")),
        IpFamily::Any,
    )
    .map_err(CheckError::from)?;
    // The server's idle timeout for this URL (`pushguard.<url>.idleTimeout`).
    let settings = match &url {
        Some(u) => check::settings_for_url(cwd, &cfg, env, u)?.unwrap_or(settings),
        None => settings,
    };
    let idle = settings.idle_timeout;
    let report = Report {
        subject,
        remote,
        url,
        host: facts::alias(&inv),
        command: inv.command.clone(),
        variant: inv.variant,
        interval: proposed_interval(idle),
        count_max: PROPOSED_COUNT_MAX,
        before: Before::default(),
        status: Status::Planned,
        change: None,
        why: Vec::new(),
        outcome: String::new(),
        notes: Vec::new(),
        backup: None,
        proof: None,
    };
    // What the program reads, by the hook's own rule (`policy::reads`).
    let program = inv.program_name(crate::platform::Platform::HOST);
    match policy::reads(inv.variant, program.as_deref()) {
        Reads::PuttySession(tool) => {
            return putty::fix(report, tool, &inv, env, req, writer, idle);
        }
        Reads::Unknown(why) => {
            return Ok(report.end(
                Status::CannotFix,
                format!("{why}, and pushguard does not know where it keeps a keepalive"),
            ));
        }
        Reads::OpenSshConfig => {}
    }
    let top = worktree_top(cwd);
    let facts = match facts::gather(&inv, &top, env) {
        Err(FixError::Probe(e)) if inv.variant == Variant::Auto => {
            return Ok(report.end(
                Status::CannotFix,
                format!(
                    "git will treat {} as a simple ssh (its -G probe failed: {e})",
                    inv.command
                ),
            ));
        }
        other => other?,
    };
    let mut report = report;
    report.notes.extend(facts.notes.iter().cloned());
    report.before = Before {
        interval: facts.value(Key::Interval),
        interval_origin: facts.origin(Key::Interval),
        count_max: facts.value(Key::CountMax),
        count_origin: facts.origin(Key::CountMax),
        putty: None,
    };
    let (Some(interval), Some(count)) = (report.before.interval, report.before.count_max) else {
        return Ok(report.end(Status::CannotFix, "ssh -G printed no keepalive values"));
    };
    if keepalive_effective(interval, idle) && count >= 1 {
        return Ok(report.end(
            Status::AlreadyEffective,
            format!(
                "already effective: ServerAliveInterval {interval} is below the idle timeout of {idle} s, ServerAliveCountMax {count}"
            ),
        ));
    }
    let keys = keys_to_write(&report, idle);
    let on_command_line = keys
        .iter()
        .any(|(k, _)| facts.origin(*k) == Some(Origin::CommandLine));
    let kind = match req.target {
        Some(k) => k,
        None if on_command_line || facts.builtin.is_none() => TargetKind::GitConfig,
        None => TargetKind::SshConfig,
    };
    if on_command_line {
        report.why.push(
            "the value that wins is on the ssh command line, which beats every config file; it is replaced there".into(),
        );
    }
    match kind {
        TargetKind::SshConfig if on_command_line => Ok(report.end(
            Status::CannotFix,
            "no ssh config line can beat the ssh command line: use --target git-config",
        )),
        TargetKind::SshConfig => ssh_config::fix(report, &facts, &keys, req, writer, idle, &cfg),
        TargetKind::GitConfig => {
            if facts.builtin.is_none() && !on_command_line {
                report.why.push(
                    "options on the ssh command line win over every config file, whatever pushguard cannot see".into(),
                );
            }
            git_config::fix(report, &facts, &keys, req, env, cwd, idle, &cfg, writer)
        }
    }
}

/// The keys to write and their values: the interval unless it is already
/// effective; ServerAliveCountMax when it is 0, when it is ssh's default
/// (the fix proposes 4) or when its origin is unknown — a count the user
/// chose (1 or more) is kept.
fn keys_to_write(report: &Report, idle: u64) -> Vec<(Key, u64)> {
    let b = &report.before;
    let mut keys = Vec::new();
    let interval_ok = b.interval.is_some_and(|i| keepalive_effective(i, idle));
    if !interval_ok {
        keys.push((Key::Interval, report.interval));
    }
    let user_count = b.count_max.is_some_and(|c| c >= 1)
        && matches!(
            b.count_origin,
            Some(Origin::File { .. } | Origin::CommandLine)
        );
    if b.count_max == Some(0) || (!interval_ok && !user_count) {
        keys.push((Key::CountMax, report.count_max));
    }
    keys
}

/// The hosts of the repository's other remotes (over ssh).
fn remote_hosts(cfg: &git::GitConfig) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (k, v) in cfg.entries() {
        if k.starts_with("remote.")
            && (k.ends_with(".url") || k.ends_with(".pushurl"))
            && let Ok(RemoteUrl::Ssh(t)) = git::parse_url(v)
            && !out.contains(&t.host)
        {
            out.push(t.host);
        }
    }
    out
}
