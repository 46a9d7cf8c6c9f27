//! The builtin resolver: what OpenSSH 9.2 `ssh -G` prints for a destination,
//! with the origin of every value. Owns the ssh command line (`-F -o -p -l
//! -i -J -4 -6` …), the file order (user file from the passwd home, then the
//! system file; `-F` replaces both), `Host`/`Match` evaluation, `Include`
//! (globs, depth, inherited block state), the final pass, defaults and the
//! `ssh -G` output.
//!
//! Hand-written because no library reproduces ssh's rules (see issue 3); it
//! never runs `Match exec` commands unless asked (`ExecPolicy::Run`).

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::lex::{self, ListMatch, match_hostname, match_pattern, match_pattern_list};
use super::options::{self, Applied, Block, LineCtx, Op, Options, Slot};
use super::{Effective, Origin, Value};

/// A config ssh would reject, or a command line it would refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// A bad line: ssh's reason, the file and the line.
    #[error("{}", line_message(file, *line, reason))]
    Line {
        /// The file (`command-line` for `-o`).
        file: String,
        /// 1-based line (0 for the command line).
        line: usize,
        /// ssh's reason.
        reason: String,
    },
    /// A file ssh must read but cannot.
    #[error("Can't open user config file {}: {reason}", path.display())]
    Open {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// An included or user file with unsafe owner or mode.
    #[error("Bad owner or permissions on {}", path.display())]
    Permissions {
        /// The file.
        path: PathBuf,
    },
    /// More than 16 nested includes.
    #[error("{file} line {line}: Too many recursive configuration includes")]
    Depth {
        /// The including file.
        file: String,
        /// The Include line.
        line: usize,
    },
    /// A command line ssh refuses.
    #[error("{0}")]
    Usage(String),
    /// Something only a DNS lookup could answer (the resolver does none).
    #[error("{0}")]
    NeedsDns(String),
}

/// ssh's own message layout (it puts a colon after the file name only for
/// unknown keywords).
fn line_message(file: &str, line: usize, reason: &str) -> String {
    if reason.starts_with("Bad configuration option") {
        format!("{file}: line {line}: {reason}")
    } else {
        format!("{file} line {line}: {reason}")
    }
}

/// Whether `Match exec` commands run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExecPolicy {
    /// Never run them: the result is unknown (taken as not matching, and
    /// reported in `Resolution::exec_unknown`).
    #[default]
    Unknown,
    /// Run them through the shell like ssh does (for comparison).
    Run,
}

/// The ssh build whose defaults apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Flavour {
    /// Upstream OpenSSH.
    OpenBsd,
    /// Debian's ssh: `BatchMode yes` makes ServerAliveInterval default 300.
    #[default]
    Debian,
}

impl Flavour {
    /// The flavour of an `ssh -V` banner.
    pub fn from_version(banner: &str) -> Flavour {
        if banner.contains("Debian") || banner.contains("Ubuntu") {
            Flavour::Debian
        } else {
            Flavour::OpenBsd
        }
    }

    /// Runs `ssh -V` and reads the flavour; upstream when ssh is missing.
    pub fn detect() -> Flavour {
        match std::process::Command::new("ssh").arg("-V").output() {
            Ok(o) => Flavour::from_version(&String::from_utf8_lossy(&o.stderr)),
            Err(_) => Flavour::OpenBsd,
        }
    }
}

/// Where the resolver looks and what it may do.
#[derive(Debug, Clone)]
pub struct ResolveEnv {
    /// The user file (`~/.ssh/config` of the passwd home).
    pub user_config: PathBuf,
    /// The system file.
    pub system_config: PathBuf,
    /// Home directory from passwd (for `~` and `%d`).
    pub home: PathBuf,
    /// Where `~` points in `Include` paths: ssh globs them with the C
    /// library's tilde rule, which prefers `$HOME` over passwd.
    pub include_home: PathBuf,
    /// Local login name.
    pub local_user: String,
    /// Local uid.
    pub uid: u32,
    /// The ssh build.
    pub flavour: Flavour,
    /// Whether `Match exec` runs.
    pub exec: ExecPolicy,
}

impl ResolveEnv {
    /// The environment of the current process: the passwd entry of the uid
    /// that owns `/proc/self` (ssh uses `getpwuid(getuid())`, not `$HOME`).
    pub fn current(flavour: Flavour, exec: ExecPolicy) -> ResolveEnv {
        use std::os::unix::fs::MetadataExt;
        let uid = std::fs::metadata("/proc/self")
            .map(|m| m.uid())
            .unwrap_or(0);
        let (name, home) = passwd_entry(uid).unwrap_or_else(|| {
            (
                std::env::var("USER").unwrap_or_else(|_| "root".into()),
                PathBuf::from(std::env::var("HOME").unwrap_or_else(|_| "/".into())),
            )
        });
        let include_home = std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| home.clone());
        ResolveEnv {
            include_home,
            user_config: home.join(".ssh/config"),
            system_config: PathBuf::from("/etc/ssh/ssh_config"),
            home,
            local_user: name,
            uid,
            flavour,
            exec,
        }
    }
}

/// Name and home of `uid` from `/etc/passwd`.
fn passwd_entry(uid: u32) -> Option<(String, PathBuf)> {
    let text = std::fs::read_to_string("/etc/passwd").ok()?;
    text.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.len() >= 6 && f[2].parse::<u32>().ok() == Some(uid))
            .then(|| (f[0].to_string(), PathBuf::from(f[5])))
    })
}

/// One command-line option that affects the configuration, in argv order.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    /// `-o line`.
    Option(String),
    /// `-p port`.
    Port(String),
    /// `-l user`.
    User(String),
    /// `-J jump`.
    Jump(String),
    /// `-i file`.
    Identity(String),
    /// A flag or flag with argument that sets something directly.
    Flag(char, Option<String>),
}

/// What to resolve: the ssh command line minus program and remote command.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResolveRequest {
    /// `-F file` (`none` reads nothing).
    pub config: Option<String>,
    steps: Vec<Step>,
    /// The destination as typed (`[user@]host` or `ssh://…`).
    pub destination: String,
    /// How many steps precede the destination in argv (`None`: all).
    dest_at: Option<usize>,
}

/// ssh's option letters that take an argument.
const WITH_ARG: &str = "bceilmopBDEFIJLOQRSwW";
/// ssh's option letters without an argument.
const NO_ARG: &str = "1246afgknqstvxACGKMNPTVXYy";

impl ResolveRequest {
    /// Parses an ssh argv (without the program name); words after the
    /// destination that are not options are the remote command (ignored).
    pub fn from_ssh_args(args: &[String]) -> Result<ResolveRequest, ConfigError> {
        let mut req = ResolveRequest::default();
        let mut dest: Option<String> = None;
        let mut i = 0;
        while i < args.len() {
            let a = &args[i];
            if a == "--" {
                if dest.is_none() {
                    dest = args.get(i + 1).cloned();
                    req.dest_at = Some(req.steps.len());
                }
                break;
            }
            if !a.starts_with('-') || a.len() < 2 {
                if dest.is_some() {
                    break;
                }
                dest = Some(a.clone());
                req.dest_at = Some(req.steps.len());
                i += 1;
                continue;
            }
            let b: Vec<char> = a[1..].chars().collect();
            let mut k = 0;
            while k < b.len() {
                let c = b[k];
                if WITH_ARG.contains(c) {
                    let rest: String = b[k + 1..].iter().collect();
                    let val = if !rest.is_empty() {
                        rest
                    } else {
                        i += 1;
                        args.get(i).cloned().ok_or_else(|| {
                            ConfigError::Usage(format!("option requires an argument -- {c}"))
                        })?
                    };
                    req.push_opt(c, val);
                    break;
                } else if NO_ARG.contains(c) {
                    req.steps.push(Step::Flag(c, None));
                    k += 1;
                } else {
                    return Err(ConfigError::Usage(format!("unknown option -- {c}")));
                }
            }
            i += 1;
        }
        req.destination = dest.ok_or_else(|| ConfigError::Usage("no destination".into()))?;
        Ok(req)
    }

    fn push_opt(&mut self, c: char, val: String) {
        let step = match c {
            'F' => {
                self.config = Some(val);
                return;
            }
            'o' => Step::Option(val),
            'p' => Step::Port(val),
            'l' => Step::User(val),
            'J' => Step::Jump(val),
            'i' => Step::Identity(val),
            _ => Step::Flag(c, Some(val)),
        };
        self.steps.push(step);
    }

    /// Builds a request from the `resolve` subcommand's fields.
    pub fn new(destination: &str) -> ResolveRequest {
        ResolveRequest {
            destination: destination.to_string(),
            ..ResolveRequest::default()
        }
    }

