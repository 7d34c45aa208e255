"""`loket serve` as a subprocess on a free loopback port, for the fault tests: the real
service in its worker processes, on the database a test gives it."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.fixtures import ROOT, SAMPLE_ORG, TEST_TOKEN


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Service:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def workers(self) -> set[int]:
        """The pids of the worker processes (gunicorn restarts one that dies, with a new pid)."""
        tasks = Path(f"/proc/{self.process.pid}/task")
        return {
            int(pid) for task in tasks.iterdir() for pid in (task / "children").read_text().split()
        }

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/api/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@contextlib.contextmanager
def serve(database_url: str, workdir: Path, workers: int = 2) -> Iterator[Service]:
    """The schema migrated, then `loket serve` until the block ends (SIGTERM, then SIGKILL)."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("LOKET_")},
        "DATABASE_URL": database_url,
        "LOKET_SERVICE_TOKEN": TEST_TOKEN,
        "LOKET_ORG_FILE": str(SAMPLE_ORG),
        "LOKET_MODEL_DIR": str(workdir / "models"),
    }
    loket = [sys.executable, "-m", "router.cli"]
    subprocess.run([*loket, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    log, port = workdir / "service.log", free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*loket, "serve", "--port", str(port), "--workers", str(workers)],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    service = Service(f"http://127.0.0.1:{port}", process, log)
    try:
        deadline = time.monotonic() + 60
        while not _answers(service.url):
            assert process.poll() is None, f"loket serve exited:\n{service.output()[-3000:]}"
            assert time.monotonic() < deadline, "loket serve did not answer within 60 s"
            time.sleep(0.2)
        while len(service.workers()) < workers and time.monotonic() < deadline:
            time.sleep(0.2)
        yield service
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
