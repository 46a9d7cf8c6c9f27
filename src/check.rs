//! The one flow: a push plan in, facts found, a verdict out.
//!
//! Fact finding is paid for only when the verdict needs it: a push the pack
//! indexes prove small never resolves ssh options; otherwise the object walk
//! and `ssh -G` run concurrently.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::estimate::{self, Count, Estimate, Inventory, Repo};
use crate::fix::{self, Suggestion};
use crate::git::{self, GitConfig, RemoteUrl, SshInvocation, Variant};
use crate::plan::{PushPlan, RefUpdate};
use crate::policy::{self, Decision, Facts, Keepalive, Settings, Size};
use crate::ssh::{self, Effective, ExecPolicy, Flavour, Origin, ResolveEnv, ResolveRequest, probe};

/// Why ssh options were not resolved for a small push.
const SMALL: &str =
    "the push is small; ssh options were not needed (check --ssh resolves them anyway)";

/// A walk this slow without a commit-graph earns a suggestion to write one.
const SLOW_WALK: Duration = Duration::from_millis(100);

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
    /// A `pushguard.*` setting is invalid.
    #[error(transparent)]
    Setting(#[from] policy::SettingError),
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
    /// The hook's stdin is not in git's format.
    #[error(transparent)]
    Stdin(#[from] crate::plan::StdinError),
    /// The dry run could not work out what to push.
    #[error("{0}")]
    Plan(String),
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
        let ssh = self.ssh.as_ref().filter(|_| self.decision.needs_fix)?;
        Some(fix::suggest(
            &ssh.invocation,
            &ssh.host,
            self.settings.idle_timeout,
            ssh.interval_origin.as_ref(),
        ))
    }
}

/// Reads the git configuration and the settings in `cwd`.
pub fn settings(cwd: &Path, env: &Env) -> Result<(GitConfig, Settings), CheckError> {
    let cfg = GitConfig::read(cwd)?;
    let settings = Settings::from_config(&cfg, &|k| env.get(k))?;
    Ok((cfg, settings))
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
    if out.settings.skip || !out.settings.enabled {
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
    let resolve_ssh = || ssh_facts(&invocation, settings, env);
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
            // ssh was not started during the walk.
            let large = std::iter::once(est.objects)
                .chain(est.without_tags)
                .any(|n| policy::size_of(settings, n, bytes) != Size::Small);
            let ssh = ssh.or_else(|| large.then(resolve_ssh));
            (est, ssh)
        }
    };
    let facts = ssh_facts_of(&est, ssh.as_ref().map(|s| s.keepalive.clone()));
    let unconfirmed = unconfirmed_tags(&est);
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
    if let Some(t) = est
        .walk_time
        .filter(|t| *t >= SLOW_WALK && !est.commit_graph)
    {
        est.notes.push(format!(
            "counting took {} ms without a commit-graph; `git commit-graph write --reachable` makes it several times faster",
            t.as_millis()
        ));
    }
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

/// The count without the tags it assumes the server has, for the policy
/// (only when those tags change the count).
fn unconfirmed_tags(est: &Estimate) -> Option<policy::Unconfirmed> {
    let objects = est.without_tags?;
    let tags: Vec<&str> = est
        .assumes
        .iter()
        .filter(|a| a.kind == estimate::RefKind::Tag)
        .map(|a| a.remote_ref.trim_start_matches("refs/tags/"))
        .collect();
    let remote = est
        .assumes
        .first()
        .map_or("the remote", |a| a.remote.as_str());
    let what = match tags.as_slice() {
        [] => format!("{remote} still has the tags fetched from it"),
        [one] => format!("{remote} still has tag {one}"),
        many => format!("{remote} still has tags {}", many.join(", ")),
    };
    Some(policy::Unconfirmed { objects, what })
}

