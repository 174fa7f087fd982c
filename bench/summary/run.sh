#!/usr/bin/env bash
#! Issue 14, "aggregates where the data is": GET /api/dashboard/summary, /api/trades/stats and
#! /api/exchange/balance for one user with N closed trades (10 bots, USDT and BRL), the old code
#! (every trade of the user loaded into the Worker) beside the new (ledger_totals kept by
#! triggers, plus indexed sums), both on local workerd in the same run, requests interleaved.
#! Usage: bench/summary/run.sh [SIZES=1000,10000,100000] [REQUESTS=50] [WARMUP=5]
#!   OLD_REF (default 17a3b45) and NEW_REF (default HEAD) are checked out as git worktrees in
#!   /tmp/auronex-old and /tmp/auronex-new (created, moved to the ref, and built with their own
#!   scripts/build.sh when missing or stale; node_modules is a link to this checkout's), both
#!   compiled into CARGO_TARGET_DIR (default /tmp/auronex-bench-target, not this checkout's).
#!   BUILD_ONLY=1 stops after the builds. The table goes to stdout, progress to stderr.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OLD_REF=${OLD_REF:-17a3b45}
NEW_REF=${NEW_REF:-HEAD}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/tmp/auronex-bench-target}

# prepare NAME REF: the worktree /tmp/auronex-NAME at REF, built. A build may rewrite files
# there (cargo updates a stale Cargo.lock), so moving it discards local changes (--force).
prepare() {
  local name=$1 ref=$2 dir=/tmp/auronex-$1 sha
  sha=$(git -C "$ROOT" rev-parse --verify "$ref^{commit}")
  if [ ! -e "$dir/.git" ]; then
    git -C "$ROOT" worktree add --detach "$dir" "$sha" >&2
  elif [ "$(git -C "$dir" rev-parse HEAD)" != "$sha" ]; then
    git -C "$dir" checkout -q --force --detach "$sha"
  fi
  [ "$(git -C "$dir" rev-parse HEAD)" = "$sha" ] || { echo "[summary] $dir is not at $sha" >&2; exit 1; }
  [ -e "$dir/node_modules" ] || ln -s "$ROOT/node_modules" "$dir/node_modules"
  if [ "$(cat "$dir/.bench-built" 2>/dev/null)" != "$sha" ] || [ ! -f "$dir/worker/build/index.js" ]; then
    echo "[summary] building $name ($sha) in $dir" >&2
    rm -f "$dir/.bench-built"
    if ! (cd "$dir" && nice -n 10 scripts/build.sh) >"/tmp/auronex-$name-build.log" 2>&1; then
      tail -30 "/tmp/auronex-$name-build.log" >&2
      echo "[summary] the $name build at $sha failed (log: /tmp/auronex-$name-build.log)" >&2
      exit 1
    fi
    echo "$sha" >"$dir/.bench-built"
  fi
}

prepare old "$OLD_REF"
prepare new "$NEW_REF"
[ "${BUILD_ONLY:-0}" = 1 ] && exit 0
exec python3 "$HERE/bench.py" /tmp/auronex-old /tmp/auronex-new "${1:-1000,10000,100000}" "${2:-50}" "${3:-5}"
