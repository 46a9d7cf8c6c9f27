//! Which keepalive ssh will use, reconciled from what was found: what the
//! program git runs reads ([`reads`]), the real `ssh -G` (when
//! `pushguard.resolver` is `ssh`) and the builtin resolver, or the PuTTY
//! session a PuTTY tool loads. Every rule that shapes the answer is here:
//!
//! - The program's name decides what it reads, not only git's variant
//!   ([`reads`]): a PuTTY tool reads its saved session even when git runs it
//!   as OpenSSH (TortoiseGit's `GIT_SSH_VARIANT=ssh`); OpenSSH config is
//!   never resolved for it. A PuTTY variant for a program that is not a
//!   PuTTY tool, and `simple` for one that is not ssh, are cannot tell.
//! - A PuTTY tool's keepalive is the session's ping interval, judged like
//!   `ServerAliveInterval`; there is no count max (PuTTY awaits no answer
//!   to a ping); a session that cannot be read is cannot tell
//!   ([`from_putty`]).
//! - An auto-detected variant whose `-G` probe fails is what git then
//!   treats as `simple`: cannot tell.
//! - `ssh -G` wins a disagreement with the builtin resolver (a note says
//!   so); the builtin gives origins and shadowed lines only when it agrees.
//! - When the builtin decides, a keepalive that depends on a `Match exec`
//!   it did not run is cannot tell.
//! - A `ControlPath` means ssh may reuse a shared connection, whose opener's
//!   keepalive applies: a note.
//! - `ServerAliveCountMax 0` with an interval is ssh giving up, not a
//!   keepalive (`policy::keepalive_of`).
//! - A builtin that cannot see every option (a wrapper program) decides
//!   nothing: alone it is cannot tell, beside `ssh -G` its origins are
//!   unknown (never "ssh's default" for a value it could not see).

use crate::git::Variant;
use crate::policy::{Keepalive, keepalive_of};
use crate::process::Failure;
use crate::putty::{self, Tool};
use crate::ssh::probe::ProbeError;
use crate::ssh::{Effective, Origin};

/// What the builtin resolver found for the keepalive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltinAnswer {
    /// The effective options.
    pub effective: Effective,
    /// Where ServerAliveInterval came from.
    pub interval_origin: Option<Origin>,
    /// ServerAliveInterval lines that lost to the winner.
    pub shadowed: Vec<Origin>,
    /// The first `Match exec` the keepalive depends on, if any.
    pub depends_on_exec: Option<Origin>,
    /// Caveats.
    pub notes: Vec<String>,
    /// Why the resolver cannot see every option ssh will get (a wrapper
    /// program that may add its own), if so: then nothing it found is
    /// known to be what ssh uses, and no origin it gives can be trusted.
    pub blind: Option<String>,
}

/// The keepalive as far as known, where it came from, and the caveats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The keepalive.
    pub keepalive: Keepalive,
    /// Where ServerAliveInterval came from, if known.
    pub interval_origin: Option<Origin>,
    /// Lines that set ServerAliveInterval but lost to the winner.
    pub shadowed: Vec<Origin>,
    /// Caveats (disagreement between resolvers, probe errors…).
    pub notes: Vec<String>,
    /// The effective options of the resolver that decided.
    pub effective: Option<Effective>,
    /// Who decided: `ssh -G` or `builtin`.
    pub resolver: Option<&'static str>,
    /// For a PuTTY tool: which, and the session it loads.
    pub putty: Option<putty::Found>,
}

impl Finding {
    /// Cannot tell, and why.
    pub fn cannot_tell(why: String) -> Finding {
        Finding {
            keepalive: Keepalive::Unknown(why),
            interval_origin: None,
            shadowed: Vec::new(),
            notes: Vec::new(),
            effective: None,
            resolver: None,
            putty: None,
        }
    }
}

/// Where the program git runs takes its keepalive from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reads {
    /// OpenSSH config and its command line: `ssh -G` and the builtin resolver tell.
    OpenSshConfig,
    /// The saved session of this PuTTY tool (`crate::putty`).
    PuttySession(Tool),
    /// Neither is known to apply: why.
    Unknown(String),
}

