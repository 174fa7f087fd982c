#!/usr/bin/env bash
#! Side-by-side benchmark: installs TA-Lib in bench/.venv, builds 1,000,000 stitched real
#! candles, times TA-Lib on them, then builds and runs the Rust benchmark on the same file.
#! Usage: bench/run.sh   (prints the Markdown tables RESULTS.md records)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
cd "$HERE"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -c 'import talib, numpy' 2>/dev/null || .venv/bin/pip install -q 'TA-Lib>=0.6' numpy
[ -s data/candles_1m.csv ] || .venv/bin/python make_candles.py data/coinbase_btcusd_1h.csv data/candles_1m.csv
cargo build -q --release
.venv/bin/python talib_bench.py data/candles_1m.csv > data/talib.json
target/release/auronex-bench data/candles_1m.csv data/talib.json
