//! `pushguard resolve` end to end, against `ssh -G` run with the same
//! arguments and environment.

use crate::support::ssh::witness;
use crate::support::{Out, Sandbox};

fn pushguard(s: &Sandbox, args: &[&str]) -> Out {
    s.pushguard(&["resolve"]).args(args).run()
}

fn ssh(s: &Sandbox, args: &[&str]) -> Option<Out> {
    Some(s.cmd(&witness()?.path).arg("-G").args(args).run())
}

#[test]
fn prints_what_ssh_prints() {
    let s = Sandbox::new();
    let cfg = s.write("config", "Host h\n  ServerAliveInterval 30\n  Port 7999\n");
    let cfg = cfg.to_str().unwrap();
    let args = ["-F", cfg, "-o", "User=git", "-p", "2", "h"];
    let Some(b) = ssh(&s, &args) else { return };
    let a = pushguard(&s, &args);
    assert!(a.success());
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn relative_include_uses_home_dot_ssh() {
    let home = Sandbox::new();
    home.write(".ssh/inc.conf", "Port 4444\n");
    let cfg = home.write("cfg", "Include inc.conf\n");
    let args = ["-F", cfg.to_str().unwrap(), "h"];
    let Some(b) = ssh(&home, &args) else { return };
    let a = pushguard(&home, &args);
    assert!(a.stdout.contains("\nport 4444\n"), "{}", a.stdout);
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn user_file_comes_from_passwd_not_home() {
    if witness().is_none() {
        return;
    }
    let env = pushguard::ssh::ResolveEnv::current(
        pushguard::ssh::Profile::newest(),
        pushguard::ssh::ExecPolicy::Unknown,
    );
    if env.user_config.exists() {
        eprintln!(
            "SKIPPING user_file_comes_from_passwd_not_home: {} exists",
            env.user_config.display()
        );
        return;
    }
    let home = Sandbox::new();
    home.write(".ssh/config", "Port 5555\n");
    let Some(b) = ssh(&home, &["h"]) else { return };
    let a = pushguard(&home, &["h"]);
    assert!(a.stdout.contains("\nport 22\n"), "{}", a.stdout);
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn rejected_config_exits_nonzero_with_file_and_line() {
    let s = Sandbox::new();
    let cfg = s.write("config", "Host h\n  ServerAliveInterval soon\n");
    let a = pushguard(&s, &["-F", cfg.to_str().unwrap(), "h"]);
    assert!(!a.success());
    assert!(
        a.stderr
            .contains(&format!("{} line 2: invalid time value.", cfg.display())),
        "{}",
        a.stderr
    );
}

#[test]
fn explain_json_and_exec() {
    let s = Sandbox::new();
    let cfg = s.write(
        "config",
        "Match exec true\n  ServerAliveInterval 30\nHost *\n  ServerAliveInterval 60\n",
    );
    let c = cfg.to_str().unwrap();
    let text = pushguard(&s, &["-F", c, "--explain", "h"]).stdout;
    assert!(
        text.contains(&format!("serveraliveinterval 60\t# {c}:4")),
        "{text}"
    );
    assert!(
        text.contains("depends on the unknown result of Match exec"),
        "{text}"
    );
    let text = pushguard(&s, &["-F", c, "--exec", "--explain", "h"]).stdout;
    assert!(
        text.contains(&format!("serveraliveinterval 30\t# {c}:2")),
        "{text}"
    );
    assert!(text.contains("shadowed: serveraliveinterval 60"), "{text}");
    let j = pushguard(&s, &["-F", c, "--format", "json", "h"]).json();
    assert_eq!(j["keepalive_depends_on_exec"][0], format!("{c}:1"));
}
