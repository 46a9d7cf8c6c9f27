//! What a push is about to do: the remote, the URL and the ref updates that
//! git hands the pre-push hook on stdin.

use std::fmt;

/// One line of pre-push stdin: `<local ref> SP <local oid> SP <remote ref> SP <remote oid>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefUpdate {
    /// The local ref as the user typed it (may be `HEAD~1`, an oid or `(delete)`).
    pub local_ref: String,
    /// The object the remote ref will point to; `None` for a deletion.
    pub local_oid: Option<String>,
    /// The ref on the remote that is updated.
    pub remote_ref: String,
    /// What the remote ref points to now; `None` when it does not exist yet.
    pub remote_oid: Option<String>,
}

impl RefUpdate {
    /// True when this update deletes the remote ref.
    pub fn is_delete(&self) -> bool {
        self.local_oid.is_none()
    }
}

/// The push the hook judges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushPlan {
    /// `$1`: the remote's name, or the URL as typed when there is no remote.
    pub remote: String,
    /// `$2`: the URL git will use, already rewritten by insteadOf/pushInsteadOf.
    pub url: String,
    /// The ref updates, in stdin order.
    pub updates: Vec<RefUpdate>,
}

/// A line of pre-push stdin that is not in git's format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StdinError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong with it.
    pub reason: String,
}

impl fmt::Display for StdinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pre-push input line {}: {}", self.line, self.reason)
    }
}

impl std::error::Error for StdinError {}

/// True for an object id: 40 (SHA-1) or 64 (SHA-256) lowercase hex digits.
pub fn is_oid(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn parse_oid(s: &str, line: usize, what: &str) -> Result<Option<String>, StdinError> {
    if !is_oid(s) {
        return Err(StdinError {
            line,
            reason: format!("{what} {s:?} is not an object id"),
        });
    }
    if s.bytes().all(|b| b == b'0') {
        Ok(None)
    } else {
        Ok(Some(s.to_ascii_lowercase()))
    }
}

/// Parses pre-push stdin (all of it); empty input means nothing to push.
pub fn parse_updates(input: &str) -> Result<Vec<RefUpdate>, StdinError> {
    let mut out = Vec::new();
    for (i, raw) in input.split('\n').enumerate() {
        let line = i + 1;
        let text = raw.strip_suffix('\r').unwrap_or(raw);
        if text.is_empty() {
            continue;
        }
        let fields: Vec<&str> = text.split(' ').collect();
        let [local_ref, local_oid, remote_ref, remote_oid] = fields[..] else {
            return Err(StdinError {
                line,
                reason: format!("expected 4 space-separated fields, found {}", fields.len()),
            });
        };
        if local_ref.is_empty() || remote_ref.is_empty() {
            return Err(StdinError {
                line,
                reason: "empty ref name".to_string(),
            });
        }
        let local_oid = parse_oid(local_oid, line, "local object")?;
        let remote_oid = parse_oid(remote_oid, line, "remote object")?;
        out.push(RefUpdate {
            local_ref: local_ref.to_string(),
            local_oid,
            remote_ref: remote_ref.to_string(),
            remote_oid,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "1111111111111111111111111111111111111111";
    const Z: &str = "0000000000000000000000000000000000000000";

    #[test]
    fn parses_update_and_new_branch() {
        let input = format!("refs/heads/main {A} refs/heads/main {Z}\n");
        let u = parse_updates(&input).unwrap();
        assert_eq!(u.len(), 1);
        assert_eq!(u[0].local_oid.as_deref(), Some(A));
        assert_eq!(u[0].remote_oid, None);
    }

    #[test]
    fn parses_delete_and_sha256_nulls() {
        let z64 = "0".repeat(64);
        let b64 = "b".repeat(64);
        let input = format!("(delete) {z64} refs/heads/x {b64}\n");
        let u = parse_updates(&input).unwrap();
        assert!(u[0].is_delete());
        assert_eq!(u[0].remote_oid.as_deref(), Some(b64.as_str()));
    }

    #[test]
    fn empty_input_is_no_updates() {
        assert!(parse_updates("").unwrap().is_empty());
        assert!(parse_updates("\n").unwrap().is_empty());
    }

    #[test]
    fn typed_local_ref_is_kept() {
        let input = format!("HEAD~1 {A} refs/heads/main {A}\n");
        assert_eq!(parse_updates(&input).unwrap()[0].local_ref, "HEAD~1");
    }

    #[test]
    fn corrupt_line_names_line() {
        let input = format!("refs/heads/main {A} refs/heads/main {Z}\ngarbage\n");
        let e = parse_updates(&input).unwrap_err();
        assert_eq!(e.line, 2);
        let e = parse_updates("a xyz b c\n").unwrap_err();
        assert!(e.reason.contains("not an object id"), "{e}");
    }
}
