//! Settings: git config `pushguard.*` and the environment, each key with its
//! default in one place.
//!
//! Six of them may also be given per server, `pushguard.<url>.<key>`
//! ([`PER_URL`]), matched against the push URL the way git matches
//! `http.<url>.*`: git itself picks the winner (`git::url_match`), and
//! [`Settings::for_url`] reads the values it picked.

use std::collections::HashMap;
use std::time::Duration;

use crate::git::GitConfig;

/// The keys that may be given per URL (`pushguard.<url>.<key>`), lowercase.
pub const PER_URL: [&str; 6] = [
    "idletimeout",
    "warnobjects",
    "blockobjects",
    "warnbytes",
    "blockbytes",
    "enabled",
];

/// A `pushguard.<key>` or `pushguard.<url>.<key>` entry git may pick for a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Its index in the config's entries.
    pub index: usize,
    /// The URL (subsection); `None` for the plain key, which matches every URL.
    pub url: Option<String>,
    /// The key, lowercase (one of [`PER_URL`]).
    pub key: &'static str,
}

/// The entries of `cfg` that may set a per-URL key, in config order; empty
/// when no `pushguard.<url>.*` is set (then no URL matching is needed).
pub fn url_candidates(cfg: &GitConfig) -> Vec<Candidate> {
    let mut out = Vec::new();
    let mut any_url = false;
    for (index, (k, _)) in cfg.entries().iter().enumerate() {
        let Some(rest) = k.strip_prefix("pushguard.") else {
            continue;
        };
        let (url, var) = match rest.rsplit_once('.') {
            Some((url, var)) => (Some(url.to_string()), var),
            None => (None, rest),
        };
        let Some(key) = PER_URL.iter().find(|p| **p == var.to_ascii_lowercase()) else {
            continue;
        };
        any_url |= url.is_some();
        out.push(Candidate { index, url, key });
    }
    if !any_url {
        out.clear();
    }
    out
}

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
    /// `pushguard.timeBudget` (default 10 s, `crate::budget`): the hook's whole run.
    pub time_budget: Duration,
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
            time_budget: crate::budget::DEFAULT,
            skip: false,
        }
    }
}

/// A `pushguard.*` value that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "bad config value {} for {key}: {reason}",
    crate::terminal::Shown(value)
)]
pub struct SettingError {
    /// The key as documented (`pushguard.warnObjects`), with its URL when
    /// the value came from `pushguard.<url>.warnObjects`.
    pub key: String,
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
    /// `pushguard.strict` as far as it can be read on its own (false when
    /// unset or not a boolean), so that a bad value of another setting does
    /// not lose it.
    pub fn strict_in(cfg: &GitConfig) -> bool {
        cfg.get_bool("pushguard.strict") == Ok(Some(true))
    }

