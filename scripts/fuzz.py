#!/usr/bin/env python3
"""Schema fuzzing: Schemathesis against `GET /api/openapi.json` of a running `wrangler dev`.

Two authenticated passes over every operation of the document: a registered user's token for
everything but the admin back office, the bootstrap admin's token for the back office. Checks:
no 5xx, response bodies match their schemas, statuses and content types are documented. Prints
one line per operation and ends with `fuzz: N passed; M failed` (counted by scripts/test.sh).

Usage: scripts/fuzz.py [--max-examples N] [--seed S]
"""

import argparse
import os
import time
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stack import ROOT, Stack, request  # noqa: E402

CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance"
ADMIN_PATHS = r"^/api/admin/|^/users$"
SCHEMATHESIS = ROOT / ".venv/bin/schemathesis"
CONFIG = ROOT / "scripts/schemathesis.toml"


def user_objects(stack):
    """Real ids for path parameters (scripts/schemathesis.toml): two bots of the fuzzing user
    (premium, so both fit; one is for DELETE) and a channel it publishes, with one signal."""
    base, token = stack.base_url, stack.user_token
    user_id = request("GET", f"{base}/api/auth/me", token=token)[1]["id"]
    assert request("PATCH", f"{base}/api/admin/users/{user_id}", {"plan": "premium"}, stack.admin_token)[0] == 200
    bot = {"name": "Fuzz target", "exchange": "binance", "symbols": ["BTC/USDT"], "capital": 100, "strategy": "rsi"}
    bots = [request("POST", f"{base}/api/bots", bot, token) for _ in range(2)]
    assert all(status == 201 for status, _ in bots), bots
    channel = request("POST", f"{base}/api/copier/channels", {"name": "Fuzz channel"}, token)[1]
    signal = {"channel_id": channel["id"], "ticket": 1, "symbol": "EURUSD", "action": "BUY", "volume": 0.1,
              "price": 1.1}
    assert request("POST", f"{base}/signal/broadcast", signal, token)[0] == 201
    return {"AURONEX_FUZZ_BOT_ID": bots[0][1]["id"], "AURONEX_FUZZ_SPARE_BOT_ID": bots[1][1]["id"],
            "AURONEX_FUZZ_CHANNEL_ID": channel["id"]}


def run_pass(stack, name, token, filters, args, report_dir, objects):
    junit = report_dir / f"{name}.xml"
    command = [
        str(SCHEMATHESIS), "--config-file", str(CONFIG), "run", f"{stack.base_url}/api/openapi.json",
        "--checks", CHECKS, "--mode", "all", "--phases", "examples,coverage,fuzzing",
        "--max-examples", str(args.max_examples), "--seed", str(args.seed), "--workers", "1",
        "--request-timeout", "30", "--suppress-health-check", "all", "--no-color",
        "--header", f"Authorization: Bearer {token}",
        "--report", "junit", "--report-junit-path", str(junit), *filters,
    ]
    started = time.monotonic()
    output = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=dict(os.environ, **objects))
    print(f"fuzz: {name} pass took {time.monotonic() - started:.0f} s", flush=True)
    log = report_dir / f"{name}.log"
    log.write_text(output.stdout)
    if not junit.exists():
        return [(f"{name}: schemathesis run", False, f"no report (exit {output.returncode}); see {log}")]
    results = []
    for case in ET.parse(junit).getroot().iter("testcase"):
        problems = [element.get("message") or element.text or "" for element in case
                    if element.tag in ("failure", "error")]
        results.append((f"{name}: {case.get('name')}", not problems, "\n".join(problems)))
    if output.returncode != 0 and all(ok for _, ok, _ in results):
        results.append((f"{name}: schemathesis run", False, f"exit {output.returncode}; see {log}"))
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--max-examples", type=int, default=6)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--report-dir", default=str(ROOT / "target/fuzz"))
    args = parser.parse_args()
    report_dir = Path(args.report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with Stack("fuzz") as stack:
        print(f"fuzz: local deployment up in {time.monotonic() - started:.0f} s at {stack.base_url}", flush=True)
        objects = user_objects(stack)
        results = run_pass(stack, "user", stack.user_token, ["--exclude-path-regex", ADMIN_PATHS], args, report_dir,
                           objects)
        results += run_pass(stack, "admin", stack.admin_token, ["--include-path-regex", ADMIN_PATHS], args,
                            report_dir, objects)
        errors = [line for line in stack.log().splitlines() if '"level":"error"' in line]
        crashes = [line for line in errors if '"status":500' in line or "panicked" in line]
        results.append(("no request answered 500 or panicked (wrangler dev log)", not crashes, "\n".join(crashes[:20])))
    passed = sum(ok for _, ok, _ in results)
    for name, ok, detail in results:
        print(f"fuzz {name} ... {'ok' if ok else 'FAILED'}")
        if not ok:
            print("    " + detail.strip().replace("\n", "\n    "))
    if passed < len(results) and errors:
        print("--- errors in the wrangler dev log ---")
        print("\n".join(errors[:20]))
    print(f"fuzz: {passed} passed; {len(results) - passed} failed (reports in {report_dir})")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
