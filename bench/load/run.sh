#!/usr/bin/env bash
#! `make bench-load`: installs wrk (Debian) when missing, builds the worker, and runs
#! bench/load/load.py against a throwaway local deployment; results go to bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
sudo_if_needed() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v wrk >/dev/null 2>&1; then
  echo "[bench-load] apt-get install wrk"
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
scripts/build.sh
exec python3 bench/load/load.py "$@"
