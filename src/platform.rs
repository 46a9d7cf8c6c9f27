//! The host's conventions: whose rules git follows (`Platform`), and where
//! each ssh build keeps its files (`SshBuild`): the home directory it uses,
//! its user and system config files, and the permission check it makes on
//! them.
//!
//! Hand-written because these are compiled-in facts of each build, read from
//! their sources (OpenSSH `ssh.c`/`readconf.c`/`pathnames.h`, Win32-OpenSSH's
//! `contrib/win32/win32compat`, the MSYS2 runtime's `uinfo.cc`, Git for
//! Windows' `compat/mingw.c` and `/etc/nsswitch.conf`, Homebrew's formula);
//! no crate knows them. Everything here is pure: the caller passes the
//! environment, the passwd home and a directory probe, so the rules of every
//! build are unit-tested on any host. `docs/windows.md` and `docs/macos.md`
//! tell the whole story.

use std::path::{Path, PathBuf};

/// Whose rules git follows: URL splitting, program names, the shell it runs commands with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    /// Linux, macOS, the BSDs (and Cygwin/MSYS builds of git, which are POSIX).
    Unix,
    /// Git for Windows (native `git.exe`, `GIT_WINDOWS_NATIVE`).
    Windows,
}

impl Platform {
    /// The platform this binary was built for.
    pub const HOST: Platform = if cfg!(windows) {
        Platform::Windows
    } else {
        Platform::Unix
    };
}

/// An ssh client build, as far as where it looks for its files goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SshBuild {
    /// OpenSSH built for a Unix (a distribution's, Apple's, Homebrew's), with its
    /// compiled-in `SSHDIR` (`--sysconfdir`: `/etc/ssh`; Homebrew: `$(brew --prefix)/etc/ssh`).
    Unix {
        /// The directory holding `ssh_config`.
        sysconfdir: PathBuf,
    },
    /// Git for Windows' bundled OpenSSH (an MSYS2 build), in Git's install tree.
    GitForWindows {
        /// Git's install directory, the MSYS root (`C:\Program Files\Git`).
        root: PathBuf,
    },
    /// Windows' own OpenSSH (Win32-OpenSSH: `C:\Windows\System32\OpenSSH\ssh.exe`).
    Win32,
}

/// The check a build makes on the user config file (and on every `Include`d file).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigCheck {
    /// Owner must be root or the user, no group/other write bit (`st_mode & 022`); else fatal.
    OwnerAndMode,
    /// The same code, over the modes the MSYS2 runtime makes up: with Git for
    /// Windows' `noacl` mounts a file never has group/other write and is owned
    /// by the user, so the check never refuses.
    EmulatedOwnerAndMode,
    /// An ACL check: owner the user, Administrators, SYSTEM or TrustedInstaller,
    /// and no other account allowed to write; else fatal.
    WindowsAcl,
}

/// What the host tells the rules (lookups only; the rules do no I/O of their own).
pub struct HostView<'a> {
    /// Environment variables as the ssh process will see them.
    pub env: &'a dyn Fn(&str) -> Option<String>,
    /// `getpwuid(getuid())->pw_dir`, where the host has one.
    pub passwd_home: Option<&'a Path>,
    /// Whether a directory exists.
    pub is_dir: &'a dyn Fn(&Path) -> bool,
}

/// A file location a build's rules cannot name from what the host told us.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot tell where ssh looks: {0}")]
pub struct Unknown(pub String);

impl SshBuild {
    /// Homebrew's OpenSSH under `prefix` (`brew --prefix`): `--sysconfdir=#{etc}/ssh`.
    pub fn homebrew(prefix: &Path) -> SshBuild {
        SshBuild::Unix {
            sysconfdir: prefix.join("etc").join("ssh"),
        }
    }

    /// The build a Unix program file is, from where it really lives
    /// (`canonical`: its path with every link resolved). Homebrew keeps a
    /// formula in `<prefix>/Cellar/<formula>/<version>/` and links its
    /// programs into `<prefix>/bin` and `<prefix>/opt/<formula>/bin`, so
    /// an ssh in `Cellar/openssh…/<version>/bin/` is Homebrew's under that
    /// prefix ([`SshBuild::homebrew`]); `None` for any other place (the
    /// build's own sysconfdir holds).
    pub fn for_unix_program(canonical: &Path) -> Option<SshBuild> {
        let parts: Vec<_> = canonical.components().collect();
        let cellar = parts.iter().rposition(|c| c.as_os_str() == "Cellar")?;
        let tail = &parts[cellar + 1..];
        let formula = tail.first()?.as_os_str().to_str()?;
        let keg = tail.len() == 4 && tail[2].as_os_str() == "bin";
        (keg && formula.starts_with("openssh") && cellar > 0).then(|| {
            let prefix: PathBuf = parts[..cellar].iter().collect();
            SshBuild::homebrew(&prefix)
        })
    }