    /// Adds `-o key=value`.
    pub fn option(mut self, line: &str) -> Self {
        self.steps.push(Step::Option(line.to_string()));
        self
    }
    /// Adds `-p port`.
    pub fn port(mut self, port: &str) -> Self {
        self.steps.push(Step::Port(port.to_string()));
        self
    }
    /// Adds `-l user`.
    pub fn user(mut self, user: &str) -> Self {
        self.steps.push(Step::User(user.to_string()));
        self
    }
    /// Adds `-J jump`.
    pub fn jump(mut self, jump: &str) -> Self {
        self.steps.push(Step::Jump(jump.to_string()));
        self
    }
    /// Adds `-i file`.
    pub fn identity(mut self, file: &str) -> Self {
        self.steps.push(Step::Identity(file.to_string()));
        self
    }
    /// Adds `-4` (true) or `-6` (false).
    pub fn family(mut self, inet4: bool) -> Self {
        self.steps
            .push(Step::Flag(if inet4 { '4' } else { '6' }, None));
        self
    }
}

/// A line that set a keepalive key but lost, and the line that won.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shadowed {
    /// The `ssh -G` key.
    pub key: String,
    /// The value the losing line asked for.
    pub value: String,
    /// The losing line.
    pub origin: Origin,
    /// The winning value and line (`None` when the default applies).
    pub winner: Option<Value>,
}

/// The outcome: every `ssh -G` key with its value(s) and origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    /// The effective options, in `ssh -G` order.
    pub effective: Effective,
    /// Keepalive lines that lost.
    pub shadowed: Vec<Shadowed>,
    /// `Match exec` lines whose result was not known (policy `Unknown`).
    pub exec_unknown: Vec<Origin>,
    /// `Match exec` lines on which ServerAliveInterval/CountMax depend.
    pub keepalive_depends_on_exec: Vec<Origin>,
}

impl Resolution {
    /// The `ssh -G` text.
    pub fn dump(&self) -> String {
        let mut s = String::new();
        for (k, vs) in self.effective.entries() {
            // ssh prints this one key with a capital P.
            let k = if k == "canonicalizepermittedcnames" {
                "canonicalizePermittedcnames"
            } else {
                k.as_ref()
            };
            for v in vs {
                s.push_str(k);
                s.push(' ');
                s.push_str(&v.value);
                s.push('\n');
            }
        }
        s
    }

    /// Per key: value and origin; for keepalive keys the lines that lost.
    pub fn explain(&self) -> String {
        let mut s = String::new();
        for (k, vs) in self.effective.entries() {
            for v in vs {
                s.push_str(&format!("{k} {}\t# {}\n", v.value, v.origin));
            }
            for sh in self.shadowed.iter().filter(|x| &x.key == k) {
                let won = match &sh.winner {
                    Some(w) => format!("{} from {}", w.value, w.origin),
                    None => "default".into(),
                };
                s.push_str(&format!(
                    "  shadowed: {k} {} at {} (lost to {won})\n",
                    sh.value, sh.origin
                ));
            }
        }
        for o in &self.keepalive_depends_on_exec {
            s.push_str(&format!(
                "# keepalive depends on the unknown result of Match exec at {o}\n"
            ));
        }
        s
    }

    /// The same as JSON.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::json;
        let origin = |o: &Origin| json!(o.to_string());
        let options: Vec<serde_json::Value> = self
            .effective
            .entries()
            .iter()
            .map(|(k, vs)| {
                json!({
                    "key": k,
                    "values": vs.iter().map(|v| json!({"value": v.value, "origin": origin(&v.origin)})).collect::<Vec<_>>(),
                })
            })
            .collect();
        json!({
            "options": options,
            "shadowed": self.shadowed.iter().map(|s| json!({
                "key": s.key, "value": s.value, "origin": origin(&s.origin),
                "winner": s.winner.as_ref().map(|w| json!({"value": w.value, "origin": origin(&w.origin)})),
            })).collect::<Vec<_>>(),
            "exec_unknown": self.exec_unknown.iter().map(origin).collect::<Vec<_>>(),
            "keepalive_depends_on_exec": self.keepalive_depends_on_exec.iter().map(origin).collect::<Vec<_>>(),
        })
    }
}

/// Resolves a request like `ssh -G` would.
pub fn resolve(req: &ResolveRequest, env: &ResolveEnv) -> Result<Resolution, ConfigError> {
    let mut forced = Forced::default();
    let (mut res, sites) = resolve_once(req, env, &mut forced)?;
    if env.exec == ExecPolicy::Unknown && !sites.is_empty() {
        res.exec_unknown = sites.iter().map(|s| s.origin.clone()).collect();
        // Try each unknown exec as true (alone): if a keepalive key changes,
        // the verdict depends on it.
        let key = |r: &Resolution| {
            (
                r.effective
                    .get("serveraliveinterval")
                    .map(|v| v.value.clone()),
                r.effective
                    .get("serveralivecountmax")
                    .map(|v| v.value.clone()),
            )
        };
        let base = key(&res);
        for site in sites.iter().take(16) {
            let mut f = Forced {
                truthy: vec![site.clone()],
                seen: Vec::new(),
            };
            if let Ok((r, _)) = resolve_once(req, env, &mut f)
                && key(&r) != base
            {
                res.keepalive_depends_on_exec.push(site.origin.clone());
            }
        }
    }
    Ok(res)
}

/// A `Match exec` site: file, line and command.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ExecSite {
    origin: Origin,
    cmd: String,
}

/// Unknown execs forced true for a what-if run, and the sites met.
#[derive(Debug, Default)]
struct Forced {
    truthy: Vec<ExecSite>,
    seen: Vec<ExecSite>,
}

/// State of one resolution.
struct Run<'a> {
    env: &'a ResolveEnv,
    opts: Options,
    host: String,
    original: String,
    final_pass: bool,
    want_final: bool,
    forced: &'a mut Forced,
    /// Read buffers of files done, for the next file.
    spare: Vec<Vec<u8>>,
    /// Mask buffers of files done ([`lex::Masks`]), likewise.
    spare_masks: Vec<Vec<[u64; 3]>>,
}

