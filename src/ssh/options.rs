//! The option store: what the command line and the files set, with the
//! origin of every value, combined as each keyword's row says (first wins,
//! last wins, the first line's list, accumulate).
//!
//! - [`Options::apply`]: one config line: its keyword's row, the row's
//!   parser (`values.rs`), then the row's store kind.
//! - [`Options`]: the values by [`Op`], and the few values ssh keeps
//!   beside them (the jump, ForwardAgent's socket, RekeyLimit's interval).
//! - [`LineCtx`]: where a line sits; [`Attempt`]: a line that set a watched
//!   (keepalive) keyword, won or lost.
//!
//! Named special cases beside the store kinds: a ProxyJump and a
//! ProxyCommand exclude each other (whichever comes first; before 10.3 a
//! `ProxyJump none` hid later ProxyCommand lines too), ForwardAgent's
//! socket path and RekeyLimit's interval are first-wins on their own,
//! RevokedHostKeys is one file or (10.3) a list, RefuseConnection stops
//! ssh where it applies.

use std::borrow::Cow;
use std::path::Path;

use super::keywords::{self, Keyword, Op, Presence, Store};
use super::lex::{self, argv_split};
use super::pattern::{ListMatch, match_pattern, match_pattern_list};
use super::profile::Profile;
use super::specs::Jump;
use super::table::ROWS;
use super::values::{self, Args, Block, LineError, Parsed, Site};
use super::{Origin, Value};

/// A line that tried to set a watched (keepalive) key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Attempt {
    /// The key in the output.
    pub key: &'static str,
    /// The value it asked for.
    pub text: String,
    /// The line.
    pub origin: Origin,
    /// Whether this line's value was taken.
    pub won: bool,
}

/// Where the line being applied sits.
#[derive(Debug, Clone)]
pub(crate) struct LineCtx<'p> {
    /// The file (`None`: the command line).
    pub path: Option<&'p Path>,
    /// 1-based line number in `path`.
    pub line: usize,
    /// Is the enclosing Host/Match block active?
    pub active: bool,
    /// User file, `-F` file or command line (not the system file).
    pub userconf: bool,
}

impl LineCtx<'_> {
    /// The command line.
    pub(crate) const COMMAND_LINE: LineCtx<'static> = LineCtx {
        path: None,
        line: 0,
        active: true,
        userconf: true,
    };

    /// The origin recorded for values the line sets (built only when a
    /// value is kept, to keep parsing allocation-light).
    pub fn origin(&self) -> Origin {
        match self.path {
            Some(p) => Origin::File {
                path: p.to_path_buf(),
                line: self.line,
            },
            None => Origin::CommandLine,
        }
    }
}

/// The option store.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    /// Single values, by [`Op`].
    one: Vec<Option<Value>>,
    /// Lists, by [`Op`].
    many: Vec<Vec<Value>>,
    /// For the files of [`Store::Files`]: whether each came from the user
    /// (a user file or the command line), as ssh checks duplicates.
    from_user: Vec<Vec<bool>>,
    /// The ProxyJump and its line.
    pub jump: Option<(Jump, Origin)>,
    /// Lines that set a watched keyword.
    pub attempts: Vec<Attempt>,
    /// ForwardAgent's socket path.
    pub agent_socket: Option<Value>,
    /// RekeyLimit's interval.
    pub rekey_interval: Option<i64>,
    /// The user came from `-l`, `user@` or `ssh://` (not `-o User` nor a
    /// file): later builds expand and check it otherwise.
    pub user_from_command_line: bool,
    /// Options a `none` cleared after their default was set: ssh prints
    /// nothing for them (SecurityKeyProvider).
    pub cleared: Vec<Op>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            one: vec![None; ROWS.len()],
            many: vec![Vec::new(); ROWS.len()],
            from_user: vec![Vec::new(); ROWS.len()],
            jump: None,
            attempts: Vec::new(),
            agent_socket: None,
            rekey_interval: None,
            user_from_command_line: false,
            cleared: Vec::new(),
        }
    }
}

impl Options {
    /// Is a single-value option still unset?
    pub fn unset(&self, op: Op) -> bool {
        self.one[op as usize].is_none()
    }

