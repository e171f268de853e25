"""The scheduler's way into the outbox at scale, on both backends: many rows in batches of short
transactions, insert-or-ignore counted right, and the keys of a round looked up per rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from storage import outbox
from storage.db import Database
from storage.models import OutboxItem
from storage.outbox import ENQUEUE_BATCH, NewItem

NOW = datetime(2026, 11, 30, 8, tzinfo=UTC)


def nudges(people: range, period: str = "2026-W49") -> list[NewItem]:
    return [
        NewItem("nudge", f"person:{p}", period, NOW, {"to": {"person_id": p}}, NOW + timedelta(days=7)) for p in people
    ]


async def test_enqueue_in_batches_inserts_only_new_keys(db: Database) -> None:
    first = nudges(range(2 * ENQUEUE_BATCH + 7))
    assert await outbox.enqueue_in_batches(db, first, NOW) == len(first)
    again = nudges(range(2 * ENQUEUE_BATCH + 107))  # 100 new at the end, the rest known
    assert await outbox.enqueue_in_batches(db, again, NOW) == 100
    async with db.transaction() as s:
        assert await s.scalar(select(func.count(OutboxItem.id))) == len(again)
        row = await s.scalar(select(OutboxItem).where(OutboxItem.recipient == "person:3"))
    assert row is not None and row.payload == {"to": {"person_id": 3}} and row.expires_at == NOW + timedelta(days=7)


async def test_existing_keys_per_rule_and_period(db: Database) -> None:
    await outbox.enqueue_in_batches(db, nudges(range(5)) + nudges(range(3), "2026-W48"), NOW)
    asked = [("nudge", "person:1", "2026-W49"), ("nudge", "person:9", "2026-W49"), ("nudge", "person:2", "2026-W48")]
    asked.append(("digest", "person:1", "2026-W49"))
    async with db.transaction() as s:
        found = await outbox.existing_keys(s, asked)
    assert found == {("nudge", "person:1", "2026-W49"), ("nudge", "person:2", "2026-W48")}
