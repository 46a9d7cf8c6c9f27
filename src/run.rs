//! Runs one command line: dispatch to the work, and the one place where an
//! outcome becomes output and an exit code.
//!
//! Exit codes: 0 ok, warn or skip; 1 block; 2 bad usage; 3 could not check
//! (in the hook only with `pushguard.strict`; otherwise the push goes on);
//! 255 `resolve` on a config ssh would reject (as ssh exits).
//!
//! The hook's safety policy lives here: pushguard never breaks a push by
//! its own fault. Its work runs under [`guarded`], which turns an error or
//! even a panic into one line on stderr and exit 0, or exit 3 once the
//! work has learnt that `pushguard.strict` is on ([`OnError`], threaded
//! through the work as a value).

use std::ffi::OsString;
use std::io::{Read, Write};
use std::panic::{self, AssertUnwindSafe};

use crate::budget;
use crate::check::{self, CheckError, Env, Outcome};
use crate::cli::{Cli, Cmd, FixArgs, FixTarget, FlavourArg, Format, InstallArgs, ResolveArgs};
use crate::git::GitConfig;
use crate::install::{Mode, Scope};
use crate::plan::{self, PlanError, PushPlan};
use crate::policy::{Risk, Settings, Verdict};
use crate::ssh::{self, ExecPolicy, Profile, ResolveEnv, ResolveRequest};
use crate::terminal::{self, Stream};
use crate::{doctor, fix, install, report};

/// Exit code: fine (ok, warn, skip).
pub const EXIT_OK: u8 = 0;
/// Exit code: the push is blocked.
pub const EXIT_BLOCK: u8 = 1;
/// Exit code: pushguard could not check (or install).
pub const EXIT_ERROR: u8 = 3;
/// Exit code: `resolve` met a config ssh rejects (ssh exits 255 then).
pub const EXIT_SSH_CONFIG: u8 = 255;

/// What a command ends with: text for stdout and stderr, and the exit code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exit {
    /// The exit code.
    pub code: u8,
    /// Text for stdout.
    pub stdout: String,
    /// Text for stderr.
    pub stderr: String,
}

impl Exit {
    fn stdout(code: u8, text: String) -> Exit {
        Exit {
            code,
            stdout: text,
            stderr: String::new(),
        }
    }

    fn stderr(code: u8, text: String) -> Exit {
        Exit {
            code,
            stdout: String::new(),
            stderr: text,
        }
    }
}

/// What the hook does with a push it cannot check (`pushguard.strict`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnError {
    /// The push goes on (the default).
    #[default]
    LetGo,
    /// The push stops (`pushguard.strict` is on).
    Stop,
}

/// Runs pushguard on `args` (argv, program name first) and returns the
/// exit code; all output is written here.
pub fn run(args: impl IntoIterator<Item = OsString>) -> u8 {
    let cli = match Cli::from_argv(args) {
        Ok(cli) => cli,
        Err(e) => {
            // Usage errors, --help and --version: clap prints and knows the code.
            let _ = e.print();
            return u8::try_from(e.exit_code()).unwrap_or(2);
        }
    };
    crate::signals::install();
    let stream = stdout_stream(&cli.command);
    let exit = dispatch(cli.command);
    // A signal arrived while this ran: its children were ended under it
    // (a walk may fail for that), and the signal's exit code is the answer.
    crate::signals::wait_if_stopping();
    // Never a raw control character (`terminal`); a closed pipe is not
    // worth a panic.
    let out = terminal::sink(&exit.stdout, stream);
    let _ = std::io::stdout().write_all(out.as_bytes());
    let err = terminal::sink(&exit.stderr, Stream::Text);
    let _ = std::io::stderr().write_all(err.as_bytes());
    exit.code
}

/// How a command's stdout is written: JSON, `resolve`'s dump, or text.
fn stdout_stream(cmd: &Cmd) -> Stream {
    let format = match cmd {
        Cmd::PrePush { format, .. } | Cmd::Check { format, .. } | Cmd::Doctor { format } => *format,
        Cmd::Fix(a) => a.format,
        Cmd::Resolve(a) if a.format == Format::Text => return Stream::Dump,
        Cmd::Resolve(a) => a.format,
        Cmd::Install(_) | Cmd::Uninstall(_) => Format::Text,
    };
    match format {
        Format::Json => Stream::Json,
        Format::Text => Stream::Text,
    }
}

