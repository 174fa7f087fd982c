#!/usr/bin/env python3
"""`make bench-load`: wrk against a throwaway local deployment (scripts/stack.py: wrangler dev
and the exchange simulator), at increasing concurrency, on three scenarios:

- `GET /health` (no database: the Worker's floor),
- `GET /api/dashboard/summary` with a user's token (token check + several D1 reads),
- `POST /api/bots` then `DELETE /api/bots/{id}` (each wrk thread its own user, one connection
  per thread, so a user holds at most one bot; the POST reads the venue's market list).

Records requests/s, p50/p99 latency and error counts (non-2xx answers and socket errors) into
the `Load` section of bench/RESULTS.md (replaced on each run), each scenario's throughput also
as a ratio to `/health` at the same concurrency.
"""

import argparse
import datetime
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent / "scripts"))
from stack import ROOT, Stack, request  # noqa: E402

RESULTS = ROOT / "bench/RESULTS.md"
BEGIN, END = "<!-- bench-load:begin -->", "<!-- bench-load:end -->"
SCENARIOS = [
    ("GET /health", "/health", None),
    ("GET /api/dashboard/summary", "/api/dashboard/summary", HERE / "read.lua"),
    ("POST /api/bots + DELETE", "/api/bots", HERE / "write.lua"),
]


def to_ms(text):
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(url, script, concurrency, seconds, tokens_file):
    command = ["wrk", "--latency", "-t", str(concurrency), "-c", str(concurrency), "-d", f"{seconds}s",
               "--timeout", "10s"]
    if script:
        command += ["-s", str(script)]
    env = dict(os.environ, AURONEX_LOAD_TOKENS=str(tokens_file))
    output = subprocess.run(command + [url], env=env, capture_output=True, text=True, check=True).stdout
    percentile = lambda p: to_ms(re.search(rf"^\s+{p}%\s+(\S+)", output, re.M).group(1))  # noqa: E731
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": percentile(50),
        "p99": percentile(99),
        "errors": (int(non_2xx.group(1)) if non_2xx else 0) + (sum(map(int, socket.groups())) if socket else 0),
    }


def delete_leftovers(base_url, tokens):
    """Deletes the bot each write thread created last (wrk stops between its POST and DELETE)."""
    deleted = 0
    for token in tokens:
        for bot in request("GET", f"{base_url}/api/bots", token=token)[1]:
            status, _ = request("DELETE", f"{base_url}/api/bots/{bot['id']}", token=token)
            assert status == 204, status
            deleted += 1
    return deleted


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--concurrency", default="1,4,16,32")
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    levels = [int(c) for c in args.concurrency.split(",")]
    version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("\n")[0].strip()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    rows = []
    leftovers = 0
    with Stack("load") as stack, tempfile.NamedTemporaryFile("w", suffix=".tokens") as tokens:
        users = []
        for n in range(max(levels)):
            email = f"load{n}-{os.getpid()}@stack.local"
            status, body = request("POST", f"{stack.base_url}/api/auth/register",
                                   {"email": email, "password": "load-test-password"})
            assert status == 201, (status, body)
            users.append(body["access_token"])
        tokens.write("\n".join(users) + "\n")
        tokens.flush()
        for concurrency in levels:
            for name, path, script in SCENARIOS:
                result = run_wrk(stack.base_url + path, script, concurrency, args.seconds, tokens.name)
                rows.append((name, concurrency, result))
                print(f"{name:30} c={concurrency:<3} {result['rps']:8.1f} req/s  p50 {result['p50']:7.1f} ms  "
                      f"p99 {result['p99']:7.1f} ms  errors {result['errors']} of {result['requests']}",
                      flush=True)
                if script and script.name == "write.lua":
                    leftovers += delete_leftovers(stack.base_url, users)
    health = {c: r["rps"] for name, c, r in rows if name == "GET /health"}
    table = ["| scenario | concurrency | requests/s | vs /health | p50 ms | p99 ms | errors / requests |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for name, concurrency, r in sorted(rows, key=lambda row: ([s[0] for s in SCENARIOS].index(row[0]), row[1])):
        table.append(f"| {name} | {concurrency} | {r['rps']:.0f} | {r['rps'] / health[concurrency]:.2f}x | "
                     f"{r['p50']:.1f} | {r['p99']:.1f} | {r['errors']} / {r['requests']} |")
    load = os.getloadavg()[0]
    section = "\n".join([
        BEGIN,
        f"## Load (`make bench-load`), run of {datetime.date.today()} (code at {commit})",
        "",
        f"Command: `make bench-load` ({version}; {args.seconds} s per cell, wrk threads = connections ="
        f" concurrency; load average {load:.1f} at the end). One local `wrangler dev` (workerd, local D1 in"
        " SQLite) on the same 2 shared vCPUs as wrk, so the figures are this machine's, not Cloudflare's;"
        " read the ratios and the error column.",
        "",
        *table,
        "",
        f"The write cells left {leftovers} bots (a thread's last POST, when the cell ended before its DELETE);"
        " they were deleted between cells, so every cell starts with no bots.",
        END,
    ])
    text = RESULTS.read_text()
    if BEGIN in text:
        text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: section, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    RESULTS.write_text(text)
    print(f"written to {RESULTS.relative_to(ROOT)}")
    errors = sum(r["errors"] for _, _, r in rows)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