/// What the program git runs reads, from its file name as git cuts it
/// (`SshInvocation::program_name`; `None` when git cannot split the
/// command) and git's `variant`, which only decides the options git passes:
///
/// | program | variant | reads |
/// | --- | --- | --- |
/// | plink, putty, tortoiseplink, TortoiseGitPlink (any case, `.exe`) | any | that tool's PuTTY session |
/// | ssh, ssh.exe | openssh, simple | OpenSSH config |
/// | ssh, ssh.exe | plink, putty, tortoiseplink | cannot tell (OpenSSH given PuTTY's options) |
/// | anything else | openssh, auto | OpenSSH config (a wrapper: `ssh -G` through it) |
/// | anything else | plink, putty, tortoiseplink | cannot tell (not a PuTTY tool pushguard knows) |
/// | anything else | simple | cannot tell |
pub fn reads(variant: Variant, program: Option<&str>) -> Reads {
    if let Some(tool) = program.and_then(Tool::from_program) {
        return Reads::PuttySession(tool);
    }
    let name = program.unwrap_or("the ssh command");
    let is_ssh =
        program.is_some_and(|p| p.eq_ignore_ascii_case("ssh") || p.eq_ignore_ascii_case("ssh.exe"));
    let variant_name = format!("{variant:?}").to_ascii_lowercase();
    match variant {
        Variant::Plink | Variant::Putty | Variant::TortoisePlink if is_ssh => {
            Reads::Unknown(format!(
                "ssh.variant is {variant_name}, so git gives {name} PuTTY's options, which OpenSSH does not take"
            ))
        }
        Variant::Plink | Variant::Putty | Variant::TortoisePlink => Reads::Unknown(format!(
            "ssh.variant is {variant_name}, but {name} is not a PuTTY tool pushguard knows (plink, putty, TortoiseGitPlink), so which saved sessions it reads is unknown"
        )),
        Variant::Simple if !is_ssh => {
            Reads::Unknown("ssh.variant is simple: the ssh program is not OpenSSH".into())
        }
        Variant::Simple | Variant::OpenSsh | Variant::Auto => Reads::OpenSshConfig,
    }
}

/// The keepalive of the PuTTY `tool` from the session it loads: its ping
/// interval (0 when the session forbids the ignore messages pings are made
/// of); cannot tell when the session cannot be read.
pub fn from_putty(tool: Tool, session: Result<putty::Keepalive, putty::Unreadable>) -> Finding {
    let (mut found, session) = match session {
        Ok(k) => (Finding::cannot_tell(String::new()), Some(k)),
        Err(e) => (Finding::cannot_tell(e.to_string()), None),
    };
    if let Some(k) = &session {
        found.keepalive = Keepalive::Ping(k.pings());
    }
    found.putty = Some(putty::Found { tool, session });
    found
}

/// Reconciles the witnesses for the ssh `command` of `variant`, a program
/// that reads OpenSSH config ([`reads`]): `probe` is `ssh -G` (`None` when
/// not asked), `builtin` the builtin resolver (`None` when not run).
pub fn reconcile(
    variant: Variant,
    command: &str,
    probe: Option<Result<Effective, ProbeError>>,
    builtin: Option<Result<BuiltinAnswer, String>>,
) -> Finding {
    let builtin = builtin.unwrap_or_else(|| Err("not resolved".into()));
    let mut found = match (probe, builtin) {
        (Some(Ok(eff)), b) => trust_ssh_g(eff, b),
        (Some(Err(e)), Ok(_)) if variant == Variant::Auto => {
            return Finding::cannot_tell(format!(
                "git will treat {command} as a simple ssh (its -G probe failed: {})",
                probe_failed(command, &e)
            ));
        }
        (probe, Ok(b)) => {
            let mut found = trust_builtin(b);
            if let Some(Err(e)) = probe {
                let e = probe_failed(command, &e);
                found
                    .notes
                    .insert(0, format!("{e}; using the builtin resolver"));
            }
            found
        }
        (Some(Err(p)), Err(e)) => {
            let p = probe_failed(command, &p);
            // A config both reject says the same thing twice.
            Finding::cannot_tell(match p.contains(e.trim()) {
                true => format!("{p} (the builtin resolver finds the same)"),
                false => format!("{p}; the builtin resolver: {e}"),
            })
        }
        (None, Err(e)) => Finding::cannot_tell(e),
    };
    let shared = found
        .effective
        .as_ref()
        .and_then(|e| e.get("controlpath"))
        .filter(|v| v.value != "none")
        .map(|v| v.value.clone());
    if let Some(path) = shared {
        found.notes.push(format!(
            "ssh may reuse a shared connection (ControlPath {path}); then the keepalive of the ssh that opened it applies"
        ));
    }
    found
}

