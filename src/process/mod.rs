//! One way to start a child process (git, `ssh -G`, `Match exec`):
//! [`ProcessBuilder`] names the program, its arguments, cwd, environment,
//! stdin and a time limit; its `Display` is the exact command line,
//! shell-quoted, and every failure is one [`ProcessError`] that names it.
//!
//! Every child starts in a process group of its own (a job object on
//! Windows). On a timeout, on
//! [`Streaming::stop`] and when a [`Streaming`] is dropped, the whole group
//! is killed and the child reaped, so a grandchild (a `Match exec` command
//! left running, a hook's helper) dies with it. stdout and stderr are read
//! on their own threads, so a grandchild that keeps a pipe open cannot hold
//! the caller: once the child has exited, its group gets a short grace
//! period to close the pipes and is then killed.
//!
//! Killing a process group is the `kill(2)` syscall with a negative pid,
//! which std does not offer (`Child::kill` signals one process). The crate
//! forbids `unsafe`, so the call comes from `rustix` (`process` feature): a
//! safe, small, well-kept wrapper (Bytecode Alliance) that was already in
//! the dependency tree through `tempfile`; on Linux it makes the raw
//! syscall without libc. `nix` would pull in libc and far more surface;
//! `libc` needs `unsafe`; running `/bin/kill` costs a process per kill.
//! A group is signalled only while its leader (our child) is not reaped:
//! the exit is watched with `waitid(WNOWAIT)`, which leaves the child a
//! zombie, so the group id cannot have been reused by then.
//!
//! The platform part is the small `sys` module, one file per platform
//! (`unix.rs`, `windows.rs`). On Windows the group is a job object with
//! kill-on-close (`win32job`, a safe wrapper of the Win32 calls, which need
//! `unsafe`), made before the spawn and given the child right after: its
//! descendants are born in it, and closing the job ends them all, also
//! after the child has exited. The exit is waited for on the process handle
//! (`wait-timeout`), which reaps nothing. `taskkill /T` follows parent ids
//! (missing orphans, reaching strangers with a reused id) and costs a
//! process per kill. Limits: a grandchild started before the assignment
//! (microseconds) escapes, and what a child leaves running dies with its
//! job, not only on a timeout or a stop (docs/windows.md).

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, ExitStatus, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// How long a group may keep the pipes open after the child exited.
const GRACE: Duration = Duration::from_secs(1);

/// The children started and not reaped yet: their pids and groups. A child
/// is reaped with this lock held, so [`end_all`] never kills a group whose
/// leader is gone.
static LIVE: Mutex<Vec<(u32, sys::Group)>> = Mutex::new(Vec::new());

fn live() -> MutexGuard<'static, Vec<(u32, sys::Group)>> {
    LIVE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Set by [`end_all`], read with [`LIVE`] locked: no child starts after
/// the others were ended (a thread waiting to spawn would outlive us).
static ENDING: AtomicBool = AtomicBool::new(false);

/// Whether [`end_all`] has run (a signal is ending pushguard).
pub fn ending() -> bool {
    ENDING.load(Ordering::SeqCst)
}

/// Kills the group of every child not reaped yet and reaps it
/// (`crate::signals` does this before pushguard exits on a signal).
pub fn end_all() {
    let live = live();
    ENDING.store(true, Ordering::SeqCst);
    for (_, group) in live.iter() {
        group.kill();
    }
    for &(pid, _) in live.iter() {
        sys::reap_pid(pid);
    }
}

/// A command to run: program, arguments, cwd, environment, stdin, time limit.
#[derive(Debug, Clone)]
pub struct ProcessBuilder {
    program: OsString,
    args: Vec<OsString>,
    cwd: Option<PathBuf>,
    env: Vec<(OsString, Option<OsString>)>,
    stdin: Option<Vec<u8>>,
    timeout: Option<Duration>,
}

/// Why a child gave no usable answer; names the command line.
#[derive(Debug, thiserror::Error)]
#[error("{}", describe(command, kind))]
pub struct ProcessError {
    /// The command line, shell-quoted.
    pub command: String,
    /// What went wrong.
    pub kind: Failure,
}