    /// The build a Windows program path names, when the path alone decides it:
    /// `…\OpenSSH\ssh.exe` is Win32-OpenSSH, `<root>\usr\bin\ssh.exe` is Git
    /// for Windows' when `<root>\cmd\git.exe` exists (a bare MSYS2 tree
    /// has other home rules); `ssh` without `.exe` is the same file.
    pub fn for_windows_program(path: &str, exists: &dyn Fn(&Path) -> bool) -> Option<SshBuild> {
        let parts: Vec<&str> = path.split(['\\', '/']).collect();
        let mut lower: Vec<String> = parts.iter().map(|p| p.to_ascii_lowercase()).collect();
        if let Some(last) = lower.last_mut()
            && last == "ssh"
        {
            last.push_str(".exe");
        }
        let tail = |names: &[&str]| {
            lower.len() > names.len() && lower[lower.len() - names.len()..] == *names
        };
        if tail(&["openssh", "ssh.exe"]) {
            return Some(SshBuild::Win32);
        }
        if tail(&["usr", "bin", "ssh.exe"]) {
            let root = parts[..parts.len() - 3].join("\\");
            let git = format!("{root}\\cmd\\git.exe");
            return exists(Path::new(&git)).then(|| SshBuild::GitForWindows { root: root.into() });
        }
        None
    }

    /// The home directory the build reads `~/.ssh/config` from (its `pw_dir`).
    pub fn home(&self, host: &HostView) -> Result<PathBuf, Unknown> {
        match self {
            // ssh.c: `pw->pw_dir` from getpwuid(getuid()); $HOME is not consulted.
            SshBuild::Unix { .. } => host
                .passwd_home
                .map(Path::to_path_buf)
                .ok_or_else(|| Unknown("no passwd entry for this user".into())),
            SshBuild::GitForWindows { root } => git_for_windows_home(root, host),
            // win32compat/pwd.c: ProfileList\<SID>\ProfileImagePath, HOME ignored.
            // USERPROFILE is what Windows sets from that same profile path.
            SshBuild::Win32 => (host.env)("USERPROFILE")
                .filter(|p| !p.is_empty())
                .map(PathBuf::from)
                .ok_or_else(|| Unknown("USERPROFILE is not set".into())),
        }
    }

    /// The user config file: `<home>/.ssh/config`, as ssh.c joins it.
    pub fn user_config(&self, host: &HostView) -> Result<PathBuf, Unknown> {
        let home = self.home(host)?;
        Ok(match self {
            SshBuild::Unix { .. } => home.join(".ssh").join("config"),
            // Both Windows builds open `<pw_dir>/.ssh/config`; the native form
            // of that path uses backslashes.
            _ => PathBuf::from(format!("{}\\.ssh\\config", home.display())),
        })
    }

    /// The system-wide file, read after the user file (not with `-F`).
    pub fn system_config(&self, host: &HostView) -> Result<PathBuf, Unknown> {
        match self {
            SshBuild::Unix { sysconfdir } => Ok(sysconfdir.join("ssh_config")),
            // MSYS2's openssh PKGBUILD: --sysconfdir=/etc/ssh, and / is Git's root.
            SshBuild::GitForWindows { root } => Ok(PathBuf::from(format!(
                "{}\\etc\\ssh\\ssh_config",
                root.display()
            ))),
            // config.h.vs: SSHDIR "__PROGRAMDATA__\\ssh"; w32fd.c reads %ProgramData%.
            SshBuild::Win32 => (host.env)("ProgramData")
                .filter(|p| !p.is_empty())
                .map(|p| PathBuf::from(format!("{p}\\ssh\\ssh_config")))
                .ok_or_else(|| Unknown("ProgramData is not set (ssh.exe would stop)".into())),
        }
    }