/// What went wrong with `ssh -G` through the ssh `command` git runs, named
/// as configured (not as the shell git may wrap it in), on one line.
fn probe_failed(command: &str, e: &ProbeError) -> String {
    let ProbeError::Process(p) = e else {
        return e.to_string();
    };
    let through = format!("ssh -G through `{command}`");
    let one_line = |s: &str| s.trim().lines().collect::<Vec<_>>().join("; ");
    match &p.kind {
        Failure::Exit { code, stderr, .. } => {
            let how =
                code.map_or_else(|| "killed by a signal".into(), |c| format!("exit code {c}"));
            match one_line(stderr).as_str() {
                "" => format!("{through} failed ({how})"),
                err => format!("{through} failed ({how}): {err}"),
            }
        }
        Failure::Timeout(limit) => {
            format!("{through} did not answer within {} ms", limit.as_millis())
        }
        Failure::OutOfTime(_) => p.to_string(),
        Failure::Spawn(err) => format!("cannot run `{command}`: {err}"),
        Failure::Io(err) => format!("{through}: {err}"),
    }
}

/// `ssh -G` answered: its value decides; the builtin adds origins when it agrees.
fn trust_ssh_g(eff: Effective, builtin: Result<BuiltinAnswer, String>) -> Finding {
    let interval = eff.server_alive_interval();
    let mut found = Finding::cannot_tell("ssh -G printed no serveraliveinterval".into());
    if let Some(i) = interval {
        found.keepalive = keepalive_of(i, count_max(&eff));
    }
    match builtin {
        Ok(BuiltinAnswer {
            blind: Some(why),
            notes,
            ..
        }) => {
            found.interval_origin = Some(Origin::Unknown);
            found.notes.push(format!(
                "{why}: pushguard cannot tell where this value comes from"
            ));
            found.notes.extend(notes);
        }
        Ok(b) => {
            let bi = b.effective.server_alive_interval();
            if bi == interval {
                found.interval_origin = b.interval_origin;
                found.shadowed = b.shadowed;
            } else {
                found.notes.push(format!(
                    "ssh -G and the builtin resolver disagree on ServerAliveInterval ({} vs {}); trusting ssh -G",
                    show(interval),
                    show(bi)
                ));
            }
            found.notes.extend(b.notes);
        }
        Err(e) => found.notes.push(format!("origins unknown: {e}")),
    }
    found.effective = Some(eff);
    found.resolver = Some("ssh -G");
    found
}

/// Only the builtin answered: options it cannot see, or an unknown `Match
/// exec`, make it cannot tell.
fn trust_builtin(b: BuiltinAnswer) -> Finding {
    if let Some(why) = b.blind {
        let mut found = Finding::cannot_tell(format!(
            "{why}, and with pushguard.resolver=builtin no ssh -G runs through it"
        ));
        found.notes = b.notes;
        found.resolver = Some("builtin");
        return found;
    }
    let keepalive = match (&b.depends_on_exec, b.effective.server_alive_interval()) {
        (Some(at), _) => Keepalive::Unknown(format!(
            "it depends on a Match exec command at {at}, which pushguard does not run"
        )),
        (None, Some(i)) => keepalive_of(i, count_max(&b.effective)),
        (None, None) => Keepalive::Unknown("no serveraliveinterval resolved".into()),
    };
    Finding {
        keepalive,
        interval_origin: b.interval_origin,
        shadowed: b.shadowed,
        notes: b.notes,
        effective: Some(b.effective),
        resolver: Some("builtin"),
        putty: None,
    }
}

