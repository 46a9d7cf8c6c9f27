//! Windows PuTTY's sessions in the registry, after PuTTY 0.83's
//! `windows/storage.c` (`open_settings_r`, `read_setting_i`),
//! `windows/utils/escape_registry_key.c` and `windows/utils/registry.c`
//! (`get_reg_dword`, `get_reg_sz`); TortoiseGitPlink's copies of those files
//! are the same (TortoiseGit `src/TortoisePlink/Windows/`).
//!
//! Read with `reg.exe query` (one value at a time, so no other value of the
//! session — a saved proxy password, say — is ever read), written with
//! `reg.exe add`. The output format is that of `reg query KEY /v NAME`:
//! a blank line, the key, `    NAME    TYPE    DATA`, a blank line (Wine's
//! `programs/reg/query.c` reproduces it).

use super::Setting;

/// PuTTY's registry key for saved sessions, under `HKEY_CURRENT_USER`.
pub const SESSIONS_KEY: &str = r"HKCU\Software\SimonTatham\PuTTY\Sessions";

/// The registry key of session `name`, escaped as `escape_registry_key`
/// does: space, `\`, `*`, `?`, `%`, control and non-ASCII bytes, and a
/// leading `.` become `%XX`; "" is "Default Settings".
pub fn session_key(name: &str) -> String {
    let name = if name.is_empty() {
        super::DEFAULT_SESSION
    } else {
        name
    };
    let mut out = format!("{SESSIONS_KEY}\\");
    for (i, b) in name.bytes().enumerate() {
        let escape = matches!(b, b' ' | b'\\' | b'*' | b'?' | b'%')
            || !(b' '..=b'~').contains(&b)
            || (b == b'.' && i == 0);
        if escape {
            out.push_str(&format!("%{b:02X}"));
        } else {
            out.push(char::from(b));
        }
    }
    out
}

/// The read-only command for one value: `reg query KEY /v NAME`.
pub fn query_argv(key: &str, name: &str) -> Vec<String> {
    ["reg", "query", key, "/v", name].map(String::from).to_vec()
}

/// One value as `reg query` prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegValue {
    /// `REG_DWORD`, `REG_SZ`, …
    pub kind: String,
    /// The data as printed (`0x1e` for a DWORD).
    pub data: String,
}

/// The line for value `name` in `reg query` output (names compare without
/// case, as the registry's do).
pub fn parse_query(stdout: &str, name: &str) -> Option<RegValue> {
    stdout.lines().find_map(|line| {
        let rest = line.trim_end_matches('\r').strip_prefix("    ")?;
        let head = rest.get(..name.len())?;
        let after = rest[name.len()..].strip_prefix("    ")?;
        if !head.eq_ignore_ascii_case(name) {
            return None;
        }
        let (kind, data) = after.split_once("    ").unwrap_or((after, ""));
        Some(RegValue {
            kind: kind.to_string(),
            data: data.to_string(),
        })
    })
}

/// The number PuTTY's `read_setting_i` takes from a value: a `REG_DWORD`
/// (as a C `int`, so `0xffffffff` is -1); any other type is not read, and
/// PuTTY uses its default.
pub(crate) fn int_setting(name: &'static str, v: &RegValue) -> Result<Option<Setting>, String> {
    if v.kind != "REG_DWORD" {
        return Ok(None);
    }
    let hex = v.data.strip_prefix("0x").unwrap_or(&v.data);
    let dword = u32::from_str_radix(hex.trim(), 16)
        .map_err(|_| format!("{name}: cannot read REG_DWORD data {:?}", v.data))?;
    Ok(Some(Setting {
        name,
        raw: v.data.clone(),
        value: i64::from(dword.cast_signed()),
        line: None,
    }))
}

/// A `reg add` that sets one DWORD value of a session (creating the key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegAdd {
    /// The session's key.
    pub key: String,
    /// The value's name.
    pub name: &'static str,
    /// The number.
    pub data: u32,
}

impl RegAdd {
    /// The argv: `reg add KEY /v NAME /t REG_DWORD /d DATA /f`.
    pub fn argv(&self) -> Vec<String> {
        let data = self.data.to_string();
        let args = ["reg", "add", &self.key, "/v", self.name, "/t", "REG_DWORD"];
        let mut argv: Vec<String> = args.map(String::from).to_vec();
        argv.extend(["/d".to_string(), data, "/f".to_string()]);
        argv
    }

