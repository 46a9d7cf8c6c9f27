//! The host after the first pass: HostName with `%h` expanded, lowercased,
//! numeric addresses in canonical form (no DNS), and what
//! `CanonicalizeHostname` decides without a lookup.
//!
//! - [`canonical_host`]: the host and whether canonicalisation is on (which
//!   asks for the final pass).
//! - [`numeric_ipv4`]: `inet_aton`'s forms (`127.1`, `0x7f.1`) as a dotted
//!   quad.
//!
//! Hand-written: the resolver opens no sockets, so a rule that needs DNS
//! says so ([`ConfigError::NeedsDns`]) rather than guess.

use super::env::percent_expand;
use super::keywords::{self, Def, Op};
use super::options::Options;
use super::{ConfigError, Origin, Value};

/// The three options canonicalisation reads; they are filled now, so the
/// final pass can no longer change them.
const FROZEN: [Op; 3] = [
    Op::CanonicalizeMaxDots,
    Op::CanonicalizeFallbackLocal,
    Op::CanonicalizeHostname,
];

/// The host after the first pass, and whether `CanonicalizeHostname` is on.
/// `glibc`: the build resolves with glibc's `getaddrinfo` (Linux).
pub(crate) fn canonical_host(
    opts: &mut Options,
    typed: String,
    glibc: bool,
) -> Result<(String, bool), ConfigError> {
    for op in FROZEN {
        if opts.unset(op)
            && let Def::Text(d) = keywords::row(op).default
        {
            opts.set(
                op,
                Value {
                    value: d.into(),
                    origin: Origin::Default,
                },
            );
        }
    }
    let canon = opts
        .get(Op::CanonicalizeHostname)
        .unwrap_or("false")
        .to_string();
    let mut host = typed;
    if let Some(hn) = opts.value(Op::Hostname).cloned() {
        host = percent_expand(&hn.value, &[('h', &host)])?;
        opts.set(
            Op::Hostname,
            Value {
                value: host.clone(),
                origin: hn.origin,
            },
        );
    }
    // glibc's getaddrinfo reads the name `*` as no name: with a family set,
    // the loopback address, which ssh then prints as the host.
    if glibc && host == "*" {
        match opts.get(Op::AddressFamily) {
            Some("inet") => host = "127.0.0.1".into(),
            Some("inet6") => host = "::1".into(),
            _ => {}
        }
    }
    let was_addr = is_addr_fast(&host) || numeric_ipv4(&host).is_some();
    if !was_addr {
        host = host.to_ascii_lowercase();
    }
    if was_addr {
        host = canonical_address(opts, host);
    } else if canon != "false" {
        check_without_dns(opts, &host, &canon)?;
    }
    let cnames = opts.list(Op::CanonicalizePermittedCnames);
    if !(cnames.is_empty() || (cnames.len() == 1 && cnames[0].value.eq_ignore_ascii_case("none:")))
    {
        return Err(ConfigError::NeedsDns(
            "CanonicalizePermittedCNAMEs needs DNS; the builtin resolver does none".into(),
        ));
    }
    Ok((host, canon != "false"))
}

/// A numeric address as ssh prints it, unless the address family rules
/// that form out.
fn canonical_address(opts: &Options, host: String) -> String {
    if let Some(a) = numeric_ipv4(&host) {
        if !host.eq_ignore_ascii_case(&a) && opts.get(Op::AddressFamily) != Some("inet6") {
            return a;
        }
    } else if let Ok(v6) = host.parse::<std::net::Ipv6Addr>() {
        let t = ipv6_text(v6);
        if !host.eq_ignore_ascii_case(&t) && opts.get(Op::AddressFamily) != Some("inet") {
            return t;
        }
    }
    host
}

/// What canonicalisation decides without DNS: ssh tries each
/// CanonicalDomains suffix (a lookup each) and then, with
/// `CanonicalizeFallbackLocal no`, gives up; with no suffix to try that
/// needs no DNS to know.
fn check_without_dns(opts: &Options, host: &str, canon: &str) -> Result<(), ConfigError> {
    let direct = opts
        .get(Op::ProxyCommand)
        .is_none_or(|p| p.eq_ignore_ascii_case("none"))
        && opts.jump.is_none();
    if !(direct || canon == "always") {
        return Ok(());
    }
    let max_dots: usize = opts
        .get(Op::CanonicalizeMaxDots)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let tries = host.ends_with('.') || host.matches('.').count() <= max_dots;
    let suffixes = opts
        .list(Op::CanonicalDomains)
        .first()
        .is_some_and(|d| !d.value.eq_ignore_ascii_case("none"));
    if tries && opts.get(Op::CanonicalizeFallbackLocal) == Some("no") {
        let msg = format!("ssh: Could not resolve host \"{host}\"");
        return Err(if suffixes {
            ConfigError::NeedsDns(format!("{msg} (the builtin resolver does no DNS)"))
        } else {
            ConfigError::Usage(msg)
        });
    }
    Ok(())
}

/// Looks like an address without parsing it (ssh's quick test).
fn is_addr_fast(h: &str) -> bool {
    h.contains('%') || h.contains(':') || h.bytes().all(|c| c.is_ascii_digit() || c == b'.')
}

