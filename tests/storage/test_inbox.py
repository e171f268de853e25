"""The inbox on both backends: a delivery key is stored once, its turn is taken oldest first per user,
and a finished row keeps no personal text."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from storage import inbox
from storage.db import Database
from storage.models import InboxStatus
from storage.types import utcnow


async def test_a_delivery_key_is_stored_once_and_reports_its_status(db: Database) -> None:
    results = await asyncio.gather(
        *(inbox.record(db, "slack", "Ev1", "U1", {"kind": "turn", "text": "hej"}) for _ in range(5))
    )
    assert len({r.id for r in results}) == 1 and not any(r.done for r in results)
    other = await inbox.record(db, "teams", "Ev1", "U1", {"kind": "turn"})  # per platform
    assert other.id != results[0].id
    async with db.transaction() as s:
        row = await inbox.next_pending(s, "slack", "U1")
        assert row is not None and row.id == results[0].id
        assert not await inbox.pending_after(s, "slack", "U1", row.id)
        inbox.mark_done(row)
    again = await inbox.record(db, "slack", "Ev1", "U1", {"kind": "turn", "text": "hej"})
    assert again.id == results[0].id and again.done
    assert await inbox.status_of(db, "slack", "Ev1") is InboxStatus.DONE
    async with db.transaction() as s:
        assert await inbox.next_pending(s, "slack", "U1") is None
        done = await inbox.lock(s, again.id)
        assert done is not None and done.payload == {"kind": "turn"}  # the text is gone


async def test_unfinished_rows_are_found_for_replay_oldest_first(db: Database) -> None:
    first = await inbox.record(db, "slack", "Ev1", "U2", {"kind": "turn"})
    await inbox.record(db, "teams", "a|1", "29:x", {"kind": "turn"})
    await inbox.record(db, "slack", "Ev2", "U2", {"kind": "turn"})
    assert await inbox.pending_users(db) == [("slack", "U2"), ("teams", "29:x")]
    async with db.transaction() as s:
        row = await inbox.next_pending(s, "slack", "U2")
        assert row is not None and row.id == first.id
        assert await inbox.pending_after(s, "slack", "U2", row.id)
    await inbox.mark_failed(db, first.id)
    assert await inbox.status_of(db, "slack", "Ev1") is InboxStatus.FAILED
    assert await inbox.forget_finished_before(db, utcnow() + timedelta(seconds=1)) == 1
    assert await inbox.pending_users(db) == [("teams", "29:x"), ("slack", "U2")]  # by their oldest row
