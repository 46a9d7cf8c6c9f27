//! The outcome as JSON for scripts (see docs/json.md), and the origins of
//! values as JSON (also for `doctor` and `fix`).

use serde_json::{Value as Json, json};

use crate::check::{Outcome, SshFacts};
use crate::plan::Source;
use crate::policy::Keepalive;
use crate::putty::{self, Location};
use crate::ssh::Origin;

use super::{putty_session, worst};

/// `ServerAliveInterval`, when known.
fn interval_of(ssh: &SshFacts) -> Option<u64> {
    match ssh.keepalive {
        Keepalive::Interval(i) | Keepalive::GivesUp(i) | Keepalive::Ping(i) => Some(i),
        Keepalive::Unknown(_) => None,
    }
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
