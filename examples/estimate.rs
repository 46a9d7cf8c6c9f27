//! The hook's counting, alone, for the benchmark: discover the repository,
//! read git config, bound by the pack indexes, and walk only when the bound
//! is not below the warn threshold. Reads pre-push stdin, prints one line.
//!
//! Usage: `estimate <remote> [<warn> [<stop-at>]] < hook-stdin` in the worktree.
//! `<remote>` `-` means a URL push with no remote name.

use std::io::Read;
use std::process::ExitCode;
use std::time::Instant;

use pushguard::estimate::{Estimate, Inventory, Repo, estimate};
use pushguard::git::GitConfig;
use pushguard::plan::parse_updates;

fn main() -> ExitCode {
    match run() {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("estimate: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<String, Box<dyn std::error::Error>> {
    let started = Instant::now();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let remote = args.first().map(String::as_str).filter(|r| *r != "-");
    let warn: u64 = args.get(1).map_or(Ok(20_000), |a| a.parse())?;
    let stop_at: u64 = args.get(2).map_or(Ok(warn), |a| a.parse())?;
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input)?;
    let updates = parse_updates(&input)?;
    let cwd = std::env::current_dir()?;
    let ms = |t: Instant| t.elapsed().as_secs_f64() * 1e3;
    let t = Instant::now();
    let repo = Repo::discover(&cwd)?;
    let discover_ms = ms(t);
    let t = Instant::now();
    let cfg = GitConfig::read(&cwd)?;
    let config_ms = ms(t);
    let t = Instant::now();
    let inventory = Inventory::scan(&repo, warn)?;
    let phases = format!(
        "discover {discover_ms:.3} ms, git config {config_ms:.2} ms, index scan {:.3} ms",
        ms(t)
    );
    if inventory.upper_bound().is_some_and(|n| n < warn) {
        let small = Estimate::within_repository(&inventory);
        return Ok(format!(
            "small: {} (no walk); total {:.2} ms: {phases}",
            small.notes.join("; "),
            ms(started)
        ));
    }
    let est = estimate(&repo, &cfg, remote, &updates, stop_at)?;
    let bytes = est.bytes.map_or("?".to_string(), |b| b.to_string());
    let upper = est
        .upper_bound
        .map_or(String::new(), |u| format!(" (at most ~{u})"));
    let assumes = match est.assumes.len() {
        0 => String::new(),
        n => format!(", assuming {n} refs ({}…)", est.assumes[0].local_ref),
    };
    Ok(format!(
        "objects: {}{upper}{assumes}, bytes: {bytes}, commit-graph: {}, walk {:.2} ms, total {:.2} ms: {phases}{}",
        est.objects,
        est.commit_graph,
        est.walk_time.map_or(0.0, |d| d.as_secs_f64() * 1e3),
        ms(started),
        est.notes
            .iter()
            .map(|n| format!("; {n}"))
            .collect::<String>()
    ))
}