    /// The permission check the build makes on the user file and `Include`d files.
    pub fn config_check(&self) -> ConfigCheck {
        match self {
            SshBuild::Unix { .. } => ConfigCheck::OwnerAndMode,
            SshBuild::GitForWindows { .. } => ConfigCheck::EmulatedOwnerAndMode,
            SshBuild::Win32 => ConfigCheck::WindowsAcl,
        }
    }
}

/// The ssh build git runs for `program` (the first word of its ssh
/// command: `ssh`, or a path) on a Windows host, named by
/// [`SshBuild::for_windows_program`]: a name is the first on the `PATH`
/// git gives its commands ([`git_child_path`], found as
/// [`windows_path_lookup`] does); a Windows path is itself; a POSIX path
/// (`/usr/bin/ssh`, as Git's `sh` reads `core.sshCommand`) is the MSYS
/// runtime's, in the tree of the git on `PATH`.
pub fn windows_ssh(
    program: &str,
    host: &HostView,
    is_file: &dyn Fn(&Path) -> bool,
) -> Result<SshBuild, Unknown> {
    let env = host.env;
    let path = env("PATH").unwrap_or_default();
    let git = windows_path_lookup(&path, "git", is_file);
    let native = match program.starts_with('/') {
        true => {
            let (root, _) = git.as_deref().and_then(git_root).ok_or_else(|| {
                Unknown(format!(
                    "{program} is an MSYS path and no Git for Windows is on PATH"
                ))
            })?;
            msys_to_windows(program, Path::new(root))
                .ok_or_else(|| Unknown(format!("{program} is an MSYS path without a fixed place")))?
                .display()
                .to_string()
        }
        false => program.to_string(),
    };
    let path = git_child_path(env, &path, git.as_deref());
    let ssh = windows_path_lookup(&path, &native, is_file)
        .ok_or_else(|| Unknown(format!("no {program} on the PATH git runs commands with")))?;
    SshBuild::for_windows_program(&ssh, is_file)
        .ok_or_else(|| Unknown(format!("{ssh} is an ssh build pushguard does not know")))
}

/// The program Git for Windows runs for `cmd` (mingw.c `path_lookup`,
/// `lookup_prog`): in each `;`-separated `PATH` directory,
/// `<dir>\<cmd>.exe` (unless `cmd` ends in `.exe`), then `<dir>\<cmd>`;
/// a name with a slash or backslash is not looked up. (MinGit's busybox
/// applets, the last resort there, are not modelled.)
pub fn windows_path_lookup(
    path: &str,
    cmd: &str,
    is_file: &dyn Fn(&Path) -> bool,
) -> Option<String> {
    if cmd.contains(['/', '\\']) {
        return Some(cmd.to_string());
    }
    let b = cmd.as_bytes();
    let is_exe = b.len() >= 4 && b[b.len() - 4..].eq_ignore_ascii_case(b".exe");
    path.split(';').filter(|d| !d.is_empty()).find_map(|dir| {
        let exe = format!("{dir}\\{cmd}.exe");
        if !is_exe && is_file(Path::new(&exe)) {
            return Some(exe);
        }
        let bare = format!("{dir}\\{cmd}");
        is_file(Path::new(&bare)).then_some(bare)
    })
}

/// The `PATH` git.exe (at `git_exe`) gives the commands it runs (mingw.c
/// `setup_windows_environment`): unchanged when `MSYSTEM` is set (a Git
/// Bash, or git itself, set it up); else `<HOME>\bin;<root>\<mingw>\bin;<root>\usr\bin;`
/// go first, where `root` is git.exe's directory less `\<mingw>\bin`,
/// `\<mingw>\libexec\git-core`, `\cmd`, `\bin` or `\libexec\git-core`
/// (`append_system_bin_dirs`; `<mingw>` is `mingw64`, or `clangarm64` on ARM).
pub fn git_child_path(
    env: &dyn Fn(&str) -> Option<String>,
    path: &str,
    git_exe: Option<&str>,
) -> String {
    if env("MSYSTEM").is_some_and(|m| !m.is_empty()) {
        return path.to_string();
    }
    let mut front = String::new();
    if let Some(home) = env("HOME") {
        front.push_str(&format!("{home}\\bin;"));
    }
    if let Some((root, mingw)) = git_exe.and_then(git_root) {
        front.push_str(&format!("{root}\\{mingw}\\bin;{root}\\usr\\bin;"));
    }
    front + path
}

