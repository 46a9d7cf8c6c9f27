//! Entry points for the fuzz targets (`fuzz/`, `cargo +nightly fuzz`) and
//! for the tests that replay their seed corpora on stable: one function per
//! parser of input pushguard does not control, taking raw bytes. Each one
//! must not panic on any input; where a parser has a property that can be
//! checked without an oracle (the lexer's fast path agrees with the full
//! splitters, a PuTTY fix reads back as the interval it wrote), a broken
//! property panics too, so that the fuzzer reports it.
//!
//! Not an interface: hidden from the docs, kept beside the code it drives
//! so that a target needs no access to private modules. Nothing here
//! touches the disk or starts a process, except [`plan_pre_commit`], whose
//! parser asks git for a branch (in a directory that does not exist, so the
//! start fails at once). The differential targets' oracles (`ssh -G`,
//! `git fetch-pack --diag-url`) live in the fuzz crate.
//!
//! `GIT_CONFIG_PARAMETERS` has no target: pushguard never parses it, git
//! does (`git config -z --list` prints what it says, and that output has
//! its target, [`git_config_z`]).

mod git;
mod putty;
mod ssh;

pub use git::{git_config_z, git_ssh_command, git_url, hook_stdin, plan_pre_commit};
pub use putty::putty_session;
pub use ssh::{Case, sealed_env, ssh_g_output, ssh_lex, ssh_resolve};

/// A target: raw bytes in, a panic when something is wrong.
pub type Target = fn(&[u8]);

/// Every target by name, for the corpus tests and the run script.
pub const TARGETS: &[(&str, Target)] = &[
    ("ssh_lex", ssh_lex),
    ("ssh_resolve", ssh_resolve),
    ("ssh_g_output", ssh_g_output),
    ("git_url", git_url),
    ("git_config_z", git_config_z),
    ("git_ssh_command", git_ssh_command),
    ("hook_stdin", hook_stdin),
    ("plan_pre_commit", plan_pre_commit),
    ("putty_session", putty_session),
];

/// Splits `data` at the first NUL bytes into `n` parts (missing ones empty).
pub(crate) fn fields(data: &[u8], n: usize) -> Vec<&[u8]> {
    let mut out: Vec<&[u8]> = data.splitn(n, |&b| b == 0).collect();
    out.resize(n, &[]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_target_takes_nothing_and_garbage() {
        let garbage: Vec<u8> = (0..=255u8).cycle().take(2048).collect();
        for (name, target) in TARGETS {
            for input in [&b""[..], b"\0", b"\xff\xfe\n\r\n", &garbage] {
                let done = std::panic::catch_unwind(|| target(input));
                assert!(done.is_ok(), "{name} panicked on {input:?}");
            }
        }
    }

    #[test]
    fn fields_pad_and_keep_the_rest() {
        assert_eq!(fields(b"a\0b\0c\0d", 3), [&b"a"[..], b"b", b"c\0d"]);
        assert_eq!(fields(b"a", 3), [&b"a"[..], b"", b""]);
    }
}
