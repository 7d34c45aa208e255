"""The few router-service calls a chat channel makes itself (not through an action): who a
chat account is linked to, and whether an update was already handled. Same API and scoped
token (LOKET_ASSISTANT_TOKEN) as the action server's client; bot/ never imports router/."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp


class RouterLinkError(Exception):
    """The router service did not answer usefully."""


@dataclass(frozen=True)
class RouterLink:
    base_url: str
    token: str
    channel: str = "telegram"
    timeout_seconds: float = 5.0

    async def _call(self, method: str, path: str, body: dict | None = None) -> tuple:
        timeout = aiohttp.ClientTimeout(total=self.timeout_seconds)
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout, headers=headers) as session,
                session.request(method, self.base_url + path, json=body) as response,
            ):
                payload = await response.json(content_type=None)
                return response.status, payload
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            raise RouterLinkError(f"{method} {path}: {type(exc).__name__}") from exc

    async def linked(self, sender_id: str) -> dict[str, Any]:
        """`{"linked": bool, "email": ..., "municipality": ...}` for a chat account."""
        path = f"/api/links/{self.channel}/{quote(sender_id, safe='')}"
        status, payload = await self._call("GET", path)
        if status != 200 or not isinstance(payload, dict):
            raise RouterLinkError(f"GET links answered {status}")
        return payload

    async def catalogue(self) -> dict[str, Any]:
        """The organisation's catalogue (municipalities with their Teams tenants, ...)."""
        status, payload = await self._call("GET", "/api/catalogue")
        if status != 200 or not isinstance(payload, dict):
            raise RouterLinkError(f"GET catalogue answered {status}")
        return payload

    async def claim_update(self, update_id: int | str) -> bool:
        """True the first time this update is seen (by any Rasa process)."""
        body = {"channel": self.channel, "update_id": str(update_id)}
        status, _ = await self._call("POST", "/api/channel-updates", body)
        if status not in (200, 201):
            raise RouterLinkError(f"POST channel-updates answered {status}")
        return status == 201

    async def release_update(self, update_id: int | str) -> None:
        await self._call("DELETE", f"/api/channel-updates/{self.channel}/{update_id}")
