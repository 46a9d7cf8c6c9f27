//! The hook's time budget (`pushguard.timeBudget`): the whole run of the
//! hook (and of `check`, which says what the hook would) ends within it.
//!
//! The hook runs while git's SSH session to the server is already open and
//! idle, so its time is taken from the server's idle timeout; the smallest
//! one users meet is 60 s (AWS classic ELB), and git's own work before the
//! hook and the other hooks of the push spend the same window. The default,
//! [`DEFAULT`] = 10 s, leaves most of those 60 s to them and is still a
//! hundred times what a push usually takes (6–146 ms, docs/design.md).
//!
//! The budget is one deadline for the process, set once by `run` when the
//! hook starts (and moved when the setting is read). Every child started
//! through `ProcessBuilder` gets at most what is left of it: when the
//! budget runs out, its process group is killed and reaped like on its own
//! time limit, with an error that names the budget. What was found by then
//! still counts: an object walk cut short is a lower bound ("at least"),
//! and `policy` never calls such a count small; `ssh -G` cut short leaves
//! the keepalive to the builtin resolver or "cannot tell".

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The default budget.
pub const DEFAULT: Duration = Duration::from_secs(10);

/// The process's deadline: when the budget started, and how long it is.
static BUDGET: Mutex<Option<Budget>> = Mutex::new(None);

/// A time budget that started at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// When it started.
    pub start: Instant,
    /// How long it is.
    pub total: Duration,
}

impl Budget {
    /// What is left of it at `now` (zero once it ran out).
    pub fn left(&self, now: Instant) -> Duration {
        (self.start + self.total).saturating_duration_since(now)
    }

    /// `limit` (a child's own time limit) cut to what is left at `now`;
    /// true when the budget is the shorter one.
    pub fn clamp(&self, limit: Option<Duration>, now: Instant) -> (Duration, bool) {
        let left = self.left(now);
        match limit {
            Some(l) if l <= left => (l, false),
            _ => (left, true),
        }
    }
}

/// Starts the process's budget now (the hook's and `check`'s first step).
pub fn start(total: Duration) {
    set(Some(Budget {
        start: Instant::now(),
        total,
    }));
}

/// Gives the running budget another length (the setting, once read).
pub fn resize(total: Duration) {
    let mut b = BUDGET.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(b) = b.as_mut() {
        b.total = total;
    }
}

fn set(b: Option<Budget>) {
    *BUDGET.lock().unwrap_or_else(|e| e.into_inner()) = b;
}

/// The process's budget, when one runs.
pub fn current() -> Option<Budget> {
    *BUDGET.lock().unwrap_or_else(|e| e.into_inner())
}

/// `limit` cut to what is left of the budget, and whether the budget is the
/// shorter one; `limit` itself when no budget runs.
pub fn clamp(limit: Option<Duration>) -> (Option<Duration>, bool) {
    match current() {
        Some(b) => {
            let (l, by_budget) = b.clamp(limit, Instant::now());
            (Some(l), by_budget)
        }
        None => (limit, false),
    }
}

/// What is left of the budget (`None` when none runs).
pub fn left() -> Option<Duration> {
    current().map(|b| b.left(Instant::now()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_limit_is_cut_to_what_is_left() {
        let t0 = Instant::now();
        let b = Budget {
            start: t0,
            total: Duration::from_secs(10),
        };
        let at = |s: u64| t0 + Duration::from_secs(s);
        assert_eq!(b.left(at(4)), Duration::from_secs(6));
        assert_eq!(b.left(at(12)), Duration::ZERO);
        let three = Some(Duration::from_secs(3));
        assert_eq!(b.clamp(three, at(1)), (Duration::from_secs(3), false));
        assert_eq!(b.clamp(three, at(8)), (Duration::from_secs(2), true));
        assert_eq!(b.clamp(None, at(5)), (Duration::from_secs(5), true));
        assert_eq!(b.clamp(three, at(11)), (Duration::ZERO, true));
    }
}