/// What went wrong with a child.
#[derive(Debug)]
pub enum Failure {
    /// It could not be started.
    Spawn(io::Error),
    /// Waiting for it or reading its pipes failed.
    Io(io::Error),
    /// It ran past the time limit and its process group was killed.
    Timeout(Duration),
    /// The hook's time budget (`crate::budget`) ran out first: its process
    /// group was killed, or it was not started at all.
    OutOfTime(Duration),
    /// It exited non-zero (`code` is `None` when a signal ended it).
    Exit {
        /// The exit code.
        code: Option<i32>,
        /// What it printed on stdout.
        stdout: String,
        /// What it printed on stderr.
        stderr: String,
    },
}

fn describe(command: &str, kind: &Failure) -> String {
    match kind {
        Failure::Spawn(e) => format!("cannot run `{command}`: {e}"),
        Failure::Io(e) => format!("`{command}`: {e}"),
        Failure::Timeout(limit) => {
            format!("`{command}` did not finish within {} ms", limit.as_millis())
        }
        Failure::OutOfTime(total) => format!(
            "`{command}` was stopped: the time budget of {} s (pushguard.timeBudget) ran out",
            total.as_secs_f64()
        ),
        Failure::Exit { code, stderr, .. } => {
            let how = match code {
                Some(c) => format!("exit code {c}"),
                None => "killed by a signal".to_string(),
            };
            match stderr.trim() {
                "" => format!("`{command}` failed ({how})"),
                err => format!("`{command}` failed ({how}): {err}"),
            }
        }
    }
}

/// Quotes `s` for POSIX sh.
pub fn sh_quote(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./=:@,+%".contains(&b))
    {
        return s.to_string();
    }
    format!("'{}'", s.replace('\'', r"'\''"))
}

impl fmt::Display for ProcessBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&sh_quote(&self.program.to_string_lossy()))?;
        for a in &self.args {
            write!(f, " {}", sh_quote(&a.to_string_lossy()))?;
        }
        Ok(())
    }
}

impl ProcessBuilder {
    /// A command running `program` (looked up on `PATH` unless it has a `/`).
    pub fn new(program: impl AsRef<OsStr>) -> ProcessBuilder {
        ProcessBuilder {
            program: program.as_ref().to_os_string(),
            args: Vec::new(),
            cwd: None,
            env: Vec::new(),
            stdin: None,
            timeout: None,
        }
    }

    /// Appends an argument.
    pub fn arg(&mut self, arg: impl AsRef<OsStr>) -> &mut Self {
        self.args.push(arg.as_ref().to_os_string());
        self
    }

