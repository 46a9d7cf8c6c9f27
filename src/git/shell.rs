//! Splits an `ssh` command line from `GIT_SSH_COMMAND`/`core.sshCommand` into
//! words the way `sh` would, for the builtin resolver.
//!
//! Hand-written because we must *refuse* what we cannot reproduce without
//! running a shell (command substitution, pipes, redirections): those give
//! "cannot tell" instead of a guess. Quotes, backslashes, `~` and `$VAR`
//! are handled as POSIX sh does.

/// A command line we will not split without a shell.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "cannot read ssh command {}: {reason}",
    crate::terminal::Shown(command)
)]
pub struct ShellError {
    /// The command text.
    pub command: String,
    /// What we cannot reproduce.
    pub reason: String,
}

/// Splits `cmd` into words; `env` supplies `HOME` and `$VAR` values.
pub fn split_words(
    cmd: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<String>, ShellError> {
    let fail = |reason: &str| ShellError {
        command: cmd.to_string(),
        reason: reason.to_string(),
    };
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = cmd.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(ch) => cur.push(ch),
                        None => return Err(fail("unterminated single quote")),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(ch @ ('\\' | '"' | '$' | '`')) => cur.push(ch),
                            Some('\n') => {}
                            Some(ch) => {
                                cur.push('\\');
                                cur.push(ch);
                            }
                            None => return Err(fail("unterminated double quote")),
                        },
                        Some('$') => cur.push_str(&expand_var(&mut chars, env, &fail)?),
                        Some('`') => return Err(fail("command substitution")),
                        Some(ch) => cur.push(ch),
                        None => return Err(fail("unterminated double quote")),
                    }
                }
            }
            '\\' => match chars.next() {
                Some('\n') => {}
                Some(ch) => {
                    in_word = true;
                    cur.push(ch);
                }
                None => return Err(fail("trailing backslash")),
            },
            '~' if !in_word => {
                in_word = true;
                match chars.peek() {
                    None | Some('/' | ' ' | '\t' | '\n') => match env("HOME") {
                        Some(h) => cur.push_str(&h),
                        None => return Err(fail("~ without HOME")),
                    },
                    Some(_) => return Err(fail("~user expansion")),
                }
            }
            '$' => {
                let v = expand_var(&mut chars, env, &fail)?;
                if v.chars().any(char::is_whitespace) {
                    return Err(fail("unquoted variable with spaces"));
                }
                in_word = in_word || !v.is_empty();
                cur.push_str(&v);
            }
            '|' | '&' | ';' | '<' | '>' | '(' | ')' | '`' => {
                return Err(fail(&format!("shell syntax {c:?}")));
            }
            '*' | '?' | '[' => return Err(fail("glob pattern")),
            '#' if !in_word => break,
            ch => {
                in_word = true;
                cur.push(ch);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    if words.is_empty() {
        return Err(fail("empty command"));
    }
    Ok(words)
}

fn expand_var(
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    env: &dyn Fn(&str) -> Option<String>,
    fail: &dyn Fn(&str) -> ShellError,
) -> Result<String, ShellError> {
    let mut name = String::new();
    match chars.peek() {
        Some('{') => {
            chars.next();
            loop {
                match chars.next() {
                    Some('}') => break,
                    Some(c) if c.is_ascii_alphanumeric() || c == '_' => name.push(c),
                    _ => return Err(fail("parameter expansion")),
                }
            }
        }
        Some('(') => return Err(fail("command substitution")),
        _ => {
            while let Some(&c) = chars.peek() {
                if c.is_ascii_alphanumeric() || c == '_' {
                    name.push(c);
                    chars.next();
                } else {
                    break;
                }
            }
        }
    }
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(fail("special parameter"));
    }
    Ok(env(&name).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(k: &str) -> Option<String> {
        match k {
            "HOME" => Some("/home/u".into()),
            "OPTS" => Some("-v".into()),
            _ => None,
        }
    }

    fn split(s: &str) -> Result<Vec<String>, ShellError> {
        split_words(s, &env)
    }

    #[test]
    fn words_quotes_and_expansions() {
        assert_eq!(
            split(r#"ssh -o "ServerAliveInterval 30" -i ~/.ssh/k 'a b'\ c $OPTS"#).unwrap(),
            [
                "ssh",
                "-o",
                "ServerAliveInterval 30",
                "-i",
                "/home/u/.ssh/k",
                "a b c",
                "-v"
            ]
        );
        assert_eq!(split(r#"ssh "-F$HOME/x""#).unwrap(), ["ssh", "-F/home/u/x"]);
        assert_eq!(split("ssh ''").unwrap(), ["ssh", ""]);
        assert_eq!(split("ssh $UNSET -v").unwrap(), ["ssh", "-v"]);
    }

    #[test]
    fn refuses_what_needs_a_shell() {
        for bad in [
            "ssh $(cat f)",
            "ssh `x`",
            "ssh -v | tee",
            "ssh 'open",
            "ssh ~bob/x",
            "",
            "ssh ${X:-y}",
            "ssh *",
        ] {
            assert!(split(bad).is_err(), "{bad}");
        }
    }
}
