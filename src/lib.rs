//! pushguard: stops a large `git push` over SSH from dying on an idle timeout.
//!
//! The flow (see `docs/design.md`): `cli` reads the command line, `run`
//! dispatches and maps outcomes to output and exit codes; fact finding
//! (`git`, `ssh`, `estimate`) feeds `policy`, which decides; `report`
//! renders; `install` writes hooks; every child process starts through
//! `process`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod budget;
pub mod check;
pub mod cli;
pub mod doctor;
pub mod estimate;
pub mod fix;
#[doc(hidden)]
pub mod fuzzing;
pub mod git;
pub mod install;
pub mod plan;
pub mod platform;
pub mod policy;
pub mod process;
pub mod putty;
pub mod report;
pub mod run;
pub mod signals;
pub mod ssh;
pub mod terminal;

pub use run::run;
