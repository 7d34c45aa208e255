"""Latency of POST /api/route on the real service with 50 concurrent clients.

Starts `loket serve` on a free loopback port with a day-one model, then sends requests.
Usage: .venv/bin/python bench/route_api.py [--requests 3000] [--concurrency 50]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
TEXTS = [
    ("het beeld blijft zwart na aansluiten op het dock", "DYK"),
    ("ibz hangt bij het afronden van een verhuizing", "PLW"),
    ("kunnen jullie een rapportage maken van het aantal meldingen", "VHN"),
    ("mijn salarisstrook staat niet in youforse", "HRD"),
]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _load(url: str, token: str, total: int, concurrency: int) -> list[float]:
    timings: list[float] = []
    queue = iter(range(total))
    headers = {"Authorization": f"Bearer {token}"}

    async def worker(session: aiohttp.ClientSession) -> None:
        for i in queue:
            text, muni = TEXTS[i % len(TEXTS)]
            start = time.perf_counter()
            async with session.post(
                url, json={"text": text, "municipality": muni}, headers=headers
            ) as r:
                await r.read()
                assert r.status == 200, r.status
            timings.append((time.perf_counter() - start) * 1000)

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()
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
        server = subprocess.Popen(
            [*loket, "serve", "--port", str(port)], env=env, cwd=ROOT, stderr=subprocess.DEVNULL
        )
        try:
            url = f"http://127.0.0.1:{port}/api/route"
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            asyncio.run(_load(url, token, 200, 10))  # warm-up
            started = time.perf_counter()
            timings = asyncio.run(_load(url, token, args.requests, args.concurrency))
            elapsed = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait()
    timings.sort()
    p95 = timings[int(0.95 * len(timings)) - 1]
    print(
        f"POST /api/route, {args.requests} requests, {args.concurrency} concurrent: "
        f"median {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms, "
        f"{args.requests / elapsed:.0f} requests/s"
    )


if __name__ == "__main__":
    main()
