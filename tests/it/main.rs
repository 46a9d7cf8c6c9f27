//! The integration tests, one binary: a module per area and one support
//! module (isolation, tool guard, command builder, the ssh witness).
//!
//! `cargo test --test it <module>` runs one area, e.g. `ssh_differential`.
//!
//! Unix only: the tests drive real git, sh, ssh and sshd with Unix modes,
//! symlinks and process groups. The Windows rules are unit tests beside the
//! code (`platform`, `git::url`, `putty`, `install`), run on any host.
#![cfg(unix)]

mod bad_input;
mod doctor;
mod e2e;
mod edges;
mod edges_flow;
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
mod layouts;
mod putty;
mod signals;
mod ssh_cli;
mod ssh_defaults;
mod ssh_differential;
mod ssh_generator;
mod ssh_profiles;
mod ssh_rules;
mod ssh_versions;
mod sshd;
mod support;
mod team;
