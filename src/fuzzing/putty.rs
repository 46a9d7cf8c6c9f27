//! PuTTY: session files and `reg query` output.

use super::fields;
use crate::putty::{self, RegValue, files, registry};

/// A session file (and `reg query` output): read like PuTTY reads it, and
/// the keepalive fix must read back as the interval it wrote.
pub fn putty_session(data: &[u8]) {
    let [head, text] = [0, 1].map(|i| fields(data, 2)[i]);
    let interval = head
        .iter()
        .fold(0u32, |n, &b| n.wrapping_mul(31).wrapping_add(u32::from(b)))
        % 100_000;
    let _ = files::parse(text);
    let fixed = putty::fix_session_file(text, interval);
    let s = match files::parse(&fixed) {
        Ok(s) => s,
        Err(e) => panic!("the fixed file does not read: {e}"),
    };
    let secs = s.seconds.as_ref().map(|v| v.value);
    let mins = s.minutes.as_ref().map_or(0, |v| v.value);
    assert_eq!(
        (mins, secs),
        (0, Some(i64::from(interval))),
        "the fix of {text:?} reads back otherwise"
    );
    let stdout = String::from_utf8_lossy(text);
    for name in ["PingIntervalSecs", "PingInterval"] {
        if let Some(v) = putty::parse_query(&stdout, name) {
            let _ = registry::int_setting(name, &v);
        }
    }
    let v = RegValue {
        kind: "REG_DWORD".into(),
        data: String::from_utf8_lossy(head).into_owned(),
    };
    let _ = registry::int_setting("PingInterval", &v);
    let _ = (putty::file_name(&stdout), putty::session_key(&stdout));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_sessions_fix_and_read_back() {
        putty_session(b"7\0HostName=h\r\nPingInterval=2\r\nPingIntervalSecs=5\r\n");
        putty_session(b"\0PingInterval=99999999999\n");
        putty_session(b"x\0    PingIntervalSecs    REG_DWORD    0x1e\r\n");
    }
}
