//! Renders an outcome as text for people or JSON for scripts. Computes
//! nothing: every fact comes from `check::Outcome`, and what is wrong with
//! the push from policy's decision (`Decision::risk`).
//!
//! - `text`: the hook's message and the dry run's report.
//! - `json`: the `--format json` output and origins as JSON.

use crate::check::{Outcome, SshFacts};
use crate::putty;

mod json;
mod text;

pub use json::{json, json_all};
pub(crate) use json::{origin_json, putty_origin_json};
pub use text::{check_text, check_text_all, hook_text, thousands};

/// The session a PuTTY tool loads, when it was read.
fn putty_session(ssh: &SshFacts) -> Option<&putty::Keepalive> {
    ssh.putty.as_ref().and_then(|p| p.session.as_ref())
}

/// The outcome judged worst (the first of equals): the push URL that
/// decides the dry run's verdict.
pub fn worst(all: &[Outcome]) -> Option<&Outcome> {
    all.iter().rev().max_by_key(|o| o.decision.verdict)
}

#[cfg(test)]
mod snapshots {
    use serde_json::{Value as Json, json};

    use super::*;
    use crate::check::{Outcome, SshFacts};
    use crate::estimate::{Bytes, Count, Estimate, RefKind};
    use crate::git::{SshInvocation, SshSource, Variant};
    use crate::plan::{PushPlan, RefUpdate};
    use crate::policy::{Facts, Keepalive, Settings, Verdict, decide};
    use crate::putty::Location;
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
