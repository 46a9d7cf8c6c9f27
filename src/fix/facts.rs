//! What the keepalive is today, and where it comes from — made true before a
//! fix is built on it.
//!
//! The values are the real `ssh -G`'s, run (with `-vvv`) through the command
//! git runs, in the directory git runs it in. The origins are the builtin
//! resolver's, reading the same argv and replaying the `Match exec` results
//! of that run (`ssh::trace`), and they count only when the builtin read the
//! files ssh says it read, knew every exec result, and agrees on both
//! keepalive keys. Otherwise (a wrapper program pushguard cannot see into,
//! a trace ssh did not print, a disagreement) pushguard cannot tell where
//! the value comes from, and says so.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::FixError;
use super::edit::Key;
use crate::check::Env;
use crate::git::{self, SshInvocation};
use crate::process::Failure;
use crate::ssh::probe::ProbeError;
use crate::ssh::trace::{self, Traced, same_file};
use crate::ssh::{
    ConfigError, ExecPolicy, Kind, Origin, Profile, ReadLog, Resolution, ResolveEnv,
    ResolveRequest, resolve_logged,
};

/// How long one `ssh -G` may take.
pub const PROBE_LIMIT: Duration = Duration::from_secs(10);

/// The builtin resolver's answer, when it can be trusted for origins.
#[derive(Debug, Clone)]
pub struct Builtin {
    /// The ssh program (the command's first word).
    pub program: String,
    /// The request (the argv git runs, `-F` made absolute).
    pub req: ResolveRequest,
    /// The environment (exec results replayed from the trace).
    pub env: ResolveEnv,
    /// The resolution.
    pub res: Resolution,
    /// What it read.
    pub log: ReadLog,
    /// The file ssh reads first (the `-F` file or the user file); `None` for `-F none`.
    pub top_file: Option<PathBuf>,
}

/// The keepalive today, and who says so.
#[derive(Debug, Clone)]
pub struct Facts {
    /// The command git runs.
    pub inv: SshInvocation,
    /// The host as ssh gets it (what `Host` patterns match).
    pub host: String,
    /// The directory git runs ssh in (the worktree's top).
    pub top: PathBuf,
    /// The command's words, when it splits without a shell.
    pub words: Option<Vec<String>>,
    /// The real `ssh -G -vvv`.
    pub real: Traced,
    /// The builtin resolver, when its origins are true.
    pub builtin: Option<Builtin>,
    /// Why origins are not known, or other caveats.
    pub notes: Vec<String>,
    /// The ssh build the builtin resolver models.
    pub profile: Profile,
}

impl Facts {
    /// The value of `key` as ssh prints it.
    pub fn value(&self, key: Key) -> Option<u64> {
        self.real.effective.get(key.ssh_g())?.value.parse().ok()
    }

    /// Where `key`'s value comes from (`None`: cannot tell).
    pub fn origin(&self, key: Key) -> Option<Origin> {
        let b = self.builtin.as_ref()?;
        Some(b.res.effective.get(key.ssh_g())?.origin.clone())
    }
}

/// The host as ssh gets it: `[user@]host` without the user.
pub fn alias(inv: &SshInvocation) -> String {
    inv.host_arg
        .rsplit_once('@')
        .map_or(inv.host_arg.as_str(), |(_, h)| h)
        .to_string()
}

/// The words of git's ssh command (`GIT_SSH` is one program word).
pub fn words(inv: &SshInvocation, env: &Env) -> Option<Vec<String>> {
    match inv.use_shell {
        true => git::shell::split_words(&inv.command, &|k| env.get(k)).ok(),
        false => Some(vec![inv.command.clone()]),
    }
}

/// True when the program is ssh itself (not a wrapper).
pub fn is_ssh(words: &[String]) -> bool {
    words.first().is_some_and(|p| {
        Path::new(p)
            .file_name()
            .is_some_and(|n| n == "ssh" || n == "ssh.exe")
    })
}

/// Runs the traced `-G` probe of `inv` in `top`.
pub fn probe(inv: &SshInvocation, top: &Path) -> Result<Traced, FixError> {
    trace::probe(&inv.probe_argv(), top, PROBE_LIMIT).map_err(|e| match e {
        ProbeError::Process(p) => match &p.kind {
            Failure::Exit {
                code: Some(255),
                stderr,
                ..
            } => FixError::SshRejects(trace::errors(stderr)),
            _ => FixError::Probe(p.to_string()),
        },
        ProbeError::Empty => FixError::Probe(e.to_string()),
    })
}

/// The builtin request for `host_arg` with the command's own words, `-F` made
/// absolute against `top` (where ssh opens a relative one).
pub fn request(
    inv: &SshInvocation,
    words: &[String],
    host_arg: &str,
    top: &Path,
) -> Result<ResolveRequest, String> {
    let mut args: Vec<String> = words.iter().skip(1).cloned().collect();
    if host_arg == inv.host_arg {
        args.extend(inv.options.iter().cloned());
    }
    args.push(host_arg.to_string());
    let mut req = ResolveRequest::from_ssh_args(&args).map_err(|e| e.to_string())?;
    if let Some(c) = &req.config
        && !c.eq_ignore_ascii_case("none")
        && Path::new(c).is_relative()
    {
        req.config = Some(top.join(c).display().to_string());
    }
    Ok(req)
}

