//! Defaults and the `ssh -G` output: the adjustments and checks ssh makes
//! after reading the files, then one loop over the keyword table in the
//! profile's `ssh -G` order, each row printed as its [`Show`] kind says,
//! its default as its [`Def`] says (a build fact from the profile's
//! defaults for [`Def::Build`]).
//!
//! - [`finish`]: the store after the last pass to a [`Resolution`].
//!
//! The named special cases (the `Show` kinds after `Forwards`): the host as
//! typed and the final host, ProxyUseFdpass under a jump, the known-hosts
//! files, `none:` CNAME rules, ForwardAgent's socket, RekeyLimit's two
//! values, ProxyCommand or ProxyJump, RevokedHostKeys, VersionAddendum.
//! Before 10.4 a list that cannot be assembled (`Ciphers ,`) does not stop
//! ssh: it prints the options it has, that list and the later ones as they
//! stand, and skips the `none` clean-ups that come after.

use std::path::Path;

use super::algorithms::assemble;
use super::destination::{bad_user, valid_ruser};
use super::env::Tokens;
use super::keywords::{self, Def, Keyword, Op, Show, Slot};
use super::options::Options;
use super::profile::{LateUserCheck, Profile, UserExpansion};
use super::{ConfigError, Effective, Origin, Resolution, ResolveEnv, Shadowed, Value};

/// The lists `fill_default_options` assembles, in its order.
const ASSEMBLED: [Op; 6] = [
    Op::Ciphers,
    Op::Macs,
    Op::KexAlgorithms,
    Op::HostbasedAcceptedAlgorithms,
    Op::PubkeyAcceptedAlgorithms,
    Op::CaSignatureAlgorithms,
];