fn resolve_once(
    req: &ResolveRequest,
    env: &ResolveEnv,
    forced: &mut Forced,
) -> Result<(Resolution, Vec<ExecSite>), ConfigError> {
    let mut opts = Options::default();
    let cmd_ctx = LineCtx {
        path: None,
        line: 0,
        active: true,
        userconf: true,
    };
    let mut family_forced: Option<&str> = None;
    let mut verbose = false;
    let mut direct: Vec<(Op, String)> = Vec::new();
    let dest_at = req.dest_at.unwrap_or(req.steps.len());
    let mut host = None;
    for (n, step) in req.steps.iter().enumerate() {
        if n == dest_at {
            host = Some(apply_destination(&req.destination, &mut opts, &cmd_ctx)?);
        }
        match step {
            Step::Option(line) => {
                opts.apply(
                    lex::Line::Raw(line),
                    &cmd_ctx,
                    true,
                    &mut lex::Words::default(),
                )
                .map_err(|reason| ConfigError::Line {
                    file: "command-line".into(),
                    line: 0,
                    reason,
                })?;
            }
            Step::Port(p) => {
                if opts.unset(Op::Port) {
                    match lex::a2port(p) {
                        Some(n) if n > 0 => opts.set_first(Op::Port, n.to_string(), &cmd_ctx),
                        _ => return Err(ConfigError::Usage(format!("Bad port '{p}'"))),
                    }
                }
            }
            Step::User(u) => opts.set_first(Op::User, u.clone(), &cmd_ctx),
            Step::Jump(j) => {
                if opts.jump.is_some() {
                    return Err(ConfigError::Usage(
                        "Only a single -J option is permitted (use commas to separate multiple jump hops)".into(),
                    ));
                }
                if !opts.unset(Op::ProxyCommand) {
                    return Err(ConfigError::Usage(
                        "Cannot specify -J with ProxyCommand".into(),
                    ));
                }
                opts.apply(
                    lex::Line::Raw(&format!("ProxyJump {j}")),
                    &cmd_ctx,
                    true,
                    &mut lex::Words::default(),
                )
                .map_err(|_| ConfigError::Usage("Invalid -J argument".into()))?;
                opts.scalar.insert(
                    Op::ProxyCommand,
                    Slot {
                        text: "none".into(),
                        origin: Origin::CommandLine,
                    },
                );
            }
            Step::Identity(f) => {
                let p = tilde(f, &env.home);
                if Path::new(&p).exists() {
                    opts.add_identity_cmdline(p).map_err(ConfigError::Usage)?;
                }
            }
            Step::Flag(c, arg) => match (c, arg) {
                ('4', _) => family_forced = Some("inet"),
                ('6', _) => family_forced = Some("inet6"),
                ('A', _) => direct.push((Op::ForwardAgent, "yes".into())),
                ('a', _) => direct.push((Op::ForwardAgent, "no".into())),
                ('X', _) => direct.push((Op::ForwardX11, "yes".into())),
                ('x', _) => direct.push((Op::ForwardX11, "no".into())),
                ('Y', _) => {
                    direct.push((Op::ForwardX11, "yes".into()));
                    direct.push((Op::ForwardX11Trusted, "yes".into()));
                }
                ('g', _) => direct.push((Op::GatewayPorts, "yes".into())),
                ('C', _) => direct.push((Op::Compression, "yes".into())),
                ('T', _) => direct.push((Op::RequestTty, "false".into())),
                ('N', _) => {
                    direct.push((Op::SessionType, "none".into()));
                    direct.push((Op::RequestTty, "false".into()));
                }
                ('n', _) => direct.push((Op::StdinNull, "yes".into())),
                ('f', _) => {
                    direct.push((Op::ForkAfterAuthentication, "yes".into()));
                    direct.push((Op::StdinNull, "yes".into()));
                }
                ('q', _) => direct.push((Op::LogLevel, "SILENT".into())),
                ('v', _) => {
                    const LEVELS: [&str; 8] = [
                        "SILENT", "FATAL", "ERROR", "INFO", "VERBOSE", "DEBUG", "DEBUG2", "DEBUG3",
                    ];
                    let cur = opts
                        .get(Op::LogLevel)
                        .and_then(|l| LEVELS.iter().position(|x| *x == l));
                    let next = if !verbose {
                        verbose = true;
                        Some(5)
                    } else {
                        cur.map(|c| if c < 7 { c + 1 } else { c })
                    };
                    if let Some(n) = next {
                        direct.push((Op::LogLevel, LEVELS[n].into()));
                    }
                }
                ('M', _) => direct.push((Op::ControlMaster, "true".into())),
                ('S', Some(p)) => direct.push((Op::ControlPath, p.clone())),
                ('b', Some(p)) => direct.push((Op::BindAddress, p.clone())),
                ('B', Some(p)) => direct.push((Op::BindInterface, p.clone())),
                _ => {}
            },
        }
        // Direct flags overwrite whatever is there, like ssh's assignments.
        for (op, text) in direct.drain(..) {
            opts.scalar.insert(
                op,
                Slot {
                    text,
                    origin: Origin::CommandLine,
                },
            );
        }
        if let Some(f) = family_forced.take() {
            opts.scalar.insert(
                Op::AddressFamily,
                Slot {
                    text: f.into(),
                    origin: Origin::CommandLine,
                },
            );
        }
    }

    if opts.get(Op::SessionType) == Some("subsystem") {
        return Err(ConfigError::Usage(
            "You must specify a subsystem to invoke.".into(),
        ));
    }

    let host = match host {
        Some(h) => h,
        None => apply_destination(&req.destination, &mut opts, &cmd_ctx)?,
    };

    let mut run = Run {
        env,
        opts,
        host: host.clone(),
        original: host.clone(),
        final_pass: false,
        want_final: false,
        forced,
        spare: Vec::new(),
        spare_masks: Vec::new(),
    };
    run.read_all(req)?;

    // Canonicalisation needs three options filled now, so the final pass
    // can no longer change them.
    for (op, def) in [
        (Op::CanonicalizeMaxDots, "1"),
        (Op::CanonicalizeFallbackLocal, "yes"),
        (Op::CanonicalizeHostname, "false"),
    ] {
        if run.opts.unset(op) {
            run.opts.scalar.insert(
                op,
                Slot {
                    text: def.into(),
                    origin: Origin::Default,
                },
            );
        }
    }
    let canon = run
        .opts
        .get(Op::CanonicalizeHostname)
        .unwrap_or("false")
        .to_string();
    let mut host = host;
    if let Some(hn) = run.opts.get(Op::Hostname).map(str::to_string) {
        host = percent_expand(&hn, &[('h', &host)])?;
        run.opts.scalar.insert(
            Op::Hostname,
            Slot {
                text: host.clone(),
                origin: run.opts.scalar[&Op::Hostname].origin.clone(),
            },
        );
    }
    let was_addr = is_addr_fast(&host) || numeric_ipv4(&host).is_some();
    if !was_addr {
        host = host.to_ascii_lowercase();
    }
    if was_addr {
        if let Some(a) = numeric_ipv4(&host) {
            if !host.eq_ignore_ascii_case(&a) && run.opts.get(Op::AddressFamily) != Some("inet6") {
                host = a;
            }
        } else if let Ok(v6) = host.parse::<std::net::Ipv6Addr>() {
            let t = v6.to_string();
            if !host.eq_ignore_ascii_case(&t) && run.opts.get(Op::AddressFamily) != Some("inet") {
                host = t;
            }
        }
    } else if canon != "false" {
        let direct = run
            .opts
            .get(Op::ProxyCommand)
            .is_none_or(|p| p.eq_ignore_ascii_case("none"))
            && run.opts.jump.is_none();
        if direct || canon == "always" {
            let max_dots: usize = run
                .opts
                .get(Op::CanonicalizeMaxDots)
                .and_then(|s| s.parse().ok())
                .unwrap_or(1);
            let dots = host.matches('.').count();
            // ssh tries each CanonicalDomains suffix (a DNS lookup each)
            // and then, with CanonicalizeFallbackLocal no, gives up: with no
            // suffix to try that needs no DNS to know.
            let tries = host.ends_with('.') || dots <= max_dots;
            let suffixes = run
                .opts
                .list(Op::CanonicalDomains)
                .first()
                .is_some_and(|d| !d.text.eq_ignore_ascii_case("none"));
            if tries && run.opts.get(Op::CanonicalizeFallbackLocal) == Some("no") {
                let msg = format!("ssh: Could not resolve host \"{host}\"");
                return Err(if suffixes {
                    ConfigError::NeedsDns(format!("{msg} (the builtin resolver does no DNS)"))
                } else {
                    ConfigError::Usage(msg)
                });
            }
        }
    }
    let cnames = run.opts.list(Op::CanonicalizePermittedCnames);
    if !(cnames.is_empty() || (cnames.len() == 1 && cnames[0].text.eq_ignore_ascii_case("none:"))) {
        return Err(ConfigError::NeedsDns(
            "CanonicalizePermittedCNAMEs needs DNS; the builtin resolver does none".into(),
        ));
    }
    if canon != "false" || run.want_final {
        let origin = run
            .opts
            .scalar
            .get(&Op::Hostname)
            .map(|s| s.origin.clone())
            .unwrap_or(Origin::CommandLine);
        run.opts.scalar.insert(
            Op::Hostname,
            Slot {
                text: host.clone(),
                origin,
            },
        );
        run.host = host.clone();
        run.final_pass = true;
        run.read_all(req)?;
    }
    let sites = std::mem::take(&mut run.forced.seen);
    let res = finish(run, req, host)?;
    Ok((res, sites))
}

/// Applies the destination (`ssh://` URI or `[user@]host`, last `@`) at its
/// place in argv; returns the host.
fn apply_destination(
    dest: &str,
    opts: &mut Options,
    cmd_ctx: &LineCtx,
) -> Result<String, ConfigError> {
    let host = if let Some(rest) = dest.strip_prefix("ssh://") {
        let (user, hostport) = match rest.find('@') {
            Some(p) => (
                Some(rest[..p].split(';').next().unwrap_or("")),
                &rest[p + 1..],
            ),
            None => (None, rest),
        };
        if user == Some("") {
            return Err(ConfigError::Usage(format!("bad destination {dest}")));
        }
        let (h, port) = super::options::hpdelim(hostport)
            .ok_or_else(|| ConfigError::Usage(format!("bad destination {dest}")))?;
        let (port, path) = match port {
            Some(p) => match p.split_once('/') {
                Some((a, b)) => (Some(a), Some(b)),
                None => (Some(p), None),
            },
            None => (None, None),
        };
        if path.is_some_and(|p| !p.is_empty()) || h.is_empty() {
            return Err(ConfigError::Usage(format!("bad destination {dest}")));
        }
        if let Some(u) = user {
            opts.set_first(Op::User, u.to_string(), cmd_ctx);
        }
        if let Some(p) = port.filter(|p| !p.is_empty()) {
            let n = lex::a2port(p)
                .filter(|n| *n > 0)
                .ok_or_else(|| ConfigError::Usage(format!("bad destination {dest}")))?;
            opts.set_first(Op::Port, n.to_string(), cmd_ctx);
        }
        h
    } else {
        match dest.rfind('@') {
            Some(0) => return Err(ConfigError::Usage(format!("bad destination {dest}"))),
            Some(p) => {
                opts.set_first(Op::User, dest[..p].to_string(), cmd_ctx);
                dest[p + 1..].to_string()
            }
            None => dest.to_string(),
        }
    };
    Ok(host)
}