/// Git's install tree and its MinGW prefix, from git.exe's path.
fn git_root(git_exe: &str) -> Option<(&str, &'static str)> {
    let dir = &git_exe[..git_exe.rfind(['\\', '/'])?];
    let lower = dir.to_ascii_lowercase();
    let strip = |suffix: &str| {
        lower
            .ends_with(suffix)
            .then(|| &dir[..dir.len() - suffix.len()])
    };
    for mingw in ["mingw64", "clangarm64", "mingw32"] {
        for tail in ["bin", "libexec\\git-core"] {
            if let Some(root) = strip(&format!("\\{mingw}\\{tail}")) {
                return Some((root, mingw));
            }
        }
    }
    ["\\cmd", "\\bin", "\\libexec\\git-core"]
        .into_iter()
        .find_map(&strip)
        .map(|root| (root, "mingw64"))
}

/// Git for Windows' ssh: `pw_dir` comes from `db_home: env windows`
/// (`/etc/nsswitch.conf`), i.e. `$HOME` — which git.exe sets before it runs
/// ssh (mingw.c: `HOMEDRIVE``HOMEPATH` when that is a directory outside
/// system32, else `USERPROFILE`).
fn git_for_windows_home(root: &Path, host: &HostView) -> Result<PathBuf, Unknown> {
    let env = host.env;
    if let Some(home) = env("HOME") {
        return msys_to_windows(&home, root)
            .ok_or_else(|| Unknown(format!("HOME={home} is an MSYS path without a fixed place")));
    }
    if let (Some(drive), Some(path)) = (env("HOMEDRIVE"), env("HOMEPATH")) {
        let joined = format!("{drive}{path}");
        let system32 = joined.to_ascii_lowercase().contains("\\system32");
        if !system32 && (host.is_dir)(Path::new(&joined)) {
            return Ok(joined.into());
        }
    }
    env("USERPROFILE")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .ok_or_else(|| Unknown("none of HOME, HOMEDRIVE/HOMEPATH, USERPROFILE is set".into()))
}

/// A path as the MSYS2 runtime maps it to Windows under Git's fstab
/// (`none / cygdrive binary,posix=0,noacl,user`): Windows forms stay, `/c/x`
/// is `C:\x`, `//srv/share` is UNC, other absolute paths are under `root`;
/// `/tmp` (a `usertemp` mount in newer trees) and relative paths: `None`.
fn msys_to_windows(path: &str, root: &Path) -> Option<PathBuf> {
    let b = path.as_bytes();
    if b.len() >= 2 && b[1] == b':' || path.starts_with('\\') {
        return Some(path.into());
    }
    if let Some(rest) = path.strip_prefix("//") {
        return Some(format!("\\\\{}", rest.replace('/', "\\")).into());
    }
    let rest = path.strip_prefix('/')?;
    let (first, tail) = rest.split_once('/').unwrap_or((rest, ""));
    if first.len() == 1 && first.as_bytes()[0].is_ascii_alphabetic() {
        let drive = first.to_ascii_uppercase();
        return Some(format!("{drive}:\\{}", tail.replace('/', "\\")).into());
    }
    if first == "tmp" {
        return None;
    }
    let mut out = root.display().to_string();
    for part in rest.split('/').filter(|p| !p.is_empty()) {
        out.push('\\');
        out.push_str(part);
    }
    Some(out.into())
}

/// A number as the C library's `strtol`/`atoi` start reading it: white
/// space (`isspace`), an optional sign, then digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CNumber<'a> {
    /// A `-` sign.
    pub negative: bool,
    /// The digits.
    pub digits: &'a [u8],
    /// What follows them.
    pub rest: &'a [u8],
}

/// Splits `s` like the C library's number parsers.
pub(crate) fn c_number(s: &[u8]) -> CNumber<'_> {
    let space = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r');
    let mut i = s.iter().take_while(|b| space(b)).count();
    let negative = s.get(i) == Some(&b'-');
    if matches!(s.get(i), Some(b'+' | b'-')) {
        i += 1;
    }
    let after = &s[i.min(s.len())..];
    let n = after.iter().take_while(|b| b.is_ascii_digit()).count();
    CNumber {
        negative,
        digits: &after[..n],
        rest: &after[n..],
    }
}

/// One file `ssh -v -G` says it read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRead {
    /// The path as ssh printed it (built by ssh: `C:\Users\me/.ssh/config` on Win32).
    pub path: String,
    /// True when the path is 200 bytes long: ssh prints at most 200 (`%.200s`).
    pub maybe_truncated: bool,
}

