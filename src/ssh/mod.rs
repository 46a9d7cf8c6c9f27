//! What ssh will do for a host: the OpenSSH client configuration, resolved by
//! the real `ssh -G` (`probe`) or by our own faithful resolver (`resolve`),
//! with the origin of every value. See `docs/resolve.md`.
//!
//! The resolver's files, one concept each:
//! - `table`: the keyword table, one row per keyword meaning; `keywords`:
//!   the row type, its column kinds and the lookups.
//! - `values`: how each kind of value parses (`lists`: the list-valued
//!   kinds; `ipqos`: IPQoS); `states`: the yes/no-like word tables; `specs`:
//!   forward, jump and `host:port` specs; `algorithms`: algorithm names and
//!   default lists.
//! - `lex`: a line's words, numbers and times; `pattern`: `*`/`?` patterns
//!   and `!` lists.
//! - `options`: the store (first wins or as the row says) with origins.
//! - `request`: the ssh command line; `env`: the environment and the
//!   `%`/`${}` tokens; `files`: files, Include and globs; `matching`: Host
//!   and Match; `exec`: `Match exec` as a third truth value; `canon`: the
//!   host after HostName and canonicalisation; `output`: defaults and the
//!   `ssh -G` output; `resolution`: the result and its renderings.
//! - `destination`: the command line's `[user@]host` or `ssh://` URI, and
//!   ssh's checks of host and user names.
//! - `resolve`: the passes; `sha1`: for the `%C` token.
//! - [`profile`]: the ssh build modelled (release, vendor patches, build
//!   facts, the behaviours that differ), and its detection.
//! - `trace`: what `ssh -G -vvv` says it read and which `Match exec`
//!   commands matched (for `ExecPolicy::Replay`); `overlay`: file contents
//!   read instead of the disk's; `readlog`: what one resolution read, in
//!   order (for `fix`).

use std::borrow::Cow;
use std::fmt;
use std::path::PathBuf;

pub mod probe;
pub mod profile;
pub mod trace;

mod algorithms;
mod canon;
mod destination;
mod env;
mod exec;
mod files;
mod ipqos;
mod keywords;
pub(crate) mod lex;
mod lists;
mod matching;
mod netlist;
mod options;
mod output;
mod overlay;
mod pattern;
mod readlog;
mod request;
mod resolution;
mod resolve;
mod sha1;
mod specs;
mod states;
mod table;
mod values;

pub use env::ResolveEnv;
pub use exec::ExecPolicy;
pub use overlay::Overlay;
pub use profile::{Profile, Release};
pub use readlog::{Event, Kind, ReadLog, resolve_logged};
pub use request::ResolveRequest;
pub use resolution::{ConfigError, Resolution, Shadowed};
pub use resolve::resolve;

/// Where an option value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A config file line.
    File {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
    },
    /// The ssh command line (`-o`, `-p`, `user@host`…).
    CommandLine,
    /// OpenSSH's built-in default.
    Default,
    /// Printed by `ssh -G`, which does not say where a value came from.
    Unknown,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File { path, line } => write!(f, "{}:{}", path.display(), line),
            Origin::CommandLine => f.write_str("command line"),
            Origin::Default => f.write_str("default"),
            Origin::Unknown => f.write_str("unknown"),
        }
    }
}

/// One option value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value {
    /// The value as `ssh -G` prints it.
    pub value: String,
    /// Where it came from.
    pub origin: Origin,
}

/// The effective options for one destination: `ssh -G` keys (lowercase) in
/// `ssh -G` order, each with one value or several (identityfile, sendenv…).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Effective {
    entries: Vec<(Cow<'static, str>, Vec<Value>)>,
}

impl Effective {
    /// Adds a value for `key` (appended to that key's values).
    pub fn push(&mut self, key: &str, value: Value) {
        match self.find(key) {
            Some(i) => self.entries[i].1.push(value),
            None => self
                .entries
                .push((Cow::Owned(key.to_ascii_lowercase()), vec![value])),
        }
    }

    /// [`Effective::push`] for a lowercase key whose values all come in a
    /// row (the resolver's output, in `ssh -G` order): no search, no copy
    /// of the key.
    pub(crate) fn push_next(&mut self, key: &'static str, value: Value) {
        match self.entries.last_mut() {
            Some((k, vs)) if k == key => vs.push(value),
            _ => {
                debug_assert!(self.find(key).is_none(), "{key} pushed out of turn");
                debug_assert!(!key.bytes().any(|c| c.is_ascii_uppercase()));
                self.entries.push((Cow::Borrowed(key), vec![value]));
            }
        }
    }

    /// The index of `key`'s entry (any ASCII case); from the end, since the
    /// values of one key usually come in a row.
    fn find(&self, key: &str) -> Option<usize> {
        self.entries
            .iter()
            .rposition(|(k, _)| k.eq_ignore_ascii_case(key))
    }

    /// The first value of `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.get_all(key).first()
    }

    /// Every value of `key`.
    pub fn get_all(&self, key: &str) -> &[Value] {
        self.find(key)
            .map(|i| self.entries[i].1.as_slice())
            .unwrap_or(&[])
    }

    /// All keys and values in order.
    pub fn entries(&self) -> &[(Cow<'static, str>, Vec<Value>)] {
        &self.entries
    }

    /// Parses `ssh -G` output (`key value` lines); origins are `Unknown`.
    pub fn from_dump(text: &str) -> Effective {
        let mut e = Effective::default();
        for line in text.lines() {
            let (k, v) = line.split_once(' ').unwrap_or((line, ""));
            if k.is_empty() {
                continue;
            }
            e.push(
                k,
                Value {
                    value: v.to_string(),
                    origin: Origin::Unknown,
                },
            );
        }
        e
    }

    /// `ServerAliveInterval` in seconds, if the value is a number.
    pub fn server_alive_interval(&self) -> Option<u64> {
        self.get("serveraliveinterval")?.value.parse().ok()
    }
}
