#!/usr/bin/env python3
"""Measures what one login costs inside `wrangler dev`: the workerd process's CPU time
(user + system, from /proc) and wall latency per request, for a successful login, a wrong
password and an unknown email, against GET /health as the per-request baseline.

Run from the repository root after `make build`:  python3 bench/login_cpu.py [N]
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
N = int(sys.argv[1]) if len(sys.argv) > 1 else 40
TICK = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(base, method, path, body=None, address="198.19.0.1"):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("content-type", "application/json")
    req.add_header("cf-connecting-ip", address)
    try:
        with urllib.request.urlopen(req) as resp:
            return resp.status
    except urllib.error.HTTPError as error:
        return error.code


def cpu_seconds(pids):
    total = 0
    for pid in pids:
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except FileNotFoundError:
            pass
    return total / TICK


def group_pids(pgid):
    out = subprocess.run(["pgrep", "-g", str(pgid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def measure(name, base, pids, n, make_call):
    cpu0, wall0 = cpu_seconds(pids), time.perf_counter()
    for i in range(n):
        make_call(i)
    cpu = (cpu_seconds(pids) - cpu0) / n * 1000
    wall = (time.perf_counter() - wall0) / n * 1000
    print(f"{name:<28} {cpu:8.1f} ms CPU {wall:8.1f} ms wall   (mean of {n})")
    return cpu


def main():
    env = dict(os.environ, PATH=os.path.join(ROOT, "node_modules/.bin") + ":" + os.environ["PATH"],
               WRANGLER_SEND_METRICS="false")
    state = tempfile.mkdtemp(prefix="auronex-bench-")
    subprocess.run(["wrangler", "d1", "migrations", "apply", "DB", "--local", "--persist-to", state],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    port = free_port()
    log = open(os.path.join(state, "wrangler.log"), "w")
    proc = subprocess.Popen(
        ["wrangler", "dev", "--local", "--ip", "127.0.0.1", "--port", str(port), "--inspector-port", str(free_port()),
         "--persist-to", state, "--var", "JWT_SECRET:bench-secret-0123456789abcdef0123456789abcdef"],
        cwd=ROOT, env=env, stdout=log, stderr=log, process_group=0)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if request(base, "GET", "/health") == 200:
                    break
            except OSError:
                time.sleep(0.2)
        pids = group_pids(proc.pid)
        email, password = "bench@example.com", "bench-password-1"
        assert request(base, "POST", "/api/auth/register", {"email": email, "password": password}) == 201
        print(f"wrangler dev, PBKDF2-HMAC-SHA256 at 100,000 iterations; N={N}")
        health = measure("GET /health (baseline)", base, pids, N, lambda i: request(base, "GET", "/health"))
        ok = measure("login, right password", base, pids, N,
                     lambda i: request(base, "POST", "/api/auth/login", {"email": email, "password": password}))
        victims = [f"victim{k}@example.com" for k in range(10)]
        for victim in victims:
            assert request(base, "POST", "/api/auth/register", {"email": victim, "password": password}) == 201
        wrong = measure("login, wrong password", base, pids, N,
                        lambda i: request(base, "POST", "/api/auth/login",
                                          {"email": victims[i % len(victims)], "password": "nope-nope"},
                                          address=f"198.19.1.{i % 250}"))
        unknown = measure("login, unknown email", base, pids, N,
                          lambda i: request(base, "POST", "/api/auth/login",
                                            {"email": f"nobody{i}@example.com", "password": "nope-nope"},
                                            address=f"198.19.2.{i % 250}"))
        print(f"login CPU above the baseline: {ok - health:.1f} ms right password, "
              f"{wrong - health:.1f} ms wrong password, {unknown - health:.1f} ms unknown email")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
        shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    main()