/// The config files named by `ssh -v -G host`'s `debug1: Reading configuration
/// data <path>` lines, in the order ssh opened them (Includes among them; a
/// second pass for `Match final` repeats them). readconf.c prints the line
/// only for a file it opened and accepted; missing files are not named.
pub fn files_read(stderr: &str) -> Vec<FileRead> {
    const MARK: &str = "debug1: Reading configuration data ";
    stderr
        .lines()
        .filter_map(|l| l.trim_end_matches('\r').strip_prefix(MARK))
        .map(|p| FileRead {
            path: p.to_string(),
            maybe_truncated: p.len() == 200,
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn view<'a>(
        env: &'a dyn Fn(&str) -> Option<String>,
        passwd_home: Option<&'a Path>,
        is_dir: &'a dyn Fn(&Path) -> bool,
    ) -> HostView<'a> {
        HostView {
            env,
            passwd_home,
            is_dir,
        }
    }

    /// An environment of fixed variables (also for other modules' tests).
    pub(crate) fn env_of(
        pairs: &'static [(&'static str, &'static str)],
    ) -> impl Fn(&str) -> Option<String> {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    // C's isspace, sign, digits (strtol and atoi share the start).
    #[test]
    fn c_number_prefix() {
        let n = c_number(b" \x0b-12x");
        assert_eq!(
            (n.negative, n.digits, n.rest),
            (true, &b"12"[..], &b"x"[..])
        );
        let n = c_number(b"+");
        assert_eq!((n.negative, n.digits, n.rest), (false, &b""[..], &b""[..]));
    }

    fn no_dir(_: &Path) -> bool {
        false
    }

    // OpenSSH 10.3p1 ssh.c process_config_files: "%s/%s" of pw->pw_dir and
    // _PATH_SSH_USER_CONFFILE, then _PATH_HOST_CONFIG_FILE = SSHDIR "/ssh_config".
    #[test]
    fn unix_uses_passwd_home_not_home_variable() {
        let env = env_of(&[("HOME", "/tmp/elsewhere")]);
        let build = SshBuild::Unix {
            sysconfdir: "/etc/ssh".into(),
        };
        let h = view(&env, Some(Path::new("/home/u")), &no_dir);
        assert_eq!(
            build.user_config(&h),
            Ok(PathBuf::from("/home/u/.ssh/config"))
        );
        assert_eq!(
            build.system_config(&h),
            Ok(PathBuf::from("/etc/ssh/ssh_config"))
        );
        assert_eq!(build.config_check(), ConfigCheck::OwnerAndMode);
        assert!(build.home(&view(&env, None, &no_dir)).is_err());
    }

    // Homebrew/homebrew-core Formula/o/openssh.rb: --sysconfdir=#{etc}/ssh.
    #[test]
    fn homebrew_reads_its_prefix_etc() {
        let env = env_of(&[]);
        let h = view(&env, Some(Path::new("/Users/u")), &no_dir);
        assert_eq!(
            SshBuild::homebrew(Path::new("/opt/homebrew")).system_config(&h),
            Ok(PathBuf::from("/opt/homebrew/etc/ssh/ssh_config"))
        );
    }

    // Homebrew/brew Library/Homebrew/formula.rb: a keg is
    // HOMEBREW_CELLAR/<name>/<version> (HOMEBREW_CELLAR = <prefix>/Cellar),
    // `etc` is HOMEBREW_PREFIX/etc, shared by every keg; `brew link` puts
    // <prefix>/bin/ssh -> ../Cellar/openssh/<version>/bin/ssh.
    #[test]
    fn homebrew_is_told_by_its_cellar() {
        let brew = |p: &str| SshBuild::for_unix_program(Path::new(p));
        for (program, prefix) in [
            (
                "/opt/homebrew/Cellar/openssh/10.0p2/bin/ssh",
                "/opt/homebrew",
            ),
            ("/usr/local/Cellar/openssh/9.9p2_1/bin/ssh", "/usr/local"),
            (
                "/home/linuxbrew/.linuxbrew/Cellar/openssh/10.0p2/bin/ssh",
                "/home/linuxbrew/.linuxbrew",
            ),
        ] {
            assert_eq!(
                brew(program),
                Some(SshBuild::homebrew(Path::new(prefix))),
                "{program}"
            );
        }
        assert_eq!(
            brew("/opt/homebrew/Cellar/openssh/10.0p2/bin/ssh"),
            Some(SshBuild::Unix {
                sysconfdir: "/opt/homebrew/etc/ssh".into()
            })
        );
        for other in [
            "/usr/bin/ssh",
            "/opt/homebrew/bin/ssh",
            "/opt/homebrew/Cellar/git/2.55.0/bin/ssh",
            "/opt/homebrew/Cellar/openssh/10.0p2/libexec/ssh",
        ] {
            assert_eq!(brew(other), None, "{other}");
        }
    }

    // git-for-windows/git-sdk-64 etc/nsswitch.conf: "db_home: env windows";
    // git-for-windows/msys2-runtime winsup/cygwin/uinfo.cc fetch_home_env:
    // HOME (converted from its Windows form), then HOMEDRIVE+HOMEPATH, then
    // USERPROFILE; msys2/MSYS2-packages openssh/PKGBUILD: --sysconfdir=/etc/ssh.
    #[test]
    fn git_for_windows_follows_home_and_its_own_tree() {
        let build = SshBuild::GitForWindows {
            root: r"C:\Program Files\Git".into(),
        };
        let env = env_of(&[("HOME", "/c/Users/me"), ("USERPROFILE", r"C:\Users\other")]);
        let h = view(&env, None, &no_dir);
        assert_eq!(
            build.user_config(&h),
            Ok(PathBuf::from(r"C:\Users\me\.ssh\config"))
        );
        assert_eq!(
            build.system_config(&h),
            Ok(PathBuf::from(r"C:\Program Files\Git\etc\ssh\ssh_config"))
        );
        let env = env_of(&[("HOME", r"D:\home")]);
        assert_eq!(
            build.home(&view(&env, None, &no_dir)),
            Ok(PathBuf::from(r"D:\home"))
        );
        let env = env_of(&[("HOME", "/home/me")]);
        assert_eq!(
            build.home(&view(&env, None, &no_dir)),
            Ok(PathBuf::from(r"C:\Program Files\Git\home\me"))
        );
        let env = env_of(&[("HOME", "/tmp/h")]);
        assert!(build.home(&view(&env, None, &no_dir)).is_err());
        assert_eq!(build.config_check(), ConfigCheck::EmulatedOwnerAndMode);
    }

    // git-for-windows/git compat/mingw.c: HOME unset → HOMEDRIVE HOMEPATH when
    // it is a directory and not system32, else USERPROFILE.
    #[test]
    fn git_for_windows_without_home_takes_gits_rule() {
        let build = SshBuild::GitForWindows {
            root: r"C:\Git".into(),
        };
        let env = env_of(&[
            ("HOMEDRIVE", "H:"),
            ("HOMEPATH", r"\me"),
            ("USERPROFILE", r"C:\Users\me"),
        ]);
        let yes = |_: &Path| true;
        assert_eq!(
            build.home(&view(&env, None, &yes)),
            Ok(PathBuf::from(r"H:\me"))
        );
        assert_eq!(
            build.home(&view(&env, None, &no_dir)),
            Ok(PathBuf::from(r"C:\Users\me"))
        );
        let env = env_of(&[
            ("HOMEDRIVE", "C:"),
            ("HOMEPATH", r"\Windows\System32"),
            ("USERPROFILE", r"C:\Users\me"),
        ]);
        assert_eq!(
            build.home(&view(&env, None, &yes)),
            Ok(PathBuf::from(r"C:\Users\me"))
        );
    }

    // PowerShell/openssh-portable contrib/win32/win32compat/pwd.c (ProfileList
    // ProfileImagePath), w32fd.c (%ProgramData%), config.h.vs (SSHDIR),
    // readconf.c + w32-sshfileperm.c check_secure_file_permission.
    #[test]
    fn win32_ignores_home() {
        let env = env_of(&[
            ("HOME", "/c/Users/git-home"),
            ("USERPROFILE", r"C:\Users\me"),
            ("ProgramData", r"C:\ProgramData"),
        ]);
        let h = view(&env, None, &no_dir);
        assert_eq!(
            SshBuild::Win32.user_config(&h),
            Ok(PathBuf::from(r"C:\Users\me\.ssh\config"))
        );
        assert_eq!(
            SshBuild::Win32.system_config(&h),
            Ok(PathBuf::from(r"C:\ProgramData\ssh\ssh_config"))
        );
        assert_eq!(SshBuild::Win32.config_check(), ConfigCheck::WindowsAcl);
        let env = env_of(&[]);
        assert!(
            SshBuild::Win32
                .system_config(&view(&env, None, &no_dir))
                .is_err()
        );
    }

    #[test]
    fn names_the_build_from_a_windows_path() {
        let git = |p: &Path| p == Path::new(r"C:\Program Files\Git\cmd\git.exe");
        assert_eq!(
            SshBuild::for_windows_program(r"C:\Windows\System32\OpenSSH\ssh.exe", &git),
            Some(SshBuild::Win32)
        );
        assert_eq!(
            SshBuild::for_windows_program(r"C:\Program Files\Git\usr\bin\ssh.exe", &git),
            Some(SshBuild::GitForWindows {
                root: r"C:\Program Files\Git".into()
            })
        );
        assert_eq!(
            SshBuild::for_windows_program(r"C:\msys64\usr\bin\ssh.exe", &git),
            None
        );
        assert_eq!(SshBuild::for_windows_program("ssh.exe", &git), None);
    }

    /// A file probe over a fixed set of Windows paths.
    fn files(set: &'static [&'static str]) -> impl Fn(&Path) -> bool {
        move |p| set.iter().any(|f| Path::new(f) == p)
    }

    // git-for-windows/git compat/mingw.c lookup_prog: "<dir>\<cmd>.exe"
    // first (not for a name ending in .exe), then "<dir>\<cmd>" when it is not
    // a directory; path_lookup: ';'-separated, empty entries skipped, no
    // lookup for a name with a slash or backslash.
    #[test]
    fn windows_path_lookup_follows_mingw() {
        let f = files(&[r"C:\a\ssh", r"C:\b\ssh.exe", r"C:\b\ssh", r"C:\c\tool.exe"]);
        assert_eq!(
            windows_path_lookup(r";C:\b;C:\a", "ssh", &f).as_deref(),
            Some(r"C:\b\ssh.exe")
        );
        assert_eq!(
            windows_path_lookup(r"C:\a;C:\b", "ssh", &f).as_deref(),
            Some(r"C:\a\ssh")
        );
        assert_eq!(
            windows_path_lookup(r"C:\c", "tool.exe", &f).as_deref(),
            Some(r"C:\c\tool.exe")
        );
        assert_eq!(windows_path_lookup(r"C:\c", "ssh", &f), None);
        assert_eq!(
            windows_path_lookup("", "C:/x/ssh", &f).as_deref(),
            Some("C:/x/ssh")
        );
    }

    // git-for-windows/git compat/mingw.c setup_windows_environment (with
    // ENSURE_MSYSTEM_IS_SET) and append_system_bin_dirs.
    #[test]
    fn git_puts_its_own_bin_dirs_first_unless_msystem_is_set() {
        let env = env_of(&[("HOME", r"C:\Users\me")]);
        let want = r"C:\Users\me\bin;C:\Program Files\Git\mingw64\bin;C:\Program Files\Git\usr\bin;C:\Windows";
        for git in [
            r"C:\Program Files\Git\cmd\git.exe",
            r"C:\Program Files\Git\mingw64\bin\git.exe",
            r"C:\Program Files\Git\mingw64\libexec\git-core\git.exe",
        ] {
            assert_eq!(git_child_path(&env, r"C:\Windows", Some(git)), want);
        }
        assert_eq!(
            git_child_path(&env, "P", Some(r"D:\Git\clangarm64\bin\git.exe")),
            r"C:\Users\me\bin;D:\Git\clangarm64\bin;D:\Git\usr\bin;P"
        );
        assert_eq!(
            git_child_path(&env, "P", Some(r"D:\tools\git.exe")),
            r"C:\Users\me\bin;P"
        );
        let bash = env_of(&[("MSYSTEM", "MINGW64"), ("HOME", r"C:\Users\me")]);
        assert_eq!(git_child_path(&bash, "P", Some(r"C:\Git\cmd\git.exe")), "P");
    }

    // From PowerShell, PATH has Git's cmd and Windows' OpenSSH, and git.exe
    // puts its usr\bin in front: Git's ssh runs. In Git Bash (MSYSTEM set)
    // PATH decides as it is.
    #[test]
    fn the_default_ssh_is_the_one_git_finds() {
        let f = files(&[
            r"C:\Windows\System32\OpenSSH\ssh.exe",
            r"C:\Program Files\Git\cmd\git.exe",
            r"C:\Program Files\Git\usr\bin\ssh.exe",
        ]);
        let powershell = env_of(&[(
            "PATH",
            r"C:\Windows\System32\OpenSSH;C:\Program Files\Git\cmd",
        )]);
        let h = view(&powershell, None, &no_dir);
        assert_eq!(
            windows_ssh("ssh", &h, &f),
            Ok(SshBuild::GitForWindows {
                root: r"C:\Program Files\Git".into()
            })
        );
        let bash = env_of(&[
            ("MSYSTEM", "MINGW64"),
            (
                "PATH",
                r"C:\Windows\System32\OpenSSH;C:\Program Files\Git\usr\bin",
            ),
        ]);
        let h = view(&bash, None, &no_dir);
        assert_eq!(windows_ssh("ssh", &h, &f), Ok(SshBuild::Win32));
        let none = env_of(&[("MSYSTEM", "MINGW64"), ("PATH", r"C:\Windows")]);
        assert!(windows_ssh("ssh", &view(&none, None, &no_dir), &f).is_err());
    }

    // core.sshCommand or GIT_SSH naming a build: a Windows path is taken as
    // it is (mingw.c path_lookup looks up no name with a slash); a POSIX
    // path is what Git's sh (MSYS2) opens, under Git's fstab (`/` is Git's
    // tree, `/c/` the drive); msys2-runtime path.cc also tries `ssh.exe`
    // for `ssh`.
    #[test]
    fn a_named_ssh_is_that_build() {
        let f = files(&[
            r"C:\Windows\System32\OpenSSH\ssh.exe",
            r"C:\Program Files\Git\cmd\git.exe",
            r"C:\Program Files\Git\usr\bin\ssh.exe",
        ]);
        let git = SshBuild::GitForWindows {
            root: r"C:\Program Files\Git".into(),
        };
        let powershell = env_of(&[(
            "PATH",
            r"C:\Windows\System32\OpenSSH;C:\Program Files\Git\cmd",
        )]);
        let h = view(&powershell, None, &no_dir);
        for (program, want) in [
            ("ssh", git.clone()),
            ("C:/Windows/System32/OpenSSH/ssh.exe", SshBuild::Win32),
            (r"C:\WINDOWS\System32\OpenSSH\ssh", SshBuild::Win32),
            ("/c/Windows/System32/OpenSSH/ssh.exe", SshBuild::Win32),
            ("/usr/bin/ssh", git.clone()),
            ("/usr/bin/ssh.exe", git.clone()),
            ("C:/Program Files/Git/usr/bin/ssh.exe", git.clone()),
        ] {
            assert_eq!(windows_ssh(program, &h, &f), Ok(want), "{program}");
        }
        // What no rule places: say so.
        for program in ["D:/tools/ssh.exe", "/tmp/ssh", "plink"] {
            assert!(windows_ssh(program, &h, &f).is_err(), "{program}");
        }
        let no_git = env_of(&[("PATH", r"C:\Windows\System32\OpenSSH")]);
        let h = view(&no_git, None, &no_dir);
        assert!(windows_ssh("/usr/bin/ssh", &h, &f).is_err());
        assert_eq!(
            windows_ssh("/c/Windows/System32/OpenSSH/ssh.exe", &h, &f),
            Err(Unknown(
                "/c/Windows/System32/OpenSSH/ssh.exe is an MSYS path and no Git for Windows is on PATH".into()
            ))
        );
    }

    // OpenSSH 10.3p1 readconf.c read_config_file_depth: debug("Reading
    // configuration data %.200s", filename) after fopen and the permission check.
    #[test]
    fn reads_the_verbose_file_list() {
        let long = "/".repeat(200);
        let err = format!(
            "OpenSSH_10.3p1, OpenSSL 3.5\r\ndebug1: Reading configuration data C:\\Users\\me/.ssh/config\r\n\
             debug1: Reading configuration data /etc/ssh/ssh_config\n\
             debug1: /etc/ssh/ssh_config line 19: include /etc/ssh/ssh_config.d/*.conf matched no files\n\
             debug1: Reading configuration data {long}\n"
        );
        let files = files_read(&err);
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                r"C:\Users\me/.ssh/config",
                "/etc/ssh/ssh_config",
                long.as_str()
            ]
        );
        assert_eq!(
            files.iter().map(|f| f.maybe_truncated).collect::<Vec<_>>(),
            [false, false, true]
        );
    }
}