/// Applies defaults and builds the `ssh -G` output; `original` is the host
/// as typed, `host` the final one, `command` the remote command.
pub(crate) fn finish(
    mut o: Options,
    env: &ResolveEnv,
    original: &str,
    host: &str,
    command: &str,
) -> Result<Resolution, ConfigError> {
    let p = &env.profile;
    let lists = assemble_lists(&o, p)?;
    if lists.failed.is_none() {
        adjust(&mut o);
    }
    clear_forwardings(&mut o);
    // A jump makes its own ProxyCommand: one already there is an error
    // (until 10.3 even `none`, which only an unassembled list leaves).
    if o.jump.is_some()
        && let Some(pc) = o.get(Op::ProxyCommand)
        && !(p.rules.proxy_first_match && pc.eq_ignore_ascii_case("none"))
    {
        return Err(ConfigError::Usage(
            "inconsistent options: ProxyCommand+ProxyJump".into(),
        ));
    }
    post_checks(&mut o, !command.is_empty())?;
    let pr = Printer {
        o: &o,
        env,
        original,
        host,
        lists: &lists,
        user: None,
    };
    let mut user = pr
        .single(keywords::row(Op::User))
        .unwrap_or_else(|| pr.fallback(""));
    let port = pr
        .single(keywords::row(Op::Port))
        .unwrap_or_else(|| pr.fallback(""));
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
    // `none` is cleared after the lists are assembled: an unassembled list
    // (before 10.4) leaves it, and `%j` is `none`.
    let jump = p.rules.jump_token.then(|| match &o.jump {
        Some((j, _)) if !j.is_none() || lists.failed.is_some() => j.host.as_str(),
        _ => "",
    });
    let user_text = user.value.clone();
    let mut tokens = Tokens {
        env,
        host,
        original,
        port: &port.value,
        user: &user_text,
        keyalias: &keyalias,
        jump,
    };
    let expanded = expand_user(&o, p, &user, &tokens)?;
    if let Some(u) = &expanded {
        user.value = u.clone();
    }
    let user_text = user.value.clone();
    tokens.user = &user_text;
    let pr = Printer {
        user: Some(user),
        ..pr
    };
    let mut e = Effective::default();
    for (row, shown) in keywords::dump_order(p) {
        pr.show(&mut e, row, shown.how, &tokens)?;
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

/// The user after expansion (10.0) and the checks after the files; `None`
/// when it stays as it is.
fn expand_user(
    o: &Options,
    p: &Profile,
    user: &Value,
    t: &Tokens,
) -> Result<Option<String>, ConfigError> {
    let rules = &p.rules;
    let from_default = user.origin == Origin::Default;
    let from_cmdline = o.user_from_command_line && !from_default;
    let expands = match rules.user_expansion {
        UserExpansion::None => false,
        UserExpansion::Every => true,
        UserExpansion::NotCommandLine => !from_cmdline && !from_default,
    };
    let expanded = match expands {
        true => Some(t.user(&user.value)?),
        false => None,
    };
    let value = expanded.as_deref().unwrap_or(&user.value);
    let check = match rules.late_user_check {
        LateUserCheck::None => false,
        LateUserCheck::Every => true,
        LateUserCheck::CommandLineOrExpanded => from_cmdline || value != user.value,
    };
    if check && !valid_ruser(value, rules.user_control_chars) {
        return Err(bad_user());
    }
    Ok(expanded.filter(|v| *v != user.value))
}

/// The assembled algorithm lists, or where assembly failed.
struct Lists {
    /// The printed value of each of [`ASSEMBLED`] (`None`: not printed).
    values: [Option<Value>; 6],
    /// The index of the list that failed.
    failed: Option<usize>,
}

/// Assembles the lists as `fill_default_options` does: in order, until one
/// fails (then that one is unset and the later ones stay as written).
/// From 10.4 a failure stops ssh.
fn assemble_lists(o: &Options, p: &Profile) -> Result<Lists, ConfigError> {
    let mut values: [Option<Value>; 6] = Default::default();
    let mut failed = None;
    for (i, op) in ASSEMBLED.iter().enumerate() {
        let set = o.value(*op);
        if failed.is_some() {
            values[i] = set.cloned();
            continue;
        }
        let def = slot_text(default_slot(*op), p);
        let all = all_names(*op, p);
        values[i] = match set {
            None => Some(Value {
                value: def.to_string(),
                origin: Origin::Default,
            }),
            Some(v) => match assemble(&v.value, def, &all) {
                Some(text) => Some(Value {
                    value: text,
                    origin: v.origin.clone(),
                }),
                None if p.rules.strict_algorithm_lists => {
                    return Err(ConfigError::Usage(format!(
                        "fill_default_options: {}: invalid argument",
                        keywords::row(*op).key()
                    )));
                }
                None => {
                    failed = Some(i);
                    None
                }
            },
        };
    }
    Ok(Lists { values, failed })
}

/// The names an algorithm list may take, in ssh's order.
fn all_names(op: Op, p: &Profile) -> Vec<&'static str> {
    use super::algorithms::{CIPHERS, MACS};
    match op {
        Op::Ciphers => CIPHERS.to_vec(),
        Op::Macs => MACS.to_vec(),
        Op::KexAlgorithms => p.defaults.kex_names.clone(),
        Op::CaSignatureAlgorithms => p
            .defaults
            .key_names
            .iter()
            .copied()
            .filter(|n| !n.contains("-cert-"))
            .collect(),
        _ => p.defaults.key_names.clone(),
    }
}

/// The slot of an assembled list's default.
fn default_slot(op: Op) -> Slot {
    match op {
        Op::Ciphers => Slot::Ciphers,
        Op::Macs => Slot::Macs,
        Op::KexAlgorithms => Slot::Kex,
        Op::CaSignatureAlgorithms => Slot::CaSignatures,
        _ => Slot::HostKeys,
    }
}

/// A one-value build default of profile `p`.
fn slot_text(slot: Slot, p: &Profile) -> &str {
    let d = &p.defaults;
    match slot {
        Slot::Ciphers => &d.ciphers,
        Slot::Macs => &d.macs,
        Slot::Kex => &d.kex,
        Slot::HostKeys => &d.host_keys,
        Slot::CaSignatures => &d.ca_signatures,
        Slot::IpQos => &d.ipqos,
        Slot::SecurityKeyProvider => &d.security_key_provider,
        Slot::ForwardX11Trusted => &d.forward_x11_trusted,
        Slot::XAuth => &d.xauth,
        Slot::GssKex => &d.gss_kex,
        Slot::Pubkey if p.rules.pubkey_multistate => "true",
        Slot::Pubkey => "yes",
        Slot::IdentityFiles => "",
    }
}

/// What `fill_default_options` clears after assembling: `none` unsets
/// command-like strings (the rows marked `none_unsets`), `ProxyJump none`
/// is no jump, `CanonicalizePermittedCNAMEs none` no rule.
fn adjust(o: &mut Options) {
    for row in super::table::ROWS.iter().filter(|r| r.none_unsets) {
        if o.get(row.op)
            .is_some_and(|v| v.eq_ignore_ascii_case("none"))
        {
            o.clear(row.op);
            if row.default != Def::Unset {
                o.cleared.push(row.op);
            }
        }
    }
    if o.jump.as_ref().is_some_and(|(j, _)| j.is_none()) {
        o.jump = None;
    }
}

/// ClearAllForwardings also turns the tunnel off.
fn clear_forwardings(o: &mut Options) {
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

/// The checks and adjustments ssh makes after the files, before `-G`
/// prints; `command` whether the command line has a remote command.
fn post_checks(o: &mut Options, command: bool) -> Result<(), ConfigError> {
    if o.get(Op::ProxyCommand) == Some("-") && o.get(Op::ProxyUseFdpass) == Some("yes") {
        return Err(ConfigError::Usage(
            "ProxyCommand=- and ProxyUseFDPass are incompatible".into(),
        ));
    }
    if o.get(Op::UpdateHostkeys) == Some("ask") {
        let persist = !matches!(o.get(Op::ControlPersist), None | Some("no"));
        let quiet = matches!(
            o.get(Op::LogLevel),
            Some("SILENT" | "QUIET" | "FATAL" | "ERROR")
        );
        let off = (persist && o.get(Op::ControlPath).is_some())
            || command
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
    if command && o.get(Op::RemoteCommand).is_some() {
        return Err(ConfigError::Usage(
            "Cannot execute command-line and remote command.".into(),
        ));
    }
    if o.get(Op::ForkAfterAuthentication) == Some("yes")
        && !command
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
    lists: &'a Lists,
    /// The user as printed (after expansion).
    user: Option<Value>,
}

impl Printer<'_> {
    /// A default value.
    fn fallback(&self, text: &str) -> Value {
        Value {
            value: text.to_string(),
            origin: Origin::Default,
        }
    }

    /// A row's default values in this profile (none, one, or several).
    fn defaults(&self, row: &Keyword) -> Vec<String> {
        let p = &self.env.profile;
        let text = |s: &str| vec![s.to_string()];
        match row.default {
            Def::Unset => Vec::new(),
            Def::Text(t) => text(t),
            Def::Each(list) => list.iter().map(|s| s.to_string()).collect(),
            Def::SystemFiles(names) => names
                .iter()
                .map(|n| format!("{}/{n}", p.build.sysconfdir.display()))
                .collect(),
            Def::LocalUser => text(&self.env.local_user),
            Def::Build(Slot::IdentityFiles) => p
                .defaults
                .identity_files
                .iter()
                .map(|s| s.to_string())
                .collect(),
            Def::Build(slot) => text(slot_text(slot, p)),
            Def::WithBatchMode(t)
                if p.build.debian_patches && self.o.get(Op::BatchMode) == Some("yes") =>
            {
                text(t)
            }
            Def::WithBatchMode(_) => text("0"),
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
        if row.op == Op::User
            && let Some(u) = &self.user
        {
            return Some(u.clone());
        }
        if let Some(v) = self.o.value(row.op) {
            return Some(v.clone());
        }
        if self.o.cleared.contains(&row.op) {
            return None;
        }
        let mut v = self.defaults(row).first().map(|d| self.fallback(d))?;
        if let (Def::WithBatchMode(_), true, Some(b)) = (
            row.default,
            self.env.profile.build.debian_patches,
            self.o.value(Op::BatchMode),
        ) && b.value == "yes"
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

    /// Prints one row as `how` says.
    fn show(
        &self,
        e: &mut Effective,
        row: &Keyword,
        how: Show,
        t: &Tokens,
    ) -> Result<(), ConfigError> {
        let key = row.key();
        let mut put = |v: Value| e.push_next(key, v);
        let o = self.o;
        let p = &self.env.profile;
        match how {
            Show::Value => self.single(row).into_iter().for_each(&mut put),
            Show::Lowercase => {
                if let Some(mut v) = self.single(row) {
                    v.value = v.value.to_ascii_lowercase();
                    put(v);
                }
            }
            Show::Algorithms => self.algorithms(row)?.into_iter().for_each(&mut put),
            Show::Expanded => {
                if let Some(v) = self.single(row) {
                    put(socket_path(v, t)?);
                }
            }
            Show::Each if row.op == Op::SetEnv && p.rules.setenv_expansion => {
                for mut v in self.values(row) {
                    if let Some((name, value)) = v.value.split_once('=') {
                        v.value = format!("{name}={}", t.percent_dollar(value)?);
                    }
                    put(v);
                }
            }
            Show::Each => self.values(row).into_iter().for_each(&mut put),
            Show::OneLine => {
                let mut vals = self.values(row);
                let none = row.none_unsets
                    && self.lists.failed.is_none()
                    && vals.len() == 1
                    && vals[0].value.eq_ignore_ascii_case("none");
                if none {
                    vals.clear();
                }
                put(one_line(vals, "none"))
            }
            Show::Forwards => {
                if o.get(Op::ClearAllForwardings) != Some("yes") {
                    o.list(row.op).iter().cloned().for_each(&mut put);
                }
            }
            Show::Destination if p.rules.host_line => put(Value {
                value: self.original.to_string(),
                origin: Origin::CommandLine,
            }),
            Show::Destination => {}
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
                let cleared = self.lists.failed.is_none();
                if cleared && rules.len() == 1 && rules[0].value.eq_ignore_ascii_case("none:") {
                    rules.clear();
                }
                // Before 8.9 ssh prints the rules only when there are some.
                if p.rules.cnames_none || !rules.is_empty() {
                    put(one_line(rules, "none"));
                }
            }
            Show::Agent => self.agent(row, t)?.into_iter().for_each(&mut put),
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
            Show::Revoked => self.revoked(row, t, &mut put)?,
            Show::Command => {
                if let Some(mut v) = self.single(row) {
                    v.value = t.percent(&v.value)?;
                    put(v);
                }
            }
            Show::Addendum => {
                if let Some(mut v) = self.single(row) {
                    if p.rules.setenv_expansion {
                        v.value = t.percent_dollar(&v.value)?;
                    }
                    put(v);
                }
            }
        }
        Ok(())
    }

    /// An algorithm list as assembled; HostKeyAlgorithms is assembled when
    /// ssh prints it (`None`: not printed).
    fn algorithms(&self, row: &Keyword) -> Result<Option<Value>, ConfigError> {
        if let Some(i) = ASSEMBLED.iter().position(|op| *op == row.op) {
            return Ok(self.lists.values[i].clone());
        }
        let p = &self.env.profile;
        let def = slot_text(Slot::HostKeys, p);
        let all = all_names(row.op, p);
        Ok(Some(match self.o.value(row.op) {
            Some(v) => Value {
                value: assemble(&v.value, def, &all).ok_or_else(|| {
                    ConfigError::Usage("expand HostKeyAlgorithms: invalid format".into())
                })?,
                origin: v.origin.clone(),
            },
            None => self.fallback(def),
        }))
    }

    /// ForwardAgent: the socket path (which must exist under
    /// ExitOnForwardFailure), or the flag.
    fn agent(&self, row: &Keyword, t: &Tokens) -> Result<Option<Value>, ConfigError> {
        let o = self.o;
        let Some(s) = &o.agent_socket else {
            return Ok(self.single(row));
        };
        let v = socket_path(s.clone(), t)?;
        if !Path::new(&v.value).exists() && o.get(Op::ExitOnForwardFailure) == Some("yes") {
            return Err(ConfigError::Usage(format!(
                "Cannot forward agent socket path \"{}\": No such file or directory",
                v.value
            )));
        }
        Ok(Some(v))
    }

    /// RevokedHostKeys: one file printed when set (expanded from 9.4), or
    /// from 10.3 every file on one line, `none` when there is none.
    fn revoked(
        &self,
        row: &Keyword,
        t: &Tokens,
        put: &mut dyn FnMut(Value),
    ) -> Result<(), ConfigError> {
        let p = &self.env.profile;
        let mut files = self.o.list(row.op).to_vec();
        let cleared = self.lists.failed.is_none();
        if cleared && files.len() == 1 && files[0].value.eq_ignore_ascii_case("none") {
            files.clear();
        }
        if p.rules.revoked_expansion {
            for f in &mut files {
                f.value = t.path(&f.value)?;
            }
        }
        match p.rules.revoked_list {
            true => put(one_line(files, "none")),
            false => files.into_iter().take(1).for_each(put),
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
