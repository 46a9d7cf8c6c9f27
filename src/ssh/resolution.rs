//! What [`resolve`](super::resolve) returns: the effective options with
//! their origins, the keepalive lines that lost, the `Match exec` lines it
//! could not know; or the error ssh would report.
//!
//! - [`Resolution`]: the outcome, with [`Resolution::dump`] (the `ssh -G`
//!   text), [`Resolution::explain`] (with origins) and
//!   [`Resolution::to_json`].
//! - [`Shadowed`]: a keepalive line that lost, and the line that won.
//! - [`ConfigError`]: a config or command line ssh would refuse, worded as
//!   ssh words it.

use std::path::PathBuf;

use super::keywords::ssh_g_name;
use super::{Effective, Origin, Value};
/// A config ssh would reject, or a command line it would refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// A bad line: ssh's reason, the file and the line.
    #[error("{}", line_message(file, *line, reason))]
    Line {
        /// The file (`command-line` for `-o`).
        file: String,
        /// 1-based line (0 for the command line).
        line: usize,
        /// ssh's reason.
        reason: String,
    },
    /// A file ssh must read but cannot.
    #[error("Can't open user config file {}: {reason}", path.display())]
    Open {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// An included or user file with unsafe owner or mode.
    #[error("Bad owner or permissions on {}", path.display())]
    Permissions {
        /// The file.
        path: PathBuf,
    },
    /// More than 16 nested includes.
    #[error("{file} line {line}: Too many recursive configuration includes")]
    Depth {
        /// The including file.
        file: String,
        /// The Include line.
        line: usize,
    },
    /// A command line ssh refuses.
    #[error("{0}")]
    Usage(String),
    /// Something only a DNS lookup could answer (the resolver does none).
    #[error("{0}")]
    NeedsDns(String),
    /// A line whose effect ssh can see and pushguard cannot here.
    #[error("{file}:{line}: {reason}")]
    CannotTell {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// What pushguard cannot see.
        reason: String,
    },
}

/// ssh's own message layout (it puts a colon after the file name only for
/// unknown keywords).
fn line_message(file: &str, line: usize, reason: &str) -> String {
    if reason.starts_with("Bad configuration option") {
        format!("{file}: line {line}: {reason}")
    } else {
        format!("{file} line {line}: {reason}")
    }
}

/// A line that set a keepalive key but lost, and the line that won.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shadowed {
    /// The `ssh -G` key.
    pub key: String,
    /// The value the losing line asked for.
    pub value: String,
    /// The losing line.
    pub origin: Origin,
    /// The winning value and line (`None` when the default applies).
    pub winner: Option<Value>,
}

/// The outcome: every `ssh -G` key with its value(s) and origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    /// The effective options, in `ssh -G` order.
    pub effective: Effective,
    /// Keepalive lines that lost.
    pub shadowed: Vec<Shadowed>,
    /// `Match exec` lines whose result was not known (policy `Unknown`).
    pub exec_unknown: Vec<Origin>,
    /// `Match exec` lines on which ServerAliveInterval/CountMax depend.
    pub keepalive_depends_on_exec: Vec<Origin>,
}

impl Resolution {
    /// The `ssh -G` text.
    pub fn dump(&self) -> String {
        let mut s = String::new();
        for (k, vs) in self.effective.entries() {
            let k = ssh_g_name(k);
            for v in vs {
                s.push_str(k);
                s.push(' ');
                s.push_str(&v.value);
                s.push('\n');
            }
        }
        s
    }

    /// Per key: value and origin; for keepalive keys the lines that lost.
    pub fn explain(&self) -> String {
        let mut s = String::new();
        for (k, vs) in self.effective.entries() {
            for v in vs {
                s.push_str(&format!("{k} {}\t# {}\n", v.value, v.origin));
            }
            for sh in self.shadowed.iter().filter(|x| &x.key == k) {
                let won = match &sh.winner {
                    Some(w) => format!("{} from {}", w.value, w.origin),
                    None => "default".into(),
                };
                s.push_str(&format!(
                    "  shadowed: {k} {} at {} (lost to {won})\n",
                    sh.value, sh.origin
                ));
            }
        }
        for o in &self.keepalive_depends_on_exec {
            s.push_str(&format!(
                "# keepalive depends on the unknown result of Match exec at {o}\n"
            ));
        }
        s
    }

    /// The same as JSON.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::json;
        let origin = |o: &Origin| json!(o.to_string());
        let options: Vec<serde_json::Value> = self
            .effective
            .entries()
            .iter()
            .map(|(k, vs)| {
                json!({
                    "key": k,
                    "values": vs.iter().map(|v| json!({"value": v.value, "origin": origin(&v.origin)})).collect::<Vec<_>>(),
                })
            })
            .collect();
        json!({
            "options": options,
            "shadowed": self.shadowed.iter().map(|s| json!({
                "key": s.key, "value": s.value, "origin": origin(&s.origin),
                "winner": s.winner.as_ref().map(|w| json!({"value": w.value, "origin": origin(&w.origin)})),
            })).collect::<Vec<_>>(),
            "exec_unknown": self.exec_unknown.iter().map(origin).collect::<Vec<_>>(),
            "keepalive_depends_on_exec": self.keepalive_depends_on_exec.iter().map(origin).collect::<Vec<_>>(),
        })
    }
}
