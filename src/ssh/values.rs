//! How each kind of keyword value parses, one function per [`Parse`] kind,
//! into what `ssh -G` prints: pure (no option state), so a line in a block
//! that does not apply is checked exactly like one that does.
//!
//! - [`parse`]: a line's arguments by its row's kind, to [`Parsed`].
//! - [`Args`]: the cursor over a line's words; [`Block`]: Host, Match and
//!   Include lines for the reader.
//!
//! Hand-written because each value's accepted forms and ssh's message for a
//! bad one decide which configs ssh accepts (see `readconf.c`).

use std::borrow::Cow;

use super::destination::{valid_hostname, valid_ruser};
use super::ipqos::ip_qos;
use super::keywords::{Forward, Parse};
use super::lex::{self, convtime, strtonum};
use super::lists::{
    algorithms, channel_timeouts, cnames, domains, env_assignments, env_names, key_types,
    needs_arguments, remote_open, remote_open_89, words,
};
use super::profile::{HostCheck, Profile, TimeGrammar};
use super::specs::{self, Jump};
use super::states::{COMPRESSION, FLAG, PUBKEY, YESNOASKCONFIRM};

/// Why a line is rejected: ssh's message text, without the file and line.
pub(crate) type LineError = String;

const LOG_LEVELS: &[&str] = &[
    "SILENT", "QUIET", "FATAL", "ERROR", "INFO", "VERBOSE", "DEBUG", "DEBUG1", "DEBUG2", "DEBUG3",
];
const LOG_FACILITIES: &[&str] = &[
    "DAEMON", "USER", "AUTH", "AUTHPRIV", "LOCAL0", "LOCAL1", "LOCAL2", "LOCAL3", "LOCAL4",
    "LOCAL5", "LOCAL6", "LOCAL7",
];
const HASHES: &[&str] = &["MD5", "SHA1", "SHA256", "SHA384", "SHA512"];

/// A Host, Match or Include line, for the reader to evaluate.
pub(crate) enum Block<'a> {
    /// `Host`; its patterns are in the word buffer.
    Host,
    /// `Match` with the unparsed rest of the line.
    Match(&'a str),
    /// `Include`; its paths are in the word buffer.
    Include,
}