impl Run<'_> {
    fn read_all(&mut self, req: &ResolveRequest) -> Result<(), ConfigError> {
        match &req.config {
            Some(c) if c.eq_ignore_ascii_case("none") => Ok(()),
            Some(c) => {
                let path = PathBuf::from(c);
                let mut active = true;
                if !self.read_file(&path, true, false, false, &mut active, 0)? {
                    return Err(ConfigError::Open {
                        path,
                        reason: "No such file or directory".into(),
                    });
                }
                Ok(())
            }
            None => {
                let mut active = true;
                let user = self.env.user_config.clone();
                self.read_file(&user, true, true, false, &mut active, 0)?;
                let mut active = true;
                let sys = self.env.system_config.clone();
                self.read_file(&sys, false, false, false, &mut active, 0)?;
                Ok(())
            }
        }
    }

    /// Reads one file; `Ok(false)` when it does not exist.
    fn read_file(
        &mut self,
        path: &Path,
        userconf: bool,
        checkperm: bool,
        nevermatch: bool,
        active: &mut bool,
        depth: usize,
    ) -> Result<bool, ConfigError> {
        // One open and one fstat per file, like ssh: the permission check
        // and the buffer size both come from the open file.
        let open_err = |e: std::io::Error| ConfigError::Open {
            path: path.to_path_buf(),
            reason: e.to_string(),
        };
        let mut f = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(open_err(e)),
        };
        let meta = f.metadata().ok();
        if checkperm {
            use std::os::unix::fs::MetadataExt;
            if let Some(m) = &meta
                && ((m.uid() != 0 && m.uid() != self.env.uid) || m.mode() & 0o022 != 0)
            {
                return Err(ConfigError::Permissions {
                    path: path.to_path_buf(),
                });
            }
        }
        let size = meta
            .filter(std::fs::Metadata::is_file)
            .and_then(|m| usize::try_from(m.len()).ok());
        let buf = self.spare.pop().unwrap_or_default();
        let bytes = read_all_from(&mut f, size, buf).map_err(open_err)?;
        drop(f);
        let done = match std::str::from_utf8(&bytes) {
            Ok(text) => self.read_text(text, path, userconf, nevermatch, active, depth),
            Err(_) => {
                let text = String::from_utf8_lossy(&bytes);
                self.read_text(&text, path, userconf, nevermatch, active, depth)
            }
        };
        // The buffer serves the next file (files are read one at a time,
        // and an Include nests at most 16 deep).
        self.spare.push(bytes);
        done
    }

    /// Applies the lines of one file's text.
    fn read_text(
        &mut self,
        text: &str,
        path: &Path,
        userconf: bool,
        nevermatch: bool,
        active: &mut bool,
        depth: usize,
    ) -> Result<bool, ConfigError> {
        let file = path.display().to_string();
        let mut first_err: Option<ConfigError> = None;
        let mut words = lex::Words::default();
        let masks = lex::Masks::of(text, self.spare_masks.pop().unwrap_or_default());
        let mut pos = 0;
        let mut ln = 0;
        while pos < text.len() {
            ln += 1;
            // The common lines take a fast path: blank lines, Host lines,
            // and a block's `Keyword value` lines when the block does not
            // apply (a good value there changes nothing).
            if let Some(line) = masks.plain(pos, text.len()) {
                let at = pos;
                if line.is_blank() {
                    pos = line.next;
                    continue;
                }
                let (ks, ke) = line.keyword();
                match options::lookup_plain(text.as_bytes(), at + ks, ke - ks).map(|(_, op)| op) {
                    Some(Op::Host) if line.has_args() => {
                        pos = line.next;
                        *active = !nevermatch
                            && self.host_matches(
                                line.args().filter_map(|(s, e)| text.get(at + s..at + e)),
                            );
                        continue;
                    }
                    Some(op) if !*active && line.has_one_arg() => {
                        let (s, e) = line.rest();
                        let arg = text.as_bytes().get(at + s..at + e).unwrap_or_default();
                        if options::inactive_ok(op, arg) {
                            pos = line.next;
                            continue;
                        }
                    }
                    _ => {}
                }
            }
            let (line, next) = masks.scan_line(text, pos, &mut words);
            pos = next;
            let ctx = LineCtx {
                path: Some(path),
                line: ln,
                active: *active,
                userconf,
            };
            let err = |reason: String| ConfigError::Line {
                file: file.clone(),
                line: ln,
                reason,
            };
            let out = match self.opts.apply(line, &ctx, false, &mut words) {
                Ok(o) => o,
                Err(reason) => {
                    first_err.get_or_insert(err(reason));
                    continue;
                }
            };
            let Applied::Block(block) = out else {
                continue;
            };
            match block {
                Block::Host => *active = !nevermatch && self.host_matches(words.iter()),
                Block::Match(rest) => match self.match_line(rest, &ctx) {
                    Ok((v, consumed)) => {
                        if !consumed {
                            first_err.get_or_insert(err(
                                "keyword match extra arguments at end of line".to_string(),
                            ));
                        }
                        *active = !nevermatch && v;
                    }
                    Err(reason) => {
                        first_err.get_or_insert(err(format!("Bad Match condition ({reason})")));
                    }
                },
                Block::Include => {
                    for arg in words.iter() {
                        if arg.starts_with('~') && !userconf {
                            first_err.get_or_insert(err(format!("bad include path {arg}.")));
                            break;
                        }
                        let full = if !arg.starts_with('/') && !arg.starts_with('~') {
                            if userconf {
                                format!("~/.ssh/{arg}")
                            } else {
                                format!("/etc/ssh/{arg}")
                            }
                        } else {
                            arg.to_string()
                        };
                        let full = tilde(&full, &self.env.include_home);
                        let oactive = *active;
                        for f in glob(&full) {
                            if depth + 1 > 16 {
                                return Err(ConfigError::Depth {
                                    file: file.clone(),
                                    line: ln,
                                });
                            }
                            self.read_file(
                                &f,
                                userconf,
                                true,
                                nevermatch || !oactive,
                                active,
                                depth + 1,
                            )?;
                            *active = oactive;
                        }
                    }
                }
            }
        }
        self.spare_masks.push(masks.into_buf());
        match first_err {
            Some(e) => Err(e),
            None => Ok(true),
        }
    }

    /// Does a Host line with these patterns apply? One matching pattern
    /// makes it apply, unless a matching `!pattern` vetoes it.
    fn host_matches<'w>(&self, patterns: impl Iterator<Item = &'w str>) -> bool {
        let mut on = false;
        for p in patterns {
            let (neg, pat) = match p.strip_prefix('!') {
                Some(r) => (true, r),
                None => (false, p),
            };
            if match_pattern(&self.host, pat) {
                if neg {
                    return false;
                }
                on = true;
            }
        }
        on
    }

    /// Evaluates a Match line: (result, all arguments consumed).
    fn match_line(&mut self, rest: &str, ctx: &LineCtx) -> Result<(bool, bool), String> {
        let ruser: &str = self.opts.get(Op::User).unwrap_or(&self.env.local_user);
        // ssh expands HostName here for every Match line (a bad `%` escape
        // fails even if no criterion needs the host).
        let host: Cow<'_, str> = if self.final_pass {
            Cow::Borrowed(self.opts.get(Op::Hostname).unwrap_or(&self.host))
        } else if let Some(hn) = self.opts.get(Op::Hostname) {
            if hn.contains('%') {
                Cow::Owned(percent_expand(hn, &[('h', &self.original)]).map_err(|e| e.to_string())?)
            } else {
                Cow::Borrowed(hn)
            }
        } else {
            Cow::Borrowed(&self.original)
        };
        let mut cp: Option<&str> = Some(rest);
        let mut result = true;
        let mut attributes = 0;
        while let Some(cur) = cp {
            let Some((oattrib, next)) = lex::strdelim(cur) else {
                break;
            };
            if oattrib.is_empty() {
                cp = next;
                break;
            }
            cp = next;
            if oattrib.starts_with('#') {
                cp = None;
                break;
            }
            let (negate, attrib) = match oattrib.strip_prefix('!') {
                Some(a) => (true, a),
                None => (false, oattrib.as_ref()),
            };
            let is = |name: &str| attrib.eq_ignore_ascii_case(name);
            if is("all") {
                let arg = cp.and_then(lex::strdelim);
                let has_arg = arg
                    .as_ref()
                    .is_some_and(|(a, _)| !a.is_empty() && !a.starts_with('#'));
                if attributes > 1 || has_arg {
                    return Err(format!(
                        "'{oattrib}' cannot be combined with other Match attributes"
                    ));
                }
                if let Some((a, n)) = arg {
                    cp = if a.starts_with('#') { None } else { n };
                }
                if result {
                    result = !negate;
                }
                return Ok((result, cp.is_none_or(str::is_empty)));
            }
            attributes += 1;
            if is("canonical") || is("final") {
                if is("final") {
                    self.want_final = true;
                }
                if self.final_pass == negate {
                    result = false;
                }
                continue;
            }
            let arg = match cp.and_then(lex::strdelim) {
                Some((a, n)) if !a.is_empty() && !a.starts_with('#') => {
                    cp = n;
                    a
                }
                _ => return Err(format!("Missing Match criteria for {attrib}")),
            };
            let r = if is("host") {
                match_hostname(&host, &arg) == ListMatch::Yes
            } else if is("originalhost") {
                match_hostname(&self.original, &arg) == ListMatch::Yes
            } else if is("user") {
                match_pattern_list(ruser, &arg, false) == ListMatch::Yes
            } else if is("localuser") {
                match_pattern_list(&self.env.local_user, &arg, false) == ListMatch::Yes
            } else if is("exec") {
                {
                    if !result {
                        continue;
                    }
                    let port = self.opts.get(Op::Port).unwrap_or("22");
                    let cmd = self.exec_expand(&arg, &host, port, ruser)?;
                    let site = ExecSite {
                        origin: ctx.origin(),
                        cmd: cmd.clone(),
                    };
                    match self.env.exec {
                        ExecPolicy::Run => {
                            run_shell(&cmd).ok_or_else(|| format!("match exec '{cmd}' error"))?
                        }
                        ExecPolicy::Unknown => {
                            let t = self.forced.truthy.contains(&site);
                            if !self.forced.seen.contains(&site) {
                                self.forced.seen.push(site);
                            }
                            t
                        }
                    }
                }
            } else {
                return Err(format!("Unsupported Match attribute {attrib}"));
            };
            if r == negate {
                result = false;
            }
        }
        if attributes == 0 {
            return Err("One or more attributes required for Match".into());
        }
        Ok((result, cp.is_none_or(str::is_empty)))
    }

    fn exec_expand(
        &self,
        arg: &str,
        host: &str,
        port: &str,
        ruser: &str,
    ) -> Result<String, String> {
        let this = thishost();
        let short = this.split('.').next().unwrap_or("").to_string();
        let uid = self.env.uid.to_string();
        let home = self.env.home.display().to_string();
        let keyalias = self.opts.get(Op::HostKeyAlias).unwrap_or(host).to_string();
        let hash = conn_hash(&this, host, port, ruser);
        percent_expand(
            arg,
            &[
                ('C', &hash),
                ('L', &short),
                ('d', &home),
                ('h', host),
                ('k', &keyalias),
                ('l', &this),
                ('n', &self.original),
                ('p', port),
                ('r', ruser),
                ('u', &self.env.local_user),
                ('i', &uid),
            ],
        )
        .map_err(|e| e.to_string())
    }
}