fn dispatch(cmd: Cmd) -> Exit {
    match cmd {
        Cmd::PrePush {
            remote,
            url,
            format,
        } => {
            // A panic must end in our one line, not in Rust's message.
            panic::set_hook(Box::new(|_| {}));
            guarded(|on_error| pre_push(on_error, remote, url, format))
        }
        Cmd::Check {
            remote,
            refspecs,
            all,
            tags,
            mirror,
            stdin,
            ssh,
            format,
        } => match plan::with_push_options(&refspecs, all, tags, mirror)
            .map_err(CheckError::from)
            .and_then(|specs| dry_run(remote, &specs, stdin, ssh))
        {
            Ok(all) => checked(&all, format),
            Err(e) => Exit::stderr(EXIT_ERROR, format!("pushguard: cannot check: {e}\n")),
        },
        Cmd::Resolve(a) => resolve(&a),
        Cmd::Install(a) => hook_file(install::install(
            &check::current_dir(),
            std::env::current_exe().ok().as_deref(),
            &install_mode(&a),
        )),
        Cmd::Uninstall(a) => {
            hook_file(install::uninstall(&check::current_dir(), &install_mode(&a)))
        }
        Cmd::Doctor { format } => doctor(format),
        Cmd::Fix(a) => fix_keepalive(&a),
    }
}

/// The install mode `install`'s and `uninstall`'s flags ask for.
pub fn install_mode(a: &InstallArgs) -> Mode {
    match (&a.hooks_path, a.config_hook, a.global) {
        (Some(dir), _, true) => Mode::GlobalHooksPath(dir.clone()),
        (Some(dir), _, false) => Mode::HooksPath(dir.clone()),
        (None, true, true) => Mode::ConfigHook(Scope::Global),
        (None, true, false) => Mode::ConfigHook(Scope::Local),
        (None, false, true) => Mode::Global,
        (None, false, false) => Mode::Repository,
    }
}

/// `doctor`: its report, exit 0 when all is well, 1 when something needs
/// fixing, 3 when it could not look.
fn doctor(format: Format) -> Exit {
    let env = Env::current();
    // Where git runs ssh, as the dry run does (a relative `-F` opens there).
    let cwd = check::git_cwd(&check::current_dir());
    if std::env::set_current_dir(&cwd).is_err() {
        return Exit::stderr(
            EXIT_ERROR,
            "pushguard doctor: cannot enter the worktree's top\n".into(),
        );
    }
    match doctor::examine(&cwd, &env) {
        Ok(d) => {
            let code = if d.healthy() { EXIT_OK } else { EXIT_BLOCK };
            match format {
                Format::Json => Exit::stdout(code, format!("{:#}\n", d.to_json())),
                Format::Text => Exit::stdout(code, d.text()),
            }
        }
        Err(e) => Exit::stderr(EXIT_ERROR, format!("pushguard doctor: {e}\n")),
    }
}

/// `pushguard fix`: the report on stdout; exit 0 when it did what was
/// asked (already effective, planned, applied), 3 otherwise.
fn fix_keepalive(a: &FixArgs) -> Exit {
    let subject = match (&a.host, &a.url) {
        (Some(h), _) => fix::Subject::Host(h.clone()),
        (None, Some(u)) => fix::Subject::Url(u.clone()),
        (None, None) => fix::Subject::Remote(a.remote.clone()),
    };
    let req = fix::Request {
        subject,
        target: a.target.map(|t| match t {
            FixTarget::SshConfig => fix::TargetKind::SshConfig,
            FixTarget::GitConfig => fix::TargetKind::GitConfig,
        }),
        global: a.global,
        apply: a.apply,
    };
    match fix::run(
        &check::current_dir(),
        &Env::current(),
        &req,
        &fix::Writer::default(),
    ) {
        Ok(r) => {
            let code = if r.status.success() {
                EXIT_OK
            } else {
                EXIT_ERROR
            };
            let out = match a.format {
                Format::Json => format!("{:#}\n", fix::json(&r)),
                Format::Text => fix::text(&r),
            };
            Exit::stdout(code, out)
        }
        Err(e) => Exit::stderr(EXIT_ERROR, format!("pushguard fix: {e}\n")),
    }
}

