//! The `pushguard` binary: parses arguments and maps results to exit codes.

use clap::Parser;
use pushguard::ssh::{ExecPolicy, Flavour, ResolveEnv, ResolveRequest, resolve};

/// pushguard: stops a large `git push` over SSH from dying on an idle timeout.
#[derive(Parser)]
#[command(name = "pushguard")]
enum Cli {
    /// Prints the effective ssh options for a destination, like `ssh -G`.
    Resolve(ResolveArgs),
}

/// `pushguard resolve`: the builtin OpenSSH config resolver.
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
    #[arg(short = '6', conflicts_with = "inet4")]
    inet6: bool,
    /// Run `Match exec` commands (as ssh does) instead of treating them as unknown.
    #[arg(long)]
    exec: bool,
    /// Show where every value came from, and the keepalive lines that lost.
    #[arg(long)]
    explain: bool,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    format: String,
    /// Which ssh build's defaults apply.
    #[arg(long, default_value = "auto", value_parser = ["auto", "debian", "openbsd"])]
    flavour: String,
    /// Destination: `[user@]host` or `ssh://[user@]host[:port]`.
    destination: String,
}

fn run_resolve(a: ResolveArgs) -> i32 {
    let mut req = ResolveRequest::new(&a.destination);
    req.config = a.config;
    // ssh applies -o, -p, -l, -J, -i in argv order; clap groups them, so
    // keep ssh's precedence for the usual case: -o lines first.
    for o in &a.options {
        req = req.option(o);
    }
    if let Some(p) = &a.port {
        req = req.port(p);
    }
    if let Some(u) = &a.user {
        req = req.user(u);
    }
    if let Some(j) = &a.jump {
        req = req.jump(j);
    }
    for i in &a.identity {
        req = req.identity(i);
    }
    if a.inet4 || a.inet6 {
        req = req.family(a.inet4);
    }
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
    let env = ResolveEnv::current(flavour, exec);
    match resolve(&req, &env) {
        Ok(r) => {
            if a.format == "json" {
                println!("{}", r.to_json());
            } else if a.explain {
                print!("{}", r.explain());
            } else {
                print!("{}", r.dump());
            }
            0
        }
        Err(e) => {
            eprintln!("pushguard resolve: {e}");
            255
        }
    }
}

fn main() {
    let code = match Cli::parse() {
        Cli::Resolve(a) => run_resolve(a),
    };
    std::process::exit(code);
}
