//! Where a host keeps PuTTY's saved sessions ([`Store`]: a directory of
//! session files or the registry), reading one (the file, or `reg.exe
//! query` value by value), and PuTTY's choice of the session a tool loads,
//! with its interval.

use std::path::{Path, PathBuf};

use super::{
    Choice, DEFAULT_SESSION, FORCE_ON, Keepalive, Location, RegValue, Session, Setting, Unreadable,
    file_name, files, parse_query, query_argv, registry, session_key, sessions_dir,
};
use crate::platform::Platform;

/// Where PuTTY keeps saved sessions on a host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Store {
    /// One file per session in this directory (Unix PuTTY).
    Files(PathBuf),
    /// The registry, read with `reg.exe` (Windows PuTTY, TortoiseGitPlink).
    Registry,
}

impl Store {
    /// The store PuTTY uses on `platform`; on Unix, its session directory
    /// from the environment, the passwd home and which directories exist.
    pub fn for_platform(
        platform: Platform,
        env: &dyn Fn(&str) -> Option<String>,
        passwd_home: Option<&Path>,
        exists: &dyn Fn(&Path) -> bool,
    ) -> Store {
        match platform {
            Platform::Windows => Store::Registry,
            Platform::Unix => Store::Files(sessions_dir(env, passwd_home, exists)),
        }
    }

    /// Where the session `name` lives.
    pub fn location(&self, name: &str) -> Location {
        match self {
            Store::Files(dir) => Location::File(dir.join(file_name(name))),
            Store::Registry => Location::Key(session_key(name)),
        }
    }

    /// The keepalive the tool will use for `choice`, read from this store.
    pub fn keepalive(&self, choice: &Choice) -> Result<Keepalive, Unreadable> {
        self.resolve(choice, &mut |name| self.read(name))
    }

    /// The session `name` as stored here (`None`: there is none).
    fn read(&self, name: &str) -> Result<Option<Session>, Unreadable> {
        match self.location(name) {
            Location::File(path) => match std::fs::read(&path) {
                Ok(text) => files::parse(&text)
                    .map(Some)
                    .map_err(|reason| Unreadable::File { path, reason }),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(Unreadable::File {
                    path,
                    reason: e.to_string(),
                }),
            },
            Location::Key(key) => read_key(&key),
        }
    }

    /// PuTTY's choice of session and its interval, with `read` for the store.
    fn resolve(
        &self,
        choice: &Choice,
        read: &mut dyn FnMut(&str) -> Result<Option<Session>, Unreadable>,
    ) -> Result<Keepalive, Unreadable> {
        let (name, session) = match choice {
            Choice::Load(name) => (name.clone(), read(name)?),
            Choice::HostOrDefault(host) if !host.is_empty() => match read(host)? {
                Some(s) if self.launchable(host, &s)? => (host.clone(), Some(s)),
                _ => (DEFAULT_SESSION.to_string(), read(DEFAULT_SESSION)?),
            },
            Choice::HostOrDefault(_) | Choice::Default => {
                (DEFAULT_SESSION.to_string(), read(DEFAULT_SESSION)?)
            }
        };
        let location = self.location(&name);
        let bad = |reason: String| Unreadable::Value {
            session: name.clone(),
            location: location.clone(),
            reason,
        };
        let session = session.as_ref();
        let from: Vec<Setting> = session
            .into_iter()
            .flat_map(|s| [s.minutes.clone(), s.seconds.clone()])
            .flatten()
            .collect();
        let total: i64 = from
            .iter()
            .map(|s| {
                if s.name == "PingInterval" {
                    s.value * 60
                } else {
                    s.value
                }
            })
            .sum();
        if i32::try_from(total).is_err() {
            return Err(bad(format!("the interval {total} s overflows PuTTY's int")));
        }
        let interval =
            u64::try_from(total).map_err(|_| bad(format!("a negative interval ({total} s)")))?;
        let suppressed = session
            .and_then(|s| s.ignore_bug.clone())
            .filter(|b| b.value == FORCE_ON);
        Ok(Keepalive {
            interval,
            exists: session.is_some(),
            session: name,
            location,
            from,
            suppressed,
        })
    }

