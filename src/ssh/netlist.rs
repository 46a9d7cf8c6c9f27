//! `Match localnetwork` (9.4): a CIDR list, checked like ssh's
//! `addr_match_cidr_list`, against the addresses of the local interfaces
//! that are up.
//!
//! - [`matches_local`]: whether a list names a local address, or that
//!   pushguard cannot tell here.
//!
//! The addresses come from Linux's `/proc/net/fib_trie` (the local IPv4
//! addresses of interfaces that are up) and `/proc/net/if_inet6`, read
//! once. Elsewhere (macOS, the BSDs, Windows), or when neither file can be
//! read, they cannot be listed (ssh's `getifaddrs` would need `unsafe` or
//! a C library binding), and a `Match localnetwork` that decides a block
//! is "cannot tell", never "not matched".

use std::net::IpAddr;
use std::sync::OnceLock;

/// Why a `Match localnetwork` has no answer here.
pub(crate) const UNLISTED: &str = "Match localnetwork: pushguard cannot list this machine's \
     network addresses here, so it cannot tell whether this block applies";

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

/// The addresses of the local interfaces that are up, read once; `None`
/// where they cannot be listed.
fn local_addresses() -> Option<&'static [IpAddr]> {
    #[cfg(test)]
    if tests::UNLISTED_HERE.get() {
        return None;
    }
    static ADDRS: OnceLock<Option<Vec<IpAddr>>> = OnceLock::new();
    ADDRS.get_or_init(read_addresses).as_deref()
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn read_addresses() -> Option<Vec<IpAddr>> {
    let read = |p: &str| std::fs::read_to_string(p).ok();
    from_proc(
        read("/proc/net/fib_trie").as_deref(),
        read("/proc/net/if_inet6").as_deref(),
    )
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn read_addresses() -> Option<Vec<IpAddr>> {
    None
}

/// The addresses in Linux's files: the `/32 host LOCAL` entries of
/// `fib_trie`, every address of `if_inet6` (absent without IPv6); `None`
/// when neither could be read.
#[cfg(any(target_os = "linux", target_os = "android", test))]
fn from_proc(fib_trie: Option<&str>, if_inet6: Option<&str>) -> Option<Vec<IpAddr>> {
    if fib_trie.is_none() && if_inet6.is_none() {
        return None;
    }
    let mut v = Vec::new();
    let mut last: Option<IpAddr> = None;
    for line in fib_trie.unwrap_or_default().lines() {
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
    for hex in if_inet6
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_whitespace().next())
    {
        if let Ok(n) = u128::from_str_radix(hex, 16) {
            v.push(IpAddr::V6(n.into()));
        }
    }
    Some(v)
}

/// Whether a `Match localnetwork` list names an address of a local
/// interface that is up (`None`: the addresses cannot be listed here);
/// ssh's message for a bad list.
pub(crate) fn matches_local(list: &str) -> Result<Option<bool>, String> {
    let nets = parse_list(list)?;
    Ok(local_addresses().map(|addrs| addrs.iter().any(|a| nets.iter().any(|n| in_net(*a, n)))))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::ssh::{ConfigError, ExecPolicy, Profile, ResolveEnv, ResolveRequest, resolve};
    use std::cell::Cell;

    thread_local! {
        /// Set: this thread resolves as where the addresses cannot be listed.
        pub(super) static UNLISTED_HERE: Cell<bool> = const { Cell::new(false) };
    }

    /// `f` as on a host whose addresses pushguard cannot list (macOS, Windows).
    fn unlisted<T>(f: impl FnOnce() -> T) -> T {
        UNLISTED_HERE.set(true);
        let out = f();
        UNLISTED_HERE.set(false);
        out
    }

    // Linux net/ipv4/fib_trie.c fib_trie_seq_show (the leaf, then its
    // "/len scope TYPE" lines), net/ipv6/addrconf.c if6_seq_show.
    #[test]
    fn reads_the_local_addresses_of_linux() {
        let trie = [
            "Main:",
            "  +-- 0.0.0.0/0 3 0 5",
            "     +-- 127.0.0.0/8 2 0 2",
            "           |-- 127.0.0.0",
            "              /8 host LOCAL",
            "           |-- 127.0.0.1",
            "              /32 host LOCAL",
            "        |-- 127.255.255.255",
            "           /32 link BROADCAST",
            "Local:",
            "           |-- 127.0.0.1",
            "              /32 host LOCAL",
        ]
        .join("\n");
        let inet6 = "00000000000000000000000000000001 01 80 10 80       lo\n\
                     fd000000000000000000000000000002 04 40 00 82     eth0\n";
        let v4: IpAddr = "127.0.0.1".parse().unwrap();
        let lo6: IpAddr = "::1".parse().unwrap();
        let fd: IpAddr = "fd00::2".parse().unwrap();
        assert_eq!(from_proc(Some(&trie), Some(inet6)), Some(vec![v4, lo6, fd]));
        assert_eq!(from_proc(Some(&trie), None), Some(vec![v4]));
        assert_eq!(from_proc(None, None), None);
    }

    fn resolve_config(text: &str) -> Result<String, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config");
        std::fs::write(&file, text).unwrap();
        let args = ["-F".to_string(), file.display().to_string(), "h".into()];
        let req = ResolveRequest::from_ssh_args(&args)?;
        let env = ResolveEnv::current(Profile::newest(), ExecPolicy::Unknown);
        resolve(&req, &env).map(|r| r.dump())
    }

    // OpenSSH 10.5p1 readconf.c match_cfg_line: localnetwork is
    // check_match_ifaddrs(arg), over getifaddrs(3); the line is the AND of
    // its criteria.
    #[test]
    fn an_unlisted_network_is_cannot_tell_where_it_decides() {
        let text = "Host *\n  User u\nMatch localnetwork 10.0.0.0/8\n  ServerAliveInterval 5\n";
        let err = unlisted(|| resolve_config(text)).unwrap_err();
        let ConfigError::CannotTell { file, line, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(*line, 3);
        let msg = err.to_string();
        assert!(msg.contains(&format!("{file}:3")), "{msg}");
        assert!(
            msg.contains("cannot list this machine's network addresses"),
            "{msg}"
        );
        // Negated: unknown all the same.
        let negated = "Match !localnetwork 10.0.0.0/8\n  User x\n";
        assert!(matches!(
            unlisted(|| resolve_config(negated)),
            Err(ConfigError::CannotTell { line: 1, .. })
        ));
        // Another criterion that fails decides it, before or after.
        for known in [
            "Match host nomatch localnetwork 10.0.0.0/8\n  User x\n",
            "Match localnetwork 10.0.0.0/8 !host h\n  User x\n",
        ] {
            let out = unlisted(|| resolve_config(known)).unwrap();
            assert!(out.contains("\nuser "), "{known}");
            assert!(!out.contains("\nuser x\n"), "{known}");
        }
        // A bad list is ssh's error, as before.
        let bad = "Match localnetwork foo\n";
        assert!(matches!(
            unlisted(|| resolve_config(bad)),
            Err(ConfigError::Line { line: 1, .. })
        ));
        // Where the addresses are listed (here: Linux), it is answered.
        #[cfg(target_os = "linux")]
        assert!(resolve_config(text).is_ok());
    }

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