/// A line's value as `ssh -G` prints it, before the store decides whether
/// to keep it (borrowed from the line where it can be).
pub(crate) enum Parsed<'a> {
    /// Nothing to keep (an ignored keyword).
    Nothing,
    /// `none` for a time: the option stays unset.
    Unset,
    /// One value.
    One(Cow<'a, str>),
    /// A number, printed in decimal.
    Num(i64),
    /// The values of one line.
    Many(Vec<Cow<'a, str>>),
    /// A ProxyJump (`none` has port 0).
    Jump(Jump),
    /// ForwardAgent given a socket path.
    Socket(Cow<'a, str>),
    /// RekeyLimit: bytes, and seconds when given.
    Rekey(i64, Option<i64>),
    /// RefuseConnection's reason: ssh stops when the block applies.
    Refuse(Cow<'a, str>),
    /// A block or Include line.
    Block(Block<'a>),
}

/// Argument cursor over a split line.
pub(crate) struct Args<'w, 'a> {
    av: &'w mut lex::Words<'a>,
    i: usize,
}

impl<'w, 'a> Args<'w, 'a> {
    /// A cursor at the first word.
    pub(crate) fn new(av: &'w mut lex::Words<'a>) -> Self {
        Args { av, i: 0 }
    }
    pub(crate) fn next(&mut self) -> Option<Cow<'a, str>> {
        let v = self.av.take(self.i);
        if v.is_some() {
            self.i += 1;
        }
        v
    }
    pub(crate) fn peek(&self) -> Option<&str> {
        self.av.get(self.i)
    }
    /// Words not taken yet.
    pub(crate) fn left(&self) -> usize {
        self.av.len() - self.i
    }
    pub(crate) fn consume(&mut self) {
        self.i = self.av.len();
    }
    /// Checks that all the words left are non-empty and consumes them (they
    /// stay in the buffer for the caller).
    pub(crate) fn all_nonempty(&mut self, keyword: &str) -> Result<(), LineError> {
        if (self.i..self.av.len()).any(|i| self.av.get(i).is_some_and(str::is_empty)) {
            return Err(format!("keyword {keyword} empty argument"));
        }
        self.consume();
        Ok(())
    }
    pub(crate) fn next_nonempty(&mut self) -> Result<Cow<'a, str>, LineError> {
        self.next_nonempty_msg("Missing argument.")
    }
    pub(crate) fn next_nonempty_msg(&mut self, msg: &str) -> Result<Cow<'a, str>, LineError> {
        match self.next() {
            Some(s) if !s.is_empty() => Ok(s),
            _ => Err(msg.to_string()),
        }
    }
}

/// Where a line is parsed: the table's spelling of its keyword (for
/// messages), the argument text as written, whether it came from `-o`,
/// and the profile whose rules apply.
pub(crate) struct Site<'s, 'a> {
    /// The keyword as the table spells it.
    pub keyword: &'s str,
    /// The argument text.
    pub rest: &'a str,
    /// From `-o`.
    pub cmdline: bool,
    /// The build modelled.
    pub profile: &'s Profile,
}

/// Parses a line's arguments by `kind`.
pub(crate) fn parse<'a>(
    kind: Parse,
    site: &Site<'_, 'a>,
    a: &mut Args<'_, 'a>,
) -> Result<Parsed<'a>, LineError> {
    let (keyword, rest, p) = (site.keyword, site.rest, site.profile);
    let grammar = p.rules.time;
    Ok(match kind {
        Parse::Skip => {
            a.consume();
            Parsed::Nothing
        }
        Parse::States(table) => {
            let arg = a.next();
            let v = arg.as_deref().and_then(|s| table.value(s));
            let v =
                v.ok_or_else(|| format!("unsupported option \"{}\".", arg.unwrap_or_default()))?;
            Parsed::One(Cow::Borrowed(table.print(v)))
        }
        // ssh's atoi_err: 0 to INT_MAX.
        Parse::Int => {
            let arg = a.next().unwrap_or_default();
            let v = match arg.is_empty() {
                true => Err("missing"),
                false => strtonum(&arg, 0, i64::from(i32::MAX)),
            };
            Parsed::Num(v.map_err(|e| format!("integer value {e}."))?)
        }
        Parse::GssKex => Parsed::One(gss_kex(a.next_nonempty()?)?),
        Parse::Pubkey if !p.rules.pubkey_multistate => states(a, &FLAG, None)?,
        Parse::Pubkey => states(a, &PUBKEY, None)?,
        // 9.9 prints the new value of `yes` as UNKNOWN.
        Parse::Compression => {
            let unknown = p.rules.compression_prints_unknown.then_some("UNKNOWN");
            states(a, &COMPRESSION, unknown)?
        }
        Parse::Time => match time(a, grammar)? {
            Some(t) => Parsed::Num(t),
            None => Parsed::Unset,
        },
        Parse::Word | Parse::File => Parsed::One(a.next_nonempty()?),
        Parse::Algorithms(which) => algorithms(a, which, p)?,
        Parse::KeyTypes { ca } => key_types(a, ca && p.rules.ca_names_only, p)?,
        Parse::Keystroke => keystroke(a)?,
        Parse::ChannelTimeout => channel_timeouts(a, keyword, p)?,
        Parse::Addendum => addendum(rest, a)?,
        Parse::Refuse => Parsed::Refuse(a.next_nonempty()?),
        Parse::Revoked if p.rules.revoked_list => {
            let v = words(a, keyword, Parse::Words)?;
            if matches!(&v, Parsed::Many(x) if x.is_empty()) {
                return Err(format!("no {keyword} specified"));
            }
            v
        }
        Parse::Revoked => Parsed::One(a.next_nonempty()?),
        Parse::Port => {
            let arg = a.next_nonempty()?;
            match lex::a2port(&arg) {
                Some(p) if p > 0 => Parsed::Num(i64::from(p)),
                _ => return Err(format!("Bad port '{arg}'.")),
            }
        }
        Parse::Command => {
            a.consume();
            Parsed::One(Cow::Borrowed(line_value(rest)))
        }
        Parse::Jump => {
            a.consume();
            let v = line_value(rest);
            let control = p.rules.user_control_chars;
            let check = |u: Option<&str>, h: &str| {
                valid_hostname(h, HostCheck::Comma) && u.is_none_or(|u| valid_ruser(u, control))
            };
            let checked: Option<specs::HopCheck<'_>> =
                (site.cmdline && p.rules.jump_names_checked).then_some(&check);
            let j = specs::parse_jump(v, p, checked)
                .ok_or_else(|| format!("Invalid ProxyJump \"{v}\""))?;
            Parsed::Jump(j)
        }
        Parse::LogLevel => {
            let silent = p.build.debian_patches;
            let levels = if silent { LOG_LEVELS } else { &LOG_LEVELS[1..] };
            let name = one_of(a, levels, "log level")?;
            // ssh -G prints the first name of a level: Debian's SILENT is
            // QUIET, DEBUG is DEBUG1.
            Parsed::One(Cow::Borrowed(match name {
                "QUIET" if silent => "SILENT",
                "DEBUG1" => "DEBUG",
                n => n,
            }))
        }
        Parse::Facility => Parsed::One(Cow::Borrowed(one_of(a, LOG_FACILITIES, "log facility")?)),
        Parse::Hash => {
            let arg = a.next_nonempty()?;
            let name = HASHES
                .iter()
                .find(|n| n.eq_ignore_ascii_case(&arg))
                .ok_or_else(|| format!("Invalid hash algorithm \"{arg}\"."))?;
            Parsed::One(Cow::Borrowed(name))
        }
        Parse::Mask => {
            let arg = a.next_nonempty_msg("Missing StreamLocalBindMask argument.")?;
            let v = octal_prefix(&arg).ok_or_else(|| "Bad mask.".to_string())?;
            Parsed::One(Cow::Owned(format!("0{v:o}")))
        }
        Parse::Words => words(a, keyword, kind)?,
        Parse::Domains => {
            let v = domains(a, keyword, p)?;
            needs_arguments(v, keyword, p)?
        }
        Parse::RemoteOpen if p.rules.remote_open_first_argument => remote_open(a, keyword)?,
        Parse::RemoteOpen => remote_open_89(a)?,
        Parse::Forward(which) => forward(a, which)?,
        Parse::Host | Parse::Include | Parse::Match => block(kind, site, a)?,
        Parse::EscapeChar => Parsed::One(Cow::Owned(escape_char(&a.next_nonempty()?)?)),
        Parse::EnvNames => {
            let v = env_names(a)?;
            needs_arguments(v, keyword, p)?
        }
        Parse::EnvAssignments => {
            let v = env_assignments(a, p.rules.setenv_drops_duplicates)?;
            needs_arguments(v, keyword, p)?
        }
        Parse::Persist => persist(a, grammar)?,
        Parse::TunnelDevice => {
            let arg = a.next_nonempty()?;
            Parsed::One(Cow::Owned(
                a2tun(&arg).ok_or_else(|| "Bad tun device.".to_string())?,
            ))
        }
        Parse::IpQos => ip_qos(a, p)?,
        Parse::Cnames => {
            let v = cnames(a, keyword, p.rules.cnames_none)?;
            needs_arguments(v, keyword, p)?
        }
        Parse::AddKeys => add_keys(a, grammar)?,
        Parse::Socket => Parsed::One(socket(a.next_nonempty()?)?),
        Parse::FlagOrSocket => {
            let arg = a.next_nonempty()?;
            match FLAG.value(&arg) {
                Some(v) => Parsed::One(Cow::Borrowed(FLAG.print(v))),
                None => Parsed::Socket(socket(arg)?),
            }
        }
        Parse::Rekey => rekey(a, grammar)?,
    })
}

