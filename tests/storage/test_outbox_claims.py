"""Two instances claiming the outbox at the same moment on PostgreSQL take disjoint rows, and the second
does not wait for the first (`SELECT ... FOR UPDATE SKIP LOCKED`, see `storage.outbox`).

The first claimer is held inside its claiming transaction (its rows locked, not yet committed) while
the second claims: that is the moment two schedulers meet, made deterministic."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from storage import outbox
from storage.db import Database
from storage.outbox import NewItem

NOW = datetime(2026, 11, 30, 8, tzinfo=UTC)


class HeldOpen(Database):
    """A second handle on the same database whose transactions stay open (locks held, nothing
    committed) until `release` is set; `inside` is set once the claiming statement has run."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.inside = asyncio.Event()
        self.release = asyncio.Event()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session, session.begin():
            yield session
            await session.flush()  # the claim's updates are written (still uncommitted) before we pause
            self.inside.set()
            await self.release.wait()


async def _waiting_on_a_lock(db: Database) -> bool:
    """Whether any other session of this database waits for a row lock right now."""
    async with db.read() as s:
        found = await s.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
        )
    return bool(found)


async def test_two_concurrent_claimers_get_disjoint_rows_without_waiting(pg_db: Database) -> None:
    items = [NewItem("nudge", f"person:{n}", "2026-W49", NOW - timedelta(minutes=n), {}) for n in range(6)]
    async with pg_db.transaction() as s:
        assert await outbox.enqueue(s, items, NOW) == 6
    first_db = HeldOpen(pg_db.url)
    try:
        first = asyncio.create_task(outbox.claim_due(first_db, NOW, "instance-a", limit=3))
        await first_db.inside.wait()  # a holds its three rows, uncommitted
        second = asyncio.create_task(outbox.claim_due(pg_db, NOW, "instance-b", limit=10))
        blocked = False
        while not second.done():  # b must finish while a still holds its rows, never wait for them
            if await _waiting_on_a_lock(pg_db):
                blocked = True
                break
            await asyncio.sleep(0.01)
        first_db.release.set()
        claimed_a, claimed_b = await first, await second
    finally:
        first_db.release.set()
        await first_db.dispose()
    ids_a, ids_b = {c.id for c in claimed_a}, {c.id for c in claimed_b}
    assert len(ids_a) == 3 and len(ids_b) == 3
    assert ids_a.isdisjoint(ids_b), "two instances claimed the same outbox rows"
    async with pg_db.transaction() as s:
        rows = await outbox.items(s, rule="nudge")
    assert {r.id: r.claimed_by for r in rows} == {
        **dict.fromkeys(ids_a, "instance-a"),
        **dict.fromkeys(ids_b, "instance-b"),
    }
    assert all(r.attempts == 1 for r in rows), "a row was claimed twice"
    assert not blocked, "the second claimer waited for the first one's locks (no SKIP LOCKED)"