/// Runs a `Match exec` command like ssh: `$SHELL -c`, stdin and stdout on
/// /dev/null, bounded to 30 s. `None` when it cannot run or is killed.
fn run_shell(cmd: &str) -> Option<bool> {
    use std::process::{Command, Stdio};
    let shell = std::env::var("SHELL").unwrap_or_else(|_| "/bin/sh".into());
    let mut child = Command::new(shell)
        .arg("-c")
        .arg(cmd)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .ok()?;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(Some(st)) = child.try_wait() {
            return st.code().map(|c| c == 0);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn thishost() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

fn conn_hash(l: &str, h: &str, p: &str, r: &str) -> String {
    super::sha1::hex(format!("{l}{h}{p}{r}").as_bytes())
}

/// `%x` expansion with the given keys; `%%` is `%`.
fn percent_expand(s: &str, keys: &[(char, &str)]) -> Result<String, ConfigError> {
    let mut out = String::new();
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('%') => out.push('%'),
            Some(k) => match keys.iter().find(|(x, _)| *x == k) {
                Some((_, v)) => out.push_str(v),
                None => {
                    return Err(ConfigError::Usage(format!(
                        "percent_expand: unknown key %{k}"
                    )));
                }
            },
            None => {
                return Err(ConfigError::Usage("percent_expand: invalid format".into()));
            }
        }
    }
    Ok(out)
}