/// One word of a multistate table; `yes_prints` overrides how the `yes`
/// value prints.
fn states<'a>(
    a: &mut Args<'_, 'a>,
    table: &'static super::states::States,
    yes_prints: Option<&'static str>,
) -> Result<Parsed<'a>, LineError> {
    let arg = a.next();
    let v = arg.as_deref().and_then(|s| table.value(s));
    let v = v.ok_or_else(|| format!("unsupported option \"{}\".", arg.unwrap_or_default()))?;
    Ok(Parsed::One(Cow::Borrowed(match yes_prints {
        Some(y) if v == 1 => y,
        _ => table.print(v),
    })))
}

/// Host, Include and Match lines (not on the command line).
fn block<'a>(
    kind: Parse,
    site: &Site<'_, 'a>,
    a: &mut Args<'_, 'a>,
) -> Result<Parsed<'a>, LineError> {
    let (what, block) = match kind {
        Parse::Host => ("Host", Block::Host),
        Parse::Include => ("Include", Block::Include),
        // ssh's message named Host for Match too until 10.4.
        _ if site.profile.rules.match_directive_message => ("Match", Block::Match(site.rest)),
        _ => ("Host", Block::Match(site.rest)),
    };
    let keyword = site.keyword;
    if site.cmdline {
        return Err(format!(
            "{what} directive not supported as a command-line option"
        ));
    }
    if !matches!(block, Block::Match(_)) {
        a.all_nonempty(keyword)?;
    }
    Ok(Parsed::Block(block))
}

