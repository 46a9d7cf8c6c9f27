//! `Match localnetwork` (9.4): a CIDR list, checked like ssh's
//! `addr_match_cidr_list`, against the addresses of the local interfaces
//! that are up.
//!
//! - [`matches_local`]: whether a list names a local address.
//!
//! The addresses come from Linux's `/proc/net/fib_trie` (the local IPv4
//! addresses of interfaces that are up) and `/proc/net/if_inet6`, read
//! once; elsewhere there are none (ssh's `getifaddrs` would need `unsafe`
//! or a C library binding).

use std::net::IpAddr;
use std::sync::OnceLock;

/// One list entry: a network and its mask length.
struct Net {
    addr: IpAddr,
    len: u32,
}

/// Reads a CIDR list as ssh does; its message for a bad one.
fn parse_list(list: &str) -> Result<Vec<Net>, String> {
    let mut out = Vec::new();
    for entry in list.split(',') {
        if entry.is_empty() {
            return Err(format!("empty entry in list \"{list}\""));
        }
        if entry.len() > 46 + 3
            || !entry
                .bytes()
                .all(|c| c.is_ascii_hexdigit() || matches!(c, b'.' | b':' | b'/'))
        {
            return Err(format!(
                "list entry \"{entry}\" contains invalid characters"
            ));
        }
        let invalid = || format!("Invalid network entry \"{entry}\"");
        let (addr, len) = match entry.split_once('/') {
            Some((a, l)) => {
                if !l.starts_with(|c: char| c.is_ascii_digit()) {
                    return Err(invalid());
                }
                let len: u32 = l.parse().map_err(|_| invalid())?;
                (a, Some(len))
            }
            None => (entry, None),
        };
        let addr: IpAddr = addr.parse().map_err(|_| invalid())?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let len = len.unwrap_or(max);
        let inconsistent = || format!("Inconsistent mask length for network \"{entry}\"");
        if len > max || host_bits(addr, len) != 0 {
            return Err(inconsistent());
        }
        out.push(Net { addr, len });
    }
    Ok(out)
}

/// The bits of `addr` below its first `len`.
fn host_bits(addr: IpAddr, len: u32) -> u128 {
    let (v, width) = match addr {
        IpAddr::V4(a) => (u128::from(u32::from(a)), 32),
        IpAddr::V6(a) => (u128::from(a), 128),
    };
    match width - len {
        0 => 0,
        128 => v,
        n => v & ((1u128 << n) - 1),
    }
}

fn in_net(a: IpAddr, n: &Net) -> bool {
    let (x, y, width) = match (a, n.addr) {
        (IpAddr::V4(x), IpAddr::V4(y)) => (u128::from(u32::from(x)), u128::from(u32::from(y)), 32),
        (IpAddr::V6(x), IpAddr::V6(y)) => (u128::from(x), u128::from(y), 128),
        _ => return false,
    };
    let shift = width - n.len;
    shift >= 128 || (x >> shift) == (y >> shift)
}

/// The addresses of the local interfaces that are up.
fn local_addresses() -> &'static [IpAddr] {
    static ADDRS: OnceLock<Vec<IpAddr>> = OnceLock::new();
    ADDRS.get_or_init(|| {
        let mut v = Vec::new();
        if let Ok(t) = std::fs::read_to_string("/proc/net/fib_trie") {
            let mut last: Option<IpAddr> = None;
            for line in t.lines() {
                let l = line.trim_start_matches([' ', '|', '+', '-']);
                if let Ok(a) = l.trim().parse::<IpAddr>() {
                    last = Some(a);
                } else if line.contains("/32 host LOCAL")
                    && let Some(a) = last
                    && !v.contains(&a)
                {
                    v.push(a);
                }
            }
        }
        if let Ok(t) = std::fs::read_to_string("/proc/net/if_inet6") {
            for hex in t.lines().filter_map(|l| l.split_whitespace().next()) {
                if let Ok(n) = u128::from_str_radix(hex, 16) {
                    v.push(IpAddr::V6(n.into()));
                }
            }
        }
        v
    })
}

/// Whether a `Match localnetwork` list names an address of a local
/// interface that is up; ssh's message for a bad list.
pub(crate) fn matches_local(list: &str) -> Result<bool, String> {
    let nets = parse_list(list)?;
    Ok(local_addresses()
        .iter()
        .any(|a| nets.iter().any(|n| in_net(*a, n))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_checked_like_ssh() {
        assert!(parse_list("127.0.0.0/8,::1/128").is_ok());
        assert!(parse_list("127.0.0.1").is_ok());
        for bad in [
            "foo",
            "10.999.0.0/8",
            "10.1.2.3/8",
            "",
            "a,",
            "1.2.3.4/33",
            "1.2.3.4/x",
        ] {
            assert!(parse_list(bad).is_err(), "{bad}");
        }
        let n = &parse_list("10.0.0.0/8").unwrap()[0];
        assert!(in_net("10.9.9.9".parse().unwrap(), n));
        assert!(!in_net("11.0.0.1".parse().unwrap(), n));
        assert!(in_net(
            "1.2.3.4".parse().unwrap(),
            &parse_list("0.0.0.0/0").unwrap()[0]
        ));
    }
}
