"""The daily purge inside `maalbot serve`: retention without a cron job (see `storage.retention`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

from aiohttp import web

from storage.db import Database
from storage.retention import Ages, purge

log = logging.getLogger(__name__)
EVERY = timedelta(days=1)


async def purge_forever(
    db: Database, ages: Ages, *, every: timedelta = EVERY, clock: Callable[[], datetime] | None = None
) -> None:
    """Purge now, then once per `every`. A failed round is logged (counts only) and tried next time."""
    now = clock or (lambda: datetime.now(UTC))
    while True:
        try:
            found = await purge(db, ages, now())
            log.info("retention purge: %s", ", ".join(f"{name} {n}" for name, n in found.items()))
        except Exception:
            log.exception("retention purge failed; trying again in %s", every)
        await asyncio.sleep(every.total_seconds())


def daily_purge(
    db: Database, ages: Ages, clock: Callable[[], datetime] | None = None
) -> Callable[[web.Application], AsyncIterator[None]]:
    """An aiohttp cleanup context that runs `purge_forever` while the app runs."""

    async def context(_app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(purge_forever(db, ages, clock=clock))
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return context
