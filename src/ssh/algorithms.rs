//! Algorithm names: the lists this ssh supports (for the keywords whose
//! names ssh checks), the default lists `ssh -G` prints, and the `+`, `-`,
//! `^` list arithmetic against a default.
//!
//! - `CIPHERS`, `MACS`: what `ssh -Q cipher|mac` lists (the same in every
//!   release modelled); [`kex_names`], [`key_names`]: `ssh -Q kex|key-sig`
//!   per release; [`key_names_valid`]: ssh's check of a key-type list.
//! - `DEF_*`: the default lists, named after the release that introduced
//!   them.
//! - [`assemble`]: a configured list applied to the default.

use super::pattern::{ListMatch, match_pattern_list};
use super::profile::Release;

/// `ssh -Q cipher`.
pub(crate) const CIPHERS: &[&str] = &[
    "3des-cbc",
    "aes128-cbc",
    "aes192-cbc",
    "aes256-cbc",
    "aes128-ctr",
    "aes192-ctr",
    "aes256-ctr",
    "aes128-gcm@openssh.com",
    "aes256-gcm@openssh.com",
    "chacha20-poly1305@openssh.com",
];

/// `ssh -Q mac`.
pub(crate) const MACS: &[&str] = &[
    "hmac-sha1",
    "hmac-sha1-96",
    "hmac-sha2-256",
    "hmac-sha2-512",
    "hmac-md5",
    "hmac-md5-96",
    "umac-64@openssh.com",
    "umac-128@openssh.com",
    "hmac-sha1-etm@openssh.com",
    "hmac-sha1-96-etm@openssh.com",
    "hmac-sha2-256-etm@openssh.com",
    "hmac-sha2-512-etm@openssh.com",
    "hmac-md5-etm@openssh.com",
    "hmac-md5-96-etm@openssh.com",
    "umac-64-etm@openssh.com",
    "umac-128-etm@openssh.com",
];

/// `ssh -Q kex` of 9.2 (before the IANA name of sntrup761 and ML-KEM).
const KEX_9_2: &[&str] = &[
    "diffie-hellman-group1-sha1",
    "diffie-hellman-group14-sha1",
    "diffie-hellman-group14-sha256",
    "diffie-hellman-group16-sha512",
    "diffie-hellman-group18-sha512",
    "diffie-hellman-group-exchange-sha1",
    "diffie-hellman-group-exchange-sha256",
    "ecdh-sha2-nistp256",
    "ecdh-sha2-nistp384",
    "ecdh-sha2-nistp521",
    "curve25519-sha256",
    "curve25519-sha256@libssh.org",
    "sntrup761x25519-sha512@openssh.com",
];

/// `ssh -Q kex` of release `r`; `sntrup_name` when it knows
/// `sntrup761x25519-sha512` (9.9, and Debian 12 since deb12u4).
pub(crate) fn kex_names(r: Release, sntrup_name: bool) -> Vec<&'static str> {
    let mut v = KEX_9_2.to_vec();
    if sntrup_name {
        v.push("sntrup761x25519-sha512");
    }
    if r.at_least(9, 9) {
        v.push("mlkem768x25519-sha256");
    }
    if r.at_least(10, 5) {
        v.push("mlkem768nistp256-sha256");
    }
    v
}

/// `ssh -Q key-sig` of release `r`, built with DSA keys or not: every key
/// type and signature name, in ssh's order (a pattern expands in it; 9.2
/// put each certificate type after its plain type).
pub(crate) fn key_names(r: Release, dsa: bool) -> Vec<&'static str> {
    if !r.at_least(9, 2) {
        let mut v = vec![
            "ssh-ed25519",
            "ssh-ed25519-cert-v01@openssh.com",
            "sk-ssh-ed25519@openssh.com",
            "sk-ssh-ed25519-cert-v01@openssh.com",
            "ssh-rsa",
            "rsa-sha2-256",
            "rsa-sha2-512",
        ];
        if dsa {
            v.push("ssh-dss");
        }
        v.extend([
            "ecdsa-sha2-nistp256",
            "ecdsa-sha2-nistp384",
            "ecdsa-sha2-nistp521",
            "sk-ecdsa-sha2-nistp256@openssh.com",
            "webauthn-sk-ecdsa-sha2-nistp256@openssh.com",
            "ssh-rsa-cert-v01@openssh.com",
            "rsa-sha2-256-cert-v01@openssh.com",
            "rsa-sha2-512-cert-v01@openssh.com",
        ]);
        if dsa {
            v.push("ssh-dss-cert-v01@openssh.com");
        }
        v.extend([
            "ecdsa-sha2-nistp256-cert-v01@openssh.com",
            "ecdsa-sha2-nistp384-cert-v01@openssh.com",
            "ecdsa-sha2-nistp521-cert-v01@openssh.com",
            "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
        ]);
        return v;
    }
    let mut v = vec![
        "ssh-ed25519",
        "ssh-ed25519-cert-v01@openssh.com",
        "sk-ssh-ed25519@openssh.com",
        "sk-ssh-ed25519-cert-v01@openssh.com",
    ];
    if r.at_least(10, 5) {
        v.extend([
            "ssh-mldsa44-ed25519@openssh.com",
            "ssh-mldsa44-ed25519-cert-v01@openssh.com",
        ]);
    }
    v.extend([
        "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp256-cert-v01@openssh.com",
        "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp384-cert-v01@openssh.com",
        "ecdsa-sha2-nistp521",
        "ecdsa-sha2-nistp521-cert-v01@openssh.com",
        "sk-ecdsa-sha2-nistp256@openssh.com",
        "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
        "webauthn-sk-ecdsa-sha2-nistp256@openssh.com",
    ]);
    if r.at_least(10, 3) {
        v.push("webauthn-sk-ecdsa-sha2-nistp256-cert-v01@openssh.com");
    }
    if dsa {
        v.extend(["ssh-dss", "ssh-dss-cert-v01@openssh.com"]);
    }
    v.extend([
        "ssh-rsa",
        "ssh-rsa-cert-v01@openssh.com",
        "rsa-sha2-256",
        "rsa-sha2-256-cert-v01@openssh.com",
        "rsa-sha2-512",
        "rsa-sha2-512-cert-v01@openssh.com",
    ]);
    v
}

