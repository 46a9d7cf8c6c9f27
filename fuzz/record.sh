#!/usr/bin/env bash
# Writes the recorded answers of the differential targets' oracles again:
# fuzz/recorded/ssh_g/NAME.expect from `ssh -G` (PUSHGUARD_SSH, else ssh on
# PATH: the build is named in each file) for NAME.case, and
# fuzz/recorded/diag_url/NAME.expect from `git fetch-pack --diag-url` for
# NAME.url. Add a case (a fuzz finding, say) as a .case or .url file, run
# this, review the diff. The main crate's tests replay them
# (tests/it/fuzz_corpus.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo test --locked --test it fuzz_corpus::record -- --ignored --exact