/// The estimate when the repository's total proves the push small: no git
/// process, only the pack index headers and the loose object directories.
fn quick_estimate(repo: &Repo, s: &Settings) -> Option<Estimate> {
    let inv = Inventory::scan_sized(repo, s.warn_objects).ok()?;
    let total = inv.upper_bound()?;
    let small = policy::size_of(s, Count::AtMost(total), inv.stored_bytes()) == Size::Small;
    small.then(|| Estimate::within_repository(&inv))
}

/// Resolves the keepalive for the ssh command git will run.
fn ssh_facts(inv: &SshInvocation, s: &Settings, env: &Env) -> SshFacts {
    let host = inv
        .host_arg
        .rsplit_once('@')
        .map_or(inv.host_arg.as_str(), |(_, h)| h)
        .to_string();
    let mut facts = SshFacts {
        invocation: inv.clone(),
        host,
        effective: None,
        resolver: None,
        keepalive: Keepalive::Unknown("not resolved".into()),
        interval_origin: None,
        shadowed: Vec::new(),
        notes: Vec::new(),
    };
    let not_openssh = match inv.variant {
        Variant::Plink | Variant::Putty | Variant::TortoisePlink => Some(
            "PuTTY tools do not read ~/.ssh/config; their keepalive is set in the PuTTY session",
        ),
        Variant::Simple => Some("ssh.variant is simple: the ssh program is not OpenSSH"),
        Variant::OpenSsh | Variant::Auto => None,
    };
    if let Some(why) = not_openssh {
        facts.keepalive = Keepalive::Unknown(why.into());
        return facts;
    }
    let probed = match s.resolver {
        policy::ResolverChoice::Builtin => None,
        policy::ResolverChoice::Ssh => Some(probe::run(&inv.probe_argv(), PROBE_LIMIT)),
    };
    let builtin = builtin_resolve(inv, env);
    match (probed, builtin) {
        (Some(Ok(eff)), b) => {
            facts.keepalive = match eff.server_alive_interval() {
                Some(i) => Keepalive::Interval(i),
                None => Keepalive::Unknown("ssh -G printed no serveraliveinterval".into()),
            };
            match b {
                Ok(b) => {
                    let bi = b.effective.server_alive_interval();
                    if bi == eff.server_alive_interval() {
                        facts.interval_origin = b.interval_origin;
                        facts.shadowed = b.shadowed;
                    } else {
                        facts.notes.push(format!(
                            "ssh -G and the builtin resolver disagree on ServerAliveInterval ({} vs {}); trusting ssh -G",
                            show(eff.server_alive_interval()),
                            show(bi)
                        ));
                    }
                    facts.notes.extend(b.notes);
                }
                Err(e) => facts.notes.push(format!("origins unknown: {e}")),
            }
            facts.effective = Some(eff);
            facts.resolver = Some("ssh -G");
        }
        (probed, Ok(b)) => {
            if let Some(Err(e)) = probed {
                if inv.variant == Variant::Auto {
                    facts.keepalive = Keepalive::Unknown(format!(
                        "git will treat {} as a simple ssh (its -G probe failed: {e})",
                        inv.command
                    ));
                    return facts;
                }
                facts.notes.push(format!("{e}; using the builtin resolver"));
            }
            facts.keepalive = match (
                b.depends_on_exec.clone(),
                b.effective.server_alive_interval(),
            ) {
                (Some(at), _) => Keepalive::Unknown(format!(
                    "it depends on a Match exec command at {at}, which pushguard does not run"
                )),
                (None, Some(i)) => Keepalive::Interval(i),
                (None, None) => Keepalive::Unknown("no serveraliveinterval resolved".into()),
            };
            facts.interval_origin = b.interval_origin;
            facts.shadowed = b.shadowed;
            facts.notes.extend(b.notes);
            facts.effective = Some(b.effective);
            facts.resolver = Some("builtin");
        }
        (probed, Err(e)) => {
            let why = match probed {
                Some(Err(p)) => format!("{p}; {e}"),
                _ => e,
            };
            facts.keepalive = Keepalive::Unknown(why);
        }
    }
    let shared = facts
        .effective
        .as_ref()
        .and_then(|e| e.get("controlpath"))
        .filter(|v| v.value != "none")
        .map(|v| v.value.clone());
    if let Some(path) = shared {
        facts.notes.push(format!(
            "ssh may reuse a shared connection (ControlPath {path}); then the keepalive of the ssh that opened it applies"
        ));
    }
    facts
}

