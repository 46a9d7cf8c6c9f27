//! Defaults and the `ssh -G` output: the adjustments and checks ssh makes
//! after reading the files, then one loop over the keyword table in `ssh
//! -G` order, each row printed as its [`Show`] kind says, its default as
//! its [`Def`] says.
//!
//! - [`finish`]: the store after the last pass to a [`Resolution`].
//!
//! The named special cases (the `Show` kinds after `Forwards`): the host as
//! typed and the final host, ProxyUseFdpass under a jump, the known-hosts
//! files, `none:` CNAME rules, ForwardAgent's socket, RekeyLimit's two
//! values, ProxyCommand or ProxyJump.

use std::path::Path;

use super::algorithms::assemble;
use super::env::Tokens;
use super::keywords::{self, Def, Keyword, Op, Show};
use super::options::Options;
use super::{ConfigError, Effective, Flavour, Origin, Resolution, ResolveEnv, Shadowed, Value};

/// Applies defaults and builds the `ssh -G` output; `original` is the host
/// as typed, `host` the final one.
pub(crate) fn finish(
    mut o: Options,
    env: &ResolveEnv,
    original: &str,
    host: &str,
) -> Result<Resolution, ConfigError> {
    adjust(&mut o);
    post_checks(&mut o)?;
    let p = Printer {
        o: &o,
        env,
        original,
        host,
    };
    let user = p
        .single(keywords::row(Op::User))
        .unwrap_or_else(|| p.fallback(""));
    let port = p
        .single(keywords::row(Op::Port))
        .unwrap_or_else(|| p.fallback(""));
    if let Some((j, _)) = &o.jump {
        let jp = if j.port <= 0 { 22 } else { j.port };
        let ju = j.user.as_deref().unwrap_or(&user.value);
        if j.host == host && port.value == jp.to_string() && ju == user.value {
            return Err(ConfigError::Usage(format!("jumphost loop via {}", j.host)));
        }
    }
    let keyalias = o
        .get(Op::HostKeyAlias)
        .map_or_else(|| original.to_string(), str::to_ascii_lowercase);
    let tokens = Tokens {
        env,
        host,
        original,
        port: &port.value,
        user: &user.value,
        keyalias: &keyalias,
    };
    let mut e = Effective::default();
    for row in keywords::dump_order() {
        p.show(&mut e, row, &tokens)?;
    }
    let shadowed = o
        .attempts
        .iter()
        .filter(|a| !a.won)
        .map(|a| Shadowed {
            key: a.key.to_string(),
            value: a.text.clone(),
            origin: a.origin.clone(),
            winner: e
                .get(a.key)
                .filter(|v| v.origin != Origin::Default)
                .cloned(),
        })
        .collect();
    Ok(Resolution {
        effective: e,
        shadowed,
        exec_unknown: Vec::new(),
        keepalive_depends_on_exec: Vec::new(),
    })
}

/// What ssh changes after the files: `none` unsets command-like strings
/// (the rows marked `none_unsets`), `ProxyJump none` is no jump, and
/// ClearAllForwardings also turns the tunnel off.
fn adjust(o: &mut Options) {
    for row in keywords::dump_order().iter().filter(|r| r.none_unsets) {
        if o.get(row.op)
            .is_some_and(|v| v.eq_ignore_ascii_case("none"))
        {
            o.clear(row.op);
        }
    }
    if o.jump.as_ref().is_some_and(|(j, _)| j.is_none()) {
        o.jump = None;
    }
    if let Some(c) = o.value(Op::ClearAllForwardings).cloned()
        && c.value == "yes"
    {
        o.set(
            Op::Tunnel,
            Value {
                value: "false".into(),
                origin: c.origin,
            },
        );
    }
}

