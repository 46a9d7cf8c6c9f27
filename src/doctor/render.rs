//! Doctor's report as text for people and JSON for scripts (docs/doctor.md).

use serde_json::{Value as Json, json};

use super::{Doctor, PushUrl, Severity, describe};
use crate::policy::Keepalive;
use crate::ssh::Origin;

fn origin_text(o: Option<&Origin>) -> String {
    match o {
        Some(Origin::Default) => "ssh's default (not set anywhere)".into(),
        Some(Origin::CommandLine) => "the ssh command line".into(),
        Some(Origin::File { path, line }) => format!("{}:{line}", path.display()),
        Some(Origin::Unknown) | None => "origin unknown".into(),
    }
}

fn origin_json(o: Option<&Origin>) -> Json {
    match o {
        Some(Origin::File { path, line }) => {
            json!({"file": path.display().to_string(), "line": line})
        }
        Some(Origin::CommandLine) => json!("command line"),
        Some(Origin::Default) => json!("default"),
        Some(Origin::Unknown) | None => Json::Null,
    }
}

fn variant(v: crate::git::Variant) -> String {
    format!("{v:?}").to_ascii_lowercase()
}

/// Where git took the ssh command from, as the user would name it.
fn source(s: crate::git::SshSource) -> &'static str {
    use crate::git::SshSource;
    match s {
        SshSource::GitSshCommand => "GIT_SSH_COMMAND",
        SshSource::CoreSshCommand => "core.sshCommand",
        SshSource::GitSsh => "GIT_SSH",
        SshSource::Default => "default",
    }
}

impl Doctor {
    /// The report for people.
    pub fn text(&self) -> String {
        let mut t = format!("pushguard doctor: {}\n", self.repository.display());
        let hooks_support = match self.view.config_hooks {
            true => "runs hooks defined in config",
            false => "does not run hooks defined in config (needs 2.54)",
        };
        t.push_str(&format!(
            "git        {} ({hooks_support})\n",
            self.view.git_version
        ));
        t.push_str(&format!(
            "hooks dir  {}{}\n",
            self.view.hooks_dir.display(),
            self.view
                .hooks_path
                .as_ref()
                .map_or(String::new(), |h| format!(" ({h})"))
        ));
        t.push_str("\nOn push, git runs:\n");
        if self.view.hooks.is_empty() {
            t.push_str("  nothing\n");
        }
        for (i, h) in self.view.hooks.iter().enumerate() {
            let manager = h.manager.unwrap_or("a script pushguard does not know");
            let kind = match h.kind {
                "config" => "config hook",
                "hookdir" => "hooks directory",
                "chained" => "run first by the next one",
                _ => "the repository's own hook, run by the next one",
            };
            t.push_str(&format!(
                "  {}. {} [{kind}] — {manager}\n",
                i + 1,
                describe(h)
            ));
            if let Some(c) = &h.command {
                t.push_str(&format!("     command   {c}\n"));
            }
            if let Some(o) = &h.origin {
                t.push_str(&format!("     set in    {o}\n"));
            }
            if !h.enabled {
                t.push_str("     disabled  (hook.<name>.enabled=false)\n");
            }
            let runs = match h.runs_pushguard {
                Some(true) => "yes",
                Some(false) => "no",
                None => "cannot tell",
            };
            let how = h.how.as_ref().map_or(String::new(), |w| format!(": {w}"));
            t.push_str(&format!("     pushguard {runs}{how}\n"));
            if let Some(b) = &h.binary {
                t.push_str(&format!("     binary    {}\n", b.display()));
            }
        }
        t.push_str(&format!(
            "pushguard  {}\n",
            match self.pushguard_runs {
                0 => "does not run on push".to_string(),
                1 => "runs on push".to_string(),
                n => format!("runs {n} times on push"),
            }
        ));
        for u in &self.urls {
            t.push_str(&url_text(u));
        }
        t.push_str(&format!(
            "\ncommit-graph {}\n",
            if self.commit_graph {
                "present"
            } else {
                "missing"
            }
        ));
        if self.problems.is_empty() {
            t.push_str("\nNo problems: pushguard runs and every ssh push URL has an effective keepalive.\n");
        } else {
            t.push_str("\nProblems:\n");
            for p in &self.problems {
                let mark = match p.severity {
                    Severity::Error => "error ",
                    Severity::Advice => "advice",
                };
                t.push_str(&format!("  {mark} {}\n", p.what));
                for (i, line) in p.fix.lines().enumerate() {
                    let lead = if i == 0 { "fix:" } else { "    " };
                    t.push_str(&format!("         {lead} {line}\n"));
                }
            }
        }
        t
    }

