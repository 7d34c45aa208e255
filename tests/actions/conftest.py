"""Fixtures for the action tests: a real router service on a free port, and trackers.

The router runs in the service environment (.venv) as a subprocess with a temporary SQLite
database; the actions talk to it over HTTP exactly as in production.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import time
import urllib.request
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from rasa_sdk import Tracker

ROOT = Path(__file__).resolve().parents[2]
LOKET = ROOT / ".venv" / "bin" / "loket"
SERVICE_TOKEN = "action-tests-service-token-0123456789"  # administration: the tests' seeding
ASSISTANT_TOKEN = "action-tests-assistant-token-0123456789"  # what the actions use


@pytest.fixture(autouse=True)
def _trusted_rest_email(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests run with the development setting on (tests of it switch it off)."""
    monkeypatch.setenv("LOKET_TRUST_REST_EMAIL", "true")


@dataclass
class Router:
    url: str
    database: Path
    admin_token: str

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        request = urllib.request.Request(
            self.url + path, method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Content-Type": "application/json",
                     "Authorization": f"Bearer {self.admin_token}"},
        )  # fmt: skip
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
            return json.load(response)

    def rows(self, sql: str, *params: Any) -> list[tuple]:
        with sqlite3.connect(self.database) as db:
            return db.execute(sql, params).fetchall()

    def ticket(self, email: str, title: str, **fields: Any) -> str:
        body = {
            "reporter": {"channel": "rest", "sender_id": f"seed-{email}", "email": email},
            "type": "incident", "application": "Youforce", "title": title,
            "description": title, "impact": "low", "urgency": "medium", **fields,
        }  # fmt: skip
        return self.call("POST", "/api/tickets", body)["reference"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def router(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Router]:
    workdir = tmp_path_factory.mktemp("router")
    database = workdir / "loket.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON"))}
    env.update(
        LOKET_SERVICE_TOKEN=SERVICE_TOKEN,
        LOKET_ASSISTANT_TOKEN=ASSISTANT_TOKEN,
        DATABASE_URL=f"sqlite:///{database}",
        LOKET_ORG_FILE=str(ROOT / "org" / "de-delta.yaml"),
    )
    subprocess.run([str(LOKET), "db", "upgrade"], cwd=ROOT, env=env, check=True,  # noqa: S603
                   capture_output=True)
    port = _free_port()
    log = (workdir / "router.log").open("w")
    process = subprocess.Popen(  # noqa: S603 - our own command
        [str(LOKET), "serve", "--port", str(port)], cwd=ROOT, env=env,
        stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url + "/api/health", timeout=2):  # noqa: S310
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError((workdir / "router.log").read_text()) from None
            time.sleep(0.3)
    # The actions get the assistant's token only, never the administration token.
    names = ("LOKET_ROUTER_URL", "LOKET_ASSISTANT_TOKEN", "LOKET_SERVICE_TOKEN")
    saved = {k: os.environ.get(k) for k in names}
    os.environ.pop("LOKET_SERVICE_TOKEN", None)
    os.environ.update(LOKET_ROUTER_URL=url, LOKET_ASSISTANT_TOKEN=ASSISTANT_TOKEN)
    try:
        yield Router(url=url, database=database, admin_token=env["LOKET_SERVICE_TOKEN"])
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        process.terminate()
        process.wait(timeout=20)
        log.close()


@dataclass
class Tap:
    """A pass-through in front of the real router: records what the actions send, and can
    play an outage (`down = True`: every request gets a 503, as when the router's database
    is gone). The actions talk to `url` instead of the router's."""

    router: Router
    url: str = ""
    down: bool = False
    seen: list[tuple[str, str, dict[str, str], bytes]] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.seen.append((request.method, request.path_qs, dict(request.headers), body))
        if self.down:
            return web.json_response({"error": "database unavailable"}, status=503)
        headers = {k: v for k, v in request.headers.items()
                   if k.lower() not in ("host", "content-length", "transfer-encoding")}
        async with aiohttp.ClientSession() as session, session.request(
            request.method, self.router.url + request.path_qs, data=body, headers=headers,
        ) as answer:  # fmt: skip
            return web.Response(body=await answer.read(), status=answer.status,
                                content_type=answer.content_type)

    def posts(self, path: str) -> list[tuple[dict[str, str], dict]]:
        return [(headers, json.loads(body)) for method, path_qs, headers, body in self.seen
                if method == "POST" and path_qs.split("?")[0] == path]


@pytest.fixture
async def tap(router: Router, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Tap]:
    tapped = Tap(router=router)
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", tapped.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    tapped.url = f"http://127.0.0.1:{port}"
    monkeypatch.setenv("LOKET_ROUTER_URL", tapped.url)
    try:
        yield tapped
    finally:
        await runner.cleanup()


def make_tracker(
    text: str = "",
    *,
    intent: str = "inform",
    entities: list[dict] | None = None,
    slots: dict[str, Any] | None = None,
    email: str | None = None,
    sender: str = "action-test",
    history: list[tuple[str, str]] = (),
    active_loop: str | None = None,
    response_selector: dict | None = None,
    message_id: str | None = None,
    channel: str = "rest",
) -> Tracker:
    """A tracker as Rasa sends it to the action server, built from JSON."""
    metadata = {"email": email} if email else {}
    latest = {
        "text": text, "intent": {"name": intent, "confidence": 0.99},
        "entities": entities or [], "metadata": metadata,
    }  # fmt: skip
    if response_selector:
        latest["response_selector"] = response_selector
    events: list[dict] = [{"event": "action", "name": "action_session_start"},
                          {"event": "session_started", "metadata": metadata}]
    for who, said in history:
        if who == "user":
            events.append({"event": "user", "text": said, "input_channel": channel,
                           "metadata": metadata,
                           "parse_data": {"intent": {"name": "inform"}, "text": said}})
        else:
            events.append({"event": "bot", "text": said})
    events.append({"event": "user", "text": text, "parse_data": latest,
                   "input_channel": channel, "metadata": metadata,
                   "message_id": message_id or uuid.uuid4().hex})  # as Rasa gives every message
    state = {
        "sender_id": sender,
        "slots": {"requested_slot": None, **(slots or {})},
        "latest_message": latest,
        "events": events,
        "paused": False,
        "followup_action": None,
        "active_loop": {"name": active_loop} if active_loop else {},
        "latest_action_name": "action_listen",
    }
    return Tracker.from_dict(state)


def responses(dispatcher) -> list[str]:
    """The response names the action sent, in order."""
    return [m.get("response") for m in dispatcher.messages]
