//! A PuTTY session in the Windows registry, changed as safely as a file:
//! the session key is exported first (`reg export KEY FILE /y`) to a backup
//! in the user's profile, named like every backup (`*.pushguard-backup`,
//! numbered when one exists); the values are set (`reg add`) and read back
//! (`reg query`), and when they do not read back as set the key is put back
//! (`reg import FILE`). A key that does not exist has nothing to export: the
//! values set are deleted again (`reg delete KEY /v NAME /f`), which leaves
//! at most an empty key, and PuTTY reads an empty session as its defaults,
//! as it reads a missing one (deleting the whole key could lose a session
//! whose export failed for another reason).
//!
//! The commands are made by the pure functions here and run by a [`Reg`]
//! runner, so the whole sequence, and each way it can fail, is tested on
//! any system; only the runner that starts `reg.exe` is Windows'.

use std::path::{Path, PathBuf};

use super::safe_write::backup_name;
use crate::putty::registry::int_setting;
use crate::putty::{RegAdd, Setting, parse_query, query_argv};

/// What one `reg` command answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// Its exit code (`None`: ended by a signal).
    pub code: Option<i32>,
    /// What it printed on stdout.
    pub stdout: String,
    /// What it printed on stderr.
    pub stderr: String,
}

/// Runs one `reg` command (`argv[0]` is `reg`); `Err`: it could not run.
pub type Reg<'a> = &'a mut dyn FnMut(&[String]) -> Result<Answer, String>;

/// The values that make PuTTY's interval, in the order they are read back.
const READ_BACK: [&str; 2] = ["PingInterval", "PingIntervalSecs"];

/// How a registry change ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Set and read back; the backup (`None`: the key did not exist).
    Applied {
        /// The exported key.
        backup: Option<PathBuf>,
        /// The values read back.
        read: Vec<Setting>,
    },
    /// Nothing was changed, for this reason.
    Untouched(String),
    /// Set, not read back as set, and put back.
    Restored {
        /// What went wrong.
        why: String,
        /// How the key was put back.
        how: String,
    },
    /// Not read back as set, and putting it back failed too.
    Stuck {
        /// What went wrong first.
        why: String,
        /// Why the key could not be put back.
        error: String,
        /// The command that puts it back by hand.
        by_hand: String,
    },
}

/// The backup file for session key `key` in `profile` (the user's profile
/// directory): `putty-<session>.reg.pushguard-backup`, or `.1`, `.2`… when
/// that exists. The session's name is kept as PuTTY escapes it, with any
/// byte Windows refuses in a file name escaped the same way (`%XX`).
pub fn backup_path(profile: &Path, key: &str) -> PathBuf {
    let session = key.rsplit('\\').next().unwrap_or(key);
    let mut name = String::from("putty-");
    for b in session.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.@%~+=,;".contains(&b) {
            name.push(char::from(b));
        } else {
            name.push_str(&format!("%{b:02X}"));
        }
    }
    name.push_str(".reg");
    backup_name(&profile.join(name))
}

fn argv(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| (*w).to_string()).collect()
}

/// `reg export KEY FILE /y`: the key and every value under it, to `file`.
pub fn export_argv(key: &str, file: &Path) -> Vec<String> {
    argv(&["reg", "export", key, &file.display().to_string(), "/y"])
}

/// `reg query KEY /ve`: exits 0 when the key exists (reads only its unnamed value).
pub fn exists_argv(key: &str) -> Vec<String> {
    argv(&["reg", "query", key, "/ve"])
}

/// `reg import FILE`: puts an exported key back.
pub fn import_argv(file: &Path) -> Vec<String> {
    argv(&["reg", "import", &file.display().to_string()])
}

/// `reg delete KEY /v NAME /f`: removes a value pushguard created.
pub fn delete_argv(key: &str, name: &str) -> Vec<String> {
    argv(&["reg", "delete", key, "/v", name, "/f"])
}

/// `argv` as typed in cmd or PowerShell: a word with a space in double quotes.
fn typed(argv: &[String]) -> String {
    let word = |w: &String| match w.contains(' ') {
        true => format!("\"{w}\""),
        false => w.clone(),
    };
    argv.iter().map(word).collect::<Vec<_>>().join(" ")
}

