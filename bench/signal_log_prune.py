#!/usr/bin/env python3
"""Retention of the copier's signal log (SignalRoom `signals`, SignalShard `replica`), side by
side in one run on the same SQLite: the old single `... OR created_at_ms < ?` delete (a scan of
the whole log on every publish) against the two range deletes with a `created_at_ms` index that
the objects now run. Usage: python3 bench/signal_log_prune.py [ROWS=10000] [ROUNDS=200]"""
import json
import sqlite3
import sys
import time

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
ROUNDS = int(sys.argv[2]) if len(sys.argv) > 2 else 200
SCHEMA = """CREATE TABLE signals (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, signal_id TEXT NOT NULL, kind TEXT NOT NULL, ticket TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE, data TEXT NOT NULL, created_at_ms INTEGER NOT NULL)"""
HEAD = "(SELECT seq FROM sqlite_sequence WHERE name = 'signals')"
OLD = [f"DELETE FROM signals WHERE seq <= {HEAD} - :keep OR created_at_ms < :cutoff"]
NEW = [f"DELETE FROM signals WHERE seq <= {HEAD} - :keep", "DELETE FROM signals WHERE created_at_ms < :cutoff"]


def full_log(indexed):
    db = sqlite3.connect(":memory:")
    db.execute(SCHEMA)
    if indexed:
        db.execute("CREATE INDEX signals_created ON signals (created_at_ms)")
    data = json.dumps({"ticket": "123456", "symbol": "XAUUSD", "action": "BUY", "volume": 0.1,
                       "price": 2400.5, "sl": 2390, "tp": 2420})
    rows = [("f" * 32, "signal", str(i), f"open:{i}:BUY", data, 1_700_000_000_000 + i) for i in range(ROWS)]
    db.executemany("INSERT INTO signals (signal_id, kind, ticket, idempotency_key, data, created_at_ms) "
                   "VALUES (?, ?, ?, ?, ?, ?)", rows)
    return db


def per_prune_us(statements, indexed):
    db = full_log(indexed)
    params = {"keep": ROWS, "cutoff": 0}  # a full log with nothing to drop: the steady state of a busy channel
    plans = [" / ".join(row[3] for row in db.execute("EXPLAIN QUERY PLAN " + sql, params)) for sql in statements]
    started = time.perf_counter()
    for _ in range(ROUNDS):
        for sql in statements:
            db.execute(sql, params)
    return (time.perf_counter() - started) / ROUNDS * 1e6, plans


old_us, old_plans = per_prune_us(OLD, indexed=False)
new_us, new_plans = per_prune_us(NEW, indexed=True)
print(f"signal log retention, {ROWS} rows kept, {ROUNDS} prunes each (sqlite {sqlite3.sqlite_version})")
print("| delete | µs per prune | plan |")
print("|---|---|---|")
print(f"| one OR delete, no index (before) | {old_us:.1f} | {'; '.join(old_plans)} |")
print(f"| two range deletes, created_at_ms index (now) | {new_us:.1f} | {'; '.join(new_plans)} |")
print(f"before / now: {old_us / new_us:.0f}x")
