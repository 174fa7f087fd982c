#!/usr/bin/env bash
#! `make dev`: set up, build, migrate the local D1, then serve with `wrangler dev` in the
#! foreground until Ctrl-C, firing the cron trigger every minute (wrangler does not locally).
#! `make dev OFFLINE=1` also starts the exchange simulator (`auronex exchange-sim`, real recorded
#! prices) and points every market-data base URL at it, so nothing needs the internet.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PORT=${PORT:-8787}
OFFLINE=${OFFLINE:-0}
SIM_PORT=${SIM_PORT:-8790}
SIM_SPEED=${SIM_SPEED:-1}

scripts/setup.sh
scripts/build.sh
scripts/dev-vars.sh .dev.vars

export PATH="$ROOT/node_modules/.bin:$PATH" WRANGLER_SEND_METRICS=false
wrangler d1 migrations apply DB --local

pids=()
trap 'for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done' EXIT INT TERM

vars=()
if [ "$OFFLINE" = 1 ]; then
  cargo build -q -p auronex-cli --bin auronex
  sim="http://127.0.0.1:$SIM_PORT"
  "${CARGO_TARGET_DIR:-$ROOT/target}/debug/auronex" exchange-sim --port "$SIM_PORT" --speed "$SIM_SPEED" &
  pids+=($!)
  until curl -fsS -o /dev/null "$sim/__sim/stats"; do sleep 0.2; done
  vars+=(--var "BINANCE_API_URL:$sim" --var "AWESOMEAPI_URL:$sim")
  # Venues the simulator does not speak get a path it answers with 404: a clear error, offline.
  for venue in BYBIT OKX KRAKEN COINBASE GATEIO HTX KUCOIN MERCADOBITCOIN FOXBIT; do
    vars+=(--var "${venue}_API_URL:$sim/__unsimulated/$(echo "$venue" | tr 'A-Z' 'a-z')")
  done
  echo "[dev] offline: market data from the exchange simulator at $sim (speed x$SIM_SPEED)"
fi

scripts/cron-driver.sh "http://127.0.0.1:$PORT" &
pids+=($!)
wrangler dev --local --ip 127.0.0.1 --port "$PORT" --test-scheduled "${vars[@]}"
