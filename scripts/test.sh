#!/usr/bin/env bash
#! `make test`: every test of the project, in order: native unit tests, the dashboard's unit
#! tests (Vitest), a wasm32 build check of the pure crates, the build (worker and dashboard), the
#! black-box tests against `wrangler dev`, the dashboard's browser tests (Playwright), and schema
#! fuzzing of a deployment with Schemathesis (scripts/fuzz.py, one result per operation).
#! The last line is always `N passed, M failed`; the exit status is non-zero on any failure.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
passed=0
failed=0

# Adds up libtest's "test result: ... N passed; M failed" lines; a stage that failed without
# reporting a failing test (a build error, a crash) counts as one failure.
run_tests() {
  local name=$1; shift
  echo "==> $name"
  "$@" 2>&1 | tee "$OUT/$name.log"
  local rc=${PIPESTATUS[0]}
  local p f
  p=$(grep -Eo '[0-9]+ passed' "$OUT/$name.log" | awk '{s+=$1} END {print s+0}')
  f=$(grep -Eo '[0-9]+ failed' "$OUT/$name.log" | awk '{s+=$1} END {print s+0}')
  passed=$((passed + p)); failed=$((failed + f))
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then failed=$((failed + 1)); echo "==> $name: FAILED (exit $rc)"; fi
  return "$rc"
}

# A build step is one check: it passes or it fails.
run_check() {
  local name=$1; shift
  echo "==> $name"
  if "$@"; then passed=$((passed + 1)); echo "==> $name: ok"; return 0; fi
  failed=$((failed + 1)); echo "==> $name: FAILED"; return 1
}

NODE_PATH_BIN="$ROOT/node_modules/.bin"

# Vitest's summary also counts test files ("Test Files  4 passed"); only its tests are counted.
dashboard_unit() {
  PATH="$NODE_PATH_BIN:$PATH" vitest run --root dashboard 2>&1 | sed '/Test Files/d'
  return "${PIPESTATUS[0]}"
}

dashboard_browser() {
  PATH="$NODE_PATH_BIN:$PATH" node dashboard/e2e/run.mjs
}

wasm_check() {
  ( . scripts/wasm-env.sh
    cargo check -q -p auronex-core -p auronex-exchanges -p auronex-lab --target wasm32-unknown-unknown )
}

if ! scripts/setup.sh; then
  echo "setup failed"
  echo "$passed passed, 1 failed"
  exit 1
fi

run_tests unit cargo test --workspace --exclude auronex-e2e
run_tests dashboard-unit dashboard_unit
run_check wasm32-core wasm_check
if run_check worker-build scripts/build.sh; then
  run_tests e2e cargo test -q -p auronex-e2e --test e2e
  run_tests browser dashboard_browser
  run_tests fuzz python3 scripts/fuzz.py
else
  echo "==> e2e, browser and fuzz tests: skipped, the build failed"; failed=$((failed + 3))
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
