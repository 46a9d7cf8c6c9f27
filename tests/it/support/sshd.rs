//! A real OpenSSH server on 127.0.0.1 for one test, behind an idle-timeout
//! middlebox: `sshd -D -e` with its own host key, config and authorized key
//! in the test's temp directory, and `socat -T <seconds>` in front of it,
//! which drops a connection that carried nothing for that long (as a load
//! balancer or Bitbucket Server's SSH layer does). Both run in their own
//! process group and are stopped by that group's id when the value drops.
//!
//! sshd is `$PUSHGUARD_SSHD` (e.g. extracted from Debian's package with
//! `dpkg-deb -x`), else `sshd` on `PATH` or `/usr/sbin/sshd`. Run as root it
//! needs the privilege-separation user `sshd` and `/run/sshd`, which
//! Debian's openssh-server package provides (the directory is created here
//! when missing); run as another user it can only log that user in, which
//! is the user the tests push as.

use std::fs;
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{Sandbox, require};

/// The ssh host alias the client config names.
pub const ALIAS: &str = "pushguard-sshd";

/// A running sshd and the middlebox in front of it.
pub struct Sshd {
    children: Vec<Child>,
    /// The client config (`ssh -F` it): `Host pushguard-sshd` through the middlebox.
    pub ssh_config: PathBuf,
    /// sshd's own log.
    pub log: PathBuf,
}

impl Sshd {
    /// Starts sshd and `socat -T idle` in front of it, or `None` (after
    /// `require`'s message) when a tool is missing.
    pub fn start(s: &Sandbox, idle: Duration) -> Option<Sshd> {
        let sshd = require("sshd")?;
        let socat = require("socat")?;
        let keygen = require("ssh-keygen")?;
        let dir = s.path("sshd");
        fs::create_dir_all(&dir).expect("sshd dir");
        for key in ["host_key", "user_key"] {
            let out = Command::new(&keygen)
                .args([
                    "-q",
                    "-t",
                    "ed25519",
                    "-N",
                    "",
                    "-C",
                    "pushguard-test",
                    "-f",
                ])
                .arg(dir.join(key))
                .stdin(Stdio::null())
                .output()
                .expect("ssh-keygen");
            assert!(out.status.success(), "ssh-keygen: {out:?}");
        }
        let public = |k: &str| fs::read_to_string(dir.join(format!("{k}.pub"))).expect("key");
        fs::write(dir.join("authorized_keys"), public("user_key")).expect("authorized_keys");
        let host = public("host_key");
        let host = host
            .split_whitespace()
            .take(2)
            .collect::<Vec<_>>()
            .join(" ");
        fs::write(dir.join("known_hosts"), format!("{ALIAS} {host}\n")).expect("known_hosts");
        let user = whoami();
        if user == "root" {
            prepare_root();
        }
        let log = dir.join("sshd.log");
        let mut children = Vec::new();
        let (sshd_port, child) = (0..5)
            .find_map(|_| {
                let port = free_port();
                write_sshd_config(&dir, port);
                let err = fs::File::create(&log).expect("sshd log");
                let mut child = Command::new(&sshd)
                    .args(["-D", "-e", "-f"])
                    .arg(dir.join("sshd_config"))
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(err)
                    .process_group(0)
                    .spawn()
                    .expect("sshd");
                match wait_listening(port, &mut child) {
                    true => Some((port, child)),
                    false => {
                        stop(&mut child);
                        None
                    }
                }
            })
            .unwrap_or_else(|| {
                panic!(
                    "sshd did not start; its log:\n{}",
                    fs::read_to_string(&log).unwrap_or_default()
                )
            });
        children.push(child);
        let (relay_port, relay) = (0..5)
            .find_map(|_| {
                let port = free_port();
                let mut child = Command::new(&socat)
                    .arg("-T")
                    .arg(format!("{}", idle.as_secs_f64()))
                    .arg(format!("TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr,fork"))
                    .arg(format!("TCP:127.0.0.1:{sshd_port}"))
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .process_group(0)
                    .spawn()
                    .expect("socat");
                match wait_listening(port, &mut child) {
                    true => Some((port, child)),
                    false => {
                        stop(&mut child);
                        None
                    }
                }
            })
            .expect("socat did not start");
        children.push(relay);
        let ssh_config = dir.join("ssh_config");
        fs::write(
            &ssh_config,
            format!(
                "Host {ALIAS}\n  HostName 127.0.0.1\n  Port {relay_port}\n  User {user}\n  IdentityFile {d}/user_key\n  IdentitiesOnly yes\n  UserKnownHostsFile {d}/known_hosts\n  GlobalKnownHostsFile none\n  StrictHostKeyChecking yes\n  HostKeyAlias {ALIAS}\n  PreferredAuthentications publickey\n  PasswordAuthentication no\n  KbdInteractiveAuthentication no\n  ConnectTimeout 20\n",
                d = dir.display()
            ),
        )
        .expect("ssh_config");
        Some(Sshd {
            children,
            ssh_config,
            log,
        })
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        for c in self.children.iter_mut().rev() {
            stop(c);
        }
    }
}

/// Stops a child's whole process group (it leads one): TERM, then KILL.
fn stop(child: &mut Child) {
    let group = format!("-{}", child.id());
    let kill = |signal: &str| {
        let _ = Command::new("kill")
            .args([signal, "--", &group])
            .stderr(Stdio::null())
            .status();
    };
    kill("-TERM");
    let until = Instant::now() + Duration::from_secs(5);
    while Instant::now() < until {
        if let Ok(Some(_)) = child.try_wait() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    if !matches!(child.try_wait(), Ok(Some(_))) {
        kill("-KILL");
    }
    let _ = child.wait();
}

fn write_sshd_config(dir: &Path, port: u16) {
    let d = dir.display();
    fs::write(
        dir.join("sshd_config"),
        format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {d}/host_key\nAuthorizedKeysFile {d}/authorized_keys\nPidFile none\nUsePAM no\nStrictModes no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\nAcceptEnv GIT_PROTOCOL\nSetEnv GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1\nClientAliveInterval 0\nLogLevel VERBOSE\n"
        ),
    )
    .expect("sshd_config");
}

/// A port that was free a moment ago (sshd and socat retry on a clash).
fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

/// Waits (at most 10 s) until something accepts on `port`; false when the
/// child exited first.
fn wait_listening(port: u16, child: &mut Child) -> bool {
    let until = Instant::now() + Duration::from_secs(10);
    while Instant::now() < until {
        if let Ok(Some(_)) = child.try_wait() {
            return false;
        }
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    false
}

fn whoami() -> String {
    let out = Command::new("id").arg("-un").output().expect("id -un");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// As root, sshd wants its privilege-separation user and directory.
fn prepare_root() {
    let user = Command::new("getent").args(["passwd", "sshd"]).output();
    if !user.is_ok_and(|o| o.status.success()) {
        panic!(
            "sshd run as root needs the user `sshd` (Debian's openssh-server package creates it; .ci/run installs it)"
        );
    }
    let _ = fs::create_dir_all("/run/sshd");
}
