//! The environment ssh resolves in, and the `%`/`${}` tokens it expands.
//!
//! - [`ResolveEnv`]: files, home, account and build the resolver models
//!   ([`ResolveEnv::current`] reads them like ssh does).
//! - [`Flavour`]: the ssh build whose defaults apply.
//! - [`Tokens`]: the `%` token table of a connection (`%h %p %r %C`…),
//!   and `${NAME}` from the environment.
//! - [`percent_expand`], [`tilde`]: the expansion primitives.
//!
//! Hand-written: ssh takes the account from `getpwuid(getuid())`, not
//! `$HOME`; reading `/etc/passwd` keeps the crate free of `unsafe`.

use std::fmt;
use std::path::{Path, PathBuf};

use super::ConfigError;
use super::exec::ExecPolicy;
use super::overlay::Overlay;

/// The ssh build whose defaults apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Flavour {
    /// Upstream OpenSSH.
    OpenBsd,
    /// Debian's ssh: `BatchMode yes` makes ServerAliveInterval default 300.
    #[default]
    Debian,
}

impl Flavour {
    /// The flavour of an `ssh -V` banner.
    pub fn from_version(banner: &str) -> Flavour {
        if banner.contains("Debian") || banner.contains("Ubuntu") {
            Flavour::Debian
        } else {
            Flavour::OpenBsd
        }
    }

    /// Runs `ssh -V` and reads the flavour; upstream when ssh is missing.
    pub fn detect() -> Flavour {
        let probe = crate::process::ProcessBuilder::new("ssh")
            .arg("-V")
            .timeout(std::time::Duration::from_secs(3))
            .output();
        match probe {
            Ok(o) => Flavour::from_version(&String::from_utf8_lossy(&o.stderr)),
            Err(_) => Flavour::OpenBsd,
        }
    }
}

impl fmt::Display for Flavour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Flavour::OpenBsd => "openbsd",
            Flavour::Debian => "debian",
        })
    }
}

/// Where the resolver looks and what it may do.
#[derive(Debug, Clone)]
pub struct ResolveEnv {
    /// The user file (`~/.ssh/config` of the passwd home).
    pub user_config: PathBuf,
    /// The system file.
    pub system_config: PathBuf,
    /// Home directory from passwd (for `~` and `%d`).
    pub home: PathBuf,
    /// Where `~` points in `Include` paths: ssh globs them with the C
    /// library's tilde rule, which prefers `$HOME` over passwd.
    pub include_home: PathBuf,
    /// Local login name.
    pub local_user: String,
    /// Local uid.
    pub uid: u32,
    /// The ssh build.
    pub flavour: Flavour,
    /// Whether `Match exec` runs.
    pub exec: ExecPolicy,
    /// File contents read instead of the disk's (empty: the disk).
    pub overlay: Overlay,
}

impl ResolveEnv {
    /// The environment of the current process: the account ssh resolves
    /// for (on Unix the passwd entry of the uid that owns `/proc/self`: ssh
    /// uses `getpwuid(getuid())`, not `$HOME`).
    pub fn current(flavour: Flavour, exec: ExecPolicy) -> ResolveEnv {
        let Account {
            uid,
            name,
            home,
            system_config,
        } = account();
        let include_home = std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| home.clone());
        ResolveEnv {
            include_home,
            user_config: home.join(".ssh/config"),
            system_config,
            home,
            local_user: name,
            uid,
            flavour,
            exec,
            overlay: Overlay::default(),
        }
    }
}

/// Whom ssh resolves for, and its system file.
struct Account {
    uid: u32,
    name: String,
    home: PathBuf,
    system_config: PathBuf,
}

/// The uid owning `/proc/self`, its passwd entry (else `$USER`, `$HOME`),
/// and `/etc/ssh/ssh_config`.
#[cfg(unix)]
fn account() -> Account {
    use std::os::unix::fs::MetadataExt;
    let uid = std::fs::metadata("/proc/self")
        .map(|m| m.uid())
        .unwrap_or(0);
    let (name, home) = passwd_entry(uid).unwrap_or_else(|| {
        (
            std::env::var("USER").unwrap_or_else(|_| "root".into()),
            PathBuf::from(std::env::var("HOME").unwrap_or_else(|_| "/".into())),
        )
    });
    Account {
        uid,
        name,
        home,
        system_config: PathBuf::from("/etc/ssh/ssh_config"),
    }
}

/// Windows has no uid and no passwd file: the name is `USERNAME`, the home
/// and system file those of the ssh git runs for a bare `ssh`
/// (`platform::windows_default_ssh`). The uid is 0 (`%i` is not modelled);
/// when the build cannot be told, the home is `USERPROFILE` and no system
/// file is read.
#[cfg(windows)]
fn account() -> Account {
    use crate::platform::{HostView, windows_default_ssh};
    let env = |k: &str| std::env::var(k).ok();
    let is_dir = |p: &Path| p.is_dir();
    let is_file = |p: &Path| p.is_file();
    let host = HostView {
        env: &env,
        passwd_home: None,
        is_dir: &is_dir,
    };
    let files = windows_default_ssh(&host, &is_file)
        .and_then(|b| Ok((b.home(&host)?, b.system_config(&host)?)));
    let (home, system_config) = files.unwrap_or_else(|_| {
        let profile = env("USERPROFILE").unwrap_or_default();
        (PathBuf::from(profile), PathBuf::new())
    });
    Account {
        uid: 0,
        name: env("USERNAME").unwrap_or_default(),
        home,
        system_config,
    }
}

