//! Renders an outcome as text for people or JSON for scripts. Computes
//! nothing: every fact comes from `check::Outcome`, and what is wrong with
//! the push from policy's decision (`Decision::risk`).

use serde_json::{Value as Json, json};

use crate::check::{Outcome, SshFacts};
use crate::estimate::{Count, Estimate, RefKind};
use crate::plan::Source;
use crate::policy::{Keepalive, Risk, Verdict};
use crate::putty::{self, Location};
use crate::ssh::Origin;
use crate::terminal::inline;

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

/// The session a PuTTY tool loads, when it was read.
fn putty_session(ssh: &SshFacts) -> Option<&putty::Keepalive> {
    ssh.putty.as_ref().and_then(|p| p.session.as_ref())
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

/// `ServerAliveInterval`, when known.
fn interval_of(ssh: &SshFacts) -> Option<u64> {
    match ssh.keepalive {
        Keepalive::Interval(i) | Keepalive::GivesUp(i) | Keepalive::Ping(i) => Some(i),
        Keepalive::Unknown(_) => None,
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

/// The outcome judged worst (the first of equals): the push URL that
/// decides the dry run's verdict.
pub fn worst(all: &[Outcome]) -> Option<&Outcome> {
    all.iter().rev().max_by_key(|o| o.decision.verdict)
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

/// The dry run as JSON: the worst push URL's outcome at the top level (so a
/// remote with one URL reads as before), and every URL's in `urls`, in
/// git's order (see docs/json.md).
pub fn json_all(all: &[Outcome]) -> Json {
    let Some(worst) = worst(all) else {
        return Json::Null;
    };
    let mut top = json(worst);
    top["urls"] = Json::Array(all.iter().map(json).collect());
    top
}

/// An origin as JSON: `{"file", "line"}`, `"command line"`, `"default"` or `null`.
pub(crate) fn origin_json(o: &Origin) -> Json {
    match o {
        Origin::File { path, line } => json!({"file": path.display().to_string(), "line": line}),
        Origin::CommandLine => json!("command line"),
        Origin::Default => json!("default"),
        Origin::Unknown => Json::Null,
    }
}

/// Where a PuTTY tool's interval comes from, as JSON: the setting that
/// decides it (`BugIgnore2` when it forbids pings, else `PingIntervalSecs`
/// when set, else `PingInterval`) in its session file or registry key, or
/// `"default"` when the session sets none.
pub(crate) fn putty_origin_json(k: &putty::Keepalive) -> Json {
    let Some(s) = k.suppressed.as_ref().or(k.from.last()) else {
        return json!("default");
    };
    match &k.location {
        Location::File(path) => json!({
            "file": path.display().to_string(),
            "line": s.line,
            "putty_session": k.session,
            "key": s.name,
        }),
        Location::Key(key) => json!({
            "registry": key,
            "value": s.name,
            "putty_session": k.session,
        }),
    }
}

/// The outcome as JSON (see docs/json.md).
pub fn json(o: &Outcome) -> Json {
    let objects = o.estimate.as_ref().map(|e| {
        json!({
            "count": e.objects.value(),
            "exact": e.objects.is_exact(),
            "upper_bound": e.upper_bound,
            "bytes": e.bytes.map(|b| b.value),
            "bytes_human": e.bytes.map(|b| b.to_string()),
            "bytes_quality": e.bytes.map(|b| b.quality().as_str()),
            "bytes_exact": e.bytes.map(|b| b.exact),
            "missing": e.missing,
            "assumes": e.assumes.iter().map(|a| json!({
                "remote": a.remote,
                "kind": a.kind.as_str(),
                "ref": a.local_ref,
                "remote_ref": a.remote_ref,
                "oid": a.oid,
                "updated": a.updated,
            })).collect::<Vec<_>>(),
            "without_tags": e.without_tags.map(|c| json!({"count": c.value(), "exact": c.is_exact()})),
            "notes": e.notes,
        })
    });
    let ssh = o.ssh.as_ref().map(|s| {
        let eff = |k: &str| s.effective.as_ref().and_then(|e| e.get(k)).map(|v| v.value.clone());
        json!({
            "host": s.host,
            "hostname": eff("hostname"),
            "user": eff("user"),
            "port": eff("port").and_then(|p| p.parse::<u64>().ok()),
            "command": s.invocation.command,
            "argv": s.invocation.push_argv(),
            "variant": format!("{:?}", s.invocation.variant).to_ascii_lowercase(),
            "resolver": s.resolver,
            "version": s.version,
            "serveraliveinterval": interval_of(s),
            "serveraliveinterval_origin": match putty_session(s) {
                Some(k) => Some(putty_origin_json(k)),
                None => s.interval_origin.as_ref().map(origin_json),
            },
            "putty_tool": s.putty.as_ref().map(|p| p.tool.id()),
            "putty_session": putty_session(s).map(|k| k.to_string()),
            "serveralivecountmax": eff("serveralivecountmax").and_then(|v| v.parse::<u64>().ok()),
            "tcpkeepalive": eff("tcpkeepalive").map(|v| v == "yes"),
            "unknown_reason": match &s.keepalive { Keepalive::Unknown(w) => Some(w.clone()), _ => None },
            "shadowed": s.shadowed.iter().map(origin_json).collect::<Vec<_>>(),
            "notes": s.notes,
            "skipped": Json::Null,
        })
    });
    let ssh = match (ssh, &o.ssh_skipped) {
        (Some(s), _) => s,
        (None, Some(why)) => {
            json!({"host": Json::Null, "serveraliveinterval": Json::Null, "skipped": why})
        }
        (None, None) => Json::Null,
    };
    let fix = o.fix().map(|s| {
        json!({
            "command": s.command,
            "ssh_config": s.ssh_config,
            "one_off": s.one_off,
            "blocked_by": s.blocker.as_ref().map(origin_json),
        })
    });
    json!({
        "verdict": o.decision.verdict,
        "remote": o.plan.remote,
        "url": o.plan.url,
        "refs_from": match o.plan.source {
            Source::Git => "git",
            Source::PreCommit => "pre-commit",
        },
        "transport": o.transport,
        "objects": objects,
        "ssh": ssh,
        "idle_timeout": o.settings.idle_timeout,
        "reasons": o.decision.reasons,
        "fix": fix,
    })
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

#[cfg(test)]
mod snapshots {
    use super::*;
    use crate::check::{Outcome, SshFacts};
    use crate::estimate::{Bytes, Estimate};
    use crate::git::{SshInvocation, SshSource, Variant};
    use crate::plan::{PushPlan, RefUpdate};
    use crate::policy::{Facts, Settings, decide};
    use crate::ssh::{Effective, Origin};

    fn outcome(objects: Count, keepalive: Keepalive, origin: Option<Origin>) -> Outcome {
        let settings = Settings::default();
        let est = Estimate {
            objects,
            upper_bound: Some(186_700),
            bytes: Some(Bytes {
                value: 72_300_000,
                at_least: !objects.is_exact(),
                exact: 0,
            }),
            notes: vec![],
            commit_graph: true,
            walk_time: None,
            assumes: vec![],
            without_tags: None,
            missing: 0,
        };
        let decision = decide(
            &settings,
            &Facts::Ssh {
                objects,
                bytes: est.bytes.map(|b| b.value),
                keepalive: Some(keepalive.clone()),
            },
        );
        let effective = Effective::from_dump(
            "hostname bitbucket.example.com\nuser git\nport 7999\nserveraliveinterval 0\nserveralivecountmax 3\ntcpkeepalive yes\n",
        );
        Outcome {
            plan: PushPlan {
                remote: "origin".into(),
                url: "ssh://git@bitbucket.example.com:7999/proj/repo.git".into(),
                updates: vec![RefUpdate {
                    local_ref: "refs/heads/main".into(),
                    local_oid: Some("1".repeat(40)),
                    remote_ref: "refs/heads/main".into(),
                    remote_oid: None,
                }],
                source: Default::default(),
            },
            settings,
            transport: Some("ssh".into()),
            estimate: Some(est),
            ssh: Some(SshFacts {
                invocation: SshInvocation {
                    command: "ssh".into(),
                    use_shell: false,
                    source: SshSource::Default,
                    variant: Variant::OpenSsh,
                    options: vec!["-p".into(), "7999".into()],
                    port: Some("7999".into()),
                    family: crate::git::IpFamily::Any,
                    protocol_v1: false,
                    host_arg: "git@bitbucket.example.com".into(),
                    remote_command: "git-receive-pack 'proj/repo.git'".into(),
                },
                host: "bitbucket.example.com".into(),
                effective: Some(effective),
                resolver: Some("ssh -G"),
                keepalive,
                interval_origin: origin,
                shadowed: vec![],
                notes: vec![],
                version: Some("OpenSSH_9.2p1 Debian-2+deb12u10".into()),
                putty: None,
            }),
            ssh_skipped: None,
            decision,
        }
    }

    #[test]
    fn blocked_message() {
        let o = outcome(
            Count::AtLeast(20_000),
            Keepalive::Interval(0),
            Some(Origin::Default),
        );
        insta::assert_snapshot!(hook_text(&o));
    }

    #[test]
    fn blocked_by_an_earlier_line() {
        let o = outcome(
            Count::AtLeast(20_000),
            Keepalive::Interval(0),
            Some(Origin::File {
                path: "/home/dev/.ssh/config".into(),
                line: 2,
            }),
        );
        insta::assert_snapshot!(hook_text(&o));
    }

    #[test]
    fn blocked_for_a_count_max_of_zero() {
        let o = outcome(
            Count::AtLeast(20_000),
            crate::policy::keepalive_of(30, 0),
            Some(Origin::File {
                path: "/home/dev/.ssh/config".into(),
                line: 2,
            }),
        );
        insta::assert_snapshot!(hook_text(&o));
    }

    /// `o` as a push through plink (`GIT_SSH=plink`) that found `session`.
    fn through_plink(mut o: Outcome, session: Option<putty::Keepalive>) -> Outcome {
        if let Some(ssh) = o.ssh.as_mut() {
            ssh.invocation.variant = Variant::Plink;
            ssh.invocation.command = "plink".into();
            ssh.invocation.source = crate::git::SshSource::GitSsh;
            ssh.invocation.options = vec!["-P".into(), "7999".into()];
            ssh.effective = None;
            ssh.resolver = None;
            ssh.interval_origin = None;
            ssh.putty = Some(putty::Found {
                tool: putty::Tool::Plink,
                session,
            });
        }
        o
    }

    fn default_settings(secs: i64) -> putty::Keepalive {
        putty::Keepalive {
            interval: secs as u64,
            session: putty::DEFAULT_SESSION.into(),
            location: Location::File("/home/dev/.putty/sessions/Default%20Settings".into()),
            exists: true,
            from: vec![putty::Setting {
                name: "PingIntervalSecs",
                raw: secs.to_string(),
                value: secs,
                line: Some(4),
            }],
            suppressed: None,
        }
    }

    #[test]
    fn warned_cannot_tell() {
        let why = "cannot read PuTTY session file /home/dev/.putty/sessions/Default%20Settings: Permission denied (os error 13)";
        let o = outcome(Count::Exact(7_412), Keepalive::Unknown(why.into()), None);
        insta::assert_snapshot!(hook_text(&through_plink(o, None)));
    }

    #[test]
    fn blocked_for_a_putty_session() {
        let o = outcome(Count::AtLeast(20_000), Keepalive::Ping(0), None);
        let o = through_plink(o, Some(default_settings(0)));
        insta::assert_snapshot!(hook_text(&o));
        let v = json(&o);
        assert_eq!(v["ssh"]["serveraliveinterval"], 0);
        assert_eq!(
            v["ssh"]["serveraliveinterval_origin"],
            json!({
                "file": "/home/dev/.putty/sessions/Default%20Settings",
                "line": 4,
                "putty_session": "Default Settings",
                "key": "PingIntervalSecs",
            })
        );
        assert_eq!(v["ssh"]["putty_tool"], "plink");
        assert_eq!(
            v["ssh"]["putty_session"],
            "PuTTY session \"Default Settings\" (/home/dev/.putty/sessions/Default%20Settings): PingIntervalSecs=0 at line 4"
        );
        assert_eq!(v["fix"]["command"], "pushguard fix origin");
        assert_eq!(
            (&v["fix"]["one_off"], &v["fix"]["ssh_config"]),
            (&Json::Null, &Json::Null)
        );
        let text = check_text(&o);
        assert!(
            text.contains("keepalive  plink sends no keepalive (ping interval 0), from PuTTY session \"Default Settings\""),
            "{text}"
        );
    }

    #[test]
    fn a_putty_session_that_forbids_pings() {
        let mut k = default_settings(30);
        k.suppressed = Some(putty::Setting {
            name: "BugIgnore2",
            raw: "2".into(),
            value: 2,
            line: Some(9),
        });
        let o = outcome(Count::AtLeast(20_000), Keepalive::Ping(k.pings()), None);
        let o = through_plink(o, Some(k));
        let text = hook_text(&o);
        assert!(text.contains("BugIgnore2=2 at line 9 (\"Chokes on SSH-2 ignore messages\" forced on): PuTTY sends no keepalive"), "{text}");
        assert!(
            text.contains("Fix: PuTTY's keepalives are SSH-2 ignore messages"),
            "{text}"
        );
        assert_eq!(
            json(&o)["ssh"]["serveraliveinterval_origin"]["key"],
            "BugIgnore2"
        );
    }

    #[test]
    fn a_putty_session_in_the_registry_is_an_origin() {
        let k = putty::Keepalive {
            location: Location::Key(putty::session_key("git.example.com")),
            session: "git.example.com".into(),
            from: vec![putty::Setting {
                name: "PingIntervalSecs",
                raw: "0x1e".into(),
                value: 30,
                line: None,
            }],
            ..default_settings(30)
        };
        assert_eq!(
            putty_origin_json(&k),
            json!({
                "registry": r"HKCU\Software\SimonTatham\PuTTY\Sessions\git.example.com",
                "value": "PingIntervalSecs",
                "putty_session": "git.example.com",
            })
        );
        let none = putty::Keepalive {
            from: vec![],
            exists: false,
            ..default_settings(0)
        };
        assert_eq!(putty_origin_json(&none), json!("default"));
    }

    #[test]
    fn warned_for_an_unconfirmed_tag() {
        let mut o = outcome(
            Count::Exact(5),
            Keepalive::Interval(0),
            Some(Origin::Default),
        );
        let unconfirmed = crate::policy::Unconfirmed {
            objects: Count::AtLeast(20_000),
            what: "origin still has tag v1.0".into(),
        };
        if let Some(e) = o.estimate.as_mut() {
            e.bytes = None;
            e.without_tags = Some(unconfirmed.objects);
            e.assumes = vec![crate::estimate::Assumption {
                remote: "origin".into(),
                kind: RefKind::Tag,
                local_ref: "refs/tags/v1.0".into(),
                remote_ref: "refs/tags/v1.0".into(),
                oid: "2".repeat(40),
                updated: None,
            }];
        }
        let facts = Facts::Ssh {
            objects: Count::Exact(5),
            bytes: None,
            keepalive: Some(Keepalive::Interval(0)),
        };
        o.decision = crate::policy::decide_unconfirmed(&o.settings, &facts, Some(&unconfirmed));
        assert_eq!(o.decision.verdict, Verdict::Warn);
        insta::assert_snapshot!(hook_text(&o));
    }

    #[test]
    fn the_dry_run_of_several_push_urls_shows_each_and_the_worst() {
        let block = outcome(Count::AtLeast(20_000), Keepalive::Interval(0), None);
        let mut skip = block.clone();
        skip.plan.url = "/srv/mirror.git".into();
        skip.decision = decide(&skip.settings, &Facts::NotSsh("file".into()));
        let all = [skip.clone(), block.clone()];
        assert_eq!(
            worst(&all).map(|o| o.plan.url.as_str()),
            Some(block.plan.url.as_str())
        );
        let v = json_all(&all);
        assert_eq!(v["verdict"], "block");
        assert_eq!(v["url"], block.plan.url.as_str());
        let urls: Vec<&str> = v["urls"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|u| u["verdict"].as_str().unwrap_or_default())
            .collect();
        assert_eq!(urls, ["skip", "block"]);
        let t = check_text_all(&all);
        assert!(
            t.starts_with("verdict    block (the worst of 2 push URLs)\n"),
            "{t}"
        );
        assert!(
            t.contains("push URL 1 of 2: /srv/mirror.git\nverdict    skip\n"),
            "{t}"
        );
        // One URL reads as before.
        assert_eq!(check_text_all(&all[1..]), check_text(&block));
        assert_eq!(json_all(&all[1..])["urls"][0], json(&block));
    }

    #[test]
    fn ok_is_silent_in_the_hook() {
        let o = outcome(Count::Exact(12), Keepalive::Interval(0), None);
        assert_eq!(hook_text(&o), "");
    }
}
