"""Async client for the Loket router service, the only system the actions talk to.

The router owns tickets and the catalogue of the organisation; this module only speaks its
HTTP API (`/api/tickets`, `/api/my/tickets`, `/api/outages`, `/api/bot-resolutions`,
`/api/catalogue`). It never imports `router/`: the assistant and
the service run in different environments.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp

DEFAULT_ROUTER_URL = "http://127.0.0.1:8080"
DEFAULT_TIMEOUT_SECONDS = 10.0


class RouterError(Exception):
    """The router service could not do what was asked."""


class RouterUnavailable(RouterError):
    """The router did not answer usefully: not reachable, timed out, or a 5xx."""


class RouterRejected(RouterError):
    """The router refused the request (4xx); `message` is its `{"error": ...}` text."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"router answered {status}: {message}")
        self.status = status
        self.message = message


@dataclass(frozen=True)
class RouterClient:
    """Calls the router service with the service token. One short session per call."""

    base_url: str
    token: str
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> RouterClient:
        """Build a client from `LOKET_ROUTER_URL` and `LOKET_SERVICE_TOKEN`."""
        token = environ.get("LOKET_SERVICE_TOKEN", "").strip()
        if not token:
            raise RouterError("LOKET_SERVICE_TOKEN is not set: cannot call the router service")
        base_url = environ.get("LOKET_ROUTER_URL", "").strip() or DEFAULT_ROUTER_URL
        return cls(base_url=base_url.rstrip("/"), token=token)

    async def create_ticket(self, ticket: Mapping[str, Any]) -> dict[str, Any]:
        """`POST /api/tickets`; returns the created ticket (reference, destination...)."""
        return await self._request("POST", "/api/tickets", expected_status=201, body=ticket)

    async def catalogue(self) -> dict[str, Any]:
        """`GET /api/catalogue`: municipalities, teams, suppliers and applications."""
        return await self._request("GET", "/api/catalogue", expected_status=200)

    async def my_tickets(self, who: Mapping[str, str]) -> list[dict[str, Any]]:
        """`GET /api/my/tickets`: the employee's open tickets (`who`: email or channel)."""
        found = await self._request("GET", "/api/my/tickets", expected_status=200, params=who)
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

    async def _request(
        self,
        method: str,
        path: str,
        *,
        expected_status: int,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        timeout = aiohttp.ClientTimeout(total=self.timeout_seconds)
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout, headers=headers) as session,
                session.request(
                    method, self.base_url + path, json=body, params=params
                ) as response,
            ):
                status = response.status
                try:
                    payload = await response.json(content_type=None)
                except ValueError:
                    payload = None
        # Python 3.10 (Rasa's): asyncio.TimeoutError is not yet the builtin TimeoutError.
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise RouterUnavailable(f"{method} {path} failed: {type(exc).__name__}") from exc

        if status == expected_status and isinstance(payload, dict):
            return payload
        if status == expected_status:
            raise RouterUnavailable(f"{method} {path} answered {status} without a JSON object")
        if 400 <= status <= 499:
            message = payload.get("error") if isinstance(payload, dict) else None
            raise RouterRejected(status, str(message or "no error message"))
        raise RouterUnavailable(f"{method} {path} answered {status}")
