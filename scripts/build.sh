#!/usr/bin/env bash
#! Builds what `wrangler dev` and `wrangler deploy` serve: the Worker (worker/build/) and the
#! dashboard's static assets (dashboard/dist/).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
. scripts/wasm-env.sh

mkdir -p dashboard/dist
cp -R dashboard/placeholder/. dashboard/dist/

cd worker
worker-build --release
