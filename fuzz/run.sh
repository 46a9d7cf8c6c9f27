#!/usr/bin/env bash
# Runs pushguard's fuzz targets with cargo-fuzz (libFuzzer, nightly):
#
#   fuzz/run.sh TARGET SECONDS [libFuzzer flags...]   one target
#   fuzz/run.sh all SECONDS [libFuzzer flags...]      every target, one after the other
#   fuzz/run.sh list                                  the target names
#
# Each target starts from its seeds (fuzz/seeds/TARGET, in the repository)
# and the working corpus it grew before (fuzz/corpus/TARGET, not in the
# repository), in one process (no -jobs: one core). A finding lands in
# fuzz/artifacts/TARGET/ and ends that target's run with exit 1; the summary
# line per target gives executions, seconds and findings. Logs:
# fuzz/artifacts/TARGET/last.log. FUZZ_BUILD=0 skips the build step;
# FUZZ_SANITIZER=none builds without AddressSanitizer.
set -euo pipefail
cd "$(dirname "$0")"

targets=(ssh_lex ssh_resolve ssh_vs_ssh_g ssh_g_output git_url url_vs_diag
  git_config_z git_ssh_command hook_stdin plan_pre_commit putty_session)

usage() {
  sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

[ $# -ge 1 ] || usage
if [ "$1" = list ]; then
  printf '%s\n' "${targets[@]}"
  exit 0
fi
[ $# -ge 2 ] || usage
what=$1
secs=$2
shift 2

# FUZZ_SANITIZER=none builds without AddressSanitizer (quicker; the crate
# forbids unsafe code, so ASan guards only the standard library's).
sanitizer=(--sanitizer "${FUZZ_SANITIZER:-address}")
if [ "${FUZZ_BUILD:-1}" != 0 ]; then
  cargo +nightly fuzz build "${sanitizer[@]}" >&2
fi

failed=0
run_one() {
  local t=$1 log
  shift
  mkdir -p "corpus/$t" "artifacts/$t"
  log="artifacts/$t/last.log"
  local status=0
  # -timeout: one input may take 10 s at most; -rss_limit_mb: 2 GB.
  # -detect_leaks=0: the thread-local destructors of the threads that read a
  # child's pipes are reported as leaks; a leak is no finding for a program
  # that runs for a second (unbounded memory is, and -rss_limit_mb catches it).
  cargo +nightly fuzz run "${sanitizer[@]}" "$t" "corpus/$t" "seeds/$t" -- \
    -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -detect_leaks=0 \
    -print_final_stats=1 "$@" >"$log" 2>&1 || status=$?
  local runs found
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  found=$(find "artifacts/$t" -type f ! -name last.log | wc -l)
  printf '%-16s %10s executions %6s s  %s finding(s)  exit %s\n' \
    "$t" "${runs:-?}" "$secs" "$found" "$status"
  if [ "$status" -ne 0 ]; then
    grep -m1 -A8 -E 'panicked|ERROR: libFuzzer|SUMMARY' "$log" | sed 's/^/    /' || true
    failed=1
  fi
}

case $what in
  all) for t in "${targets[@]}"; do run_one "$t" "$@"; done ;;
  *)
    printf '%s\n' "${targets[@]}" | grep -qx "$what" || { echo "fuzz/run.sh: no target $what" >&2; exit 2; }
    run_one "$what" "$@"
    ;;
esac
exit "$failed"
