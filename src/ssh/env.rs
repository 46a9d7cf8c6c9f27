//! The environment ssh resolves in, and the `%`/`${}` tokens it expands.
//!
//! - [`ResolveEnv`]: files, home, account and the ssh build (its
//!   [`Profile`]) the resolver models ([`ResolveEnv::current`] and
//!   [`ResolveEnv::for_program`] read them like ssh does).
//! - [`Tokens`]: the `%` token table of a connection (`%h %p %r %C %j`…),
//!   and `${NAME}` from the environment.
//! - [`percent_expand`], [`ResolveEnv::tilde_expand`], [`glob_tilde`]: the
//!   expansion primitives.
//!
//! Hand-written: ssh takes the account from `getpwuid(getuid())`, not
//! `$HOME`; reading `/etc/passwd` keeps the crate free of `unsafe`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::ConfigError;
use super::exec::ExecPolicy;
use super::overlay::Overlay;
use super::profile::Profile;

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
    /// The ssh build modelled.
    pub profile: Profile,
    /// Whether `Match exec` runs.
    pub exec: ExecPolicy,
    /// What `-F /dev/stdin` reads (a probe's config); `None` reads the
    /// real standard input's file like any other path.
    pub stdin_config: Option<Arc<str>>,
    /// `$HOME` for `${HOME}` (`None`: unset); other `${NAME}`s come from
    /// the process environment.
    pub home_var: Option<String>,
    /// File contents read instead of the disk's (empty: the disk).
    pub overlay: Overlay,
}

impl ResolveEnv {
    /// The environment of the current process for a bare `ssh`: the
    /// account ssh resolves for (on Unix the passwd entry of `getuid()`:
    /// ssh uses `getpwuid(getuid())`, not `$HOME`).
    pub fn current(profile: Profile, exec: ExecPolicy) -> ResolveEnv {
        ResolveEnv::for_program("ssh", profile, exec)
    }

    /// [`ResolveEnv::current`] for the ssh `program` git runs (the first
    /// word of its ssh command): on Windows that build's home and system
    /// file (`platform::windows_ssh`); on Unix the profile's sysconfdir
    /// holds (`Profile::detect` took it from the program's place).
    pub fn for_program(program: &str, profile: Profile, exec: ExecPolicy) -> ResolveEnv {
        let Account {
            uid,
            name,
            home,
            system_config,
        } = account(program);
        let include_home = std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| home.clone());
        ResolveEnv {
            include_home,
            user_config: home.join(".ssh/config"),
            home,
            system_config: system_config
                .unwrap_or_else(|| profile.build.sysconfdir.join("ssh_config")),
            local_user: name,
            uid,
            profile,
            exec,
            stdin_config: None,
            home_var: std::env::var("HOME").ok(),
            overlay: Overlay::default(),
        }
    }

    /// `${NAME}` expansion as ssh does it here (`${HOME}` from
    /// [`ResolveEnv::home_var`]).
    pub(crate) fn dollar_expand(&self, s: &str) -> Result<String, ConfigError> {
        dollar_expand(s, |name| match name {
            "HOME" => self.home_var.clone(),
            _ => std::env::var(name).ok(),
        })
    }
}

/// Whom ssh resolves for, and its system file.
struct Account {
    uid: u32,
    name: String,
    home: PathBuf,
    /// The system file where the platform decides it (else the build's).
    system_config: Option<PathBuf>,
}

/// The real uid (as ssh's `getuid()`) and its passwd entry (else `$USER`,
/// `$HOME`); the system file is the build's (its profile's sysconfdir).
#[cfg(unix)]
fn account(_program: &str) -> Account {
    let uid = rustix::process::getuid().as_raw();
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
        system_config: None,
    }
}

