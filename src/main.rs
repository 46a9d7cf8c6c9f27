//! The `pushguard` binary: parses arguments and maps results to exit codes.
//!
//! Exit codes: 0 ok, warn or skip; 1 block; 2 bad usage; 3 could not check
//! (in the hook only with `pushguard.strict`; otherwise the push goes on).

use std::io::{Read, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use pushguard::check::{self, CheckError, Env, Outcome};
use pushguard::plan::PushPlan;
use pushguard::policy::Verdict;
use pushguard::ssh::{self, ExecPolicy, Flavour, ResolveEnv, ResolveRequest};
use pushguard::{install, report};

const EXIT_BLOCK: u8 = 1;
const EXIT_ERROR: u8 = 3;
/// `resolve` fails as ssh does on a config it rejects.
const EXIT_SSH_CONFIG: u8 = 255;

#[derive(Parser)]
#[command(
    name = "pushguard",
    version,
    about = "Stops a large git push over SSH from dying on an idle timeout"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Cmd {
    /// Git's pre-push hook: judge the push on stdin (also when run as `pre-push`).
    PrePush {
        /// The remote's name, or the URL as typed.
        remote: String,
        /// The URL git pushes to.
        url: String,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Dry run: what would the hook say if you pushed now?
    Check {
        /// Remote name or URL (default: the current branch's push remote).
        remote: Option<String>,
        /// What to push (default: the current branch to its namesake).
        refspecs: Vec<String>,
        /// Read hook-format lines from stdin instead of refspecs.
        #[arg(long)]
        stdin: bool,
        /// Resolve ssh options even when the push is small.
        #[arg(long)]
        ssh: bool,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Prints the effective ssh options for a destination, like `ssh -G`,
    /// from pushguard's own resolver (options apply in argv order, as in ssh).
    Resolve(ResolveArgs),
    /// Writes the pre-push hook into this repository (honours core.hooksPath;
    /// an existing hook is kept and runs first).
    Install,
    /// Removes pushguard's pre-push hook and restores the one it chained.
    Uninstall,
}

#[derive(clap::Args)]
struct ResolveArgs {
    /// Config file instead of the user and system files (`none`: no file).
    #[arg(short = 'F')]
    config: Option<String>,
    /// An option line, as `ssh -o`.
    #[arg(short = 'o')]
    options: Vec<String>,
    /// Port.
    #[arg(short = 'p')]
    port: Option<String>,
    /// Login name.
    #[arg(short = 'l')]
    user: Option<String>,
    /// Jump host(s).
    #[arg(short = 'J')]
    jump: Option<String>,
    /// Identity file.
    #[arg(short = 'i')]
    identity: Vec<String>,
    /// IPv4 only.
    #[arg(short = '4')]
    inet4: bool,
    /// IPv6 only.
    #[arg(short = '6')]
    inet6: bool,
    /// Run `Match exec` commands (as ssh does) instead of treating them as unknown.
    #[arg(long)]
    exec: bool,
    /// Show where every value came from, and the keepalive lines that lost.
    #[arg(long)]
    explain: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Which ssh build's defaults apply.
    #[arg(long, default_value = "auto", value_parser = ["auto", "debian", "openbsd"])]
    flavour: String,
    /// Destination: `[user@]host` or `ssh://[user@]host[:port]`.
    destination: String,
}

fn main() -> ExitCode {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let invoked_as_hook = args
        .first()
        .and_then(|a| std::path::Path::new(a).file_name())
        .is_some_and(|n| n == "pre-push");
    if invoked_as_hook {
        args.insert(1, "pre-push".into());
    }
    let cli = Cli::parse_from(&args);
    match cli.command {
        Cmd::PrePush {
            remote,
            url,
            format,
        } => pre_push(remote, url, format),
        Cmd::Check {
            remote,
            refspecs,
            stdin,
            ssh,
            format,
        } => dry_run(remote, refspecs, stdin, ssh, format),
        Cmd::Resolve(a) => resolve(&a, &ssh_words(&args)),
        Cmd::Install => {
            hook_file(|cwd| install::install(cwd, std::env::current_exe().ok().as_deref()))
        }
        Cmd::Uninstall => hook_file(install::uninstall),
    }
}

fn hook_file(
    op: impl FnOnce(&std::path::Path) -> Result<install::Done, install::InstallError>,
) -> ExitCode {
    match op(&check::current_dir()) {
        Ok(done) => {
            emit(&format!("{done}\n"), false);
            ExitCode::SUCCESS
        }
        Err(e) => {
            emit(&format!("pushguard: {e}\n"), true);
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// The `resolve` arguments in argv order, without pushguard's own flags:
/// ssh applies command-line options in the order given.
fn ssh_words(args: &[std::ffi::OsString]) -> Vec<String> {
    let raw: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .skip_while(|a| a != "resolve")
        .skip(1)
        .collect();
    let mut out = Vec::new();
    let mut skip_value = false;
    for a in raw {
        if std::mem::take(&mut skip_value) {
            continue;
        }
        match a.as_str() {
            "--exec" | "--explain" => {}
            "--format" | "--flavour" => skip_value = true,
            s if s.starts_with("--format=") || s.starts_with("--flavour=") => {}
            _ => out.push(a),
        }
    }
    out
}

fn resolve(a: &ResolveArgs, words: &[String]) -> ExitCode {
    let req = match ResolveRequest::from_ssh_args(words) {
        Ok(r) => r,
        Err(e) => {
            emit(&format!("pushguard resolve: {e}\n"), true);
            return ExitCode::from(EXIT_SSH_CONFIG);
        }
    };
    let flavour = match a.flavour.as_str() {
        "debian" => Flavour::Debian,
        "openbsd" => Flavour::OpenBsd,
        _ => Flavour::detect(),
    };
    let exec = if a.exec {
        ExecPolicy::Run
    } else {
        ExecPolicy::Unknown
    };
    match ssh::resolve(&req, &ResolveEnv::current(flavour, exec)) {
        Ok(r) => {
            let text = match (a.format, a.explain) {
                (Format::Json, _) => format!("{:#}\n", r.to_json()),
                (Format::Text, true) => r.explain(),
                (Format::Text, false) => r.dump(),
            };
            emit(&text, false);
            ExitCode::SUCCESS
        }
        Err(e) => {
            emit(&format!("pushguard resolve: {e}\n"), true);
            ExitCode::from(EXIT_SSH_CONFIG)
        }
    }
}

fn read_stdin() -> Result<Vec<u8>, CheckError> {
    let mut buf = Vec::new();
    std::io::stdin()
        .read_to_end(&mut buf)
        .map_err(|e| CheckError::Plan(format!("cannot read stdin: {e}")))?;
    Ok(buf)
}

fn emit(text: &str, to_stderr: bool) {
    // A closed pipe is not worth a panic.
    let _ = if to_stderr {
        std::io::stderr().write_all(text.as_bytes())
    } else {
        std::io::stdout().write_all(text.as_bytes())
    };
}

fn json_text(o: &Outcome) -> String {
    format!("{:#}\n", report::json(o))
}

fn verdict_code(v: Verdict) -> ExitCode {
    match v {
        Verdict::Block => ExitCode::from(EXIT_BLOCK),
        _ => ExitCode::SUCCESS,
    }
}

/// Set once the hook knows `pushguard.strict` is on.
static STRICT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The hook never breaks a push by its own fault: even a bug (a panic) ends
/// in one line on stderr and exit 0, unless strict mode is on.
fn pre_push(remote: String, url: String, format: Format) -> ExitCode {
    std::panic::set_hook(Box::new(|_| {}));
    match std::panic::catch_unwind(|| pre_push_inner(remote, url, format)) {
        Ok(code) => code,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown".into());
            let strict = STRICT.load(std::sync::atomic::Ordering::Relaxed);
            hook_error(
                &CheckError::Plan(format!("internal error ({what})")),
                strict,
            )
        }
    }
}

fn pre_push_inner(remote: String, url: String, format: Format) -> ExitCode {
    let env = Env::current();
    let cwd = check::current_dir();
    // Read all of stdin first, whatever happens next: git expects it consumed.
    let stdin = read_stdin();
    let (cfg, settings) = match check::settings(&cwd, &env) {
        Ok(v) => v,
        Err(e) => return hook_error(&e, false),
    };
    let strict = settings.strict;
    STRICT.store(strict, std::sync::atomic::Ordering::Relaxed);
    let outcome = stdin
        .and_then(|b| check::read_updates(&b))
        .and_then(|updates| {
            let plan = PushPlan {
                remote,
                url,
                updates,
            };
            check::judge(&cwd, &cfg, settings, plan, &env, false)
        });
    match outcome {
        Ok(o) => {
            match format {
                Format::Text => emit(&report::hook_text(&o), true),
                Format::Json => emit(&json_text(&o), false),
            }
            verdict_code(o.decision.verdict)
        }
        Err(e) => hook_error(&e, strict),
    }
}

fn hook_error(e: &CheckError, strict: bool) -> ExitCode {
    if strict {
        emit(
            &format!(
                "pushguard: cannot check this push: {e}; stopping it (pushguard.strict is on)\n"
            ),
            true,
        );
        ExitCode::from(EXIT_ERROR)
    } else {
        emit(
            &format!("pushguard: cannot check this push: {e}; letting it go on\n"),
            true,
        );
        ExitCode::SUCCESS
    }
}

fn dry_run(
    remote: Option<String>,
    refspecs: Vec<String>,
    stdin: bool,
    ssh: bool,
    format: Format,
) -> ExitCode {
    let env = Env::current();
    let cwd = check::current_dir();
    let run = || -> Result<Outcome, CheckError> {
        let (cfg, settings) = check::settings(&cwd, &env)?;
        let updates = match stdin {
            true => Some(check::read_updates(&read_stdin()?)?),
            false => None,
        };
        let plan = check::plan_for_check(&cwd, &cfg, remote.as_deref(), &refspecs, updates)?;
        check::judge(&cwd, &cfg, settings, plan, &env, ssh)
    };
    match run() {
        Ok(o) => {
            match format {
                Format::Text => emit(&report::check_text(&o), false),
                Format::Json => emit(&json_text(&o), false),
            }
            verdict_code(o.decision.verdict)
        }
        Err(e) => {
            emit(&format!("pushguard: cannot check: {e}\n"), true);
            ExitCode::from(EXIT_ERROR)
        }
    }
}
