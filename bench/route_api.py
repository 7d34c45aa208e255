"""Latency of POST /api/route on the real service with 50 concurrent clients.

Starts `loket serve` on a free loopback port with a day-one model, then drives it with wrk
(Debian's package; `make bench` installs it): 50 connections, each sending its next request
as soon as the answer arrives, through the 60 Dutch texts of bench/data/routing_nl.jsonl.
wrk is written in C, so the load generator takes little of the two cores from the service;
a Python client would take about as much CPU as the service and measure itself.

Usage: .venv/bin/python bench/route_api.py [--seconds 15] [--concurrency 50]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEXTS = ROOT / "bench" / "data" / "routing_nl.jsonl"

WRK_SCRIPT = """
local bodies = {%(bodies)s}
local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer %(token)s"}
local n = 0
request = function()
  n = n + 1
  return wrk.format("POST", "/api/route", headers, bodies[(n %% #bodies) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %%d %%d %%d %%d %%d %%d %%d\\n", summary.requests,
    summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _lua_string(text: str) -> str:
    return "[==[" + text + "]==]"


def _wrk_script(token: str) -> str:
    bodies = []
    for line in TEXTS.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        body = {"text": case["text"], "municipality": case["municipality"]}
        bodies.append(_lua_string(json.dumps(body, ensure_ascii=False)))
    return WRK_SCRIPT % {"bodies": ", ".join(bodies), "token": token}


def _wait_for(port: int) -> None:
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit("the service did not start")


def _wrk(port: int, script: Path, seconds: int, concurrency: int) -> list[int]:
    run = subprocess.run(
        ["wrk", "-t1", f"-c{concurrency}", f"-d{seconds}s", "-s", str(script),
         f"http://127.0.0.1:{port}/api/route"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    line = next(x for x in run.stdout.splitlines() if x.startswith("RESULT "))
    return [int(x) for x in line.split()[1:]]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk (make bench does this)")
    loket = [sys.executable, "-m", "router.cli"]
    with tempfile.TemporaryDirectory() as tmp:
        port, token = _port(), secrets.token_urlsafe(24)
        env = dict(
            os.environ,
            DATABASE_URL=f"sqlite:///{tmp}/b.db",
            LOKET_MODEL_DIR=f"{tmp}/models",
            LOKET_SERVICE_TOKEN=token,
            LOKET_ORG_FILE=str(ROOT / "org" / "de-delta.yaml"),
        )
        for step in (["db", "upgrade"], ["router", "train"]):
            subprocess.run([*loket, *step], env=env, cwd=ROOT, check=True, capture_output=True)
        script = Path(tmp) / "route.lua"
        script.write_text(_wrk_script(token), encoding="utf-8")
        server = subprocess.Popen(
            [*loket, "serve", "--port", str(port)], env=env, cwd=ROOT, stderr=subprocess.DEVNULL
        )
        try:
            _wait_for(port)
            _wrk(port, script, 3, args.concurrency)  # warm-up
            requests, micros, p50, p95, p99, bad_status, failed = _wrk(
                port, script, args.seconds, args.concurrency
            )
        finally:
            server.terminate()
            server.wait()
    print(
        f"POST /api/route, {args.concurrency} concurrent for {args.seconds} s (wrk): "
        f"{requests} requests, {requests / (micros / 1e6):.0f} requests/s, "
        f"median {p50 / 1000:.1f} ms, p95 {p95 / 1000:.1f} ms, p99 {p99 / 1000:.1f} ms, "
        f"{bad_status} non-2xx, {failed} socket errors"
    )
    if bad_status or failed:
        sys.exit("some requests failed")


if __name__ == "__main__":
    main()
