#!/usr/bin/env python3
"""Issue 14: the dashboard's aggregates, old code beside new, on local workerd in one run.

    python3 bench/summary/bench.py OLD_CHECKOUT NEW_CHECKOUT [SIZES] [REQUESTS] [WARMUP]

(bench/summary/run.sh prepares and builds both checkouts, then runs this.) Each checkout gets
its own `wrangler dev` on a fresh `--persist-to` directory with the migrations applied; both
point AWESOMEAPI_URL at one local stand-in (so neither waits on the network). For every size N
one user is registered through the API on each server and given the same 10 bots (6 USDT, 4
BRL) and N closed trades, written straight into each server's D1 SQLite file while it is idle
(the new schema's units columns filled as well, so its triggers keep ledger_totals). Before
timing, both servers must report the same realised P&L per currency as the trades add up to
(and the new one the same closed count and max drawdown). Then, per size and endpoint,
WARMUP + REQUESTS sequential requests per server, old and new interleaved (alternating which
goes first, each sent once the other server has gone idle) on kept-alive connections straight
to each Worker's workerd (not through the `wrangler dev` proxy). Wall time per request (first
byte sent to last byte read), p50 and p99 (nearest rank), the old/new ratio of p50s, and each
server's process-group CPU per request (from /proc, read just before and after that server's
own requests). `GET /health` (one D1 query, no session; the same code on both sides) is timed
the same way first, as the floor.
"""
import http.client
import json
import math
import os
import random
import re
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from decimal import ROUND_HALF_EVEN, Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

OLD, NEW = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
SIZES = [int(n) for n in (sys.argv[3] if len(sys.argv) > 3 else "1000,10000,100000").split(",")]
REQUESTS = int(sys.argv[4]) if len(sys.argv) > 4 else 50
WARMUP = int(sys.argv[5]) if len(sys.argv) > 5 else 5
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ENDPOINTS = ["/api/dashboard/summary", "/api/trades/stats", "/api/exchange/balance"]
DAY_MS = 86_400_000
UNIT = Decimal(1).scaleb(-8)
TICK = os.sysconf("SC_CLK_TCK")
PASSWORD = "bench-password-14"


def log(message):
    print(f"[summary] {message}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------------------------
# AwesomeAPI stand-in: GET /json/last/USD-BRL in AwesomeAPI's shape, answered at once.

class Awesome(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        if self.path.split("?")[0] != "/json/last/USD-BRL":
            body, status = b'{"status":404,"code":"CoinNotExists"}', 404
        else:
            now = int(time.time())
            body = json.dumps({"USDBRL": {
                "code": "USD", "codein": "BRL", "name": "Dólar Americano/Real Brasileiro", "high": "5.2100",
                "low": "5.0900", "varBid": "0.0100", "pctChange": "0.20", "bid": "5.1000", "ask": "5.2000",
                "timestamp": str(now), "create_date": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(now - 3 * 3600)),
            }}).encode()
            status = 200
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def start_awesome():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Awesome)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


# ---------------------------------------------------------------------------------------------
# One `wrangler dev` per checkout.

