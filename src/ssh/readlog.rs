//! A log of what one resolution read, in read order: each file (and the
//! Include line that brought it in), each Host and Match line (its block
//! state after it), each Include line, and each line that set a keepalive
//! key (won or lost). `fix` places its edit from it: the first line that
//! sets a key, the block that holds it, the Include chain above it.
//!
//! - [`resolve_logged`]: a resolution with its [`ReadLog`].
//! - [`Event`], [`Kind`]: one entry; [`ReadLog::file_of`], [`ReadLog::parent`]
//!   walk the structure.
//!
//! Only the main resolution logs (not the what-if runs for unknown execs).

use super::options::Attempt;
use super::request::ResolveRequest;
use super::resolve::resolve_with_log;
use super::{ConfigError, Origin, Resolution, ResolveEnv};

/// What a logged line was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A file opened and read (its `origin` has line 0).
    File {
        /// The Include event that read it; `None` for a top file.
        parent: Option<usize>,
    },
    /// A `Host` line and its patterns.
    Host(Vec<String>),
    /// A `Match` line.
    Match,
    /// An `Include` line.
    Include,
    /// A line that set (or tried to set) a keepalive key.
    Set {
        /// The `ssh -G` key.
        key: &'static str,
        /// Whether its value was taken (first wins).
        won: bool,
    },
}

/// One line read, where, and in which state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// What it was.
    pub kind: Kind,
    /// The file and line.
    pub origin: Origin,
    /// The index of this file's [`Kind::File`] event.
    pub file: usize,
    /// The index of the Host/Match event whose block holds the line in this
    /// file; `None` before the file's first Host/Match (a top file's global
    /// options, or an included file's lines in the includer's block).
    pub block: Option<usize>,
    /// Host/Match: whether the block applies after it; others: whether the
    /// line's block applied.
    pub active: bool,
    /// Read in the final pass (`Match final`, canonicalisation).
    pub final_pass: bool,
    /// From the user file or `-F` file side (not the system file).
    pub userconf: bool,
}

/// The lines one resolution read, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadLog {
    /// The events in read order.
    pub events: Vec<Event>,
    /// Open Include events and the files and blocks being read (while logging).
    includes: Vec<usize>,
    files: Vec<(usize, Option<usize>)>,
}

impl ReadLog {
    /// The file event of event `i`.
    pub fn file_of(&self, i: usize) -> &Event {
        &self.events[self.events[i].file]
    }

    /// The Include event that read event `i`'s file, if any.
    pub fn parent(&self, i: usize) -> Option<usize> {
        match self.file_of(i).kind {
            Kind::File { parent } => parent,
            _ => None,
        }
    }

    fn push(&mut self, kind: Kind, origin: Origin, active: bool, at: Where) -> usize {
        let (file, block) = self.files.last().copied().unwrap_or((0, None));
        self.events.push(Event {
            kind,
            origin,
            file,
            block,
            active,
            final_pass: at.final_pass,
            userconf: at.userconf,
        });
        self.events.len() - 1
    }

    /// A file was opened.
    pub(crate) fn file_start(&mut self, origin: Origin, at: Where) {
        let parent = self.includes.last().copied();
        let i = self.push(Kind::File { parent }, origin, true, at);
        self.events[i].file = i;
        self.events[i].block = None;
        self.files.push((i, None));
    }

    /// The file opened last is done.
    pub(crate) fn file_end(&mut self) {
        self.files.pop();
    }

    /// A Host (`patterns`) or Match (`None`) line, and the block state after it.
    pub(crate) fn header(
        &mut self,
        patterns: Option<Vec<String>>,
        origin: Origin,
        active: bool,
        at: Where,
    ) {
        let kind = patterns.map_or(Kind::Match, Kind::Host);
        let i = self.push(kind, origin, active, at);
        if let Some(top) = self.files.last_mut() {
            top.1 = Some(i);
        }
    }

    /// An Include line starts reading its files.
    pub(crate) fn include_start(&mut self, origin: Origin, active: bool, at: Where) {
        let i = self.push(Kind::Include, origin, active, at);
        self.includes.push(i);
    }

    /// The Include line's files are done.
    pub(crate) fn include_end(&mut self) {
        self.includes.pop();
    }

    /// The keepalive lines a line just applied tried to set.
    pub(crate) fn sets(&mut self, attempts: &[Attempt], at: Where) {
        for a in attempts {
            let kind = Kind::Set {
                key: a.key,
                won: a.won,
            };
            self.push(kind, a.origin.clone(), true, at);
        }
    }
}

/// Which side and pass a logged line is read in.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Where {
    /// The final pass.
    pub final_pass: bool,
    /// User or `-F` side.
    pub userconf: bool,
}

/// Resolves like [`resolve`](super::resolve), logging what the resolution read.
pub fn resolve_logged(
    req: &ResolveRequest,
    env: &ResolveEnv,
) -> Result<(Resolution, ReadLog), ConfigError> {
    let (res, log) = resolve_with_log(req, env, Some(ReadLog::default()))?;
    Ok((res, log.unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ssh::{ExecPolicy, Profile};
    use std::path::Path;

    #[test]
    fn logs_files_blocks_includes_and_sets() {
        let dir = tempfile::tempdir().unwrap();
        let inc = dir.path().join("inc.conf");
        std::fs::write(
            &inc,
            "ServerAliveInterval 5\nHost h\n  ServerAliveCountMax 2\n",
        )
        .unwrap();
        let cfg = dir.path().join("cfg");
        let text = format!(
            "ServerAliveCountMax 3\nHost x\n  ServerAliveInterval 1\nHost h\n  Include {}\n  ServerAliveInterval 9\n",
            inc.display()
        );
        std::fs::write(&cfg, text).unwrap();
        let req =
            ResolveRequest::from_ssh_args(&["-F".into(), cfg.display().to_string(), "h".into()])
                .unwrap();
        let env = ResolveEnv::current(Profile::newest(), ExecPolicy::Unknown);
        let (res, log) = resolve_logged(&req, &env).unwrap();
        assert_eq!(res.effective.server_alive_interval(), Some(5));
        let at = |p: &Path, line| Origin::File {
            path: p.to_path_buf(),
            line,
        };
        let sets: Vec<(&str, bool, Origin, Option<usize>)> = log
            .events
            .iter()
            .filter_map(|e| match e.kind {
                Kind::Set { key, won } => Some((key, won, e.origin.clone(), e.block)),
                _ => None,
            })
            .collect();
        // Host x is inactive: its line is not logged; the included file's
        // first line sits in the includer's block (no block of its own).
        assert_eq!(
            sets,
            [
                ("serveralivecountmax", true, at(&cfg, 1), None),
                ("serveraliveinterval", true, at(&inc, 1), None),
                ("serveralivecountmax", false, at(&inc, 3), Some(7)),
                ("serveraliveinterval", false, at(&cfg, 6), Some(3)),
            ]
        );
        let inc_line = log
            .events
            .iter()
            .position(|e| e.origin == at(&inc, 1))
            .unwrap();
        let include = log.parent(inc_line).unwrap();
        assert_eq!(log.events[include].origin, at(&cfg, 5));
        assert_eq!(log.events[include].block, Some(3));
        assert_eq!(log.parent(include), None);
        assert!(matches!(&log.events[3].kind, Kind::Host(p) if p == &["h".to_string()]));
    }
}
