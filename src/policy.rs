//! Settings (git config `pushguard.*` and the environment) and the verdict.
//! Pure: no I/O; every fact arrives as an argument.

use crate::estimate::Count;
use crate::git::GitConfig;

/// Bypass one push: `PUSHGUARD_SKIP=1 git push`.
pub const ENV_SKIP: &str = "PUSHGUARD_SKIP";

/// How pushguard is configured for this repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// `pushguard.enabled` (default true).
    pub enabled: bool,
    /// `pushguard.strict` (default false): internal errors block the push.
    pub strict: bool,
    /// `pushguard.warnObjects` (default 5,000).
    pub warn_objects: u64,
    /// `pushguard.blockObjects` (default 20,000).
    pub block_objects: u64,
    /// `pushguard.warnBytes` (default 100 MiB).
    pub warn_bytes: u64,
    /// `pushguard.blockBytes` (default 500 MiB).
    pub block_bytes: u64,
    /// `pushguard.idleTimeout` in seconds (default 600, Bitbucket Server's).
    pub idle_timeout: u64,
    /// `pushguard.resolver`: `ssh` (real `ssh -G`, builtin for origins) or `builtin`.
    pub resolver: ResolverChoice,
    /// Set when `PUSHGUARD_SKIP` asks to bypass this push.
    pub skip: bool,
}

/// Which resolver decides the effective ssh options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResolverChoice {
    /// The real `ssh -G` decides; the builtin resolver adds origins.
    Ssh,
    /// Only the builtin resolver (no ssh process).
    Builtin,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            enabled: true,
            strict: false,
            warn_objects: 5_000,
            block_objects: 20_000,
            warn_bytes: 100 << 20,
            block_bytes: 500 << 20,
            idle_timeout: 600,
            resolver: ResolverChoice::Ssh,
            skip: false,
        }
    }
}

/// A `pushguard.*` value that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad config value {value:?} for {key}: {reason}")]
pub struct SettingError {
    /// The key as documented (`pushguard.warnObjects`).
    pub key: &'static str,
    /// The value found.
    pub value: String,
    /// What is expected.
    pub reason: &'static str,
}

/// Parses a git integer (`10`, `10k`, `5m`, `1g`: multiples of 1024).
pub fn parse_git_int(v: &str) -> Option<u64> {
    let v = v.trim();
    let (digits, mult) = match v.char_indices().last()? {
        (i, 'k' | 'K') => (&v[..i], 1u64 << 10),
        (i, 'm' | 'M') => (&v[..i], 1 << 20),
        (i, 'g' | 'G') => (&v[..i], 1 << 30),
        _ => (v, 1),
    };
    digits.parse::<u64>().ok()?.checked_mul(mult)
}

impl Settings {
    /// Reads settings from git config and the environment; defaults fill the rest.
    pub fn from_config(
        cfg: &GitConfig,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Settings, SettingError> {
        let mut s = Settings::default();
        let boolean = |key: &'static str, default: bool| -> Result<bool, SettingError> {
            cfg.get_bool(key)
                .map(|v| v.unwrap_or(default))
                .map_err(|value| SettingError {
                    key,
                    value,
                    reason: "expected true or false",
                })
        };
        let int = |key: &'static str, default: u64| -> Result<u64, SettingError> {
            match cfg.get(key) {
                None => Ok(default),
                Some(v) => parse_git_int(v).ok_or_else(|| SettingError {
                    key,
                    value: v.to_string(),
                    reason: "expected a whole number (k, m, g suffixes allowed)",
                }),
            }
        };
        s.enabled = boolean("pushguard.enabled", s.enabled)?;
        s.strict = boolean("pushguard.strict", s.strict)?;
        s.warn_objects = int("pushguard.warnObjects", s.warn_objects)?;
        s.block_objects = int("pushguard.blockObjects", s.block_objects)?;
        s.warn_bytes = int("pushguard.warnBytes", s.warn_bytes)?;
        s.block_bytes = int("pushguard.blockBytes", s.block_bytes)?;
        s.idle_timeout = match cfg.get("pushguard.idleTimeout") {
            None => s.idle_timeout,
            Some(v) => parse_seconds(v).ok_or_else(|| SettingError {
                key: "pushguard.idleTimeout",
                value: v.to_string(),
                reason: "expected seconds greater than 0 (e.g. 600, 10m)",
            })?,
        };
        s.resolver = match cfg.get("pushguard.resolver").map(str::to_ascii_lowercase) {
            None => s.resolver,
            Some(v) if v == "ssh" => ResolverChoice::Ssh,
            Some(v) if v == "builtin" => ResolverChoice::Builtin,
            Some(v) => {
                return Err(SettingError {
                    key: "pushguard.resolver",
                    value: v,
                    reason: "expected ssh or builtin",
                });
            }
        };
        s.skip = env(ENV_SKIP).is_some_and(|v| crate::git::parse_bool(&v) != Some(false));
        Ok(s)
    }
}

/// Parses seconds with an optional unit (`600`, `600s`, `10m`, `1h`); zero is rejected.
pub fn parse_seconds(v: &str) -> Option<u64> {
    let v = v.trim();
    let (digits, mult) = match v.char_indices().last()? {
        (i, 's' | 'S') => (&v[..i], 1u64),
        (i, 'm' | 'M') => (&v[..i], 60),
        (i, 'h' | 'H') => (&v[..i], 3600),
        _ => (v, 1),
    };
    digits
        .parse::<u64>()
        .ok()?
        .checked_mul(mult)
        .filter(|n| *n > 0)
}

/// What is known about the keepalive ssh will use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Keepalive {
    /// `ServerAliveInterval` in seconds (0 = off).
    Interval(u64),
    /// Cannot tell, and why (plink, ssh -G failed, depends on `Match exec`…).
    Unknown(String),
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

