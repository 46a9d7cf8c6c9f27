//! Differential test: random configs (Host/Match/Include trees, pattern
//! lists, negations, duplicates, quoting, `=` forms, time units, comments,
//! command-line options) resolved by the builtin resolver and by the real
//! `ssh -G`; every printed line must agree, but for the differences the
//! known-differences table (`ssh_rules::KNOWN`) lists for that ssh build.
//! The generator (`ssh_generator`) also writes what changed between 8.7
//! and 10.5 and the vendor keywords (the Match criteria and tokens, the
//! Include tokens, the command-line host, user and jump checks), so that
//! every build meets what it does differently.
//! 1,000 cases by default, `PUSHGUARD_LONG=1` runs 10,000; `PUSHGUARD_SEED`
//! picks the seed; `PUSHGUARD_SSH` the ssh build.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use crate::ssh_generator::case;
use crate::ssh_rules::KNOWN;
use crate::support::Sandbox;
use crate::support::ssh::{Difference, report_loudly, resolve_env, witness};

#[test]
fn differential_against_ssh_g() {
    let Some(w) = witness() else { return };
    let long = std::env::var_os("PUSHGUARD_LONG").is_some();
    let n: usize = if long { 10_000 } else { 1_000 };
    let seed0: u64 = std::env::var("PUSHGUARD_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    // A build in the table may differ only in its known ways (a random run
    // need not meet each of them); another build's differences are reported.
    let known = w.known(KNOWN);
    let next = AtomicUsize::new(0);
    let failures: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let failed = AtomicUsize::new(0);
    let rejected = AtomicUsize::new(0);
    let expected: Mutex<BTreeMap<&str, usize>> = Mutex::default();
    // PUSHGUARD_DIFF_STATS=1: which reasons the both-rejected cases have.
    let stats = std::env::var_os("PUSHGUARD_DIFF_STATS").is_some();
    let reasons: Mutex<BTreeMap<String, usize>> = Mutex::default();
    let start = Instant::now();
    let threads = std::thread::available_parallelism()
        .map(|x| x.get())
        .unwrap_or(2)
        .clamp(2, 4);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let tmp = Sandbox::new();
                let env = resolve_env(Some(w), tmp.root());
                let root = tmp.root().display().to_string();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        break;
                    }
                    let dir = tmp.path(format!("c{i}"));
                    std::fs::create_dir_all(&dir).unwrap();
                    let (args, text) = case(seed0 + i as u64, &dir);
                    let out = w.compare_why(&args, &env);
                    if let Ok(Some(why)) = &out {
                        rejected.fetch_add(1, Ordering::Relaxed);
                        if stats {
                            // The reason without its file and line.
                            let why = why.rsplit(": ").next().unwrap_or(why);
                            let why: String = why
                                .chars()
                                .filter(|c| !c.is_ascii_digit())
                                .take(40)
                                .collect();
                            *reasons.lock().unwrap().entry(why).or_default() += 1;
                        }
                    }
                    let out = out.map(|why| why.is_none());
                    if let Err(kind) = out {
                        let d = Difference {
                            args: args.join(" ").replace(&root, "$DIR"),
                            config: text.clone(),
                            kind,
                        };
                        let listed = known.unwrap_or_default().iter().find(|k| (k.matches)(&d));
                        if let Some(k) = listed {
                            *expected.lock().unwrap().entry(k.what).or_default() += 1;
                        } else {
                            failed.fetch_add(1, Ordering::Relaxed);
                            let mut f = failures.lock().unwrap();
                            if f.len() < 5 {
                                f.push(format!(
                                    "case {}: {d}
{text}",
                                    seed0 + i as u64
                                ));
                            }
                        }
                    }
                    let _ = std::fs::remove_dir_all(&dir);
                }
            });
        }
    });
    let bad = failed.load(Ordering::Relaxed);
    let expected = expected.into_inner().unwrap();
    let listed: usize = expected.values().sum();
    eprintln!(
        "differential ({}): {n} cases, {} agree ({} both rejected), {listed} differ as listed, {bad} differ, {:.1} s",
        w.banner,
        n - bad - listed,
        rejected.load(Ordering::Relaxed),
        start.elapsed().as_secs_f64()
    );
    for (what, count) in &expected {
        eprintln!("  listed for this build, seen {count} times: {what}");
    }
    let mut reasons: Vec<(String, usize)> = reasons.into_inner().unwrap().into_iter().collect();
    reasons.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    for (why, n) in reasons.iter().take(25) {
        eprintln!("  both rejected {n} times: {why}");
    }
    let f = failures.lock().unwrap();
    if bad > 0 && known.is_none() {
        report_loudly(&format!(
            "WITNESS {} is not in the known-differences table; {bad} of {n} generated cases differ from the builtin resolver, first ones:\n{}\n{}",
            w.banner,
            f.join("\n"),
            w.divergences()
        ));
        return;
    }
    assert!(
        bad == 0,
        "{bad} of {n} cases differ; first ones:\n{}\n{}",
        f.join("\n"),
        w.divergences()
    );
}