    /// A single value and its origin.
    pub fn value(&self, op: Op) -> Option<&Value> {
        self.one[op as usize].as_ref()
    }

    /// The printed value of a single-value option.
    pub fn get(&self, op: Op) -> Option<&str> {
        self.value(op).map(|v| v.value.as_str())
    }

    /// Sets a value whatever was there (ssh's direct assignments).
    pub fn set(&mut self, op: Op, value: Value) {
        self.one[op as usize] = Some(value);
    }

    /// Unsets a single value.
    pub fn clear(&mut self, op: Op) {
        self.one[op as usize] = None;
    }

    /// The values of a list option.
    pub fn list(&self, op: Op) -> &[Value] {
        &self.many[op as usize]
    }

    /// Sets a first-wins option if the line is active and the option unset;
    /// records the try for a watched keyword.
    pub fn set_first(&mut self, op: Op, text: impl Into<String>, ctx: &LineCtx) {
        if !ctx.active {
            return;
        }
        let watched = keywords::row(op).watched;
        let won = self.unset(op);
        if !won && !watched {
            return;
        }
        let text: String = text.into();
        if watched {
            self.attempts.push(Attempt {
                key: keywords::row(op).key(),
                text: text.clone(),
                origin: ctx.origin(),
                won,
            });
        }
        if won {
            self.set(
                op,
                Value {
                    value: text,
                    origin: ctx.origin(),
                },
            );
        }
    }