fn show(v: Option<u64>) -> String {
    v.map_or_else(|| "none".to_string(), |i| i.to_string())
}

/// What the builtin resolver found.
struct Builtin {
    effective: Effective,
    interval_origin: Option<Origin>,
    shadowed: Vec<Origin>,
    depends_on_exec: Option<Origin>,
    notes: Vec<String>,
}

fn builtin_resolve(inv: &SshInvocation, env: &Env) -> Result<Builtin, String> {
    let words = if inv.use_shell {
        git::shell::split_words(&inv.command, &|k| env.get(k)).map_err(|e| e.to_string())?
    } else {
        vec![inv.command.clone()]
    };
    let mut notes = Vec::new();
    let (program, own_args) = words.split_first().ok_or("empty ssh command")?;
    let is_ssh = Path::new(program)
        .file_name()
        .is_some_and(|n| n == "ssh" || n == "ssh.exe");
    let mut args: Vec<String> = if is_ssh {
        own_args.to_vec()
    } else {
        notes.push(format!(
            "{program} is not ssh itself: the builtin resolver cannot see options it adds"
        ));
        Vec::new()
    };
    args.extend(inv.options.iter().cloned());
    args.push(inv.host_arg.clone());
    let req = ResolveRequest::from_ssh_args(&args).map_err(|e| e.to_string())?;
    let renv = ResolveEnv::current(Flavour::detect(), ExecPolicy::Unknown);
    let r = ssh::resolve(&req, &renv).map_err(|e| e.to_string())?;
    Ok(Builtin {
        interval_origin: r
            .effective
            .get("serveraliveinterval")
            .map(|v| v.origin.clone()),
        shadowed: r
            .shadowed
            .iter()
            .filter(|s| s.key == "serveraliveinterval")
            .map(|s| s.origin.clone())
            .collect(),
        depends_on_exec: r.keepalive_depends_on_exec.first().cloned(),
        effective: r.effective,
        notes,
    })
}

/// Decodes the hook's stdin (all of it) into ref updates.
pub fn read_updates(bytes: &[u8]) -> Result<Vec<RefUpdate>, CheckError> {
    let text = std::str::from_utf8(bytes).map_err(|e| crate::plan::StdinError {
        line: bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1,
        reason: "not valid UTF-8".into(),
    })?;
    Ok(crate::plan::parse_updates(text)?)
}

