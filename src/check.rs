//! The one flow: a push plan in, facts found, `policy` decides, an outcome
//! out. No rule lives here: what the keepalive is (`policy::reconcile`),
//! how big is too big (`policy::size_of`) and the verdict
//! (`policy::decide`) are policy's.
//!
//! Fact finding is paid for only when the verdict needs it: a push the pack
//! indexes prove small never resolves ssh options; otherwise the object walk
//! and `ssh -G` run concurrently.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::estimate::{self, Count, Estimate, Inventory, Repo};
use crate::fix::{self, Suggestion};
use crate::git::{self, GitConfig, RemoteUrl, SshInvocation};
use crate::plan::{PlanError, PushPlan, RefUpdate};
use crate::platform::Platform;
use crate::policy::{
    self, BuiltinAnswer, Decision, Facts, Finding, Keepalive, Reads, Settings, Size,
};
use crate::putty;
use crate::ssh::{self, Effective, ExecPolicy, Origin, Profile, ResolveEnv, ResolveRequest, trace};

/// Why ssh options were not resolved for a small push.
const SMALL: &str =
    "the push is small; ssh options were not needed (check --ssh resolves them anyway)";

/// How long `ssh -G` may take before we give up on it.
pub const PROBE_LIMIT: Duration = Duration::from_secs(3);

/// The environment the flow sees (a snapshot, so tests can pass their own).
#[derive(Debug, Clone, Default)]
pub struct Env {
    vars: HashMap<String, String>,
}

impl Env {
    /// The current process environment.
    pub fn current() -> Env {
        Env {
            vars: std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                .collect(),
        }
    }

