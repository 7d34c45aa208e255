"""Failed sign-ins, counted per username and address and per address, in this process.

In-process on purpose: the router service runs as one process. With several processes,
each counts on its own, so an attacker gets at most that many times the budget; a shared
store (Redis) would be the next step then.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class SignInLimiter:
    def __init__(
        self,
        *,
        per_account: int = 5,
        per_address: int = 20,
        window_seconds: float = 15 * 60,
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

    def blocked(self, address: str, username: str) -> bool:
        return (
            len(self._recent(f"a:{address}|{username.lower()}")) >= self.per_account
            or len(self._recent(f"ip:{address}")) >= self.per_address
        )

    def failed(self, address: str, username: str) -> None:
        now = self.clock()
        for key in (f"a:{address}|{username.lower()}", f"ip:{address}"):
            self._failures.setdefault(key, deque()).append(now)
        if len(self._failures) > 100_000:  # a flood of names: forget the oldest keys
            for key in list(self._failures)[:50_000]:
                del self._failures[key]

    def succeeded(self, address: str, username: str) -> None:
        self._failures.pop(f"a:{address}|{username.lower()}", None)
