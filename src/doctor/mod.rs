//! `pushguard doctor`: for the current repository, which hooks run on push
//! and whether pushguard is among them ([`hooks`]), and for every remote's
//! push URL the ssh program git runs, the settings in force with their
//! origin, and the effective keepalive with its origin — found by the same
//! flow as the hook (`check::ssh_facts`, `policy::reconcile`). Every problem
//! comes with what to do about it. Healthy (exit 0) when pushguard would run
//! and every ssh push URL has an effective keepalive.
//!
//! Like the hook it connects nowhere and writes nothing.

pub mod hooks;
mod render;

use std::path::{Path, PathBuf};

use crate::check::{self, Env, SshFacts};
use crate::estimate::Repo;
use crate::git::{self, GitConfig, IpFamily, RemoteUrl};
use crate::install::InstallError;
use crate::policy::{self, Keepalive, Settings};
use hooks::HookView;

/// How much a problem matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// pushguard would not protect a push: doctor exits 1.
    Error,
    /// Worth doing; does not change the exit code.
    Advice,
}

/// Something wrong, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// How much it matters.
    pub severity: Severity,
    /// What is wrong.
    pub what: String,
    /// What to do.
    pub fix: String,
}

impl Problem {
    /// A problem that makes doctor exit 1.
    pub fn error(what: String, fix: String) -> Problem {
        Problem {
            severity: Severity::Error,
            what,
            fix,
        }
    }

    /// Advice.
    pub fn advice(what: String, fix: String) -> Problem {
        Problem {
            severity: Severity::Advice,
            what,
            fix,
        }
    }
}

/// One setting in force for a push URL, and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingLine {
    /// The key as documented (`idleTimeout`).
    pub key: &'static str,
    /// The value in force.
    pub value: String,
    /// The config key that set it (`pushguard.ssh://h.idletimeout`); `None`: the default.
    pub set_by: Option<String>,
    /// `local config, file:.git/config`; `None`: the default.
    pub origin: Option<String>,
}

/// One push URL of one remote.
#[derive(Debug, Clone)]
pub struct PushUrl {
    /// The remote's name.
    pub remote: String,
    /// The push URL (insteadOf/pushInsteadOf applied).
    pub url: String,
    /// `ssh`, or the other transport.
    pub transport: String,
    /// The settings in force for this URL.
    pub settings: Vec<SettingLine>,
    /// The idle timeout in force.
    pub idle_timeout: u64,
    /// What was found about ssh.
    pub ssh: Option<SshFacts>,
    /// True when the keepalive is effective; `None` when no keepalive is needed (not ssh).
    pub effective: Option<bool>,
}

/// Everything doctor found.
#[derive(Debug, Clone)]
pub struct Doctor {
    /// The repository's top (or git directory when bare).
    pub repository: PathBuf,
    /// What runs on push.
    pub view: HookView,
    /// How many of those hooks run pushguard.
    pub pushguard_runs: usize,
    /// The push URLs.
    pub urls: Vec<PushUrl>,
    /// True when the repository has a commit-graph.
    pub commit_graph: bool,
    /// What is wrong, in the order found.
    pub problems: Vec<Problem>,
}

impl Doctor {
    /// True when pushguard would run and every push URL has an effective keepalive.
    pub fn healthy(&self) -> bool {
        !self.problems.iter().any(|p| p.severity == Severity::Error)
    }
}

