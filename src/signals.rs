//! SIGINT, SIGTERM and SIGHUP while pushguard works: the children it
//! started run in process groups of their own (`process`), so a Ctrl-C on
//! the terminal reaches git and pushguard but not them. On one of these
//! signals every child's group is killed and reaped (`process::end_all`),
//! one line goes to stderr, and pushguard exits 128 + the signal's number
//! (130, 143, 129), as a shell does: git takes the hook as failed, and a
//! push interrupted by the user stops. SIGPIPE needs nothing: Rust ignores
//! it, a write to a closed pipe is an error that `run` drops, and children
//! get the default action back.
//!
//! The handler is `signal-hook`'s `iterator::Signals`: a safe API (the
//! crate keeps its `unsafe` behind it; this crate forbids its own), a
//! self-pipe written by the async-signal-safe handler and read on an
//! ordinary thread, where killing and reaping may take locks. Its `flag`
//! module would need a thread polling the flag; `ctrlc` handles SIGINT
//! only. signal-hook (with its registry) is the common, well-kept choice,
//! and needs only `libc`, already in the tree.

/// Blocks for good when a signal is being handled: the handler's thread
/// ends the process with the signal's code, not the caller's answer
/// (which may be an error caused by the children it ended).
pub fn wait_if_stopping() {
    while crate::process::ending() {
        std::thread::park();
    }
}

/// Installs the handler (once, at the start of a command).
pub fn install() {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        use signal_hook::iterator::Signals;
        let Ok(mut signals) = Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
            return;
        };
        std::thread::spawn(move || {
            if let Some(sig) = signals.forever().next() {
                crate::process::end_all();
                let name = match sig {
                    SIGINT => "SIGINT",
                    SIGTERM => "SIGTERM",
                    _ => "SIGHUP",
                };
                use std::io::Write;
                let _ = writeln!(
                    std::io::stderr(),
                    "pushguard: stopped by {name}; its git and ssh processes were ended"
                );
                std::process::exit(128 + sig);
            }
        });
    }
}
