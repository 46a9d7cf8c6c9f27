use std::io;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::Instant;

use rustix::process::{Pid, Signal, WaitId, WaitIdOptions, kill_process_group, waitid};

/// A command set to start as the leader of a new process group.
pub(super) struct Pending;

impl Pending {
    /// Makes `cmd` start its child in a process group of its own.
    pub(super) fn new(cmd: &mut Command) -> Pending {
        cmd.process_group(0);
        Pending
    }

    /// The group the started `child` leads.
    pub(super) fn adopt(self, child: &Child) -> Group {
        Group(Pid::from_child(child))
    }
}

/// Waits for the child `pid` to end and reaps it.
pub(super) fn reap_pid(pid: u32) {
    if let Some(p) = i32::try_from(pid).ok().and_then(Pid::from_raw) {
        let _ = rustix::process::waitpid(Some(p), rustix::process::WaitOptions::empty());
    }
}

/// A child's process group, to kill from any thread.
#[derive(Clone)]
pub(super) struct Group(Pid);

impl Group {
    /// SIGKILL to every member; a group already gone is fine.
    pub(super) fn kill(&self) {
        let _ = kill_process_group(self.0, Signal::KILL);
    }
}

/// Blocks until `child` has exited, leaving it to be reaped (so that
/// its group id cannot be reused yet); `Ok(false)` when `deadline`
/// came first.
pub(super) fn wait_exited(child: &mut Child, deadline: Option<Instant>) -> io::Result<bool> {
    let pid = Pid::from_child(child);
    let Some(deadline) = deadline else {
        return wait_pid(pid).map(|()| true);
    };
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || tx.send(wait_pid(pid)));
    match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        Ok(done) => done.map(|()| true),
        Err(RecvTimeoutError::Timeout) => Ok(false),
        Err(RecvTimeoutError::Disconnected) => Err(io::Error::other("lost track of the child")),
    }
}

/// `waitid(WEXITED | WNOWAIT)`: the exit, without reaping.
fn wait_pid(pid: Pid) -> io::Result<()> {
    let options = WaitIdOptions::EXITED | WaitIdOptions::NOWAIT;
    loop {
        match waitid(WaitId::Pid(pid), options) {
            Err(e) if e == rustix::io::Errno::INTR => continue,
            done => return done.map(|_| ()).map_err(Into::into),
        }
    }
}