/// The file ssh reads first for `req`.
pub fn top_file(req: &ResolveRequest, env: &ResolveEnv) -> Option<PathBuf> {
    match &req.config {
        Some(c) if c.eq_ignore_ascii_case("none") => None,
        Some(c) => Some(PathBuf::from(c)),
        None => Some(env.user_config.clone()),
    }
}

/// The builtin resolution of `req` for the ssh `program` replaying
/// `real`'s exec results, and why its origins cannot be trusted, if they
/// cannot.
pub fn replay(
    req: &ResolveRequest,
    program: &str,
    profile: Profile,
    real: &Traced,
) -> Result<(ResolveEnv, Resolution, ReadLog), String> {
    if !real.trace.is_present() {
        return Err("ssh printed no trace of what it read (-E or -y in the command?)".into());
    }
    let exec = ExecPolicy::Replay(real.trace.execs.clone());
    let env = ResolveEnv::for_program(program, profile, exec);
    let (res, log) = resolve_logged(req, &env).map_err(|e| match e {
        ConfigError::CannotTell { .. } => e.to_string(),
        _ => format!("the builtin resolver rejects what ssh accepts ({e})"),
    })?;
    if let Some(at) = res.exec_unknown.first() {
        return Err(format!(
            "the Match exec at {at} is not in ssh's trace as the builtin resolver met it"
        ));
    }
    let read: Vec<&Path> = log
        .events
        .iter()
        .filter(|e| matches!(e.kind, Kind::File { .. }))
        .filter_map(|e| match &e.origin {
            Origin::File { path, .. } => Some(path.as_path()),
            _ => None,
        })
        .collect();
    let same = read.len() == real.trace.files.len()
        && read
            .iter()
            .zip(&real.trace.files)
            .all(|(ours, theirs)| same_file(theirs, ours));
    if !same {
        return Err(format!(
            "ssh read {} but the builtin resolver read {}",
            list(real.trace.files.iter().map(|p| p.as_path())),
            list(read.into_iter())
        ));
    }
    for key in [Key::Interval, Key::CountMax] {
        let ours = res.effective.get(key.ssh_g()).map(|v| v.value.as_str());
        let theirs = real.effective.get(key.ssh_g()).map(|v| v.value.as_str());
        if ours != theirs {
            return Err(format!(
                "ssh -G says {} {}, the builtin resolver {}",
                key.keyword(),
                theirs.unwrap_or("nothing"),
                ours.unwrap_or("nothing")
            ));
        }
    }
    Ok((env, res, log))
}

fn list<'a>(paths: impl Iterator<Item = &'a Path>) -> String {
    let v: Vec<String> = paths.map(|p| p.display().to_string()).collect();
    match v.is_empty() {
        true => "no file".into(),
        false => v.join(", "),
    }
}

/// Finds the keepalive for `inv` (run in `top`) and, when they are true, its origins.
pub fn gather(inv: &SshInvocation, top: &Path, env: &Env) -> Result<Facts, FixError> {
    let real = probe(inv, top)?;
    let words = words(inv, env);
    let (profile, mut notes) =
        crate::check::ssh_profile(inv, env).unwrap_or_else(|e| (Profile::newest(), vec![e]));
    let builtin = match &words {
        None => Err(format!(
            "the ssh command {:?} needs a shell to read",
            inv.command
        )),
        Some(w) if !is_ssh(w) => Err(format!(
            "{} is not ssh itself, and pushguard cannot see what it passes to ssh",
            w.first().map_or("the command", String::as_str)
        )),
        Some(w) => request(inv, w, &inv.host_arg, top).and_then(|req| {
            let program = w.first().map_or("ssh", String::as_str).to_string();
            let (env, res, log) = replay(&req, &program, profile.clone(), &real)?;
            let top_file = top_file(&req, &env);
            Ok(Builtin {
                program,
                req,
                env,
                res,
                log,
                top_file,
            })
        }),
    };
    let builtin = match builtin {
        Ok(b) => {
            let ours = b.res.dump();
            let differ: Vec<&str> = ours
                .lines()
                .filter(|l| !l.starts_with("loglevel ") && !real.dump.lines().any(|r| r == *l))
                .collect();
            if !differ.is_empty() {
                notes.push(format!(
                    "the builtin resolver differs from ssh -G on {} other line(s) (first: {})",
                    differ.len(),
                    differ[0]
                ));
            }
            Some(b)
        }
        Err(why) => {
            notes.push(format!(
                "pushguard cannot tell where the keepalive comes from: {why}"
            ));
            None
        }
    };
    Ok(Facts {
        inv: inv.clone(),
        host: alias(inv),
        top: top.to_path_buf(),
        words,
        real,
        builtin,
        notes,
        profile,
    })
}
