//! Which blocks apply: `Host` patterns against the host as typed (or the
//! canonical host in the final pass), and `Match` criteria (all, canonical,
//! final, exec, host, originalhost, user, localuser; AND; `!`).
//!
//! - `Run::host_matches`: a Host line's patterns.
//! - `Run::match_line`: a Match line, split like ssh's `strdelim`.
//!
//! Hand-written: ssh's rules (a matching `!pattern` vetoes a Host line;
//! `Match host` sees HostName with `%h` expanded; an exec after a false
//! criterion is not run) decide which values apply.

use std::borrow::Cow;

use super::env::{Tokens, percent_expand};
use super::exec::{ExecPolicy, ExecSite, run_shell};
use super::keywords::Op;
use super::lex;
use super::options::LineCtx;
use super::pattern::{ListMatch, match_hostname, match_pattern, match_pattern_list};
use super::resolve::Run;

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
    fn match_host(&self) -> Result<Cow<'_, str>, String> {
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

    /// Evaluates a Match line: (result, all arguments consumed).
    pub(crate) fn match_line(&mut self, rest: &str, ctx: &LineCtx) -> Result<(bool, bool), String> {
        let host = self.match_host()?.into_owned();
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
            let is = |name: &str| attrib.eq_ignore_ascii_case(name);
            if is("all") {
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
            if is("canonical") || is("final") {
                if is("final") {
                    self.want_final = true;
                }
                if self.final_pass == negate {
                    result = false;
                }
                continue;
            }
            let arg = match cp.and_then(lex::strdelim) {
                Some((a, n)) if !a.is_empty() && !a.starts_with('#') => {
                    cp = n;
                    a
                }
                _ => return Err(format!("Missing Match criteria for {attrib}")),
            };
            // An exec after a false criterion is not run (nor seen).
            if is("exec") && !result {
                continue;
            }
            if self.criterion(attrib, &arg, &host, ctx)? == negate {
                result = false;
            }
        }
        if attributes == 0 {
            return Err("One or more attributes required for Match".into());
        }
        Ok((result, cp.is_none_or(str::is_empty)))
    }

    /// One criterion with an argument: does it hold?
    fn criterion(
        &mut self,
        attrib: &str,
        arg: &str,
        host: &str,
        ctx: &LineCtx,
    ) -> Result<bool, String> {
        let is = |name: &str| attrib.eq_ignore_ascii_case(name);
        let ruser = self.opts.get(Op::User).unwrap_or(&self.env.local_user);
        Ok(if is("host") {
            match_hostname(host, arg) == ListMatch::Yes
        } else if is("originalhost") {
            match_hostname(&self.original, arg) == ListMatch::Yes
        } else if is("user") {
            match_pattern_list(ruser, arg, false) == ListMatch::Yes
        } else if is("localuser") {
            match_pattern_list(&self.env.local_user, arg, false) == ListMatch::Yes
        } else if is("exec") {
            let port = self.opts.get(Op::Port).unwrap_or("22");
            let cmd = Tokens {
                env: self.env,
                host,
                original: &self.original,
                port,
                user: ruser,
                keyalias: self.opts.get(Op::HostKeyAlias).unwrap_or(host),
            }
            .percent(arg)
            .map_err(|e| e.to_string())?;
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
        })
    }
}
