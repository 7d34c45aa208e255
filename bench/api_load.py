"""Throughput and latency of the router API under load: POST /api/tickets and POST /api/route,
on SQLite and on PostgreSQL.

For each database: a fresh store (SQLite: a new file; PostgreSQL: a new schema in the test
database, dropped after), `loket db upgrade`, the day-one model, `loket serve` (one worker per
core) on a free loopback port, then wrk (C, so the load takes little of the cores from the
service) with `--concurrency` connections each sending its next request as soon as the answer
arrives. Create-ticket sends every request with its own Idempotency-Key (each one a new
ticket), reporters and texts from bench/data/routing_nl.jsonl; route sends those texts.

PostgreSQL: LOKET_TEST_POSTGRES_URL, else the server on 127.0.0.1:5432, else a throwaway server
(scripts/test_services.py). Nothing leaves this machine.

Usage: .venv/bin/python bench/api_load.py [--seconds 10] [--concurrency 50] [--only sqlite]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.test_services import postgres  # noqa: E402 - after the project's root is on the path

TEXTS = ROOT / "bench" / "data" / "routing_nl.jsonl"
DOMAINS = {"DYK": "dijkstede.nl", "VHN": "vlietheuvel.nl", "PLW": "polderwaard.nl"}

WRK_SCRIPT = """
local bodies = {%(bodies)s}
local path = "%(path)s"
local prefix = "%(prefix)s"
local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer %(token)s"}
local n = 0
request = function()
  n = n + 1
  if prefix ~= "" then headers["Idempotency-Key"] = prefix .. n end
  return wrk.format("POST", path, headers, bodies[(n %% #bodies) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %%d %%d %%d %%d %%d %%d %%d\\n", summary.requests,
    summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass(frozen=True)
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int

    def line(self, database: str, endpoint: str) -> str:
        return (
            f"{database:<10} {endpoint:<18} {self.requests / self.seconds:>7.0f} requests/s  "
            f"p50 {self.p50_ms:6.1f} ms  p95 {self.p95_ms:6.1f} ms  p99 {self.p99_ms:6.1f} ms  "
            f"({self.requests} requests, {self.non_2xx} non-2xx, {self.socket_errors} socket errors)"
        )


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cases() -> list[dict]:
    return [json.loads(line) for line in TEXTS.read_text(encoding="utf-8").splitlines()]


def _route_body(case: dict, _n: int) -> dict:
    return {"text": case["text"], "municipality": case["municipality"]}


def _ticket_body(case: dict, n: int) -> dict:
    who = f"bench.{n % 40}@{DOMAINS.get(case['municipality'], 'dijkstede.nl')}"
    reporter = {"channel": "rest", "sender_id": who, "email": who}
    return {"reporter": reporter, "municipality": case["municipality"],
            "title": case["text"][:80], "description": case["text"]}  # fmt: skip


def _script(path: str, body, token: str, keyed: bool) -> str:
    bodies = [json.dumps(body(case, n), ensure_ascii=False) for n, case in enumerate(_cases())]
    return WRK_SCRIPT % {
        "bodies": ", ".join("[==[" + b + "]==]" for b in bodies),
        "path": path,
        "prefix": f"bench-{uuid.uuid4().hex[:12]}-" if keyed else "",
        "token": token,
    }


def _wrk(port: int, script: Path, seconds: int, concurrency: int) -> Result:
    run = subprocess.run(
        ["wrk", "-t1", f"-c{concurrency}", f"-d{seconds}s", "--timeout", "15s", "-s", str(script),
         f"http://127.0.0.1:{port}/"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    line = next(x for x in run.stdout.splitlines() if x.startswith("RESULT "))
    requests, micros, p50, p95, p99, bad, failed = (int(x) for x in line.split()[1:])
    return Result(requests, micros / 1e6, p50 / 1000, p95 / 1000, p99 / 1000, bad, failed)


@contextlib.contextmanager
def _fresh_postgres_schema() -> Iterator[str]:
    from sqlalchemy import create_engine, text

    with postgres() as url:
        schema = f"bench_{uuid.uuid4().hex[:12]}"
        admin = create_engine(url)
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        try:
            yield f"{url}?options=-csearch_path%3D{schema}"
        finally:
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            admin.dispose()


@contextlib.contextmanager
def _database(kind: str, tmp: str) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp}/bench.db"
    else:
        with _fresh_postgres_schema() as url:
            yield url


def _stored_tickets(url: str) -> int:
    from sqlalchemy import text

    from router.store.engine import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM ticket")).scalar_one())
    finally:
        engine.dispose()


def _wait_for(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit("the service did not start")


def bench_database(kind: str, seconds: int, concurrency: int) -> list[str]:
    loket = [sys.executable, "-m", "router.cli"]
    lines = []
    with tempfile.TemporaryDirectory() as tmp, _database(kind, tmp) as url:
        port, token = _port(), secrets.token_urlsafe(24)
        env = dict(
            os.environ,
            DATABASE_URL=url,
            LOKET_MODEL_DIR=f"{tmp}/models",
            LOKET_SERVICE_TOKEN=token,
            LOKET_ORG_FILE=str(ROOT / "org" / "de-delta.yaml"),
        )
        for step in (["db", "upgrade"], ["router", "train"]):
            subprocess.run([*loket, *step], env=env, cwd=ROOT, check=True, capture_output=True)
        server = subprocess.Popen(
            [*loket, "serve", "--port", str(port)], env=env, cwd=ROOT, stderr=subprocess.DEVNULL
        )
        try:
            _wait_for(port, server)
            cases = (
                ("POST /api/tickets", "/api/tickets", _ticket_body, True),
                ("POST /api/route", "/api/route", _route_body, False),
            )
            for name, path, body, keyed in cases:
                script = Path(tmp) / "load.lua"
                script.write_text(_script(path, body, token, keyed), encoding="utf-8")
                _wrk(port, script, 3, concurrency)  # warm-up
                script.write_text(_script(path, body, token, keyed), encoding="utf-8")  # new keys
                result = _wrk(port, script, seconds, concurrency)
                lines.append(result.line("SQLite" if kind == "sqlite" else "PostgreSQL", name))
                print(lines[-1], flush=True)
        finally:
            server.terminate()
            server.wait()
        print(f"{'':<10} tickets stored: {_stored_tickets(url)}", flush=True)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk (make bench does this)")
    print(f"{args.concurrency} concurrent connections, {args.seconds} s per case (wrk), "
          f"{os.cpu_count()} cores, `loket serve` with one worker per core")  # fmt: skip
    failed = False
    for kind in [args.only] if args.only else ["sqlite", "postgresql"]:
        lines = bench_database(kind, args.seconds, args.concurrency)
        failed = failed or any(" 0 non-2xx, 0 socket" not in line for line in lines)
    if failed:
        sys.exit("some requests failed")


if __name__ == "__main__":
    main()