    /// Builds an environment from pairs.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Env {
        Env {
            vars: pairs
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    /// Looks up a variable.
    pub fn get(&self, key: &str) -> Option<String> {
        self.vars.get(key).cloned()
    }
}

/// Something went wrong while finding facts (never a verdict).
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// Running git failed.
    #[error(transparent)]
    Git(#[from] git::GitError),
    /// A `pushguard.*` setting is invalid, set where `at` says.
    #[error("{error}{}", at.as_ref().map_or_else(String::new, |at| format!(" (set at {at})")))]
    Setting {
        /// What is wrong.
        error: policy::SettingError,
        /// Where git says the value was set.
        at: Option<git::ConfigOrigin>,
    },
    /// The push URL cannot be read.
    #[error(transparent)]
    Url(#[from] git::UrlError),
    /// git itself would refuse to run ssh for this URL.
    #[error(transparent)]
    Invocation(#[from] git::InvocationError),
    /// Counting objects failed.
    #[error("cannot count objects: {0}")]
    Estimate(#[from] estimate::EstimateError),
    /// A fact-finding thread died.
    #[error("internal error: {0}")]
    Internal(&'static str),
    /// No push plan: the hook's stdin, or what the dry run was asked.
    #[error(transparent)]
    Plan(#[from] PlanError),
}

/// What was found about ssh for this push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshFacts {
    /// The command git runs.
    pub invocation: SshInvocation,
    /// The host as given to ssh (what `Host` patterns match).
    pub host: String,
    /// The effective options, when resolved.
    pub effective: Option<Effective>,
    /// Who resolved them: `ssh -G` or `builtin`.
    pub resolver: Option<&'static str>,
    /// The keepalive as far as known.
    pub keepalive: Keepalive,
    /// Where the effective ServerAliveInterval came from, if known.
    pub interval_origin: Option<Origin>,
    /// Lines that set ServerAliveInterval but lost to the winner.
    pub shadowed: Vec<Origin>,
    /// Caveats (disagreement between resolvers, probe errors…).
    pub notes: Vec<String>,
    /// What `ssh -V` of the ssh git runs prints before the comma, when
    /// known (the build the builtin resolver models).
    pub version: Option<String>,
    /// For a PuTTY tool: which, and the saved session it loads.
    pub putty: Option<putty::Found>,
}

/// Everything found and decided for one push.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The push judged.
    pub plan: PushPlan,
    /// The settings in force.
    pub settings: Settings,
    /// The transport (`ssh`, `https`…), when the URL was read.
    pub transport: Option<String>,
    /// The push size, when counted.
    pub estimate: Option<Estimate>,
    /// The ssh facts, when the push is over ssh and size mattered.
    pub ssh: Option<SshFacts>,
    /// Why ssh options were not resolved, if they were not.
    pub ssh_skipped: Option<String>,
    /// The decision.
    pub decision: Decision,
}

impl Outcome {
    /// How to fix the keepalive, when the verdict asks for a fix.
    pub fn fix(&self) -> Option<Suggestion> {
        let ssh = self.ssh.as_ref().filter(|_| self.decision.needs_fix())?;
        // With ServerAliveCountMax 0 the interval's line is not what is wrong;
        // the lines at the top of the file win over both.
        let winning = match self.decision.risk {
            Some(policy::Risk::GivesUp { .. }) => None,
            _ => ssh.interval_origin.as_ref(),
        };
        Some(fix::suggest(
            &ssh.invocation,
            &ssh.host,
            self.settings.idle_timeout,
            winning,
            fix::fix_command(&self.plan.remote, &self.plan.url),
        ))
    }
}

/// Reads the git configuration and the settings in `cwd`.
pub fn settings(cwd: &Path, env: &Env) -> Result<(GitConfig, Settings), CheckError> {
    let cfg = GitConfig::read(cwd)?;
    let settings = settings_in(cwd, &cfg, env)?;
    Ok((cfg, settings))
}

/// The settings in `cfg`; a bad value's error says where it was set.
pub fn settings_in(cwd: &Path, cfg: &GitConfig, env: &Env) -> Result<Settings, CheckError> {
    Settings::from_config(cfg, &|k| env.get(k)).map_err(|error| CheckError::Setting {
        at: git::config_origin(cwd, &error.key),
        error,
    })
}

/// The settings for a push to `url` when some `pushguard.<url>.*` is set,
/// matched by git; `None` (and no git process) when none is.
pub fn settings_for_url(
    cwd: &Path,
    cfg: &GitConfig,
    env: &Env,
    url: &str,
) -> Result<Option<Settings>, CheckError> {
    match url_picks(cwd, cfg, url)? {
        None => Ok(None),
        Some(picked) => Settings::for_url(cfg, &picked, &|k| env.get(k))
            .map(Some)
            .map_err(|error| CheckError::Setting {
                at: git::config_origin(cwd, &error.key),
                error,
            }),
    }
}

/// For each per-URL key, the index (into `cfg.entries()`) of the entry git's
/// URL matching picks for `url`; `None` when no `pushguard.<url>.*` is set.
pub fn url_picks(
    cwd: &Path,
    cfg: &GitConfig,
    url: &str,
) -> Result<Option<HashMap<String, usize>>, CheckError> {
    let candidates = policy::url_candidates(cfg);
    if candidates.is_empty() {
        return Ok(None);
    }
    let asked: Vec<(Option<&str>, &str)> = candidates
        .iter()
        .map(|c| (c.url.as_deref(), c.key))
        .collect();
    let picked = git::url_match(cwd, "pushguard", &asked, url)?
        .into_iter()
        .map(|(k, i)| (k, candidates[i].index))
        .collect();
    Ok(Some(picked))
}

/// Judges a push: the hook's and the dry run's common path.
pub fn judge(
    cwd: &Path,
    cfg: &GitConfig,
    settings: Settings,
    plan: PushPlan,
    env: &Env,
    always_ssh: bool,
) -> Result<Outcome, CheckError> {
    let mut out = Outcome {
        plan,
        settings,
        transport: None,
        estimate: None,
        ssh: None,
        ssh_skipped: None,
        decision: policy::decide(&Settings::default(), &Facts::NothingToSend),
    };
    let decide = |out: &mut Outcome, facts: Facts| {
        out.decision = policy::decide(&out.settings, &facts);
    };
    // The server's own settings (`pushguard.<url>.*`); bypass stays as given.
    if let Some(s) = settings_for_url(cwd, cfg, env, &out.plan.url)? {
        out.settings = Settings {
            skip: out.settings.skip,
            ..s
        };
    }
    if !policy::needs_facts(&out.settings) {
        decide(&mut out, Facts::NothingToSend);
        return Ok(out);
    }
    let target = match git::parse_url(&out.plan.url)? {
        RemoteUrl::Other(kind) => {
            out.transport = Some(kind.clone());
            decide(&mut out, Facts::NotSsh(kind));
            return Ok(out);
        }
        RemoteUrl::Ssh(t) => t,
    };
    out.transport = Some("ssh".into());
    if out.plan.updates.iter().all(RefUpdate::is_delete) {
        decide(&mut out, Facts::NothingToSend);
        return Ok(out);
    }
    let named = git::is_remote_name(cfg, &out.plan.remote);
    let remote = match named {
        true => Some(out.plan.remote.clone()),
        false => git::remote_for_url(cfg, &out.plan.url),
    };
    // git honours remote.<name>.receivepack only when pushing to a remote by name.
    let receive_pack = match named {
        true => git::receive_pack(cfg, &out.plan.remote),
        false => "git-receive-pack".to_string(),
    };
    let invocation = git::ssh_invocation(
        &target,
        cfg,
        &|k| env.get(k),
        &receive_pack,
        git::IpFamily::Any,
    )?;

    // Cheap first: can the repository's own size prove the push small?
    let repo = Repo::discover(cwd)?;
    let settings = &out.settings;
    let resolve_ssh = || ssh_facts(&invocation, settings, env, cwd);
    let (est, ssh) = match quick_estimate(&repo, settings) {
        Some(est) => (est, always_ssh.then(resolve_ssh)),
        None => {
            let (est, ssh) = walk(
                &repo,
                cfg,
                remote.as_deref(),
                &out.plan.updates,
                settings,
                always_ssh,
                &resolve_ssh,
            )?;
            let bytes = est.bytes.map(|b| b.value);
            // Large by bytes alone, or only without the tags the count assumes:
            // ssh was not started during the walk. A count cut short by the
            // time budget is no proof of a small push either.
            let large = matches!(est.objects, Count::AtLeast(_))
                || std::iter::once(est.objects)
                    .chain(est.without_tags)
                    .any(|n| policy::size_of(settings, n, bytes) != Size::Small);
            let ssh = ssh.or_else(|| large.then(resolve_ssh));
            (est, ssh)
        }
    };
    let facts = ssh_facts_of(&est, ssh.as_ref().map(|s| s.keepalive.clone()));
    let unconfirmed = policy::Unconfirmed::tags_of(&est);
    out.decision = policy::decide_unconfirmed(&out.settings, &facts, unconfirmed.as_ref());
    match ssh {
        Some(ssh) => out.ssh = Some(ssh),
        None => out.ssh_skipped = Some(SMALL.into()),
    }
    out.estimate = Some(est);
    Ok(out)
}

/// The object walk, stopped at the block threshold. ssh resolution starts
/// beside it once the walk reaches the warn threshold (at once with
/// `always_ssh`), so a small push in a big repository starts no ssh process.
fn walk(
    repo: &Repo,
    cfg: &GitConfig,
    remote: Option<&str>,
    updates: &[RefUpdate],
    settings: &Settings,
    always_ssh: bool,
    resolve_ssh: &(dyn Fn() -> SshFacts + Sync),
) -> Result<(Estimate, Option<SshFacts>), CheckError> {
    let (est, ssh) = std::thread::scope(|s| {
        let mut ssh = None;
        let mut start_ssh = || {
            if ssh.is_none() {
                ssh = Some(s.spawn(resolve_ssh));
            }
        };
        if always_ssh {
            start_ssh();
        }
        let est = estimate::estimate_with(
            repo,
            cfg,
            remote,
            updates,
            settings.block_objects,
            (settings.warn_objects, &mut start_ssh),
        );
        (est, ssh.map(|h| h.join()))
    });
    let mut est = est?;
    let advice = est
        .walk_time
        .and_then(|t| policy::walk_advice(t, est.commit_graph));
    est.notes.extend(advice);
    let ssh = ssh
        .transpose()
        .map_err(|_| CheckError::Internal("ssh resolution failed"))?;
    Ok((est, ssh))
}

fn ssh_facts_of(est: &Estimate, keepalive: Option<Keepalive>) -> Facts {
    Facts::Ssh {
        objects: est.objects,
        bytes: est.bytes.map(|b| b.value),
        keepalive,
    }
}

/// The estimate when the repository's total proves the push small: no git
/// process, only the pack index headers and the loose object directories.
fn quick_estimate(repo: &Repo, s: &Settings) -> Option<Estimate> {
    let inv = Inventory::scan_sized(repo, s.warn_objects).ok()?;
    let total = inv.upper_bound()?;
    let small = policy::size_of(s, Count::AtMost(total), inv.stored_bytes()) == Size::Small;
    small.then(|| Estimate::within_repository(&inv))
}

/// Finds the keepalive for the ssh command git will run (in `cwd`), from
/// what its program reads (`policy::reads`): a PuTTY tool's saved session,
/// or the witnesses `policy::reconcile` weighs for OpenSSH config.
pub fn ssh_facts(inv: &SshInvocation, s: &Settings, env: &Env, cwd: &Path) -> SshFacts {
    let host = inv
        .host_arg
        .rsplit_once('@')
        .map_or(inv.host_arg.as_str(), |(_, h)| h)
        .to_string();
    let program = inv.program_name(Platform::HOST);
    let (finding, version) = match policy::reads(inv.variant, program.as_deref()) {
        Reads::PuttySession(tool) => (
            policy::from_putty(tool, putty::keepalive_for(tool, inv, &|k| env.get(k))),
            None,
        ),
        Reads::Unknown(why) => (Finding::cannot_tell(why), None),
        Reads::OpenSshConfig => openssh_finding(inv, s, env, cwd),
    };
    let Finding {
        keepalive,
        interval_origin,
        shadowed,
        notes,
        effective,
        resolver,
        putty,
    } = finding;
    SshFacts {
        invocation: inv.clone(),
        host,
        effective,
        resolver,
        keepalive,
        interval_origin,
        shadowed,
        notes,
        version,
        putty,
    }
}

/// The witnesses for a program that reads OpenSSH config: `ssh -G` runs
/// with `-vvv`, and the builtin resolver, modelling the build git runs,
/// replays the `Match exec` results it printed, so the origins name the
/// line that won. Also what `ssh -V` of that build prints.
fn openssh_finding(
    inv: &SshInvocation,
    s: &Settings,
    env: &Env,
    cwd: &Path,
) -> (Finding, Option<String>) {
    let traced = (s.resolver == policy::ResolverChoice::Ssh)
        .then(|| trace::probe(&inv.probe_argv(), cwd, PROBE_LIMIT));
    let replay = match &traced {
        Some(Ok(t)) if t.trace.is_present() => ExecPolicy::Replay(t.trace.execs.clone()),
        _ => ExecPolicy::Unknown,
    };
    let probe = traced.map(|t| t.map(|t| t.effective));
    let profile = ssh_profile(inv, env);
    let version = profile.as_ref().ok().map(|(p, _)| p.version.clone());
    let builtin = profile.and_then(|(p, notes)| builtin_resolve(inv, env, p, notes, replay));
    let finding = policy::reconcile(inv.variant, &inv.command, probe, Some(builtin));
    (finding, version)
}

/// The words of the ssh command git runs.
fn command_words(inv: &SshInvocation, env: &Env) -> Result<Vec<String>, String> {
    if inv.use_shell {
        git::shell::split_words(&inv.command, &|k| env.get(k)).map_err(|e| e.to_string())
    } else {
        Ok(vec![inv.command.clone()])
    }
}

/// Whether a program is ssh itself (not a wrapper).
fn is_ssh(program: &str) -> bool {
    Path::new(program)
        .file_name()
        .is_some_and(|n| n == "ssh" || n == "ssh.exe")
}

/// The ssh the builtin resolver models for a command's first word: the
/// program when it is ssh itself, else (a wrapper) the `ssh` on `PATH`.
pub(crate) fn modelled_program(program: &str) -> &str {
    match is_ssh(program) {
        true => program,
        false => "ssh",
    }
}

/// The build the builtin resolver models: the ssh git runs (for a wrapper,
/// the `ssh` on PATH); one that does not tell (no OpenSSH banner) is
/// modelled as the `ssh` on PATH or upstream's newest, with a note. The
/// profile's caveat is a note too.
pub(crate) fn ssh_profile(
    inv: &SshInvocation,
    env: &Env,
) -> Result<(Profile, Vec<String>), String> {
    let words = command_words(inv, env)?;
    let program = words.first().ok_or("empty ssh command")?;
    let mut notes = Vec::new();
    let profile = match Profile::detect(modelled_program(program)) {
        Ok(p) => p,
        Err(e) => {
            let p = Profile::detect("ssh").unwrap_or_else(|_| Profile::newest());
            notes.push(format!("{e}; the builtin resolver models {}", p.version));
            p
        }
    };
    notes.extend(profile.caveat());
    Ok((profile, notes))
}

/// The builtin resolver on the argv git will run in `cwd`, modelling
/// `profile`, `Match exec` as `exec` says. A wrapper program's options are
/// invisible to it: then it names no origin.
fn builtin_resolve(
    inv: &SshInvocation,
    env: &Env,
    profile: Profile,
    notes: Vec<String>,
    exec: ExecPolicy,
) -> Result<BuiltinAnswer, String> {
    let words = command_words(inv, env)?;
    let (program, own_args) = words.split_first().ok_or("empty ssh command")?;
    let is_ssh = is_ssh(program);
    let blind = (!is_ssh).then(|| {
        format!("{program} is not ssh itself, so pushguard cannot see the options it gives ssh")
    });
    let mut args: Vec<String> = match is_ssh {
        true => own_args.to_vec(),
        false => Vec::new(),
    };
    args.extend(inv.options.iter().cloned());
    args.push(inv.host_arg.clone());
    // A relative -F opens from this process's directory, which is where git
    // runs ssh (the hook inherits it; the dry run moves there, `git_cwd`).
    let req = ResolveRequest::from_ssh_args(&args).map_err(|e| e.to_string())?;
    let renv = ResolveEnv::for_program(modelled_program(program), profile, exec);
    let r = ssh::resolve(&req, &renv).map_err(|e| e.to_string())?;
    Ok(BuiltinAnswer {
        interval_origin: r
            .effective
            .get("serveraliveinterval")
            .filter(|_| is_ssh)
            .map(|v| absolute(&v.origin)),
        shadowed: r
            .shadowed
            .iter()
            .filter(|s| is_ssh && s.key == "serveraliveinterval")
            .map(|s| absolute(&s.origin))
            .collect(),
        depends_on_exec: r.keepalive_depends_on_exec.first().map(absolute),
        effective: r.effective,
        notes,
        blind,
    })
}

/// An origin whose file is named as ssh was given it (`-F ssh/config`),
/// made absolute: where ssh opens it, from the directory git runs it in
/// (this process's, see [`git_cwd`]), whatever directory the user reads it in.
fn absolute(o: &Origin) -> Origin {
    match o {
        Origin::File { path, line } if path.is_relative() => Origin::File {
            path: std::path::absolute(path).unwrap_or_else(|_| path.clone()),
            line: *line,
        },
        other => other.clone(),
    }
}

/// The directory a command runs in (for tests and the CLI).
pub fn current_dir() -> PathBuf {
    std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."))
}

/// Where git runs ssh (its `-G` probe, the push connection) and the hook
/// for a command started in `dir`: the top of the worktree when `dir` is
/// inside one, else `dir` itself (in `.git/`, in a bare repository, or
/// outside `GIT_WORK_TREE`), which is what `git rev-parse --show-cdup` says.
pub fn git_cwd(dir: &Path) -> PathBuf {
    match git::run(dir, &["rev-parse", "--show-cdup"]) {
        Ok(up) if !up.trim().is_empty() => {
            let top = dir.join(up.trim());
            std::fs::canonicalize(&top).unwrap_or(top)
        }
        _ => dir.to_path_buf(),
    }
}