    /// Appends arguments.
    pub fn args<S: AsRef<OsStr>>(&mut self, args: impl IntoIterator<Item = S>) -> &mut Self {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_os_string()));
        self
    }

    /// Runs in `dir`.
    pub fn cwd(&mut self, dir: impl AsRef<Path>) -> &mut Self {
        self.cwd = Some(dir.as_ref().to_path_buf());
        self
    }

    /// Sets an environment variable for the child.
    pub fn env(&mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> &mut Self {
        let v = Some(value.as_ref().to_os_string());
        self.env.push((key.as_ref().to_os_string(), v));
        self
    }

    /// Removes an environment variable for the child.
    pub fn env_remove(&mut self, key: impl AsRef<OsStr>) -> &mut Self {
        self.env.push((key.as_ref().to_os_string(), None));
        self
    }

    /// Gives the child these bytes on stdin (default: `/dev/null`).
    pub fn stdin(&mut self, bytes: impl Into<Vec<u8>>) -> &mut Self {
        self.stdin = Some(bytes.into());
        self
    }

    /// Kills the child's process group once it has run this long.
    pub fn timeout(&mut self, limit: Duration) -> &mut Self {
        self.timeout = Some(limit);
        self
    }

    /// The program.
    pub fn get_program(&self) -> &OsStr {
        &self.program
    }

    /// The arguments.
    pub fn get_args(&self) -> &[OsString] {
        &self.args
    }

    /// Runs to completion; a non-zero exit is a [`Failure::Exit`].
    pub fn run(&self) -> Result<Output, ProcessError> {
        checked(self.to_string(), self.output()?)
    }

    /// Runs to completion and returns the output, whatever the exit status.
    pub fn output(&self) -> Result<Output, ProcessError> {
        let start = Instant::now();
        let mut running = self.start(Stdio::piped(), Stdio::piped())?;
        let stdout = running.child.stdout.take().map(drain);
        let stderr = running.child.stderr.take().map(drain);
        running.finish(start, stdout, stderr)
    }

    /// Runs to completion with stdout and stderr discarded; any exit status.
    pub fn status(&self) -> Result<ExitStatus, ProcessError> {
        let start = Instant::now();
        let mut running = self.start(Stdio::null(), Stdio::null())?;
        running.finish(start, None, None).map(|o| o.status)
    }

    /// Starts the child for a caller that reads stdout as it comes and may
    /// stop early; stderr is collected on the side.
    pub fn stream(&self) -> Result<Streaming, ProcessError> {
        let start = Instant::now();
        let mut running = self.start(Stdio::piped(), Stdio::piped())?;
        let stdout = running.child.stdout.take();
        let stderr = running.child.stderr.take().map(drain);
        let watchdog = running
            .timeout
            .map(|limit| Watchdog::start(&running.group, limit));
        Ok(Streaming {
            running,
            start,
            stdout,
            stderr,
            watchdog,
        })
    }

    fn error(&self, kind: Failure) -> ProcessError {
        ProcessError {
            command: self.to_string(),
            kind,
        }
    }

    fn start(&self, stdout: Stdio, stderr: Stdio) -> Result<Running, ProcessError> {
        // What is left of the hook's time budget bounds every child.
        let (timeout, by_budget) = crate::budget::clamp(self.timeout);
        if by_budget && timeout.is_some_and(|t| t.is_zero()) {
            return Err(self.error(out_of_time()));
        }
        let mut cmd = Command::new(&self.program);
        cmd.args(&self.args).stdout(stdout).stderr(stderr);
        if let Some(dir) = &self.cwd {
            cmd.current_dir(dir);
        }
        for (k, v) in &self.env {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        cmd.stdin(match self.stdin {
            Some(_) => Stdio::piped(),
            None => Stdio::null(),
        });
        let pending = sys::Pending::new(&mut cmd);
        let (mut child, group) = {
            let mut live = live();
            if ENDING.load(Ordering::SeqCst) {
                let stopping = io::Error::other("pushguard is stopping on a signal");
                return Err(self.error(Failure::Spawn(stopping)));
            }
            let child = cmd.spawn().map_err(|e| self.error(Failure::Spawn(e)))?;
            let group = pending.adopt(&child);
            live.push((child.id(), group.clone()));
            (child, group)
        };
        if let (Some(bytes), Some(mut pipe)) = (self.stdin.clone(), child.stdin.take()) {
            // A child that stops reading early closes the pipe: not an error.
            thread::spawn(move || pipe.write_all(&bytes));
        }
        Ok(Running {
            command: self.to_string(),
            timeout,
            by_budget,
            child,
            group,
            reaped: false,
        })
    }
}

/// `out` when the child succeeded, else the [`Failure::Exit`] naming `command`.
fn checked(command: String, out: Output) -> Result<Output, ProcessError> {
    if out.status.success() {
        return Ok(out);
    }
    let kind = Failure::Exit {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    Err(ProcessError { command, kind })
}

/// The budget ran out: its length for the message.
fn out_of_time() -> Failure {
    Failure::OutOfTime(crate::budget::current().map_or(Duration::ZERO, |b| b.total))
}

/// Reads a pipe to the end on a thread; the bytes arrive on the channel.
fn drain<R: Read + Send + 'static>(mut pipe: R) -> Receiver<io::Result<Vec<u8>>> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = tx.send(pipe.read_to_end(&mut buf).map(|_| buf));
    });
    rx
}

/// A started child; dropping it before it is reaped kills its group.
struct Running {
    command: String,
    timeout: Option<Duration>,
    /// The time limit is what was left of the budget.
    by_budget: bool,
    child: Child,
    group: sys::Group,
    reaped: bool,
}

impl Running {
    fn error(&self, kind: Failure) -> ProcessError {
        ProcessError {
            command: self.command.clone(),
            kind,
        }
    }

