#!/usr/bin/env bash
#! Builds the strategy lab's wasm (crate auronex-lab, lab/) and its wasm-bindgen glue into
#! dashboard/src/lab/wasm/, where Vite bundles it as a lazy chunk of the lab's Web Worker.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
. scripts/wasm-env.sh
cargo build -q -p auronex-lab --target wasm32-unknown-unknown --profile speed
wasm-bindgen --target web --out-dir dashboard/src/lab/wasm --out-name auronex_lab \
  target/wasm32-unknown-unknown/speed/auronex_lab.wasm