/// A push the dry run builds: the current branch (or `refspecs`) to `remote`.
pub fn plan_for_check(
    cwd: &Path,
    cfg: &GitConfig,
    remote: Option<&str>,
    refspecs: &[String],
    stdin_updates: Option<Vec<RefUpdate>>,
) -> Result<PushPlan, CheckError> {
    let branch = git_out(cwd, &["symbolic-ref", "-q", "--short", "HEAD"]).ok();
    let remote = match remote {
        Some(r) => r.to_string(),
        None => branch
            .as_deref()
            .and_then(|b| {
                cfg.get(&format!("branch.{b}.pushremote"))
                    .or_else(|| cfg.get("remote.pushdefault"))
                    .or_else(|| cfg.get(&format!("branch.{b}.remote")))
            })
            .unwrap_or("origin")
            .to_string(),
    };
    let is_remote = git::is_remote_name(cfg, &remote);
    let url = if is_remote {
        git_out(cwd, &["remote", "get-url", "--push", &remote])?
    } else if remote.contains(':') || remote.contains('/') {
        remote.clone()
    } else {
        return Err(CheckError::Plan(format!(
            "{remote:?} is neither a configured remote nor a URL"
        )));
    };
    let updates = match stdin_updates {
        Some(u) => u,
        None => {
            let specs: Vec<String> = if refspecs.is_empty() {
                match &branch {
                    Some(b) => vec![b.clone()],
                    None => {
                        return Err(CheckError::Plan(
                            "HEAD is detached: name what to push (pushguard check <remote> <refspec>)"
                                .into(),
                        ));
                    }
                }
            } else {
                refspecs.to_vec()
            };
            // The remote whose tracking refs stand for what the server has.
            let tracking = if is_remote {
                Some(remote.clone())
            } else {
                git::remote_for_url(cfg, &url)
            };
            let mut updates = Vec::new();
            for spec in &specs {
                updates.push(update_for_refspec(cwd, tracking.as_deref(), spec)?);
            }
            updates
        }
    };
    Ok(PushPlan {
        remote,
        url,
        updates,
    })
}

fn update_for_refspec(
    cwd: &Path,
    tracking: Option<&str>,
    spec: &str,
) -> Result<RefUpdate, CheckError> {
    let spec = spec.strip_prefix('+').unwrap_or(spec);
    let (src, dst) = match spec.split_once(':') {
        Some((s, d)) => (s, Some(d)),
        None => (spec, None),
    };
    if src.is_empty() {
        let dst = dst.unwrap_or_default();
        return Ok(RefUpdate {
            local_ref: "(delete)".into(),
            local_oid: None,
            remote_ref: full_ref(cwd, dst).unwrap_or_else(|| format!("refs/heads/{dst}")),
            remote_oid: None,
        });
    }
    if src.starts_with('-') {
        return Err(CheckError::Plan(format!("{src:?} is not a ref")));
    }
    let local_oid = git_out(cwd, &["rev-parse", "--verify", src])
        .map_err(|_| CheckError::Plan(format!("{src:?} is not a ref or commit here")))?;
    let src_full = full_ref(cwd, src);
    let remote_ref = match (dst, &src_full) {
        (Some(d), _) if d.starts_with("refs/") => d.to_string(),
        (Some(d), Some(s)) if s.starts_with("refs/tags/") => format!("refs/tags/{d}"),
        (Some(d), _) => format!("refs/heads/{d}"),
        (None, Some(s)) => s.clone(),
        (None, None) => {
            return Err(CheckError::Plan(format!(
                "{src:?} is not a ref: give a destination ({src}:<branch>)"
            )));
        }
    };
    // Best local knowledge of what the remote has: its tracking ref.
    let remote_oid = match (remote_ref.strip_prefix("refs/heads/"), tracking) {
        (Some(b), Some(r)) => git_out(
            cwd,
            &[
                "rev-parse",
                "--verify",
                "-q",
                &format!("refs/remotes/{r}/{b}"),
            ],
        )
        .ok(),
        _ => None,
    };
    Ok(RefUpdate {
        local_ref: src_full.unwrap_or_else(|| src.to_string()),
        local_oid: Some(local_oid),
        remote_ref,
        remote_oid,
    })
}

fn full_ref(cwd: &Path, name: &str) -> Option<String> {
    if name.starts_with('-') {
        return None;
    }
    git_out(cwd, &["rev-parse", "--symbolic-full-name", name])
        .ok()
        .filter(|s| s.starts_with("refs/"))
}

fn git_out(cwd: &Path, args: &[&str]) -> Result<String, git::GitError> {
    let out = Command::new("git").args(args).current_dir(cwd).output()?;
    if !out.status.success() {
        return Err(git::GitError::Failed {
            args: args.join(" "),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The directory a command runs in (for tests and the CLI).
pub fn current_dir() -> PathBuf {
    std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."))
}