/// `ServerAliveCountMax` as resolved; ssh's default (3) when it is not in
/// the dump (every ssh -G from 8.7p1 to 10.5p1 prints it).
fn count_max(eff: &Effective) -> u64 {
    eff.get("serveralivecountmax")
        .and_then(|v| v.value.parse().ok())
        .unwrap_or(3)
}

fn show(v: Option<u64>) -> String {
    v.map_or_else(|| "none".to_string(), |i| i.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: usize) -> Origin {
        Origin::File {
            path: "/home/dev/.ssh/config".into(),
            line,
        }
    }

    fn dump(text: &str) -> Effective {
        Effective::from_dump(text)
    }

    fn builtin(text: &str) -> BuiltinAnswer {
        BuiltinAnswer {
            effective: dump(text),
            interval_origin: Some(at(2)),
            shadowed: vec![at(5)],
            depends_on_exec: None,
            notes: vec!["builtin note".into()],
            blind: None,
        }
    }

    fn failed_probe() -> Option<Result<Effective, ProbeError>> {
        Some(Err(ProbeError::Empty))
    }

    // The program decides what is read: git's connect.c picks the variant
    // (and so the options) from the name or ssh.variant, but TortoiseGit
    // sets GIT_SSH_VARIANT=ssh for TortoiseGitPlink (src/Git/Git.cpp), which
    // still reads PuTTY sessions (TortoisePlink's Windows/storage.c).
    #[test]
    fn the_program_decides_what_is_read() {
        use Variant::*;
        let putty = |t| Reads::PuttySession(t);
        for (variant, program, want) in [
            (Plink, Some("plink"), putty(Tool::Plink)),
            (
                OpenSsh,
                Some("TortoiseGitPlink.exe"),
                putty(Tool::TortoisePlink),
            ),
            (
                Auto,
                Some("TortoiseGitPlink.exe"),
                putty(Tool::TortoisePlink),
            ),
            (
                TortoisePlink,
                Some("tortoiseplink"),
                putty(Tool::TortoisePlink),
            ),
            (Simple, Some("PLINK.EXE"), putty(Tool::Plink)),
            (Auto, Some("putty"), putty(Tool::Putty)),
            (OpenSsh, Some("ssh"), Reads::OpenSshConfig),
            (Simple, Some("SSH.EXE"), Reads::OpenSshConfig),
            (Auto, Some("my-ssh-wrapper"), Reads::OpenSshConfig),
            (OpenSsh, None, Reads::OpenSshConfig),
        ] {
            assert_eq!(reads(variant, program), want, "{variant:?} {program:?}");
        }
        for (variant, program) in [
            (Plink, Some("ssh")),
            (Plink, Some("klink.exe")),
            (TortoisePlink, None),
            (Simple, Some("my-ssh")),
        ] {
            assert!(
                matches!(reads(variant, program), Reads::Unknown(_)),
                "{variant:?} {program:?}"
            );
        }
        assert_eq!(
            reads(Putty, Some("wrap")),
            Reads::Unknown("ssh.variant is putty, but wrap is not a PuTTY tool pushguard knows (plink, putty, TortoiseGitPlink), so which saved sessions it reads is unknown".into())
        );
    }

    fn session(interval: u64, suppressed: bool) -> putty::Keepalive {
        let setting = |name, value: i64| putty::Setting {
            name,
            raw: value.to_string(),
            value,
            line: Some(1),
        };
        putty::Keepalive {
            interval,
            session: putty::DEFAULT_SESSION.into(),
            location: putty::Location::File("/h/.putty/sessions/Default%20Settings".into()),
            exists: true,
            from: vec![setting("PingIntervalSecs", interval as i64)],
            suppressed: suppressed.then(|| setting("BugIgnore2", 2)),
        }
    }

    #[test]
    fn a_putty_session_gives_a_ping_interval_or_cannot_tell() {
        let f = from_putty(Tool::Plink, Ok(session(30, false)));
        assert_eq!(f.keepalive, Keepalive::Ping(30));
        assert_eq!(f.putty.as_ref().map(|p| p.tool), Some(Tool::Plink));
        assert_eq!(f.putty.and_then(|p| p.session), Some(session(30, false)));
        assert_eq!((f.interval_origin, f.resolver), (None, None));
        // ssh/connection2.c: no ignore messages, no pings.
        let f = from_putty(Tool::Plink, Ok(session(30, true)));
        assert_eq!(f.keepalive, Keepalive::Ping(0));
        let e = putty::Unreadable::CommandLine("unknown option -x".into());
        let f = from_putty(Tool::TortoisePlink, Err(e.clone()));
        assert_eq!(f.keepalive, Keepalive::Unknown(e.to_string()));
        assert_eq!(
            f.putty,
            Some(putty::Found {
                tool: Tool::TortoisePlink,
                session: None
            })
        );
    }

    #[test]
    fn an_auto_variant_whose_probe_fails_is_simple() {
        let b = Some(Ok(builtin("serveraliveinterval 30\n")));
        let f = reconcile(Variant::Auto, "wrap", failed_probe(), b.clone());
        assert_eq!(
            f.keepalive,
            Keepalive::Unknown(
                "git will treat wrap as a simple ssh (its -G probe failed: no command to run)"
                    .into()
            )
        );
        // For OpenSSH itself a failed probe falls back to the builtin.
        let f = reconcile(Variant::OpenSsh, "ssh", failed_probe(), b);
        assert_eq!(f.keepalive, Keepalive::Interval(30));
        assert_eq!(f.resolver, Some("builtin"));
        assert_eq!(
            f.notes,
            [
                "no command to run; using the builtin resolver",
                "builtin note"
            ]
        );
    }

    #[test]
    fn ssh_g_wins_and_the_builtin_adds_origins_when_it_agrees() {
        let probe = || Some(Ok(dump("serveraliveinterval 30\n")));
        let agree = Some(Ok(builtin("serveraliveinterval 30\n")));
        let f = reconcile(Variant::OpenSsh, "ssh", probe(), agree);
        assert_eq!(f.keepalive, Keepalive::Interval(30));
        assert_eq!((f.interval_origin, f.shadowed), (Some(at(2)), vec![at(5)]));
        assert_eq!(f.resolver, Some("ssh -G"));
        assert_eq!(f.notes, ["builtin note"]);
        let disagree = Some(Ok(builtin("serveraliveinterval 0\n")));
        let f = reconcile(Variant::OpenSsh, "ssh", probe(), disagree);
        assert_eq!(f.keepalive, Keepalive::Interval(30));
        assert_eq!((f.interval_origin, f.shadowed), (None, vec![]));
        assert_eq!(
            f.notes[0],
            "ssh -G and the builtin resolver disagree on ServerAliveInterval (30 vs 0); trusting ssh -G"
        );
        let f = reconcile(Variant::OpenSsh, "ssh", probe(), Some(Err("bad".into())));
        assert_eq!(f.keepalive, Keepalive::Interval(30));
        assert_eq!(f.notes, ["origins unknown: bad"]);
        let zero = Some(Ok(dump("serveraliveinterval 30\nserveralivecountmax 0\n")));
        let f = reconcile(Variant::OpenSsh, "ssh", zero, None);
        assert_eq!(f.keepalive, Keepalive::GivesUp(30));
        let f = reconcile(Variant::OpenSsh, "ssh", Some(Ok(dump("user git\n"))), None);
        assert_eq!(
            f.keepalive,
            Keepalive::Unknown("ssh -G printed no serveraliveinterval".into())
        );
    }

    #[test]
    fn a_keepalive_behind_an_unknown_match_exec_cannot_tell() {
        let mut b = builtin("serveraliveinterval 30\n");
        b.depends_on_exec = Some(at(1));
        let f = reconcile(Variant::OpenSsh, "ssh", None, Some(Ok(b)));
        assert_eq!(
            f.keepalive,
            Keepalive::Unknown(
                "it depends on a Match exec command at /home/dev/.ssh/config:1, which pushguard does not run"
                    .into()
            )
        );
        // The origins are still worth showing.
        assert_eq!(f.interval_origin, Some(at(2)));
        let f = reconcile(
            Variant::OpenSsh,
            "ssh",
            None,
            Some(Ok(builtin("user git\n"))),
        );
        assert_eq!(
            f.keepalive,
            Keepalive::Unknown("no serveraliveinterval resolved".into())
        );
    }

    #[test]
    fn a_builtin_that_cannot_see_the_options_decides_nothing() {
        let blind = || {
            let mut b = builtin("serveraliveinterval 0\n");
            b.blind = Some("wrap is not ssh itself".into());
            Some(Ok(b))
        };
        let f = reconcile(Variant::OpenSsh, "wrap", None, blind());
        assert_eq!(
            f.keepalive,
            Keepalive::Unknown(
                "wrap is not ssh itself, and with pushguard.resolver=builtin no ssh -G runs through it"
                    .into()
            )
        );
        assert_eq!((f.interval_origin, f.shadowed), (None, vec![]));
        // Beside ssh -G, the value is known and its origin is not.
        let probe = Some(Ok(dump("serveraliveinterval 0\n")));
        let f = reconcile(Variant::OpenSsh, "wrap", probe, blind());
        assert_eq!(f.keepalive, Keepalive::Interval(0));
        assert_eq!(
            (f.interval_origin, f.shadowed),
            (Some(Origin::Unknown), vec![])
        );
        assert_eq!(
            f.notes[0],
            "wrap is not ssh itself: pushguard cannot tell where this value comes from"
        );
    }

    #[test]
    fn a_failed_probe_names_the_command_as_configured_and_says_it_once() {
        let failed = |stderr: &str| {
            Some(Err(ProbeError::Process(crate::process::ProcessError {
                command: "/bin/sh -c 'ssh -F x \"$@\"' 'ssh -F x' -G h".into(),
                kind: Failure::Exit {
                    code: Some(255),
                    stdout: String::new(),
                    stderr: stderr.into(),
                },
            })))
        };
        let missing = "Can't open user config file x: No such file or directory";
        let f = reconcile(
            Variant::OpenSsh,
            "ssh -F x",
            failed(&format!("{missing}\n")),
            Some(Err(missing.into())),
        );
        assert_eq!(
            f.keepalive,
            Keepalive::Unknown(format!(
                "ssh -G through `ssh -F x` failed (exit code 255): {missing} (the builtin resolver finds the same)"
            ))
        );
        let f = reconcile(
            Variant::OpenSsh,
            "ssh -F x",
            failed("line 1\nline 2"),
            Some(Err("other".into())),
        );
        assert_eq!(
            f.keepalive,
            Keepalive::Unknown(
                "ssh -G through `ssh -F x` failed (exit code 255): line 1; line 2; the builtin resolver: other"
                    .into()
            )
        );
    }

    #[test]
    fn no_witness_at_all_says_why() {
        let f = reconcile(
            Variant::OpenSsh,
            "ssh",
            failed_probe(),
            Some(Err("bad".into())),
        );
        assert_eq!(
            f.keepalive,
            Keepalive::Unknown("no command to run; the builtin resolver: bad".into())
        );
        let f = reconcile(Variant::OpenSsh, "ssh", None, Some(Err("bad".into())));
        assert_eq!(f.keepalive, Keepalive::Unknown("bad".into()));
        let f = reconcile(Variant::OpenSsh, "ssh", None, None);
        assert_eq!(f.keepalive, Keepalive::Unknown("not resolved".into()));
    }

    #[test]
    fn a_control_path_is_noted() {
        let shared = "serveraliveinterval 30\ncontrolpath /tmp/cm-%C\n";
        let f = reconcile(Variant::OpenSsh, "ssh", Some(Ok(dump(shared))), None);
        assert_eq!(
            f.notes.last().map(String::as_str),
            Some(
                "ssh may reuse a shared connection (ControlPath /tmp/cm-%C); then the keepalive of the ssh that opened it applies"
            )
        );
        let private = "serveraliveinterval 30\ncontrolpath none\n";
        let f = reconcile(Variant::OpenSsh, "ssh", None, Some(Ok(builtin(private))));
        assert_eq!(f.notes, ["builtin note"]);
    }
}
