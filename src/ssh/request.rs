//! What to resolve: the ssh command line, parsed like ssh's `getopt`, and
//! applied to the option store in argv order before any file is read.
//!
//! - [`ResolveRequest`]: `-F`, the options that matter (`-o -p -l -J -i`
//!   and the flags), the destination and where it sat in argv.
//! - [`apply_command_line`]: the request's steps as ssh applies them (each
//!   only if unset, the flag options overwriting), and the checks of the
//!   host and user names the profile's build makes before reading files;
//!   the destination and those checks are `destination`'s.
//!
//! Hand-written: ssh's own order (options after the destination still
//! count; `-J` and ProxyCommand refuse each other) decides the outcome.

use std::path::Path;

use super::algorithms::{CIPHERS, MACS};
use super::destination::{apply_destination, bad_user, valid_hostname, valid_ruser};
use super::env::ResolveEnv;
use super::keywords::Op;
use super::lex::{self, Words};
use super::options::{LineCtx, Options};
use super::profile::{HostCheck, Profile};
use super::{ConfigError, Origin, Value};

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
    /// The argv it was read from, when it was (to read it again the way a
    /// build whose `-P` takes no argument does).
    argv: Option<Vec<String>>,
    /// The remote command (the words after the destination).
    pub command: Vec<String>,
}

/// ssh's option letters that take an argument.
const WITH_ARG: &str = "bceilmopBDEFIJLOPQRSwW";
/// ssh's option letters without an argument.
const NO_ARG: &str = "1246afgknqstvxACGKMNTVXYy";

/// Whether every letter of a cluster is a flag without an argument (so that
/// a `-` after them ends the options rather than being an argument).
fn flags_only(letters: &[char], tag_flag: bool) -> bool {
    letters
        .iter()
        .all(|&c| NO_ARG.contains(c) || (c == 'P' && !tag_flag))
}

impl ResolveRequest {
    /// Parses an ssh argv (without the program name); words after the
    /// destination that are not options are the remote command. `-P`
    /// takes an argument (the tag, 9.4); a profile of an older build reads
    /// the argv again without.
    pub fn from_ssh_args(args: &[String]) -> Result<ResolveRequest, ConfigError> {
        let mut req = ResolveRequest::parse(args, true)?;
        req.argv = Some(args.to_vec());
        Ok(req)
    }