    /// The report for scripts (docs/doctor.md).
    pub fn to_json(&self) -> Json {
        json!({
            "healthy": self.healthy(),
            "repository": self.repository.display().to_string(),
            "git": {
                "version": self.view.git_version,
                "config_hooks": self.view.config_hooks,
                "hooks_dir": self.view.hooks_dir.display().to_string(),
                "hooks_path": self.view.hooks_path,
            },
            "hooks": self.view.hooks,
            "pushguard_runs": self.pushguard_runs,
            "remotes": self.urls.iter().map(url_json).collect::<Vec<_>>(),
            "commit_graph": self.commit_graph,
            "problems": self.problems,
        })
    }
}

fn url_text(u: &PushUrl) -> String {
    let mut t = format!("\nRemote {}  {}\n", u.remote, u.url);
    match &u.ssh {
        None => t.push_str(&format!(
            "  transport  {} (no keepalive needed)\n",
            if u.transport.is_empty() {
                "unknown"
            } else {
                &u.transport
            }
        )),
        Some(s) => {
            t.push_str(&format!(
                "  ssh        {} (variant {}, from {})\n",
                s.invocation.command,
                variant(s.invocation.variant),
                source(s.invocation.source)
            ));
            t.push_str(&format!(
                "  argv       {}\n",
                s.invocation.push_argv().join(" ")
            ));
            let keepalive = match &s.keepalive {
                Keepalive::Interval(i) => format!(
                    "ServerAliveInterval {i}, from {}",
                    origin_text(s.interval_origin.as_ref())
                ),
                Keepalive::GivesUp(i) => format!(
                    "ServerAliveInterval {i} with ServerAliveCountMax 0 (ssh gives up after {i} s of silence), from {}",
                    origin_text(s.interval_origin.as_ref())
                ),
                Keepalive::Ping(i) => {
                    let from = s
                        .putty
                        .as_ref()
                        .and_then(|p| p.session.as_ref())
                        .map_or_else(|| "origin unknown".to_string(), |k| k.to_string());
                    format!("ping interval {i} (PuTTY), from {from}")
                }
                Keepalive::Unknown(why) => format!("cannot tell: {why}"),
            };
            let verdict = match u.effective {
                Some(true) => "effective",
                _ => "NOT effective",
            };
            t.push_str(&format!(
                "  keepalive  {keepalive} — {verdict} (idle timeout {} s)\n",
                u.idle_timeout
            ));
            for n in &s.notes {
                t.push_str(&format!("  note       {n}\n"));
            }
        }
    }
    for s in &u.settings {
        let from = match (&s.set_by, &s.origin) {
            (Some(k), Some(o)) => format!("{k}, {o}"),
            (Some(k), None) => k.clone(),
            _ => "default".into(),
        };
        t.push_str(&format!("  setting    {} = {} ({from})\n", s.key, s.value));
    }
    t
}

fn url_json(u: &PushUrl) -> Json {
    let settings: serde_json::Map<String, Json> = u
        .settings
        .iter()
        .map(|s| {
            (
                s.key.to_string(),
                json!({"value": s.value, "key": s.set_by, "origin": s.origin}),
            )
        })
        .collect();
    let ssh = u.ssh.as_ref().map(|s| {
        let session = s.putty.as_ref().and_then(|p| p.session.as_ref());
        json!({
            "program": s.invocation.command,
            "variant": variant(s.invocation.variant),
            "source": source(s.invocation.source),
            "argv": s.invocation.push_argv(),
            "host": s.host,
            "resolver": s.resolver,
            "serveraliveinterval": match s.keepalive { Keepalive::Interval(i) | Keepalive::GivesUp(i) | Keepalive::Ping(i) => Some(i), Keepalive::Unknown(_) => None },
            "serveraliveinterval_origin": match session {
                Some(k) => crate::report::putty_origin_json(k),
                None => origin_json(s.interval_origin.as_ref()),
            },
            "putty_tool": s.putty.as_ref().map(|p| p.tool.id()),
            "putty_session": session.map(|k| k.to_string()),
            "unknown_reason": match &s.keepalive { Keepalive::Unknown(w) => Some(w.clone()), _ => None },
            "notes": s.notes,
        })
    });
    json!({
        "remote": u.remote,
        "url": u.url,
        "transport": u.transport,
        "ssh": ssh,
        "keepalive_effective": u.effective,
        "idle_timeout": u.idle_timeout,
        "settings": settings,
    })
}