    /// Waits for the exit and the pipes, within the builder's time limit;
    /// reaps the child last, so its group can be signalled until then.
    fn finish(
        &mut self,
        start: Instant,
        stdout: Option<Receiver<io::Result<Vec<u8>>>>,
        stderr: Option<Receiver<io::Result<Vec<u8>>>>,
    ) -> Result<Output, ProcessError> {
        let deadline = self.timeout.map(|t| start + t);
        self.exited(deadline)?;
        // The child is gone; its group gets a grace period to close the pipes.
        let grace = Instant::now() + GRACE;
        let until = deadline.map_or(grace, |d| d.min(grace));
        let collect = |rx: Option<Receiver<io::Result<Vec<u8>>>>| {
            let Some(rx) = rx else {
                return Ok(Vec::new());
            };
            let got = match rx.recv_timeout(until.saturating_duration_since(Instant::now())) {
                Err(RecvTimeoutError::Timeout) if deadline.is_some_and(|d| until >= d) => {
                    self.group.kill();
                    return Err(self.error(self.timed_out()));
                }
                Err(RecvTimeoutError::Timeout) => {
                    // Lingering grandchildren: end them, keep what was written.
                    self.group.kill();
                    match rx.recv_timeout(GRACE) {
                        Ok(got) => got,
                        Err(RecvTimeoutError::Disconnected) => Ok(Vec::new()),
                        Err(RecvTimeoutError::Timeout) => Err(io::Error::other(
                            "a process outside its group keeps the output open",
                        )),
                    }
                }
                Ok(got) => got,
                Err(RecvTimeoutError::Disconnected) => Ok(Vec::new()),
            };
            got.map_err(|e| self.error(Failure::Io(e)))
        };
        let stdout = collect(stdout)?;
        let stderr = collect(stderr)?;
        let status = self.reap();
        Ok(Output {
            status: status.map_err(|e| self.error(Failure::Io(e)))?,
            stdout,
            stderr,
        })
    }

    /// Waits until the child has exited, leaving it unreaped; past
    /// `deadline`, kills its group and reaps it.
    fn exited(&mut self, deadline: Option<Instant>) -> Result<(), ProcessError> {
        match sys::wait_exited(&mut self.child, deadline) {
            Ok(true) => Ok(()),
            Ok(false) => {
                self.kill();
                Err(self.error(self.timed_out()))
            }
            Err(e) => Err(self.error(Failure::Io(e))),
        }
    }

    /// The failure of a child stopped at its time limit.
    fn timed_out(&self) -> Failure {
        match self.by_budget {
            true => out_of_time(),
            false => Failure::Timeout(self.timeout.unwrap_or_default()),
        }
    }

    /// Kills the group (the child's pid is still ours) and reaps the child.
    fn kill(&mut self) {
        if !self.reaped {
            self.group.kill();
            let _ = self.child.kill();
            let _ = self.reap();
        }
    }

    /// Reaps the child (it has exited or been killed), off the live list.
    fn reap(&mut self) -> io::Result<ExitStatus> {
        let mut live = live();
        let status = self.child.wait();
        let id = self.child.id();
        live.retain(|(p, _)| *p != id);
        self.reaped = true;
        status
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Kills a streaming child's group at its deadline, unless disarmed first.
struct Watchdog {
    disarm: mpsc::Sender<()>,
    thread: JoinHandle<bool>,
}

impl Watchdog {
    fn start(group: &sys::Group, limit: Duration) -> Watchdog {
        let (disarm, rx) = mpsc::channel::<()>();
        let group = group.clone();
        let thread = thread::spawn(move || match rx.recv_timeout(limit) {
            Err(RecvTimeoutError::Timeout) => {
                group.kill();
                true
            }
            _ => false,
        });
        Watchdog { disarm, thread }
    }

    /// Stops the watchdog; true when it had already fired.
    fn disarm(self) -> bool {
        drop(self.disarm);
        self.thread.join().unwrap_or(true)
    }
}

/// A running child whose stdout the caller reads ([`Read`]); dropping it
/// kills the child's process group.
pub struct Streaming {
    running: Running,
    start: Instant,
    stdout: Option<ChildStdout>,
    stderr: Option<Receiver<io::Result<Vec<u8>>>>,
    watchdog: Option<Watchdog>,
}

impl Read for Streaming {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.stdout {
            Some(out) => out.read(buf),
            None => Ok(0),
        }
    }
}

impl Streaming {
    /// Stops early: kills the child's process group and reaps the child.
    pub fn stop(mut self) {
        // Disarm first: the group must not be signalled after the reap.
        if let Some(w) = self.watchdog.take() {
            w.disarm();
        }
        self.running.kill();
    }