    /// The request as the build of `p` reads its argv.
    pub(crate) fn under(
        &self,
        p: &Profile,
    ) -> Result<std::borrow::Cow<'_, ResolveRequest>, ConfigError> {
        match &self.argv {
            Some(argv)
                if !p.rules.tag_flag
                    && argv.iter().any(|a| a.starts_with("-") && a.contains('P')) =>
            {
                let mut req = ResolveRequest::parse(argv, false)?;
                req.argv = Some(argv.clone());
                Ok(std::borrow::Cow::Owned(req))
            }
            _ => Ok(std::borrow::Cow::Borrowed(self)),
        }
    }

    fn parse(args: &[String], tag_flag: bool) -> Result<ResolveRequest, ConfigError> {
        let mut req = ResolveRequest::default();
        let mut dest: Option<String> = None;
        let mut i = 0;
        while i < args.len() {
            let a = &args[i];
            if a == "--" {
                let rest = if dest.is_none() {
                    dest = args.get(i + 1).cloned();
                    req.dest_at = Some(req.steps.len());
                    i + 2
                } else {
                    i + 1
                };
                req.command = args.get(rest..).map(<[String]>::to_vec).unwrap_or_default();
                break;
            }
            // A `-` that ends a cluster (`-4-`) ends the options, as BSD
            // getopt does: the letters before it count, and the word itself
            // is the first operand.
            let b: Vec<char> = a.chars().skip(1).collect();
            let ends = b.len() >= 2 && b.last() == Some(&'-');
            if !a.starts_with('-')
                || a.len() < 2
                || (ends && flags_only(&b[..b.len() - 1], tag_flag))
            {
                if ends && a.starts_with('-') {
                    req.steps
                        .extend(b[..b.len() - 1].iter().map(|&c| Step::Flag(c, None)));
                }
                if dest.is_some() {
                    req.command = args[i..].to_vec();
                    break;
                }
                dest = Some(a.clone());
                req.dest_at = Some(req.steps.len());
                i += 1;
                continue;
            }
            let mut k = 0;
            while k < b.len() {
                let c = b[k];
                let takes = WITH_ARG.contains(c) && (c != 'P' || tag_flag);
                if takes {
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
                } else if NO_ARG.contains(c) || c == 'P' {
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

    /// A request for `destination` alone (add options with the builders).
    pub fn new(destination: &str) -> ResolveRequest {
        ResolveRequest {
            destination: destination.to_string(),
            ..ResolveRequest::default()
        }
    }

    fn with(mut self, step: Step) -> Self {
        self.steps.push(step);
        self
    }
    /// Adds `-o key=value`.
    pub fn option(self, line: &str) -> Self {
        self.with(Step::Option(line.to_string()))
    }
    /// Adds `-p port`.
    pub fn port(self, port: &str) -> Self {
        self.with(Step::Port(port.to_string()))
    }
    /// Adds `-l user`.
    pub fn user(self, user: &str) -> Self {
        self.with(Step::User(user.to_string()))
    }
    /// Adds `-J jump`.
    pub fn jump(self, jump: &str) -> Self {
        self.with(Step::Jump(jump.to_string()))
    }
    /// Adds `-i file`.
    pub fn identity(self, file: &str) -> Self {
        self.with(Step::Identity(file.to_string()))
    }
    /// Adds `-4` (true) or `-6` (false).
    pub fn family(self, inet4: bool) -> Self {
        self.with(Step::Flag(if inet4 { '4' } else { '6' }, None))
    }
}

/// Applies the request's command line to `opts` in argv order, the
/// destination at its place, then the checks of host and user names the
/// build makes before reading files; returns the host as typed.
pub(crate) fn apply_command_line(
    req: &ResolveRequest,
    env: &ResolveEnv,
    opts: &mut Options,
) -> Result<String, ConfigError> {
    let p = &env.profile;
    let dest_at = req.dest_at.unwrap_or(req.steps.len());
    let mut host = None;
    let mut verbose = false;
    for (n, step) in req.steps.iter().enumerate() {
        if n == dest_at {
            host = Some(apply_destination(&req.destination, opts, p)?);
        }
        apply_step(step, env, opts, &mut verbose)?;
    }
    let host = match host {
        Some(h) => h,
        None => apply_destination(&req.destination, opts, p)?,
    };
    let rules = &p.rules;
    if rules.early_user_check
        && let Some(u) = opts.get(Op::User)
        && !valid_ruser(u, rules.user_control_chars)
    {
        return Err(bad_user());
    }
    if rules.host_check != HostCheck::None && !valid_hostname(&host, rules.host_check) {
        return Err(ConfigError::Usage(
            "hostname contains invalid characters".into(),
        ));
    }
    if opts.get(Op::SessionType) == Some("subsystem") && req.command.is_empty() {
        return Err(ConfigError::Usage(
            "You must specify a subsystem to invoke.".into(),
        ));
    }
    Ok(host)
}

fn apply_step(
    step: &Step,
    env: &ResolveEnv,
    opts: &mut Options,
    verbose: &mut bool,
) -> Result<(), ConfigError> {
    let ctx = LineCtx::COMMAND_LINE;
    let p = &env.profile;
    let option = |opts: &mut Options, line: &str| {
        opts.apply(lex::Line::Raw(line), &ctx, true, &mut Words::default(), p)
            .map(|_| ())
    };
    match step {
        Step::Option(line) => {
            option(opts, line).map_err(|reason| ConfigError::Line {
                file: "command-line".into(),
                line: 0,
                reason,
            })?;
        }
        Step::Port(p) => {
            if opts.unset(Op::Port) {
                match lex::a2port(p) {
                    Some(n) if n > 0 => opts.set_first(Op::Port, n.to_string(), &ctx),
                    _ => return Err(ConfigError::Usage(format!("Bad port '{p}'"))),
                }
            }
        }
        Step::User(u) => {
            if opts.unset(Op::User) {
                opts.user_from_command_line = true;
            }
            opts.set_first(Op::User, u.clone(), &ctx)
        }
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
            option(opts, &format!("ProxyJump {j}"))
                .map_err(|_| ConfigError::Usage("Invalid -J argument".into()))?;
            // Before 10.3 `-J` also set ProxyCommand none, `-J none` too.
            if !p.rules.proxy_first_match {
                opts.set(Op::ProxyCommand, command_line("none"));
            }
        }
        Step::Identity(f) => {
            let p = env.tilde_expand(f)?;
            if Path::new(&p).exists() {
                opts.add_identity_cmdline(p).map_err(ConfigError::Usage)?;
            }
        }
        Step::Flag(c @ ('c' | 'm' | 'e' | 'D' | 'I'), Some(arg)) => {
            flag_option(*c, arg, opts, p)?;
        }
        // Every build from 8.7 stops at -1.
        Step::Flag('1', _) => {
            return Err(ConfigError::Usage(
                "SSH protocol v.1 is no longer supported".into(),
            ));
        }
        // Never a silent wrong answer: these change what ssh prints in
        // ways the resolver does not reproduce (a stdio forward changes
        // defaults and clears forwards).
        Step::Flag(c @ ('L' | 'R' | 'w' | 'W'), _) => {
            return Err(ConfigError::Usage(format!(
                "pushguard's resolver does not model ssh's -{c} option"
            )));
        }
        Step::Flag(c, arg) => {
            // The flag options overwrite whatever is there, like ssh's
            // assignments.
            if *c == 'P' {
                if let Some(tag) = arg.as_deref().filter(|_| p.rules.tag_flag) {
                    opts.set_first(Op::Tag, tag, &ctx);
                }
                return Ok(());
            }
            // -s and -N refuse each other (or a SessionType set before).
            let session = opts.get(Op::SessionType);
            let clash = match c {
                's' => session.is_some_and(|s| s != "subsystem"),
                'N' => session.is_some_and(|s| s != "none"),
                _ => false,
            };
            if clash {
                let (a, b) = if *c == 's' {
                    ("-s", "-N")
                } else {
                    ("-N", "-s")
                };
                return Err(ConfigError::Usage(format!(
                    "Cannot specify {a} with {b}/SessionType"
                )));
            }
            let quiet = if p.build.debian_patches {
                "SILENT"
            } else {
                "QUIET"
            };
            for (op, text) in flag_effects(*c, arg.as_deref(), opts, verbose, quiet) {
                opts.set(op, command_line(&text));
            }
        }
    }
    Ok(())
}

/// A value from the command line.
fn command_line(text: &str) -> Value {
    Value {
        value: text.to_string(),
        origin: Origin::CommandLine,
    }
}

/// The flags whose argument is an option's value, read by that option's
/// own parser as ssh checks it: `-c`, `-m`, `-e` and `-I` replace what is
/// there; `-D` adds a forward.
fn flag_option(c: char, arg: &str, opts: &mut Options, p: &Profile) -> Result<(), ConfigError> {
    let bad = |what: &str| ConfigError::Usage(format!("{what} '{arg}'"));
    if let Some((op, known, what)) = match c {
        'c' => Some((Op::Ciphers, CIPHERS, "Unknown cipher type")),
        'm' => Some((Op::Macs, MACS, "Unknown mac type")),
        _ => None,
    } {
        // ssh's ciphers_valid / mac_valid (after a `+`/`^` for -c): the
        // names up to the first empty one must be known (from 10.4, with
        // its strict lists, at least one); the value is then kept as given,
        // and assembled (or not) with the config's lists.
        let names = match c {
            'c' => arg.strip_prefix(['+', '^']).unwrap_or(arg),
            _ => arg,
        };
        let first_empty = names.is_empty() || names.starts_with(',');
        let valid = !(names.is_empty() || (p.rules.strict_algorithm_lists && first_empty))
            && names
                .split(',')
                .take_while(|n| !n.is_empty())
                .all(|n| n != "none" && known.contains(&n));
        if !valid {
            return Err(bad(what));
        }
        opts.set(op, command_line(arg));
        return Ok(());
    }
    let what = match c {
        'D' => "Bad dynamic forwarding specification",
        'e' => {
            let v = super::values::escape_char(arg).map_err(|_| bad("Bad escape character"))?;
            opts.set(Op::EscapeChar, command_line(&v));
            return Ok(());
        }
        _ => {
            opts.set(Op::Pkcs11Provider, command_line(arg));
            return Ok(());
        }
    };
    // A word the config splitter would change is no valid spec either.
    let plain = !arg.is_empty()
        && !arg.starts_with('=')
        && !arg.contains([' ', '\t', '"', '\'', '\\', '#']);
    let line = format!("DynamicForward {arg}");
    let apply = |o: &mut Options| {
        let raw = lex::Line::Raw(&line);
        o.apply(raw, &LineCtx::COMMAND_LINE, true, &mut Words::default(), p)
            .is_ok()
    };
    if !plain || !apply(&mut Options::default()) {
        return Err(bad(what));
    }
    // A forward is added as a config line adds it (duplicates dropped).
    apply(opts);
    Ok(())
}

/// What a flag option sets.
fn flag_effects(
    c: char,
    arg: Option<&str>,
    opts: &Options,
    verbose: &mut bool,
    quiet: &str,
) -> Vec<(Op, String)> {
    let set = |pairs: &[(Op, &str)]| pairs.iter().map(|(op, t)| (*op, t.to_string())).collect();
    match (c, arg) {
        ('4', _) => set(&[(Op::AddressFamily, "inet")]),
        ('6', _) => set(&[(Op::AddressFamily, "inet6")]),
        ('A', _) => set(&[(Op::ForwardAgent, "yes")]),
        ('a', _) => set(&[(Op::ForwardAgent, "no")]),
        ('X', _) => set(&[(Op::ForwardX11, "yes")]),
        ('x', _) => set(&[(Op::ForwardX11, "no")]),
        ('Y', _) => set(&[(Op::ForwardX11, "yes"), (Op::ForwardX11Trusted, "yes")]),
        ('g', _) => set(&[(Op::GatewayPorts, "yes")]),
        ('C', _) => set(&[(Op::Compression, "yes")]),
        ('T', _) => set(&[(Op::RequestTty, "false")]),
        ('N', _) => set(&[(Op::SessionType, "none"), (Op::RequestTty, "false")]),
        ('s', _) => set(&[(Op::SessionType, "subsystem")]),
        // A second -t forces a tty, a third asks again.
        ('t', _) => match opts.get(Op::RequestTty) {
            Some("true") => set(&[(Op::RequestTty, "force")]),
            _ => set(&[(Op::RequestTty, "true")]),
        },
        ('n', _) => set(&[(Op::StdinNull, "yes")]),
        ('f', _) => set(&[(Op::ForkAfterAuthentication, "yes"), (Op::StdinNull, "yes")]),
        ('q', _) => set(&[(Op::LogLevel, quiet)]),
        ('v', _) => {
            const LEVELS: [&str; 8] = [
                "QUIET", "FATAL", "ERROR", "INFO", "VERBOSE", "DEBUG", "DEBUG2", "DEBUG3",
            ];
            // The first -v sets DEBUG; each further one goes a level up.
            let next = if *verbose {
                let cur = opts.get(Op::LogLevel).and_then(|l| {
                    let l = if l == "SILENT" { "QUIET" } else { l };
                    LEVELS.iter().position(|x| *x == l)
                });
                cur.map(|c| (c + 1).min(7))
            } else {
                *verbose = true;
                Some(5)
            };
            next.map(|n| vec![(Op::LogLevel, LEVELS[n].to_string())])
                .unwrap_or_default()
        }
        ('k', _) => set(&[(Op::GssDelegateCreds, "no")]),
        ('K', _) => set(&[
            (Op::GssAuthentication, "yes"),
            (Op::GssDelegateCreds, "yes"),
        ]),
        // A second -M asks (yes becomes ask, anything else yes).
        ('M', _) => match opts.get(Op::ControlMaster) {
            Some("true") => set(&[(Op::ControlMaster, "ask")]),
            _ => set(&[(Op::ControlMaster, "true")]),
        },
        ('S', Some(p)) => vec![(Op::ControlPath, p.to_string())],
        ('b', Some(p)) => vec![(Op::BindAddress, p.to_string())],
        ('B', Some(p)) => vec![(Op::BindInterface, p.to_string())],
        _ => Vec::new(),
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
        assert!(ResolveRequest::from_ssh_args(&args("-p")).is_err());
        let r = ResolveRequest::from_ssh_args(&args("-p7999 -4 h")).unwrap();
        assert_eq!(r.steps[0], Step::Port("7999".into()));
        assert_eq!(
            r.steps,
            ResolveRequest::new("h").port("7999").family(true).steps
        );
    }

    /// Found by the `ssh_vs_ssh_g` fuzz target: a `-` that ends a cluster
    /// of flags ends the options (BSD getopt), the word is an operand; the
    /// answers are those of `ssh -G` 8.7p1 to 10.5p1.
    #[test]
    fn a_dash_ending_a_cluster_ends_the_options() {
        let parse = |s: &str| ResolveRequest::from_ssh_args(&args(s));
        let four = || Step::Flag('4', None);
        let r = parse("h -44- x").unwrap();
        assert_eq!(
            (r.destination.as_str(), r.steps.clone(), r.command.clone()),
            ("h", vec![four(), four()], args("-44- x"))
        );
        let r = parse("-4- h").unwrap();
        assert_eq!(
            (r.destination.as_str(), r.steps.clone(), r.command.clone()),
            ("-4-", vec![four()], args("h"))
        );
        assert_eq!(r.dest_at, Some(1));
        for bad in ["-4-x h", "-A4-- h", "--x h"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        // -1 stops every build (found by the fuzz target too).
        let env = ResolveEnv::current(Profile::newest(), Default::default());
        let mut opts = Options::default();
        let req = parse("-v21 h").unwrap();
        assert!(apply_command_line(&req, &env, &mut opts).is_err());
        // An option letter with an argument takes the `-`.
        let r = parse("-o- h").unwrap();
        assert_eq!(r.steps, vec![Step::Option("-".into())]);
    }

    /// Found by the `ssh_vs_ssh_g` fuzz target: Debian's 9.2 rejects a
    /// command-line host with a control character (`h\rx`), upstream 9.2
    /// takes it.
    #[test]
    fn debian_checks_the_command_line_host_and_user() {
        let resolve = |profile: Profile, argv: &str| {
            let mut env = ResolveEnv::current(profile, Default::default());
            env.overlay = super::super::Overlay::sealed();
            let req = ResolveRequest::from_ssh_args(&args(argv)).unwrap();
            super::super::resolve(&req, &env)
                .map(|_| ())
                .map_err(|e| e.to_string())
        };
        let host = Err("hostname contains invalid characters".to_string());
        let user = Err("remote username contains invalid characters".to_string());
        for (argv, want) in [
            ("-F none h\x01x", host.clone()),
            ("-F none a;b", host.clone()),
            ("-F none a$b", host.clone()),
            ("-F none -- -h", host.clone()),
            ("-F none -l a;b h", user.clone()),
            ("-F none -o User=-x h", user.clone()),
            ("-F none a\\@h", user.clone()),
            ("-F none a\\b@h", Ok(())),
            ("-F none a$b@h", Ok(())),
            ("-F none h.example.com", Ok(())),
        ] {
            assert_eq!(resolve(Profile::debian12(6), argv), want, "{argv:?}");
        }
        let upstream = Profile::upstream(super::super::Release::new(9, 2, 1));
        assert_eq!(resolve(upstream, "-F none a;b"), Ok(()));
    }

    /// Found by the `ssh_vs_ssh_g` fuzz target: `-m`, `-c`, `-e`, `-D`,
    /// `-I`, `-k`, `-K`, `-t`, `-s` were ignored (now `-L`, `-R`, `-w`, `-W`
    /// are refused rather than ignored), and a subsystem with a command was
    /// refused. The answers are Debian 9.2p1's
    /// (deb12u6) `ssh -G -F none <args>`.
    #[test]
    fn option_flags_set_what_ssh_sets() {
        let get = |argv: &str, key: &str| {
            let mut env = ResolveEnv::current(Profile::debian12(6), Default::default());
            env.overlay = super::super::Overlay::sealed();
            let req = ResolveRequest::from_ssh_args(&args(&format!("-F none {argv}"))).unwrap();
            super::super::resolve(&req, &env).map_or_else(
                |e| format!("error: {e}"),
                |r| {
                    let vs: Vec<String> = r
                        .effective
                        .get_all(key)
                        .iter()
                        .map(|v| v.value.clone())
                        .collect();
                    vs.join("|")
                },
            )
        };
        for (argv, key, want) in [
            ("-c aes128-ctr h", "ciphers", "aes128-ctr"),
            (
                "-o Ciphers=aes256-ctr -c aes128-ctr h",
                "ciphers",
                "aes128-ctr",
            ),
            (
                "-c aes128-ctr -o Ciphers=aes256-ctr h",
                "ciphers",
                "aes128-ctr",
            ),
            (
                "-c -aes128-ctr h",
                "ciphers",
                "error: Unknown cipher type '-aes128-ctr'",
            ),
            (
                "-c bogus h",
                "ciphers",
                "error: Unknown cipher type 'bogus'",
            ),
            ("-m hmac-sha1 h", "macs", "hmac-sha1"),
            (
                "-m +hmac-sha1 h",
                "macs",
                "error: Unknown mac type '+hmac-sha1'",
            ),
            ("-e ^A h", "escapechar", "\\^A"),
            ("-e # h", "escapechar", "#"),
            ("-e x -o EscapeChar=y h", "escapechar", "x"),
            ("-e ab h", "escapechar", "error: Bad escape character 'ab'"),
            (
                "-D 1080 -D 1080 -D localhost:9 h",
                "dynamicforward",
                "1080|[localhost]:9",
            ),
            (
                "-D 0 h",
                "dynamicforward",
                "error: Bad dynamic forwarding specification '0'",
            ),
            ("-I /x h", "pkcs11provider", "/x"),
            (
                "-W a:1 h",
                "sessiontype",
                "error: pushguard's resolver does not model ssh's -W option",
            ),
            ("-K h", "gssapidelegatecredentials", "yes"),
            ("-K -k h", "gssapidelegatecredentials", "no"),
            ("-K h", "gssapiauthentication", "yes"),
            ("-t h", "requesttty", "true"),
            ("-tt h", "requesttty", "force"),
            ("-t -T h", "requesttty", "false"),
            ("-M h", "controlmaster", "true"),
            ("-MM h", "controlmaster", "ask"),
            ("-MMM h", "controlmaster", "true"),
            ("-o ControlMaster=yes -M h", "controlmaster", "ask"),
            ("-o ControlMaster=auto -M h", "controlmaster", "true"),
            ("-T -t h", "requesttty", "true"),
            ("-N -t h", "requesttty", "true"),
            (
                "h -s",
                "sessiontype",
                "error: You must specify a subsystem to invoke.",
            ),
            ("-s h sftp", "sessiontype", "subsystem"),
            (
                "-o SessionType=subsystem h sftp",
                "sessiontype",
                "subsystem",
            ),
            (
                "-o SessionType=default -N h",
                "sessiontype",
                "error: Cannot specify -N with -s/SessionType",
            ),
            (
                "-N -s h x",
                "sessiontype",
                "error: Cannot specify -s with -N/SessionType",
            ),
            ("-N h", "requesttty", "false"),
        ] {
            assert_eq!(get(argv, key), want, "{argv}");
        }
    }

    #[test]
    fn command_line_applies_in_argv_order() {
        let env = ResolveEnv::current(Profile::debian12(6), Default::default());
        let mut opts = Options::default();
        let req = ResolveRequest::from_ssh_args(&args("-p 2 -o Port=3 -v -v u@h -l x")).unwrap();
        assert_eq!(apply_command_line(&req, &env, &mut opts).unwrap(), "h");
        assert_eq!(opts.get(Op::Port), Some("2"));
        assert_eq!(opts.get(Op::User), Some("u"));
        assert_eq!(opts.get(Op::LogLevel), Some("DEBUG2"));
        let mut opts = Options::default();
        let req = ResolveRequest::new("ssh://a@h:2222");
        assert_eq!(apply_command_line(&req, &env, &mut opts).unwrap(), "h");
        assert_eq!(opts.get(Op::Port), Some("2222"));
        let req = ResolveRequest::new("ssh://h:22/path");
        assert!(apply_command_line(&req, &env, &mut Options::default()).is_err());
        let req = ResolveRequest::new("h").option("ProxyCommand x").jump("j");
        assert!(apply_command_line(&req, &env, &mut Options::default()).is_err());
    }
}
