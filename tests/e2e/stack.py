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
# The Telegram channel reads them from the environment (empty: the channel is off).
TELEGRAM_VARIABLES = ("LOKET_TELEGRAM_TOKEN", "LOKET_TELEGRAM_SECRET", "LOKET_TELEGRAM_MODE",
                      "LOKET_TELEGRAM_API_URL", "LOKET_TELEGRAM_WEBHOOK_URL")
# The Teams channel's (bot/channels/teams.py; empty app id: the channel is off).
TEAMS_VARIABLES = ("LOKET_TEAMS_APP_ID", "LOKET_TEAMS_APP_PASSWORD", "LOKET_TEAMS_OPENID_URL",
                   "LOKET_TEAMS_TOKEN_URL")
# Set per process below; never inherited from the environment the tests run in.
STACK_VARIABLES = frozenset((
    "LOKET_SERVICE_TOKEN", "LOKET_ASSISTANT_TOKEN", "LOKET_ACTION_TOKEN", "LOKET_RASA_TOKEN",
    "LOKET_TRUST_REST_EMAIL", "LOKET_ROUTER_URL", "ACTION_ENDPOINT_URL",
    *TELEGRAM_VARIABLES, *TEAMS_VARIABLES,
))


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
    """The three processes as `make run` starts them (Procfile), each with only its secrets:
    the router the service and assistant tokens, the action server the assistant token and
    the action token, Rasa the action token and the token of its HTTP API."""

    workdir: Path
    database_url: str
    service_token: str = "e2e-service-token-0123456789"
    assistant_token: str = "e2e-assistant-token-0123456789"
    action_token: str = "e2e-action-token-0123456789"
    rasa_token: str = "e2e-rasa-token-0123456789"
    trust_rest_email: bool = True
    ports: dict[str, int] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    logs: list = field(default_factory=list)
    # More environment per process ("router", "actions", "rasa"), e.g. SMTP or Telegram.
    extra_env: dict = field(default_factory=dict)
    # bot/endpoints.shared.yml for several Rasa servers sharing conversations (issue 17).
    endpoints: str = "bot/endpoints.yml"

    @property
    def webhook(self) -> str:
        return f"http://127.0.0.1:{self.ports['rasa']}/webhooks/rest/webhook"

    @property
    def token(self) -> str:
        """The administration token the router accepts (tests seed tickets with it)."""
        return self._env("router")["LOKET_SERVICE_TOKEN"]

    def _env(self, name: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("VIRTUAL_ENV", "PYTHON")) and k not in STACK_VARIABLES}
        env["RASA_TELEMETRY_ENABLED"] = "false"
        if name == "router":
            env.update(
                LOKET_SERVICE_TOKEN=self.service_token,
                LOKET_ASSISTANT_TOKEN=self.assistant_token,
                DATABASE_URL=self.database_url,
                LOKET_ORG_FILE=str(ROOT / "org" / "de-delta.yaml"),
            )
        elif name == "actions":
            env.update(
                LOKET_ACTION_TOKEN=self.action_token,
                LOKET_ASSISTANT_TOKEN=self.assistant_token,
                LOKET_ROUTER_URL=f"http://127.0.0.1:{self.ports['router']}",
                LOKET_TRUST_REST_EMAIL="true" if self.trust_rest_email else "false",
            )
        else:
            env.update(
                LOKET_RASA_TOKEN=self.rasa_token,
                LOKET_ACTION_TOKEN=self.action_token,
                ACTION_ENDPOINT_URL=f"http://127.0.0.1:{self.ports['actions']}/webhook",
                LOKET_ROUTER_URL=f"http://127.0.0.1:{self.ports['router']}",
                LOKET_ASSISTANT_TOKEN=self.assistant_token,
                LOKET_TRUST_REST_EMAIL="true" if self.trust_rest_email else "false",
                **dict.fromkeys(TELEGRAM_VARIABLES, ""),
                **dict.fromkeys(TEAMS_VARIABLES, ""),
            )
        env.update(self.extra_env.get(name, {}))
        return env

    def _start(self, name: str) -> None:
        p = self.ports
        command = {
            "router": [sys.executable, "-m", "router.cli", "serve", "--port", str(p["router"])],
            "actions": [str(BOT_BIN / "python"), "-m", "actions.server", "--host", "127.0.0.1",
                        "--port", str(p["actions"])],
            "rasa": [str(BOT_BIN / "python"), "-m", "bot.rasa_server", "run", "--enable-api",
                     "--interface", "127.0.0.1", "--port", str(p["rasa"]), "--model", str(MODEL),
                     "--credentials", "bot/credentials.yml", "--endpoints", self.endpoints],
        }[name]
        log = (self.workdir / f"{name}.log").open("a")
        self.logs.append(log)
        self.processes[name] = subprocess.Popen(  # noqa: S603 - our own commands
            command, cwd=ROOT, env=self._env(name), stdout=log, stderr=subprocess.STDOUT
        )

    def _checks(self, names) -> dict[str, str]:
        p = self.ports
        urls = {
            "router": f"http://127.0.0.1:{p['router']}/api/health",
            "actions": f"http://127.0.0.1:{p['actions']}/health",
            "rasa": f"http://127.0.0.1:{p['rasa']}/",  # up once the model is loaded
        }
        return {name: urls[name] for name in names}

    def _wait(self, names, timeout: float) -> None:
        checks = self._checks(names)
        deadline = time.monotonic() + timeout
        while checks and time.monotonic() < deadline:
            for name, proc in self.processes.items():
                if proc.poll() is not None:
                    raise RuntimeError(f"{name} exited early:\n{self.log(name)}")
            checks = {name: url for name, url in checks.items() if not _up(url)}
            time.sleep(0.3)
        if checks:
            raise RuntimeError(f"not ready after {timeout}s: {', '.join(checks)}")

    def start(self, timeout: float = 240) -> None:
        self.launch()
        self.wait_ready(timeout)

    def launch(self) -> None:
        """Start the three processes without waiting (several stacks can load at once)."""
        self.ports = {name: free_port() for name in ("router", "actions", "rasa")}
        for name in ("router", "actions", "rasa"):
            self._start(name)

    def wait_ready(self, timeout: float = 240) -> None:
        self._wait(("router", "actions", "rasa"), timeout)

    def stop_one(self, name: str) -> None:
        """Stop one process (the others keep running), e.g. the router for an outage."""
        proc = self.processes.pop(name)
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def start_one(self, name: str, timeout: float = 60) -> None:
        """Start one process again, on its old port, with the stack's current settings."""
        self._start(name)
        self._wait((name,), timeout)

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
    return say_to(stack.webhook, sender, message, email)


def say_to(webhook: str, sender: str, message: str, email: str | None = None) -> str:
    """`say` to the REST webhook at `webhook` (a Rasa server, or a balancer in front)."""
    body: dict = {"sender": sender, "message": message}
    if email:
        body["metadata"] = {"email": email}
    request = urllib.request.Request(webhook, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
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
