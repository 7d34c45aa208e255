"""Local stand-ins for a supplier's systems: a webhook that checks Loket's signature, and a
TOPdesk incident API following TOPdesk's documented shapes (`POST /tapi/incidents` with Basic
auth `login:application-password`, a JSON incident with `caller` or `callerLookup`,
`briefDescription` (80 characters at most), `request`, `externalNumber`; the answer 201 with
the incident's `id` and `number`; `GET /tapi/incidents?query=<FIQL>&fields=...` a JSON list,
or 204 No Content when nothing matches).

Each runs an aiohttp server on loopback in a thread of its own. `down` answers 503 (the
supplier away for a while).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import itertools
import json
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


class _Server:
    port: int = 0

    def routes(self, app: web.Application) -> None:
        raise NotImplementedError

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        ready = threading.Event()

        def serve() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            app = web.Application()
            self.routes(app)
            runner = web.AppRunner(app, access_log=None)
            loop.run_until_complete(runner.setup())
            site = web.TCPSite(runner, "127.0.0.1", self.port)
            loop.run_until_complete(site.start())
            self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            ready.set()
            loop.run_forever()
            loop.run_until_complete(runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=serve, daemon=True)
        self._thread.start()
        assert ready.wait(10)
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


@dataclass
class FakeSupplierWebhook(_Server):
    """A supplier's webhook: refuses a wrong signature (401), drops a repeated
    Idempotency-Key (answers 200 with the reference it gave the first time)."""

    secret: str = "webhook-secret-of-pinkroccade-0123"
    down: bool = False
    status: int = 200  # what a delivery that is not down is answered with
    # Called once the supplier has taken a delivery, before it answers (then cleared).
    on_taken: Callable[[], None] | None = None
    tickets: dict = field(default_factory=dict)  # Idempotency-Key -> (payload, their reference)
    requests: list = field(default_factory=list)  # (headers, body) of every request
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _numbers: Any = field(default_factory=lambda: itertools.count(1))

    @property
    def url(self) -> str:
        return f"{self.base_url}/loket/meldingen"

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/loket/meldingen", self._handle)

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        with self._lock:
            self.requests.append((dict(request.headers), body))
        if self.down:
            return web.json_response({"error": "onderhoud"}, status=503)
        timestamp = request.headers.get("X-Loket-Timestamp", "")
        expected = hmac.new(
            self.secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
        ).hexdigest()
        if request.headers.get("X-Loket-Signature") != f"sha256={expected}":
            return web.json_response({"error": "bad signature"}, status=401)
        if self.status != 200:
            return web.json_response({"error": "refused"}, status=self.status)
        key = request.headers["Idempotency-Key"]
        with self._lock:
            if key not in self.tickets:
                self.tickets[key] = (json.loads(body), f"PR-{next(self._numbers):05d}")
            reference = self.tickets[key][1]
            taken, self.on_taken = self.on_taken, None
        if taken is not None:
            taken()
        return web.json_response({"supplier_reference": reference})


@dataclass
class FakeTopdesk(_Server):
    username: str = "loket-dedelta"
    password: str = "topdesk-app-password-0123456789"
    down: bool = False
    lose_answers: bool = False  # make the incident, then fail (the answer lost on its way)
    incidents: list = field(default_factory=list)
    calls: list = field(default_factory=list)  # (method, path, query)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _numbers: Any = field(default_factory=lambda: itertools.count(1))

    def routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/tapi/incidents", self._incidents)

    def _authorised(self, request: web.Request) -> bool:
        expected = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        return request.headers.get("Authorization") == f"Basic {expected}"

    async def _incidents(self, request: web.Request) -> web.Response:
        with self._lock:
            self.calls.append((request.method, request.path, dict(request.query)))
        if self.down:
            return web.json_response({"message": "Service unavailable"}, status=503)
        if not self._authorised(request):
            return web.json_response({"message": "Not authorized"}, status=401)
        if request.method == "GET":
            return self._query(request)
        if request.method != "POST":
            return web.json_response({"message": "Method not allowed"}, status=405)
        data = await request.json()
        errors = []
        if not (data.get("caller") or data.get("callerLookup")):
            errors.append("caller or callerLookup is required")
        if len(data.get("briefDescription", "")) > 80:
            errors.append("briefDescription is longer than 80 characters")
        if errors:
            return web.json_response([{"message": e} for e in errors], status=400)
        number = f"I 2611 {next(self._numbers):03d}"
        incident = dict(data, id=str(uuid.uuid4()), number=number)
        with self._lock:
            self.incidents.append(incident)
        if self.lose_answers:
            return web.json_response({"message": "Bad gateway"}, status=502)
        return web.json_response(incident, status=201)

    def _query(self, request: web.Request) -> web.Response:
        wanted = re.fullmatch(r'externalNumber=="(.*)"', request.query.get("query", ""))
        with self._lock:
            found = [i for i in self.incidents if wanted and i.get("externalNumber") == wanted[1]]
        if not found:
            return web.Response(status=204)
        fields = request.query.get("fields")
        if fields:
            found = [{k: i[k] for k in fields.split(",") if k in i} for i in found]
        return web.json_response(found)