    /// The command as typed in PowerShell (single quotes keep `$` and `%`);
    /// `None` for a key with `"`, which Windows PowerShell passes on mangled.
    pub fn powershell(&self) -> Option<String> {
        if self.key.contains('"') {
            return None;
        }
        let key = self.key.replace('\'', "''");
        Some(self.render(&format!("reg add '{key}'")))
    }

    /// The command as typed in Git Bash: MSYS would turn `/v`, `/t`, `/d`,
    /// `/f` into paths (msys2-runtime `msys2_path_conv.cc`) unless
    /// `MSYS_NO_PATHCONV` is set.
    pub fn git_bash(&self) -> String {
        let key = crate::process::sh_quote(&self.key);
        self.render(&format!("MSYS_NO_PATHCONV=1 reg add {key}"))
    }

    fn render(&self, head: &str) -> String {
        format!("{head} /v {} /t REG_DWORD /d {} /f", self.name, self.data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // windows/utils/escape_registry_key.c.
    #[test]
    fn escapes_like_escape_registry_key() {
        let k = |n: &str| session_key(n)[SESSIONS_KEY.len() + 1..].to_string();
        assert_eq!(k(""), "Default%20Settings");
        assert_eq!(k("Default Settings"), "Default%20Settings");
        assert_eq!(k(".a.b"), "%2Ea.b");
        assert_eq!(k(r"a\b*c?d%e"), "a%5Cb%2Ac%3Fd%25e");
        assert_eq!(k("git@h:22/x~"), "git@h:22/x~");
        assert_eq!(k("é\t"), "%C3%A9%09");
    }

    #[test]
    fn reads_reg_query_output() {
        let out = "\r\nHKEY_CURRENT_USER\\Software\\SimonTatham\\PuTTY\\Sessions\\Default%20Settings\r\n    PingIntervalSecs    REG_DWORD    0x1e\r\n\r\n";
        let v = parse_query(out, "pingintervalsecs").unwrap();
        assert_eq!((v.kind.as_str(), v.data.as_str()), ("REG_DWORD", "0x1e"));
        assert_eq!(
            int_setting("PingIntervalSecs", &v)
                .unwrap()
                .map(|s| s.value),
            Some(30)
        );
        assert_eq!(parse_query(out, "PingInterval"), None);
        let sz = "\nK\n    HostName    REG_SZ    \n\n";
        assert_eq!(
            parse_query(sz, "HostName").map(|v| v.data),
            Some(String::new())
        );
    }

    // windows/utils/registry.c get_reg_dword: type must be REG_DWORD, the
    // DWORD is returned as int.
    #[test]
    fn only_dwords_count() {
        let v = |kind: &str, data: &str| RegValue {
            kind: kind.into(),
            data: data.into(),
        };
        assert_eq!(
            int_setting("PingIntervalSecs", &v("REG_SZ", "30")),
            Ok(None)
        );
        let neg = int_setting("PingInterval", &v("REG_DWORD", "0xffffffff")).unwrap();
        assert_eq!(neg.map(|s| s.value), Some(-1));
        assert!(int_setting("PingInterval", &v("REG_DWORD", "thirty")).is_err());
    }

    #[test]
    fn reg_add_commands() {
        let add = RegAdd {
            key: session_key(""),
            name: "PingIntervalSecs",
            data: 30,
        };
        assert_eq!(
            add.powershell().as_deref(),
            Some(
                r"reg add 'HKCU\Software\SimonTatham\PuTTY\Sessions\Default%20Settings' /v PingIntervalSecs /t REG_DWORD /d 30 /f"
            )
        );
        assert_eq!(
            add.git_bash(),
            r"MSYS_NO_PATHCONV=1 reg add 'HKCU\Software\SimonTatham\PuTTY\Sessions\Default%20Settings' /v PingIntervalSecs /t REG_DWORD /d 30 /f"
        );
        assert_eq!(add.argv()[2], add.key);
        assert_eq!(add.argv().len(), 10);
        let odd = RegAdd {
            key: session_key("it's \"x\""),
            ..add
        };
        assert_eq!(odd.powershell(), None);
        assert_eq!(
            query_argv("K", "PingInterval"),
            ["reg", "query", "K", "/v", "PingInterval"]
        );
    }
}
