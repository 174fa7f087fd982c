#!/usr/bin/env bash
#! Fires the Worker's scheduled handler once a minute, as Cloudflare's cron trigger would,
#! for local development (`wrangler dev --test-scheduled` exposes /__scheduled).
set -uo pipefail
BASE=${1:?usage: cron-driver.sh BASE_URL}
INTERVAL=${CRON_INTERVAL_SECONDS:-60}
until curl -fsS -o /dev/null "$BASE/health"; do sleep 1; done
while true; do
  curl -fsS -o /dev/null "$BASE/__scheduled?cron=*+*+*+*+*" \
    || echo "[cron-driver] scheduled run failed" >&2
  sleep "$INTERVAL"
done
