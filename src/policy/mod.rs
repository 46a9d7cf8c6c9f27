//! The verdict: settings (`settings`) × the facts found × the keepalive
//! reconciled from ssh's witnesses (`keepalive`); a count resting on tags
//! the server may lack is weighed by `unconfirmed`. Pure: no I/O; every
//! fact arrives as an argument.

pub mod keepalive;
pub mod settings;
pub mod unconfirmed;

pub use keepalive::{BuiltinAnswer, Finding, Reads, from_putty, reads, reconcile};
pub use settings::{
    Candidate, ENV_SKIP, PER_URL, ResolverChoice, SettingError, Settings, parse_git_int,
    parse_seconds, url_candidates,
};
pub use unconfirmed::{Unconfirmed, decide_unconfirmed};

use std::time::Duration;

use crate::estimate::Count;

/// What is known about the keepalive ssh will use ([`keepalive_of`] reads it
/// from `ServerAliveInterval` and `ServerAliveCountMax`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Keepalive {
    /// `ServerAliveInterval` in seconds (0 = off), with `ServerAliveCountMax`
    /// at least 1: every interval without a packet from the server, ssh sends
    /// a keepalive request, and waits as long as the server answers.
    Interval(u64),
    /// `ServerAliveInterval` n > 0 with `ServerAliveCountMax 0`: ssh sends no
    /// keepalive at all and quits ("Timeout, server … not responding") after
    /// n s without a packet from the server.
    GivesUp(u64),
    /// A PuTTY tool's ping interval in seconds (0 = off): an SSH-2 ignore
    /// message every interval whatever the traffic (PuTTY's `pinger.c`).
    /// No answer is awaited, so no count of unanswered pings ends the session.
    Ping(u64),
    /// Cannot tell, and why (plink, ssh -G failed, depends on `Match exec`…).
    Unknown(String),
}

/// What ssh does with `ServerAliveInterval interval` and `ServerAliveCountMax
/// count_max` (OpenSSH 8.7p1 to 10.5p1, `server_alive_check` in clientloop.c:
/// each interval of server silence counts one unanswered keepalive *before*
/// sending one, and quits once the count exceeds `count_max`; any packet
/// from the server resets the count).
pub fn keepalive_of(interval: u64, count_max: u64) -> Keepalive {
    match (interval, count_max) {
        (1.., 0) => Keepalive::GivesUp(interval),
        _ => Keepalive::Interval(interval),
    }
}

/// The facts the verdict is made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Facts {
    /// The push is not over ssh (the transport named).
    NotSsh(String),
    /// Nothing will be sent (no updates, or deletions only).
    NothingToSend,
    /// A push over ssh.
    Ssh {
        /// Objects git will send.
        objects: Count,
        /// Estimated bytes, if known.
        bytes: Option<u64>,
        /// The keepalive, or `None` when it was not worth resolving.
        keepalive: Option<Keepalive>,
    },
}

/// What the hook does with the push.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Not judged: not ssh, disabled, bypassed, or nothing to send.
    Skip,
    /// Fine.
    Ok,
    /// Risky: a message, the push goes on.
    Warn,
    /// Stop the push.
    Block,
}

impl Verdict {
    /// The lowercase name used in output and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Skip => "skip",
            Verdict::Ok => "ok",
            Verdict::Warn => "warn",
            Verdict::Block => "block",
        }
    }
}

/// How big a push is against the thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Size {
    /// Below both warn thresholds.
    Small,
    /// At or above a warn threshold.
    Large,
    /// At or above a block threshold.
    Huge,
}

/// The decision, the reasons for it in plain words, and what makes the
/// push risky (what the message and the fix are about).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The verdict.
    pub verdict: Verdict,
    /// Why, one sentence each.
    pub reasons: Vec<String>,
    /// What is wrong with a large push's keepalive; `None` when nothing is.
    pub risk: Option<Risk>,
}

impl Decision {
    /// True when the message should show how to fix the keepalive.
    pub fn needs_fix(&self) -> bool {
        self.risk.is_some()
    }
}