/// The GSSAPI key exchange name prefixes (`ssh -Q kex-gss`).
pub(crate) const GSS_KEX: &[&str] = &[
    "gss-gex-sha1-",
    "gss-group1-sha1-",
    "gss-group14-sha1-",
    "gss-group14-sha256-",
    "gss-group16-sha512-",
    "gss-nistp256-sha256-",
    "gss-curve25519-sha256-",
];

/// Whether a key-type list names only types in `known` (`*`/`?` patterns
/// pass when they match one; with `plain_only`, no certificate type):
/// ssh's `sshkey_names_valid2`. An empty name ends the list.
pub(crate) fn key_names_valid(list: &str, known: &[&str], plain_only: bool) -> bool {
    if list.is_empty() {
        return false;
    }
    for name in list.split(',') {
        if name.is_empty() {
            break;
        }
        if known.contains(&name) {
            if plain_only && name.contains("-cert-") {
                return false;
            }
            continue;
        }
        let wild = known
            .iter()
            .any(|k| match_pattern_list(k, name, false) != ListMatch::No);
        if !wild {
            return false;
        }
    }
    true
}

/// Default Ciphers before 10.0.
pub(crate) const DEF_CIPHERS: &str = "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,aes256-gcm@openssh.com";
/// Default Ciphers from 10.0 (GCM before CTR).
pub(crate) const DEF_CIPHERS_10_0: &str = "chacha20-poly1305@openssh.com,aes128-gcm@openssh.com,aes256-gcm@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr";
/// Default HostKeyAlgorithms (also the accepted-algorithm lists), 8.8 to 10.2.
pub(crate) const DEF_HOSTKEY: &str = "ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256-cert-v01@openssh.com,ecdsa-sha2-nistp384-cert-v01@openssh.com,ecdsa-sha2-nistp521-cert-v01@openssh.com,sk-ssh-ed25519-cert-v01@openssh.com,sk-ecdsa-sha2-nistp256-cert-v01@openssh.com,rsa-sha2-512-cert-v01@openssh.com,rsa-sha2-256-cert-v01@openssh.com,ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,sk-ssh-ed25519@openssh.com,sk-ecdsa-sha2-nistp256@openssh.com,rsa-sha2-512,rsa-sha2-256";
/// Default HostKeyAlgorithms of 8.7 (with `ssh-rsa`).
pub(crate) const DEF_HOSTKEY_8_7: &str = "ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256-cert-v01@openssh.com,ecdsa-sha2-nistp384-cert-v01@openssh.com,ecdsa-sha2-nistp521-cert-v01@openssh.com,sk-ssh-ed25519-cert-v01@openssh.com,sk-ecdsa-sha2-nistp256-cert-v01@openssh.com,rsa-sha2-512-cert-v01@openssh.com,rsa-sha2-256-cert-v01@openssh.com,ssh-rsa-cert-v01@openssh.com,ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,sk-ssh-ed25519@openssh.com,sk-ecdsa-sha2-nistp256@openssh.com,rsa-sha2-512,rsa-sha2-256,ssh-rsa";
/// Default HostKeyAlgorithms from 10.3 (with the webauthn types).
pub(crate) const DEF_HOSTKEY_10_3: &str = "ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256-cert-v01@openssh.com,ecdsa-sha2-nistp384-cert-v01@openssh.com,ecdsa-sha2-nistp521-cert-v01@openssh.com,sk-ssh-ed25519-cert-v01@openssh.com,sk-ecdsa-sha2-nistp256-cert-v01@openssh.com,webauthn-sk-ecdsa-sha2-nistp256-cert-v01@openssh.com,rsa-sha2-512-cert-v01@openssh.com,rsa-sha2-256-cert-v01@openssh.com,ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,sk-ssh-ed25519@openssh.com,sk-ecdsa-sha2-nistp256@openssh.com,webauthn-sk-ecdsa-sha2-nistp256@openssh.com,rsa-sha2-512,rsa-sha2-256";
/// Default KexAlgorithms of 8.7.
pub(crate) const DEF_KEX_8_7: &str = "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group14-sha256";
/// Default KexAlgorithms of 8.9 (sntrup761 after the NIST curves).
pub(crate) const DEF_KEX_8_9: &str = "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,sntrup761x25519-sha512@openssh.com,diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group14-sha256";
/// Default KexAlgorithms from 9.0 (sntrup761 first).
pub(crate) const DEF_KEX_9_0: &str = "sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group14-sha256";
/// Debian 12's default KexAlgorithms since deb12u4 (the IANA name first).
pub(crate) const DEF_KEX_DEBIAN_12: &str = "sntrup761x25519-sha512,sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group14-sha256";
/// Default KexAlgorithms of 9.9 (ML-KEM third).
pub(crate) const DEF_KEX_9_9: &str = "sntrup761x25519-sha512,sntrup761x25519-sha512@openssh.com,mlkem768x25519-sha256,curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group14-sha256";
/// Default KexAlgorithms from 10.0 (ML-KEM first).
pub(crate) const DEF_KEX_10_0: &str = "mlkem768x25519-sha256,sntrup761x25519-sha512,sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group14-sha256";
/// Default CASignatureAlgorithms before 10.3.
pub(crate) const DEF_CASIG: &str = "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,sk-ssh-ed25519@openssh.com,sk-ecdsa-sha2-nistp256@openssh.com,rsa-sha2-512,rsa-sha2-256";
/// Default CASignatureAlgorithms from 10.3.
pub(crate) const DEF_CASIG_10_3: &str = "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,sk-ssh-ed25519@openssh.com,sk-ecdsa-sha2-nistp256@openssh.com,webauthn-sk-ecdsa-sha2-nistp256@openssh.com,rsa-sha2-512,rsa-sha2-256";
/// Default MACs.
pub(crate) const DEF_MACS: &str = "umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-sha1-etm@openssh.com,umac-64@openssh.com,umac-128@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1";
/// Debian's default GSSAPIKexAlgorithms.
pub(crate) const DEF_GSSKEX: &str = "gss-group14-sha256-,gss-group16-sha512-,gss-nistp256-sha256-,gss-curve25519-sha256-,gss-group14-sha1-,gss-gex-sha1-";

