#!/usr/bin/env python3
"""One paper-trading tick at scale: 1,000 and 10,000 active minute bots over 100 symbols, run by
the Worker in `wrangler dev` (local workerd and D1) against the exchange simulator, set beside
the seed's design (for each bot, for each symbol: fetch_ticker, then look up the open trade)
driven by this script against the same simulator and the same D1 file in the same run.

Measured per tick: wall time, upstream requests (the simulator's own request counter) and D1
statements (ours: counted by the Worker into `tick_runs.d1_statements`; the seed's: the
statements its loop issues, run here with sqlite3 on the same local D1 file).

Run from the repository root after `make build`:  python3 bench/tick_bench.py [BOTS ...]
(default 1000 10000). Prints a Markdown table; bench/RESULTS.md records it.

The simulator serves 100 generated symbols (SYM000/USDT ... SYM099/USDT): each replays 130
consecutive hourly closes of the real Coinbase BTC/USD candles in bench/data/ (a different
stretch per symbol), one close per simulated minute, scaled to start between 50 and 545 USDT.
"""
import csv
import glob
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SYMBOLS = [f"SYM{i:03d}" for i in range(100)]
STRATEGIES = {
    "rsi": {"period": 14, "take_profit_pct": 2, "stop_loss_pct": 2},
    "macd": {"take_profit_pct": 2, "stop_loss_pct": 2},
    "bollinger": {"take_profit_pct": 2, "stop_loss_pct": 2},
    "scalping": {"take_profit_pct": 2, "stop_loss_pct": 2},
}
UNSIMULATED = ["BYBIT", "OKX", "KRAKEN", "COINBASE", "GATEIO", "HTX", "KUCOIN", "MERCADOBITCOIN", "FOXBIT"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(base, method, path, body=None, token=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("content-type", "application/json")
    req.add_header("cf-connecting-ip", "198.19.9.9")
    if token:
        req.add_header("authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=300) as resp:
            text = resp.read().decode()
            return resp.status, (json.loads(text) if text.startswith(("{", "[")) else text)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def write_script(path):
    rows = list(csv.DictReader(open(os.path.join(ROOT, "bench/data/coinbase_btcusd_1h.csv"))))
    closes = [float(r["close"]) for r in rows]
    scripts = []
    for i, symbol in enumerate(SYMBOLS):
        stretch = closes[i * 150:i * 150 + 130]
        scale = (50 + 5 * i) / stretch[0]
        points = [[(k - 120) * 60, round(min(max(c * scale, 11.0), 990.0), 2)] for k, c in enumerate(stretch)]
        scripts.append({"symbol": f"{symbol}USDT", "points": points})
    json.dump(scripts, open(path, "w"))


class Sim:
    def __init__(self, script):
        binary = os.path.join(ROOT, "target/debug/auronex")
        subprocess.run(["cargo", "build", "-q", "-p", "auronex-cli", "--bin", "auronex"], cwd=ROOT, check=True)
        self.proc = subprocess.Popen([binary, "exchange-sim", "--port", "0", "--script", script],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        self.base = next(w for w in line.split() if w.startswith("http://"))

    def total(self):
        with urllib.request.urlopen(self.base + "/__sim/stats") as resp:
            return json.load(resp)["total"]


def wrangler_env():
    return dict(os.environ, PATH=os.path.join(ROOT, "node_modules/.bin") + ":" + os.environ["PATH"],
                WRANGLER_SEND_METRICS="false", CI="true")


def d1(state, sql):
    out = subprocess.run(["wrangler", "d1", "execute", "DB", "--local", "--json", "--persist-to", state,
                          "--command", sql], cwd=ROOT, env=wrangler_env(), capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stdout + out.stderr)
    return json.loads(out.stdout)[-1]["results"]


def d1_file(state):
    files = [f for f in glob.glob(os.path.join(state, "v3/d1/**/*.sqlite"), recursive=True)]
    return max(files, key=os.path.getsize)


def seed_tick(sim, state, bots):
    """The seed's loop: every active bot, every symbol, one ticker request, then the open-trade
    lookups (existing position check and open trades for exits). Sequential, as written."""
    db = sqlite3.connect(d1_file(state), timeout=30)
    requests0, started, statements = sim.total(), time.perf_counter(), 1
    rows = db.execute("SELECT id, symbols FROM bots WHERE is_active = 1").fetchall()
    for bot_id, symbols in rows[:bots]:
        for symbol in json.loads(symbols):
            with urllib.request.urlopen(f"{sim.base}/api/v3/ticker/bookTicker?symbol={symbol.replace('/', '')}") as r:
                json.load(r)
            db.execute("SELECT id FROM trades WHERE bot_id = ? AND symbol = ? AND status = 'open' LIMIT 1",
                       (bot_id, symbol)).fetchall()
            db.execute("SELECT * FROM trades WHERE bot_id = ? AND symbol = ? AND status = 'open'",
                       (bot_id, symbol)).fetchall()
            statements += 2
    db.close()
    return time.perf_counter() - started, sim.total() - requests0, statements


def our_tick(base, sim, state, label):
    d1(state, "UPDATE bots SET last_run_ms = 0 WHERE is_active = 1")
    requests0, started = sim.total(), time.perf_counter()
    status, body = call(base, "GET", f"/__scheduled?cron={label}")
    assert status == 200, body
    answered = time.perf_counter() - started
    for _ in range(1200):
        rows = d1(state, f"SELECT bots_evaluated, markets, partitions, failed_partitions, d1_statements, duration_ms "
                         f"FROM tick_runs WHERE cron = '{label}'")
        if rows:
            break
        time.sleep(0.2)
    return answered, sim.total() - requests0, rows[0]


def main():
    sizes = [int(a) for a in sys.argv[1:]] or [1000, 10000]
    env = wrangler_env()
    state = tempfile.mkdtemp(prefix="auronex-tick-bench-")
    script = os.path.join(state, "symbols.json")
    write_script(script)
    sim = Sim(script)
    subprocess.run(["wrangler", "d1", "migrations", "apply", "DB", "--local", "--persist-to", state],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    port = free_port()
    log = open(os.path.join(state, "wrangler.log"), "w")
    args = ["wrangler", "dev", "--local", "--ip", "127.0.0.1", "--port", str(port), "--test-scheduled",
            "--inspector-port", str(free_port()), "--persist-to", state,
            "--var", "JWT_SECRET:bench-secret-0123456789abcdef0123456789abcdef",
            "--var", f"BINANCE_API_URL:{sim.base}", "--var", f"AWESOMEAPI_URL:{sim.base}"]
    for venue in UNSIMULATED:
        args += ["--var", f"{venue}_API_URL:{sim.base}/__unsimulated/{venue.lower()}"]
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=log, process_group=0)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if call(base, "GET", "/health")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        status, session = call(base, "POST", "/api/auth/register",
                               {"email": "bench@example.com", "password": "bench-password-1"})
        assert status == 201, session
        token = session["access_token"]
        user_id = session["user"]["id"]
        d1(state, f"UPDATE users SET plan = 'premium' WHERE id = '{user_id}'")
        templates = []
        for strategy, params in STRATEGIES.items():
            status, bot = call(base, "POST", "/api/bots/", {
                "name": f"bench {strategy}", "exchange": "binance", "symbols": ["SYM000/USDT"], "capital": 10,
                "strategy": strategy, "params": params, "analysis_interval": 60}, token)
            assert status == 201, bot
            templates.append(bot["id"])
        results = []
        for size in sizes:
            # Every bot trades one of the 100 symbols; strategies rotate. Copies of the templates
            # (all symbols share the simulator's price filters in this range, so the resolved
            # trading rules in `config` hold for each).
            d1(state, "DELETE FROM bots WHERE id LIKE 'bench-%'")
            template_list = ",".join(f"'{t}'" for t in templates)
            d1(state, f"""
                WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < {size}),
                t AS (SELECT row_number() OVER (ORDER BY id) - 1 AS k, * FROM bots WHERE id IN ({template_list}))
                INSERT INTO bots (id, user_id, name, exchange, symbols, quote_currency, capital, strategy, params,
                                  analysis_interval, is_testnet, is_active, config, state, version, last_run_ms,
                                  created_at, updated_at)
                SELECT 'bench-' || n.i, t.user_id, t.name, t.exchange,
                       replace(t.symbols, 'SYM000', 'SYM' || printf('%03d', n.i % 100)), t.quote_currency, t.capital,
                       t.strategy, t.params, 60, 0, 1,
                       replace(t.config, 'SYM000', 'SYM' || printf('%03d', n.i % 100)), NULL, 1, 0,
                       t.created_at, t.updated_at
                FROM n JOIN t ON t.k = n.i % {len(templates)}""")
            cold = our_tick(base, sim, state, f"bench-{size}-first")
            # The steady state: the next minute's tick (new candles to fetch, one new candle
            # per bot to evaluate instead of the first run's warm-up over 100).
            time.sleep(62 - time.time() % 60)
            steady = our_tick(base, sim, state, f"bench-{size}-next")
            seed = seed_tick(sim, state, size)
            results.append((size, cold, steady, seed))
        print(f"wrangler dev (local workerd + D1) against auronex exchange-sim; 100 symbols; "
              f"TICK_BOTS_PER_INVOCATION=1000 (default)\n")
        print("| bots | design | wall s | upstream requests | D1 statements | bots evaluated | partitions |")
        print("|---:|---|---:|---:|---:|---:|---:|")
        for size, cold, steady, (s_wall, s_requests, s_statements) in results:
            for name, (wall, requests, row) in [("ours, first tick (warm-up)", cold), ("ours, next minute", steady)]:
                print(f"| {size} | {name} | {wall:.2f} | {requests} | {row['d1_statements']} | "
                      f"{row['bots_evaluated']} | {row['partitions']} |")
            print(f"| {size} | seed (per bot, per symbol) | {s_wall:.2f} | {s_requests} | {s_statements} | {size} | 1 |")
            wall, requests, row = steady
            print(f"| {size} | seed / ours (next minute) | {s_wall / wall:.1f}x | {s_requests / max(requests, 1):.0f}x | "
                  f"{s_statements / max(row['d1_statements'], 1):.1f}x | | |")
        print("\nworker-side tick duration (tick_runs.duration_ms): " + ", ".join(
            f"{size} bots {cold[2]['duration_ms']} / {steady[2]['duration_ms']} ms" for size, cold, steady, _ in results))
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
        sim.proc.terminate()
        sim.proc.wait(timeout=10)
        if os.environ.get("KEEP_STATE"):
            print(f"state kept in {state}")
        else:
            shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    main()