/// ObscureKeystrokeTiming: `yes`/`true` (20 ms, printed yes), `no`/`false`,
/// `interval:N` (1–1000 ms); case matters.
fn keystroke<'a>(a: &mut Args<'_, 'a>) -> Result<Parsed<'a>, LineError> {
    let mut value: Option<i64> = None;
    while let Some(arg) = a.next() {
        if value.is_some() {
            return Err("invalid arguments".into());
        }
        value = Some(match arg.as_ref() {
            "yes" | "true" => 20,
            "no" | "false" => 0,
            s => match s.strip_prefix("interval:") {
                Some(n) => {
                    let v = strtonum(n, i64::from(i32::MIN), i64::from(i32::MAX))
                        .map_err(|e| format!("integer value {e}."))?;
                    if !(1..=1000).contains(&v) {
                        return Err("value out of range.".into());
                    }
                    v
                }
                None => return Err(format!("unsupported argument \"{s}\"")),
            },
        });
    }
    Ok(match value {
        None => return Err("missing argument".into()),
        Some(0) => Parsed::One(Cow::Borrowed("no")),
        Some(20) => Parsed::One(Cow::Borrowed("yes")),
        Some(v) => Parsed::Num(v),
    })
}

/// VersionAddendum: the rest of the line as written (quotes and `#` kept),
/// `none` (any case) for an empty one; no carriage return.
fn addendum<'a>(rest: &'a str, a: &mut Args<'_, 'a>) -> Result<Parsed<'a>, LineError> {
    a.consume();
    if rest.contains('\r') {
        return Err("Invalid versionaddendum argument".into());
    }
    let v = rest.trim_end_matches([' ', '\t', '\n', '\x0c']);
    Ok(Parsed::One(if v.eq_ignore_ascii_case("none") {
        Cow::Borrowed("")
    } else {
        Cow::Borrowed(v)
    }))
}

/// ControlPersist: yes, no, or a time (0 is yes).
fn persist<'a>(a: &mut Args<'_, 'a>, grammar: TimeGrammar) -> Result<Parsed<'a>, LineError> {
    let arg = a.next_nonempty_msg("Missing ControlPersist argument.")?;
    Ok(Parsed::One(Cow::Borrowed(match arg.as_ref() {
        "no" | "false" => "no",
        "yes" | "true" => "yes",
        _ => match convtime(&arg, grammar) {
            Some(0) => "yes",
            Some(t) => return Ok(Parsed::Num(t)),
            None => return Err("Bad ControlPersist argument.".into()),
        },
    })))
}

/// The rest of a line as one value (a command): leading blanks and `=` go.
fn line_value(rest: &str) -> &str {
    rest.trim_start_matches([' ', '\t', '\r', '\n', '='])
}

/// A name of `names` (any case), as the table spells it.
fn one_of(
    a: &mut Args,
    names: &'static [&'static str],
    what: &str,
) -> Result<&'static str, LineError> {
    let arg = a.next();
    arg.as_deref()
        .and_then(|s| names.iter().find(|l| l.eq_ignore_ascii_case(s)).copied())
        .ok_or_else(|| {
            format!(
                "unsupported {what} '{}'",
                arg.unwrap_or(Cow::Borrowed("<NONE>"))
            )
        })
}

/// A time argument: `Ok(None)` for `none`.
fn time(a: &mut Args, grammar: TimeGrammar) -> Result<Option<i64>, LineError> {
    let arg = match a.next() {
        Some(s) if !s.is_empty() => s,
        _ => return Err("missing time value.".into()),
    };
    if arg == "none" {
        return Ok(None);
    }
    convtime(&arg, grammar)
        .map(Some)
        .ok_or_else(|| "invalid time value.".into())
}

fn forward<'a>(a: &mut Args<'_, 'a>, which: Forward) -> Result<Parsed<'a>, LineError> {
    let arg = a.next_nonempty()?;
    let remote = which == Forward::Remote;
    let mut dynamic = which == Forward::Dynamic;
    let spec = if dynamic {
        arg.into_owned()
    } else {
        match a.next() {
            Some(t) if !t.is_empty() => format!("{arg}:{t}"),
            // A remote forward without a target is dynamic (SOCKS).
            _ if remote => {
                dynamic = true;
                arg.into_owned()
            }
            _ => return Err("Missing target argument.".into()),
        }
    };
    let fwd = specs::parse_forward(&spec, dynamic, remote)
        .ok_or_else(|| "Bad forwarding specification.".to_string())?;
    Ok(Parsed::One(Cow::Owned(fwd)))
}