/// The checks and adjustments ssh makes after the files, before `-G` prints.
fn post_checks(o: &mut Options) -> Result<(), ConfigError> {
    if o.get(Op::ProxyCommand) == Some("-") && o.get(Op::ProxyUseFdpass) == Some("yes") {
        return Err(ConfigError::Usage(
            "ProxyCommand=- and ProxyUseFDPass are incompatible".into(),
        ));
    }
    if o.get(Op::UpdateHostkeys) == Some("ask") {
        let persist = !matches!(o.get(Op::ControlPersist), None | Some("no"));
        let quiet = matches!(o.get(Op::LogLevel), Some("SILENT" | "FATAL" | "ERROR"));
        let off = (persist && o.get(Op::ControlPath).is_some())
            || o.get(Op::RemoteCommand).is_some()
            || o.get(Op::RequestTty) == Some("false")
            || quiet;
        if off && let Some(v) = o.value(Op::UpdateHostkeys).cloned() {
            o.set(
                Op::UpdateHostkeys,
                Value {
                    value: "false".into(),
                    origin: v.origin,
                },
            );
        }
    }
    if o.get(Op::ConnectionAttempts)
        .and_then(|v| v.parse::<i64>().ok())
        .is_some_and(|n| n <= 0)
    {
        return Err(ConfigError::Usage(
            "Invalid number of ConnectionAttempts".into(),
        ));
    }
    if o.get(Op::ForkAfterAuthentication) == Some("yes")
        && o.get(Op::RemoteCommand).is_none()
        && o.get(Op::SessionType) != Some("none")
    {
        return Err(ConfigError::Usage(
            "Cannot fork into background without a command to execute.".into(),
        ));
    }
    Ok(())
}

/// The store after the files, and what the defaults need.
struct Printer<'a> {
    o: &'a Options,
    env: &'a ResolveEnv,
    original: &'a str,
    host: &'a str,
}

