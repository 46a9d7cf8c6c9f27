#!/usr/bin/env bash
# Benchmark of the hook's push-size counting (not a test; see docs/performance.md).
#
# Generates deterministic repositories with git fast-import (cached under
# target/bench-repos), then prints, per scenario, the hook's median wall time
# and peak RSS beside `git rev-list --objects --count` over the same range
# (and `git lfs pre-push` when git-lfs is installed).
#
#   bench/estimate.sh                       # measures examples/estimate (discover,
#                                           # git config, index bound, walk)
#   PUSHGUARD_BIN=target/release/pushguard bench/estimate.sh
#                                           # measures `pushguard pre-push <remote> <url>`
#   RUNS=21 SIZES="200k" bench/estimate.sh  # more runs; skip the 1M repository
#   EXTRA=/path/to/some/repo bench/estimate.sh
#                                           # also a real history (cloned once, bare, into the cache)
#
# "no graph" rows run git with core.commitGraph=false (via GIT_CONFIG_COUNT).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE="$ROOT/target/bench-repos"
RUNS=${RUNS:-11}
REF_RUNS=${REF_RUNS:-5} # runs of the slow columns: full `git rev-list --count`, `git lfs pre-push`
SIZES=${SIZES:-"200k 1m"}
WARN=${WARN:-20000}
URL=${URL:-ssh://git@bitbucket.example.com:7999/proj/repo.git}
ZERO=0000000000000000000000000000000000000000
mkdir -p "$CACHE"

cargo build --quiet --release --example gen_repo --example estimate --manifest-path "$ROOT/Cargo.toml"
GEN="$ROOT/target/release/examples/gen_repo"
if [ -n "${PUSHGUARD_BIN:-}" ]; then
    PUSHGUARD_BIN=$(realpath "$PUSHGUARD_BIN")
    HOOK_DESC="$PUSHGUARD_BIN pre-push"
else
    HOOK_DESC="examples/estimate"
fi

# gen <name> <seed> <commits> <files-per-commit>: build once, reuse afterwards.
gen() {
    local dir="$CACHE/$1"
    if [ -f "$dir/.bench-done" ]; then return; fi
    rm -rf "$dir"
    git init -q -b main "$dir"
    local t0=$EPOCHREALTIME
    "$GEN" "$2" "$3" "$4" | git -C "$dir" fast-import --quiet
    git -C "$dir" repack -adfq
    git -C "$dir" commit-graph write --reachable --no-progress
    git -C "$dir" remote add origin "$URL"
    git -C "$dir" remote add fresh "$URL"
    if [ "$3" -gt 50 ]; then
        git -C "$dir" update-ref refs/remotes/origin/main main~50
    fi
    touch "$dir/.bench-done"
    printf 'generated %s: %s objects in %.0f s\n' "$1" \
        "$(git -C "$dir" count-objects -v | sed -n 's/^in-pack: //p')" \
        "$(echo "$EPOCHREALTIME - $t0" | bc)" >&2
}

# gen_clone <path>: a bare copy of a real repository, set up like the generated ones.
gen_clone() {
    local dir="$CACHE/extra-$(basename "$1" .git)"
    if [ -f "$dir/.bench-done" ]; then return; fi
    rm -rf "$dir"
    git clone -q --bare --no-local --single-branch "$1" "$dir"
    git -C "$dir" repack -adq
    git -C "$dir" commit-graph write --reachable --no-progress
    git -C "$dir" remote remove origin
    git -C "$dir" remote add origin "$URL"
    git -C "$dir" remote add fresh "$URL"
    git -C "$dir" update-ref refs/remotes/origin/main HEAD~50
    touch "$dir/.bench-done"
}

# median of the numbers on stdin
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# timed [--ref] <stdin-file> <cmd...>: prints "median_ms peak_rss_mib" (--ref: REF_RUNS runs)
timed() {
    local times=() i t0 n=$RUNS
    if [ "$1" = --ref ]; then n=$REF_RUNS; shift; fi
    local input=$1; shift
    for ((i = 0; i < n; i++)); do
        t0=$EPOCHREALTIME
        "$@" <"$input" >/dev/null 2>&1 || true
        times+=("$(echo "($EPOCHREALTIME - $t0) * 1000" | bc -l | xargs printf '%.1f')")
    done
    local rss=?
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f %M -o "$CACHE/.rss" "$@" <"$input" >/dev/null 2>&1 || true
        rss=$(awk 'END {printf "%.1f", $1 / 1024}' "$CACHE/.rss")
    fi
    printf '%s %s\n' "$(printf '%s\n' "${times[@]}" | median)" "$rss"
}

# hook_cmd <remote>: sets HOOK to the hook's command line (an executable, so /usr/bin/time can run it)
hook_cmd() {
    if [ -n "${PUSHGUARD_BIN:-}" ]; then
        HOOK=("$PUSHGUARD_BIN" pre-push "$1" "$URL")
    else
        HOOK=("$ROOT/target/release/examples/estimate" "$1" "$WARN")
    fi
}

# row <label> <repo> <remote> <from-oid|ZERO> <graph|nograph> [<branch> <base-oid>]
# With <branch>, HEAD goes to a new branch of that name (stdin: ZERO) and
# <base-oid> (a tracking ref's value) bounds the rev-list range instead.
row() {
    local label=$1 dir="$CACHE/$2" remote=$3 from=$4 graph=$5 branch=${6:-main} base=${7:-$4}
    local head stdin wrap=()
    head=$(git -C "$dir" rev-parse HEAD)
    stdin="$CACHE/.stdin"
    printf 'refs/heads/%s %s refs/heads/%s %s\n' "$branch" "$head" "$branch" "$from" >"$stdin"
    wrap=(env)
    if [ "$graph" = nograph ]; then
        wrap=(env GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=core.commitGraph GIT_CONFIG_VALUE_0=false)
    fi
    hook_cmd "$remote"
    local range=("$head")
    if [ "$base" != "$ZERO" ]; then range+=(--not "$base"); fi
    local said
    said=$(cd "$dir" && { "${wrap[@]}" "${HOOK[@]}" <"$stdin" 2>&1 || true; } | head -1 | cut -c1-60)
    local h r lfs="not installed"
    h=$(cd "$dir" && timed "$stdin" "${wrap[@]}" "${HOOK[@]}")
    r=$(cd "$dir" && timed --ref /dev/null "${wrap[@]}" git rev-list --objects --count "${range[@]}")
    if command -v git-lfs >/dev/null; then
        lfs=$(cd "$dir" && timed --ref "$stdin" git lfs pre-push "$remote" "$URL" | awk '{print $1 " ms"}')
    fi
    local count
    count=$(git -C "$dir" rev-list --objects --count "${range[@]}")
    printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$count" \
        "${h% *}" "${h#* }" "${r% *}" "${r#* }" \
        "$(awk -v a="${r% *}" -v b="${h% *}" 'BEGIN {printf "%.1fx", a / b}')" "$lfs"
    printf '%s: %s\n' "$label" "$said" >>"$CACHE/.said"
}

gen tiny 7 30 2
for path in ${EXTRA:-}; do gen_clone "$path"; done
for size in $SIZES; do
    case $size in
        200k) gen r200k 42 8000 8 ;;
        1m) gen r1m 43 40000 8 ;;
    esac
