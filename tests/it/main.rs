//! The integration tests, one binary: a module per area and one support
//! module (isolation, tool guard, command builder, the ssh witness).
//!
//! `cargo test --test it <module>` runs one area, e.g. `ssh_differential`.

mod bad_input;
mod doctor;
mod e2e;
mod estimate;
mod faults;
mod fix;
mod fuzz_corpus;
mod git_remote;
mod git_ssh_argv;
mod git_strace;
mod git_url;
mod hook_managers;
mod install;
mod isolation;
mod signals;
mod ssh_cli;
mod ssh_differential;
mod ssh_rules;
mod sshd;
mod support;
mod team;