    /// Reads settings from git config and the environment; defaults fill the rest.
    pub fn from_config(
        cfg: &GitConfig,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Settings, SettingError> {
        Self::read(&|key| cfg.get(key).map(|v| (v, key.to_string())), env)
    }

    /// The settings for one push URL: `picked` maps each [`PER_URL`] key
    /// to the config entry git's URL matching chose (`git::url_match`);
    /// the other keys are read as in [`Settings::from_config`].
    pub fn for_url(
        cfg: &GitConfig,
        picked: &HashMap<String, usize>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Settings, SettingError> {
        let entries = cfg.entries();
        let get = |key: &str| {
            let var = key.strip_prefix("pushguard.")?.to_ascii_lowercase();
            match picked.get(&var).and_then(|i| entries.get(*i)) {
                Some((k, v)) => Some((v.as_str(), k.clone())),
                None => cfg.get(key).map(|v| (v, key.to_string())),
            }
        };
        Self::read(&get, env)
    }

    /// Reads settings through `get` (a key → its value and the key it was
    /// found under).
    fn read<'a>(
        get: &dyn Fn(&str) -> Option<(&'a str, String)>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Settings, SettingError> {
        let mut s = Settings::default();
        let boolean = |key: &'static str, default: bool| -> Result<bool, SettingError> {
            match get(key) {
                None => Ok(default),
                Some((v, found)) => crate::git::parse_bool(v).ok_or_else(|| SettingError {
                    key: found,
                    value: v.to_string(),
                    reason: "expected true or false",
                }),
            }
        };
        let int = |key: &'static str, default: u64| -> Result<u64, SettingError> {
            match get(key) {
                None => Ok(default),
                Some((v, found)) => parse_git_int(v).ok_or_else(|| SettingError {
                    key: found,
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
        s.idle_timeout = match get("pushguard.idleTimeout") {
            None => s.idle_timeout,
            Some((v, found)) => parse_seconds(v).ok_or_else(|| SettingError {
                key: found,
                value: v.to_string(),
                reason: "expected seconds greater than 0 (e.g. 600, 10m)",
            })?,
        };
        s.time_budget = match get("pushguard.timeBudget") {
            None => s.time_budget,
            Some((v, found)) => {
                parse_seconds(v)
                    .map(Duration::from_secs)
                    .ok_or_else(|| SettingError {
                        key: found,
                        value: v.to_string(),
                        reason: "expected seconds greater than 0 (e.g. 10, 1m)",
                    })?
            }
        };
        s.resolver = match get("pushguard.resolver").map(|(v, _)| v.to_ascii_lowercase()) {
            None => s.resolver,
            Some(v) if v == "ssh" => ResolverChoice::Ssh,
            Some(v) if v == "builtin" => ResolverChoice::Builtin,
            Some(v) => {
                return Err(SettingError {
                    key: "pushguard.resolver".into(),
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

#[cfg(test)]
mod tests {
    use super::*;

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
        let cfg = GitConfig::from_pairs([("pushguard.timeBudget", "0")]);
        assert!(Settings::from_config(&cfg, &|_| None).is_err());
        let cfg = GitConfig::from_pairs([("pushguard.timebudget", "1m")]);
        let s = Settings::from_config(&cfg, &|_| None).unwrap();
        assert_eq!(s.time_budget, Duration::from_secs(60));
        let s = Settings::from_config(&GitConfig::default(), &|_| None).unwrap();
        assert_eq!(s.time_budget, Duration::from_secs(10));
    }

    #[test]
    fn per_url_keys_are_candidates_only_when_some_url_is_set() {
        let plain = GitConfig::from_pairs([("pushguard.idleTimeout", "600")]);
        assert!(
            url_candidates(&plain).is_empty(),
            "no URL: nothing to match"
        );
        let cfg = GitConfig::from_pairs([
            ("pushguard.idleTimeout", "600"),
            ("pushguard.strict", "true"),
            ("pushguard.ssh://*.example.com:7999.idleTimeout", "350"),
            ("pushguard.ssh://elb.example.com.blockObjects", "lots"),
            ("pushguard.ssh://elb.example.com.resolver", "builtin"),
        ]);
        let c = url_candidates(&cfg);
        let got: Vec<_> = c
            .iter()
            .map(|c| (c.index, c.url.as_deref(), c.key))
            .collect();
        assert_eq!(
            got,
            [
                (0, None, "idletimeout"),
                (2, Some("ssh://*.example.com:7999"), "idletimeout"),
                (3, Some("ssh://elb.example.com"), "blockobjects"),
            ]
        );
        // git picked entry 2 for idleTimeout: its value is read.
        let picked = HashMap::from([("idletimeout".to_string(), 2)]);
        let s = Settings::for_url(&cfg, &picked, &|_| None).unwrap();
        assert_eq!((s.idle_timeout, s.strict), (350, true));
        // A bad per-URL value names its full key.
        let picked = HashMap::from([("blockobjects".to_string(), 3)]);
        let e = Settings::for_url(&cfg, &picked, &|_| None).unwrap_err();
        assert_eq!(e.key, "pushguard.ssh://elb.example.com.blockobjects");
    }

    #[test]
    fn strict_is_read_on_its_own() {
        let cfg = GitConfig::from_pairs([
            ("pushguard.strict", "yes"),
            ("pushguard.blockObjects", "lots"),
        ]);
        assert!(Settings::from_config(&cfg, &|_| None).is_err());
        assert!(Settings::strict_in(&cfg));
        let cfg = GitConfig::from_pairs([("pushguard.strict", "maybe")]);
        assert!(!Settings::strict_in(&cfg));
    }

    #[test]
    fn git_ints() {
        assert_eq!(parse_git_int("20000"), Some(20_000));
        assert_eq!(parse_git_int("2m"), Some(2 << 20));
        assert_eq!(parse_git_int("x"), None);
        assert_eq!(parse_git_int(""), None);
    }
}
