//! Algorithm names: the lists this ssh supports (for the keywords whose
//! names ssh checks), the default lists `ssh -G` prints, and the `+`, `-`,
//! `^` list arithmetic against a default.
//!
//! - `CIPHERS`, `MACS`, `KEX`: what `ssh -Q cipher|mac|kex` lists.
//! - `DEF_*`: OpenSSH 9.2p1's defaults (Debian's build).
//! - [`assemble`]: a configured list applied to the default.

use super::pattern::{ListMatch, match_pattern_list};

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

/// `ssh -Q kex`.
pub(crate) const KEX: &[&str] = &[
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
    "sntrup761x25519-sha512",
    "sntrup761x25519-sha512@openssh.com",
];

/// Default Ciphers.
pub(crate) const DEF_CIPHERS: &str = "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,aes256-gcm@openssh.com";
/// Default HostKeyAlgorithms (also the accepted-algorithm lists).
pub(crate) const DEF_HOSTKEY: &str = "ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256-cert-v01@openssh.com,ecdsa-sha2-nistp384-cert-v01@openssh.com,ecdsa-sha2-nistp521-cert-v01@openssh.com,sk-ssh-ed25519-cert-v01@openssh.com,sk-ecdsa-sha2-nistp256-cert-v01@openssh.com,rsa-sha2-512-cert-v01@openssh.com,rsa-sha2-256-cert-v01@openssh.com,ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,sk-ssh-ed25519@openssh.com,sk-ecdsa-sha2-nistp256@openssh.com,rsa-sha2-512,rsa-sha2-256";
/// Default KexAlgorithms.
pub(crate) const DEF_KEX: &str = "sntrup761x25519-sha512,sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group14-sha256";
/// Default CASignatureAlgorithms.
pub(crate) const DEF_CASIG: &str = "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,sk-ssh-ed25519@openssh.com,sk-ecdsa-sha2-nistp256@openssh.com,rsa-sha2-512,rsa-sha2-256";
/// Default MACs.
pub(crate) const DEF_MACS: &str = "umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-sha1-etm@openssh.com,umac-64@openssh.com,umac-128@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1";
/// Debian's default GSSAPIKexAlgorithms.
pub(crate) const DEF_GSSKEX: &str = "gss-group14-sha256-,gss-group16-sha512-,gss-nistp256-sha256-,gss-curve25519-sha256-,gss-group14-sha1-,gss-gex-sha1-";

/// `+list`, `-list`, `^list` against the default list; duplicates go.
pub(crate) fn assemble(v: &str, def: &str) -> String {
    let defs: Vec<&str> = def.split(',').collect();
    let mut out: Vec<&str> = Vec::new();
    let mut add = |a| {
        if !out.contains(&a) {
            out.push(a);
        }
    };
    if let Some(more) = v.strip_prefix('+') {
        defs.iter()
            .copied()
            .chain(more.split(','))
            .for_each(&mut add);
    } else if let Some(rm) = v.strip_prefix('-') {
        defs.iter()
            .copied()
            .filter(|d| match_pattern_list(d, rm, false) != ListMatch::Yes)
            .for_each(&mut add);
    } else if let Some(pre) = v.strip_prefix('^') {
        pre.split(',')
            .chain(defs.iter().copied())
            .for_each(&mut add);
    } else {
        v.split(',').for_each(&mut add);
    }
    out.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assemble_lists() {
        assert_eq!(assemble("+c", "a,b"), "a,b,c");
        assert_eq!(assemble("-a", "a,b"), "b");
        assert_eq!(assemble("^b", "a,b"), "b,a");
        assert_eq!(assemble("x,y,x", "a,b"), "x,y");
    }
}