impl Printer<'_> {
    /// A default value.
    fn fallback(&self, text: &str) -> Value {
        Value {
            value: text.to_string(),
            origin: Origin::Default,
        }
    }

    /// A row's default values in this flavour (none, one, or several).
    fn defaults(&self, row: &Keyword) -> Vec<String> {
        let debian = self.env.flavour == Flavour::Debian;
        let text = |s: &str| vec![s.to_string()];
        match row.default_in(debian) {
            Def::Unset => Vec::new(),
            Def::Text(t) => text(t),
            Def::Each(list) => list.iter().map(|s| s.to_string()).collect(),
            Def::LocalUser => text(&self.env.local_user),
            Def::WithBatchMode(t) if self.o.get(Op::BatchMode) == Some("yes") => text(t),
            Def::WithBatchMode(_) => match row.default {
                Def::Text(t) => text(t),
                _ => Vec::new(),
            },
            Def::UpdateHostKeys => {
                let ukh = self.o.list(Op::UserKnownHostsFile);
                let default_files =
                    ukh.is_empty() || (ukh.len() == 1 && ukh[0].value == "~/.ssh/known_hosts");
                let dns_off = matches!(self.o.get(Op::VerifyHostKeyDns), None | Some("false"));
                text(if dns_off && default_files {
                    "true"
                } else {
                    "false"
                })
            }
        }
    }

    /// A single-value row: the value kept, or its (first) default, whose
    /// origin is Debian's `BatchMode yes` line when that is what sets it.
    fn single(&self, row: &Keyword) -> Option<Value> {
        if let Some(v) = self.o.value(row.op) {
            return Some(v.clone());
        }
        let mut v = self.defaults(row).first().map(|d| self.fallback(d))?;
        let debian = self.env.flavour == Flavour::Debian;
        if let (Def::WithBatchMode(_), Some(b)) =
            (row.default_in(debian), self.o.value(Op::BatchMode))
            && b.value == "yes"
        {
            v.origin = b.origin.clone();
        }
        Some(v)
    }

    /// A list row's values, or its defaults.
    fn values(&self, row: &Keyword) -> Vec<Value> {
        let vals = self.o.list(row.op);
        if vals.is_empty() {
            self.defaults(row)
                .iter()
                .map(|d| self.fallback(d))
                .collect()
        } else {
            vals.to_vec()
        }
    }

    /// Prints one row as its [`Show`] kind says.
    fn show(&self, e: &mut Effective, row: &Keyword, t: &Tokens) -> Result<(), ConfigError> {
        let Some(shown) = row.shown else {
            return Ok(());
        };
        let key = row.key();
        let mut put = |v: Value| e.push_next(key, v);
        let o = self.o;
        match shown.how {
            Show::Value => self.single(row).into_iter().for_each(&mut put),
            Show::Lowercase => {
                if let Some(mut v) = self.single(row) {
                    v.value = v.value.to_ascii_lowercase();
                    put(v);
                }
            }
            Show::Algorithms => {
                let def = self.defaults(row);
                let def = def.first().map_or("", String::as_str);
                put(match o.value(row.op) {
                    Some(v) => Value {
                        value: assemble(&v.value, def),
                        origin: v.origin.clone(),
                    },
                    None => self.fallback(def),
                });
            }
            Show::Expanded => {
                if let Some(v) = self.single(row) {
                    put(socket_path(v, t)?);
                }
            }
            Show::Each => self.values(row).into_iter().for_each(&mut put),
            Show::OneLine => put(one_line(self.values(row), "none")),
            Show::Forwards => {
                if o.get(Op::ClearAllForwardings) != Some("yes") {
                    o.list(row.op).iter().cloned().for_each(&mut put);
                }
            }
            Show::Destination => put(Value {
                value: self.original.to_string(),
                origin: Origin::CommandLine,
            }),
            Show::FinalHost => put(Value {
                value: self.host.to_string(),
                origin: o
                    .value(Op::Hostname)
                    .map_or(Origin::CommandLine, |v| v.origin.clone()),
            }),
            Show::FdPass if o.jump.is_some() => put(self.fallback("no")),
            Show::FdPass => self.single(row).into_iter().for_each(&mut put),
            Show::KnownHosts => {
                let mut files = self.values(row);
                if files
                    .first()
                    .is_some_and(|f| f.value.eq_ignore_ascii_case("none"))
                {
                    files.clear();
                }
                for f in &mut files {
                    f.value = t.path(&f.value)?;
                }
                put(one_line(files, "none"));
            }
            Show::Cnames => {
                let mut rules = o.list(row.op).to_vec();
                if rules.len() == 1 && rules[0].value.eq_ignore_ascii_case("none:") {
                    rules.clear();
                }
                put(one_line(rules, "none"));
            }
            Show::Agent => match &o.agent_socket {
                Some(s) => {
                    let v = socket_path(s.clone(), t)?;
                    if !Path::new(&v.value).exists()
                        && o.get(Op::ExitOnForwardFailure) == Some("yes")
                    {
                        return Err(ConfigError::Usage(format!(
                            "Cannot forward agent socket path \"{}\": No such file or directory",
                            v.value
                        )));
                    }
                    put(v);
                }
                None => self.single(row).into_iter().for_each(&mut put),
            },
            Show::Rekey => {
                if let Some(mut v) = self.single(row) {
                    v.value = format!("{} {}", v.value, o.rekey_interval.unwrap_or(0));
                    put(v);
                }
            }
            Show::ProxyCommand if o.jump.is_none() => {
                self.single(row).into_iter().for_each(&mut put)
            }
            Show::ProxyCommand => {}
            Show::ProxyJump => {
                if let Some((j, origin)) = &o.jump {
                    put(Value {
                        value: j.print(),
                        origin: origin.clone(),
                    });
                }
            }
        }
        Ok(())
    }
}

/// A socket or control path with tokens expanded; `none` and
/// `SSH_AUTH_SOCK` as written.
fn socket_path(mut v: Value, t: &Tokens) -> Result<Value, ConfigError> {
    if !(v.value.eq_ignore_ascii_case("none") || v.value == "SSH_AUTH_SOCK") {
        v.value = t.path(&v.value)?;
    }
    Ok(v)
}

/// Values on one line with the first one's origin; `empty` (a default)
/// when there are none.
fn one_line(vals: Vec<Value>, empty: &str) -> Value {
    match vals.first() {
        None => Value {
            value: empty.to_string(),
            origin: Origin::Default,
        },
        Some(first) => Value {
            origin: first.origin.clone(),
            value: vals
                .iter()
                .map(|v| v.value.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        },
    }
}