/// The decision and the reasons for it, in plain words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The verdict.
    pub verdict: Verdict,
    /// Why, one sentence each.
    pub reasons: Vec<String>,
    /// True when the message should show how to fix the keepalive.
    pub needs_fix: bool,
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

/// True when `interval` keeps a session alive under `idle_timeout`.
pub fn keepalive_effective(interval: u64, idle_timeout: u64) -> bool {
    interval > 0 && interval < idle_timeout
}

/// The keepalive interval the fix proposes: 30 s, or less for short idle timeouts.
pub fn proposed_interval(idle_timeout: u64) -> u64 {
    30.min((idle_timeout / 2).max(1))
}

/// Decides what to do with a push.
pub fn decide(s: &Settings, facts: &Facts) -> Decision {
    let skip = |r: String| Decision {
        verdict: Verdict::Skip,
        reasons: vec![r],
        needs_fix: false,
    };
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
    let size_text = match size {
        Size::Small => "a small push",
        Size::Large => "a large push",
        Size::Huge => "a very large push",
    };
    let mut reasons = vec![format!("{size_text}: {objects} objects")];
    if size == Size::Small {
        return Decision {
            verdict: Verdict::Ok,
            reasons,
            needs_fix: false,
        };
    }
    let risky = if size == Size::Huge {
        Verdict::Block
    } else {
        Verdict::Warn
    };
    match keepalive {
        Some(Keepalive::Interval(i)) if keepalive_effective(*i, s.idle_timeout) => {
            reasons.push(format!(
                "keepalive every {i} s is below the server idle timeout of {} s",
                s.idle_timeout
            ));
            Decision {
                verdict: Verdict::Ok,
                reasons,
                needs_fix: false,
            }
        }
        Some(Keepalive::Interval(0)) => {
            reasons.push(format!(
                "no keepalive (ServerAliveInterval 0): the server may drop the session after {} s idle while it processes the push",
                s.idle_timeout
            ));
            Decision {
                verdict: risky,
                reasons,
                needs_fix: true,
            }
        }
        Some(Keepalive::Interval(i)) => {
            reasons.push(format!(
                "keepalive every {i} s is not below the server idle timeout of {} s",
                s.idle_timeout
            ));
            Decision {
                verdict: risky,
                reasons,
                needs_fix: true,
            }
        }
        Some(Keepalive::Unknown(why)) => {
            reasons.push(format!("cannot tell whether ssh sends keepalives: {why}"));
            Decision {
                verdict: Verdict::Warn,
                reasons,
                needs_fix: true,
            }
        }
        None => {
            reasons.push("keepalive not resolved".into());
            Decision {
                verdict: Verdict::Warn,
                reasons,
                needs_fix: true,
            }
        }
    }
}

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
        needs_fix: decided.needs_fix || worse.needs_fix,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ssh(objects: Count, k: Option<Keepalive>) -> Facts {
        Facts::Ssh {
            objects,
            bytes: None,
            keepalive: k,
        }
    }

    #[test]
    fn defaults_and_config() {
        let cfg = GitConfig::from_pairs([
            ("pushguard.warnobjects", "1k"),
            ("pushguard.idletimeout", "5m"),
            ("pushguard.resolver", "builtin"),
        ]);
        let s = Settings::from_config(&cfg, &|_| None).unwrap();
        assert_eq!(s.warn_objects, 1024);
        assert_eq!(s.block_objects, 20_000);
        assert_eq!(s.idle_timeout, 300);
        assert_eq!(s.resolver, ResolverChoice::Builtin);
        assert!(!s.skip);
        let s = Settings::from_config(&cfg, &|k| (k == ENV_SKIP).then(|| "1".into())).unwrap();
        assert!(s.skip);
    }

    #[test]
    fn bad_setting_names_key() {
        let cfg = GitConfig::from_pairs([("pushguard.blockObjects", "lots")]);
        let e = Settings::from_config(&cfg, &|_| None).unwrap_err();
        assert_eq!(e.key, "pushguard.blockObjects");
        assert!(e.to_string().contains("\"lots\""));
        let cfg = GitConfig::from_pairs([("pushguard.idleTimeout", "0")]);
        assert!(Settings::from_config(&cfg, &|_| None).is_err());
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
        assert!(d.needs_fix);
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
        let d = decide(
            &s,
            &ssh(
                Count::AtLeast(20_000),
                Some(Keepalive::Unknown("plink".into())),
            ),
        );
        assert_eq!(d.verdict, Verdict::Warn, "never block on a guess");
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
        assert!(d.needs_fix);
        assert!(
            d.reasons[1].contains("tag v1.0") && d.reasons[1].contains("be blocked"),
            "{d:?}"
        );
        // Warned about without the tag: still a warning.
        let d = decide_unconfirmed(&s, &facts, Some(&without(6_000)));
        assert_eq!(d.verdict, Verdict::Warn);
        // Small either way, or nothing assumed: as `decide`.
        assert_eq!(
            decide_unconfirmed(&s, &facts, Some(&without(10))),
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

    #[test]
    fn proposed_interval_fits_timeout() {
        assert_eq!(proposed_interval(600), 30);
        assert_eq!(proposed_interval(40), 20);
        assert_eq!(proposed_interval(1), 1);
        for t in 2..1000 {
            assert!(keepalive_effective(proposed_interval(t), t));
        }
    }

    #[test]
    fn git_ints() {
        assert_eq!(parse_git_int("20000"), Some(20_000));
        assert_eq!(parse_git_int("2m"), Some(2 << 20));
        assert_eq!(parse_git_int("x"), None);
        assert_eq!(parse_git_int(""), None);
    }
}