/// Why doctor could not look.
#[derive(Debug, thiserror::Error)]
pub enum DoctorError {
    /// Reading hooks or config failed (not in a repository…).
    #[error(transparent)]
    Install(#[from] InstallError),
    /// The flow's fact finding failed.
    #[error(transparent)]
    Check(#[from] check::CheckError),
}

/// Looks at the repository at `cwd`.
pub fn examine(cwd: &Path, env: &Env) -> Result<Doctor, DoctorError> {
    let repository = match git::run(cwd, &["rev-parse", "--show-toplevel"]) {
        Ok(top) => PathBuf::from(top.trim_end_matches('\n')),
        Err(_) => PathBuf::from(
            git::run(cwd, &["rev-parse", "--path-format=absolute", "--git-dir"])
                .map_err(InstallError::from)?
                .trim_end_matches('\n'),
        ),
    };
    let (cfg, origins) = config_with_origins(cwd)?;
    let mut view = hooks::examine(cwd, &cfg, env)?;
    let mut problems = std::mem::take(&mut view.problems);
    let global = match Settings::from_config(&cfg, &|k| env.get(k)) {
        Ok(s) => s,
        Err(e) => {
            problems.push(Problem::error(
                format!("{e}: the hook cannot check any push"),
                format!("git config {} <a valid value>", e.key),
            ));
            Settings::default()
        }
    };
    let pushguard_runs = runs(&view, &global, &mut problems);
    let mut urls = Vec::new();
    for name in git::remote_names(&cfg) {
        for url in git::push_urls(&cfg, name) {
            let u = push_url(cwd, &cfg, &origins, env, name, &url, &global, &mut problems)?;
            urls.push(u);
        }
    }
    let commit_graph = Repo::discover(cwd).is_ok_and(|r| r.has_commit_graph());
    if !commit_graph {
        problems.push(Problem::advice(
            "no commit-graph: counting the objects of a large push takes longer while the SSH session waits".into(),
            "git commit-graph write --reachable (or: git config fetch.writeCommitGraph true)".into(),
        ));
    }
    Ok(Doctor {
        repository,
        view,
        pushguard_runs,
        urls,
        commit_graph,
        problems,
    })
}

/// How many hooks run pushguard, with the problems of each way it can fail to.
fn runs(view: &HookView, settings: &Settings, problems: &mut Vec<Problem>) -> usize {
    let ours: Vec<_> = view
        .hooks
        .iter()
        .filter(|h| h.runs_pushguard == Some(true) && h.enabled)
        .collect();
    let found = ours.iter().filter(|h| h.binary.is_some()).count();
    for h in ours
        .iter()
        .filter(|h| h.binary.is_none() && h.manager == Some("pushguard"))
    {
        problems.push(Problem::error(
            format!(
                "{} runs pushguard, but {}",
                describe(h),
                h.how.as_deref().unwrap_or("no binary is found")
            ),
            "put pushguard on PATH (./install.sh), or set PUSHGUARD_BIN".into(),
        ));
    }
    if ours.is_empty() {
        problems.push(Problem::error(
            "no hook that git runs on push runs pushguard".into(),
            "pushguard install (this repository), or see docs/install.md for a config hook, a hooks folder or a hook manager".into(),
        ));
    }
    if ours.len() > 1 {
        problems.push(Problem::advice(
            format!("pushguard runs {} times on every push", ours.len()),
            "remove one of them (pushguard uninstall with the flags it was installed with)".into(),
        ));
    }
    if !settings.enabled {
        problems.push(Problem::error(
            "pushguard.enabled is false: the hook lets every push go unchecked".into(),
            "git config --unset pushguard.enabled".into(),
        ));
    }
    // Managers run pushguard through their own config: found or not, it is named.
    let managed = ours
        .iter()
        .filter(|h| h.manager != Some("pushguard"))
        .count();
    found + managed
}

/// One line naming a hook.
pub fn describe(h: &hooks::Hook) -> String {
    match (&h.name, &h.path) {
        (Some(name), _) => format!("config hook {name:?}"),
        (None, Some(p)) => p.display().to_string(),
        (None, None) => h.kind.to_string(),
    }
}

/// The config as git lists it, with each entry's scope and origin (same order).
fn config_with_origins(cwd: &Path) -> Result<(GitConfig, Vec<String>), DoctorError> {
    let args = ["config", "--show-scope", "--show-origin", "-z", "--list"];
    let out = match git::command(cwd, &args).run() {
        Ok(out) => out.stdout,
        Err(_) => Vec::new(), // no config at all
    };
    let text = String::from_utf8_lossy(&out);
    let fields: Vec<&str> = text.split('\0').collect();
    let mut pairs = Vec::new();
    let mut origins = Vec::new();
    for c in fields.chunks_exact(3) {
        let (k, v) = c[2].split_once('\n').unwrap_or((c[2], "true"));
        pairs.push((k, v));
        origins.push(format!("{} config, {}", c[0], c[1]));
    }
    Ok((GitConfig::from_pairs(pairs), origins))
}

/// The settings doctor shows, as documented, with the value in force.
fn setting_lines(
    s: &Settings,
    cfg: &GitConfig,
    origins: &[String],
    picks: Option<&std::collections::HashMap<String, usize>>,
) -> Vec<SettingLine> {
    let rows: [(&'static str, String); 8] = [
        ("enabled", s.enabled.to_string()),
        ("idleTimeout", s.idle_timeout.to_string()),
        ("warnObjects", s.warn_objects.to_string()),
        ("blockObjects", s.block_objects.to_string()),
        ("warnBytes", s.warn_bytes.to_string()),
        ("blockBytes", s.block_bytes.to_string()),
        ("strict", s.strict.to_string()),
        (
            "resolver",
            match s.resolver {
                policy::ResolverChoice::Ssh => "ssh".into(),
                policy::ResolverChoice::Builtin => "builtin".into(),
            },
        ),
    ];
    rows.into_iter()
        .map(|(key, value)| {
            let lower = key.to_ascii_lowercase();
            let plain = format!("pushguard.{lower}");
            let index = picks
                .and_then(|p| p.get(&lower).copied())
                .or_else(|| cfg.entries().iter().rposition(|(k, _)| *k == plain));
            SettingLine {
                key,
                value,
                set_by: index
                    .and_then(|i| cfg.entries().get(i))
                    .map(|(k, _)| k.clone()),
                origin: index.and_then(|i| origins.get(i)).cloned(),
            }
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn push_url(
    cwd: &Path,
    cfg: &GitConfig,
    origins: &[String],
    env: &Env,
    remote: &str,
    url: &str,
    global: &Settings,
    problems: &mut Vec<Problem>,
) -> Result<PushUrl, DoctorError> {
    let picks = check::url_picks(cwd, cfg, url).ok().flatten();
    let settings = match &picks {
        Some(p) => Settings::for_url(cfg, p, &|k| env.get(k)).unwrap_or_else(|e| {
            problems.push(Problem::error(
                format!("{e}: pushes to {url} cannot be checked"),
                format!("git config {} <a valid value>", e.key),
            ));
            global.clone()
        }),
        None => global.clone(),
    };
    let mut out = PushUrl {
        remote: remote.to_string(),
        url: url.to_string(),
        transport: String::new(),
        settings: setting_lines(&settings, cfg, origins, picks.as_ref()),
        idle_timeout: settings.idle_timeout,
        ssh: None,
        effective: None,
    };
    let target = match git::parse_url(url) {
        Ok(RemoteUrl::Ssh(t)) => t,
        Ok(RemoteUrl::Other(kind)) => {
            out.transport = kind;
            return Ok(out);
        }
        Err(e) => {
            problems.push(Problem::error(
                format!("remote {remote}: {e}"),
                format!("git remote set-url --push {remote} <url>"),
            ));
            return Ok(out);
        }
    };
    out.transport = "ssh".into();
    let invocation = match git::ssh_invocation(
        &target,
        cfg,
        &|k| env.get(k),
        &git::receive_pack(cfg, remote),
        IpFamily::Any,
    ) {
        Ok(i) => i,
        Err(e) => {
            problems.push(Problem::error(
                format!("remote {remote} ({url}): {e}"),
                "see git's own message for this URL".into(),
            ));
            out.effective = Some(false);
            return Ok(out);
        }
    };
    let facts = check::ssh_facts(&invocation, &settings, env, cwd);
    let effective = match facts.keepalive {
        Keepalive::Interval(i) | Keepalive::Ping(i) => {
            policy::keepalive_effective(i, settings.idle_timeout)
        }
        Keepalive::GivesUp(_) | Keepalive::Unknown(_) => false,
    };
    if !effective {
        problems.push(keepalive_problem(
            remote,
            url,
            &facts,
            settings.idle_timeout,
        ));
    }
    out.effective = Some(effective);
    out.ssh = Some(facts);
    Ok(out)
}

fn keepalive_problem(remote: &str, url: &str, facts: &SshFacts, idle_timeout: u64) -> Problem {
    let client = facts.putty.as_ref().map_or("ssh", |p| p.tool.name());
    let what = match &facts.keepalive {
        Keepalive::Interval(0) => {
            "no keepalive (ServerAliveInterval 0): a large push can be cut off".to_string()
        }
        Keepalive::Interval(i) => {
            format!("keepalive every {i} s is not below the idle timeout of {idle_timeout} s")
        }
        Keepalive::GivesUp(i) => format!(
            "ServerAliveCountMax 0: ssh sends no keepalive and quits after {i} s of server silence"
        ),
        Keepalive::Ping(0) => {
            "no keepalive (the PuTTY session's ping interval is 0): a large push can be cut off"
                .to_string()
        }
        Keepalive::Ping(i) => {
            format!(
                "{client}'s keepalive every {i} s is not below the idle timeout of {idle_timeout} s"
            )
        }
        Keepalive::Unknown(why) => format!("cannot tell whether {client} sends keepalives: {why}"),
    };
    let s = crate::fix::suggest(
        &facts.invocation,
        &facts.host,
        idle_timeout,
        facts.interval_origin.as_ref(),
        crate::fix::fix_command(remote, url),
    );
    let session = facts.putty.as_ref().and_then(|p| p.session.as_ref());
    let fix = match (&s.one_off, session) {
        (Some(one_off), _) => format!(
            "{} shows the change that makes it effective (--apply makes it); for one push: {one_off}",
            s.command
        ),
        (None, Some(k)) if k.suppressed.is_some() => format!(
            "turn off \"Chokes on SSH-2 ignore messages\" (BugIgnore2) in PuTTY session {:?} unless the server needs it: PuTTY's keepalives are ignore messages",
            k.session
        ),
        (None, Some(k)) => format!(
            "{} sets \"Seconds between keepalives\" to {} in PuTTY session {:?} (--apply makes it)",
            s.command, s.interval, k.session
        ),
        (None, None) => format!(
            "{} shows the change that makes it effective (--apply makes it)",
            s.command
        ),
    };
    Problem::error(format!("remote {remote} ({url}): {what}"), fix)
}
