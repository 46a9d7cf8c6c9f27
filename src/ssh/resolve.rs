//! The builtin resolver's passes: what `ssh -G` of the profile's build
//! prints for a destination, with the origin of every value.
//!
//! - [`resolve`]: the command line, the files, canonicalisation, the final
//!   pass when asked for, the output; then the what-if runs for unknown
//!   `Match exec` results.
//! - `Run`: one resolution's state, which the readers of files
//!   (`files.rs`) and of Host/Match lines (`matching.rs`) share.
//!
//! Hand-written because no library reproduces ssh's rules (see issue 3); it
//! never runs `Match exec` commands unless asked (`ExecPolicy::Run`).

use super::exec::{self, ExecPolicy, ExecSite, Forced};
use super::keywords::Op;
use super::options::Options;
use super::profile::Vendor;
use super::readlog::ReadLog;
use super::request::{self, ResolveRequest};
use super::{ConfigError, Origin, Resolution, ResolveEnv, Value, canon, output};

/// State of one resolution.
pub(crate) struct Run<'a> {
    /// Where and as whom.
    pub env: &'a ResolveEnv,
    /// What the lines set so far.
    pub opts: Options,
    /// The host `Host` lines match: as typed, or canonical in the final
    /// pass.
    pub host: String,
    /// The host as typed.
    pub original: String,
    /// The remote command (argv words after the destination, joined).
    pub command: String,
    /// Is this the final pass?
    pub final_pass: bool,
    /// Did a `Match final` ask for one?
    pub want_final: bool,
    /// Did the Match line being read meet a `localnetwork` whose answer
    /// cannot be had here?
    pub network_unknown: bool,
    /// Unknown execs forced true, and the sites met.
    pub forced: &'a mut Forced,
    /// Read buffers of files done, for the next file.
    pub spare: Vec<Vec<u8>>,
    /// What was read, when asked for (`readlog.rs`).
    pub log: Option<ReadLog>,
}

/// Resolves a request like `ssh -G` would.
pub fn resolve(req: &ResolveRequest, env: &ResolveEnv) -> Result<Resolution, ConfigError> {
    resolve_with_log(req, env, None).map(|(res, _)| res)
}

/// [`resolve`], with `log` (when given) filled by the main resolution.
pub(crate) fn resolve_with_log(
    req: &ResolveRequest,
    env: &ResolveEnv,
    log: Option<ReadLog>,
) -> Result<(Resolution, Option<ReadLog>), ConfigError> {
    let req = &*req.under(&env.profile)?;
    let mut forced = Forced::default();
    let (mut res, sites, log) = resolve_once_with(req, env, &mut forced, log)?;
    if env.exec != ExecPolicy::Run && !sites.is_empty() {
        res.exec_unknown = sites.iter().map(|s| s.origin.clone()).collect();
        // Try each unknown exec as true (alone): if a keepalive key
        // changes, the verdict depends on it.
        res.keepalive_depends_on_exec = exec::depends_on_exec(req, env, &res, &sites);
    }
    Ok((res, log))
}

/// One resolution with the execs in `forced` taken as true; also returns
/// the exec sites met.
pub(crate) fn resolve_once(
    req: &ResolveRequest,
    env: &ResolveEnv,
    forced: &mut Forced,
) -> Result<(Resolution, Vec<ExecSite>), ConfigError> {
    resolve_once_with(req, env, forced, None).map(|(res, sites, _)| (res, sites))
}

/// [`resolve_once`], logging what was read into `log` when given.
fn resolve_once_with(
    req: &ResolveRequest,
    env: &ResolveEnv,
    forced: &mut Forced,
    log: Option<ReadLog>,
) -> Result<(Resolution, Vec<ExecSite>, Option<ReadLog>), ConfigError> {
    let mut opts = Options::default();
    let host = request::apply_command_line(req, env, &mut opts)?;
    let mut run = Run {
        env,
        opts,
        host: host.clone(),
        original: host.clone(),
        command: req.command.join(" "),
        final_pass: false,
        want_final: false,
        network_unknown: false,
        forced,
        spare: Vec::new(),
        log,
    };
    run.read_all(req)?;
    let glibc = !matches!(env.profile.vendor, Vendor::Apple | Vendor::Msys);
    let (host, canonicalize) = canon::canonical_host(&mut run.opts, host, glibc)?;
    if canonicalize || run.want_final {
        // The final pass: the files again, matched against the canonical
        // host, the first pass's values kept.
        let origin = run
            .opts
            .value(Op::Hostname)
            .map_or(Origin::CommandLine, |v| v.origin.clone());
        run.opts.set(
            Op::Hostname,
            Value {
                value: host.clone(),
                origin,
            },
        );
        run.host = host.clone();
        run.final_pass = true;
        run.read_all(req)?;
    }
    let sites = std::mem::take(&mut run.forced.seen);
    let log = run.log.take();
    let res = output::finish(run.opts, run.env, &run.original, &host, &run.command)?;
    Ok((res, sites, log))
}
