"""Async client for the Loket router service, the only system the actions talk to.

The router owns tickets and the catalogue of the organisation; this module only speaks its
HTTP API (`/api/tickets`, `/api/my/tickets`, `/api/outages`, `/api/bot-resolutions`,
`/api/catalogue`). It never imports `router/`: the assistant and
the service run in different environments.

It authenticates with the assistant's scoped token `LOKET_ASSISTANT_TOKEN` (create tickets,
read and withdraw the reporter's own, read outages and the catalogue, record bot
resolutions), never with the administration token `LOKET_SERVICE_TOKEN`. Every string it
sends passes `strip_controls` first: C0 control characters other than tab, CR and LF are
dropped (the API refuses them); format characters (RTL marks, zero-width joiners) stay.
"""

from __future__ import annotations

import asyncio
import os
import re
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp

DEFAULT_ROUTER_URL = "http://127.0.0.1:8080"
TOKEN_VARIABLE = "LOKET_ASSISTANT_TOKEN"  # noqa: S105 - a variable name, not a secret
# The client's whole-request timeout; the router's own database timeouts are shorter.
TIMEOUT_VARIABLE = "LOKET_ROUTER_TIMEOUT_SECONDS"
DEFAULT_TIMEOUT_SECONDS = 10.0
IDEMPOTENCY_HEADER = "Idempotency-Key"
_C0_BUT_TAB_CR_LF = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def strip_controls(value: Any) -> Any:
    """`value` with C0 controls (but tab, CR, LF) removed from every string in it."""
    if isinstance(value, str):
        return _C0_BUT_TAB_CR_LF.sub("", value)
    if isinstance(value, Mapping):
        return {key: strip_controls(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [strip_controls(item) for item in value]
    return value


class RouterError(Exception):
    """The router service could not do what was asked."""


class RouterUnavailable(RouterError):
    """The router did not answer usefully: not reachable, timed out, or a 5xx."""


class RouterRejected(RouterError):
    """The router refused the request (4xx); `message` is its `{"error": ...}` text."""

    # Refusals that may pass when the same request comes again a little later.
    RETRYABLE = frozenset((408, 425, 429))

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"router answered {status}: {message}")
        self.status = status
        self.message = message

    @property
    def retryable(self) -> bool:
        return self.status in self.RETRYABLE


# One keep-alive HTTP session per event loop, opened on the first call (never at import) and
# shared by every RouterClient of that loop: a new session per call cost a TCP connection
# per router call on every bot turn. Closed by close_sessions() when the action server stops.
_SESSIONS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, aiohttp.ClientSession] = (
    weakref.WeakKeyDictionary()
)
# A kept-alive connection the router closed meanwhile fails before any answer; the request is
# sent once more on a fresh connection (safe: reads, and tickets carry an Idempotency-Key).
_STALE_CONNECTION = (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError)


def _session() -> aiohttp.ClientSession:
    loop = asyncio.get_running_loop()
    session = _SESSIONS.get(loop)
    if session is None or session.closed:
        session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=50))
        _SESSIONS[loop] = session
    return session


async def close_sessions() -> None:
    """Closes the keep-alive session of the running loop (at the action server's stop)."""
    session = _SESSIONS.pop(asyncio.get_running_loop(), None)
    if session is not None:
        await session.close()


