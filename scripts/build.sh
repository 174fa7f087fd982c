#!/usr/bin/env bash
#! Builds what `wrangler dev` and `wrangler deploy` serve: the Worker (worker/build/) and the
#! dashboard's static assets (dashboard/dist/), with the strategy lab's wasm inside them.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
. scripts/wasm-env.sh

# The strategy lab's wasm first: the dashboard imports its glue (dashboard/src/lab/wasm/).
scripts/build-lab.sh

# The dashboard: type-checked, bundled by Vite into dashboard/dist, initial JS size printed
# (the build fails above 250 KB gzipped).
tsc -p dashboard/tsconfig.json
vite build dashboard --logLevel warn
node dashboard/tools/bundle-size.mjs dashboard/dist 250

cd worker
worker-build --release