    /// cmdline.c: a host-named session is used when `conf_launchable` holds.
    fn launchable(&self, name: &str, s: &Session) -> Result<bool, Unreadable> {
        if s.protocol.as_deref() == Some("serial") {
            return Err(Unreadable::Value {
                session: name.to_string(),
                location: self.location(name),
                reason: "a serial-line session".into(),
            });
        }
        Ok(s.has_host_name)
    }
}

/// Reads the five values of a session key with `reg.exe query`, one each.
/// `reg` exits 1 both for a missing value and a refused read (only its
/// localized message tells); in the user's own HKCU a refusal is not
/// expected, so exit 1 with nothing printed is taken as "missing".
fn read_key(key: &str) -> Result<Option<Session>, Unreadable> {
    let query = |name: &'static str| -> Result<Option<RegValue>, Unreadable> {
        let fail = |reason: String| Unreadable::Registry {
            key: key.to_string(),
            name,
            reason,
        };
        let argv = query_argv(key, name);
        let reg = std::env::var("SystemRoot")
            .map(|r| format!(r"{r}\System32\reg.exe"))
            .unwrap_or_else(|_| "reg".into());
        let out = crate::process::ProcessBuilder::new(reg)
            .args(&argv[1..])
            .timeout(std::time::Duration::from_secs(10))
            .output()
            .map_err(|e| fail(e.to_string()))?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        match (out.status.code(), parse_query(&stdout, name)) {
            (Some(0), Some(v)) => Ok(Some(v)),
            (Some(1), None) => Ok(None),
            _ => Err(fail(format!(
                "reg query exited with {}: {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ))),
        }
    };
    let int = |name: &'static str| -> Result<Option<Setting>, Unreadable> {
        match query(name)? {
            Some(v) => registry::int_setting(name, &v).map_err(|reason| Unreadable::Registry {
                key: key.to_string(),
                name,
                reason,
            }),
            None => Ok(None),
        }
    };
    let host = query("HostName")?;
    let protocol = query("Protocol")?;
    let minutes = int("PingInterval")?;
    let seconds = int("PingIntervalSecs")?;
    let ignore_bug = int("BugIgnore2")?;
    let none = [&minutes, &seconds, &ignore_bug]
        .iter()
        .all(|v| v.is_none());
    if host.is_none() && protocol.is_none() && none {
        return Ok(None);
    }
    // get_reg_sz: only a REG_SZ is read.
    let string = |v: Option<RegValue>| v.filter(|v| v.kind == "REG_SZ").map(|v| v.data);
    Ok(Some(Session {
        has_host_name: string(host).is_some_and(|h| !h.is_empty()),
        protocol: string(protocol),
        minutes,
        seconds,
        ignore_bug,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::putty::{Fix, RegAdd, SESSIONS_KEY, Tool, choose_session};

    fn secs(value: i64, line: usize) -> Option<Setting> {
        Some(Setting {
            name: "PingIntervalSecs",
            raw: value.to_string(),
            value,
            line: Some(line),
        })
    }

    fn mins(value: i64) -> Option<Setting> {
        Some(Setting {
            name: "PingInterval",
            raw: value.to_string(),
            value,
            line: None,
        })
    }

    fn session(host: bool, minutes: Option<Setting>, seconds: Option<Setting>) -> Session {
        Session {
            has_host_name: host,
            protocol: None,
            minutes,
            seconds,
            ignore_bug: None,
        }
    }

    fn resolve(
        store: &Store,
        choice: Choice,
        sessions: &[(&str, Session)],
    ) -> Result<Keepalive, Unreadable> {
        store.resolve(&choice, &mut |n| {
            Ok(sessions
                .iter()
                .find(|(k, _)| *k == n)
                .map(|(_, s)| s.clone()))
        })
    }

    fn files() -> Store {
        Store::Files("/h/.putty/sessions".into())
    }

    // settings.c load_open_settings: PingInterval*60 + PingIntervalSecs.
    #[test]
    fn adds_minutes_and_seconds() {
        let k = resolve(
            &files(),
            Choice::Load("s".into()),
            &[("s", session(false, mins(1), secs(30, 4)))],
        )
        .unwrap();
        assert_eq!((k.interval, k.session.as_str(), k.exists), (90, "s", true));
        assert_eq!(
            k.to_string(),
            "PuTTY session \"s\" (/h/.putty/sessions/s): PingInterval=1, PingIntervalSecs=30 at line 4"
        );
        let k = resolve(
            &Store::Registry,
            Choice::Load("s".into()),
            &[("s", session(false, mins(2), None))],
        )
        .unwrap();
        assert_eq!(k.interval, 120);
        assert_eq!(
            k.to_string(),
            format!("PuTTY session \"s\" ({SESSIONS_KEY}\\s): PingInterval=2")
        );
    }

    // cmdline.c: the host-named session replaces the Conf only when
    // do_defaults finds it and conf_launchable holds; else Default Settings
    // (loaded first by plink.c's do_defaults(NULL)) stays.
    #[test]
    fn host_session_only_when_it_has_a_host_name() {
        let default = session(false, None, secs(0, 2));
        let with_host = session(true, None, secs(20, 1));
        let no_host = session(false, None, secs(20, 1));
        let k = resolve(
            &files(),
            Choice::HostOrDefault("h".into()),
            &[("h", with_host), (DEFAULT_SESSION, default.clone())],
        )
        .unwrap();
        assert_eq!((k.session.as_str(), k.interval), ("h", 20));
        let k = resolve(
            &files(),
            Choice::HostOrDefault("h".into()),
            &[("h", no_host), (DEFAULT_SESSION, default.clone())],
        )
        .unwrap();
        assert_eq!((k.session.as_str(), k.interval), (DEFAULT_SESSION, 0));
        let k = resolve(&files(), Choice::HostOrDefault("h".into()), &[]).unwrap();
        assert_eq!(
            (k.session.as_str(), k.interval, k.exists),
            (DEFAULT_SESSION, 0, false)
        );
        assert_eq!(
            k.to_string(),
            "PuTTY session \"Default Settings\" (/h/.putty/sessions/Default%20Settings): no such session, PuTTY's default (no keepalive)"
        );
    }

    // settings.c: a missing -load session still loads (PuTTY's defaults).
    #[test]
    fn load_of_a_missing_session_is_the_default() {
        let k = resolve(
            &Store::Registry,
            Choice::Load("gone".into()),
            &[(DEFAULT_SESSION, session(false, None, secs(30, 1)))],
        )
        .unwrap();
        assert_eq!((k.interval, k.exists), (0, false));
        assert_eq!(k.location, Location::Key(format!("{SESSIONS_KEY}\\gone")));
    }

    #[test]
    fn odd_totals_are_cannot_tell() {
        let neg = session(false, None, secs(-5, 1));
        assert!(resolve(&files(), Choice::Load("s".into()), &[("s", neg)]).is_err());
        let big = session(false, mins(40_000_000), None);
        assert!(resolve(&files(), Choice::Load("s".into()), &[("s", big)]).is_err());
        let serial = Session {
            protocol: Some("serial".into()),
            ..session(true, None, None)
        };
        assert!(
            resolve(
                &files(),
                Choice::HostOrDefault("s".into()),
                &[("s", serial)]
            )
            .is_err()
        );
    }

    // ssh/verstring.c: BugIgnore2 forced on (stored 2, conf-enums.h
    // auto_off_on) sets BUG_CHOKES_ON_SSH2_IGNORE, and ssh/connection2.c then
    // sends no SSH2_MSG_IGNORE for SS_PING; 0 (auto) and 1 (off) keep pings.
    #[test]
    fn bug_ignore2_forced_on_sends_no_pings() {
        let bug = |value: i64| Session {
            ignore_bug: Some(Setting {
                name: "BugIgnore2",
                raw: value.to_string(),
                value,
                line: Some(2),
            }),
            ..session(false, None, secs(30, 1))
        };
        let k = resolve(&files(), Choice::Load("s".into()), &[("s", bug(2))]).unwrap();
        assert_eq!((k.interval, k.pings()), (30, 0));
        assert_eq!(
            k.to_string(),
            "PuTTY session \"s\" (/h/.putty/sessions/s): PingIntervalSecs=30 at line 1; BugIgnore2=2 at line 2 (\"Chokes on SSH-2 ignore messages\" forced on): PuTTY sends no keepalive"
        );
        for value in [0, 1, 3] {
            let k = resolve(&files(), Choice::Load("s".into()), &[("s", bug(value))]).unwrap();
            assert_eq!((k.pings(), k.suppressed), (30, None), "{value}");
        }
    }

    #[test]
    fn fix_edits_the_loaded_session() {
        let k = resolve(
            &Store::Registry,
            Choice::Load("s".into()),
            &[("s", session(false, mins(5), secs(0, 1)))],
        )
        .unwrap();
        let Fix::Registry(adds) = k.fix(30, None) else {
            panic!("registry fix expected");
        };
        let cmds: Vec<String> = adds.iter().filter_map(RegAdd::powershell).collect();
        assert_eq!(
            cmds,
            [
                r"reg add 'HKCU\Software\SimonTatham\PuTTY\Sessions\s' /v PingIntervalSecs /t REG_DWORD /d 30 /f",
                r"reg add 'HKCU\Software\SimonTatham\PuTTY\Sessions\s' /v PingInterval /t REG_DWORD /d 0 /f",
            ]
        );
        let k = resolve(&files(), Choice::Default, &[]).unwrap();
        assert_eq!(
            k.fix(30, None),
            Fix::File {
                path: "/h/.putty/sessions/Default%20Settings".into(),
                exists: false,
                text: b"PingIntervalSecs=30\n".to_vec(),
            }
        );
    }

    #[test]
    fn store_for_platform() {
        let env = |k: &str| (k == "HOME").then(|| "/h".to_string());
        let none = |_: &Path| false;
        assert_eq!(
            Store::for_platform(Platform::Windows, &env, None, &none),
            Store::Registry
        );
        assert_eq!(
            Store::for_platform(Platform::Unix, &env, None, &none),
            Store::Files("/h/.putty/sessions".into())
        );
    }

    // Baseline: Debian's plink 0.78 (putty-tools 0.78-2+deb12u2) run with
    // HOME=<tmp>, `-batch -P 2222 -sshlog log ARGS "sleep 3"` against a
    // loopback sshd; "pings" counts SSH2_MSG_IGNORE packets it sent in 3 s.
    // Each row: session files, plink's arguments, pings seen, and the
    // interval pushguard must find (`Keepalive::pings`). The BugIgnore2 rows
    // were run the same way, with plink's own `-hostkey` and `-i`.
    #[test]
    fn baseline_plink_0_78() {
        type Row = (
            &'static [(&'static str, &'static str)],
            &'static [&'static str],
            u32,
            u64,
        );
        const D: &str = ".putty/sessions/Default%20Settings";
        const H: &str = ".putty/sessions/127.0.0.1";
        let rows: &[Row] = &[
            (&[(D, "PingIntervalSecs=1\n")], &["root@127.0.0.1"], 3, 1),
            (
                &[
                    (D, "PingIntervalSecs=1\n"),
                    (H, "HostName=127.0.0.1\nPingIntervalSecs=0\n"),
                ],
                &["root@127.0.0.1"],
                0,
                0,
            ),
            (
                &[(D, "PingIntervalSecs=1\n"), (H, "PingIntervalSecs=0\n")],
                &["root@127.0.0.1"],
                3,
                1,
            ),
            (
                &[
                    (D, "PingIntervalSecs=1\n"),
                    (H, "HostName=127.0.0.1\nPingIntervalSecs=0\n"),
                    (".putty/sessions/mine", "PingIntervalSecs=1\n"),
                ],
                &["-load", "mine", "root@127.0.0.1"],
                3,
                1,
            ),
            (
                &[(
                    H,
                    "HostName=127.0.0.1\nPingIntervalSecs=1\nPingIntervalSecs=0\n",
                )],
                &["root@127.0.0.1"],
                3,
                1,
            ),
            (
                &[(H, "HostName=127.0.0.1\r\nPingIntervalSecs=1\r\n")],
                &["root@127.0.0.1"],
                3,
                1,
            ),
            (
                &[(D, "PingIntervalSecs=1\n")],
                &["-load", "nosuch", "root@127.0.0.1"],
                0,
                0,
            ),
            (
                &[(
                    ".putty/sessions/sum",
                    "PingInterval=1\nPingIntervalSecs=-58\n",
                )],
                &["-load", "sum", "h"],
                1,
                2,
            ),
            (
                &[(".putty/sessions/atoi", "PingIntervalSecs=1 second\n")],
                &["-load", "atoi", "h"],
                3,
                1,
            ),
            (
                &[(".putty/sessions/a%20b", "PingIntervalSecs=1\n")],
                &["-load", "a b", "h"],
                3,
                1,
            ),
            (
                &[
                    (D, "PingIntervalSecs=1\n"),
                    (
                        ".config/putty/sessions/Default%20Settings",
                        "PingIntervalSecs=0\n",
                    ),
                ],
                &["root@127.0.0.1"],
                0,
                0,
            ),
            (
                &[(H, "HostName=127.0.0.1\nPingIntervalSecs=1\n")],
                &["ssh,root@127.0.0.1"],
                3,
                1,
            ),
            (
                &[(D, "PingIntervalSecs=1\nBugIgnore2=2\n")],
                &["root@127.0.0.1"],
                0,
                0,
            ),
            (
                &[(D, "PingIntervalSecs=1\nBugIgnore2=1\n")],
                &["root@127.0.0.1"],
                3,
                1,
            ),
            (
                &[(D, "PingIntervalSecs=1\nBugIgnore2=3\n")],
                &["root@127.0.0.1"],
                3,
                1,
            ),
        ];
        for (files, args, pings, want) in rows {
            let home = tempfile::tempdir().unwrap();
            for (path, text) in *files {
                let path = home.path().join(path);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(path, text).unwrap();
            }
            let home_str = home.path().display().to_string();
            let env = |k: &str| (k == "HOME").then(|| home_str.clone());
            let store = Store::for_platform(Platform::Unix, &env, None, &|p: &Path| p.is_dir());
            let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
            let choice = choose_session(Tool::Plink, &args).unwrap();
            let k = store.keepalive(&choice).unwrap();
            assert_eq!(k.pings(), *want, "{args:?} (plink sent {pings} pings)");
        }
    }

    // End to end through a real file: the Unix reader.
    #[test]
    fn reads_a_session_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::Files(dir.path().to_path_buf());
        std::fs::write(
            dir.path().join("Default%20Settings"),
            "PingInterval=0\nPingIntervalSecs=30\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("git.example.com"),
            "HostName=git.example.com\n",
        )
        .unwrap();
        let k = store
            .keepalive(&Choice::HostOrDefault("git.example.com".into()))
            .unwrap();
        assert_eq!((k.session.as_str(), k.interval), ("git.example.com", 0));
        let k = store
            .keepalive(&Choice::HostOrDefault("other".into()))
            .unwrap();
        assert_eq!((k.session.as_str(), k.interval), (DEFAULT_SESSION, 30));
        std::fs::create_dir(dir.path().join("dir")).unwrap();
        assert!(store.keepalive(&Choice::Load("dir".into())).is_err());
    }
}