    /// Applies one config line (already without trailing newline) as the
    /// build of `profile` reads it. Host, Match and Include come back for
    /// the caller; the patterns of Host and the paths of Include are left
    /// in `words`, a buffer the caller keeps across lines.
    pub fn apply<'a>(
        &mut self,
        line: lex::Line<'a>,
        ctx: &LineCtx,
        cmdline: bool,
        words: &mut lex::Words<'a>,
        profile: &Profile,
    ) -> Result<Option<Block<'a>>, LineError> {
        let Some((keyword, rest, plain)) = keyword_and_rest(line, words) else {
            return Ok(None);
        };
        let (keyword, row) = match keywords::lookup(&keyword) {
            Some((k, row)) => match row.presence(k, profile) {
                Presence::Yes => (k, row),
                Presence::Unsupported => (k, keywords::row(Op::Unsupported)),
                Presence::Unknown => return self.apply_unknown(k, rest, plain),
            },
            None => return self.apply_unknown(&keyword, rest, plain),
        };
        if rest.is_empty() {
            return Err(format!("no argument after keyword \"{keyword}\""));
        }
        if !plain {
            *words = argv_split(rest).ok_or_else(|| "invalid quotes".to_string())?;
        }
        let mut args = Args::new(words);
        let site = Site {
            keyword,
            rest,
            cmdline,
            profile,
        };
        let parsed = values::parse(row.parse, &site, &mut args)?;
        if let Parsed::Block(block) = parsed {
            return Ok(Some(block));
        }
        if args.left() > 0 {
            return Err(format!("keyword {keyword} extra arguments at end of line"));
        }
        self.store(row, parsed, ctx, profile)?;
        Ok(None)
    }

    /// A keyword not in the table: an error unless `IgnoreUnknown` covers
    /// it (messages name it lowercased, like ssh).
    fn apply_unknown<'a>(
        &self,
        keyword: &str,
        rest: &str,
        plain: bool,
    ) -> Result<Option<Block<'a>>, LineError> {
        let keyword = keyword.to_ascii_lowercase();
        if rest.is_empty() {
            return Err(format!("no argument after keyword \"{keyword}\""));
        }
        match self.get(Op::IgnoreUnknown) {
            Some(list) if match_pattern_list(&keyword, list, true) == ListMatch::Yes => {}
            _ => return Err(format!("Bad configuration option: {keyword}")),
        }
        if !plain && argv_split(rest).is_none() {
            return Err("invalid quotes".to_string());
        }
        Ok(None)
    }

    /// Keeps a parsed value as the row's store kind says. Nothing is kept
    /// from a block that does not apply (unless the row takes any block).
    fn store(
        &mut self,
        row: &Keyword,
        parsed: Parsed<'_>,
        ctx: &LineCtx,
        profile: &Profile,
    ) -> Result<(), LineError> {
        let op = row.op;
        let any = LineCtx {
            active: true,
            ..ctx.clone()
        };
        let ctx = if row.any_block { &any } else { ctx };
        if !ctx.active {
            return Ok(());
        }
        let one = |v: Cow<'_, str>| v.into_owned();
        match parsed {
            Parsed::Nothing | Parsed::Block(_) => {}
            Parsed::Unset if row.watched => self.attempts.push(Attempt {
                key: row.key(),
                text: "none".into(),
                origin: ctx.origin(),
                won: false,
            }),
            Parsed::Unset => {}
            Parsed::Refuse(why) => return Err(format!("RefuseConnection: {why}")),
            // RevokedHostKeys before 10.3: one file, first wins.
            Parsed::One(v) if op == Op::RevokedHostKeys => {
                if self.list(op).is_empty() {
                    self.push(op, one(v), ctx);
                }
            }
            Parsed::One(v) => self.store_one(row, v, ctx, profile)?,
            Parsed::Num(n) => self.store_one(row, Cow::Owned(n.to_string()), ctx, profile)?,
            Parsed::Many(vals) if row.store == Store::Append => {
                for v in vals {
                    match v.strip_prefix('-') {
                        Some(pat) => {
                            self.many[op as usize].retain(|s| !match_pattern(&s.value, pat))
                        }
                        None => self.push(op, one(v), ctx),
                    }
                }
            }
            Parsed::Many(vals) => {
                if self.list(op).is_empty() {
                    for v in vals {
                        self.push(op, one(v), ctx);
                    }
                }
            }
            Parsed::Jump(j) => self.store_jump(j, ctx, profile.rules.proxy_first_match),
            Parsed::Socket(path) => {
                let fresh = self.agent_socket.is_none();
                self.set_first(op, "yes", ctx);
                if fresh {
                    self.agent_socket = Some(Value {
                        value: one(path),
                        origin: ctx.origin(),
                    });
                }
            }
            Parsed::Rekey(bytes, secs) => {
                self.set_first(op, bytes.to_string(), ctx);
                if self.rekey_interval.is_none() {
                    self.rekey_interval = secs;
                }
            }
        }
        Ok(())
    }

    fn store_one(
        &mut self,
        row: &Keyword,
        v: Cow<'_, str>,
        ctx: &LineCtx,
        profile: &Profile,
    ) -> Result<(), LineError> {
        let op = row.op;
        match row.store {
            Store::Last => self.set(
                op,
                Value {
                    value: v.into_owned(),
                    origin: ctx.origin(),
                },
            ),
            Store::Distinct => {
                if !self.list(op).iter().any(|s| s.value == v) {
                    self.push(op, v.into_owned(), ctx);
                }
            }
            Store::Files { max, what } => {
                self.add_file(op, v.into_owned(), ctx.userconf, ctx.origin(), max, what)?;
            }
            // A ProxyJump set first hides later ProxyCommand lines; from
            // 10.3 `ProxyJump none` does not.
            _ if op == Op::ProxyCommand
                && self
                    .jump
                    .as_ref()
                    .is_some_and(|(j, _)| !(j.is_none() && profile.rules.proxy_first_match)) => {}
            _ => self.set_first(op, v, ctx),
        }
        Ok(())
    }

    fn push(&mut self, op: Op, value: String, ctx: &LineCtx) {
        self.many[op as usize].push(Value {
            value,
            origin: ctx.origin(),
        });
    }

    /// A ProxyJump counts when no ProxyCommand or jump came first (from
    /// 10.3 `none` counts whatever ProxyCommand says); a real jump (not
    /// `none`) also sets ProxyCommand to `none`.
    fn store_jump(&mut self, j: Jump, ctx: &LineCtx, first_match: bool) {
        let none_anyway = first_match && j.is_none();
        if (!self.unset(Op::ProxyCommand) && !none_anyway) || self.jump.is_some() {
            return;
        }
        if j.port != 0 {
            self.set(
                Op::ProxyCommand,
                Value {
                    value: "none".into(),
                    origin: ctx.origin(),
                },
            );
        }
        self.jump = Some((j, ctx.origin()));
    }

    /// Adds a file unless the same path came from the same kind of source.
    fn add_file(
        &mut self,
        op: Op,
        path: String,
        user: bool,
        origin: Origin,
        max: usize,
        what: &str,
    ) -> Result<(), LineError> {
        let i = op as usize;
        if self.many[i].len() >= max {
            return Err(format!("Too many {what} files specified (max {max})."));
        }
        let dup = self.many[i]
            .iter()
            .zip(&self.from_user[i])
            .any(|(s, u)| *u == user && s.value == path);
        if !dup {
            self.from_user[i].push(user);
            self.many[i].push(Value {
                value: path,
                origin,
            });
        }
        Ok(())
    }

    /// Adds `-i file` from the command line (user provided).
    pub fn add_identity_cmdline(&mut self, path: String) -> Result<(), LineError> {
        let (max, what) = match keywords::row(Op::IdentityFile).store {
            Store::Files { max, what } => (max, what),
            _ => (usize::MAX, "identity"),
        };
        self.add_file(Op::IdentityFile, path, true, Origin::CommandLine, max, what)
    }
}

