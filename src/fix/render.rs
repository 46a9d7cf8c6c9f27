//! `pushguard fix`'s output: the plan and what became of it, as text for
//! people or JSON for scripts (docs/fix.md). Renders a [`Report`]; decides nothing.

use serde_json::{Value as Json, json};

use super::{Change, Report, Status};
use crate::report::origin_json;
use crate::ssh::Origin;

fn origin_text(o: Option<&Origin>) -> String {
    match o {
        Some(Origin::File { .. }) => {
            format!("from {}", o.map(ToString::to_string).unwrap_or_default())
        }
        Some(Origin::CommandLine) => "from the ssh command line".into(),
        Some(Origin::Default) => "ssh's default (not set anywhere)".into(),
        Some(Origin::Unknown) | None => "pushguard cannot tell where this value comes from".into(),
    }
}

fn value(v: Option<u64>) -> String {
    v.map_or_else(|| "(unknown)".into(), |v| v.to_string())
}

fn push(t: &mut String, label: &str, text: &str) {
    for (i, line) in text.lines().enumerate() {
        let head = if i == 0 { label } else { "" };
        t.push_str(&format!("{head:<11}{line}\n"));
    }
}

/// The report as text.
pub fn text(r: &Report) -> String {
    let mut t = String::new();
    let what = match (&r.remote, &r.url) {
        (Some(remote), Some(url)) => format!("{remote} ({url})"),
        (None, Some(url)) => url.clone(),
        _ => r.host.clone(),
    };
    t.push_str(&format!("pushguard fix: {what}\n"));
    push(&mut t, "host", &r.host);
    push(&mut t, "ssh", &r.command);
    let b = &r.before;
    match &b.putty {
        Some(session) => push(
            &mut t,
            "keepalive",
            &format!("every {} s, {session}", value(b.interval)),
        ),
        None => {
            push(
                &mut t,
                "keepalive",
                &format!(
                    "ServerAliveInterval {}, {}",
                    value(b.interval),
                    origin_text(b.interval_origin.as_ref())
                ),
            );
            push(
                &mut t,
                "",
                &format!(
                    "ServerAliveCountMax {}, {}",
                    value(b.count_max),
                    origin_text(b.count_origin.as_ref())
                ),
            );
        }
    }
    for w in &r.why {
        push(&mut t, "why", w);
    }
    if let Some(c) = &r.change {
        push(&mut t, "change", &change_text(c));
    }
    for n in &r.notes {
        push(&mut t, "note", n);
    }
    if let Some(b) = &r.backup {
        push(&mut t, "backup", &b.display().to_string());
    }
    if let Some(p) = &r.proof {
        let mut s = format!(
            "ssh -G says ServerAliveInterval {}, ServerAliveCountMax {}",
            value(p.interval),
            value(p.count_max)
        );
        if let Some(o) = &p.origin {
            s.push_str(&format!(" ({})", origin_text(Some(o))));
        }
        if !p.unchanged.is_empty() {
            s.push_str(&format!(
                "\n{} other host(s) unchanged: {}",
                p.unchanged.len(),
                p.unchanged.join(", ")
            ));
        }
        for (h, lines) in &p.also {
            s.push_str(&format!(
                "\nalso changed, as asked: {h} ({})",
                lines.join(", ")
            ));
        }
        if let Some(f) = &p.failure {
            s.push_str(&format!("\nfailed: {f}"));
        }
        push(&mut t, "proof", &s);
    }
    let status = match (r.status, r.outcome.as_str()) {
        (Status::Planned, _) => format!(
            "planned: nothing written; to make the change: pushguard fix {} --apply",
            r.subject
        ),
        (s, "") => s.as_str().to_string(),
        (s, why) => format!("{}: {why}", s.as_str()),
    };
    push(&mut t, "status", &status);
    t
}

