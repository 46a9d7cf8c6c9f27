//! The `pushguard` binary: parses arguments and maps results to exit codes.

fn main() {}
