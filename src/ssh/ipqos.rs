//! IPQoS values: the DSCP names, the old ToS names and numbers as the
//! build's rules read them, and how `ssh -G` prints them.

use std::borrow::Cow;

use super::lex::strtonum;
use super::profile::{IpQosNumbers, Profile};
use super::values::{Args, LineError, Parsed};

/// The IPQoS value meaning "the system default".
const IPQOS_NONE: i64 = i32::MAX as i64;
/// What 10.1 makes of the old ToS names: the system default.
const IPQOS_DEPRECATED: i64 = i32::MIN as i64;

const IPQOS: &[(&str, i64)] = &[
    ("af11", 0x28),
    ("af12", 0x30),
    ("af13", 0x38),
    ("af21", 0x48),
    ("af22", 0x50),
    ("af23", 0x58),
    ("af31", 0x68),
    ("af32", 0x70),
    ("af33", 0x78),
    ("af41", 0x88),
    ("af42", 0x90),
    ("af43", 0x98),
    ("cs0", 0x00),
    ("cs1", 0x20),
    ("cs2", 0x40),
    ("cs3", 0x60),
    ("cs4", 0x80),
    ("cs5", 0xa0),
    ("cs6", 0xc0),
    ("cs7", 0xe0),
    ("ef", 0xb8),
];

/// IPQoS: one value, or one for interactive and one for bulk traffic.
pub(crate) fn ip_qos<'a>(a: &mut Args<'_, 'a>, p: &Profile) -> Result<Parsed<'a>, LineError> {
    let rules = p.rules.ipqos;
    let le = if p.release.at_least(8, 9) { 0x04 } else { 0x01 };
    let value = |s: &str| ipqos_value(s, rules, le);
    let arg = a.next();
    let v1 = arg
        .as_deref()
        .and_then(value)
        .ok_or_else(|| format!("Bad IPQoS value: {}", arg.clone().unwrap_or_default()))?;
    let v2 = match a.next() {
        None => v1,
        Some(s) => value(&s).ok_or_else(|| format!("Bad IPQoS value: {s}"))?,
    };
    let show = |v: i64| {
        iptos2str(
            if v == IPQOS_DEPRECATED { IPQOS_NONE } else { v },
            rules,
            le,
        )
    };
    Ok(Parsed::One(Cow::Owned(format!(
        "{} {}",
        show(v1),
        show(v2)
    ))))
}

/// The IPQoS names after the DSCP ones, as the build's table has them (in
/// its order: the first name of a value is how it prints).
fn ipqos_names(rules: IpQosNumbers, le: i64) -> [(&'static str, i64); 5] {
    let old = |v| {
        if rules == IpQosNumbers::DscpOnly {
            IPQOS_DEPRECATED
        } else {
            v
        }
    };
    let va = if rules == IpQosNumbers::DscpOnly {
        0x2c
    } else {
        -1
    };
    [
        ("le", le),
        ("va", va),
        ("lowdelay", old(0x10)),
        ("throughput", old(0x08)),
        ("reliability", old(0x04)),
    ]
}

fn ipqos_value(s: &str, rules: IpQosNumbers, le: i64) -> Option<i64> {
    if s.eq_ignore_ascii_case("none") {
        return Some(IPQOS_NONE);
    }
    let named = IPQOS.iter().copied().chain(ipqos_names(rules, le));
    if let Some((_, v)) = named
        .filter(|(_, v)| *v != -1)
        .find(|(n, _)| n.eq_ignore_ascii_case(s))
    {
        return Some(v);
    }
    let v = match rules {
        // strtol base 0: hexadecimal, octal, a sign and leading blanks.
        IpQosNumbers::Strtol => {
            let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
            let (neg, t) = match t.strip_prefix('-') {
                Some(r) => (true, r),
                None => (false, t.strip_prefix('+').unwrap_or(t)),
            };
            let v = if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
                i64::from_str_radix(h, 16).ok()?
            } else if t.len() > 1 && t.starts_with('0') {
                i64::from_str_radix(&t[1..], 8).ok()?
            } else {
                t.parse::<i64>().ok()?
            };
            if s.is_empty() || t.starts_with(['+', '-']) {
                return None;
            }
            if neg { -v } else { v }
        }
        _ => strtonum(s, 0, 255).ok()?,
    };
    (0..=255).contains(&v).then_some(v)
}

fn iptos2str(v: i64, rules: IpQosNumbers, le: i64) -> String {
    if v == IPQOS_NONE {
        return "none".into();
    }
    IPQOS
        .iter()
        .copied()
        .chain(ipqos_names(rules, le))
        .find(|(_, x)| *x == v)
        .map(|(n, _)| n.to_string())
        .unwrap_or_else(|| format!("0x{v:02x}"))
}
