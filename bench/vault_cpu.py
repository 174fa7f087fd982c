#!/usr/bin/env python3
"""Measures what the vault and the payment webhooks cost inside `wrangler dev`: the workerd
process group's CPU time (user + system, from /proc) and wall latency per request, against
GET /health as the per-request baseline:

- POST /api/api-keys (validate, AES-256-GCM seal with a fresh nonce, one D1 insert);
- GET /api/api-keys with 20 keys stored;
- POST /api/payments/webhook, a Stripe event verified (HMAC-SHA256) and handled the first time,
  and a replay of it (verified, then recognised by its id);
- POST /api/admin/vault/rotate over K keys sealed under the previous master key (after a
  restart with the new key; 400 keys per call), reported per key.

Run from the repository root after `make build`:  python3 bench/vault_cpu.py [N] [K]
"""
import hashlib
import hmac
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from login_cpu import ROOT, cpu_seconds, free_port, group_pids, measure  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 40
K = int(sys.argv[2]) if len(sys.argv) > 2 else 300
OLD_KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
NEW_KEY = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY="
WEBHOOK_SECRET = "whsec_bench_0000000000000000000000"
ADMIN = ("bench-admin@example.com", "bench-admin-password")


def call(base, method, path, body=None, token=None, headers=None, raw=None):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("content-type", "application/json")
    req.add_header("cf-connecting-ip", "198.19.9.9")
    if token:
        req.add_header("authorization", f"Bearer {token}")
    for name, value in (headers or {}).items():
        req.add_header(name, value)
    try:
        with urllib.request.urlopen(req) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


class Server:
    def __init__(self, state, keys):
        self.env = dict(os.environ, PATH=os.path.join(ROOT, "node_modules/.bin") + ":" + os.environ["PATH"],
                        WRANGLER_SEND_METRICS="false")
        subprocess.run(["wrangler", "d1", "migrations", "apply", "DB", "--local", "--persist-to", state],
                       cwd=ROOT, env=self.env, check=True, capture_output=True)
        port = free_port()
        variables = {"JWT_SECRET": "bench-secret-0123456789abcdef0123456789abcdef", "ADMIN_EMAIL": ADMIN[0],
                     "ADMIN_PASSWORD": ADMIN[1], "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET, **keys}
        args = [a for k, v in variables.items() for a in ("--var", f"{k}:{v}")]
        log = open(os.path.join(state, f"wrangler-{port}.log"), "w")
        self.proc = subprocess.Popen(
            ["wrangler", "dev", "--local", "--ip", "127.0.0.1", "--port", str(port), "--inspector-port",
             str(free_port()), "--persist-to", state, *args],
            cwd=ROOT, env=self.env, stdout=log, stderr=log, process_group=0)
        self.base = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                if call(self.base, "GET", "/health")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        self.pids = group_pids(self.proc.pid)

    def stop(self):
        os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(timeout=20)


def stripe_event(event_id, user_id):
    return json.dumps({"id": event_id, "object": "event", "type": "checkout.session.completed", "data": {"object": {
        "id": f"cs_bench_{event_id}", "object": "checkout.session", "client_reference_id": user_id,
        "metadata": {"user_id": user_id, "plan": "pro"}, "customer": "cus_bench", "subscription": f"sub_{event_id}",
        "payment_status": "paid", "amount_total": 2900, "currency": "usd"}}})


def signed(payload):
    t = int(time.time())
    v1 = hmac.new(WEBHOOK_SECRET.encode(), f"{t}.{payload}".encode(), hashlib.sha256).hexdigest()
    return {"stripe-signature": f"t={t},v1={v1}"}


def main():
    state = tempfile.mkdtemp(prefix="auronex-bench-vault-")
    key = {"exchange": "binance", "api_key": "benchApiKey0000000000000000000000000000000000000001",
           "secret_key": "benchSecret000000000000000000000000000000000000000000000000001"}
    try:
        server = Server(state, {"ENCRYPTION_KEY": OLD_KEY})
        base, pids = server.base, server.pids
        status, session = call(base, "POST", "/api/auth/register", {"email": "bench@example.com", "password": "bench-password"})
        assert status == 201, session
        token, user_id = session["access_token"], session["user"]["id"]
        print(f"wrangler dev; N={N}, rotation over K={K} keys")
        health = measure("GET /health (baseline)", base, pids, N, lambda i: call(base, "GET", "/health"))
        store = measure("POST /api/api-keys", base, pids, 20, lambda i: call(base, "POST", "/api/api-keys", key, token))
        listing = measure("GET /api/api-keys (20 keys)", base, pids, N, lambda i: call(base, "GET", "/api/api-keys", token=token))
        events = [stripe_event(f"evt_bench_{i}", user_id) for i in range(N)]
        first = measure("Stripe webhook, first", base, pids, N,
                        lambda i: call(base, "POST", "/api/payments/webhook", raw=events[i].encode(), headers=signed(events[i])))
        replay = measure("Stripe webhook, replay", base, pids, N,
                         lambda i: call(base, "POST", "/api/payments/webhook", raw=events[i].encode(), headers=signed(events[i])))
        print(f"above the baseline: store {store - health:.1f} ms, list {listing - health:.1f} ms, "
              f"webhook {first - health:.1f} ms first / {replay - health:.1f} ms replay")
        others = []
        for k in range(K // 20):
            status, other = call(base, "POST", "/api/auth/register", {"email": f"bench{k}@example.com", "password": "bench-password"})
            others.append(other["access_token"])
        for k in range(K - 20):
            assert call(base, "POST", "/api/api-keys", key, others[k % len(others)])[0] == 201
        server.stop()
        server = Server(state, {"ENCRYPTION_KEY": NEW_KEY, "ENCRYPTION_KEY_PREVIOUS": OLD_KEY})
        status, admin = call(server.base, "POST", "/api/auth/login", {"email": ADMIN[0], "password": ADMIN[1]})
        cpu0, wall0 = cpu_seconds(server.pids), time.perf_counter()
        resealed, calls, cursor = 0, 0, None
        while True:
            status, report = call(server.base, "POST", "/api/admin/vault/rotate",
                                  {"cursor": cursor} if cursor else {}, admin["access_token"])
            assert status == 200, report
            resealed, calls, cursor = resealed + report["resealed"], calls + 1, report["next_cursor"]
            if report["complete"]:
                break
        cpu, wall = (cpu_seconds(server.pids) - cpu0) * 1000, (time.perf_counter() - wall0) * 1000
        assert resealed == K, report
        print(f"rotation of {K} keys in {calls} calls: {cpu:.0f} ms CPU, {wall:.0f} ms wall "
              f"({cpu / K:.2f} ms CPU per key)")
        server.stop()
    finally:
        shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    main()
