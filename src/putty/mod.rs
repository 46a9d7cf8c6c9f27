//! The keepalive of PuTTY tools (plink, PuTTY, TortoiseGitPlink): which saved
//! session their command line loads (`argv`, `store`), and the interval in
//! it, read from Unix session files (`files`) or the Windows registry
//! (`registry`), with the place it came from; and the edit that sets it.
//!
//! Hand-written after PuTTY 0.83's own sources (`settings.c`, `cmdline.c`,
//! `unix/storage.c`, `windows/storage.c`) because no crate reads PuTTY
//! sessions, and the rules that matter are PuTTY's: the session is the one
//! named by `-load`, else the one named like the host argument if it exists
//! and has a host name, else "Default Settings"; the interval is
//! `PingInterval` (minutes) × 60 + `PingIntervalSecs` (seconds), each 0 when
//! absent; 0 is off, and so is any interval when the session's bug
//! workaround "Chokes on SSH-2 ignore messages" is forced on (`BugIgnore2=2`:
//! PuTTY's pings are ignore messages, `ssh/connection2.c`). Only the five
//! values that decide this are kept from a session (never a saved proxy
//! password, never a key file it names).
//!
//! PuTTY waits for no answer to a ping (`pinger.c` sends one every interval
//! whatever the traffic; an ignore message has no reply), so unlike
//! OpenSSH's `ServerAliveCountMax` nothing ends the session for want of one.

use std::fmt;
use std::path::PathBuf;

mod argv;
pub(crate) mod files;
mod invocation;
pub(crate) mod registry;
mod store;

pub use argv::{Choice, Tool, choose_session};
pub use files::{file_name, fix_session_file, sessions_dir};
pub use invocation::{arguments, choice_for, keepalive_for, store_here};
pub use registry::{RegAdd, RegValue, SESSIONS_KEY, parse_query, query_argv, session_key};
pub use store::Store;

/// The session PuTTY tools start from, and fall back to.
pub const DEFAULT_SESSION: &str = "Default Settings";

/// `BugIgnore2` when it is forced on: PuTTY then sends no ignore messages.
const FORCE_ON: i64 = 2;

/// One number PuTTY reads from a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    /// `PingInterval`, `PingIntervalSecs` or `BugIgnore2`.
    pub name: &'static str,
    /// The value as stored (`30`, `0x1e`).
    pub raw: String,
    /// The number PuTTY takes from it.
    pub value: i64,
    /// Its line in a session file (none in the registry).
    pub line: Option<usize>,
}

/// What pushguard reads from one saved session, and nothing more.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Session {
    /// `HostName` is set and not empty: plink only takes a host-named session then.
    pub has_host_name: bool,
    /// `Protocol`, when set.
    pub protocol: Option<String>,
    /// `PingInterval`, in minutes.
    pub minutes: Option<Setting>,
    /// `PingIntervalSecs`, in seconds.
    pub seconds: Option<Setting>,
    /// `BugIgnore2`: 0 auto, 1 off, 2 on ("Chokes on SSH-2 ignore messages").
    pub ignore_bug: Option<Setting>,
}

/// Where a session lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A session file.
    File(PathBuf),
    /// A registry key (`HKCU\Software\SimonTatham\PuTTY\Sessions\<escaped>`).
    Key(String),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File(p) => write!(f, "{}", p.display()),
            Location::Key(k) => f.write_str(k),
        }
    }
}

/// Why the keepalive cannot be told.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unreadable {
    /// The command line makes the tool stop, or take settings from elsewhere.
    #[error("cannot tell which PuTTY session applies: {0}")]
    CommandLine(String),
    /// A session file could not be read.
    #[error("cannot read PuTTY session file {path}: {reason}")]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A registry value could not be read.
    #[error("cannot read {key} value {name}: {reason}")]
    Registry {
        /// The session's key.
        key: String,
        /// The value.
        name: &'static str,
        /// Why.
        reason: String,
    },
    /// The values add up to something PuTTY does not use as an interval.
    #[error("PuTTY session {session:?} ({location}): {reason}")]
    Value {
        /// The session.
        session: String,
        /// Its file or key.
        location: Location,
        /// What is wrong.
        reason: String,
    },
}