@dataclass(frozen=True)
class RouterClient:
    """Calls the router service with the assistant's token, over a kept-alive session."""

    base_url: str
    token: str
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> RouterClient:
        """Build a client from `LOKET_ROUTER_URL`, `LOKET_ASSISTANT_TOKEN` and
        `LOKET_ROUTER_TIMEOUT_SECONDS`."""
        token = environ.get(TOKEN_VARIABLE, "").strip()
        if not token:
            raise RouterError(f"{TOKEN_VARIABLE} is not set: cannot call the router service")
        base_url = environ.get("LOKET_ROUTER_URL", "").strip() or DEFAULT_ROUTER_URL
        try:
            timeout = float(environ.get(TIMEOUT_VARIABLE, "") or DEFAULT_TIMEOUT_SECONDS)
        except ValueError:
            raise RouterError(f"{TIMEOUT_VARIABLE} is not a number of seconds") from None
        return cls(base_url=base_url.rstrip("/"), token=token, timeout_seconds=timeout)

    async def create_ticket(
        self, ticket: Mapping[str, Any], idempotency_key: str
    ) -> dict[str, Any]:
        """`POST /api/tickets` with an `Idempotency-Key`; returns the ticket (reference,
        destination...). The same key again gives the same ticket: 201 the first time, 200
        after that, both a success here."""
        return await self._request(
            "POST", "/api/tickets", expected_status=(200, 201), body=ticket,
            headers={IDEMPOTENCY_HEADER: idempotency_key},
        )  # fmt: skip

    async def catalogue(self) -> dict[str, Any]:
        """`GET /api/catalogue`: municipalities, teams, suppliers and applications."""
        return await self._request("GET", "/api/catalogue", expected_status=200)

    async def my_tickets(
        self, who: Mapping[str, str], *, finished_too: bool = False
    ) -> list[dict[str, Any]]:
        """`GET /api/my/tickets`: the employee's open tickets (`who`: email or channel), or
        their latest tickets whatever the status (`finished_too`)."""
        params = {**who, "all": "true"} if finished_too else dict(who)
        found = await self._request("GET", "/api/my/tickets", expected_status=200, params=params)
        return list(found.get("tickets") or [])

    async def my_ticket(self, reference: str, who: Mapping[str, str]) -> dict[str, Any]:
        """One of the employee's own tickets; RouterRejected(404) for anyone else's."""
        path = f"/api/my/tickets/{quote(reference)}"
        return await self._request("GET", path, expected_status=200, params=who)

    async def withdraw(
        self, reference: str, who: Mapping[str, str], reason: str | None = None
    ) -> dict[str, Any]:
        """Withdraw an own ticket; RouterRejected(409) when it is already finished."""
        path = f"/api/my/tickets/{quote(reference)}/withdraw"
        body = {**who, "reason": reason} if reason else dict(who)
        return await self._request("POST", path, expected_status=200, body=body)

    async def reopen(self, reference: str, who: Mapping[str, str]) -> dict[str, Any]:
        """Reopen an own resolved ticket; RouterRejected(409) when it is not resolved."""
        path = f"/api/my/tickets/{quote(reference)}/reopen"
        return await self._request("POST", path, expected_status=200, body=dict(who))

    async def outages(
        self, application: str | None = None, municipality: str | None = None
    ) -> list[dict[str, Any]]:
        """`GET /api/outages`: open known outages, optionally for one application/municipality."""
        wanted = (("application", application), ("municipality", municipality))
        params = {k: v for k, v in wanted if v}
        found = await self._request("GET", "/api/outages", expected_status=200, params=params)
        return list(found.get("outages") or [])

    async def record_bot_resolution(
        self, *, topic: str, channel: str, municipality: str | None, helped: bool
    ) -> None:
        """`POST /api/bot-resolutions`: a faq answer, and whether it solved the question."""
        body: dict[str, Any] = {"topic": topic, "channel": channel, "helped": helped}
        if municipality:
            body["municipality"] = municipality
        await self._request("POST", "/api/bot-resolutions", expected_status=201, body=body)

    async def link_start(self, *, channel: str, sender_id: str, email: str) -> dict[str, Any]:
        """`POST /api/links/start`: mail a one-time code to the address; `result` says how
        it went (sent, unknown_domain, invalid_email, rate_limited, blocked, mail_unavailable)."""
        body = {"channel": channel, "sender_id": sender_id, "email": email}
        return await self._request("POST", "/api/links/start", expected_status=200, body=body)

    async def link_confirm(self, *, channel: str, sender_id: str, code: str) -> dict[str, Any]:
        """`POST /api/links/confirm`: `result` linked, wrong_code (tries_left), blocked, no_code."""
        body = {"channel": channel, "sender_id": sender_id, "code": code}
        return await self._request("POST", "/api/links/confirm", expected_status=200, body=body)

    async def _request(
        self,
        method: str,
        path: str,
        *,
        expected_status: int | tuple[int, ...],
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        timeout = aiohttp.ClientTimeout(total=self.timeout_seconds)
        sent_headers = {
            "Authorization": f"Bearer {self.token}", "Accept": "application/json", **(headers or {})
        }  # fmt: skip
        expected = (expected_status,) if isinstance(expected_status, int) else expected_status
        for attempt in (1, 2):
            try:
                status, payload = await self._send(
                    method, path, timeout, sent_headers, body=body, params=params
                )
                break
            except _STALE_CONNECTION as exc:
                if attempt == 2:
                    raise RouterUnavailable(f"{method} {path} failed: {exc.__class__.__name__}") \
                        from exc
            # Python 3.10 (Rasa's): asyncio.TimeoutError is not yet the builtin TimeoutError.
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                raise RouterUnavailable(f"{method} {path} failed: {type(exc).__name__}") from exc

        if status in expected and isinstance(payload, dict):
            return payload
        if status in expected:
            raise RouterUnavailable(f"{method} {path} answered {status} without a JSON object")
        if 400 <= status <= 499:
            message = payload.get("error") if isinstance(payload, dict) else None
            raise RouterRejected(status, str(message or "no error message"))
        raise RouterUnavailable(f"{method} {path} answered {status}")

    async def _send(
        self,
        method: str,
        path: str,
        timeout: aiohttp.ClientTimeout,
        headers: Mapping[str, str],
        *,
        body: Mapping[str, Any] | None,
        params: Mapping[str, str] | None,
    ) -> tuple[int, Any]:
        async with _session().request(
            method, self.base_url + path, json=strip_controls(body),
            params=strip_controls(params), headers=dict(headers), timeout=timeout,
        ) as response:  # fmt: skip
            try:
                payload = await response.json(content_type=None)
            except ValueError:
                payload = None
            return response.status, payload
