"""Rate limits for sign-in link requests: per email and per client address, in a sliding window.
In memory (one instance's view): enough to stop a script from mailing a person or the municipality's
mail server into the ground; several instances each keep their own count."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

MAX_KEYS = 50_000


class SlidingWindow:
    def __init__(self, limit: int, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.seconds = seconds
        self.clock = clock
        self._hits: dict[str, deque[float]] = {}

    def allow(self, key: str) -> bool:
        """Count a request for `key`; False when the key has used up its requests in the window."""
        now = self.clock()
        hits = self._hits.get(key)
        if hits is None:
            if len(self._hits) >= MAX_KEYS:
                self._forget_old(now)
            hits = self._hits[key] = deque()
        while hits and now - hits[0] >= self.seconds:
            hits.popleft()
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        return True

    def _forget_old(self, now: float) -> None:
        for key in [k for k, h in self._hits.items() if not h or now - h[-1] >= self.seconds]:
            del self._hits[key]
        if len(self._hits) >= MAX_KEYS:
            self._hits.clear()


LOOPBACK = frozenset({"127.0.0.1", "::1"})


def client_address(peer: str | None, forwarded_for: str | None) -> str:
    """The client's address: the connection's peer, or, when that is a reverse proxy on this machine
    (Caddy, nginx), the address the proxy appended last to X-Forwarded-For (a client cannot forge
    that one: it does not connect from this machine)."""
    if peer in LOOPBACK and forwarded_for:
        last = forwarded_for.split(",")[-1].strip()
        if last:
            return last[:64]
    return peer or "?"


class LinkRequestLimits:
    def __init__(self, per_email: int = 3, per_address: int = 10, window: float = 900.0) -> None:
        self.by_email = SlidingWindow(per_email, window)
        self.by_address = SlidingWindow(per_address, window)

    def allow(self, email_key: str, address: str) -> bool:
        # both are counted, so a blocked address cannot probe emails and an email cannot be flooded
        address_ok = self.by_address.allow(address)
        email_ok = self.by_email.allow(email_key)
        return address_ok and email_ok
