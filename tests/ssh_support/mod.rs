//! Shared helpers for the ssh resolver tests: run the real `ssh -G` with a
//! time bound, and compare it with the builtin resolver.
#![allow(dead_code)]

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use pushguard::ssh::{ExecPolicy, Flavour, ResolveEnv, ResolveRequest, resolve};

/// What `ssh -G` said.
#[derive(Debug)]
pub struct SshOut {
    /// Exit status 0?
    pub ok: bool,
    /// stdout.
    pub stdout: String,
    /// stderr.
    pub stderr: String,
}

/// Is `ssh` installed? Panics under CI when it is not.
pub fn have_ssh() -> bool {
    let ok = Command::new("ssh")
        .arg("-V")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        if std::env::var_os("CI").is_some() {
            panic!("ssh is not installed but CI is set");
        }
        eprintln!("SKIPPING: ssh (OpenSSH client) is not installed");
    }
    ok
}

/// Runs `ssh -G <args>` bounded by 20 s.
pub fn ssh_g(args: &[String]) -> SshOut {
    let mut child = Command::new("ssh")
        .arg("-G")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn ssh");
    let mut so = child.stdout.take().unwrap();
    let mut se = child.stderr.take().unwrap();
    let t1 = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = so.read_to_string(&mut s);
        s
    });
    let t2 = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = se.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("ssh -G {args:?} timed out");
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    SshOut {
        ok: status.success(),
        stdout: t1.join().unwrap(),
        stderr: t2.join().unwrap(),
    }
}

/// The environment ssh itself sees, running `Match exec`.
pub fn env_run() -> ResolveEnv {
    ResolveEnv::current(Flavour::detect(), ExecPolicy::Run)
}

/// Compares builtin and real for one argv; `Ok(accepted)` when they agree
/// (both print the same, or both reject), `Err(description)` otherwise.
pub fn compare(args: &[String], env: &ResolveEnv) -> Result<bool, String> {
    let real = ssh_g(args);
    let ours = ResolveRequest::from_ssh_args(args).and_then(|r| resolve(&r, env));
    match (real.ok, ours) {
        (true, Ok(res)) => {
            let mine = res.dump();
            if mine == real.stdout {
                Ok(true)
            } else {
                let a: Vec<&str> = real.stdout.lines().collect();
                let b: Vec<&str> = mine.lines().collect();
                let mut d = String::new();
                for l in &a {
                    if !b.contains(l) {
                        d.push_str(&format!("  ssh only:  {l}\n"));
                    }
                }
                for l in &b {
                    if !a.contains(l) {
                        d.push_str(&format!("  ours only: {l}\n"));
                    }
                }
                if d.is_empty() {
                    d = "  (order differs)\n".into();
                }
                Err(d)
            }
        }
        (false, Err(_)) => Ok(false),
        (true, Err(e)) => Err(format!("  ssh accepted, ours rejected: {e}\n")),
        (false, Ok(_)) => Err(format!("  ssh rejected: {}  ours accepted\n", real.stderr)),
    }
}
