//! A count that rests on tags the server may lack: the hook cannot see the
//! server's refs, so tags fetched from the remote stand in for its tags
//! (see `estimate`'s boundary). When the reading without them would be
//! judged worse, the push is warned about and never blocked on it.

use crate::estimate::{Count, Estimate, RefKind};
use crate::policy::{Decision, Facts, Settings, Verdict, decide};

/// A reading of the push that holds only if the server still has tags
/// pushguard takes it to have but cannot see: the count without them, and
/// what they are (for the reason).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unconfirmed {
    /// Objects git sends if the server has none of those tags.
    pub objects: Count,
    /// What the count assumes, in words (`origin still has tag v1.0`).
    pub what: String,
}

impl Unconfirmed {
    /// The count without the tags `est` assumes; `None` when no tag changes it.
    pub fn tags_of(est: &Estimate) -> Option<Unconfirmed> {
        let objects = est.without_tags?;
        let tags: Vec<&str> = est
            .assumes
            .iter()
            .filter(|a| a.kind == RefKind::Tag)
            .map(|a| a.remote_ref.trim_start_matches("refs/tags/"))
            .collect();
        let remote = est
            .assumes
            .first()
            .map_or("the remote", |a| a.remote.as_str());
        let what = match tags.as_slice() {
            [] => format!("{remote} still has the tags fetched from it"),
            [one] => format!("{remote} still has tag {one}"),
            many => format!("{remote} still has tags {}", many.join(", ")),
        };
        Some(Unconfirmed { objects, what })
    }
}

/// [`decide`] for a count that rests on tags the server may lack: the count
/// with them decides, except that where the count without them would be
/// judged worse, the push is warned about and never blocked on that reading.
pub fn decide_unconfirmed(
    s: &Settings,
    facts: &Facts,
    unconfirmed: Option<&Unconfirmed>,
) -> Decision {
    let decided = decide(s, facts);
    let (
        Some(u),
        Facts::Ssh {
            bytes, keepalive, ..
        },
    ) = (unconfirmed, facts)
    else {
        return decided;
    };
    let without = Facts::Ssh {
        objects: u.objects,
        bytes: *bytes,
        keepalive: keepalive.clone(),
    };
    let worse = decide(s, &without);
    if worse.verdict <= decided.verdict {
        return decided;
    }
    let would = match worse.verdict {
        Verdict::Block => "be blocked",
        _ => "be warned about",
    };
    let mut reasons = decided.reasons;
    reasons.push(format!(
        "the count assumes {}; without that, {} objects, and the push would {would}: pushguard cannot see the server's tags, so it warns instead",
        u.what, u.objects
    ));
    reasons.extend(worse.reasons.into_iter().skip(1));
    Decision {
        verdict: Verdict::Warn,
        reasons,
        risk: decided.risk.or(worse.risk),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Keepalive;
    use crate::policy::tests::ssh;

    #[test]
    fn an_unconfirmed_tag_warns_and_never_blocks() {
        let s = Settings::default();
        let facts = ssh(Count::Exact(3), Some(Keepalive::Interval(0)));
        let without = |n| Unconfirmed {
            objects: Count::AtLeast(n),
            what: "origin still has tag v1.0".into(),
        };
        // Blocks without the tag: warn, and say why.
        let d = decide_unconfirmed(&s, &facts, Some(&without(20_000)));
        assert_eq!(d.verdict, Verdict::Warn);
        assert!(d.needs_fix());
        assert!(
            d.reasons[1].contains("tag v1.0") && d.reasons[1].contains("be blocked"),
            "{d:?}"
        );
        // Warned about without the tag: still a warning.
        let d = decide_unconfirmed(&s, &facts, Some(&without(6_000)));
        assert_eq!(d.verdict, Verdict::Warn);
        // Small either way, or nothing assumed: as `decide` (a lower bound
        // below the thresholds is no size: the time budget cut it).
        let small = Unconfirmed {
            objects: Count::Exact(10),
            ..without(0)
        };
        assert_eq!(
            decide_unconfirmed(&s, &facts, Some(&small)),
            decide(&s, &facts)
        );
        assert_eq!(decide_unconfirmed(&s, &facts, None), decide(&s, &facts));
        // Blocked with the tag already: the assumption cannot make it worse.
        let huge = ssh(Count::AtLeast(20_000), Some(Keepalive::Interval(0)));
        let d = decide_unconfirmed(&s, &huge, Some(&without(30_000)));
        assert_eq!(d.verdict, Verdict::Block);
        // A keepalive that works makes either reading fine.
        let kept = ssh(Count::Exact(3), Some(Keepalive::Interval(30)));
        let d = decide_unconfirmed(&s, &kept, Some(&without(30_000)));
        assert_eq!(d.verdict, Verdict::Ok);
    }
}