/// `${VAR}` expansion from the environment.
fn dollar_expand(s: &str) -> Result<String, ConfigError> {
    let mut out = String::new();
    let mut rest = s;
    while let Some(p) = rest.find("${") {
        out.push_str(&rest[..p]);
        let after = &rest[p + 2..];
        let end = after
            .find('}')
            .ok_or_else(|| ConfigError::Usage(format!("invalid environment variable in {s}")))?;
        let name = &after[..end];
        let v = std::env::var(name)
            .map_err(|_| ConfigError::Usage(format!("env var ${{{name}}} has no value")))?;
        out.push_str(&v);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn tilde(s: &str, home: &Path) -> String {
    if s == "~" {
        return home.display().to_string();
    }
    match s.strip_prefix("~/") {
        Some(r) => format!("{}/{r}", home.display().to_string().trim_end_matches('/')),
        None => s.to_string(),
    }
}

fn is_addr_fast(h: &str) -> bool {
    h.contains('%') || h.contains(':') || h.bytes().all(|c| c.is_ascii_digit() || c == b'.')
}

/// inet_aton forms (`127.1`, `0x7f.1`, octal) as a dotted quad.
fn numeric_ipv4(h: &str) -> Option<String> {
    let parts: Vec<&str> = h.split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    let num = |s: &str| -> Option<u64> {
        if s.is_empty() {
            return None;
        }
        if let Some(x) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
            if x.is_empty() {
                return Some(0);
            }
            u64::from_str_radix(x, 16).ok()
        } else if s.len() > 1 && s.starts_with('0') {
            u64::from_str_radix(&s[1..], 8).ok()
        } else {
            s.parse().ok()
        }
    };
    let v: Vec<u64> = parts.iter().map(|p| num(p)).collect::<Option<_>>()?;
    let n = v.len();
    let mut addr: u64 = 0;
    for (i, x) in v.iter().enumerate() {
        if i < n - 1 {
            if *x > 255 {
                return None;
            }
            addr |= x << (8 * (3 - i));
        } else {
            let bits = 8 * (4 - i as u32);
            if bits < 64 && *x >= (1u64 << bits) {
                return None;
            }
            addr |= x;
        }
    }
    Some(std::net::Ipv4Addr::from(addr as u32).to_string())
}

/// Reads an open file to its end into `buf` (a spare buffer, reused).
/// `size` is its size when it is a regular file: a read that brings that
/// many bytes ends it (one read for a file that does not change under us);
/// otherwise it reads until end of file.
fn read_all_from(
    f: &mut std::fs::File,
    size: Option<usize>,
    mut buf: Vec<u8>,
) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let want = size.unwrap_or(8192).min(1 << 26) + 1;
    if buf.len() < want {
        buf.resize(want, 0);
    }
    let mut len = 0;
    while size.is_none_or(|s| len < s) {
        if len == buf.len() {
            buf.resize(len * 2, 0);
        }
        match f.read(&mut buf[len..]) {
            Ok(0) => break,
            Ok(k) => len += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    buf.truncate(len);
    Ok(buf)
}

/// Glob with `*`, `?`, `[...]`, results sorted; none when nothing matches.
fn glob(pattern: &str) -> Vec<PathBuf> {
    let wild = |s: &str| s.contains(['*', '?', '[']);
    if !wild(pattern) {
        let p = PathBuf::from(pattern);
        return if p.exists() { vec![p] } else { Vec::new() };
    }
    let comps: Vec<&str> = pattern.split('/').filter(|c| !c.is_empty()).collect();
    // The components before the first wildcard name one directory: start
    // there, with no stat of each ancestor.
    let lit = comps.iter().take_while(|c| !wild(c)).count();
    let mut start = PathBuf::from(if pattern.starts_with('/') { "/" } else { "." });
    for c in &comps[..lit] {
        start.push(c);
    }
    let mut bases = vec![start];
    // A name read from a directory exists (a dangling link is left for
    // the open to ignore, as ssh does); a literal last component does not
    // have to.
    let mut listed = false;
    for (i, comp) in comps.iter().enumerate().skip(lit) {
        let last = i + 1 == comps.len();
        let mut next = BTreeSet::new();
        listed = wild(comp);
        for b in &bases {
            if !wild(comp) {
                let p = b.join(comp);
                if last || p.is_dir() {
                    next.insert(p);
                }
                continue;
            }
            let Ok(rd) = std::fs::read_dir(b) else {
                continue;
            };
            for e in rd.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.starts_with('.') && !comp.starts_with('.') {
                    continue;
                }
                if fnmatch(comp, &name) {
                    next.insert(b.join(&name));
                }
            }
        }
        bases = next.into_iter().collect();
    }
    let mut out: Vec<PathBuf> = if listed {
        bases
    } else {
        bases.into_iter().filter(|p| p.exists()).collect()
    };
    out.sort_by(|a, b| {
        a.as_os_str()
            .as_encoded_bytes()
            .cmp(b.as_os_str().as_encoded_bytes())
    });
    out
}

fn fnmatch(p: &str, s: &str) -> bool {
    fn m(p: &[u8], s: &[u8]) -> bool {
        match p.first() {
            None => s.is_empty(),
            Some(b'*') => (0..=s.len()).any(|k| m(&p[1..], &s[k..])),
            Some(b'?') => !s.is_empty() && m(&p[1..], &s[1..]),
            Some(b'[') => {
                let Some(end) = p[1..].iter().position(|c| *c == b']').map(|e| e + 1) else {
                    return !s.is_empty() && s[0] == b'[' && m(&p[1..], &s[1..]);
                };
                let Some(&c) = s.first() else { return false };
                let set = &p[1..end];
                let (neg, set) = match set.first() {
                    Some(b'!') | Some(b'^') => (true, &set[1..]),
                    _ => (false, set),
                };
                let mut hit = false;
                let mut i = 0;
                while i < set.len() {
                    if i + 2 < set.len() && set[i + 1] == b'-' {
                        hit |= set[i] <= c && c <= set[i + 2];
                        i += 3;
                    } else {
                        hit |= set[i] == c;
                        i += 1;
                    }
                }
                hit != neg && m(&p[end + 1..], &s[1..])
            }
            Some(&c) => !s.is_empty() && s[0] == c && m(&p[1..], &s[1..]),
        }
    }
    m(p.as_bytes(), s.as_bytes())
}

const DEF_CIPHERS: &str = "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,aes256-gcm@openssh.com";
const DEF_HOSTKEY: &str = "ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256-cert-v01@openssh.com,ecdsa-sha2-nistp384-cert-v01@openssh.com,ecdsa-sha2-nistp521-cert-v01@openssh.com,sk-ssh-ed25519-cert-v01@openssh.com,sk-ecdsa-sha2-nistp256-cert-v01@openssh.com,rsa-sha2-512-cert-v01@openssh.com,rsa-sha2-256-cert-v01@openssh.com,ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,sk-ssh-ed25519@openssh.com,sk-ecdsa-sha2-nistp256@openssh.com,rsa-sha2-512,rsa-sha2-256";
const DEF_KEX: &str = "sntrup761x25519-sha512,sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group14-sha256";
const DEF_CASIG: &str = "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,sk-ssh-ed25519@openssh.com,sk-ecdsa-sha2-nistp256@openssh.com,rsa-sha2-512,rsa-sha2-256";
const DEF_MACS: &str = "umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-sha1-etm@openssh.com,umac-64@openssh.com,umac-128@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1";
const DEF_GSSKEX: &str = "gss-group14-sha256-,gss-group16-sha512-,gss-nistp256-sha256-,gss-curve25519-sha256-,gss-group14-sha1-,gss-gex-sha1-";

/// `+list`, `-list`, `^list` against the default list; duplicates go.
fn assemble(v: &str, def: &str) -> String {
    let defs: Vec<&str> = def.split(',').collect();
    if let Some(add) = v.strip_prefix('+') {
        let mut out = defs.clone();
        for a in add.split(',') {
            if !out.contains(&a) {
                out.push(a);
            }
        }
        out.join(",")
    } else if let Some(rm) = v.strip_prefix('-') {
        defs.iter()
            .filter(|d| match_pattern_list(d, rm, false) != ListMatch::Yes)
            .copied()
            .collect::<Vec<_>>()
            .join(",")
    } else if let Some(pre) = v.strip_prefix('^') {
        let mut out: Vec<&str> = Vec::new();
        for a in pre.split(',').chain(defs.iter().copied()) {
            if !out.contains(&a) {
                out.push(a);
            }
        }
        out.join(",")
    } else {
        let mut out: Vec<&str> = Vec::new();
        for a in v.split(',') {
            if !out.contains(&a) {
                out.push(a);
            }
        }
        out.join(",")
    }
}

/// Applies defaults and builds the `ssh -G` output.
fn finish(run: Run<'_>, req: &ResolveRequest, host: String) -> Result<Resolution, ConfigError> {
    let env = run.env;
    let mut o = run.opts;
    let d = |o: &Options, op: Op, def: &str| -> Value {
        match o.scalar.get(&op) {
            Some(s) => Value {
                value: s.text.clone(),
                origin: s.origin.clone(),
            },
            None => Value {
                value: def.to_string(),
                origin: Origin::Default,
            },
        }
    };
    // CLEAR_ON_NONE for command-like strings.
    for op in [
        Op::LocalCommand,
        Op::RemoteCommand,
        Op::ProxyCommand,
        Op::ControlPath,
        Op::RevokedHostKeys,
        Op::Pkcs11Provider,
        Op::SecurityKeyProvider,
        Op::KnownHostsCommand,
    ] {
        if o.get(op).is_some_and(|v| v.eq_ignore_ascii_case("none")) {
            o.scalar.remove(&op);
        }
    }
    if o.jump
        .as_ref()
        .is_some_and(|(j, _)| j.host == "none" && j.port == 0 && j.user.is_none())
    {
        o.jump = None;
    }
    // ClearAllForwardings also turns the tunnel off.
    if let Some(c) = o.scalar.get(&Op::ClearAllForwardings).cloned()
        && c.text == "yes"
    {
        o.scalar.insert(
            Op::Tunnel,
            Slot {
                text: "false".into(),
                origin: c.origin,
            },
        );
    }
    post_checks(&mut o)?;
    let user = d(&o, Op::User, &env.local_user);
    let port = d(&o, Op::Port, "22");
    let hostname_origin = o
        .scalar
        .get(&Op::Hostname)
        .map(|s| s.origin.clone())
        .unwrap_or(Origin::CommandLine);
    if let Some((j, _)) = &o.jump {
        let jp = if j.port <= 0 { 22 } else { j.port };
        let ju = j.user.clone().unwrap_or_else(|| user.value.clone());
        if j.host == host && port.value == jp.to_string() && ju == user.value {
            return Err(ConfigError::Usage(format!("jumphost loop via {}", j.host)));
        }
    }

    let mut e = Effective::default();
    let put = |e: &mut Effective, k: &'static str, v: Value| e.push_next(k, v);
    put(
        &mut e,
        "host",
        Value {
            value: run.original.clone(),
            origin: Origin::CommandLine,
        },
    );
    put(&mut e, "user", user.clone());
    put(
        &mut e,
        "hostname",
        Value {
            value: host.clone(),
            origin: hostname_origin,
        },
    );
    put(&mut e, "port", port.clone());
    let flags: &[(&str, Op, &str)] = &[
        ("addressfamily", Op::AddressFamily, "any"),
        ("batchmode", Op::BatchMode, "no"),
        (
            "canonicalizefallbacklocal",
            Op::CanonicalizeFallbackLocal,
            "yes",
        ),
        ("canonicalizehostname", Op::CanonicalizeHostname, "false"),
        ("checkhostip", Op::CheckHostIp, "no"),
        ("compression", Op::Compression, "no"),
        ("controlmaster", Op::ControlMaster, "false"),
        ("enablesshkeysign", Op::EnableSshKeysign, "no"),
        ("clearallforwardings", Op::ClearAllForwardings, "no"),
        ("exitonforwardfailure", Op::ExitOnForwardFailure, "no"),
        ("fingerprinthash", Op::FingerprintHash, "SHA256"),
        ("forwardx11", Op::ForwardX11, "no"),
        ("forwardx11trusted", Op::ForwardX11Trusted, "no"),
        ("gatewayports", Op::GatewayPorts, "no"),
        ("gssapiauthentication", Op::GssAuthentication, "no"),
        ("gssapikeyexchange", Op::GssKeyEx, "no"),
        ("gssapidelegatecredentials", Op::GssDelegateCreds, "no"),
        ("gssapitrustdns", Op::GssTrustDns, "no"),
        ("gssapirenewalforcesrekey", Op::GssRenewalRekey, "no"),
    ];
    for (k, op, def) in flags {
        let mut v = d(&o, *op, def);
        if *k == "forwardx11trusted" && v.origin == Origin::Default {
            // Debian's default; upstream prints no.
            if env.flavour == Flavour::Debian {
                v.value = "yes".into();
            }
        }
        put(&mut e, k, v);
    }
    for (k, op) in [
        ("gssapiclientidentity", Op::GssClientIdentity),
        ("gssapiserveridentity", Op::GssServerIdentity),
    ] {
        if let Some(s) = o.scalar.get(&op) {
            put(
                &mut e,
                k,
                Value {
                    value: s.text.clone(),
                    origin: s.origin.clone(),
                },
            );
        }
    }
    put(
        &mut e,
        "gssapikexalgorithms",
        d(&o, Op::GssKexAlgorithms, DEF_GSSKEX),
    );
    let user_hostfiles_default = o.list(Op::UserKnownHostsFile).is_empty()
        || (o.list(Op::UserKnownHostsFile).len() == 1
            && o.list(Op::UserKnownHostsFile)[0].text == "~/.ssh/known_hosts");
    let update_default =
        if matches!(o.get(Op::VerifyHostKeyDns), None | Some("false")) && user_hostfiles_default {
            "true"
        } else {
            "false"
        };
    let flags2: &[(&str, Op, &str)] = &[
        ("hashknownhosts", Op::HashKnownHosts, "no"),
        ("hostbasedauthentication", Op::HostbasedAuthentication, "no"),
        ("identitiesonly", Op::IdentitiesOnly, "no"),
        (
            "kbdinteractiveauthentication",
            Op::KbdInteractiveAuthentication,
            "yes",
        ),
        (
            "nohostauthenticationforlocalhost",
            Op::NoHostAuthenticationForLocalhost,
            "no",
        ),
        ("passwordauthentication", Op::PasswordAuthentication, "yes"),
        ("permitlocalcommand", Op::PermitLocalCommand, "no"),
        ("proxyusefdpass", Op::ProxyUseFdpass, "no"),
        ("pubkeyauthentication", Op::PubkeyAuthentication, "true"),
        ("requesttty", Op::RequestTty, "auto"),
        ("sessiontype", Op::SessionType, "default"),
        ("stdinnull", Op::StdinNull, "no"),
        ("forkafterauthentication", Op::ForkAfterAuthentication, "no"),
        ("streamlocalbindunlink", Op::StreamLocalBindUnlink, "no"),
        ("stricthostkeychecking", Op::StrictHostKeyChecking, "ask"),
        ("tcpkeepalive", Op::TcpKeepAlive, "yes"),
        ("tunnel", Op::Tunnel, "false"),
        ("verifyhostkeydns", Op::VerifyHostKeyDns, "false"),
        ("visualhostkey", Op::VisualHostKey, "no"),
        ("updatehostkeys", Op::UpdateHostkeys, update_default),
        ("enableescapecommandline", Op::EnableEscapeCommandline, "no"),
        ("canonicalizemaxdots", Op::CanonicalizeMaxDots, "1"),
        ("connectionattempts", Op::ConnectionAttempts, "1"),
        ("forwardx11timeout", Op::ForwardX11Timeout, "1200"),
        ("numberofpasswordprompts", Op::NumberOfPasswordPrompts, "3"),
        ("serveralivecountmax", Op::ServerAliveCountMax, "3"),
    ];
    for (k, op, def) in flags2 {
        let mut v = d(&o, *op, def);
        if *k == "proxyusefdpass" && o.jump.is_some() {
            v = Value {
                value: "no".into(),
                origin: Origin::Default,
            };
        }
        put(&mut e, k, v);
    }
    let batch = o.get(Op::BatchMode) == Some("yes");
    let sai_default = if env.flavour == Flavour::Debian && batch {
        "300"
    } else {
        "0"
    };
    put(
        &mut e,
        "serveraliveinterval",
        d(&o, Op::ServerAliveInterval, sai_default),
    );
    put(
        &mut e,
        "requiredrsasize",
        d(&o, Op::RequiredRsaSize, "1024"),
    );
    let opt_str = |e: &mut Effective, o: &Options, k: &'static str, op: Op| {
        if let Some(s) = o.scalar.get(&op) {
            e.push_next(
                k,
                Value {
                    value: s.text.clone(),
                    origin: s.origin.clone(),
                },
            );
        }
    };
    let algo = |e: &mut Effective, o: &Options, k: &'static str, op: Op, def: &str| {
        let v = match o.scalar.get(&op) {
            Some(s) => Value {
                value: assemble(&s.text, def),
                origin: s.origin.clone(),
            },
            None => Value {
                value: def.into(),
                origin: Origin::Default,
            },
        };
        e.push_next(k, v);
    };
    opt_str(&mut e, &o, "bindaddress", Op::BindAddress);
    opt_str(&mut e, &o, "bindinterface", Op::BindInterface);
    algo(&mut e, &o, "ciphers", Op::Ciphers, DEF_CIPHERS);
    let cinfo = Cinfo {
        host: host.clone(),
        original: run.original.clone(),
        port: port.value.clone(),
        user: user.value.clone(),
        keyalias: o
            .get(Op::HostKeyAlias)
            .map(str::to_ascii_lowercase)
            .unwrap_or_else(|| run.original.clone()),
        env,
    };
    if let Some(s) = o.scalar.get(&Op::ControlPath) {
        let v = cinfo.expand(&tilde(&s.text, &env.home))?;
        e.push_next(
            "controlpath",
            Value {
                value: v,
                origin: s.origin.clone(),
            },
        );
    }
    algo(
        &mut e,
        &o,
        "hostkeyalgorithms",
        Op::HostKeyAlgorithms,
        DEF_HOSTKEY,
    );
    if let Some(s) = o.scalar.get(&Op::HostKeyAlias) {
        e.push_next(
            "hostkeyalias",
            Value {
                value: s.text.to_ascii_lowercase(),
                origin: s.origin.clone(),
            },
        );
    }
    algo(
        &mut e,
        &o,
        "hostbasedacceptedalgorithms",
        Op::HostbasedAcceptedAlgorithms,
        DEF_HOSTKEY,
    );
    if let Some(s) = o.scalar.get(&Op::IdentityAgent) {
        let v = if s.text.eq_ignore_ascii_case("none") || s.text == "SSH_AUTH_SOCK" {
            s.text.clone()
        } else {
            cinfo.expand(&tilde(&s.text, &env.home))?
        };
        e.push_next(
            "identityagent",
            Value {
                value: v,
                origin: s.origin.clone(),
            },
        );
    }
    opt_str(&mut e, &o, "ignoreunknown", Op::IgnoreUnknown);
    opt_str(
        &mut e,
        &o,
        "kbdinteractivedevices",
        Op::KbdInteractiveDevices,
    );
    algo(&mut e, &o, "kexalgorithms", Op::KexAlgorithms, DEF_KEX);
    algo(
        &mut e,
        &o,
        "casignaturealgorithms",
        Op::CaSignatureAlgorithms,
        DEF_CASIG,
    );
    opt_str(&mut e, &o, "localcommand", Op::LocalCommand);
    opt_str(&mut e, &o, "remotecommand", Op::RemoteCommand);
    put(&mut e, "loglevel", d(&o, Op::LogLevel, "INFO"));
    algo(&mut e, &o, "macs", Op::Macs, DEF_MACS);
    opt_str(&mut e, &o, "pkcs11provider", Op::Pkcs11Provider);
    put(
        &mut e,
        "securitykeyprovider",
        d(&o, Op::SecurityKeyProvider, "internal"),
    );
    opt_str(
        &mut e,
        &o,
        "preferredauthentications",
        Op::PreferredAuthentications,
    );
    algo(
        &mut e,
        &o,
        "pubkeyacceptedalgorithms",
        Op::PubkeyAcceptedAlgorithms,
        DEF_HOSTKEY,
    );
    opt_str(&mut e, &o, "revokedhostkeys", Op::RevokedHostKeys);
    put(
        &mut e,
        "xauthlocation",
        d(&o, Op::XAuthLocation, "/usr/bin/xauth"),
    );
    opt_str(&mut e, &o, "knownhostscommand", Op::KnownHostsCommand);

    // Forwards (dropped by ClearAllForwardings).
    let clear = o.get(Op::ClearAllForwardings) == Some("yes");
    if !clear {
        // Dynamic forwards live with the local ones but print first.
        for (k, op, dynamic) in [
            ("dynamicforward", Op::LocalForward, true),
            ("localforward", Op::LocalForward, false),
            ("remoteforward", Op::RemoteForward, false),
        ] {
            for s in o.list(op) {
                if op == Op::LocalForward && s.text.contains(' ') == dynamic {
                    continue;
                }
                e.push_next(
                    k,
                    Value {
                        value: s.text.clone(),
                        origin: s.origin.clone(),
                    },
                );
            }
        }
    }
    let list_vals = |o: &Options, op: Op| -> Vec<Value> {
        o.list(op)
            .iter()
            .map(|s| Value {
                value: s.text.clone(),
                origin: s.origin.clone(),
            })
            .collect()
    };
    let ids = list_vals(&o, Op::IdentityFile);
    if ids.is_empty() {
        for f in [
            "id_rsa",
            "id_ecdsa",
            "id_ecdsa_sk",
            "id_ed25519",
            "id_ed25519_sk",
            "id_xmss",
            "id_dsa",
        ] {
            e.push_next(
                "identityfile",
                Value {
                    value: format!("~/.ssh/{f}"),
                    origin: Origin::Default,
                },
            );
        }
    } else {
        for v in ids {
            e.push_next("identityfile", v);
        }
    }
    let oneline = |e: &mut Effective, k: &'static str, vals: Vec<Value>, def: &str| {
        if vals.is_empty() {
            e.push_next(
                k,
                Value {
                    value: def.into(),
                    origin: Origin::Default,
                },
            );
        } else {
            let origin = vals[0].origin.clone();
            let text = vals
                .iter()
                .map(|v| v.value.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            e.push_next(
                k,
                Value {
                    value: text,
                    origin,
                },
            );
        }
    };
    oneline(
        &mut e,
        "canonicaldomains",
        list_vals(&o, Op::CanonicalDomains),
        "none",
    );
    for v in list_vals(&o, Op::CertificateFile) {
        e.push_next("certificatefile", v);
    }
    oneline(
        &mut e,
        "globalknownhostsfile",
        list_vals(&o, Op::GlobalKnownHostsFile),
        "/etc/ssh/ssh_known_hosts /etc/ssh/ssh_known_hosts2",
    );
    let mut ukh = list_vals(&o, Op::UserKnownHostsFile);
    if ukh.is_empty() {
        for f in ["~/.ssh/known_hosts", "~/.ssh/known_hosts2"] {
            ukh.push(Value {
                value: f.into(),
                origin: Origin::Default,
            });
        }
    }
    if ukh[0].value.eq_ignore_ascii_case("none") {
        ukh.clear();
    }
    for v in &mut ukh {
        v.value = cinfo.expand(&tilde(&v.value, &env.home))?;
    }
    oneline(&mut e, "userknownhostsfile", ukh, "none");
    for v in list_vals(&o, Op::SendEnv) {
        e.push_next("sendenv", v);
    }
    for v in list_vals(&o, Op::SetEnv) {
        e.push_next("setenv", v);
    }
    oneline(&mut e, "logverbose", list_vals(&o, Op::LogVerbose), "none");
    oneline(
        &mut e,
        "permitremoteopen",
        list_vals(&o, Op::PermitRemoteOpen),
        "any",
    );
    put(&mut e, "addkeystoagent", d(&o, Op::AddKeysToAgent, "false"));
    match &o.forward_agent_path {
        Some(p) => {
            let v = if p.text.eq_ignore_ascii_case("none") || p.text == "SSH_AUTH_SOCK" {
                p.text.clone()
            } else {
                cinfo.expand(&tilde(&p.text, &env.home))?
            };
            if !Path::new(&v).exists() && o.get(Op::ExitOnForwardFailure) == Some("yes") {
                return Err(ConfigError::Usage(format!(
                    "Cannot forward agent socket path \"{v}\": No such file or directory"
                )));
            }
            e.push_next(
                "forwardagent",
                Value {
                    value: v,
                    origin: p.origin.clone(),
                },
            );
        }
        None => put(&mut e, "forwardagent", d(&o, Op::ForwardAgent, "no")),
    }
    put(&mut e, "connecttimeout", d(&o, Op::ConnectTimeout, "none"));
    put(&mut e, "tunneldevice", d(&o, Op::TunnelDevice, "any:any"));
    let cn = list_vals(&o, Op::CanonicalizePermittedCnames);
    let cn = if cn.len() == 1 && cn[0].value.eq_ignore_ascii_case("none:") {
        Vec::new()
    } else {
        cn
    };
    oneline(&mut e, "canonicalizepermittedcnames", cn, "none");
    put(&mut e, "controlpersist", d(&o, Op::ControlPersist, "no"));
    put(&mut e, "escapechar", d(&o, Op::EscapeChar, "~"));
    put(&mut e, "ipqos", d(&o, Op::IpQos, "lowdelay throughput"));
    let mut rk = d(&o, Op::RekeyLimit, "0");
    rk.value = format!("{} {}", rk.value, o.rekey_interval.unwrap_or(0));
    put(&mut e, "rekeylimit", rk);
    put(
        &mut e,
        "streamlocalbindmask",
        d(&o, Op::StreamLocalBindMask, "0177"),
    );
    put(&mut e, "syslogfacility", d(&o, Op::SyslogFacility, "USER"));
    match &o.jump {
        None => opt_str(&mut e, &o, "proxycommand", Op::ProxyCommand),
        Some((j, origin)) => {
            let numeric =
                j.host.contains(':') || j.host.bytes().all(|c| c.is_ascii_digit() || c == b'.');
            let mut s = String::new();
            if let Some(x) = &j.extra {
                s.push_str(x);
                s.push(',');
            }
            if let Some(u) = &j.user {
                s.push_str(u);
                s.push('@');
            }
            if numeric {
                s.push('[');
            }
            s.push_str(&j.host);
            if numeric {
                s.push(']');
            }
            if j.port > 0 {
                s.push_str(&format!(":{}", j.port));
            }
            e.push_next(
                "proxyjump",
                Value {
                    value: s,
                    origin: origin.clone(),
                },
            );
        }
    }
    let _ = req;

    // Keepalive lines that lost.
    let mut shadowed = Vec::new();
    for a in o.attempts.iter().filter(|a| !a.won) {
        shadowed.push(Shadowed {
            key: a.key.to_string(),
            value: a.text.clone(),
            origin: a.origin.clone(),
            winner: e
                .get(a.key)
                .filter(|v| v.origin != Origin::Default)
                .cloned(),
        });
    }
    Ok(Resolution {
        effective: e,
        shadowed,
        exec_unknown: Vec::new(),
        keepalive_depends_on_exec: Vec::new(),
    })
}

