//! pushguard: stops a large `git push` over SSH from dying on an idle timeout.
//!
//! The flow (see `docs/design.md`): fact finding (`git`, `ssh`, `estimate`)
//! feeds `policy`, which decides; `report` renders; `install` writes hooks.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod check;
pub mod estimate;
pub mod fix;
pub mod git;
pub mod install;
pub mod plan;
pub mod policy;
pub mod process;
pub mod report;
pub mod ssh;
