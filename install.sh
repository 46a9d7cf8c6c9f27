#!/bin/sh
# Builds and installs pushguard, then installs the pre-push hook into the git
# repository this script is run in, if any. Safe to run again.
#   PREFIX (default: $CARGO_INSTALL_ROOT or ~/.cargo): where bin/pushguard goes.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
prefix=${PREFIX:-${CARGO_INSTALL_ROOT:-$HOME/.cargo}}
echo "pushguard: building and installing to $prefix/bin/pushguard"
cargo install --quiet --path "$here" --locked --root "$prefix" --force
bin="$prefix/bin/pushguard"
"$bin" --version
if git rev-parse --git-dir >/dev/null 2>&1; then
    "$bin" install
else
    echo "pushguard: not in a git repository; run 'pushguard install' inside one to add the hook"
fi
case ":$PATH:" in
    *":$prefix/bin:"*) ;;
    *) echo "pushguard: note: $prefix/bin is not on PATH; the hook also finds $bin through its fallback" ;;
esac
