"""Sign-in attempts, counted per username and address and per address, over a sliding window.

An attempt is *reserved* before the password is verified (argon2 takes ~300 ms): the check
and the reservation are one atomic step, so parallel guesses cannot all pass the check before
any of them is counted. A reserved attempt counts as a failure unless the sign-in succeeds,
which releases it (and clears the account's count).

`SignInLimiter` counts in this process. With several worker processes (`LOKET_WORKERS`) or
hosts each would count on its own, multiplying an attacker's budget; `RedisSignInLimiter`
counts in Redis (`LOKET_REDIS_URL`), shared by all of them, reserving with one Lua script.
If Redis cannot be reached it logs that and counts in-process instead, so signing in keeps
working and stays limited. Keys are hashes: no usernames or addresses are stored in Redis.

The address is the TCP peer's, or, when the peer is a trusted reverse proxy
(`LOKET_TRUSTED_PROXIES`), the client's address that the proxy put in `X-Forwarded-For`.
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

import redis.asyncio as aioredis
import structlog
from redis.exceptions import RedisError

log = structlog.get_logger()

PER_ACCOUNT = 5
PER_ADDRESS = 20
WINDOW_SECONDS = 15 * 60

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _keys(address: str, username: str) -> tuple[str, str]:
    return f"a:{address}|{username.strip().lower()}", f"ip:{address}"


class Limiter(Protocol):
    async def reserve(self, address: str, username: str) -> str | None:
        """Count one attempt and return its id, or None (counting nothing) when blocked."""
        ...

    async def succeeded(self, address: str, username: str, attempt: str) -> None:
        """The reserved attempt signed in: release it and forget the account's failures."""
        ...


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
        self._attempts: dict[str, deque[tuple[float, str]]] = {}
        self._lock = threading.Lock()  # check + reserve as one step, whatever calls it

    def _recent(self, key: str) -> int:
        stamps = self._attempts.get(key)
        if stamps is None:
            return 0
        cutoff = self.clock() - self.window
        while stamps and stamps[0][0] <= cutoff:
            stamps.popleft()
        if not stamps:
            del self._attempts[key]
        return len(stamps)

    async def reserve(self, address: str, username: str) -> str | None:
        account, by_address = _keys(address, username)
        attempt = secrets.token_hex(8)
        with self._lock:
            if (
                self._recent(account) >= self.per_account
                or self._recent(by_address) >= self.per_address
            ):
                return None
            now = self.clock()
            for key in (account, by_address):
                self._attempts.setdefault(key, deque()).append((now, attempt))
            if len(self._attempts) > 100_000:  # a flood of names: forget the oldest keys
                for key in list(self._attempts)[:50_000]:
                    del self._attempts[key]
        return attempt

    async def succeeded(self, address: str, username: str, attempt: str) -> None:
        account, by_address = _keys(address, username)
        with self._lock:
            self._attempts.pop(account, None)
            stamps = self._attempts.get(by_address)
            if stamps is not None:
                kept = deque(s for s in stamps if s[1] != attempt)
                if kept:
                    self._attempts[by_address] = kept
                else:
                    del self._attempts[by_address]


# KEYS: the account's and the address's sorted sets. ARGV: now, cutoff, per account,
# per address, attempt id, ttl. Returns 1 when reserved, 0 when blocked (nothing added).
_RESERVE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[2])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3])
   or redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[4]) then
  return 0
end
for i = 1, 2 do
  redis.call('ZADD', KEYS[i], ARGV[1], ARGV[5])
  redis.call('EXPIRE', KEYS[i], ARGV[6])
end
return 1
"""


class RedisSignInLimiter:
    """The same limits, counted in Redis sorted sets (one member per attempt, scored by time)."""

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
        self._reserve = self.redis.register_script(_RESERVE)

    def _key(self, name: str) -> str:
        return self.prefix + hashlib.sha256(name.encode()).hexdigest()[:32]

    async def reserve(self, address: str, username: str) -> str | None:
        account, by_address = (self._key(k) for k in _keys(address, username))
        now = time.time()
        attempt = f"{now}:{secrets.token_hex(8)}"
        args: list[float | int | str] = [
            now,
            now - self.window,
            self.per_account,
            self.per_address,
            attempt,
        ]
        try:
            reserved = await self._reserve(
                keys=[account, by_address], args=[*args, int(self.window) + 1]
            )
        except RedisError as exc:
            log.error("router.workspace.limiter_unavailable", error=type(exc).__name__)
            local = await self.local.reserve(address, username)
            return None if local is None else "local:" + local
        return attempt if reserved == 1 else None

    async def succeeded(self, address: str, username: str, attempt: str) -> None:
        if attempt.startswith("local:"):
            await self.local.succeeded(address, username, attempt.removeprefix("local:"))
        account, by_address = (self._key(k) for k in _keys(address, username))
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.delete(account)
                pipe.zrem(by_address, attempt)
                await pipe.execute()
        except RedisError as exc:
            log.error("router.workspace.limiter_unavailable", error=type(exc).__name__)

    async def close(self) -> None:
        await self.redis.aclose()


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """IP addresses or networks ("10.0.0.5", "10.0.0.0/8", "::1"); raises ValueError."""
    return tuple(ipaddress.ip_network(v.strip(), strict=False) for v in values if v.strip())


def client_address(peer: str | None, forwarded_for: str | None, trusted: Sequence[Network]) -> str:
    """Whose attempt this is: the peer, unless the peer is a trusted proxy.

    Behind trusted proxies, `X-Forwarded-For` is read from the right (each proxy appends the
    address it saw); the first hop that is not itself a trusted proxy is the client. Anything
    further left was written by the client and is never believed.
    """
    address = peer or "?"
    if not trusted or not forwarded_for or not _is_in(address, trusted):
        return address
    for hop in reversed(forwarded_for.split(",")):
        hop = hop.strip()
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return address  # a malformed hop: the last proxy we trust is all we know
        address = hop
        if not _is_in(hop, trusted):
            return hop
    return address


def _is_in(address: str, networks: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip in net for net in networks)
