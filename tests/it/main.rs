//! The integration tests, one binary: a module per area and one support
//! module (isolation, tool guard, command builder, the ssh witness).
//!
//! `cargo test --test it <module>` runs one area, e.g. `ssh_differential`.

mod e2e;
mod edges;
mod edges_flow;
mod estimate;
mod git_remote;
mod git_ssh_argv;
mod git_strace;
mod git_url;
mod install;
mod layouts;
mod ssh_cli;
mod ssh_differential;
mod ssh_rules;
mod support;
