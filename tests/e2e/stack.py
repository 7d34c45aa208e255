"""Start the real stack on free loopback ports: router service, action server, Rasa server."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BOT_BIN = ROOT / "bot" / ".venv" / "bin"
MODEL = ROOT / "models" / "loket.tar.gz"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _up(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback test URL
            return response.status == 200
    except OSError:
        return False


@dataclass
class Stack:
    workdir: Path
    database_url: str
    token: str = "e2e-service-token-0123456789"
    ports: dict[str, int] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    logs: list = field(default_factory=list)

    @property
    def webhook(self) -> str:
        return f"http://127.0.0.1:{self.ports['rasa']}/webhooks/rest/webhook"

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON"))}
        env.update(
            RASA_TELEMETRY_ENABLED="false",
            LOKET_SERVICE_TOKEN=self.token,
            DATABASE_URL=self.database_url,
            LOKET_ORG_FILE=str(ROOT / "org" / "de-delta.yaml"),
            LOKET_ROUTER_URL=f"http://127.0.0.1:{self.ports['router']}",
            ACTION_ENDPOINT_URL=f"http://127.0.0.1:{self.ports['actions']}/webhook",
        )
        return env

    def _start(self, name: str, command: list[str]) -> None:
        log = (self.workdir / f"{name}.log").open("w")
        self.logs.append(log)
        self.processes[name] = subprocess.Popen(  # noqa: S603 - our own commands
            command, cwd=ROOT, env=self._env(), stdout=log, stderr=subprocess.STDOUT
        )

    def start(self, timeout: float = 240) -> None:
        self.ports = {name: free_port() for name in ("router", "actions", "rasa")}
        p = self.ports
        self._start(
            "router", [sys.executable, "-m", "router.cli", "serve", "--port", str(p["router"])]
        )
        self._start(
            "actions",
            [
                str(BOT_BIN / "rasa"),
                "run",
                "actions",
                "--actions",
                "actions",
                "--port",
                str(p["actions"]),
            ],
        )
        self._start(
            "rasa",
            [
                str(BOT_BIN / "rasa"),
                "run",
                "--interface",
                "127.0.0.1",
                "--port",
                str(p["rasa"]),
                "--model",
                str(MODEL),
                "--credentials",
                "bot/credentials.yml",
                "--endpoints",
                "bot/endpoints.yml",
            ],
        )
        checks = {
            "router": f"http://127.0.0.1:{p['router']}/api/health",
            "actions": f"http://127.0.0.1:{p['actions']}/health",
            "rasa": f"http://127.0.0.1:{p['rasa']}/webhooks/rest/",
        }
        deadline = time.monotonic() + timeout
        while checks and time.monotonic() < deadline:
            for name, proc in self.processes.items():
                if proc.poll() is not None:
                    raise RuntimeError(f"{name} exited early:\n{self.log(name)}")
            checks = {name: url for name, url in checks.items() if not _up(url)}
            time.sleep(0.5)
        if checks:
            raise RuntimeError(f"not ready after {timeout}s: {', '.join(checks)}")

    def log(self, name: str) -> str:
        return (self.workdir / f"{name}.log").read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        for proc in self.processes.values():
            proc.terminate()
        for proc in self.processes.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for log in self.logs:
            log.close()


def say(stack: Stack, sender: str, message: str, email: str | None = None) -> str:
    """Send one message over Rasa's REST channel; the bot's texts, one per line."""
    body: dict = {"sender": sender, "message": message}
    if email:
        body["metadata"] = {"email": email}
    request = urllib.request.Request(
        stack.webhook, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback
        return "\n".join(m.get("text", "") for m in json.load(response))


def stored(stack: Stack, reference: str):
    """The ticket and its reporter, read from the store the stack writes to."""
    from sqlmodel import Session

    from router.store import tickets as store
    from router.store.engine import make_engine
    from router.store.tables import Employee

    engine = make_engine(stack.database_url)
    try:
        with Session(engine) as session:
            ticket = store.get_ticket(session, reference)
            return ticket, session.get(Employee, ticket.reporter_id)
    finally:
        engine.dispose()