/// Runs the hook's `work`; an error or a panic becomes [`cannot_check`]
/// with the [`OnError`] the work had set by then.
pub fn guarded(work: impl FnOnce(&mut OnError) -> Result<Exit, CheckError>) -> Exit {
    let mut on_error = OnError::default();
    let done = panic::catch_unwind(AssertUnwindSafe(|| work(&mut on_error)));
    match done {
        Ok(Ok(exit)) => exit,
        Ok(Err(e)) => cannot_check(&e.to_string(), on_error),
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown".into());
            cannot_check(&format!("internal error ({what})"), on_error)
        }
    }
}

/// The hook's one line when it cannot check: the push goes on, or stops.
pub fn cannot_check(why: &str, on_error: OnError) -> Exit {
    let why = terminal::one_line(why);
    match on_error {
        OnError::LetGo => Exit::stderr(
            EXIT_OK,
            format!("pushguard: cannot check this push: {why}; letting it go on\n"),
        ),
        OnError::Stop => Exit::stderr(
            EXIT_ERROR,
            format!(
                "pushguard: cannot check this push: {why}; stopping it (pushguard.strict is on)\n"
            ),
        ),
    }
}

/// How a verdict is shown: the hook's text on stderr (git shows it), the
/// dry run's on stdout, JSON on stdout; a block exits 1.
fn verdict(o: &Outcome, format: Format, hook: bool) -> Exit {
    let code = exit_code(o.decision.verdict);
    match (format, hook) {
        (Format::Json, _) => Exit::stdout(code, format!("{:#}\n", report::json(o))),
        (Format::Text, true) => Exit::stderr(code, report::hook_text(o)),
        (Format::Text, false) => Exit::stdout(code, report::check_text(o)),
    }
}

/// How the dry run's verdicts, one per push URL, are shown: each URL's
/// report, and the worst verdict decides the exit code.
fn checked(all: &[Outcome], format: Format) -> Exit {
    let code = exit_code(report::worst(all).map_or(Verdict::Skip, |o| o.decision.verdict));
    match format {
        Format::Json => Exit::stdout(code, format!("{:#}\n", report::json_all(all))),
        Format::Text => Exit::stdout(code, report::check_text_all(all)),
    }
}

/// The exit code of a verdict: only a block stops the push.
pub fn exit_code(v: Verdict) -> u8 {
    match v {
        Verdict::Block => EXIT_BLOCK,
        Verdict::Ok | Verdict::Warn | Verdict::Skip => EXIT_OK,
    }
}

fn pre_push(
    on_error: &mut OnError,
    remote: Option<String>,
    url: Option<String>,
    format: Format,
) -> Result<Exit, CheckError> {
    budget::start(budget::DEFAULT);
    let env = Env::current();
    let cwd = check::current_dir();
    // Read all of stdin first, whatever happens next: git expects it consumed.
    // Run without git's arguments (pre-commit, prek), stdin is not git's.
    let given = remote.zip(url);
    let stdin = given.as_ref().map(|_| read_stdin());
    let cfg = match GitConfig::read(&cwd) {
        Ok(cfg) => cfg,
        Err(e) => {
            // The whole configuration unreadable: strict from its own key.
            if strict_anyway(&cwd) {
                *on_error = OnError::Stop;
            }
            return Err(e.into());
        }
    };
    // Strict first, on its own: a bad value of another setting must not lose it.
    if Settings::strict_in(&cfg) {
        *on_error = OnError::Stop;
    }
    let settings = check::settings_in(&cwd, &cfg, &env)?;
    budget::resize(settings.time_budget);
    let from_git = match (given, stdin) {
        (Some((remote, url)), Some(stdin)) => Some(PushPlan {
            remote,
            url,
            updates: plan::read_updates(&stdin?)?,
            source: plan::Source::Git,
        }),
        _ => None,
    };
    // git's stdin absent or empty: pre-commit's variables, when they are there.
    let plan = match from_git {
        Some(p) if !p.updates.is_empty() => p,
        from_git => match plan::from_pre_commit(&cwd, &|k| env.get(k))? {
            Some(p) => p,
            None => from_git.ok_or(PlanError::NoPush)?,
        },
    };
    let strict = settings.strict;
    let o = check::judge(&cwd, &cfg, settings, plan, &env, false)?;
    // Out of time before the size was known: strict wants a judged push.
    if strict && o.decision.risk == Some(Risk::SizeUnknown) {
        let why = "the time budget (pushguard.timeBudget) ran out before the push could be judged";
        return Ok(cannot_check(why, OnError::Stop));
    }
    Ok(verdict(&o, format, true))
}