/// Windows has no uid and no passwd file: the name is `USERNAME`, the home
/// and system file those of the build git runs for `program`
/// (`platform::windows_ssh`). The uid is 0 (`%i` is not modelled); when
/// the build cannot be told, the home is `USERPROFILE` and no system file
/// is read.
#[cfg(windows)]
fn account(program: &str) -> Account {
    use crate::platform::{HostView, windows_ssh};
    let env = |k: &str| std::env::var(k).ok();
    let is_dir = |p: &Path| p.is_dir();
    let is_file = |p: &Path| p.is_file();
    let host = HostView {
        env: &env,
        passwd_home: None,
        is_dir: &is_dir,
    };
    let files = windows_ssh(program, &host, &is_file)
        .and_then(|b| Ok((b.home(&host)?, b.system_config(&host)?)));
    let (home, system_config) = files.unwrap_or_else(|_| {
        let profile = env("USERPROFILE").unwrap_or_default();
        (PathBuf::from(profile), PathBuf::new())
    });
    Account {
        uid: 0,
        name: env("USERNAME").unwrap_or_default(),
        home,
        system_config: Some(system_config),
    }
}

/// Name and home of `uid` from `/etc/passwd`.
#[cfg(unix)]
fn passwd_entry(uid: u32) -> Option<(String, PathBuf)> {
    passwd_find(|f| f[2].parse::<u32>().ok() == Some(uid))
}

/// The home of the account `name` from `/etc/passwd` (ssh's `getpwnam`;
/// other name services are not asked).
pub(crate) fn passwd_home(name: &str) -> Option<PathBuf> {
    passwd_find(|f| f[0] == name).map(|(_, home)| home)
}

/// Debian's and Ubuntu's `secure_permissions` (its user-group-modes
/// patch) for a group-writable file: allowed when the file's group has
/// exactly the user in it, counting the accounts whose primary group it
/// is (each must be `uid`) and its listed members (one, the owner).
/// Read from `/etc/passwd` and `/etc/group`.
#[cfg(unix)]
pub(crate) fn group_has_only(gid: u32, owner: u32, uid: u32) -> bool {
    let Some(group) = std::fs::read_to_string("/etc/group").ok().and_then(|t| {
        t.lines().find_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            (f.len() >= 4 && f[2].parse::<u32>().ok() == Some(gid)).then(|| f[3].to_string())
        })
    }) else {
        return false;
    };
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    let accounts: Vec<Vec<&str>> = passwd
        .lines()
        .map(|l| l.split(':').collect::<Vec<&str>>())
        .filter(|f| f.len() >= 6)
        .collect();
    let mut members = 0;
    for f in &accounts {
        if f[3].parse::<u32>().ok() == Some(gid) {
            members += 1;
            if f[2].parse::<u32>().ok() != Some(uid) {
                return false;
            }
        }
    }
    let Some(owner) = accounts
        .iter()
        .find(|f| f[2].parse::<u32>().ok() == Some(owner))
    else {
        return false;
    };
    let listed: Vec<&str> = group.split(',').filter(|m| !m.is_empty()).collect();
    if let Some(first) = listed.first() {
        members += 1;
        if *first != owner[0] || listed.len() > 1 {
            return false;
        }
    }
    members > 0
}

fn passwd_find(want: impl Fn(&[&str]) -> bool) -> Option<(String, PathBuf)> {
    let text = std::fs::read_to_string("/etc/passwd").ok()?;
    text.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.len() >= 6 && want(&f)).then(|| (f[0].to_string(), PathBuf::from(f[5])))
    })
}

/// The local host name (`%l`), as ssh's `gethostname`; read once.
fn thishost() -> &'static str {
    static NAME: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    NAME.get_or_init(host_name)
}

/// `%L`: the host name up to its first dot (ssh.c's `shorthost`).
fn short_host(name: &str) -> &str {
    name.split('.').next().unwrap_or("")
}

/// `gethostname` is `uname`'s node name (POSIX; glibc and Apple's libc
/// implement one with the other).
#[cfg(unix)]
fn host_name() -> String {
    rustix::system::uname()
        .nodename()
        .to_string_lossy()
        .into_owned()
}

/// Winsock's `gethostname` needs a call pushguard does not make (no
/// `unsafe`): the computer name Windows puts in the environment stands in.
#[cfg(windows)]
fn host_name() -> String {
    windows_host_name(&|k| std::env::var(k).ok())
}