/// The keyword and argument text of a line, and whether its words are
/// already split in `words` (a plain line); `None` for a line without a
/// keyword (blank, comment, bad quote in the keyword).
fn keyword_and_rest<'a>(
    line: lex::Line<'a>,
    words: &mut lex::Words<'a>,
) -> Option<(Cow<'a, str>, &'a str, bool)> {
    match line {
        lex::Line::Plain("", _) => None,
        lex::Line::Plain(k, r) => Some((Cow::Borrowed(k), r, true)),
        lex::Line::Raw(raw) => {
            // Trailing whitespace and form feeds go, all but the first
            // character (ssh's loop stops at index 0: a line of form feeds
            // keeps one, a keyword without argument); the keyword is the
            // first word (a leading empty word means leading whitespace).
            let keep = raw.chars().next().map_or(0, char::len_utf8);
            let kept = raw[keep..].trim_end_matches([' ', '\t', '\r', '\n', '\x0c']);
            let line = &raw[..keep + kept.len()];
            if line.is_empty() {
                return None;
            }
            if let Some((k, r)) = lex::plain_split(line, words) {
                return Some((Cow::Borrowed(k), r, true));
            }
            let (mut keyword, mut rest) = lex::strdelim(line)?;
            if keyword.is_empty() {
                (keyword, rest) = rest.and_then(lex::strdelim)?;
            }
            if keyword.is_empty() || keyword.starts_with('\n') || keyword.starts_with('#') {
                return None;
            }
            let rest = rest.map(|r| lex::trim_start(r, b" \t\r\n")).unwrap_or("");
            Some((keyword, rest, false))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ssh::keywords::Parse;

    fn apply(o: &mut Options, line: &str, active: bool) -> Result<(), LineError> {
        let ctx = LineCtx {
            active,
            ..LineCtx::COMMAND_LINE
        };
        o.apply(
            lex::Line::Raw(line),
            &ctx,
            false,
            &mut lex::Words::default(),
            &Profile::debian12(6),
        )
        .map(|_| ())
    }

    /// Found by the `ssh_vs_ssh_g` fuzz target: ssh strips trailing blanks
    /// and form feeds down to the line's first character, so a line of form
    /// feeds is the keyword `\f` without an argument, an error in any block.
    #[test]
    fn a_line_of_form_feeds_keeps_one() {
        let mut o = Options::default();
        for line in ["\x0c", "\x0c\x0c\n", "\x0c \x0c"] {
            let e = apply(&mut o, line, false).unwrap_err();
            assert!(
                format!("{e:?}").contains("no argument after keyword"),
                "{line:?}: {e:?}"
            );
        }
        for blank in [" \x0c", "\t\x0c\n", " ", "\n"] {
            assert!(apply(&mut o, blank, false).is_ok(), "{blank:?}");
        }
    }

    #[test]
    fn store_kinds_fit_the_parsers() {
        for r in ROWS {
            let want = match r.parse {
                Parse::Words
                | Parse::Domains
                | Parse::RemoteOpen
                | Parse::EnvAssignments
                | Parse::Cnames => Store::Once,
                Parse::EnvNames => Store::Append,
                Parse::File => r.store,
                Parse::Forward(_) => Store::Distinct,
                Parse::Jump | Parse::Rekey | Parse::Revoked => Store::Special,
                Parse::ChannelTimeout => Store::Once,
                Parse::Host | Parse::Match | Parse::Include | Parse::Skip => Store::Block,
                Parse::Mask => Store::Last,
                _ => Store::First,
            };
            assert_eq!(r.store, want, "{:?}", r.op);
            if matches!(r.parse, Parse::File) {
                assert!(matches!(r.store, Store::Files { .. }), "{:?}", r.op);
            }
        }
    }

    #[test]
    fn first_wins_and_watched_lines_are_recorded() {
        let mut o = Options::default();
        apply(&mut o, "ServerAliveInterval 30", true).unwrap();
        apply(&mut o, "ServerAliveInterval 60", true).unwrap();
        apply(&mut o, "ServerAliveInterval 90", false).unwrap();
        assert_eq!(o.get(Op::ServerAliveInterval), Some("30"));
        let tries: Vec<(&str, bool)> = o
            .attempts
            .iter()
            .map(|a| (a.text.as_str(), a.won))
            .collect();
        assert_eq!(tries, [("30", true), ("60", false)]);
        assert!(apply(&mut o, "ServerAliveInterval x", false).is_err());
    }

    #[test]
    fn lists_combine_as_their_rows_say() {
        let mut o = Options::default();
        apply(&mut o, "SendEnv A B LC_*", true).unwrap();
        apply(&mut o, "SendEnv -LC_* C", true).unwrap();
        let sendenv: Vec<&str> = o
            .list(Op::SendEnv)
            .iter()
            .map(|v| v.value.as_str())
            .collect();
        assert_eq!(sendenv, ["A", "B", "C"]);
        apply(&mut o, "UserKnownHostsFile a b", true).unwrap();
        apply(&mut o, "UserKnownHostsFile c", true).unwrap();
        assert_eq!(o.list(Op::UserKnownHostsFile).len(), 2);
        apply(&mut o, "LocalForward 1 h:2", true).unwrap();
        apply(&mut o, "LocalForward 1 h:2", true).unwrap();
        assert_eq!(o.list(Op::LocalForward).len(), 1);
        apply(&mut o, "StreamLocalBindMask 0111", false).unwrap();
        apply(&mut o, "StreamLocalBindMask 0222", false).unwrap();
        assert_eq!(o.get(Op::StreamLocalBindMask), Some("0222"));
        apply(&mut o, "SyslogFacility LOCAL1", false).unwrap();
        apply(&mut o, "SyslogFacility LOCAL2", true).unwrap();
        assert_eq!(o.get(Op::SyslogFacility), Some("LOCAL1"));
    }

    #[test]
    fn jump_and_proxy_command_exclude_each_other() {
        let mut o = Options::default();
        apply(&mut o, "ProxyJump j", true).unwrap();
        apply(&mut o, "ProxyCommand nc %h %p", true).unwrap();
        assert_eq!(o.get(Op::ProxyCommand), Some("none"));
        let mut o = Options::default();
        apply(&mut o, "ProxyCommand nc %h %p", true).unwrap();
        apply(&mut o, "ProxyJump j", true).unwrap();
        assert!(o.jump.is_none());
    }

    #[test]
    fn unknown_keywords_and_extra_arguments() {
        let mut o = Options::default();
        assert_eq!(
            apply(&mut o, "Bogus x", true).unwrap_err(),
            "Bad configuration option: bogus"
        );
        apply(&mut o, "IgnoreUnknown bog*", true).unwrap();
        apply(&mut o, "Bogus x", true).unwrap();
        assert_eq!(
            apply(&mut o, "Port 22 23", true).unwrap_err(),
            "keyword port extra arguments at end of line"
        );
        assert_eq!(
            apply(&mut o, "PORT", true).unwrap_err(),
            "no argument after keyword \"port\""
        );
    }
}