/// An IPv6 address as glibc's `inet_ntop` writes it: Rust's form, but an
/// IPv4-compatible address (six zero words, then a non-zero one) in dotted
/// form (`::0.15.0.15`), as the IPv4-mapped one already is.
fn ipv6_text(a: std::net::Ipv6Addr) -> String {
    let w = a.segments();
    if w[..6].iter().all(|&x| x == 0) && w[6] != 0 {
        let [.., b0, b1, b2, b3] = a.octets();
        return format!("::{b0}.{b1}.{b2}.{b3}");
    }
    a.to_string()
}

/// inet_aton forms (`127.1`, `0x7f.1`, octal) as a dotted quad.
pub(crate) fn numeric_ipv4(h: &str) -> Option<String> {
    let parts: Vec<&str> = h.split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    let num = |s: &str| -> Option<u64> {
        if s.is_empty() {
            return None;
        }
        // C's digits only: no sign, and `0x` needs a hex digit after it.
        let digits = |x: &str, radix: u32| {
            let ok = !x.is_empty() && x.chars().all(|c| c.is_digit(radix));
            ok.then(|| u64::from_str_radix(x, radix).ok()).flatten()
        };
        if let Some(x) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
            digits(x, 16)
        } else if s.len() > 1 && s.starts_with('0') {
            digits(&s[1..], 8)
        } else {
            digits(s, 10)
        }
    };
    let v: Vec<u64> = parts.iter().map(|p| num(p)).collect::<Option<_>>()?;
    let n = v.len();
    let mut addr: u64 = 0;
    for (i, x) in v.iter().enumerate() {
        if i < n - 1 {
            if *x > 255 {
                return None;
            }
            addr |= x << (8 * (3 - i));
        } else {
            let bits = 8 * (4 - i as u32);
            if bits < 64 && *x >= (1u64 << bits) {
                return None;
            }
            addr |= x;
        }
    }
    Some(std::net::Ipv4Addr::from(addr as u32).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_hosts() {
        assert_eq!(numeric_ipv4("127.1").as_deref(), Some("127.0.0.1"));
        assert_eq!(numeric_ipv4("0x7f.1").as_deref(), Some("127.0.0.1"));
        assert_eq!(numeric_ipv4("1.2.3.4.5"), None);
        assert_eq!(numeric_ipv4("example"), None);
        // Found by the `ssh_vs_ssh_g` fuzz target (`ssh -G 0X` prints
        // `hostname 0x`): glibc wants a digit after `0x`, and no sign.
        for h in [
            "0x",
            "0X",
            "0x.1",
            "0x+1",
            "+1",
            "1.+2",
            "0+7",
            "08",
            "0x100000000",
        ] {
            assert_eq!(numeric_ipv4(h), None, "{h}");
        }
        assert_eq!(numeric_ipv4("010").as_deref(), Some("0.0.0.8"));
        assert_eq!(
            numeric_ipv4("0xffffffff").as_deref(),
            Some("255.255.255.255")
        );
    }

    #[test]
    fn hostname_is_expanded_and_addresses_canonical() {
        let mut o = Options::default();
        o.set(
            Op::Hostname,
            Value {
                value: "%h.Example".into(),
                origin: Origin::CommandLine,
            },
        );
        let (h, canon) = canonical_host(&mut o, "Git".into(), true).unwrap();
        assert_eq!((h.as_str(), canon), ("git.example", false));
        assert_eq!(o.get(Op::Hostname), Some("Git.Example"));
        assert_eq!(o.get(Op::CanonicalizeMaxDots), Some("1"));
        let (h, _) = canonical_host(&mut Options::default(), "::0:1".into(), true).unwrap();
        assert_eq!(h, "::1");
        // Found by the `ssh_vs_ssh_g` fuzz target: glibc writes an
        // IPv4-compatible address dotted (`ssh -G ::f:f`).
        for (given, printed) in [
            ("::f:f", "::0.15.0.15"),
            ("::1:0", "::0.1.0.0"),
            ("::0.0.1.0", "::100"),
            ("::ffff:1.2.3.4", "::ffff:1.2.3.4"),
            ("1::f:f", "1::f:f"),
            ("0:0:0:0:0:1:2:3", "::1:2:3"),
        ] {
            let (h, _) = canonical_host(&mut Options::default(), given.into(), true).unwrap();
            assert_eq!(h, printed, "{given}");
        }
    }

    /// Found by the `ssh_vs_ssh_g` fuzz target: `ssh -G -4 '*'` prints
    /// `hostname 127.0.0.1` (`-6`: `::1`), as glibc's getaddrinfo takes `*`
    /// for no name; without a family, or another name, nothing changes.
    #[test]
    fn a_star_host_with_a_family_is_loopback_under_glibc() {
        let family = |f: Option<&str>| {
            let mut o = Options::default();
            if let Some(f) = f {
                o.set(
                    Op::AddressFamily,
                    Value {
                        value: f.into(),
                        origin: Origin::CommandLine,
                    },
                );
            }
            o
        };
        let host = |f, h: &str, glibc| canonical_host(&mut family(f), h.into(), glibc).unwrap().0;
        assert_eq!(host(Some("inet"), "*", true), "127.0.0.1");
        assert_eq!(host(Some("inet6"), "*", true), "::1");
        assert_eq!(host(None, "*", true), "*");
        assert_eq!(host(Some("inet"), "a*", true), "a*");
        assert_eq!(host(Some("inet"), "*", false), "*");
    }
}