class Server:
    def __init__(self, name, checkout, awesome_url):
        self.name, self.checkout = name, checkout
        self.state = tempfile.mkdtemp(prefix=f"auronex-summary-{name}-")
        self.persist = os.path.join(self.state, "persist")
        self.env = dict(os.environ, PATH=os.path.join(ROOT, "node_modules/.bin") + ":" + os.environ["PATH"],
                        WRANGLER_SEND_METRICS="false", CI="true")
        done = subprocess.run(["wrangler", "d1", "migrations", "apply", "DB", "--local", "--persist-to", self.persist],
                              cwd=checkout, env=self.env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        assert done.returncode == 0, f"{name}: migrations failed\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        port = free_port()
        self.log_path = os.path.join(self.state, "wrangler.log")
        secret = os.urandom(36).hex()
        key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
        self.proc = subprocess.Popen(
            ["wrangler", "dev", "--local", "--ip", "127.0.0.1", "--port", str(port), "--inspector-port", str(free_port()),
             "--persist-to", self.persist, "--log-level", "debug", "--show-interactive-dev-session=false",
             "--var", f"JWT_SECRET:{secret}", "--var", f"ENCRYPTION_KEY:{key}", "--var", f"AWESOMEAPI_URL:{awesome_url}"],
            cwd=checkout, env=self.env, stdout=open(self.log_path, "w"), stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, process_group=0)
        # Talk to the Worker's own workerd, not the reload proxy in front of it.
        deadline = time.time() + 180
        self.port = None
        while time.time() < deadline and self.port is None:
            assert self.proc.poll() is None, f"{name}: wrangler dev exited\n{open(self.log_path).read()[-3000:]}"
            found = re.findall(r'"userWorkerUrl":\{"protocol":"http:","hostname":"127\.0\.0\.1","port":"(\d+)"',
                               open(self.log_path).read())
            if found:
                self.port = int(found[-1])
            else:
                time.sleep(0.5)
        assert self.port, f"{name}: no userWorkerUrl in the log"
        self.conn = None
        while True:
            try:
                if self.request("GET", "/health")[0] == 200:
                    break
            except OSError:
                pass
            assert time.time() < deadline, f"{name}: /health never answered"
            time.sleep(0.5)
        # wrangler (node) and its workerd processes: CPU is read from /proc around each request.
        self.pids = subprocess.run(["pgrep", "-g", str(self.proc.pid)], capture_output=True, text=True).stdout.split()

    def connection(self):
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        return self.conn

    def request(self, method, path, body=None, token=None):
        headers = {"cf-connecting-ip": "198.19.14.14"}
        if body is not None:
            headers["content-type"] = "application/json"
        if token:
            headers["authorization"] = f"Bearer {token}"
        data = json.dumps(body).encode() if body is not None else None
        for attempt in range(2):
            try:
                conn = self.connection()
                conn.request(method, path, body=data, headers=headers)
                response = conn.getresponse()
                payload = response.read()
                if response.getheader("connection", "").lower() == "close":
                    self.close()
                return response.status, payload
            except (http.client.HTTPException, ConnectionError):
                self.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def call(self, method, path, body=None, token=None):
        status, payload = self.request(method, path, body, token)
        assert 200 <= status < 300, f"{self.name}: {method} {path} -> {status}: {payload[:500]!r}"
        return json.loads(payload)

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def cpu_seconds(self):
        total = 0
        for pid in self.pids:
            try:
                fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
            except FileNotFoundError:
                pass
        return total / TICK

    def database(self):
        """The D1 SQLite file under the persist dir (miniflare names it by a hash)."""
        folder = os.path.join(self.persist, "v3/d1/miniflare-D1DatabaseObject")
        files = [f for f in os.listdir(folder) if f.endswith(".sqlite") and f != "metadata.sqlite"]
        assert len(files) == 1, f"{self.name}: expected one D1 database in {folder}: {files}"
        return os.path.join(folder, files[0])

    def stop(self):
        self.close()
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        subprocess.run(["rm", "-rf", self.state])


# ---------------------------------------------------------------------------------------------
# The trades: the same rows for both servers.

# (exchange, symbols, quote, capital, active); the symbols' (base price, price places, quantity places)
BOTS = [
    ("binance", ["BTC/USDT", "ETH/USDT"], "USDT", "2500", 1),
    ("binance", ["SOL/USDT"], "USDT", "1000", 1),
    ("bybit", ["BTC/USDT"], "USDT", "5000", 1),
    ("okx", ["ETH/USDT", "DOGE/USDT"], "USDT", "1500", 0),
    ("kucoin", ["XRP/USDT"], "USDT", "800", 1),
    ("binance", ["PEPE/USDT"], "USDT", "300", 0),
    ("mercadobitcoin", ["BTC/BRL"], "BRL", "12000", 1),
    ("binance", ["BTC/BRL", "ETH/BRL"], "BRL", "25000", 1),
    ("foxbit", ["ETH/BRL"], "BRL", "7500", 0),
    ("mercadobitcoin", ["SOL/BRL"], "BRL", "5000", 0),
]
MARKETS = {"BTC": (Decimal("62000"), 2, 5), "ETH": (Decimal("3100"), 2, 4), "SOL": (Decimal("145"), 3, 3),
           "DOGE": (Decimal("0.16"), 5, 0), "XRP": (Decimal("0.58"), 4, 1), "PEPE": (Decimal("0.00001150"), 8, 0)}
FEE_RATE = Decimal("0.001")


def text(amount):
    """Exact decimal text at most 8 places, no trailing zeros (as the worker stores it)."""
    out = format(amount.quantize(UNIT, ROUND_HALF_EVEN).normalize(), "f")
    return "0" if out in ("-0", "") else out


def units(amount):
    return int(amount.quantize(UNIT, ROUND_HALF_EVEN) * 100_000_000)


def step(places):
    return Decimal(1).scaleb(-places)


def make_books(n, seed):
    """10 bots and n closed trades over the last 365 days, in the order they closed."""
    rng = random.Random(seed)
    now = int(time.time() * 1000)
    created = "2025-11-01T12:00:00Z"
    bots = []
    for index, (exchange, symbols, quote, capital, active) in enumerate(BOTS):
        bots.append({"id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "name": f"bench bot {index + 1}",
                     "exchange": exchange, "symbols": symbols, "quote": quote, "capital": capital, "active": active,
                     "created_at": created.replace("12:00", f"12:{index:02d}")})
    exits = sorted(now - 60_000 - rng.randrange(365 * DAY_MS) for _ in range(n))
    numbers = {bot["id"]: 0 for bot in bots}
    trades = []
    for exit_ms in exits:
        bot = bots[rng.randrange(len(bots))]
        symbol = rng.choice(bot["symbols"])
        base, _ = symbol.split("/")
        price0, places, qty_places = MARKETS[base]
        brl = bot["quote"] == "BRL"
        scale = Decimal(5) if brl else Decimal(1)
        drift = Decimal(str(round(rng.uniform(0.55, 1.45), 6)))
        entry = (price0 * scale * drift).quantize(step(places))
        notional = Decimal(str(round(rng.uniform(50, 800), 2))) * scale
        quantity = (notional / entry).quantize(step(qty_places))
        if quantity <= 0:
            quantity = step(qty_places)
        move = Decimal(str(round(rng.gauss(0.0028, 0.018), 6)))
        exit_price = (entry * (1 + move)).quantize(step(places))
        if exit_price <= 0:
            exit_price = step(places)
        cost = (entry * quantity).quantize(UNIT, ROUND_HALF_EVEN)
        proceeds = exit_price * quantity
        fees = (cost * FEE_RATE + proceeds * FEE_RATE).quantize(UNIT, ROUND_HALF_EVEN)
        pnl = (proceeds - cost - fees).quantize(UNIT, ROUND_HALF_EVEN)
        pct = (pnl / cost * 100).quantize(Decimal("0.0001"), ROUND_HALF_EVEN) if cost else Decimal(0)
        numbers[bot["id"]] += 1
        reason = "take_profit" if move > Decimal("0.01") else "stop_loss" if move < Decimal("-0.01") else "signal"
        trades.append({
            "id": f"{bot['id']}:{numbers[bot['id']]}", "bot_id": bot["id"], "exchange": bot["exchange"],
            "symbol": symbol, "quote": bot["quote"], "entry_price": text(entry), "exit_price": text(exit_price),
            "quantity": text(quantity), "cost": cost, "fees": fees, "pnl": pnl, "pct": text(pct),
            "entry_ms": exit_ms - rng.randrange(60_000, 2 * DAY_MS), "exit_ms": exit_ms, "reason": reason,
        })
    return bots, trades


def expected(trades):
    """Per currency: realised P&L, closed trades and max drawdown (in close order), from the rows."""
    books = {}
    for trade in trades:
        book = books.setdefault(trade["quote"], {"realised": Decimal(0), "closed": 0, "peak": Decimal(0), "dd": Decimal(0)})
        book["realised"] += trade["pnl"]
        book["closed"] += 1
        book["peak"] = max(book["peak"], book["realised"])
        book["dd"] = max(book["dd"], book["peak"] - book["realised"])
    return books


def seed(server, user_id, bots, trades):
    db = sqlite3.connect(server.database(), timeout=30)
    columns = {row[1] for row in db.execute("PRAGMA table_info(trades)")}
    with_units = "cost_units" in columns
    config = json.dumps({"note": "bench row: not read by the endpoints measured"})
    with db:
        for bot in bots:
            db.execute(
                "INSERT INTO bots (id, user_id, name, exchange, symbols, quote_currency, capital, strategy, params, "
                "analysis_interval, is_testnet, is_active, config, state, version, last_run_ms, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, 'rsi', ?, 3600, 0, ?, ?, NULL, 0, 0, ?, ?)",
                (bot["id"], user_id, bot["name"], bot["exchange"], json.dumps(bot["symbols"]), bot["quote"],
                 bot["capital"], json.dumps({"period": 14, "oversold": 30, "take_profit_pct": 3, "stop_loss_pct": 2}),
                 bot["active"], config, bot["created_at"], bot["created_at"]))
        names = ("id, bot_id, user_id, exchange, symbol, quote_currency, side, status, entry_price, exit_price, "
                 "quantity, cost, fees, profit_loss, profit_pct, entry_ms, exit_ms, exit_reason")
        extra = ", cost_units, fees_units, pnl_units" if with_units else ""
        marks = ",".join("?" * (18 + (3 if with_units else 0)))
        rows = []
        for t in trades:
            row = (t["id"], t["bot_id"], user_id, t["exchange"], t["symbol"], t["quote"], "buy", "closed",
                   t["entry_price"], t["exit_price"], t["quantity"], text(t["cost"]), text(t["fees"]), text(t["pnl"]),
                   t["pct"], t["entry_ms"], t["exit_ms"], t["reason"])
            if with_units:
                row += (units(t["cost"]), units(t["fees"]), units(t["pnl"]))
            rows.append(row)
        db.executemany(f"INSERT INTO trades ({names}{extra}) VALUES ({marks})", rows)
    db.close()
    return with_units


# ---------------------------------------------------------------------------------------------

def percentile(values, p):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p * len(ordered)) - 1)]