/// `COMPUTERNAME` (the NetBIOS name: upper case, at most 15 characters,
/// where Winsock gives the DNS host name as typed), or empty.
#[cfg(any(windows, test))]
fn windows_host_name(env: &dyn Fn(&str) -> Option<String>) -> String {
    env("COMPUTERNAME").unwrap_or_default()
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
    /// `%j`: the jump host (empty without one); `None` where the build has
    /// no `%j` (before 9.6).
    pub jump: Option<&'a str>,
}

impl Tokens<'_> {
    /// `%` tokens in `s` (the one table of them).
    pub(crate) fn percent(&self, s: &str) -> Result<String, ConfigError> {
        self.expand(s, true)
    }

    /// The tokens a user name expands (10.0): all but `%C` and `%r`, and
    /// `${NAME}`.
    pub(crate) fn user(&self, s: &str) -> Result<String, ConfigError> {
        if !s.contains(['%', '$']) {
            return Ok(s.to_string());
        }
        self.env.dollar_expand(&self.expand(s, false)?)
    }

    /// `%` tokens in `s`; `with_user` adds `%C` and `%r`.
    fn expand(&self, s: &str, with_user: bool) -> Result<String, ConfigError> {
        let this = thishost();
        let short = short_host(this);
        let uid = self.env.uid.to_string();
        let home = self.env.home.display().to_string();
        // %C: a hash of local host, remote host, port and user (and from
        // 9.6 the jump host).
        let hash = if with_user && s.contains("%C") {
            let joined = format!(
                "{this}{}{}{}{}",
                self.host,
                self.port,
                self.user,
                self.jump.unwrap_or("")
            );
            super::sha1::hex(joined.as_bytes())
        } else {
            String::new()
        };
        let mut keys: Vec<(char, &str)> = vec![
            ('L', short),
            ('d', &home),
            ('h', self.host),
            ('i', &uid),
            ('k', self.keyalias),
            ('l', this),
            ('n', self.original),
            ('p', self.port),
            ('u', &self.env.local_user),
        ];
        if with_user {
            keys.extend([('C', hash.as_str()), ('r', self.user)]);
        }
        if let Some(j) = self.jump {
            keys.push(('j', j));
        }
        percent_expand(s, &keys)
    }

    /// `%` tokens, then `${NAME}` (SetEnv values, VersionAddendum).
    pub(crate) fn percent_dollar(&self, s: &str) -> Result<String, ConfigError> {
        if !s.contains(['%', '$']) {
            return Ok(s.to_string());
        }
        self.env.dollar_expand(&self.percent(s)?)
    }

    /// A path as `ssh -G` prints it: `~` from the passwd home, then `%`
    /// tokens, then `${NAME}`.
    pub(crate) fn path(&self, s: &str) -> Result<String, ConfigError> {
        let s = self.env.tilde_expand(s)?;
        if !s.contains(['%', '$']) {
            return Ok(s);
        }
        self.env.dollar_expand(&self.percent(&s)?)
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

/// `${VAR}` expansion, each variable from `var`.
fn dollar_expand(s: &str, var: impl Fn(&str) -> Option<String>) -> Result<String, ConfigError> {
    let mut out = String::new();
    let mut rest = s;
    while let Some(p) = rest.find("${") {
        out.push_str(&rest[..p]);
        let after = &rest[p + 2..];
        let end = after
            .find('}')
            .ok_or_else(|| ConfigError::Usage(format!("invalid environment variable in {s}")))?;
        let name = &after[..end];
        let v = var(name)
            .ok_or_else(|| ConfigError::Usage(format!("env var ${{{name}}} has no value")))?;
        out.push_str(&v);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

impl ResolveEnv {
    /// ssh's `tilde_expand_filename` (the paths it prints expanded, `-i`):
    /// `~`, `~/path` from the passwd home, `~name/path` from `name`'s; an
    /// unknown name or a result of `PATH_MAX` bytes makes ssh exit. From
    /// 8.9 ([`Rules::tilde_user_alone`](super::profile::Rules)) `~name`
    /// alone names a user and the slashes after the name collapse.
    pub(crate) fn tilde_expand(&self, s: &str) -> Result<String, ConfigError> {
        let Some(rest) = s.strip_prefix('~') else {
            return Ok(s.to_string());
        };
        let fail = |why: String| ConfigError::Usage(format!("tilde_expand: {why}"));
        let (user, path) = if self.profile.rules.tilde_user_alone {
            match rest.strip_prefix('/') {
                Some(p) => (None, p.trim_start_matches('/')),
                None if rest.is_empty() => (None, ""),
                None => match rest.split_once('/') {
                    Some((u, p)) => (Some(u), p.trim_start_matches('/')),
                    None => (Some(rest), ""),
                },
            }
        } else {
            match rest.find('/') {
                Some(0) => (None, &rest[1..]),
                Some(i) if i > 127 => return Err(fail("~username too long".into())),
                Some(i) => (Some(&rest[..i]), &rest[i + 1..]),
                None => (None, rest),
            }
        };
        let dir = match user {
            Some(u) => passwd_home(u).ok_or_else(|| fail(format!("No such user {u}")))?,
            None => self.home.clone(),
        };
        let dir = dir.display().to_string();
        let sep = if dir.ends_with('/') { "" } else { "/" };
        let out = format!("{dir}{sep}{path}");
        if out.len() >= 4096 {
            return Err(fail("Path too long".into()));
        }
        Ok(out)
    }
}

/// The `~` of an Include pattern, as glob's `GLOB_TILDE` does it: `~` and
/// `~/…` from `home` (`$HOME`), `~name…` from `name`'s passwd home, kept
/// as written when there is no such account.
pub(crate) fn glob_tilde(s: &str, home: &Path) -> String {
    let Some(rest) = s.strip_prefix('~') else {
        return s.to_string();
    };
    let (name, tail) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    if name.is_empty() {
        return format!("{}{tail}", home.display());
    }
    match passwd_home(name) {
        Some(h) => format!("{}{tail}", h.display()),
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
            profile: Profile::debian12(10),
            exec: ExecPolicy::Unknown,
            stdin_config: None,
            home_var: Some("/home/u".into()),
            overlay: Overlay::default(),
        }
    }

    /// The tokens of a connection to `h.example` (typed `h`) as git, port 22.
    fn tokens(env: &ResolveEnv) -> Tokens<'_> {
        Tokens {
            env,
            host: "h.example",
            original: "h",
            port: "22",
            user: "git",
            keyalias: "k",
            jump: None,
        }
    }

    #[test]
    fn tokens_expand_once_for_every_site() {
        let env = env();
        let t = tokens(&env);
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

    // OpenSSH 10.3p1 ssh.c main: gethostname(thishost), and shorthost is
    // thishost cut at strcspn(thishost, ".").
    #[test]
    fn local_host_tokens_are_gethostname_and_its_first_label() {
        let env = env();
        let t = tokens(&env);
        let name = thishost();
        assert_eq!(t.percent("%l").unwrap(), name);
        assert_eq!(t.percent("%L").unwrap(), short_host(name));
        assert_eq!(short_host("build-7.corp.example"), "build-7");
        assert_eq!(short_host("plain"), "plain");
        assert_eq!(short_host(".lead"), "");
        // Linux keeps the same name (the UTS node name) in /proc.
        #[cfg(target_os = "linux")]
        if let Ok(proc) = std::fs::read_to_string("/proc/sys/kernel/hostname") {
            assert_eq!(name, proc.trim_end_matches('\n'));
        }
    }

    #[test]
    fn windows_host_name_is_the_computer_name() {
        let env = crate::platform::tests::env_of(&[("COMPUTERNAME", "DEV-LAPTOP")]);
        assert_eq!(windows_host_name(&env), "DEV-LAPTOP");
        assert_eq!(windows_host_name(&crate::platform::tests::env_of(&[])), "");
    }
}
