//! The fix on git's side: `core.sshCommand` with the keepalive options
//! added so that they win. ssh takes the first value it obtains and the
//! command line comes first, so an option already there that sets a key
//! (`-o ServerAliveInterval=0`, `-oServerAliveInterval=0`,
//! `-o 'ServerAliveInterval 0'`, `-vo …`) is replaced, not outvoted by one
//! added after it; the program and every other word are kept.
//!
//! - [`compose`]: the command with the keepalive options in it.
//! - [`plan`]: which file gets it (where `core.sshCommand` is set now, the
//!   repository's config, or `--global`), as `git config` shows them.
//! - [`GitChange::argv`]: the `git config` command that makes the change.

use std::path::{Path, PathBuf};

use super::edit::Key;
use super::{
    Change, FixError, Report, Request, Status, Writer, facts, oneoff, proof, remote_hosts,
    safe_write,
};
use crate::check::Env;
use crate::git::{self, GitError, IpFamily, RemoteUrl, SshSource};
use crate::policy::keepalive_effective;

/// ssh's option letters that take an argument (ssh.c's getopt string).
const WITH_ARG: &str = "bceilmopBDEFIJLOQRSwW";

/// The spellings ssh (and Debian's patch) reads for each key.
fn key_of(option: &str) -> Option<Key> {
    let name = option
        .split(|c: char| c == '=' || c.is_ascii_whitespace())
        .next()?
        .to_ascii_lowercase();
    match name.as_str() {
        "serveraliveinterval" | "protocolkeepalives" | "setuptimeout" => Some(Key::Interval),
        "serveralivecountmax" => Some(Key::CountMax),
        _ => None,
    }
}

/// One shell word: its bytes in the command and its text after quoting.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Word {
    start: usize,
    end: usize,
    text: String,
}

/// Splits `cmd` into words (quotes and backslashes as sh reads them);
/// `None` for shell syntax that could hide words (`$`, backquotes,
/// pipes, redirections, an open quote).
fn words(cmd: &str) -> Option<Vec<Word>> {
    let mut out = Vec::new();
    let mut cur: Option<Word> = None;
    let mut it = cmd.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        let word = cur.get_or_insert_with(|| Word {
            start: i,
            end: i,
            text: String::new(),
        });
        match c {
            ' ' | '\t' | '\n' => {
                if let Some(w) = cur.take().filter(|w| w.end > w.start) {
                    out.push(w);
                }
                continue;
            }
            '\'' => loop {
                match it.next()? {
                    (_, '\'') => break,
                    (_, ch) => word.text.push(ch),
                }
            },
            '"' => loop {
                match it.next()? {
                    (_, '"') => break,
                    (_, '\\') => match it.next()? {
                        (_, ch @ ('\\' | '"')) => word.text.push(ch),
                        (_, ch) => {
                            word.text.push('\\');
                            word.text.push(ch);
                        }
                    },
                    (_, '$' | '`') => return None,
                    (_, ch) => word.text.push(ch),
                }
            },
            '\\' => word.text.push(it.next()?.1),
            '$' | '`' | '|' | '&' | ';' | '<' | '>' | '(' | ')' => return None,
            ch => word.text.push(ch),
        }
        word.end = it.peek().map_or(cmd.len(), |(j, _)| *j);
    }
    if let Some(w) = cur.filter(|w| w.end > w.start) {
        out.push(w);
    }
    Some(out)
}

/// The command `base` with `keys` set on its command line, and the words
/// replaced (as they were written).
pub fn compose(base: &str, keys: &[(Key, u64)]) -> (String, Vec<String>) {
    let opt = |k: Key, v: u64| format!("{}={v}", k.keyword());
    let Some(ws) = words(base) else {
        // Words we cannot see: the options go right after the program, so
        // that they come first.
        let cut = base
            .trim_start()
            .find([' ', '\t'])
            .map_or(base.len(), |p| p + base.len() - base.trim_start().len());
        let added: String = keys
            .iter()
            .map(|&(k, v)| format!(" -o {}", opt(k, v)))
            .collect();
        return (
            format!("{}{added}{}", &base[..cut], &base[cut..]),
            Vec::new(),
        );
    };
    // (the option's first word, the word replaced, its new text, the key)
    // for every -o that sets a key.
    let mut edits: Vec<(usize, usize, String, Key)> = Vec::new();
    let mut i = 1;
    while i < ws.len() {
        let t = &ws[i].text;
        if t == "--" {
            break;
        }
        if let Some(flags) = t.strip_prefix('-').filter(|f| !f.is_empty()) {
            for (j, c) in flags.char_indices() {
                if !WITH_ARG.contains(c) {
                    continue;
                }
                let inline = &flags[j + c.len_utf8()..];
                let flag = i;
                let (word, value, prefix) = match inline.is_empty() {
                    false => (i, inline.to_string(), format!("-{}", &flags[..=j])),
                    true => {
                        i += 1;
                        (
                            i,
                            ws.get(i).map(|w| w.text.clone()).unwrap_or_default(),
                            String::new(),
                        )
                    }
                };
                if c == 'o'
                    && let Some(k) = key_of(&value)
                    && let Some(&(_, v)) = keys.iter().find(|(x, _)| *x == k)
                {
                    edits.push((flag, word, format!("{prefix}{}", opt(k, v)), k));
                }
                break;
            }
        }
        i += 1;
    }
    let mut out = base.to_string();
    let mut replaced = Vec::new();
    for (flag, w, text, _) in edits.iter().rev() {
        let word = &ws[*w];
        replaced.insert(0, base[ws[*flag].start..word.end].to_string());
        out.replace_range(word.start..word.end, text);
    }
    let mut out = out.trim_end().to_string();
    for &(k, v) in keys {
        if !edits.iter().any(|(_, _, _, e)| *e == k) {
            out.push_str(&format!(" -o {}", opt(k, v)));
        }
    }
    (out, replaced)
}