fn change_text(c: &Change) -> String {
    match c {
        Change::SshConfig { diff, .. } | Change::PuttyFile { diff, .. } => diff.clone(),
        Change::GitConfig {
            scope,
            file,
            old,
            new,
            argv,
        } => {
            let cmd: Vec<String> = argv.iter().map(|a| crate::process::sh_quote(a)).collect();
            format!(
                "core.sshCommand in {} ({scope} scope)\n  was: {}\n  now: {new}\n  by:  {}",
                file.display(),
                old.as_deref().unwrap_or("(not set)"),
                cmd.join(" ")
            )
        }
        Change::Environment { variable, value } if variable == "GIT_SSH_COMMAND" => format!(
            "in the shell that sets it (pushguard cannot):\n  export GIT_SSH_COMMAND={}",
            crate::process::sh_quote(value)
        ),
        Change::Environment { variable, value } => {
            format!("{variable} = {}", crate::process::sh_quote(value))
        }
        Change::PuttyRegistry { commands } => {
            let mut s = "PuTTY's registry (PowerShell, then Git Bash):".to_string();
            for (_, ps, bash) in commands {
                if let Some(ps) = ps {
                    s.push_str(&format!("\n  {ps}"));
                }
                s.push_str(&format!("\n  {bash}"));
            }
            s
        }
    }
}

/// The report as JSON (see docs/fix.md).
pub fn json(r: &Report) -> Json {
    let b = &r.before;
    let o = |x: &Option<Origin>| x.as_ref().map_or(Json::Null, origin_json);
    let c = r.change.as_ref();
    let file = c.and_then(|c| match c {
        Change::SshConfig { file, .. }
        | Change::PuttyFile { file, .. }
        | Change::GitConfig { file, .. } => Some(file.display().to_string()),
        _ => None,
    });
    let diff = c.and_then(|c| match c {
        Change::SshConfig { diff, .. } | Change::PuttyFile { diff, .. } => Some(diff.clone()),
        _ => None,
    });
    let git_config = c.and_then(|c| match c {
        Change::GitConfig {
            scope,
            file,
            old,
            new,
            argv,
        } => Some(json!({"scope": scope, "file": file.display().to_string(), "key": "core.sshCommand", "old": old, "new": new, "argv": argv})),
        _ => None,
    });
    let environment = c.and_then(|c| match c {
        Change::Environment { variable, value } => {
            Some(json!({"variable": variable, "value": value}))
        }
        _ => None,
    });
    let registry = c.and_then(|c| match c {
        Change::PuttyRegistry { commands } => Some(
            commands
                .iter()
                .map(|(argv, ps, bash)| json!({"argv": argv, "powershell": ps, "git_bash": bash}))
                .collect::<Vec<_>>(),
        ),
        _ => None,
    });
    let proof = r.proof.as_ref().map(|p| {
        json!({
            "ok": p.ok,
            "serveraliveinterval": p.interval,
            "serveralivecountmax": p.count_max,
            "origin": o(&p.origin),
            "unchanged": p.unchanged,
            "also_changed": p.also.iter().map(|(h, l)| json!({"host": h, "lines": l})).collect::<Vec<_>>(),
            "failure": p.failure,
        })
    });
    json!({
        "subject": r.subject,
        "remote": r.remote,
        "url": r.url,
        "host": r.host,
        "command": r.command,
        "variant": format!("{:?}", r.variant).to_ascii_lowercase(),
        "status": r.status.as_str(),
        "outcome": r.outcome,
        "applied": r.status == Status::Applied,
        "interval": r.interval,
        "countmax": r.count_max,
        "before": {
            "serveraliveinterval": b.interval,
            "serveraliveinterval_origin": o(&b.interval_origin),
            "serveralivecountmax": b.count_max,
            "serveralivecountmax_origin": o(&b.count_origin),
            "putty_session": b.putty,
        },
        "target": c.map(Change::target),
        "file": file,
        "diff": diff,
        "git_config": git_config,
        "environment": environment,
        "registry": registry,
        "why": r.why,
        "notes": r.notes,
        "backup": r.backup.as_ref().map(|p| p.display().to_string()),
        "proof": proof,
        "apply": (r.status == Status::Planned).then(|| format!("pushguard fix {} --apply", r.subject)),
    })
}
