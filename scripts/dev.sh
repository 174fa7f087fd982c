#!/usr/bin/env bash
#! `make dev`: set up, build, migrate the local D1, then serve with `wrangler dev` in the
#! foreground until Ctrl-C, firing the cron trigger every minute (wrangler does not locally).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PORT=${PORT:-8787}

scripts/setup.sh
scripts/build.sh
scripts/dev-vars.sh .dev.vars

export PATH="$ROOT/node_modules/.bin:$PATH" WRANGLER_SEND_METRICS=false
wrangler d1 migrations apply DB --local

scripts/cron-driver.sh "http://127.0.0.1:$PORT" &
driver=$!
trap 'kill "$driver" 2>/dev/null || true' EXIT INT TERM
wrangler dev --local --ip 127.0.0.1 --port "$PORT" --test-scheduled