fn add_keys<'a>(a: &mut Args<'_, 'a>, grammar: TimeGrammar) -> Result<Parsed<'a>, LineError> {
    let arg = a.next();
    let arg2 = a.next();
    let v = arg.as_deref().and_then(|s| YESNOASKCONFIRM.value(s));
    let text = match (v, &arg2) {
        (Some(3), Some(t)) => match convtime(t, grammar) {
            Some(t) if t > 0 => format!("confirm {t}"),
            Some(_) => "confirm".into(),
            None => return Err("invalid time value.".into()),
        },
        (None, None) => match arg.as_deref().and_then(|t| convtime(t, grammar)) {
            Some(t) if t > 0 => return Ok(Parsed::Num(t)),
            Some(_) => "true".into(),
            None => return Err("unsupported option".into()),
        },
        (Some(v), None) => return Ok(Parsed::One(Cow::Borrowed(YESNOASKCONFIRM.print(v)))),
        _ => return Err("unsupported option".into()),
    };
    Ok(Parsed::One(Cow::Owned(text)))
}

/// GSSAPIKexAlgorithms: names that start with a GSSAPI key exchange
/// prefix (the check stops at an empty name).
fn gss_kex(arg: Cow<'_, str>) -> Result<Cow<'_, str>, LineError> {
    let ok = arg
        .split(',')
        .take_while(|n| !n.is_empty())
        .all(|n| super::algorithms::GSS_KEX.iter().any(|p| n.starts_with(p)));
    match ok && !arg.starts_with(',') {
        true => Ok(arg),
        false => Err(format!("Bad GSSAPI KexAlgorithms '{arg}'.")),
    }
}

/// An agent socket: a path, or `$NAME` with a valid name.
fn socket(arg: Cow<'_, str>) -> Result<Cow<'_, str>, LineError> {
    if arg.starts_with('$') && !arg.starts_with("${") && !valid_env_name(&arg[1..]) {
        return Err(format!("Invalid environment name {arg}."));
    }
    Ok(arg)
}

fn rekey<'a>(a: &mut Args<'_, 'a>, grammar: TimeGrammar) -> Result<Parsed<'a>, LineError> {
    let arg = a.next_nonempty_msg("Missing argument.")?;
    let bytes = if arg == "default" {
        0
    } else {
        let v = scan_scaled(&arg).ok_or_else(|| format!("Bad number '{arg}'"))?;
        if v != 0 && v < 16 {
            return Err("RekeyLimit too small".into());
        }
        v
    };
    let secs = if a.left() > 0 {
        if a.peek() == Some("none") {
            a.next();
            None
        } else {
            time(a, grammar)?
        }
    } else {
        None
    };
    Ok(Parsed::Rekey(bytes, secs))
}

/// A leading octal number of at most `0777` (`strtol` base 8, no sign).
fn octal_prefix(s: &str) -> Option<u32> {
    let t = s.trim_start();
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let digits: String = t.chars().take_while(|c| ('0'..='7').contains(c)).collect();
    if digits.is_empty() || neg {
        return None;
    }
    let v = u32::from_str_radix(&digits, 8).ok()?;
    (v <= 0o777).then_some(v)
}

/// An escape character as `ssh -G` prints it (`vis` style).
pub(crate) fn escape_char(arg: &str) -> Result<String, LineError> {
    let b = arg.as_bytes();
    let v: Option<u8> = if arg == "none" {
        None
    } else if b.len() == 1 {
        Some(b[0])
    } else if b.len() == 2 && b[0] == b'^' && (64..128).contains(&b[1]) {
        Some(b[1] & 31)
    } else {
        return Err("Bad escape character.".into());
    };
    Ok(vis(v))
}

fn vis(v: Option<u8>) -> String {
    match v {
        None => "none".into(),
        Some(c) if c < 0x20 => format!("\\^{}", (c + 64) as char),
        Some(0x7f) => "\\^?".into(),
        Some(b' ') => "\\040".into(),
        Some(c) if c >= 0x80 => format!("\\M-{}", vis(Some(c & 0x7f))),
        Some(c) => (c as char).to_string(),
    }
}

fn a2tun(s: &str) -> Option<String> {
    fn one(s: &str) -> Option<String> {
        if s.eq_ignore_ascii_case("any") {
            return Some("any".into());
        }
        strtonum(s, 0, 0x7fff_ffff - 2).ok().map(|v| v.to_string())
    }
    match s.split_once(':') {
        Some((l, r)) => Some(format!("{}:{}", one(l)?, one(r)?)),
        None => Some(format!("{}:any", one(s)?)),
    }
}

/// A byte count with an optional K, M, G or T unit.
fn scan_scaled(s: &str) -> Option<i64> {
    let (num, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(p) => (&s[..p], &s[p..]),
        None => (s, ""),
    };
    let n: i64 = num.parse().ok()?;
    let mult: i64 = match unit.to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "K" => 1 << 10,
        "M" => 1 << 20,
        "G" => 1 << 30,
        "T" => 1 << 40,
        _ => return None,
    };
    n.checked_mul(mult)
}

fn valid_env_name(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ssh::states::{COMPRESSION, STRICT, YESNOASK};

    fn parse_line(kind: Parse, rest: &str) -> Result<String, LineError> {
        parse_in(&Profile::debian12(6), kind, rest)
    }

    fn parse_in(profile: &Profile, kind: Parse, rest: &str) -> Result<String, LineError> {
        let mut words = lex::argv_split(rest).expect("quotes");
        let mut a = Args::new(&mut words);
        let site = Site {
            keyword: "k",
            rest,
            cmdline: false,
            profile,
        };
        Ok(match parse(kind, &site, &mut a)? {
            Parsed::One(s) => s.into_owned(),
            Parsed::Num(n) => n.to_string(),
            Parsed::Many(v) => v.join("|"),
            Parsed::Unset => "<unset>".into(),
            Parsed::Rekey(b, s) => format!("{b} {s:?}"),
            Parsed::Socket(s) => format!("socket {s}"),
            _ => "<other>".into(),
        })
    }

    #[test]
    fn each_kind_parses_and_prints_like_ssh() {
        let cases: &[(Parse, &str, &str)] = &[
            (Parse::States(&FLAG), "TRUE", "yes"),
            (Parse::States(&YESNOASK), "yes", "true"),
            (Parse::States(&STRICT), "off", "false"),
            (Parse::Time, "1m30s", "90"),
            (Parse::Time, "none", "<unset>"),
            (Parse::LogLevel, "quiet", "SILENT"),
            (Parse::Mask, "022", "022"),
            (Parse::Persist, "0", "yes"),
            (Parse::Persist, "1m", "60"),
            (Parse::TunnelDevice, "3", "3:any"),
            (Parse::IpQos, "af11", "af11 af11"),
            (Parse::IpQos, "0x10 8", "lowdelay throughput"),
            (Parse::EscapeChar, "^A", "\\^A"),
            (Parse::Rekey, "1K 1h", "1024 Some(3600)"),
            (Parse::AddKeys, "confirm 1m", "confirm 60"),
            (Parse::FlagOrSocket, "no", "no"),
            (Parse::FlagOrSocket, "/s", "socket /s"),
        ];
        for (kind, rest, want) in cases {
            assert_eq!(
                parse_line(*kind, rest).as_deref(),
                Ok(*want),
                "{kind:?} {rest}"
            );
        }
        let bad: &[(Parse, &str, &str)] = &[
            (
                Parse::States(&COMPRESSION),
                "true",
                "unsupported option \"true\".",
            ),
            (Parse::Int, "x", "integer value invalid."),
            (Parse::Socket, "$1x", "Invalid environment name $1x."),
        ];
        for (kind, rest, want) in bad {
            assert_eq!(
                parse_line(*kind, rest),
                Err(want.to_string()),
                "{kind:?} {rest}"
            );
        }
    }

    #[test]
    fn lists_and_their_rules() {
        assert_eq!(
            parse_line(Parse::Words, "none x").unwrap_err(),
            "keyword k \"none\" argument must appear alone."
        );
        assert!(parse_line(Parse::Domains, "a..b").is_err());
        assert_eq!(
            parse_line(Parse::EnvAssignments, "A=1 B=2 A=3").unwrap(),
            "A=1|B=2"
        );
        assert_eq!(parse_line(Parse::Cnames, "*.A:*.b").unwrap(), "*.a:*.b");
        assert_eq!(parse_line(Parse::RemoteOpen, "h:*").unwrap(), "h:*");
        assert!(parse_line(Parse::RemoteOpen, "h").is_err());
    }
}
