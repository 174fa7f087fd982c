"""A throwaway local deployment for tools that drive the API from outside (fuzzing, load).

Starts the exchange simulator (`auronex exchange-sim`, scripted prices) and `wrangler dev` on
free loopback ports with a temporary `--persist-to`, applies the migrations, waits for
`/health`, and stops both by their process ids. Secrets are per-run random values.
"""

import base64
import json
import os
import secrets
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
UNSIMULATED = ["BYBIT", "OKX", "KRAKEN", "COINBASE", "GATEIO", "HTX", "KUCOIN", "MERCADOBITCOIN", "FOXBIT"]
ADMIN_EMAIL = "admin@stack.local"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(method, url, body=None, token=None, timeout=30):
    """(status, parsed JSON or text) of one HTTP call; never raises on an HTTP status."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw.decode(errors="replace")


class Stack:
    """`with Stack() as stack:` gives `stack.base_url`, `stack.user_token`, `stack.admin_token`."""

    def __init__(self, log_name="stack"):
        self.dir = tempfile.TemporaryDirectory(prefix="auronex-stack-")
        self.log_path = Path(self.dir.name) / f"{log_name}.log"
        self.processes = []
        self.admin_password = secrets.token_urlsafe(18)

    def __enter__(self):
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *_):
        self.stop()

    def _spawn(self, args, **kwargs):
        process = subprocess.Popen(args, cwd=ROOT, stdin=subprocess.DEVNULL, start_new_session=True, **kwargs)
        self.processes.append(process)
        return process

    def _start(self):
        env = dict(os.environ, PATH=f"{ROOT / 'node_modules/.bin'}:{os.environ['PATH']}",
                   WRANGLER_SEND_METRICS="false", NO_UPDATE_NOTIFIER="1", CI="true")
        log = open(self.log_path, "w")
        subprocess.run(["cargo", "build", "-q", "-p", "auronex-cli", "--bin", "auronex"], cwd=ROOT, check=True)
        sim = self._spawn([str(TARGET / "debug/auronex"), "exchange-sim", "--port", "0",
                           "--script", str(ROOT / "tests/data/sim_script.json")], stdout=subprocess.PIPE, stderr=log)
        line = sim.stdout.readline().decode()
        self.sim_url = next(word for word in line.split() if word.startswith("http://"))
        persist = Path(self.dir.name) / "state"
        subprocess.run(["wrangler", "d1", "migrations", "apply", "DB", "--local", "--persist-to", str(persist)],
                       cwd=ROOT, env=env, check=True, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        port = free_port()
        self.base_url = f"http://127.0.0.1:{port}"
        variables = {
            "JWT_SECRET": secrets.token_urlsafe(36),
            "ENCRYPTION_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
            "ADMIN_EMAIL": ADMIN_EMAIL,
            "ADMIN_PASSWORD": self.admin_password,
            "BINANCE_API_URL": self.sim_url,
            "AWESOMEAPI_URL": self.sim_url,
        }
        for venue in UNSIMULATED:
            variables[f"{venue}_API_URL"] = f"{self.sim_url}/__unsimulated/{venue.lower()}"
        args = ["wrangler", "dev", "--local", "--ip", "127.0.0.1", "--port", str(port),
                "--inspector-port", str(free_port()), "--show-interactive-dev-session=false",
                "--test-scheduled", "--persist-to", str(persist)]
        for key, value in variables.items():
            args += ["--var", f"{key}:{value}"]
        self._spawn(args, env=env, stdout=log, stderr=log)
        deadline = time.time() + 180
        while time.time() < deadline:
            try:
                if request("GET", f"{self.base_url}/health", timeout=5)[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.3)
        else:
            raise RuntimeError(f"wrangler dev did not become healthy; see {self.log_path}")
        self.admin_token = self.login(ADMIN_EMAIL, self.admin_password)
        self.user_email, self.user_password = f"user-{secrets.token_hex(4)}@stack.local", secrets.token_urlsafe(12)
        status, body = request("POST", f"{self.base_url}/api/auth/register",
                               {"email": self.user_email, "password": self.user_password})
        assert status == 201, (status, body)
        self.user_token = body["access_token"]

    def login(self, email, password):
        status, body = request("POST", f"{self.base_url}/api/auth/login", {"email": email, "password": password})
        assert status == 200, (status, body)
        return body["access_token"]

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self):
        for process in reversed(self.processes):
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                    process.wait(timeout=10)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    try:
                        os.killpg(process.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    process.wait()
        self.processes.clear()
