//! Which blocks apply: `Host` patterns against the host as typed (or the
//! canonical host in the final pass), and `Match` criteria (all, canonical,
//! final, exec, host, originalhost, user, localuser; from 9.4 tagged and
//! localnetwork; from 10.0 version, sessiontype, command; AND; `!`).
//!
//! - `Run::host_matches`: a Host line's patterns.
//! - `Run::match_line`: a Match line, split as the profile's build splits
//!   it (ssh's `strdelim` until 9.8, its argument splitter from 9.9, with
//!   `criterion=arg` from 9.9p2).
//! - `Run::tokens`: the `%` tokens of `Match exec` and Include paths.
//!
//! Hand-written: ssh's rules (a matching `!pattern` vetoes a Host line;
//! `Match host` sees HostName with `%h` expanded; an exec after a false
//! criterion is not run) decide which values apply.

use std::borrow::Cow;

use super::env::{Tokens, percent_expand};
use super::exec::{ExecPolicy, ExecSite, run_shell};
use super::keywords::Op;
use super::lex::{self, Words};
use super::options::LineCtx;
use super::pattern::{ListMatch, match_hostname, match_pattern, match_pattern_list};
use super::profile::{MatchCriteria, MatchWords};
use super::resolve::Run;

/// The criteria that take an argument as `criterion=arg` (9.9p2; `version`
/// and `command` exist from 10.0).
const KEY_VALUE: [&str; 9] = [
    "host",
    "originalhost",
    "user",
    "localuser",
    "localnetwork",
    "tagged",
    "exec",
    "version",
    "command",
];

