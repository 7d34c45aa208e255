"""Benchmark (not a test): time of one bot turn over the REST channel, with the real stack.

    .venv/bin/python -m bench.bot_turns [--conversations 30] [--concurrency 20] [--train]

Each conversation reports an incident in four turns (report, how many people, how urgent,
"ja"); every turn runs a custom action that calls the router service, and the last one
creates the ticket (a database write). The goal (issue 12, DECISIONS "Assistant"): p95 over
every turn of the whole ticket conversation, sequential, under 150 ms. Prints p50 and p95
over every turn and per turn, sequentially and with `--concurrency` conversations at once
(0: sequential only), and with --train the Rasa training time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from router.store.migrate import upgrade
from tests.e2e.stack import BOT_BIN, ROOT, Stack

TURNS = ("Key2Burgerzaken loopt vast bij het opslaan", "alleen ik", "het kan wachten", "ja")


def turn(stack: Stack, sender: str, message: str, email: str) -> float:
    body = json.dumps({"sender": sender, "message": message, "metadata": {"email": email}})
    request = urllib.request.Request(
        stack.webhook, data=body.encode(), headers={"Content-Type": "application/json"}
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback
        replies = json.load(response)
    elapsed = time.perf_counter() - started
    if not replies:
        raise RuntimeError(f"no answer to {message!r}")
    return elapsed


def conversation(stack: Stack, number: int, tag: str) -> tuple[list[float], float]:
    sender, email = f"bench-{tag}-{number}", f"bench{number}@dijkstede.nl"
    times = [turn(stack, sender, message, email) for message in TURNS]
    return times, times[-1]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _line(label: str, values: list[float]) -> str:
    return (f"  {label:<34} p50 {statistics.median(values) * 1000:6.0f} ms   "
            f"p95 {percentile(values, 0.95) * 1000:6.0f} ms")


def report(name: str, results: list[tuple[list[float], float]], wall: float) -> None:
    turns = [t for times, _ in results for t in times]
    print(f"{name}: {len(turns)} turns in {wall:.1f} s ({len(turns) / wall:.1f} turns/s)")
    print(_line("every turn (goal: p95 < 150 ms)", turns))
    for index, message in enumerate(TURNS):
        label = f"turn {index + 1} {message[:22]!r}"
        if index == len(TURNS) - 1:
            label += " (ticket)"
        print(_line(label, [times[index] for times, _ in results]))


def training_seconds() -> float:
    with tempfile.TemporaryDirectory() as out:
        started = time.monotonic()
        subprocess.run(  # noqa: S603 - our own command
            [
                str(BOT_BIN / "rasa"),
                "train",
                "--config",
                "bot/config.yml",
                "--domain",
                "bot/domain.yml",
                "--data",
                "data",
                "--out",
                out,
                "--force",
            ],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={"RASA_TELEMETRY_ENABLED": "false", "PATH": "/usr/bin:/bin"},
        )
        return time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description="Time bot turns over the REST channel")
    parser.add_argument("--conversations", type=int, default=30)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--train", action="store_true", help="also time a full Rasa training")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        database_url = f"sqlite:///{workdir / 'bench.db'}"
        upgrade(database_url)
        stack = Stack(workdir=workdir, database_url=database_url)
        try:
            stack.start()
            conversation(stack, -1, "warmup")
            started = time.perf_counter()
            sequential = [conversation(stack, n, "seq") for n in range(args.conversations)]
            report("sequential", sequential, time.perf_counter() - started)
            if args.concurrency > 0:
                total = max(args.conversations, args.concurrency * 2)
                started = time.perf_counter()
                with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
                    parallel = list(pool.map(lambda n: conversation(stack, n, "par"), range(total)))
                report(f"{args.concurrency} concurrent conversations", parallel,
                       time.perf_counter() - started)  # fmt: skip
        finally:
            stack.stop()
    if args.train:
        print(f"rasa train (full, --force): {training_seconds():.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
