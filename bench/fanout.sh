#!/usr/bin/env bash
#! Copier fan-out latency, side by side in one run under the same load client (bench/src/fanout):
#!   relay    an in-process tokio broadcast relay (the seed's Axum design);
#!   floor    bench/floor/worker.js, the least a Durable Object on workerd can do (one room, no
#!            auth, no storage, no sizing): what the platform itself costs on this machine;
#!   workerd  the product (`wrangler dev` of the built worker, fresh local state, shard size 500),
#!            with a hostile follower connected throughout (bench/src/fanout/hostile.rs; HOSTILE=0: none).
#! Clients talk to each Worker's own workerd process, not through the reload proxy `wrangler dev`
#! puts in front of it (a second workerd that production does not have); VIA_PROXY=1 goes through it.
#! Usage: bench/fanout.sh [FOLLOWERS=1,100,1000] [MESSAGES=20]   (worker built by scripts/build.sh)
#! SHARD_SIZE=N sets COPIER_SHARD_SIZE (default 500); FANOUT_TRACE=1 prints each message's last receipt;
#! PROFILE=SECONDS samples the product's workerd CPU during its largest run (bench/profile/).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
FOLLOWERS=${1:-1,100,1000}
MESSAGES=${2:-20}
[ -f "$ROOT/worker/build/index.js" ] || "$ROOT/scripts/build.sh"
(cd "$HERE" && cargo build -q --release --bin fanout)

STATE=$(mktemp -d)
PIDS=()
export PATH="$ROOT/node_modules/.bin:$PATH" WRANGLER_SEND_METRICS=false CI=true
# Each wrangler runs in its own process group (setsid): stopping the group stops its workerd too.
trap 'for pid in "${PIDS[@]}"; do kill -- -"$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done; rm -rf "$STATE"' EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# serve NAME DIR [wrangler dev options...]: starts `wrangler dev` in DIR; sets URL to what clients
# use and INSPECTOR to its DevTools endpoint.
serve() {
  local name=$1 dir=$2 port inspector_port log
  shift 2
  port=$(free_port)
  inspector_port=$(free_port)
  log="$STATE/$name.log"
  INSPECTOR="ws://127.0.0.1:$inspector_port/ws"
  (cd "$dir" && exec setsid wrangler dev --local --ip 127.0.0.1 --port "$port" --inspector-port "$inspector_port" \
    --persist-to "$STATE/$name" --log-level debug --show-interactive-dev-session=false "$@" >"$log" 2>&1) &
  PIDS+=($!)
  until grep -q '"userWorkerUrl"' "$log" 2>/dev/null && curl -s -o /dev/null "http://127.0.0.1:$port/"; do
    kill -0 "${PIDS[-1]}" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.5
  done
  if [ "${VIA_PROXY:-0}" = 1 ]; then
    URL="http://127.0.0.1:$port"
  else
    URL=$(grep -o '"userWorkerUrl":{"protocol":"http:","hostname":"127.0.0.1","port":"[0-9]*"' "$log" | tail -1 |
      sed -E 's/.*"port":"([0-9]+)"/http:\/\/127.0.0.1:\1/')
  fi
}

wrangler d1 migrations apply DB --local --persist-to "$STATE/workerd" >/dev/null
secret=$(head -c 48 /dev/urandom | base64 | tr -d '\n=+/')
key=$(head -c 32 /dev/urandom | base64 | tr -d '\n')
serve workerd "$ROOT" --var "JWT_SECRET:$secret" --var "ENCRYPTION_KEY:$key" --var "COPIER_SHARD_SIZE:${SHARD_SIZE:-500}"
WORKER=$URL
WORKER_INSPECTOR=$INSPECTOR
serve floor "$HERE/floor"
FLOOR=$URL
echo "fan-out: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) before the run" >&2
if [ -z "${PROFILE:-}" ]; then
  "$HERE/target/release/fanout" "$WORKER" "$FLOOR" "$FOLLOWERS" "$MESSAGES"
  exit
fi
most=$(tr ',' '\n' <<<"$FOLLOWERS" | sort -n | tail -1)
"$HERE/target/release/fanout" "$WORKER" "$FLOOR" "$FOLLOWERS" "$MESSAGES" 2> >(tee "$STATE/fanout.err" >&2) &
BENCH=$!
until grep -q "^workerd$most: $most connected" "$STATE/fanout.err" 2>/dev/null; do
  kill -0 "$BENCH" 2>/dev/null || exit 1
  sleep 0.2
done
node "$HERE/profile/cpu_profile.mjs" "$WORKER_INSPECTOR" "$PROFILE" "$HERE/profile/fanout.cpuprofile" >&2
wait "$BENCH"
