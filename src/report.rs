//! Renders an outcome as text for people or JSON for scripts. Computes
//! nothing: every fact comes from `check::Outcome`, and what is wrong with
//! the push from policy's decision (`Decision::risk`).

use serde_json::{Value as Json, json};

use crate::check::{Outcome, SshFacts};
use crate::estimate::Count;
use crate::plan::Source;
use crate::policy::{Keepalive, Risk, Verdict};
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
        Origin::Unknown => "ssh -G (origin unknown)".into(),
        Origin::File { .. } => o.to_string(),
    }
}

fn keepalive_text(ssh: &SshFacts) -> String {
    match &ssh.keepalive {
        Keepalive::Interval(i) => {
            let what = if *i == 0 {
                "ServerAliveInterval 0 (off)".to_string()
            } else {
                format!("ServerAliveInterval {i} s")
            };
            match &ssh.interval_origin {
                Some(o) => format!("{what}, from {}", origin_text(o)),
                None => format!("{what}; pushguard cannot tell where this value comes from"),
            }
        }
        Keepalive::Unknown(why) => format!("cannot tell: {why}"),
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
    let why = match o.decision.risk {
        Some(Risk::NoKeepalive) => "ssh sends no keepalive".to_string(),
        Some(Risk::TooSlow {
            interval,
            idle_timeout,
        }) => format!(
            "ssh's keepalive (every {interval} s) is not below the server's idle timeout ({idle_timeout} s)"
        ),
        Some(Risk::CannotTell) | None => {
            "pushguard cannot tell whether ssh sends keepalives".to_string()
        }
        Some(Risk::SizeUnknown) => String::new(),
    };
    match o.decision.risk {
        Some(Risk::SizeUnknown) => t.push_str(&format!(
            "{head}: pushguard ran out of time (pushguard.timeBudget) before it could tell whether this push is large, and ssh's keepalive is not known to be effective.\n"
        )),
        _ => t.push_str(&format!(
            "{head}: this push is large and {why}, so the server may cut it off.\n"
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
    if let Some(ssh) = &o.ssh {
        line(&mut t, "  keepalive  ", keepalive_text(ssh));
        for n in &ssh.notes {
            line(&mut t, "  note       ", n);
        }
    }
    t.push_str(&format!(
        "Why: the server ends an SSH session after {} s without traffic (pushguard.idleTimeout).\n     While it stores a large push the session is silent, and the push dies with\n     \"fatal: The remote end hung up unexpectedly\".\n",
        o.settings.idle_timeout
    ));
    if let Some(s) = o.fix().filter(|s| s.putty) {
        t.push_str(&format!(
            "Fix: {}   (sets \"Seconds between keepalives\" to {} in the PuTTY session; --apply makes it)\n     PuTTY tools do not read ~/.ssh/config, and the hook does not read PuTTY sessions,\n     so it only warns here, never blocks.\n",
            s.command, s.interval
        ));
    } else if let Some(s) = o.fix() {
        t.push_str(&format!(
            "Fix: {}   (shows the change that makes the keepalive effective; --apply makes it)\n",
            s.command
        ));
        t.push_str("     or, for this push only:\n");
        t.push_str(&format!("         {}\n", s.one_off));
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

/// An origin as JSON: `{"file", "line"}`, `"command line"`, `"default"` or `null`.
pub(crate) fn origin_json(o: &Origin) -> Json {
    match o {
        Origin::File { path, line } => json!({"file": path.display().to_string(), "line": line}),
        Origin::CommandLine => json!("command line"),
        Origin::Default => json!("default"),
        Origin::Unknown => Json::Null,
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
            "serveraliveinterval": match s.keepalive { Keepalive::Interval(i) => Some(i), Keepalive::Unknown(_) => None },
            "serveraliveinterval_origin": s.interval_origin.as_ref().map(origin_json),
            "serveralivecountmax": eff("serveralivecountmax").and_then(|v| v.parse::<u64>().ok()),
            "tcpkeepalive": eff("tcpkeepalive").map(|v| v == "yes"),
            "unknown_reason": match &s.keepalive { Keepalive::Unknown(w) => Some(w.clone()), Keepalive::Interval(_) => None },
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
            }),
            notes: vec![],
            commit_graph: true,
            walk_time: None,
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
    fn warned_cannot_tell() {
        let o = outcome(
            Count::Exact(7_412),
            Keepalive::Unknown("PuTTY tools do not read ~/.ssh/config".into()),
            None,
        );
        let mut o = o;
        if let Some(ssh) = o.ssh.as_mut() {
            ssh.invocation.variant = Variant::Plink;
            ssh.invocation.command = "plink".into();
            ssh.effective = None;
        }
        insta::assert_snapshot!(hook_text(&o));
    }

    #[test]
    fn ok_is_silent_in_the_hook() {
        let o = outcome(Count::Exact(12), Keepalive::Interval(0), None);
        assert_eq!(hook_text(&o), "");
    }
}
