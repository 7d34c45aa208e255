"""Failed sign-ins, counted per username and address and per address, over a sliding window.

`SignInLimiter` counts in this process. With several worker processes (`LOKET_WORKERS`) or
hosts each would count on its own, multiplying an attacker's budget; `RedisSignInLimiter`
counts in Redis (`LOKET_REDIS_URL`), shared by all of them. If Redis cannot be reached it
logs that and counts in-process instead, so signing in keeps working and stays limited.
Keys are hashes: no usernames or addresses are stored in Redis.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

import redis.asyncio as aioredis
import structlog
from redis.exceptions import RedisError

log = structlog.get_logger()

PER_ACCOUNT = 5
PER_ADDRESS = 20
WINDOW_SECONDS = 15 * 60


def _keys(address: str, username: str) -> tuple[str, str]:
    return f"a:{address}|{username.lower()}", f"ip:{address}"


class Limiter(Protocol):
    async def blocked(self, address: str, username: str) -> bool: ...
    async def failed(self, address: str, username: str) -> None: ...
    async def succeeded(self, address: str, username: str) -> None: ...


class SignInLimiter:
    def __init__(
        self,
        *,
        per_account: int = PER_ACCOUNT,
        per_address: int = PER_ADDRESS,
        window_seconds: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_account = per_account
        self.per_address = per_address
        self.window = window_seconds
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, key: str) -> deque[float]:
        stamps = self._failures.get(key)
        if stamps is None:
            return deque()
        cutoff = self.clock() - self.window
        while stamps and stamps[0] <= cutoff:
            stamps.popleft()
        if not stamps:
            del self._failures[key]
        return stamps

    async def blocked(self, address: str, username: str) -> bool:
        account, by_address = _keys(address, username)
        return (
            len(self._recent(account)) >= self.per_account
            or len(self._recent(by_address)) >= self.per_address
        )

    async def failed(self, address: str, username: str) -> None:
        now = self.clock()
        for key in _keys(address, username):
            self._failures.setdefault(key, deque()).append(now)
        if len(self._failures) > 100_000:  # a flood of names: forget the oldest keys
            for key in list(self._failures)[:50_000]:
                del self._failures[key]

    async def succeeded(self, address: str, username: str) -> None:
        self._failures.pop(_keys(address, username)[0], None)


class RedisSignInLimiter:
    """The same limits, counted in Redis sorted sets (one member per failure, scored by time)."""

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "loket:signin:",
        per_account: int = PER_ACCOUNT,
        per_address: int = PER_ADDRESS,
        window_seconds: float = WINDOW_SECONDS,
    ) -> None:
        self.redis = aioredis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
        self.prefix = prefix
        self.per_account = per_account
        self.per_address = per_address
        self.window = window_seconds
        self.local = SignInLimiter(
            per_account=per_account, per_address=per_address, window_seconds=window_seconds
        )

    def _key(self, name: str) -> str:
        return self.prefix + hashlib.sha256(name.encode()).hexdigest()[:32]

    async def blocked(self, address: str, username: str) -> bool:
        account, by_address = (self._key(k) for k in _keys(address, username))
        cutoff = time.time() - self.window
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for key in (account, by_address):
                    pipe.zremrangebyscore(key, 0, cutoff)
                    pipe.zcard(key)
                _, on_account, _, on_address = await pipe.execute()
        except RedisError as exc:
            log.error("router.workspace.limiter_unavailable", error=type(exc).__name__)
            return await self.local.blocked(address, username)
        return on_account >= self.per_account or on_address >= self.per_address

    async def failed(self, address: str, username: str) -> None:
        now = time.time()
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for key in (self._key(k) for k in _keys(address, username)):
                    pipe.zadd(key, {f"{now}:{secrets.token_hex(4)}": now})
                    pipe.expire(key, int(self.window) + 1)
                await pipe.execute()
        except RedisError as exc:
            log.error("router.workspace.limiter_unavailable", error=type(exc).__name__)
            await self.local.failed(address, username)

    async def succeeded(self, address: str, username: str) -> None:
        await self.local.succeeded(address, username)
        try:
            await self.redis.delete(self._key(_keys(address, username)[0]))
        except RedisError as exc:
            log.error("router.workspace.limiter_unavailable", error=type(exc).__name__)

    async def close(self) -> None:
        await self.redis.aclose()
