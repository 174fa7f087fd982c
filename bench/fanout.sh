#!/usr/bin/env bash
#! Copier fan-out latency, side by side: starts `wrangler dev` (the built worker, a fresh local
#! state, the production shard size of 500) and runs bench/src/fanout, which also starts the
#! in-process tokio broadcast relay, against both with the same load client.
#! Usage: bench/fanout.sh [FOLLOWERS=1,100,1000] [MESSAGES=20]   (worker built by scripts/build.sh)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
FOLLOWERS=${1:-1,100,1000}
MESSAGES=${2:-20}
PORT=${PORT:-8797}
[ -f "$ROOT/worker/build/index.js" ] || "$ROOT/scripts/build.sh"
(cd "$HERE" && cargo build -q --release --bin fanout)

STATE=$(mktemp -d)
export PATH="$ROOT/node_modules/.bin:$PATH" WRANGLER_SEND_METRICS=false CI=true
cd "$ROOT"
wrangler d1 migrations apply DB --local --persist-to "$STATE" >/dev/null
secret=$(head -c 48 /dev/urandom | base64 | tr -d '\n=+/')
key=$(head -c 32 /dev/urandom | base64 | tr -d '\n')
setsid wrangler dev --local --ip 127.0.0.1 --port "$PORT" --persist-to "$STATE" --log-level warn \
  --show-interactive-dev-session=false --var "JWT_SECRET:$secret" --var "ENCRYPTION_KEY:$key" \
  >"$STATE/wrangler.log" 2>&1 &
WRANGLER=$!
# wrangler runs in its own process group (setsid): stopping the group stops workerd too.
trap 'kill -- -"$WRANGLER" 2>/dev/null || true; wait "$WRANGLER" 2>/dev/null || true; rm -rf "$STATE"' EXIT
until curl -fsS -o /dev/null "http://127.0.0.1:$PORT/health" 2>/dev/null; do
  kill -0 "$WRANGLER" 2>/dev/null || { cat "$STATE/wrangler.log"; exit 1; }
  sleep 0.5
done
echo "fan-out: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) before the run" >&2
"$HERE/target/release/fanout" "http://127.0.0.1:$PORT" "$FOLLOWERS" "$MESSAGES"