impl Run<'_> {
    /// Does a Host line with these patterns apply? One matching pattern
    /// makes it apply, unless a matching `!pattern` vetoes it.
    pub(crate) fn host_matches<'w>(&self, patterns: impl Iterator<Item = &'w str>) -> bool {
        let mut on = false;
        for p in patterns {
            let (neg, pat) = match p.strip_prefix('!') {
                Some(r) => (true, r),
                None => (false, p),
            };
            if match_pattern(&self.host, pat) {
                if neg {
                    return false;
                }
                on = true;
            }
        }
        on
    }

    /// The host `Match host` sees: HostName (with `%h` expanded) or the host
    /// as typed; in the final pass the canonical host. ssh expands HostName
    /// for every Match line (a bad `%` escape fails even if no criterion
    /// needs the host).
    pub(crate) fn match_host(&self) -> Result<Cow<'_, str>, String> {
        Ok(if self.final_pass {
            Cow::Borrowed(self.opts.get(Op::Hostname).unwrap_or(&self.host))
        } else if let Some(hn) = self.opts.get(Op::Hostname) {
            if hn.contains('%') {
                Cow::Owned(percent_expand(hn, &[('h', &self.original)]).map_err(|e| e.to_string())?)
            } else {
                Cow::Borrowed(hn)
            }
        } else {
            Cow::Borrowed(&self.original)
        })
    }

    /// The `%` tokens of a `Match exec` command or an Include path, with
    /// `host` as `%h`.
    pub(crate) fn tokens<'t>(&'t self, host: &'t str) -> Tokens<'t> {
        let jump = self.env.profile.rules.jump_token.then(|| {
            self.opts
                .jump
                .as_ref()
                .filter(|(j, _)| !j.host.eq_ignore_ascii_case("none"))
                .map_or("", |(j, _)| j.host.as_str())
        });
        Tokens {
            env: self.env,
            host,
            original: &self.original,
            port: self.opts.get(Op::Port).unwrap_or("22"),
            user: self.opts.get(Op::User).unwrap_or(&self.env.local_user),
            keyalias: self.opts.get(Op::HostKeyAlias).unwrap_or(host),
            jump,
        }
    }

    /// Evaluates a Match line (`rest` as written, `words` as the argument
    /// splitter split it): (result, all arguments consumed). The result is
    /// `None` when it depends on a `localnetwork` whose addresses cannot be
    /// listed here (no other criterion fails).
    pub(crate) fn match_line(
        &mut self,
        rest: &str,
        words: &Words<'_>,
        ctx: &LineCtx,
    ) -> Result<(Option<bool>, bool), String> {
        let host = self.match_host()?.into_owned();
        self.network_unknown = false;
        let (result, consumed) = match self.env.profile.rules.match_words {
            MatchWords::Strdelim => self.match_strdelim(rest, &host, ctx),
            MatchWords::Argv | MatchWords::ArgvKeyValue => self.match_argv(words, &host, ctx),
        }?;
        let unknown = std::mem::take(&mut self.network_unknown);
        Ok(((!result || !unknown).then_some(result), consumed))
    }

    /// A Match line split by ssh's keyword splitter (until 9.8).
    fn match_strdelim(
        &mut self,
        rest: &str,
        host: &str,
        ctx: &LineCtx,
    ) -> Result<(bool, bool), String> {
        let mut cp: Option<&str> = Some(rest);
        let mut result = true;
        let mut attributes = 0;
        while let Some(cur) = cp {
            let Some((oattrib, next)) = lex::strdelim(cur) else {
                break;
            };
            cp = next;
            if oattrib.is_empty() {
                break;
            }
            if oattrib.starts_with('#') {
                cp = None;
                break;
            }
            let (negate, attrib) = match oattrib.strip_prefix('!') {
                Some(a) => (true, a),
                None => (false, oattrib.as_ref()),
            };
            if attrib.eq_ignore_ascii_case("all") {
                let arg = cp.and_then(lex::strdelim);
                let has_arg = arg
                    .as_ref()
                    .is_some_and(|(a, _)| !a.is_empty() && !a.starts_with('#'));
                if attributes > 1 || has_arg {
                    return Err(format!(
                        "'{oattrib}' cannot be combined with other Match attributes"
                    ));
                }
                if let Some((a, n)) = arg {
                    cp = if a.starts_with('#') { None } else { n };
                }
                if result {
                    result = !negate;
                }
                return Ok((result, cp.is_none_or(str::is_empty)));
            }
            attributes += 1;
            if self.pass_criterion(attrib, negate, &mut result) {
                continue;
            }
            let arg = match cp.and_then(lex::strdelim) {
                Some((a, n)) if !a.is_empty() && !a.starts_with('#') => {
                    cp = n;
                    a
                }
                _ => return Err(format!("Missing Match criteria for {attrib}")),
            };
            self.criterion(attrib, &arg, negate, &mut result, host, ctx)?;
        }
        if attributes == 0 {
            return Err("One or more attributes required for Match".into());
        }
        Ok((result, cp.is_none_or(str::is_empty)))
    }

    /// A Match line split by ssh's argument splitter (9.9), `criterion=arg`
    /// understood from 9.9p2.
    fn match_argv(
        &mut self,
        words: &Words<'_>,
        host: &str,
        ctx: &LineCtx,
    ) -> Result<(bool, bool), String> {
        let rules = self.env.profile.rules;
        let session = rules.match_criteria >= MatchCriteria::Session;
        let n = words.len();
        let mut i = 0;
        let mut result = true;
        let mut attributes = 0;
        while let Some(oattrib) = words.get(i) {
            i += 1;
            if oattrib.starts_with('#') {
                i = n;
                break;
            }
            let (negate, attrib) = match oattrib.strip_prefix('!') {
                Some(a) => (true, a),
                None => (false, oattrib),
            };
            if attrib.eq_ignore_ascii_case("all") {
                let arg = words.get(i);
                if arg.is_some() {
                    i += 1;
                }
                if attributes > 1 || arg.is_some_and(|a| !a.is_empty() && !a.starts_with('#')) {
                    return Err(format!(
                        "'{oattrib}' cannot be combined with other Match attributes"
                    ));
                }
                if arg.is_some_and(|a| a.starts_with('#')) {
                    i = n;
                }
                if result {
                    result = !negate;
                }
                return Ok((result, i >= n));
            }
            attributes += 1;
            if self.pass_criterion(attrib, negate, &mut result) {
                continue;
            }
            let key_value = (rules.match_words == MatchWords::ArgvKeyValue)
                .then(|| attrib.split_once('='))
                .flatten()
                .filter(|(k, _)| KEY_VALUE.iter().any(|c| c.eq_ignore_ascii_case(k)));
            let (attrib, arg) = match key_value {
                Some((k, v)) => (k, v),
                None => match words.get(i) {
                    Some(a) => {
                        i += 1;
                        (attrib, a)
                    }
                    None if session => {
                        return Err(format!("missing argument for Match '{oattrib}'"));
                    }
                    None => return Err(format!("Missing Match criteria for {attrib}")),
                },
            };
            let empty_ok = session
                && (attrib.eq_ignore_ascii_case("tagged")
                    || attrib.eq_ignore_ascii_case("command"));
            if (arg.is_empty() && !empty_ok) || arg.starts_with('#') {
                return Err(format!("Missing Match criteria for {attrib}"));
            }
            self.criterion(attrib, arg, negate, &mut result, host, ctx)?;
        }
        if attributes == 0 {
            return Err("One or more attributes required for Match".into());
        }
        Ok((result, i >= n))
    }

    /// `canonical` and `final` (no argument): true only in the final pass.
    /// `final` asks for that pass (a negated one too, until 10.1).
    fn pass_criterion(&mut self, attrib: &str, negate: bool, result: &mut bool) -> bool {
        let is_final = attrib.eq_ignore_ascii_case("final");
        if !(is_final || attrib.eq_ignore_ascii_case("canonical")) {
            return false;
        }
        if is_final && (!negate || self.env.profile.rules.negated_final_pass) {
            self.want_final = true;
        }
        if self.final_pass == negate {
            *result = false;
        }
        true
    }

    /// One criterion with an argument: clears `result` when it fails.
    fn criterion(
        &mut self,
        attrib: &str,
        arg: &str,
        negate: bool,
        result: &mut bool,
        host: &str,
        ctx: &LineCtx,
    ) -> Result<(), String> {
        let is = |name: &str| attrib.eq_ignore_ascii_case(name);
        let criteria = self.env.profile.rules.match_criteria;
        let tagged = criteria >= MatchCriteria::Tagged;
        let session = criteria >= MatchCriteria::Session;
        let ruser = self.opts.get(Op::User).unwrap_or(&self.env.local_user);
        // An empty value matches only an empty pattern (10.0).
        let empty_rule = |value: &str| match value.is_empty() && session {
            true => arg.is_empty(),
            false => match_pattern_list(value, arg, false) == ListMatch::Yes,
        };
        let holds = if is("host") {
            match_hostname(host, arg) == ListMatch::Yes
        } else if is("originalhost") {
            match_hostname(&self.original, arg) == ListMatch::Yes
        } else if is("user") {
            match_pattern_list(ruser, arg, false) == ListMatch::Yes
        } else if is("localuser") {
            match_pattern_list(&self.env.local_user, arg, false) == ListMatch::Yes
        } else if is("localnetwork") && tagged {
            match super::netlist::matches_local(arg)? {
                Some(holds) => holds,
                // Neither true nor false: the other criteria may decide.
                None => {
                    self.network_unknown = true;
                    return Ok(());
                }
            }
        } else if is("tagged") && tagged {
            empty_rule(self.opts.get(Op::Tag).unwrap_or(""))
        } else if is("version") && session {
            match_pattern_list(&self.env.profile.version, arg, false) == ListMatch::Yes
        } else if is("command") && session {
            empty_rule(&self.command)
        } else if is("sessiontype") && session {
            let kind = match self.opts.get(Op::SessionType) {
                Some("subsystem") => "subsystem",
                Some("none") => "none",
                _ if !self.command.is_empty() => "exec",
                _ => "shell",
            };
            match_pattern_list(kind, arg, false) == ListMatch::Yes
        } else if is("exec") {
            let cmd = self.tokens(host).percent(arg).map_err(|e| e.to_string())?;
            // An exec after a false criterion is not run (nor seen).
            if !*result {
                return Ok(());
            }
            let site = ExecSite {
                origin: ctx.origin(),
                cmd,
            };
            match &self.env.exec {
                ExecPolicy::Run => run_shell(&site.cmd)
                    .ok_or_else(|| format!("match exec '{}' error", site.cmd))?,
                ExecPolicy::Unknown => self.forced.unknown(site),
                ExecPolicy::Replay(replay) => self.forced.replay(replay, site),
            }
        } else {
            return Err(format!("Unsupported Match attribute {attrib}"));
        };
        if holds == negate {
            *result = false;
        }
        Ok(())
    }
}