/// Runs `argv`; `Err` says why it did not succeed.
fn ok(
    reg: &mut dyn FnMut(&[String]) -> Result<Answer, String>,
    argv: &[String],
) -> Result<Answer, String> {
    let line = argv.join(" ");
    let a = reg(argv).map_err(|e| format!("`{line}` could not run: {e}"))?;
    if a.code == Some(0) {
        return Ok(a);
    }
    let how = a
        .code
        .map_or_else(|| "killed".to_string(), |c| format!("exit code {c}"));
    match a.stderr.trim() {
        "" => Err(format!("`{line}` failed ({how})")),
        e => Err(format!("`{line}` failed ({how}): {e}")),
    }
}

/// Backs `key` up to `backup`, runs `adds`, and reads back that PuTTY's
/// interval (`PingInterval` × 60 + `PingIntervalSecs`) is now `interval`;
/// puts the key back when any of that fails after the first change.
pub fn apply(key: &str, adds: &[RegAdd], interval: u64, backup: &Path, reg: Reg) -> Outcome {
    let saved = match ok(reg, &export_argv(key, backup)) {
        Ok(_) => Some(backup.to_path_buf()),
        Err(why) => {
            let _ = std::fs::remove_file(backup);
            // A key that does not exist has nothing to export.
            match reg(&exists_argv(key)) {
                Ok(a) if a.code == Some(1) => None,
                _ => return Outcome::Untouched(format!("cannot back up {key}: {why}")),
            }
        }
    };
    let why = match set_and_read_back(key, adds, interval, reg) {
        Ok(read) => {
            return Outcome::Applied {
                backup: saved,
                read,
            };
        }
        Err(why) => why,
    };
    let (undo, how) = match &saved {
        Some(file) => (
            vec![import_argv(file)],
            format!("the session is back from {}", file.display()),
        ),
        None => (
            adds.iter().map(|a| delete_argv(key, a.name)).collect(),
            format!("{key} did not exist, and the values set are deleted again"),
        ),
    };
    let failed = undo.iter().find_map(|argv| ok(reg, argv).err());
    match failed {
        None => {
            if let Some(file) = &saved {
                let _ = std::fs::remove_file(file);
            }
            Outcome::Restored { why, how }
        }
        Some(error) => Outcome::Stuck {
            why,
            error,
            by_hand: undo.iter().map(|a| typed(a)).collect::<Vec<_>>().join("; "),
        },
    }
}