/// Whether `pushguard.strict` is on when the whole configuration cannot
/// be read: git is asked for that one key (all scopes, then the
/// repository's own file).
fn strict_anyway(cwd: &std::path::Path) -> bool {
    [
        &["config", "--type=bool", "--get", "pushguard.strict"][..],
        &[
            "config",
            "--local",
            "--type=bool",
            "--get",
            "pushguard.strict",
        ],
    ]
    .iter()
    .find_map(|args| crate::git::run(cwd, args).ok())
    .is_some_and(|v| v.trim() == "true")
}

fn dry_run(
    remote: Option<String>,
    refspecs: &[String],
    stdin: bool,
    ssh: bool,
) -> Result<Vec<Outcome>, CheckError> {
    budget::start(budget::DEFAULT);
    let env = Env::current();
    // git runs ssh and the hook from the worktree's top (the hook inherits
    // that); the dry run moves there too, so that `ssh -G`, the builtin
    // resolver (a relative `-F` path) and every git call see what a push sees.
    let cwd = check::git_cwd(&check::current_dir());
    if std::env::set_current_dir(&cwd).is_err() {
        return Err(CheckError::Internal("cannot enter the worktree's top"));
    }
    let (cfg, settings) = check::settings(&cwd, &env)?;
    budget::resize(settings.time_budget);
    let updates = match stdin {
        true => Some(plan::read_updates(&read_stdin()?)?),
        false => None,
    };
    let plans = plan::for_check(&cwd, &cfg, remote.as_deref(), refspecs, updates)?;
    plans
        .into_iter()
        .map(|plan| check::judge(&cwd, &cfg, settings.clone(), plan, &env, ssh))
        .collect()
}

/// All of stdin, within what is left of the time budget (a hook manager
/// or a terminal that never closes it cannot hold the push).
fn read_stdin() -> Result<Vec<u8>, PlanError> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let done = std::io::stdin().read_to_end(&mut buf).map(|_| buf);
        let _ = tx.send(done);
    });
    let left = budget::left().unwrap_or(budget::DEFAULT);
    match rx.recv_timeout(left) {
        Ok(done) => done.map_err(PlanError::ReadStdin),
        Err(_) => Err(PlanError::ReadStdin(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "stdin was not closed within the time budget (pushguard.timeBudget)",
        ))),
    }
}

fn resolve(a: &ResolveArgs) -> Exit {
    let failed = |e: &dyn std::fmt::Display| {
        Exit::stderr(EXIT_SSH_CONFIG, format!("pushguard resolve: {e}\n"))
    };
    if a.profiles {
        return Exit::stdout(EXIT_OK, profiles_text());
    }
    let req = match ResolveRequest::from_ssh_args(&a.ssh.0) {
        Ok(r) => r,
        Err(e) => return failed(&e),
    };
    let (profile, note) = match resolve_profile(a) {
        Ok(p) => p,
        Err(e) => return Exit::stderr(EXIT_ERROR, format!("pushguard resolve: {e}\n")),
    };
    let caveat = profile.caveat();
    let exec = match a.exec {
        true => ExecPolicy::Run,
        false => ExecPolicy::Unknown,
    };
    let mut stderr = String::new();
    for n in note.iter().chain(&caveat) {
        stderr.push_str(&format!("pushguard resolve: note: {n}\n"));
    }
    let json_profile = serde_json::json!({
        "version": profile.version,
        "profile": profile.name,
        "basis": profile.basis.to_string(),
        "caveat": caveat,
    });
    let program = a.ssh_program.as_deref().unwrap_or("ssh");
    match ssh::resolve(&req, &ResolveEnv::for_program(program, profile, exec)) {
        Ok(r) => {
            let text = match (a.format, a.explain) {
                (Format::Json, _) => {
                    let mut j = r.to_json();
                    j["ssh"] = json_profile;
                    format!("{j:#}\n")
                }
                (Format::Text, true) => r.explain(),
                (Format::Text, false) => r.dump(),
            };
            let mut exit = Exit::stdout(EXIT_OK, text);
            exit.stderr = stderr;
            exit
        }
        Err(e) => {
            let mut exit = failed(&e);
            // Not ssh's refusal: pushguard cannot answer here.
            if matches!(e, ssh::ConfigError::CannotTell { .. }) {
                exit.code = EXIT_ERROR;
            }
            exit.stderr = stderr + &exit.stderr;
            exit
        }
    }
}

