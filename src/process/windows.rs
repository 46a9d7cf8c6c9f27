use std::io;
use std::os::windows::io::AsRawHandle;
use std::process::{Child, Command};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use wait_timeout::ChildExt;
use win32job::{ExtendedLimitInfo, Job};

/// The job made ready before the child starts (`None`: Windows refused one).
pub(super) struct Pending(Option<Job>);

impl Pending {
    /// Creates the job, so that only the assignment is left after the spawn.
    pub(super) fn new(_: &mut Command) -> Pending {
        let mut info = ExtendedLimitInfo::new();
        info.limit_kill_on_job_close();
        Pending(Job::create_with_limit_info(&info).ok())
    }

    /// Puts the started `child` into the job. Without one (assignment
    /// refused), killing the group kills nothing and only the caller's
    /// `Child::kill` ends the child itself.
    pub(super) fn adopt(self, child: &Child) -> Group {
        let handle = child.as_raw_handle() as isize;
        let job = self.0.filter(|job| job.assign_process(handle).is_ok());
        Group(Arc::new(Mutex::new(job)))
    }
}

/// A child's job, to kill from any thread.
#[derive(Clone)]
pub(super) struct Group(Arc<Mutex<Option<Job>>>);

impl Group {
    /// Closes the job's handle, which (kill-on-close) terminates every
    /// process in it; a second call finds no job and does nothing.
    pub(super) fn kill(&self) {
        let job = self.0.lock().unwrap_or_else(PoisonError::into_inner).take();
        drop(job);
    }
}

/// Nothing to reap on Windows: the `Child` that owns the handle does.
pub(super) fn reap_pid(_: u32) {}

/// Blocks until `child` has exited; `Ok(false)` when `deadline` came
/// first. Waiting on a process handle reaps nothing: the process id
/// stays taken until the `Child` (its handle) is dropped.
pub(super) fn wait_exited(child: &mut Child, deadline: Option<Instant>) -> io::Result<bool> {
    match deadline {
        None => child.wait().map(|_| true),
        Some(d) => {
            let left = d.saturating_duration_since(Instant::now());
            child.wait_timeout(left).map(|status| status.is_some())
        }
    }
}