/// `+list`, `-list`, `^list` against the default list, the names (and
/// `*`/`?` patterns) taken from `all` in its order; duplicates go. `None`
/// when nothing is left (or a `!` pattern is given), which ssh cannot
/// assemble; a `-list` may leave nothing.
pub(crate) fn assemble(v: &str, def: &str, all: &[&str]) -> Option<String> {
    let defs = def.split(',').filter(|d| !d.is_empty());
    if let Some(rm) = v.strip_prefix('-') {
        let kept: Vec<&str> = defs
            .filter(|d| match_pattern_list(d, rm, false) != ListMatch::Yes)
            .collect();
        return Some(kept.join(","));
    }
    let list: Vec<&str> = if let Some(more) = v.strip_prefix('+') {
        defs.chain(more.split(',')).collect()
    } else if let Some(pre) = v.strip_prefix('^') {
        pre.split(',').chain(defs).collect()
    } else {
        v.split(',').collect()
    };
    let mut out: Vec<&str> = Vec::new();
    for pat in list {
        if pat.starts_with('!') {
            return None;
        }
        let wild = pat.contains(['*', '?']);
        for name in all.iter().filter(|a| {
            if wild {
                match_pattern_list(a, pat, false) == ListMatch::Yes
            } else {
                **a == pat
            }
        }) {
            if !out.contains(name) {
                out.push(name);
            }
        }
    }
    (!out.is_empty()).then(|| out.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assemble_lists() {
        let all = ["a", "b", "c", "x", "y", "ab"];
        assert_eq!(assemble("+c", "a,b", &all).as_deref(), Some("a,b,c"));
        assert_eq!(assemble("-a", "a,b", &all).as_deref(), Some("b"));
        assert_eq!(assemble("-*", "a,b", &all).as_deref(), Some(""));
        assert_eq!(assemble("^b", "a,b", &all).as_deref(), Some("b,a"));
        assert_eq!(assemble("x,y,x", "a,b", &all).as_deref(), Some("x,y"));
        assert_eq!(assemble("a*", "b", &all).as_deref(), Some("a,ab"));
        assert_eq!(assemble("+,", "a,b", &all).as_deref(), Some("a,b"));
        assert_eq!(assemble(",", "a,b", &all), None);
        assert_eq!(assemble("!a", "a,b", &all), None);
    }
}