/// What is wrong with the keepalive of a push too large to go without one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Risk {
    /// ssh sends no keepalive (`ServerAliveInterval 0`).
    NoKeepalive,
    /// ssh sends keepalives, but not below the server's idle timeout.
    TooSlow {
        /// `ServerAliveInterval`, in seconds.
        interval: u64,
        /// `pushguard.idleTimeout`, in seconds.
        idle_timeout: u64,
    },
    /// `ServerAliveCountMax 0`: ssh itself ends the session after `interval`
    /// s of server silence, before it sends a single keepalive.
    GivesUp {
        /// `ServerAliveInterval`, in seconds.
        interval: u64,
    },
    /// Whether ssh sends keepalives is unknown (never blocks).
    CannotTell,
    /// The time budget ran out before the count reached the thresholds: the
    /// size is unknown, and the keepalive is not known to be effective
    /// (never blocks).
    SizeUnknown,
}

/// Classifies the size of a push against the thresholds.
pub fn size_of(s: &Settings, objects: Count, bytes: Option<u64>) -> Size {
    let n = objects.value();
    let b = bytes.unwrap_or(0);
    if n >= s.block_objects || b >= s.block_bytes {
        Size::Huge
    } else if n >= s.warn_objects || b >= s.warn_bytes {
        Size::Large
    } else {
        Size::Small
    }
}

/// True when a keepalive every `interval` s keeps a session alive under
/// `idle_timeout`: `0 < interval < idle_timeout`. The whole rule also needs
/// `ServerAliveCountMax` ≥ 1 ([`Keepalive::Interval`], not
/// [`Keepalive::GivesUp`]); see README.md, "The keepalive rule".
pub fn keepalive_effective(interval: u64, idle_timeout: u64) -> bool {
    interval > 0 && interval < idle_timeout
}

/// The keepalive interval the fix proposes: 30 s, or less for short idle timeouts.
pub fn proposed_interval(idle_timeout: u64) -> u64 {
    30.min((idle_timeout / 2).max(1))
}

/// A walk this slow without a commit-graph earns a suggestion to write one.
pub const SLOW_WALK: Duration = Duration::from_millis(100);

/// The advice for an object walk that took `took`, if it is worth one.
pub fn walk_advice(took: Duration, commit_graph: bool) -> Option<String> {
    (took >= SLOW_WALK && !commit_graph).then(|| {
        format!(
            "counting took {} ms without a commit-graph; `git commit-graph write --reachable` makes it several times faster",
            took.as_millis()
        )
    })
}

/// False when the verdict is `skip` whatever the facts (bypassed, disabled).
pub fn needs_facts(s: &Settings) -> bool {
    s.enabled && !s.skip
}