/// The profile `resolve` models: `--profile`, `--ssh`, `--flavour`, else
/// the `ssh` on PATH (upstream's newest when there is none, with a note).
fn resolve_profile(a: &ResolveArgs) -> Result<(Profile, Option<String>), String> {
    if let Some(name) = &a.profile {
        return Profile::named(name)
            .map(|p| (p, None))
            .map_err(|e| e.to_string());
    }
    if let Some(program) = &a.ssh_program {
        return Profile::detect(program)
            .map(|p| (p, None))
            .map_err(|e| e.to_string());
    }
    match a.flavour {
        Some(FlavourArg::Debian) => return Ok((Profile::debian12(10), None)),
        Some(FlavourArg::Openbsd) => {
            return Ok((Profile::upstream(ssh::Release::new(9, 2, 1)), None));
        }
        Some(FlavourArg::Auto) | None => {}
    }
    Ok(match Profile::detect("ssh") {
        Ok(p) => (p, None),
        Err(e) => (
            Profile::newest(),
            Some(format!(
                "{e}; modelling OpenSSH {}",
                Profile::newest().release
            )),
        ),
    })
}

/// `resolve --profiles`: the modelled builds, one a line.
fn profiles_text() -> String {
    let mut s = String::from("# name, what `ssh -V` prints before the comma, how it is known\n");
    for p in Profile::modelled() {
        s.push_str(&format!("{:<24} {:<36} {}\n", p.name, p.version, p.basis));
    }
    s.push_str("# also: any upstream release from 8.7p1 (modelled from the release notes),\n");
    s.push_str("# and `--ssh <program>` for a build not listed (settled by probes)\n");
    s
}

fn hook_file(done: Result<Vec<install::Done>, install::InstallError>) -> Exit {
    match done {
        Ok(done) => Exit::stdout(EXIT_OK, done.iter().map(|d| format!("{d}\n")).collect()),
        Err(e) => Exit::stderr(EXIT_ERROR, format!("pushguard: {e}\n")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failing() -> CheckError {
        CheckError::Internal("no facts")
    }

    #[test]
    fn only_a_block_stops_the_push() {
        assert_eq!(exit_code(Verdict::Block), EXIT_BLOCK);
        for v in [Verdict::Ok, Verdict::Warn, Verdict::Skip] {
            assert_eq!(exit_code(v), EXIT_OK);
        }
    }

    #[test]
    fn the_work_passes_through() {
        let exit = guarded(|_| Ok(Exit::stderr(EXIT_BLOCK, "stopped\n".into())));
        assert_eq!(exit, Exit::stderr(EXIT_BLOCK, "stopped\n".into()));
    }

    #[test]
    fn an_error_lets_the_push_go_on_with_one_line() {
        let exit = guarded(|_| Err(failing()));
        assert_eq!(exit.code, EXIT_OK);
        assert_eq!(
            exit.stderr,
            "pushguard: cannot check this push: internal error: no facts; letting it go on\n"
        );
        assert_eq!(exit.stdout, "");
    }

    #[test]
    fn an_error_stops_the_push_once_strict_is_known() {
        let exit = guarded(|on_error| {
            *on_error = OnError::Stop;
            Err(failing())
        });
        assert_eq!(exit.code, EXIT_ERROR);
        assert_eq!(exit.stderr.lines().count(), 1);
        assert!(
            exit.stderr
                .ends_with("stopping it (pushguard.strict is on)\n")
        );
    }

    #[test]
    fn a_panic_is_an_internal_error_under_the_same_policy() {
        let exit = guarded(|_| panic!("boom"));
        assert_eq!(exit.code, EXIT_OK);
        assert_eq!(
            exit.stderr,
            "pushguard: cannot check this push: internal error (boom); letting it go on\n"
        );
        let exit = guarded(|on_error| {
            *on_error = OnError::Stop;
            let n = 7;
            panic!("index {n} out of range")
        });
        assert_eq!(exit.code, EXIT_ERROR);
        assert!(
            exit.stderr
                .contains("internal error (index 7 out of range)")
        );
        let exit = guarded(|_| std::panic::panic_any(42u8));
        assert!(exit.stderr.contains("internal error (unknown)"));
    }
}
