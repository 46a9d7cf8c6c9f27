//! `Match exec`: a criterion whose truth only running a command tells.
//!
//! - [`ExecPolicy`]: never run (the default: the result is a third truth
//!   value), run through the shell like ssh, or replay what a real
//!   `ssh -G -vvv` ran (`trace.rs`).
//! - [`ExecSite`], [`Forced`]: the exec lines met, and those taken as true
//!   for a what-if resolution.
//! - [`depends_on_exec`]: which unknown execs change the keepalive.
//! - [`run_shell`]: runs one command like ssh (`$SHELL -c`, 30 s bound).
//!
//! Hand-written: the hook must not run commands from configs, yet must say
//! when its verdict hangs on one.

use std::time::Duration;

use super::request::ResolveRequest;
use super::resolve::resolve_once;
use super::trace::Replay;
use super::{Origin, Resolution, ResolveEnv};

/// Whether `Match exec` commands run.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ExecPolicy {
    /// Never run them: the result is unknown (taken as not matching, and
    /// reported in `Resolution::exec_unknown`).
    #[default]
    Unknown,
    /// Run them through the shell like ssh does (for comparison).
    Run,
    /// Take each result, in order, from a real ssh run's trace; one the
    /// trace does not give (or gives for another line) is unknown, and so
    /// is every one after it.
    Replay(Replay),
}

/// A `Match exec` site: file, line and command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ExecSite {
    /// The Match line.
    pub origin: Origin,
    /// The command after `%` expansion.
    pub cmd: String,
}

/// Unknown execs forced true for a what-if run, and the sites met.
#[derive(Debug, Default)]
pub(crate) struct Forced {
    /// Sites taken as true.
    pub truthy: Vec<ExecSite>,
    /// Sites met so far.
    pub seen: Vec<ExecSite>,
    /// How many replayed results were taken (`usize::MAX` once one did not fit).
    pub replayed: usize,
}

impl Forced {
    /// The result of an exec under [`ExecPolicy::Unknown`]: true only when
    /// forced; the site is remembered.
    pub(crate) fn unknown(&mut self, site: ExecSite) -> bool {
        let t = self.truthy.contains(&site);
        if !self.seen.contains(&site) {
            self.seen.push(site);
        }
        t
    }

    /// The result of an exec under [`ExecPolicy::Replay`]: the next result
    /// of the trace when it is for this line, else unknown from here on.
    pub(crate) fn replay(&mut self, replay: &Replay, site: ExecSite) -> bool {
        match replay.get(self.replayed) {
            Some(r) if r.is_at(&site.origin) => {
                self.replayed += 1;
                r.succeeded
            }
            _ => {
                self.replayed = usize::MAX;
                self.unknown(site)
            }
        }
    }
}

/// The unknown exec sites (up to 16) that change ServerAliveInterval or
/// ServerAliveCountMax when taken as true, each alone.
pub(crate) fn depends_on_exec(
    req: &ResolveRequest,
    env: &ResolveEnv,
    res: &Resolution,
    sites: &[ExecSite],
) -> Vec<Origin> {
    let keepalive = |r: &Resolution| {
        ["serveraliveinterval", "serveralivecountmax"]
            .map(|k| r.effective.get(k).map(|v| v.value.clone()))
    };
    let base = keepalive(res);
    let mut out = Vec::new();
    for site in sites.iter().take(16) {
        let mut f = Forced {
            truthy: vec![site.clone()],
            ..Forced::default()
        };
        if let Ok((r, _)) = resolve_once(req, env, &mut f)
            && keepalive(&r) != base
        {
            out.push(site.origin.clone());
        }
    }
    out
}

/// Runs a `Match exec` command like ssh: `$SHELL -c`, stdin and stdout on
/// /dev/null, bounded to 30 s. `None` when it cannot run or is killed.
pub(crate) fn run_shell(cmd: &str) -> Option<bool> {
    let shell = std::env::var("SHELL").unwrap_or_else(|_| "/bin/sh".into());
    let status = crate::process::ProcessBuilder::new(shell)
        .arg("-c")
        .arg(cmd)
        .timeout(Duration::from_secs(30))
        .status()
        .ok()?;
    status.code().map(|c| c == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_sites_are_false_unless_forced() {
        let site = |line| ExecSite {
            origin: Origin::File {
                path: "/c".into(),
                line,
            },
            cmd: "true".into(),
        };
        let mut f = Forced {
            truthy: vec![site(2)],
            ..Forced::default()
        };
        assert!(!f.unknown(site(1)));
        assert!(f.unknown(site(2)));
        assert!(!f.unknown(site(1)));
        assert_eq!(f.seen, [site(1), site(2)]);
    }

    #[test]
    fn the_shell_answers() {
        assert_eq!(run_shell("exit 0"), Some(true));
        assert_eq!(run_shell("exit 3"), Some(false));
    }
}