def login(server, email):
    return server.call("POST", "/api/auth/login", {"email": email, "password": PASSWORD})["access_token"]


def check(old, new, users, books):
    """Both servers agree with the rows (and each other) before anything is timed."""
    for n in SIZES:
        email, want = users[n], books[n]
        answers = {}
        for server in (old, new):
            token = login(server, email)
            summary = server.call("GET", "/api/dashboard/summary", token=token)
            for path in ENDPOINTS[1:]:
                server.call("GET", path, token=token)
            got = {w["currency"]: Decimal(str(w["realised_pnl"])) for w in summary["wallets"]}
            for currency, book in want.items():
                assert got.get(currency) == book["realised"], \
                    f"{server.name}, {n} trades: realised {currency} {got.get(currency)} != {book['realised']}"
            answers[server.name] = got
            if server is new:
                for entry in summary["by_currency"]:
                    book = want.get(entry["currency"])
                    if book is None:
                        continue
                    assert entry["closed_trades"] == book["closed"], f"new, {n}: closed {entry}"
                    assert Decimal(str(entry["max_drawdown"])) == book["dd"], f"new, {n}: drawdown {entry} vs {book['dd']}"
        assert answers["old"] == answers["new"], f"{n} trades: old {answers['old']} vs new {answers['new']}"
        shown = ", ".join(f"{c} {b['realised']}" for c, b in sorted(want.items()))
        log(f"{n} trades: old and new agree on realised P&L ({shown})")