/// The keepalive a PuTTY tool will use, and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keepalive {
    /// Seconds between keepalives (`PingInterval` × 60 + `PingIntervalSecs`); 0 is off.
    pub interval: u64,
    /// The session the tool loads.
    pub session: String,
    /// Its file or registry key.
    pub location: Location,
    /// False when no such session exists: PuTTY's defaults apply.
    pub exists: bool,
    /// The settings the interval was read from; none means PuTTY's default, 0.
    pub from: Vec<Setting>,
    /// `BugIgnore2=2`, when set: PuTTY sends no ping at all, whatever the interval.
    pub suppressed: Option<Setting>,
}

/// What was found for a PuTTY tool git runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The tool.
    pub tool: Tool,
    /// The session it loads, as read; `None` when it cannot be read.
    pub session: Option<Keepalive>,
}

/// The change that gives a session its keepalive (not applied here).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fix {
    /// Write `text` as the session file `path` (created when it does not exist).
    File {
        /// The session file.
        path: PathBuf,
        /// Whether it exists now.
        exists: bool,
        /// Its new content: the old one with the keepalive set, all else kept.
        text: Vec<u8>,
    },
    /// Run these `reg add` commands.
    Registry(Vec<RegAdd>),
}

impl Keepalive {
    /// Seconds between the pings PuTTY really sends: the interval, or 0
    /// when `BugIgnore2` forbids the ignore messages they are made of.
    pub fn pings(&self) -> u64 {
        match self.suppressed {
            Some(_) => 0,
            None => self.interval,
        }
    }

    /// The change that makes this session send a keepalive every `interval`
    /// seconds; `current` is the session file's content (Unix, `None` when
    /// absent). It edits the session the tool loads: a new host-named
    /// session would start from PuTTY's defaults, not from "Default Settings".
    pub fn fix(&self, interval: u32, current: Option<&[u8]>) -> Fix {
        match &self.location {
            Location::File(path) => Fix::File {
                path: path.clone(),
                exists: current.is_some(),
                text: fix_session_file(current.unwrap_or_default(), interval),
            },
            Location::Key(key) => {
                let add = |name, data| RegAdd {
                    key: key.clone(),
                    name,
                    data,
                };
                let mut adds = vec![add("PingIntervalSecs", interval)];
                if self
                    .from
                    .iter()
                    .any(|s| s.name == "PingInterval" && s.value != 0)
                {
                    adds.push(add("PingInterval", 0));
                }
                Fix::Registry(adds)
            }
        }
    }
}

impl fmt::Display for Keepalive {
    /// The origin as a report shows it: session, place, and the values.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PuTTY session {:?} ({})", self.session, self.location)?;
        if !self.exists {
            return f.write_str(": no such session, PuTTY's default (no keepalive)");
        }
        if self.from.is_empty() {
            return f
                .write_str(": no PingInterval/PingIntervalSecs, PuTTY's default (no keepalive)");
        }
        for (i, s) in self.from.iter().enumerate() {
            let sep = if i == 0 { ": " } else { ", " };
            write!(f, "{sep}{s}")?;
        }
        match &self.suppressed {
            Some(s) => write!(
                f,
                "; {s} (\"Chokes on SSH-2 ignore messages\" forced on): PuTTY sends no keepalive"
            ),
            None => Ok(()),
        }
    }
}

impl fmt::Display for Setting {
    /// `PingIntervalSecs=30 at line 4`, or `PingIntervalSecs=0x1e` (registry).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.name, self.raw)?;
        match self.line {
            Some(line) => write!(f, " at line {line}"),
            None => Ok(()),
        }
    }
}
