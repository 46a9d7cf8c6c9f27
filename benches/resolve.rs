//! Benchmark: resolving one host in a 500-host config spread over Includes,
//! builtin resolver vs one `ssh -G` process. Run: `cargo bench --bench resolve`.

use std::fmt::Write as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use pushguard::ssh::{ExecPolicy, Profile, ResolveEnv, ResolveRequest, resolve};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut main_cfg = String::new();
    for f in 0..5 {
        let mut text = String::new();
        for h in 0..100 {
            let n = f * 100 + h;
            let _ = write!(
                text,
                "Host host{n} host{n}.alias\n  HostName 10.{f}.{}.{}\n  Port {}\n  User u{n}\n  IdentityFile ~/.ssh/id_{n}\n",
                h / 250,
                h % 250 + 1,
                2000 + n
            );
            if h % 10 == 0 {
                let _ = write!(
                    text,
                    "Match host 10.{f}.0.{} user u{n}\n  ServerAliveInterval {}\n",
                    h + 1,
                    30 + h
                );
            }
        }
        std::fs::write(dir.path().join(format!("hosts{f}.conf")), text).expect("write");
    }
    // The Include sits at the top, outside any block (a config.d layout),
    // so host490's own block and its Match apply.
    let _ = writeln!(main_cfg, "Include {}/hosts*.conf", dir.path().display());
    main_cfg.push_str("Host *.internal\n  ServerAliveInterval 10\n");
    main_cfg.push_str("Host *\n  ServerAliveInterval 0\n  ServerAliveCountMax 3\n");
    let cfg = dir.path().join("config");
    std::fs::write(&cfg, &main_cfg).expect("write");
    let args: Vec<String> = vec!["-F".into(), cfg.display().to_string(), "host490".into()];

    let env = ResolveEnv::current(Profile::detect_default(), ExecPolicy::Unknown);
    let req = ResolveRequest::from_ssh_args(&args).expect("args");
    // Interleaved so both sides see the same load on a shared machine: each
    // round starts one `ssh -G` process and runs the builtin 20 times; the
    // per-round ratio pairs each `ssh -G` with the builtin runs after it.
    let mut builtin = Vec::new();
    let mut real = Vec::new();
    let mut ratios = Vec::new();
    for _ in 0..40 {
        let t = Instant::now();
        let out = Command::new("ssh")
            .arg("-G")
            .args(&args)
            .stdin(Stdio::null())
            .output()
            .expect("ssh -G");
        assert!(out.status.success());
        real.push(t.elapsed());
        let mut round = Vec::new();
        for _ in 0..20 {
            let t = Instant::now();
            let r = resolve(&req, &env).expect("resolve");
            std::hint::black_box(&r);
            round.push(t.elapsed());
        }
        builtin.extend_from_slice(&round);
        if let Some(s) = real.last() {
            ratios.push(s.as_secs_f64() / median(round).as_secs_f64());
        }
    }
    let ours = resolve(&req, &env).expect("resolve").dump();
    let theirs = Command::new("ssh")
        .arg("-G")
        .args(&args)
        .stdin(Stdio::null())
        .output()
        .expect("ssh -G");
    let same = ours == String::from_utf8_lossy(&theirs.stdout);
    // The host's own block and its Match were applied.
    for want in ["hostname 10.4.0.91", "port 2490", "serveraliveinterval 120"] {
        assert!(
            ours.lines().any(|l| l == want),
            "resolved output lacks {want}"
        );
    }
    ratios.sort_by(f64::total_cmp);
    let round_ratio = ratios.get(ratios.len() / 2).copied().unwrap_or(0.0);
    let spread = |v: &[Duration]| {
        let mut v = v.to_vec();
        v.sort();
        let q = |f: f64| v[((v.len() - 1) as f64 * f) as usize].as_secs_f64() * 1e3;
        format!("p10 {:.3} / p90 {:.3} ms", q(0.1), q(0.9))
    };
    println!("builtin {}, ssh -G {}", spread(&builtin), spread(&real));
    let b = median(builtin);
    let s = median(real);
    println!(
        "resolve host490 in 500 hosts / 5 includes: builtin median {:.3} ms, ssh -G median {:.3} ms, ratio {:.0}x (median per round {:.0}x), outputs equal: {same}",
        b.as_secs_f64() * 1e3,
        s.as_secs_f64() * 1e3,
        s.as_secs_f64() / b.as_secs_f64(),
        round_ratio
    );
}
