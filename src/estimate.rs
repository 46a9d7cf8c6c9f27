//! How much a push sends: objects reachable from the new tips and not from
//! what the remote has, counted by git and stopped once the answer is known.

use std::fmt;

/// An object count: exact, or a lower bound when counting stopped early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    /// Exactly this many objects.
    Exact(u64),
    /// At least this many (counting stopped at the threshold).
    AtLeast(u64),
}

impl Count {
    /// The number, exact or lower bound.
    pub fn value(self) -> u64 {
        match self {
            Count::Exact(n) | Count::AtLeast(n) => n,
        }
    }

    /// True for `Exact`.
    pub fn is_exact(self) -> bool {
        matches!(self, Count::Exact(_))
    }
}

impl fmt::Display for Count {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Count::Exact(n) => write!(f, "{n}"),
            Count::AtLeast(n) => write!(f, "at least {n}"),
        }
    }
}

/// The push size as far as it was worth finding out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Estimate {
    /// Objects git will send.
    pub objects: Count,
    /// An upper bound on the objects (e.g. all objects in the repository).
    pub upper_bound: Option<u64>,
    /// Estimated bytes on the wire, if estimated.
    pub bytes: Option<u64>,
    /// Caveats a user should know (upper bound only, no commit-graph…).
    pub notes: Vec<String>,
}
