"""Work that runs after Slack has been acknowledged: tracked tasks, one at a time per user.

Slack wants an answer within 3 seconds, so listeners acknowledge at once and hand the turn to
`Background.spawn`. The tasks are kept (not fire-and-forget), so shutdown and tests can `drain()`
them; a person's messages are handled in the order they arrived."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger("maalbot.slack")


class Background:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()
        self._locks: dict[str, asyncio.Lock] = {}
        self._waiting: dict[str, int] = {}

    def spawn(self, work: Coroutine[Any, Any, object], *, key: str | None = None) -> None:
        """Run `work` after the current request; with `key`, after earlier work with the same key."""
        task = asyncio.create_task(self._run(work, key))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, work: Coroutine[Any, Any, object], key: str | None) -> None:
        try:
            if key is None:
                await work
                return
            lock = self._locks.setdefault(key, asyncio.Lock())
            self._waiting[key] = self._waiting.get(key, 0) + 1
            try:
                async with lock:
                    await work
            finally:
                self._waiting[key] -= 1
                if not self._waiting[key]:  # nobody else queued: forget the lock
                    del self._waiting[key]
                    self._locks.pop(key, None)
        except Exception:
            log.exception("Slack background work failed")

    def busy(self, key: str) -> bool:
        """Whether work with this key is running or queued."""
        return key in self._waiting

    @property
    def pending(self) -> int:
        return len(self._tasks)

    async def drain(self) -> None:
        """Wait until no work is left, including work that running work started."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
