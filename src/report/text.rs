//! The text people read: the hook's message (only for warn and block) and
//! the dry run's report, one labelled line per fact.

use crate::check::{Outcome, SshFacts};
use crate::estimate::{Count, Estimate, RefKind};
use crate::plan::Source;
use crate::policy::{Keepalive, Risk, Verdict};
use crate::ssh::Origin;
use crate::terminal::inline;

use super::{putty_session, worst};

/// Formats a number with thousands separators (`22,632`).
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn count_text(c: Count, upper: Option<u64>) -> String {
    match (c, upper) {
        (Count::Exact(n), _) => thousands(n),
        (Count::AtLeast(n), Some(u)) if u > n => {
            format!("between {} and ~{}", thousands(n), thousands(u))
        }
        (Count::AtLeast(n), _) => format!("at least {}", thousands(n)),
        (Count::AtMost(n), _) => format!("at most {} (the whole repository)", thousands(n)),
    }
}

fn origin_text(o: &Origin) -> String {
    match o {
        Origin::Default => "ssh's default (not set anywhere)".into(),
        Origin::CommandLine => "the ssh command line".into(),
        Origin::Unknown => "cannot tell where this value comes from".into(),
        Origin::File { .. } => o.to_string(),
    }
}

/// The program that sends the keepalive, as the messages name it.
fn client(ssh: Option<&SshFacts>) -> &'static str {
    ssh.and_then(|s| s.putty.as_ref())
        .map_or("ssh", |p| p.tool.name())
}

fn keepalive_text(ssh: &SshFacts) -> String {
    let what = match &ssh.keepalive {
        Keepalive::Ping(0) => format!("{} sends no keepalive (ping interval 0)", client(Some(ssh))),
        Keepalive::Ping(i) => format!("{} pings every {i} s", client(Some(ssh))),
        Keepalive::Interval(0) => "ServerAliveInterval 0 (off)".to_string(),
        Keepalive::Interval(i) => format!("ServerAliveInterval {i} s"),
        Keepalive::GivesUp(i) => format!(
            "ServerAliveInterval {i} s with ServerAliveCountMax 0 (ssh gives up after {i} s of server silence)"
        ),
        Keepalive::Unknown(why) => return format!("cannot tell: {why}"),
    };
    if let Some(k) = putty_session(ssh) {
        return format!("{what}, from {k}");
    }
    match &ssh.interval_origin {
        Some(Origin::Unknown) | None => {
            format!("{what}; pushguard cannot tell where this value comes from")
        }
        Some(o) => format!("{what}, from {}", origin_text(o)),
    }
}

fn objects_line(o: &Outcome) -> Option<String> {
    let e = o.estimate.as_ref()?;
    let mut s = count_text(e.objects, e.upper_bound);
    if let Some(b) = e.bytes {
        s.push_str(&format!(", {b}"));
    }
    Some(s)
}

/// What the count takes the server to still have, when it rests on anything
/// this push does not confirm: `origin still has main (as of …); if not, more is sent`.
fn assumes_text(e: &Estimate) -> Option<String> {
    const SHOWN: usize = 3;
    let first = e.assumes.first()?;
    let names: Vec<String> = e
        .assumes
        .iter()
        .take(SHOWN)
        .map(|a| {
            let name = match a.kind {
                RefKind::Tracking => a.remote_ref.trim_start_matches("refs/heads/").to_string(),
                RefKind::Tag => format!("tag {}", a.remote_ref.trim_start_matches("refs/tags/")),
            };
            match a.updated {
                Some(t) => format!("{name} (as of {})", utc(t)),
                None => name,
            }
        })
        .collect();
    let mut t = format!("{} still has {}", first.remote, names.join(", "));
    if e.assumes.len() > SHOWN {
        t.push_str(&format!(" and {} more", e.assumes.len() - SHOWN));
    }
    match e.without_tags {
        Some(c) => t.push_str(&format!(
            "; without the tags, {} objects",
            count_text(c, None)
        )),
        None => t.push_str("; if not, more is sent"),
    }
    Some(t)
}

/// Seconds since the epoch as `2026-11-30 14:02 UTC` (the civil calendar from a day count).
fn utc(t: u64) -> String {
    let (days, secs) = ((t / 86_400) as i64, t % 86_400);
    let z = days + 719_468;
    let (era, doe) = (z.div_euclid(146_097), z.rem_euclid(146_097));
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        secs / 3_600,
        secs % 3_600 / 60
    )
}

fn host_line(ssh: &SshFacts) -> String {
    let mut s = ssh.host.clone();
    if let Some(eff) = &ssh.effective {
        let get = |k: &str| eff.get(k).map(|v| v.value.clone());
        let mut parts = Vec::new();
        if let Some(h) = get("hostname").filter(|h| *h != ssh.host) {
            parts.push(format!("hostname {h}"));
        }
        if let Some(p) = get("port") {
            parts.push(format!("port {p}"));
        }
        if let Some(u) = get("user") {
            parts.push(format!("user {u}"));
        }
        if !parts.is_empty() {
            s.push_str(&format!(" ({})", parts.join(", ")));
        }
    }
    s
}