/// Where `core.sshCommand` is set: scope and origin of each value, last wins.
fn defined(cwd: &Path) -> Result<Vec<(String, String)>, GitError> {
    let args = [
        "config",
        "--show-origin",
        "--show-scope",
        "-z",
        "--get-all",
        "core.sshCommand",
    ];
    let out = match git::command(cwd, &args).run() {
        Ok(o) => o.stdout,
        Err(crate::process::ProcessError {
            kind: crate::process::Failure::Exit { code: Some(1), .. },
            ..
        }) => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let text = String::from_utf8_lossy(&out);
    let fields: Vec<&str> = text.split('\0').collect();
    Ok(fields
        .chunks(3)
        .filter(|c| c.len() == 3)
        .map(|c| (c[0].to_string(), c[1].to_string()))
        .collect())
}

/// The change to make in git's config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitChange {
    /// `local`, `global`, `worktree`, `system`…
    pub scope: String,
    /// The config file.
    pub file: PathBuf,
    /// The value now, if any.
    pub old: Option<String>,
    /// The new value.
    pub new: String,
}

impl GitChange {
    /// `git config --file FILE core.sshCommand NEW`.
    pub fn argv(&self) -> Vec<String> {
        let file = self.file.display().to_string();
        [
            "git",
            "config",
            "--file",
            &file,
            "core.sshCommand",
            &self.new,
        ]
        .map(String::from)
        .to_vec()
    }
}

/// What git's config allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// A change to make.
    Change(GitChange),
    /// The value comes from where pushguard cannot write (`git -c`…): what to set.
    Manual(String),
    /// Not possible, and why.
    Refused(String),
}

/// The file `git config --global` writes: `$GIT_CONFIG_GLOBAL`, else
/// `~/.gitconfig` unless only the XDG file exists.
fn global_file(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    if let Some(f) = env("GIT_CONFIG_GLOBAL") {
        return Some(f.into());
    }
    let home = PathBuf::from(env("HOME")?);
    let dot = home.join(".gitconfig");
    let xdg = env("XDG_CONFIG_HOME")
        .filter(|x| !x.is_empty())
        .map_or_else(|| home.join(".config"), PathBuf::from)
        .join("git/config");
    Some(if !dot.exists() && xdg.exists() {
        xdg
    } else {
        dot
    })
}