    /// Waits for the end (stdout not read yet is collected), within the
    /// time limit; a non-zero exit is a [`Failure::Exit`].
    pub fn finish(mut self) -> Result<Output, ProcessError> {
        let rest = self.stdout.take().map(drain);
        let fired = self.watchdog.take().is_some_and(Watchdog::disarm);
        if fired {
            self.running.kill();
            let failure = self.running.timed_out();
            return Err(self.running.error(failure));
        }
        let stderr = self.stderr.take();
        let out = self.running.finish(self.start, rest, stderr)?;
        checked(self.running.command.clone(), out)
    }
}

impl Drop for Streaming {
    fn drop(&mut self) {
        if let Some(w) = self.watchdog.take() {
            w.disarm();
        }
    }
}

/// The platform part: every child in a group of its own (a process group
/// on Unix, a job object on Windows), killed as a whole.
#[cfg(unix)]
#[path = "unix.rs"]
mod sys;

/// Windows: a job object per child, with kill-on-close. Every process the
/// child starts is in the job too (it is inherited; the MSYS2 runtime asks
/// to break away only from a job that allows it, and this one does not), so
/// closing the job's one handle ends the whole tree, whether the child is
/// still running or has exited and left a grandchild holding a pipe.
#[cfg(windows)]
#[path = "windows.rs"]
mod sys;

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> ProcessBuilder {
        let mut p = ProcessBuilder::new("sh");
        p.arg("-c").arg(script);
        p
    }

    fn alive(pid: &str) -> bool {
        Path::new(&format!("/proc/{pid}")).exists()
            && !std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .is_ok_and(|s| s.split(' ').nth(2) == Some("Z"))
    }

    #[test]
    fn display_is_the_quoted_command_line() {
        let mut p = ProcessBuilder::new("git");
        p.args(["config", "-z", "--list", "it's here", ""]);
        assert_eq!(p.to_string(), r"git config -z --list 'it'\''s here' ''");
        assert_eq!(sh_quote("a-b_c./=:@,+%"), "a-b_c./=:@,+%");
        assert_eq!(sh_quote("a b"), "'a b'");
        assert_eq!(sh_quote("it's"), r"'it'\''s'");
        assert_eq!(sh_quote(""), "''");
    }

    #[test]
    fn output_stdin_env_cwd() {
        let dir = tempfile::tempdir().unwrap();
        let out = sh("cat; printf ' %s ' \"$X\"; pwd; echo err >&2")
            .stdin("in")
            .env("X", "x")
            .cwd(dir.path())
            .run()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        let cwd = dir.path().canonicalize().unwrap();
        assert_eq!(text, format!("in x {}\n", cwd.display()));
        assert_eq!(out.stderr, b"err\n");
        let out = sh("echo \"${HOME-unset}\"")
            .env_remove("HOME")
            .run()
            .unwrap();
        assert_eq!(out.stdout, b"unset\n");
    }

    #[test]
    fn large_stdin_and_stdout_do_not_deadlock() {
        let big = vec![b'x'; 4 << 20];
        let out = ProcessBuilder::new("cat")
            .stdin(big.clone())
            .timeout(Duration::from_secs(20))
            .run()
            .unwrap();
        assert_eq!(out.stdout.len(), big.len());
    }

    #[test]
    fn a_failure_names_the_command_with_code_and_output() {
        let e = sh("echo out; echo bad config >&2; exit 7")
            .run()
            .unwrap_err();
        let Failure::Exit {
            code,
            stdout,
            stderr,
        } = &e.kind
        else {
            panic!("{e:?}")
        };
        assert_eq!((*code, stdout.as_str()), (Some(7), "out\n"));
        assert_eq!(stderr, "bad config\n");
        assert_eq!(
            e.to_string(),
            "`sh -c 'echo out; echo bad config >&2; exit 7'` failed (exit code 7): bad config"
        );
        // Any status is fine for output() and status().
        let st = sh("exit 3").status().unwrap();
        assert_eq!(st.code(), Some(3));
        let e = ProcessBuilder::new("/nonexistent/ssh")
            .arg("-G")
            .run()
            .unwrap_err();
        assert!(matches!(e.kind, Failure::Spawn(_)), "{e:?}");
        assert!(
            e.to_string()
                .starts_with("cannot run `/nonexistent/ssh -G`")
        );
    }