/// The `reg add` commands, then the read-back of the values that make the interval.
fn set_and_read_back(
    key: &str,
    adds: &[RegAdd],
    interval: u64,
    reg: &mut dyn FnMut(&[String]) -> Result<Answer, String>,
) -> Result<Vec<Setting>, String> {
    for a in adds {
        ok(reg, &a.argv())?;
    }
    let mut read = Vec::new();
    for name in READ_BACK {
        let answer = reg(&query_argv(key, name))
            .map_err(|e| format!("`reg query {key} /v {name}` could not run: {e}"))?;
        let value = parse_query(&answer.stdout, name);
        match (answer.code, value) {
            (Some(0), Some(v)) => read.extend(int_setting(name, &v)?),
            (Some(1), None) => {}
            (code, _) => {
                return Err(format!(
                    "`reg query {key} /v {name}` answered with exit code {code:?}: {}",
                    answer.stderr.trim()
                ));
            }
        }
    }
    let total: i64 = read
        .iter()
        .map(|s| match s.name {
            "PingInterval" => s.value * 60,
            _ => s.value,
        })
        .sum();
    if u64::try_from(total).ok() != Some(interval) {
        let shown: Vec<String> = read.iter().map(ToString::to_string).collect();
        return Err(format!(
            "the registry does not read back as set: {key} gives an interval of {total} s ({}), not {interval} s",
            if shown.is_empty() {
                "no PingInterval/PingIntervalSecs".to_string()
            } else {
                shown.join(", ")
            }
        ));
    }
    Ok(read)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::putty::session_key;

    /// A fake `reg`: logs each argv, answers from `script` by the command's
    /// first words (`export`, `add PingIntervalSecs`, `query PingInterval`…),
    /// and writes the export's file as `reg export` does.
    struct Fake {
        log: Vec<String>,
        answers: Vec<(&'static str, Answer)>,
    }

    fn answer(code: i32, stdout: &str) -> Answer {
        Answer {
            code: Some(code),
            stdout: stdout.into(),
            stderr: if code == 0 {
                String::new()
            } else {
                "ERROR: access is denied.".into()
            },
        }
    }

    fn value(key: &str, name: &str, data: &str) -> Answer {
        answer(
            0,
            &format!("\r\n{key}\r\n    {name}    REG_DWORD    {data}\r\n\r\n"),
        )
    }

    impl Fake {
        fn new(answers: Vec<(&'static str, Answer)>) -> Fake {
            Fake {
                log: Vec::new(),
                answers,
            }
        }

        fn run(&mut self, argv: &[String]) -> Result<Answer, String> {
            self.log.push(argv.join(" "));
            let words = match argv[1].as_str() {
                "add" | "query" => format!("{} {}", argv[1], argv.get(4).map_or("", |s| s)),
                other => other.to_string(),
            };
            let words = words.trim_end().to_string();
            let a = self
                .answers
                .iter()
                .find(|(w, _)| *w == words)
                .map(|(_, a)| a.clone())
                .unwrap_or_else(|| answer(0, ""));
            if argv[1] == "export" && a.code == Some(0) {
                std::fs::write(&argv[3], "Windows Registry Editor Version 5.00\r\n").unwrap();
            }
            Ok(a)
        }
    }

    fn adds(key: &str, minutes_too: bool) -> Vec<RegAdd> {
        let mut v = vec![RegAdd {
            key: key.into(),
            name: "PingIntervalSecs",
            data: 30,
        }];
        if minutes_too {
            v.push(RegAdd {
                key: key.into(),
                name: "PingInterval",
                data: 0,
            });
        }
        v
    }

    fn run(fake: &mut Fake, key: &str, adds: &[RegAdd], profile: &Path) -> (Outcome, PathBuf) {
        let backup = backup_path(profile, key);
        let outcome = apply(key, adds, 30, &backup, &mut |a| fake.run(a));
        (outcome, backup)
    }

    #[test]
    fn backup_names_follow_the_backup_rule() {
        let d = tempfile::tempdir().unwrap();
        let key = session_key("Default Settings");
        let first = d
            .path()
            .join("putty-Default%20Settings.reg.pushguard-backup");
        assert_eq!(backup_path(d.path(), &key), first);
        std::fs::write(&first, "").unwrap();
        assert_eq!(
            backup_path(d.path(), &key),
            d.path()
                .join("putty-Default%20Settings.reg.pushguard-backup.1")
        );
        // PuTTY keeps `:`, `/` and `"` in a key; Windows refuses them in a file name.
        assert_eq!(
            backup_path(d.path(), &session_key("git@h:22/\"x\"")),
            d.path()
                .join("putty-git@h%3A22%2F%22x%22.reg.pushguard-backup")
        );
    }

    #[test]
    fn exports_adds_and_reads_back() {
        let d = tempfile::tempdir().unwrap();
        let key = session_key("git.example.com");
        let mut fake = Fake::new(vec![
            ("query PingInterval", value(&key, "PingInterval", "0x0")),
            (
                "query PingIntervalSecs",
                value(&key, "PingIntervalSecs", "0x1e"),
            ),
        ]);
        let (outcome, backup) = run(&mut fake, &key, &adds(&key, true), d.path());
        let Outcome::Applied { backup: b, read } = outcome else {
            panic!("{outcome:?}")
        };
        assert_eq!(b.as_deref(), Some(backup.as_path()));
        assert!(backup.exists(), "the backup stays");
        let read: Vec<String> = read.iter().map(ToString::to_string).collect();
        assert_eq!(read, ["PingInterval=0x0", "PingIntervalSecs=0x1e"]);
        let b = backup.display();
        assert_eq!(
            fake.log,
            [
                format!("reg export {key} {b} /y"),
                format!("reg add {key} /v PingIntervalSecs /t REG_DWORD /d 30 /f"),
                format!("reg add {key} /v PingInterval /t REG_DWORD /d 0 /f"),
                format!("reg query {key} /v PingInterval"),
                format!("reg query {key} /v PingIntervalSecs"),
            ]
        );
    }

    #[test]
    fn a_value_that_does_not_read_back_is_imported_back() {
        let d = tempfile::tempdir().unwrap();
        let key = session_key("Default Settings");
        // Something (a policy, a virtualised hive) keeps the old value.
        let mut fake = Fake::new(vec![
            ("query PingInterval", answer(1, "")),
            (
                "query PingIntervalSecs",
                value(&key, "PingIntervalSecs", "0x0"),
            ),
        ]);
        let (outcome, backup) = run(&mut fake, &key, &adds(&key, false), d.path());
        let b = backup.display();
        assert_eq!(
            outcome,
            Outcome::Restored {
                why: format!(
                    "the registry does not read back as set: {key} gives an interval of 0 s (PingIntervalSecs=0x0), not 30 s"
                ),
                how: format!("the session is back from {b}"),
            }
        );
        assert_eq!(fake.log.last(), Some(&format!("reg import {b}")));
        assert_eq!(fake.log.len(), 5, "{:?}", fake.log);
        assert!(!backup.exists(), "the backup goes once it is imported");
    }

    #[test]
    fn a_failed_add_puts_the_key_back_too() {
        let d = tempfile::tempdir().unwrap();
        let key = session_key("s");
        let mut fake = Fake::new(vec![("add PingInterval", answer(1, ""))]);
        let (outcome, backup) = run(&mut fake, &key, &adds(&key, true), d.path());
        let Outcome::Restored { why, .. } = &outcome else {
            panic!("{outcome:?}")
        };
        assert!(
            why.ends_with("/v PingInterval /t REG_DWORD /d 0 /f` failed (exit code 1): ERROR: access is denied."),
            "{why}"
        );
        assert_eq!(
            fake.log[1..],
            [
                format!("reg add {key} /v PingIntervalSecs /t REG_DWORD /d 30 /f"),
                format!("reg add {key} /v PingInterval /t REG_DWORD /d 0 /f"),
                format!("reg import {}", backup.display()),
            ]
        );
    }

    #[test]
    fn a_new_key_has_no_backup_and_its_values_go_on_failure() {
        let d = tempfile::tempdir().unwrap();
        let key = session_key("Default Settings");
        let missing = || answer(1, "");
        let mut fake = Fake::new(vec![
            ("export", missing()),
            ("query", missing()),
            ("query PingInterval", missing()),
            ("query PingIntervalSecs", missing()),
        ]);
        let (outcome, backup) = run(&mut fake, &key, &adds(&key, false), d.path());
        assert!(
            matches!(&outcome, Outcome::Restored { how, .. } if how.ends_with("did not exist, and the values set are deleted again")),
            "{outcome:?}"
        );
        assert_eq!(
            fake.log,
            [
                format!("reg export {key} {} /y", backup.display()),
                format!("reg query {key} /ve"),
                format!("reg add {key} /v PingIntervalSecs /t REG_DWORD /d 30 /f"),
                format!("reg query {key} /v PingInterval"),
                format!("reg query {key} /v PingIntervalSecs"),
                format!("reg delete {key} /v PingIntervalSecs /f"),
            ]
        );
        // And when it reads back: applied, with no backup to name.
        let mut fake = Fake::new(vec![
            ("export", missing()),
            ("query", missing()),
            ("query PingInterval", missing()),
            (
                "query PingIntervalSecs",
                value(&key, "PingIntervalSecs", "0x1e"),
            ),
        ]);
        let (outcome, _) = run(&mut fake, &key, &adds(&key, false), d.path());
        assert!(
            matches!(outcome, Outcome::Applied { backup: None, .. }),
            "{outcome:?}"
        );
    }

    #[test]
    fn no_backup_no_change() {
        let d = tempfile::tempdir().unwrap();
        let key = session_key("s");
        // The key exists (`/ve` exits 0) but cannot be exported.
        let mut fake = Fake::new(vec![("export", answer(1, ""))]);
        let (outcome, backup) = run(&mut fake, &key, &adds(&key, false), d.path());
        let Outcome::Untouched(why) = &outcome else {
            panic!("{outcome:?}")
        };
        assert!(
            why.starts_with(&format!("cannot back up {key}: `reg export")),
            "{why}"
        );
        assert_eq!(fake.log.len(), 2, "no reg add: {:?}", fake.log);
        assert!(!backup.exists());
    }

    #[test]
    fn a_failed_restore_names_the_command_that_does_it() {
        let d = tempfile::tempdir().unwrap();
        let d = d.path().join("John Smith");
        std::fs::create_dir(&d).unwrap();
        let key = session_key("s");
        let mut fake = Fake::new(vec![
            ("add PingIntervalSecs", answer(1, "")),
            ("import", answer(1, "")),
        ]);
        let (outcome, backup) = run(&mut fake, &key, &adds(&key, false), &d);
        let Outcome::Stuck { by_hand, .. } = &outcome else {
            panic!("{outcome:?}")
        };
        assert_eq!(by_hand, &format!("reg import \"{}\"", backup.display()));
        assert!(backup.exists(), "the backup is kept for the user");
    }
}
