#!/usr/bin/env python3
"""Measures GET /api/trades/stats and GET /api/trades/today over one user's T trades inside
`wrangler dev` (workerd process-group CPU from /proc, and wall time, per request), for this
checkout and, side by side, a reference checkout (the code before the D1 aggregation: every
trade row read and summed in the Worker). Both servers get the same trades; their answers must
be identical.

Run from the repository root after `make build`, with the reference built the same way:
    git archive 0a55182 | tar -x -C /tmp/auronex-ref && ln -s "$PWD/node_modules" /tmp/auronex-ref/
    (cd /tmp/auronex-ref && CARGO_TARGET_DIR="$PWD/../<this checkout>/target" scripts/build.sh)
    python3 bench/stats_cpu.py T N /tmp/auronex-ref      (e.g. 3000 30)
"""
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from login_cpu import ROOT, free_port, group_pids, measure  # noqa: E402

T, N, REFERENCE = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
DAY_MS = 86_400_000


def call(base, path, body=None, token=None):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode() if body else None,
                                 method="POST" if body else "GET")
    req.add_header("content-type", "application/json")
    req.add_header("cf-connecting-ip", "198.19.7.7")
    if token:
        req.add_header("authorization", f"Bearer {token}")
    with urllib.request.urlopen(req) as resp:
        return json.loads(resp.read())


def trades_sql(user_id):
    """T trades of one bot: a quarter open, the rest closed with a P&L of -5 to +5, a tenth today."""
    rng = random.Random(7)
    now = int(time.time() * 1000)
    rows = []
    for i in range(T):
        entry = now - (rng.randrange(DAY_MS // 2) if i % 10 == 0 else DAY_MS + rng.randrange(60 * DAY_MS))
        if i % 4 == 0:
            tail = "'open', NULL, NULL, NULL, NULL, NULL"
        else:
            pnl = f"{rng.uniform(-5, 5):.8f}"
            tail = f"'closed', '101.5', '{pnl}', '0.5', {entry + 60_000}, 'take_profit'"
        rows.append(f"('bench:{i}', 'bench', '{user_id}', 'binance', 'S{i}/USDT', 'USDT', 'buy', "
                    f"'100.25', '0.2', '20.05', '0.04', {entry}, {tail})")
    columns = ("id, bot_id, user_id, exchange, symbol, quote_currency, side, entry_price, quantity, cost, fees, "
               "entry_ms, status, exit_price, profit_loss, profit_pct, exit_ms, exit_reason")
    return "".join(f"INSERT INTO trades ({columns}) VALUES {','.join(rows[i:i + 200])};\n"
                   for i in range(0, T, 200))


class Server:
    def __init__(self, checkout, state):
        self.checkout, self.state = checkout, state
        self.env = dict(os.environ, PATH=os.path.join(ROOT, "node_modules/.bin") + ":" + os.environ["PATH"],
                        WRANGLER_SEND_METRICS="false")
        self.wrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", state])
        port = free_port()
        log = open(os.path.join(state, "wrangler.log"), "w")
        self.proc = subprocess.Popen(
            ["wrangler", "dev", "--local", "--ip", "127.0.0.1", "--port", str(port), "--inspector-port",
             str(free_port()), "--persist-to", state, "--var", "JWT_SECRET:bench-secret-0123456789abcdef0123456789abcdef"],
            cwd=checkout, env=self.env, stdout=log, stderr=log, process_group=0)
        self.base = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                call(self.base, "/health")
                break
            except OSError:
                time.sleep(0.2)
        self.pids = group_pids(self.proc.pid)

    def wrangler(self, args):
        done = subprocess.run(["wrangler", *args], cwd=self.checkout, env=self.env, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]

    def stop(self):
        os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(timeout=20)


def main():
    results = {}
    for name, checkout in [("this checkout", ROOT), ("reference", os.path.abspath(REFERENCE))]:
        state = tempfile.mkdtemp(prefix="auronex-bench-stats-")
        server = Server(checkout, state)
        try:
            session = call(server.base, "/api/auth/register", {"email": "stats@example.com", "password": "bench-password"})
            token = session["access_token"]
            sql = os.path.join(state, "trades.sql")
            open(sql, "w").write(trades_sql(session["user"]["id"]))
            server.wrangler(["d1", "execute", "DB", "--local", "--persist-to", state, "--file", sql])
            print(f"{name}: {checkout}, {T} trades, mean of {N} requests")
            answers = {path: call(server.base, path, token=token) for path in ["/api/trades/stats", "/api/trades/today"]}
            cpu = {path: measure(path, server.base, server.pids, N, lambda i, p=path: call(server.base, p, token=token))
                   for path in answers}
            results[name] = (answers, cpu)
        finally:
            server.stop()
            shutil.rmtree(state, ignore_errors=True)
    (ours, our_cpu), (theirs, their_cpu) = results["this checkout"], results["reference"]
    for path in ours:
        assert ours[path] == theirs[path], f"{path} differs: {ours[path]} vs {theirs[path]}"
        print(f"{path:<20} identical answers; CPU {our_cpu[path]:.1f} ms vs reference {their_cpu[path]:.1f} ms "
              f"(ratio {their_cpu[path] / max(our_cpu[path], 0.01):.2f}x)")


if __name__ == "__main__":
    main()