done

: >"$CACHE/.said"
echo
echo "hook = $HOOK_DESC; median of $RUNS runs ($REF_RUNS for rev-list --count); peak RSS of the whole process tree (/usr/bin/time -f %M)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo ?)"
echo "git $(git --version | cut -d' ' -f3), $(nproc) cores; git-lfs: $(command -v git-lfs >/dev/null && git lfs version | head -1 || echo 'not installed')"
echo
base=$(timed /dev/null true)
echo "(starting a no-op process in this harness: ${base% *} ms, ${base#* } MiB)"
echo
echo "| scenario | objects git sends | hook ms | hook MiB | rev-list --count ms | rev-list MiB | rev-list / hook | git lfs pre-push |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
row "tiny repo, first push (below threshold)" tiny fresh "$ZERO" graph
extras=()
for path in ${EXTRA:-}; do extras+=("extra-$(basename "$path" .git)"); done
for size in $SIZES "${extras[@]}"; do
    case $size in 200k) name=r200k ;; 1m) name=r1m ;; *) name=$size ;; esac
    old=$(git -C "$CACHE/$name" rev-parse HEAD~50)
    row "$size: 50-commit push" "$name" origin "$old" graph
    row "$size: 50-commit push, no graph" "$name" origin "$old" nograph
    row "$size: new branch, 50 commits" "$name" origin "$ZERO" graph topic "$old"
    row "$size: first push, graph" "$name" fresh "$ZERO" graph
    row "$size: first push, no graph" "$name" fresh "$ZERO" nograph
done
echo
echo "What the hook said:"
cat "$CACHE/.said"