/// The checks and adjustments ssh makes after the files, before `-G` prints.
fn post_checks(o: &mut Options) -> Result<(), ConfigError> {
    if o.get(Op::ProxyCommand) == Some("-") && o.get(Op::ProxyUseFdpass) == Some("yes") {
        return Err(ConfigError::Usage(
            "ProxyCommand=- and ProxyUseFDPass are incompatible".into(),
        ));
    }
    if o.get(Op::UpdateHostkeys) == Some("ask") {
        let persist = !matches!(o.get(Op::ControlPersist), None | Some("no"));
        let quiet = matches!(o.get(Op::LogLevel), Some("SILENT" | "FATAL" | "ERROR"));
        let off = (persist && o.get(Op::ControlPath).is_some())
            || o.get(Op::RemoteCommand).is_some()
            || o.get(Op::RequestTty) == Some("false")
            || quiet;
        if off && let Some(s) = o.scalar.get_mut(&Op::UpdateHostkeys) {
            s.text = "false".into();
        }
    }
    if o.get(Op::ConnectionAttempts)
        .and_then(|v| v.parse::<i64>().ok())
        .is_some_and(|n| n <= 0)
    {
        return Err(ConfigError::Usage(
            "Invalid number of ConnectionAttempts".into(),
        ));
    }
    if o.get(Op::ForkAfterAuthentication) == Some("yes")
        && o.get(Op::RemoteCommand).is_none()
        && o.get(Op::SessionType) != Some("none")
    {
        return Err(ConfigError::Usage(
            "Cannot fork into background without a command to execute.".into(),
        ));
    }
    Ok(())
}

