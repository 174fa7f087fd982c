#!/usr/bin/env bash
#! The strategy lab's benchmark, side by side in one run (see bench/RESULTS.md):
#!  (a) one backtest over a year of 1-minute candles (525,600): the lab's wasm in headless
#!      Chromium against the native CLI (`auronex backtest`, built with the same `speed`
#!      profile, a whole process reading the CSV) and against the lab's own code built natively
#!      (lab/examples/bench.rs: the same call the wasm makes), same candles, strategy,
#!      parameters and fills;
#!  (b) a sweep of 400 parameter sets over a year of hourly candles: the lab's wasm in
#!      Chromium's Web Workers against backtesting.py's Backtest.optimize (installed here in
#!      bench/lab/.venv), same grid, rule and fees.
#! Prints the figures and their ratios; no figure is asserted (the machine is shared).
#! Usage: bench/lab/run.sh
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT"
BACKTESTING_VERSION=0.6.6
export PATH="$ROOT/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

[ -x "$HERE/.venv/bin/python" ] || python3 -m venv "$HERE/.venv"
"$HERE/.venv/bin/python" -c "import backtesting; assert backtesting.__version__ == '$BACKTESTING_VERSION'" 2>/dev/null \
  || "$HERE/.venv/bin/pip" install -q --disable-pip-version-check "backtesting==$BACKTESTING_VERSION"
mkdir -p "$HERE/data"
[ -s "$HERE/data/year_1m.csv" ] && [ -s "$HERE/data/year_1h.csv" ] \
  || python3 "$HERE/make_year.py" bench/data/coinbase_btcusd_1h.csv "$HERE/data"

scripts/build-lab.sh
cargo build -q --profile speed -p auronex-cli --example bench -p auronex-lab
CLI="${CARGO_TARGET_DIR:-$ROOT/target}/speed/auronex"
NATIVE_LAB="${CARGO_TARGET_DIR:-$ROOT/target}/speed/examples/bench"

browser=$(node "$HERE/chromium.mjs" "$HERE/data")
python3 - "$browser" "$CLI" "$HERE" "$NATIVE_LAB" <<'PY'
import json, subprocess, sys, time
browser, cli, here, native_lab = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
if "error" in browser:
    sys.exit(f"browser: {browser['error']}")
s = browser["settings"]
args = [cli, "backtest", "--input", f"{here}/data/year_1m.csv", "--strategy", s["strategy"], "--capital", str(s["capital"]),
        "--fee-pct", str(s["fee_pct"]), "--spread-pct", str(s["spread_pct"]), "--json"]
for key, value in s["params"].items():
    args += ["--param", f"{key}={value}"]
times = []
for run in range(6):
    started = time.perf_counter()
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    if run > 0:
        times.append(time.perf_counter() - started)
native = json.loads(out)
b = browser["backtest"]
assert len(native["trades"]) == b["trades"], f"trades: CLI {len(native['trades'])}, wasm {b['trades']}"
assert native["metrics"]["net_profit"] == b["net_profit"], f"net profit: CLI {native['metrics']['net_profit']}, wasm {b['net_profit']}"
cli_ms = min(times) * 1000
lab = json.loads(subprocess.run([native_lab, f"{here}/data/year_1m.csv", f"{here}/data/year_1h.csv", f"{here}/grid.json", json.dumps(s)],
                                check=True, capture_output=True, text=True).stdout)
assert lab["trades"] == b["trades"], f"trades: native lab {lab['trades']}, wasm {b['trades']}"
import os
print(f"Chromium {browser['chromium']}, backtesting.py {os.popen(here + '/.venv/bin/pip show backtesting').read().split('Version: ')[1].split()[0]}; best of 5 (sweeps: 3) after a warm-up run, wall clock; load average {os.getloadavg()[0]:.1f}")
print()
print("| (a) one backtest, 525,600 1-minute candles | ms | candles/s | trades |")
print("|---|---:|---:|---:|")
print(f"| lab wasm in Chromium (columns in, JSON report out) | {b['ms']:.0f} | {b['candles'] / b['ms'] * 1000 / 1e6:.2f} M | {b['trades']} |")
print(f"| native CLI process (CSV file in, JSON out) | {cli_ms:.0f} | {b['candles'] / cli_ms * 1000 / 1e6:.2f} M | {len(native['trades'])} |")
print(f"| lab code built natively (columns in, report out) | {lab['backtest_ms']:.0f} | {b['candles'] / lab['backtest_ms'] * 1000 / 1e6:.2f} M | {lab['trades']} |")
print(f"| wasm / native CLI process | {b['ms'] / cli_ms:.2f}x | | same trades and net profit |")
print(f"| wasm / native lab code | {b['ms'] / lab['backtest_ms']:.2f}x | | |")
print()
bt = json.loads(subprocess.run([f"{here}/.venv/bin/python", f"{here}/bt_optimize.py", f"{here}/data/year_1h.csv", f"{here}/grid.json"],
                               check=True, capture_output=True, text=True).stdout)
w = browser["sweep"]
print(f"| (b) sweep, {w['sets']} sets x {w['candles']} hourly candles | seconds | sets/s | best set (return %) |")
print("|---|---:|---:|---|")
best = w["best"]["params"]
print(f"| lab wasm, {w['workers']} Chromium workers, warm | {w['ms'] / 1000:.3f} | {w['sets'] / w['ms'] * 1000:.0f} | period {best['period']}, oversold {best['oversold']} ({w['best']['return_pct']:.2f} %) |")
print(f"| lab wasm, cold (workers started, wasm compiled, candles copied) | {w['cold_ms'] / 1000:.3f} | {w['sets'] / w['cold_ms'] * 1000:.0f} | |")
print(f"| lab wasm, 1 Chromium worker, warm | {w['one_worker_ms'] / 1000:.3f} | {w['sets'] / w['one_worker_ms'] * 1000:.0f} | |")
print(f"| lab code built natively, one thread | {lab['sweep_ms_one_thread'] / 1000:.3f} | {lab['sets'] / lab['sweep_ms_one_thread'] * 1000:.0f} | |")
print(f"| 1 wasm worker / native thread | {w['one_worker_ms'] / lab['sweep_ms_one_thread']:.2f}x | | |")
bb = bt["best"]
print(f"| backtesting.py Backtest.optimize | {bt['seconds']:.2f} | {bt['sets'] / bt['seconds']:.1f} | period {bb['period']}, oversold {bb['oversold']} ({bb['return_pct']:.2f} %) |")
print(f"| backtesting.py / lab (warm) | {bt['seconds'] * 1000 / w['ms']:.0f}x | | |")
print(f"| backtesting.py / lab (cold) | {bt['seconds'] * 1000 / w['cold_ms']:.0f}x | | |")
PY