    #[test]
    fn timeout_kills_the_grandchildren_too() {
        let dir = tempfile::tempdir().unwrap();
        let pidfile = dir.path().join("pid");
        let script = format!("sleep 30 & echo $! > {}; wait", pidfile.display());
        let t = Instant::now();
        let e = sh(&script)
            .timeout(Duration::from_millis(300))
            .run()
            .unwrap_err();
        assert!(matches!(e.kind, Failure::Timeout(_)), "{e:?}");
        assert!(e.to_string().contains("within 300 ms"), "{e}");
        assert!(t.elapsed() < Duration::from_secs(3));
        let pid = std::fs::read_to_string(&pidfile).unwrap();
        let gone = (0..100).any(|_| {
            thread::sleep(Duration::from_millis(10));
            !alive(pid.trim())
        });
        assert!(gone, "grandchild {pid} survived");
        let e = sh("exec sleep 30")
            .timeout(Duration::from_millis(100))
            .status()
            .unwrap_err();
        assert!(matches!(e.kind, Failure::Timeout(_)), "{e:?}");
    }

    #[test]
    fn a_grandchild_holding_the_pipe_cannot_hold_the_caller() {
        // Within the time limit: a timeout.
        let t = Instant::now();
        let e = sh("sleep 30 & echo x")
            .timeout(Duration::from_millis(300))
            .run()
            .unwrap_err();
        assert!(matches!(e.kind, Failure::Timeout(_)), "{e:?}");
        assert!(t.elapsed() < Duration::from_secs(3));
        // Without one: the grace period ends it, and the output is kept.
        let t = Instant::now();
        let out = sh("sleep 30 & echo x").run().unwrap();
        assert_eq!(out.stdout, b"x\n");
        assert!(t.elapsed() < GRACE * 3);
    }

    #[test]
    fn streaming_reads_as_it_comes_and_stops_early() {
        let dir = tempfile::tempdir().unwrap();
        let pidfile = dir.path().join("pid");
        let script = format!(
            "sleep 30 & echo $! > {}; while :; do echo line; done",
            pidfile.display()
        );
        let p = sh(&script);
        let mut s = p.stream().unwrap();
        let mut buf = [0u8; 5];
        s.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"line\n");
        s.stop();
        let pid = std::fs::read_to_string(&pidfile).unwrap();
        let gone = (0..100).any(|_| {
            thread::sleep(Duration::from_millis(10));
            !alive(pid.trim())
        });
        assert!(gone, "grandchild {pid} survived the stop");
        // Read to the end, then finish: status and stderr.
        let p = sh("echo a; echo b; echo oops >&2; exit 2");
        let mut s = p.stream().unwrap();
        let mut text = String::new();
        s.read_to_string(&mut text).unwrap();
        assert_eq!(text, "a\nb\n");
        let e = s.finish().unwrap_err();
        assert!(e.to_string().ends_with("(exit code 2): oops"), "{e}");
        // finish() collects what was not read.
        let out = sh("echo rest").stream().unwrap().finish().unwrap();
        assert_eq!(out.stdout, b"rest\n");
    }

    #[test]
    fn streaming_times_out_and_drop_kills() {
        let mut p = sh("echo first; exec sleep 30");
        p.timeout(Duration::from_millis(200));
        let mut s = p.stream().unwrap();
        let mut text = String::new();
        let t = Instant::now();
        s.read_to_string(&mut text).unwrap();
        assert_eq!(text, "first\n");
        assert!(t.elapsed() < Duration::from_secs(3));
        let e = s.finish().unwrap_err();
        assert!(matches!(e.kind, Failure::Timeout(_)), "{e:?}");
        let p = sh("exec sleep 30");
        let s = p.stream().unwrap();
        let pid = s.running.child.id().to_string();
        drop(s);
        assert!(!alive(&pid), "dropped child {pid} survived");
    }
}