/// The hook's message: empty for ok and skip, the full story for warn and block.
pub fn hook_text(o: &Outcome) -> String {
    match o.decision.verdict {
        Verdict::Ok | Verdict::Skip => String::new(),
        Verdict::Warn | Verdict::Block => story(o),
    }
}

fn story(o: &Outcome) -> String {
    let mut t = String::new();
    let head = match o.decision.verdict {
        Verdict::Block => "pushguard: push stopped",
        _ => "pushguard: warning (the push goes on)",
    };
    let client = client(o.ssh.as_ref());
    let why = match o.decision.risk {
        Some(Risk::NoKeepalive) => format!("{client} sends no keepalive"),
        Some(Risk::TooSlow {
            interval,
            idle_timeout,
        }) => format!(
            "{client}'s keepalive (every {interval} s) is not below the server's idle timeout ({idle_timeout} s)"
        ),
        Some(Risk::GivesUp { interval }) => format!(
            "ssh gives up after {interval} s without a packet from the server (ServerAliveCountMax 0)"
        ),
        Some(Risk::CannotTell) | None => {
            format!("pushguard cannot tell whether {client} sends keepalives")
        }
        Some(Risk::SizeUnknown) => String::new(),
    };
    let who = match o.decision.risk {
        Some(Risk::GivesUp { .. }) => "ssh itself",
        _ => "the server",
    };
    // Warned about only for what the count assumes (see "assuming" below).
    let size = match o.estimate.as_ref().and_then(|e| e.without_tags) {
        Some(_) => "may be large",
        None => "is large",
    };
    match o.decision.risk {
        Some(Risk::SizeUnknown) => t.push_str(&format!(
            "{head}: pushguard ran out of time (pushguard.timeBudget) before it could tell whether this push is large, and ssh's keepalive is not known to be effective.\n"
        )),
        _ => t.push_str(&format!(
            "{head}: this push {size} and {why}, so {who} may cut it off.\n"
        )),
    }
    if let Some(ssh) = &o.ssh {
        line(&mut t, "  host       ", host_line(ssh));
    }
    if let Some(obj) = objects_line(o) {
        line(&mut t, "  objects    ", obj);
    }
    if let Some(judged) = judged_line(o) {
        line(&mut t, "  judged     ", judged);
    }
    if let Some(a) = o.estimate.as_ref().and_then(assumes_text) {
        t.push_str(&format!("  assuming   {a}\n"));
    }
    if let Some(ssh) = &o.ssh {
        line(&mut t, "  keepalive  ", keepalive_text(ssh));
        for n in &ssh.notes {
            line(&mut t, "  note       ", n);
        }
    }
    match o.decision.risk {
        Some(Risk::GivesUp { interval }) => t.push_str(&format!(
            "Why: with ServerAliveCountMax 0, ssh counts a keepalive as unanswered before it sends one,\n     so it quits (\"Timeout, server not responding\") after {interval} s without a packet from\n     the server. While it stores a large push the server is silent.\n"
        )),
        _ => t.push_str(&format!(
            "Why: the server ends an SSH session after {} s without traffic (pushguard.idleTimeout).\n     While it stores a large push the session is silent, and the push dies with\n     \"fatal: The remote end hung up unexpectedly\".\n",
            o.settings.idle_timeout
        )),
    }
    if let Some(s) = o.fix() {
        t.push_str(&fix_text(o.ssh.as_ref(), &s));
    }
    t.push_str("Bypass once: PUSHGUARD_SKIP=1 git push   (or: git push --no-verify)\n");
    t
}

/// Appends `label value` as one line: a newline in the value is shown
/// escaped (`terminal::inline`), so it cannot make a line of its own.
fn line(t: &mut String, label: &str, value: impl AsRef<str>) {
    t.push_str(label);
    t.push_str(&inline(value.as_ref()));
    t.push('\n');
}

/// The message's `Fix:` lines: the `pushguard fix` command, and a one-off
/// for a program that reads OpenSSH config; for a PuTTY tool, the session
/// `pushguard fix` edits (the one the tool loads).
fn fix_text(ssh: Option<&SshFacts>, s: &crate::fix::Suggestion) -> String {
    let putty = ssh.and_then(|f| f.putty.as_ref());
    match (putty, putty.and_then(|p| p.session.as_ref())) {
        (Some(_), Some(k)) if k.suppressed.is_some() => format!(
            "Fix: PuTTY's keepalives are SSH-2 ignore messages, and session {:?} has \"Chokes on SSH-2 ignore\n     messages\" forced on (BugIgnore2=2): turn it off (Connection > SSH > Bugs) unless the server needs it.\n",
            k.session
        ),
        (Some(_), Some(k)) => format!(
            "Fix: {}   (sets \"Seconds between keepalives\" to {} in PuTTY session {:?}; --apply makes it)\n     PuTTY tools read no ~/.ssh/config: the keepalive is set in the saved session they load.\n",
            s.command, s.interval, k.session
        ),
        (Some(p), None) => format!(
            "Fix: {}   (sets \"Seconds between keepalives\" to {} in the PuTTY session {} loads; --apply makes it)\n     pushguard cannot read that session, so it only warns here, never blocks.\n",
            s.command,
            s.interval,
            p.tool.name()
        ),
        (None, _) => {
            let mut t = format!(
                "Fix: {}   (shows the change that makes the keepalive effective; --apply makes it)\n",
                s.command
            );
            if let Some(one_off) = &s.one_off {
                t.push_str(&format!(
                    "     or, for this push only:\n         {one_off}\n"
                ));
            }
            t
        }
    }
}