def settle(server, quiet=0.05, limit=5.0):
    """Waits until `server` has used no CPU for `quiet` seconds (at most `limit`): work it does
    after answering (freeing a 100,000-row result) must not land in the other server's timing."""
    deadline = time.perf_counter() + limit
    before = server.cpu_seconds()
    while time.perf_counter() < deadline:
        time.sleep(quiet)
        now = server.cpu_seconds()
        if now == before:
            return
        before = now


def time_block(old, new, path, email=None):
    """WARMUP + REQUESTS requests of `path` per server, interleaved; wall ms of each measured one,
    and CPU ms per request of each server's process group, read just before and after its own
    requests (so one server's idle CPU while the other works is not counted). Each request
    starts once the other server is idle."""
    tokens = {s.name: login(s, email) if email else None for s in (old, new)}
    walls = {old.name: [], new.name: []}
    cpu = {old.name: 0.0, new.name: 0.0}
    sizes = {}
    for i in range(WARMUP + REQUESTS):
        for server, other in ((old, new), (new, old)) if i % 2 == 0 else ((new, old), (old, new)):
            settle(other)
            cpu0 = server.cpu_seconds()
            start = time.perf_counter()
            status, payload = server.request("GET", path, token=tokens[server.name])
            elapsed = (time.perf_counter() - start) * 1000
            cpu1 = server.cpu_seconds()
            assert status == 200, f"{server.name}: GET {path} -> {status}: {payload[:300]!r}"
            sizes[server.name] = len(payload)
            if i >= WARMUP:
                walls[server.name].append(elapsed)
                cpu[server.name] += (cpu1 - cpu0) * 1000 / REQUESTS
    return walls, cpu, sizes


