"""Benchmark (not a test): many conversations at once through the REST channel (issue 17).

    .venv/bin/python scripts/test_services.py .venv/bin/python -m bench.chat_load \
        [--seconds 120] [--concurrency 100] [--shape single|double|both]

`single`: the stack as `make run` starts it (one router, one action server, one Rasa server;
SQLite store, conversations in memory). `double`: two of each on one PostgreSQL, Rasa sharing
conversations through the masked SQL tracker store and the Redis lock store, behind a
round-robin balancer (tests/e2e/round_robin.py). Each of `--concurrency` clients reports
incidents in four turns for `--seconds`, one conversation after the other. Prints turns per
second, p50/p95/p99 turn latency, errors, tickets created against tickets expected, and each
process's resident memory after the run.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import create_engine, func, select, text
from sqlmodel import Session

from router.store.engine import make_engine
from router.store.migrate import upgrade
from router.store.tables import Ticket
from tests.e2e.round_robin import RoundRobin
from tests.e2e.stack import Stack, say_to

TURNS = ("Key2Burgerzaken loopt vast bij het opslaan", "alleen ik", "het kan wachten", "ja")
POSTGRES = os.environ.get("LOKET_TEST_POSTGRES_URL",
                          "postgresql+psycopg://postgres@127.0.0.1:5432/test")  # fmt: skip
REDIS = os.environ.get("LOKET_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: list[float] = []
        self.errors = 0
        self.filed = 0

    def add(self, elapsed: float | None, filed: bool = False) -> None:
        with self.lock:
            if elapsed is None:
                self.errors += 1
            else:
                self.times.append(elapsed)
            self.filed += filed


def client(webhook: str, number: int, deadline: float, tally: Tally) -> None:
    """Conversations one after the other until the deadline (the last one is finished)."""
    while time.monotonic() < deadline:
        sender = f"load-{number}-{uuid.uuid4().hex[:8]}"
        email = f"load{number}@dijkstede.nl"
        for message in TURNS:
            started = time.perf_counter()
            try:
                answer = say_to(webhook, sender, message, email)
            except OSError:
                tally.add(None)
                break
            tally.add(time.perf_counter() - started, filed=message == "ja" and "M-" in answer)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def tickets(database_url: str) -> int:
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            return int(session.exec(select(func.count()).select_from(Ticket)).one()[0])
    finally:
        engine.dispose()


def run_load(label: str, webhook: str, stacks: list[Stack], database_url: str, args) -> None:
    tally = Tally()
    before = tickets(database_url)
    started = time.monotonic()
    deadline = started + args.seconds
    with ThreadPoolExecutor(args.concurrency) as pool:
        for n in range(args.concurrency):
            pool.submit(client, webhook, n, deadline, tally)
    wall = time.monotonic() - started
    created = tickets(database_url) - before
    times = tally.times or [0.0]
    print(f"\n{label}: {args.concurrency} conversations at once for {args.seconds} s")
    print(f"  turns {len(tally.times)}   {len(tally.times) / wall:.1f} turns/s   "
          f"errors {tally.errors}")
    print(f"  turn latency p50 {percentile(times, 0.5) * 1000:.0f} ms   "
          f"p95 {percentile(times, 0.95) * 1000:.0f} ms   p99 {percentile(times, 0.99) * 1000:.0f} ms")
    print(f"  tickets created {created}, expected {tally.filed} (answers with a reference)")
    for n, stack in enumerate(stacks, 1):
        memory = "   ".join(f"{name} {rss_mb(proc.pid):.0f} MB"
                           for name, proc in stack.processes.items())  # fmt: skip
        print(f"  memory after the run, node {n}: {memory}")


def single(args) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="loket-load-"))
    database_url = f"sqlite:///{workdir / 'loket.db'}"
    upgrade(database_url)
    stack = Stack(workdir=workdir, database_url=database_url)
    stack.start(360)
    try:
        run_load("single machine (SQLite, conversations in memory)", stack.webhook, [stack],
                 database_url, args)  # fmt: skip
    finally:
        stack.stop()


def double(args) -> None:
    schemas = [f"load_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    admin = create_engine(POSTGRES)
    with admin.begin() as conn:
        for schema in schemas:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    database_url = f"{POSTGRES}?options=-csearch_path%3D{schemas[0]}"
    upgrade(database_url)
    plain = urlunsplit(urlsplit(POSTGRES)._replace(scheme="postgresql"))
    rasa_env = {"LOKET_TRACKER_DB_URL": f"{plain}?options=-csearch_path%3D{schemas[1]}",
                "LOKET_REDIS_URL": REDIS}  # fmt: skip
    stacks = [Stack(workdir=Path(tempfile.mkdtemp(prefix=f"loket-node{n}-")),
                    database_url=database_url, endpoints="bot/endpoints.shared.yml",
                    extra_env={"rasa": rasa_env}) for n in (1, 2)]  # fmt: skip
    balancer = RoundRobin([])
    try:
        for stack in stacks:
            stack.launch()
        for stack in stacks:
            stack.wait_ready(360)
        balancer.backends = [f"http://127.0.0.1:{s.ports['rasa']}" for s in stacks]
        balancer.start()
        run_load("two of each (PostgreSQL, shared tracker store, Redis locks)", balancer.webhook,
                 stacks, database_url, args)  # fmt: skip
    finally:
        balancer.stop()
        for stack in stacks:
            stack.stop()
        with admin.begin() as conn:
            for schema in schemas:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--shape", choices=("single", "double", "both"), default="both")
    args = parser.parse_args()
    if args.shape in ("single", "both"):
        single(args)
    if args.shape in ("double", "both"):
        double(args)


if __name__ == "__main__":
    main()
