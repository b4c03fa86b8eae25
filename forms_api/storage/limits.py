"""Rate limits: at most so many hits per window from one client.

:class:`RateLimiter` keeps the hits in this process's memory, which is right for the embedded
backend (one process serves). With PostgreSQL, every worker and host must count the same
hits: :class:`forms_api.storage.postgres.shared.SharedLimiter` keeps them in the database, with
the same sliding window. Each store's ``limiter()`` gives the one that fits it.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from typing import Protocol


class Limiter(Protocol):
    async def retry_after(self, client: str) -> int | None:
        """Record a hit from ``client``; None if allowed, else the seconds to wait."""
        ...

    async def blocked(self, client: str) -> int | None:
        """The seconds ``client`` must wait (its allowance used up), or None; records nothing."""
        ...


class RateLimiter:
    """At most ``count`` submissions per ``seconds`` from one client (a sliding window)."""

    def __init__(self, count: int, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.count = count
        self.seconds = seconds
        self.clock = clock
        self._hits: dict[str, deque[float]] = {}

    async def blocked(self, client: str) -> int | None:
        now = self.clock()
        hits = self._hits.get(client)
        if not hits:
            return None
        while hits and hits[0] <= now - self.seconds:
            hits.popleft()
        return max(1, int(hits[0] + self.seconds - now + 0.999)) if len(hits) >= self.count else None

    async def retry_after(self, client: str) -> int | None:
        """Record a submission from ``client``; None if allowed, else the seconds to wait."""
        if (wait := await self.blocked(client)) is not None:
            return wait
        now = self.clock()
        hits = self._hits.setdefault(client, deque())
        hits.append(now)
        if len(self._hits) > 100_000:  # forget idle clients
            for key in [k for k, v in self._hits.items() if not v or v[-1] <= now - self.seconds]:
                del self._hits[key]
        return None