def row_of(n, path, walls, cpu, sizes):
    row = {"n": n, "path": path, "cpu": cpu, "bytes": sizes}
    for side in ("old", "new"):
        row[f"{side}_p50"] = statistics.median(walls[side])
        row[f"{side}_p99"] = percentile(walls[side], 0.99)
    return row


def main():
    awesome = start_awesome()
    log(f"{os.cpu_count()} cores, load average {open('/proc/loadavg').read().split()[:3]} at the start")
    log(f"old: {OLD} ({commit(OLD)}); new: {NEW} ({commit(NEW)}); AwesomeAPI stand-in {awesome}")
    servers = []
    try:
        old = Server("old", OLD, awesome)
        servers.append(old)
        new = Server("new", NEW, awesome)
        servers.append(new)
        users, books, ids = {}, {}, {}
        for n in SIZES:
            users[n] = f"summary-{n}@example.com"
            for server in (old, new):
                session = server.call("POST", "/api/auth/register",
                                      {"email": users[n], "password": PASSWORD, "first_name": "Bench"})
                ids[(server.name, n)] = session["user"]["id"]
        time.sleep(1)  # let anything the registrations started finish: the servers are idle from here
        for n in SIZES:
            started = time.perf_counter()
            bots, trades = make_books(n, seed=14_000 + n)
            books[n] = expected(trades)
            for server in (old, new):
                units_filled = seed(server, ids[(server.name, n)], bots, trades)
                assert units_filled == (server is new), f"{server.name}: unexpected schema (units columns: {units_filled})"
            log(f"seeded {n} trades on both in {time.perf_counter() - started:.1f} s")
        check(old, new, users, books)
        # The floor: one D1 query, no session check (the same code on both sides).
        results = [row_of(None, "/health", *time_block(old, new, "/health"))]
        for n in SIZES:
            for path in ENDPOINTS:
                row = row_of(n, path, *time_block(old, new, path, users[n]))
                results.append(row)
                log(f"{n:>7} {path:<24} old p50 {row['old_p50']:8.1f} ms  new p50 {row['new_p50']:6.1f} ms  "
                    f"ratio {row['old_p50'] / row['new_p50']:6.1f}x")
        print_table(results)
        log(f"load average {open('/proc/loadavg').read().split()[:3]} at the end")
    finally:
        for server in servers:
            server.stop()


def commit(checkout):
    return subprocess.run(["git", "-C", checkout, "rev-parse", "--short", "HEAD"], capture_output=True,
                          text=True).stdout.strip()


def print_table(results):
    print(f"{REQUESTS} requests per endpoint per server after {WARMUP} warm-ups, interleaved; wall ms per request "
          f"(p99 = nearest rank); CPU = the server's process group during its own requests, ms per request")
    print()
    print("| trades | endpoint | old p50 | old p99 | new p50 | new p99 | old/new p50 | old CPU | new CPU | old / new bytes |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        trades = "-" if r["n"] is None else f"{r['n']:,}"
        print(f"| {trades} | `{r['path']}` | {r['old_p50']:.1f} | {r['old_p99']:.1f} | {r['new_p50']:.1f} | "
              f"{r['new_p99']:.1f} | **{r['old_p50'] / r['new_p50']:.1f}x** | {r['cpu']['old']:.1f} | "
              f"{r['cpu']['new']:.1f} | {r['bytes']['old']:,} / {r['bytes']['new']:,} |")
    print()
    smallest, largest = min(SIZES), max(SIZES)
    for path in ENDPOINTS:
        at = {r["n"]: r for r in results if r["path"] == path and r["n"] is not None}
        print(f"- `{path}`: new p50 at {largest:,} / at {smallest:,} = "
              f"{at[largest]['new_p50'] / at[smallest]['new_p50']:.2f}x; old {at[largest]['old_p50'] / at[smallest]['old_p50']:.1f}x")


if __name__ == "__main__":
    main()