/// Where `new` goes: where `core.sshCommand` is set now, else the
/// repository's config (`--global`: the user's).
pub fn plan(
    cwd: &Path,
    old: Option<&str>,
    new: &str,
    global: bool,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Plan, GitError> {
    let change = |scope: &str, file: PathBuf| {
        Plan::Change(GitChange {
            scope: scope.to_string(),
            file,
            old: old.map(str::to_string),
            new: new.to_string(),
        })
    };
    let last = defined(cwd)?.pop();
    Ok(match last {
        Some((scope, origin)) => match (origin.strip_prefix("file:"), scope.as_str()) {
            (Some(_), "local" | "worktree") if global => Plan::Refused(format!(
                "core.sshCommand is set in {} ({scope} scope), which wins over --global; run without --global to change it there",
                &origin[5..]
            )),
            (Some(_), "system") if global => match global_file(env) {
                Some(f) => change("global", f),
                None => Plan::Refused("no HOME for --global".into()),
            },
            (Some(file), _) => change(&scope, cwd.join(file)),
            (None, _) => Plan::Manual(format!(
                "core.sshCommand comes from {} ({scope} scope), which pushguard cannot change: set it to {}",
                origin.trim_end_matches(':'),
                crate::process::sh_quote(new)
            )),
        },
        None if global => match global_file(env) {
            Some(f) => change("global", f),
            None => Plan::Refused("no HOME for --global".into()),
        },
        None => match git::run(
            cwd,
            &[
                "rev-parse",
                "--path-format=absolute",
                "--git-path",
                "config",
            ],
        ) {
            Ok(p) => change("local", PathBuf::from(p.trim_end())),
            Err(_) => Plan::Refused("not in a git repository: use --global".into()),
        },
    })
}

/// Runs `git config --file FILE core.sshCommand NEW`.
pub fn apply(cwd: &Path, change: &GitChange) -> Result<(), GitError> {
    let argv = change.argv();
    let args: Vec<&str> = argv[1..].iter().map(String::as_str).collect();
    git::run(cwd, &args).map(|_| ())
}

/// The git-config (or environment) fix.
#[allow(clippy::too_many_arguments)]
pub fn fix(
    mut report: Report,
    facts: &facts::Facts,
    keys: &[(Key, u64)],
    req: &Request,
    env: &Env,
    cwd: &Path,
    idle: u64,
    cfg: &git::GitConfig,
    writer: &Writer,
) -> Result<Report, FixError> {
    let inv = &facts.inv;
    let new = oneoff::with_keepalive(inv, keys);
    let (_, replaced) = compose(
        &match inv.source {
            SshSource::GitSsh => crate::process::sh_quote(&inv.command),
            SshSource::Default => "ssh".into(),
            _ => inv.command.clone(),
        },
        keys,
    );
    for w in &replaced {
        report.why.push(format!(
            "`{w}` is replaced, not outvoted: ssh keeps the first value it reads"
        ));
    }
    // The prediction: the real ssh -G through the new command (nothing written).
    let candidate = git::SshInvocation {
        command: new.clone(),
        use_shell: true,
        source: SshSource::CoreSshCommand,
        ..inv.clone()
    };
    let predicted = facts::probe(&candidate, &facts.top)?;
    let value = |k: Key| {
        predicted
            .effective
            .get(k.ssh_g())
            .and_then(|v| v.value.parse::<u64>().ok())
    };
    let works = value(Key::Interval).is_some_and(|i| keepalive_effective(i, idle))
        && value(Key::CountMax).is_some_and(|c| c >= 1);
    if !works {
        return Ok(report.end(
            Status::CannotFix,
            format!(
                "even with {new:?} ssh -G says ServerAliveInterval {} and ServerAliveCountMax {}: pushguard cannot see what sets them",
                value(Key::Interval).map_or("(none)".into(), |v| v.to_string()),
                value(Key::CountMax).map_or("(none)".into(), |v| v.to_string())
            ),
        ));
    }
    if inv.source == SshSource::GitSshCommand {
        report.change = Some(Change::Environment {
            variable: "GIT_SSH_COMMAND".into(),
            value: new,
        });
        return Ok(report.end(
            Status::Manual,
            "GIT_SSH_COMMAND is set in the environment, where it wins over core.sshCommand; pushguard cannot change the shell that set it: set it to the value above",
        ));
    }
    let old = (inv.source == SshSource::CoreSshCommand).then_some(inv.command.as_str());
    let change = match plan(cwd, old, &new, req.global, &|k| env.get(k))? {
        Plan::Change(c) => c,
        Plan::Manual(why) => {
            report.change = Some(Change::Environment {
                variable: "core.sshCommand".into(),
                value: new,
            });
            return Ok(report.end(Status::Manual, why));
        }
        Plan::Refused(why) => return Ok(report.end(Status::CannotFix, why)),
    };
    if inv.source == SshSource::GitSsh {
        report.why.push(format!(
            "core.sshCommand wins over GIT_SSH ({}), and runs the same program",
            inv.command
        ));
    }
    report.why.push(format!(
        "set core.sshCommand in {} ({} scope)",
        change.file.display(),
        change.scope
    ));
    report.change = Some(Change::GitConfig {
        scope: change.scope.clone(),
        file: change.file.clone(),
        old: change.old.clone(),
        new: change.new.clone(),
        argv: change.argv(),
    });
    if !req.apply {
        return Ok(report);
    }
    let hosts = remote_hosts(cfg);
    let others = proof::Others::before(inv, &facts.host, &hosts, &facts.top);
    let original = match std::fs::read(&change.file) {
        Ok(b) => Some(b),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(source) => {
            return Err(FixError::Read {
                path: change.file.clone(),
                source,
            });
        }
    };
    let backup = match &original {
        Some(_) => Some(safe_write::backup(&change.file)?),
        None => None,
    };
    apply(cwd, &change)?;
    report.backup = backup.clone();
    let inv_now = invocation_now(&report, &candidate, env, cwd)?;
    // Every host served by the new command gets the keepalive: asked for.
    let all = |_: &str| true;
    let p = proof::after(facts, &inv_now, None, &[], keys, idle, &others, &all);
    let ok = p.ok;
    report.proof = Some(p);
    if ok {
        return Ok(report.end(
            Status::Applied,
            "proven with ssh -G through the command git runs now",
        ));
    }
    put_back(writer, &change.file, backup, original.as_deref())?;
    report.backup = None;
    Ok(report.end(
        Status::Restored,
        "the proof failed, so the original bytes are back",
    ))
}

/// The command git runs now for the report's push, from git's config as
/// it is now (`candidate`, the command predicted, when it cannot be read).
fn invocation_now(
    report: &Report,
    candidate: &git::SshInvocation,
    env: &Env,
    cwd: &Path,
) -> Result<git::SshInvocation, FixError> {
    let cfg_now = git::GitConfig::read(cwd)?;
    let target = git::parse_url(report.url.as_deref().unwrap_or(&report.host));
    let now = match target {
        Ok(RemoteUrl::Ssh(t)) => {
            let env = |k: &str| env.get(k);
            git::ssh_invocation(&t, &cfg_now, &env, "git-receive-pack", IpFamily::Any).ok()
        }
        _ => Some(git::SshInvocation {
            command: cfg_now.get("core.sshCommand").unwrap_or("ssh").to_string(),
            ..candidate.clone()
        }),
    };
    Ok(now.unwrap_or_else(|| candidate.clone()))
}

/// Writes `original` back to the git config `file` (removes it when it was
/// new) and drops the backup.
fn put_back(
    writer: &Writer,
    file: &Path,
    backup: Option<PathBuf>,
    original: Option<&[u8]>,
) -> Result<(), FixError> {
    let now = std::fs::read(file).map_err(|source| FixError::Read {
        path: file.to_path_buf(),
        source,
    })?;
    let written = safe_write::Written {
        path: file.to_path_buf(),
        backup,
        created: original.is_none(),
    };
    Ok(writer.restore(&written, &now, original)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEYS: &[(Key, u64)] = &[(Key::Interval, 30), (Key::CountMax, 4)];

    fn composed(base: &str) -> (String, Vec<String>) {
        compose(base, KEYS)
    }

    #[test]
    fn replaces_what_would_win_and_keeps_the_rest() {
        assert_eq!(
            composed("ssh -o ServerAliveInterval=0 -i ~/.ssh/k").0,
            "ssh -o ServerAliveInterval=30 -i ~/.ssh/k -o ServerAliveCountMax=4"
        );
        let (c, r) = composed("ssh -oServerAliveInterval=0 -vo 'ServerAliveCountMax 0' -F cfg");
        assert_eq!(
            c,
            "ssh -oServerAliveInterval=30 -vo ServerAliveCountMax=4 -F cfg"
        );
        assert_eq!(
            r,
            ["-oServerAliveInterval=0", "-vo 'ServerAliveCountMax 0'"]
        );
        assert_eq!(
            composed("ssh -o \"serveraliveinterval = 0\"").0,
            "ssh -o ServerAliveInterval=30 -o ServerAliveCountMax=4"
        );
        // A -F value that looks like an option is a value.
        assert_eq!(
            composed("ssh -F -oServerAliveInterval=0").0,
            "ssh -F -oServerAliveInterval=0 -o ServerAliveInterval=30 -o ServerAliveCountMax=4"
        );
        assert_eq!(
            composed("'/opt/my ssh'  ").0,
            "'/opt/my ssh' -o ServerAliveInterval=30 -o ServerAliveCountMax=4"
        );
        // Words a shell would make: ours go first.
        assert_eq!(
            composed("ssh $OPTS").0,
            "ssh -o ServerAliveInterval=30 -o ServerAliveCountMax=4 $OPTS"
        );
        let only_interval = compose("ssh -o ServerAliveCountMax=0", &[(Key::Interval, 20)]);
        assert_eq!(
            only_interval.0,
            "ssh -o ServerAliveCountMax=0 -o ServerAliveInterval=20"
        );
    }

    #[test]
    fn words_keep_their_place() {
        let w = words(r#"a 'b c'  d\ e "f\"g""#).unwrap();
        let texts: Vec<&str> = w.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(texts, ["a", "b c", "d e", "f\"g"]);
        assert_eq!((w[1].start, w[1].end), (2, 7));
        assert_eq!(words("a 'b"), None);
        assert_eq!(words("a | b"), None);
    }
}