/// Decides what to do with a push.
pub fn decide(s: &Settings, facts: &Facts) -> Decision {
    let decision = |verdict, reasons, risk| Decision {
        verdict,
        reasons,
        risk,
    };
    let skip = |r: String| decision(Verdict::Skip, vec![r], None);
    if s.skip {
        return skip(format!("bypassed by {ENV_SKIP}"));
    }
    if !s.enabled {
        return skip("disabled by pushguard.enabled=false".into());
    }
    let (objects, bytes, keepalive) = match facts {
        Facts::NotSsh(kind) => return skip(format!("not an ssh push ({kind})")),
        Facts::NothingToSend => return skip("nothing to send".into()),
        Facts::Ssh {
            objects,
            bytes,
            keepalive,
        } => (*objects, *bytes, keepalive),
    };
    let size = size_of(s, objects, bytes);
    // A lower bound below the thresholds is a count the time budget cut
    // short (the walk stops only at the block threshold): no size at all.
    let unknown = size == Size::Small && matches!(objects, Count::AtLeast(_));
    let size_text = match size {
        Size::Small if unknown => "size unknown (the time budget ran out)",
        Size::Small => "a small push",
        Size::Large => "a large push",
        Size::Huge => "a very large push",
    };
    let mut reasons = vec![format!("{size_text}: {objects} objects")];
    if size == Size::Small && !unknown {
        return decision(Verdict::Ok, reasons, None);
    }
    let risky = if size == Size::Huge {
        Verdict::Block
    } else {
        Verdict::Warn
    };
    let idle_timeout = s.idle_timeout;
    let (verdict, reason, risk) = match keepalive {
        Some(Keepalive::Interval(i) | Keepalive::Ping(i))
            if keepalive_effective(*i, idle_timeout) =>
        {
            (
                Verdict::Ok,
                format!(
                    "keepalive every {i} s is below the server idle timeout of {idle_timeout} s"
                ),
                None,
            )
        }
        Some(Keepalive::GivesUp(i)) => (
            risky,
            format!(
                "ServerAliveCountMax 0: ssh sends no keepalive and quits (\"Timeout, server not responding\") after {i} s in which the server sends nothing, and the server is silent while it processes the push"
            ),
            Some(Risk::GivesUp { interval: *i }),
        ),
        Some(Keepalive::Interval(0)) => (
            risky,
            format!(
                "no keepalive (ServerAliveInterval 0): the server may drop the session after {idle_timeout} s idle while it processes the push"
            ),
            Some(Risk::NoKeepalive),
        ),
        Some(Keepalive::Ping(0)) => (
            risky,
            format!(
                "no keepalive (the PuTTY session's ping interval is 0): the server may drop the session after {idle_timeout} s idle while it processes the push"
            ),
            Some(Risk::NoKeepalive),
        ),
        Some(Keepalive::Interval(i) | Keepalive::Ping(i)) => (
            risky,
            format!(
                "keepalive every {i} s is not below the server idle timeout of {idle_timeout} s"
            ),
            Some(Risk::TooSlow {
                interval: *i,
                idle_timeout,
            }),
        ),
        // Never block on a guess.
        Some(Keepalive::Unknown(why)) => (
            Verdict::Warn,
            format!("cannot tell whether ssh sends keepalives: {why}"),
            Some(Risk::CannotTell),
        ),
        None => (
            Verdict::Warn,
            "keepalive not resolved".into(),
            Some(Risk::CannotTell),
        ),
    };
    reasons.push(reason);
    if unknown && verdict != Verdict::Ok {
        return decision(Verdict::Warn, reasons, Some(Risk::SizeUnknown));
    }
    decision(verdict, reasons, risk)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The facts of an ssh push of `objects` with keepalive `k`.
    pub(in crate::policy) fn ssh(objects: Count, k: Option<Keepalive>) -> Facts {
        Facts::Ssh {
            objects,
            bytes: None,
            keepalive: k,
        }
    }

    #[test]
    fn a_count_cut_by_the_time_budget_is_no_size() {
        let s = Settings::default();
        let cut = Count::AtLeast(12);
        let d = decide(&s, &ssh(cut, Some(Keepalive::Interval(0))));
        assert_eq!(
            (d.verdict, d.risk),
            (Verdict::Warn, Some(Risk::SizeUnknown))
        );
        assert!(d.reasons[0].starts_with("size unknown"), "{:?}", d.reasons);
        let d = decide(&s, &ssh(cut, None));
        assert_eq!(d.verdict, Verdict::Warn);
        // An effective keepalive is fine at any size.
        let d = decide(&s, &ssh(cut, Some(Keepalive::Interval(30))));
        assert_eq!(d.verdict, Verdict::Ok);
        // A bound at the thresholds is a size.
        let d = decide(
            &s,
            &ssh(Count::AtLeast(20_000), Some(Keepalive::Interval(0))),
        );
        assert_eq!(d.verdict, Verdict::Block);
    }

    #[test]
    fn verdicts() {
        let s = Settings::default();
        let d = decide(&s, &ssh(Count::Exact(10), None));
        assert_eq!(d.verdict, Verdict::Ok);
        let d = decide(
            &s,
            &ssh(Count::AtLeast(20_000), Some(Keepalive::Interval(0))),
        );
        assert_eq!(d.verdict, Verdict::Block);
        assert_eq!(d.risk, Some(Risk::NoKeepalive));
        assert!(d.needs_fix());
        let d = decide(&s, &ssh(Count::Exact(6_000), Some(Keepalive::Interval(0))));
        assert_eq!(d.verdict, Verdict::Warn);
        let d = decide(
            &s,
            &ssh(Count::AtLeast(20_000), Some(Keepalive::Interval(30))),
        );
        assert_eq!(d.verdict, Verdict::Ok);
        let d = decide(
            &s,
            &ssh(Count::AtLeast(20_000), Some(Keepalive::Interval(600))),
        );
        assert_eq!(
            d.verdict,
            Verdict::Block,
            "interval must be below the timeout"
        );
        assert_eq!(
            d.risk,
            Some(Risk::TooSlow {
                interval: 600,
                idle_timeout: 600
            })
        );
        let d = decide(
            &s,
            &ssh(
                Count::AtLeast(20_000),
                Some(Keepalive::Unknown("plink".into())),
            ),
        );
        assert_eq!(d.verdict, Verdict::Warn, "never block on a guess");
        assert_eq!(d.risk, Some(Risk::CannotTell));
        assert_eq!(decide(&s, &Facts::NothingToSend).verdict, Verdict::Skip);
        assert_eq!(
            decide(&s, &Facts::NotSsh("https".into())).verdict,
            Verdict::Skip
        );
        let big_bytes = Facts::Ssh {
            objects: Count::Exact(3),
            bytes: Some(600 << 20),
            keepalive: Some(Keepalive::Interval(0)),
        };
        assert_eq!(decide(&s, &big_bytes).verdict, Verdict::Block);
    }

    #[test]
    fn a_count_max_of_zero_gives_up_and_is_no_keepalive() {
        assert_eq!(keepalive_of(30, 0), Keepalive::GivesUp(30));
        assert_eq!(keepalive_of(30, 1), Keepalive::Interval(30));
        assert_eq!(keepalive_of(0, 0), Keepalive::Interval(0));
        let s = Settings::default();
        let d = decide(&s, &ssh(Count::AtLeast(20_000), Some(keepalive_of(30, 0))));
        assert_eq!(d.verdict, Verdict::Block);
        assert_eq!(d.risk, Some(Risk::GivesUp { interval: 30 }));
        assert!(d.reasons[1].starts_with("ServerAliveCountMax 0"), "{d:?}");
        let d = decide(&s, &ssh(Count::Exact(6_000), Some(keepalive_of(30, 0))));
        assert_eq!(d.verdict, Verdict::Warn);
        let d = decide(&s, &ssh(Count::AtLeast(20_000), Some(keepalive_of(30, 1))));
        assert_eq!(d.verdict, Verdict::Ok);
    }

    // A PuTTY ping interval is judged by the same thresholds; it has no
    // count max (PuTTY awaits no answer to a ping, pinger.c).
    #[test]
    fn a_putty_ping_interval_is_judged_like_server_alive_interval() {
        let s = Settings::default();
        let judge = |n, k| decide(&s, &ssh(n, Some(k)));
        let d = judge(Count::AtLeast(20_000), Keepalive::Ping(30));
        assert_eq!((d.verdict, d.risk), (Verdict::Ok, None));
        let d = judge(Count::AtLeast(20_000), Keepalive::Ping(0));
        assert_eq!(
            (d.verdict, d.risk),
            (Verdict::Block, Some(Risk::NoKeepalive))
        );
        assert!(d.reasons[1].starts_with("no keepalive (the PuTTY session's ping interval is 0)"));
        let d = judge(Count::Exact(6_000), Keepalive::Ping(0));
        assert_eq!(d.verdict, Verdict::Warn);
        let d = judge(Count::AtLeast(20_000), Keepalive::Ping(600));
        assert_eq!(
            (d.verdict, d.risk),
            (
                Verdict::Block,
                Some(Risk::TooSlow {
                    interval: 600,
                    idle_timeout: 600
                })
            )
        );
    }

    #[test]
    fn seed_failure_is_blocked() {
        // The 22,632-object first push to Bitbucket Server with no keepalive.
        let s = Settings::default();
        let d = decide(
            &s,
            &ssh(Count::AtLeast(20_000), Some(Keepalive::Interval(0))),
        );
        assert_eq!(d.verdict, Verdict::Block);
    }

    #[test]
    fn a_slow_walk_without_commit_graph_earns_advice() {
        let slow = Duration::from_millis(250);
        assert!(walk_advice(slow, false).is_some_and(|a| a.starts_with("counting took 250 ms")));
        assert_eq!(walk_advice(slow, true), None);
        assert_eq!(walk_advice(Duration::from_millis(99), false), None);
    }

    #[test]
    fn proposed_interval_fits_timeout() {
        assert_eq!(proposed_interval(600), 30);
        assert_eq!(proposed_interval(40), 20);
        assert_eq!(proposed_interval(1), 1);
        for t in 2..1000 {
            assert!(keepalive_effective(proposed_interval(t), t));
        }
    }
}