/// Which refs were judged, when not all of the push's.
fn judged_line(o: &Outcome) -> Option<String> {
    let u = o.plan.updates.first()?;
    (o.plan.source == Source::PreCommit).then(|| {
        format!(
            "only {} -> {}: pre-commit passes a hook only the first ref with something to push",
            u.local_ref, u.remote_ref
        )
    })
}

/// The dry run's report: every fact found, then the verdict.
pub fn check_text(o: &Outcome) -> String {
    let mut t = String::new();
    line(&mut t, "verdict    ", o.decision.verdict.as_str());
    if o.plan.remote == o.plan.url {
        line(&mut t, "remote     ", &o.plan.url);
    } else {
        line(
            &mut t,
            "remote     ",
            format!("{} ({})", o.plan.remote, o.plan.url),
        );
    }
    for u in &o.plan.updates {
        let local = u
            .local_oid
            .as_deref()
            .map_or("(delete)", |s| &s[..s.len().min(12)]);
        line(
            &mut t,
            "update     ",
            format!("{} {} -> {}", u.local_ref, local, u.remote_ref),
        );
    }
    if let Some(kind) = &o.transport {
        line(&mut t, "transport  ", kind);
    }
    if let Some(obj) = objects_line(o) {
        line(&mut t, "objects    ", obj);
    }
    if let Some(a) = o.estimate.as_ref().and_then(assumes_text) {
        t.push_str(&format!("assuming   {a}\n"));
    }
    for n in o.estimate.iter().flat_map(|e| &e.notes) {
        line(&mut t, "note       ", n);
    }
    if let Some(ssh) = &o.ssh {
        line(&mut t, "ssh        ", ssh.invocation.push_argv().join(" "));
        line(&mut t, "host       ", host_line(ssh));
        line(&mut t, "keepalive  ", keepalive_text(ssh));
        for s in &ssh.shadowed {
            let at = format!("ServerAliveInterval at {s} (lost to the value above)");
            line(&mut t, "shadowed   ", at);
        }
        for n in &ssh.notes {
            line(&mut t, "note       ", n);
        }
    }
    if let Some(why) = &o.ssh_skipped {
        line(&mut t, "ssh        ", format!("not resolved: {why}"));
    }
    for r in &o.decision.reasons {
        line(&mut t, "reason     ", r);
    }
    if matches!(o.decision.verdict, Verdict::Warn | Verdict::Block) {
        t.push('\n');
        t.push_str(&story(o));
    }
    t
}

/// The dry run's report for every push URL git will use: one URL's report
/// alone, or the worst verdict and then each URL's report in git's order.
pub fn check_text_all(all: &[Outcome]) -> String {
    let (Some(worst), [_, _, ..]) = (worst(all), all) else {
        return all.iter().map(check_text).collect();
    };
    let n = all.len();
    let mut t = format!(
        "verdict    {} (the worst of {n} push URLs)\n",
        worst.decision.verdict.as_str()
    );
    for (i, o) in all.iter().enumerate() {
        t.push_str(&format!("\npush URL {} of {n}: {}\n", i + 1, o.plan.url));
        t.push_str(&check_text(o));
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assumptions_read_well() {
        let a = |kind, remote_ref: &str, updated| crate::estimate::Assumption {
            remote: "origin".into(),
            kind,
            local_ref: String::new(),
            remote_ref: remote_ref.into(),
            oid: String::new(),
            updated,
        };
        let mut e = crate::estimate::Estimate::within_repository(&Default::default());
        assert_eq!(assumes_text(&e), None);
        e.assumes = vec![a(RefKind::Tracking, "refs/heads/main", Some(1_700_000_000))];
        assert_eq!(
            assumes_text(&e).unwrap(),
            "origin still has main (as of 2023-11-14 22:13 UTC); if not, more is sent"
        );
        e.assumes.extend([
            a(RefKind::Tag, "refs/tags/v1", None),
            a(RefKind::Tag, "refs/tags/v2", None),
            a(RefKind::Tag, "refs/tags/v3", None),
        ]);
        e.without_tags = Some(Count::Exact(34));
        assert_eq!(
            assumes_text(&e).unwrap(),
            "origin still has main (as of 2023-11-14 22:13 UTC), tag v1, tag v2 and 1 more; without the tags, 34 objects"
        );
    }

    #[test]
    fn utc_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc(1_700_000_000), "2023-11-14 22:13 UTC");
        assert_eq!(utc(951_825_600), "2000-02-29 12:00 UTC");
    }

    #[test]
    fn numbers() {
        assert_eq!(thousands(22632), "22,632");
        assert_eq!(thousands(100), "100");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }
}