/// Name and home of `uid` from `/etc/passwd`.
#[cfg(unix)]
fn passwd_entry(uid: u32) -> Option<(String, PathBuf)> {
    let text = std::fs::read_to_string("/etc/passwd").ok()?;
    text.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.len() >= 6 && f[2].parse::<u32>().ok() == Some(uid))
            .then(|| (f[0].to_string(), PathBuf::from(f[5])))
    })
}

/// The local host name (`%l`; `%L` is its first label).
fn thishost() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

/// The values of a connection's `%` tokens.
pub(crate) struct Tokens<'a> {
    /// The environment (`%d %i %u`, and `%l %L` from the host name).
    pub env: &'a ResolveEnv,
    /// `%h`: the remote host.
    pub host: &'a str,
    /// `%n`: the host as typed.
    pub original: &'a str,
    /// `%p`: the port.
    pub port: &'a str,
    /// `%r`: the remote user.
    pub user: &'a str,
    /// `%k`: the host key alias (or the host).
    pub keyalias: &'a str,
}

impl Tokens<'_> {
    /// `%` tokens in `s` (the one table of them).
    pub(crate) fn percent(&self, s: &str) -> Result<String, ConfigError> {
        let this = thishost();
        let short = this.split('.').next().unwrap_or("").to_string();
        let uid = self.env.uid.to_string();
        let home = self.env.home.display().to_string();
        // %C: a hash of local host, remote host, port and user.
        let hash = if s.contains("%C") {
            let joined = format!("{this}{}{}{}", self.host, self.port, self.user);
            super::sha1::hex(joined.as_bytes())
        } else {
            String::new()
        };
        percent_expand(
            s,
            &[
                ('C', &hash),
                ('L', &short),
                ('d', &home),
                ('h', self.host),
                ('i', &uid),
                ('k', self.keyalias),
                ('l', &this),
                ('n', self.original),
                ('p', self.port),
                ('r', self.user),
                ('u', &self.env.local_user),
            ],
        )
    }

    /// A path as `ssh -G` prints it: `~` from the passwd home, then `%`
    /// tokens, then `${NAME}`.
    pub(crate) fn path(&self, s: &str) -> Result<String, ConfigError> {
        let s = tilde(s, &self.env.home);
        if !s.contains(['%', '$']) {
            return Ok(s);
        }
        dollar_expand(&self.percent(&s)?)
    }
}

/// `%x` expansion with the given keys; `%%` is `%`.
pub(crate) fn percent_expand(s: &str, keys: &[(char, &str)]) -> Result<String, ConfigError> {
    let mut out = String::new();
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('%') => out.push('%'),
            Some(k) => match keys.iter().find(|(x, _)| *x == k) {
                Some((_, v)) => out.push_str(v),
                None => {
                    return Err(ConfigError::Usage(format!(
                        "percent_expand: unknown key %{k}"
                    )));
                }
            },
            None => {
                return Err(ConfigError::Usage("percent_expand: invalid format".into()));
            }
        }
    }
    Ok(out)
}

/// `${VAR}` expansion from the environment.
fn dollar_expand(s: &str) -> Result<String, ConfigError> {
    let mut out = String::new();
    let mut rest = s;
    while let Some(p) = rest.find("${") {
        out.push_str(&rest[..p]);
        let after = &rest[p + 2..];
        let end = after
            .find('}')
            .ok_or_else(|| ConfigError::Usage(format!("invalid environment variable in {s}")))?;
        let name = &after[..end];
        let v = std::env::var(name)
            .map_err(|_| ConfigError::Usage(format!("env var ${{{name}}} has no value")))?;
        out.push_str(&v);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// A leading `~` or `~/` as `home`.
pub(crate) fn tilde(s: &str, home: &Path) -> String {
    if s == "~" {
        return home.display().to_string();
    }
    match s.strip_prefix("~/") {
        Some(r) => format!("{}/{r}", home.display().to_string().trim_end_matches('/')),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> ResolveEnv {
        ResolveEnv {
            user_config: PathBuf::from("/nonexistent"),
            system_config: PathBuf::from("/nonexistent"),
            home: PathBuf::from("/home/u/"),
            include_home: PathBuf::from("/home/u"),
            local_user: "me".into(),
            uid: 1000,
            flavour: Flavour::Debian,
            exec: ExecPolicy::Unknown,
            overlay: Overlay::default(),
        }
    }

    #[test]
    fn tokens_expand_once_for_every_site() {
        let env = env();
        let t = Tokens {
            env: &env,
            host: "h.example",
            original: "h",
            port: "22",
            user: "git",
            keyalias: "k",
        };
        assert_eq!(
            t.percent("%r@%h:%p %n %k %u %i %%").unwrap(),
            "git@h.example:22 h k me 1000 %"
        );
        assert_eq!(t.path("~/.ssh/%d").unwrap(), "/home/u/.ssh//home/u/");
        assert_eq!(t.percent("%C").unwrap().len(), 40);
        assert!(t.percent("%z").is_err());
        assert!(t.percent("50%").is_err());
        assert!(t.path("${PUSHGUARD_NO_SUCH_VARIABLE}").is_err());
    }

    #[test]
    fn banners_name_the_flavour() {
        assert_eq!(
            Flavour::from_version("OpenSSH_9.2p1 Debian-2+deb12u6, OpenSSL 3.0"),
            Flavour::Debian
        );
        assert_eq!(
            Flavour::from_version("OpenSSH_9.8p1, LibreSSL"),
            Flavour::OpenBsd
        );
    }
}
