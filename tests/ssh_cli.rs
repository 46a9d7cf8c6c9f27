//! `pushguard resolve` end to end, against `ssh -G` run with the same
//! arguments and environment.

mod ssh_support;

use std::path::Path;
use std::process::{Command, Output, Stdio};

fn pushguard(args: &[&str], home: Option<&Path>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_pushguard"));
    c.arg("resolve").args(args).stdin(Stdio::null());
    if let Some(h) = home {
        c.env("HOME", h);
    }
    c.output().unwrap()
}

fn ssh(args: &[&str], home: Option<&Path>) -> Output {
    let mut c = Command::new("ssh");
    c.arg("-G").args(args).stdin(Stdio::null());
    if let Some(h) = home {
        c.env("HOME", h);
    }
    c.output().unwrap()
}

#[test]
fn prints_what_ssh_prints() {
    if !ssh_support::have_ssh() {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let cfg = d.path().join("config");
    std::fs::write(&cfg, "Host h\n  ServerAliveInterval 30\n  Port 7999\n").unwrap();
    let cfg = cfg.to_str().unwrap();
    let args = ["-F", cfg, "-o", "User=git", "-p", "2", "h"];
    let a = pushguard(&args, None);
    let b = ssh(&args, None);
    assert!(a.status.success());
    assert_eq!(
        String::from_utf8_lossy(&a.stdout),
        String::from_utf8_lossy(&b.stdout)
    );
}

#[test]
fn relative_include_uses_home_dot_ssh() {
    if !ssh_support::have_ssh() {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir(home.path().join(".ssh")).unwrap();
    std::fs::write(home.path().join(".ssh/inc.conf"), "Port 4444\n").unwrap();
    let cfg = home.path().join("cfg");
    std::fs::write(&cfg, "Include inc.conf\n").unwrap();
    let args = ["-F", cfg.to_str().unwrap(), "h"];
    let a = pushguard(&args, Some(home.path()));
    let b = ssh(&args, Some(home.path()));
    let out = String::from_utf8_lossy(&a.stdout);
    assert!(out.contains("\nport 4444\n"), "{out}");
    assert_eq!(out, String::from_utf8_lossy(&b.stdout));
}

#[test]
fn user_file_comes_from_passwd_not_home() {
    if !ssh_support::have_ssh() {
        return;
    }
    let env = pushguard::ssh::ResolveEnv::current(
        pushguard::ssh::Flavour::detect(),
        pushguard::ssh::ExecPolicy::Unknown,
    );
    if env.user_config.exists() {
        eprintln!(
            "SKIPPING user_file_comes_from_passwd_not_home: {} exists",
            env.user_config.display()
        );
        return;
    }
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir(home.path().join(".ssh")).unwrap();
    std::fs::write(home.path().join(".ssh/config"), "Port 5555\n").unwrap();
    let a = pushguard(&["h"], Some(home.path()));
    let b = ssh(&["h"], Some(home.path()));
    let out = String::from_utf8_lossy(&a.stdout);
    assert!(out.contains("\nport 22\n"), "{out}");
    assert_eq!(out, String::from_utf8_lossy(&b.stdout));
}

#[test]
fn rejected_config_exits_nonzero_with_file_and_line() {
    let d = tempfile::tempdir().unwrap();
    let cfg = d.path().join("config");
    std::fs::write(&cfg, "Host h\n  ServerAliveInterval soon\n").unwrap();
    let a = pushguard(&["-F", cfg.to_str().unwrap(), "h"], None);
    assert!(!a.status.success());
    let err = String::from_utf8_lossy(&a.stderr);
    assert!(
        err.contains(&format!("{} line 2: invalid time value.", cfg.display())),
        "{err}"
    );
}

#[test]
fn explain_json_and_exec() {
    let d = tempfile::tempdir().unwrap();
    let cfg = d.path().join("config");
    std::fs::write(
        &cfg,
        "Match exec true\n  ServerAliveInterval 30\nHost *\n  ServerAliveInterval 60\n",
    )
    .unwrap();
    let c = cfg.to_str().unwrap();
    let out = pushguard(&["-F", c, "--explain", "h"], None);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("serveraliveinterval 60\t# {c}:4")),
        "{text}"
    );
    assert!(
        text.contains("depends on the unknown result of Match exec"),
        "{text}"
    );
    let out = pushguard(&["-F", c, "--exec", "--explain", "h"], None);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("serveraliveinterval 30\t# {c}:2")),
        "{text}"
    );
    assert!(text.contains("shadowed: serveraliveinterval 60"), "{text}");
    let out = pushguard(&["-F", c, "--format", "json", "h"], None);
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["keepalive_depends_on_exec"][0], format!("{c}:1"));
}