/// Values for `%` tokens after the configuration is read.
struct Cinfo<'a> {
    host: String,
    original: String,
    port: String,
    user: String,
    keyalias: String,
    env: &'a ResolveEnv,
}

impl Cinfo<'_> {
    fn expand(&self, s: &str) -> Result<String, ConfigError> {
        if !s.contains(['%', '$']) {
            return Ok(s.to_string());
        }
        let this = thishost();
        let short = this.split('.').next().unwrap_or("").to_string();
        let uid = self.env.uid.to_string();
        let home = self.env.home.display().to_string();
        let hash = if s.contains("%C") {
            conn_hash(&this, &self.host, &self.port, &self.user)
        } else {
            String::new()
        };
        let v = percent_expand(
            s,
            &[
                ('C', &hash),
                ('L', &short),
                ('i', &uid),
                ('k', &self.keyalias),
                ('l', &this),
                ('n', &self.original),
                ('p', &self.port),
                ('d', &home),
                ('h', &self.host),
                ('r', &self.user),
                ('u', &self.env.local_user),
            ],
        )?;
        dollar_expand(&v)
    }
}

impl fmt::Display for Flavour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Flavour::OpenBsd => "openbsd",
            Flavour::Debian => "debian",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn argv_parsing() {
        let r = ResolveRequest::from_ssh_args(&args(
            "-F cfg -o ServerAliveInterval=30 -p 7999 -vT git@host git-receive-pack",
        ))
        .unwrap();
        assert_eq!(r.config.as_deref(), Some("cfg"));
        assert_eq!(r.destination, "git@host");
        assert!(ResolveRequest::from_ssh_args(&args("-Z host")).is_err());
        let r = ResolveRequest::from_ssh_args(&args("-p7999 -4 h")).unwrap();
        assert_eq!(r.steps[0], Step::Port("7999".into()));
    }

    #[test]
    fn numeric_hosts() {
        assert_eq!(numeric_ipv4("127.1").as_deref(), Some("127.0.0.1"));
        assert_eq!(numeric_ipv4("0x7f.1").as_deref(), Some("127.0.0.1"));
        assert_eq!(numeric_ipv4("1.2.3.4.5"), None);
        assert_eq!(numeric_ipv4("example"), None);
    }

    #[test]
    fn fnmatch_sets() {
        assert!(fnmatch("*.conf", "a.conf"));
        assert!(fnmatch("[ab]?", "bx"));
        assert!(!fnmatch("[!ab]?", "bx"));
    }

    #[test]
    fn assemble_lists() {
        assert_eq!(assemble("+c", "a,b"), "a,b,c");
        assert_eq!(assemble("-a", "a,b"), "b");
        assert_eq!(assemble("^b", "a,b"), "b,a");
    }
}
