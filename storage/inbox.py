"""The inbox: every platform request, converted to a neutral job, is a row here BEFORE the platform
is acknowledged. A turn claims the oldest pending row of a user inside the turn's own transaction
and marks it done in that same transaction, so a crash at any point either leaves the row pending
(replayed on start, or when the platform redelivers) or leaves it done with everything it caused."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import InboxItem, InboxStatus
from storage.types import utcnow

KEY_LIMIT = 300


@dataclass(frozen=True, slots=True)
class Recorded:
    id: int
    status: InboxStatus

    @property
    def done(self) -> bool:
        return self.status is not InboxStatus.PENDING


async def record(db: Database, platform: str, delivery_key: str, user_key: str, payload: dict[str, Any]) -> Recorded:
    """Store a request once (insert-or-ignore on the delivery key), in one short transaction; returns
    the row's id and status (a redelivery of a finished key comes back done)."""
    async with db.transaction() as s:
        return await record_in(s, platform, delivery_key, user_key, payload)


async def record_in(
    session: AsyncSession, platform: str, delivery_key: str, user_key: str, payload: dict[str, Any]
) -> Recorded:
    """`record` inside the caller's transaction: one statement for a new request (the insert returns
    its id), a second one only for a redelivery (the stored row's id and status)."""
    key = delivery_key[:KEY_LIMIT]
    values = {
        "platform": platform,
        "delivery_key": key,
        "user_key": user_key,
        "payload": payload,
        "status": InboxStatus.PENDING.value,
        "attempts": 0,
        "received_at": utcnow(),
    }
    new_id = (await session.execute(_record_statement(session.sync_session.get_bind().dialect.name), values)).scalar()
    if new_id is not None:
        return Recorded(int(new_id), InboxStatus.PENDING)
    row = (
        await session.execute(
            select(InboxItem.id, InboxItem.status).where(InboxItem.platform == platform, InboxItem.delivery_key == key)
        )
    ).one()
    return Recorded(int(row[0]), InboxStatus(row[1]))


@functools.cache
def _record_statement(dialect: str) -> Any:
    """Insert-or-ignore of one inbox row returning its id, built once (a plain INSERT, not the ORM's)."""
    table = cast(Table, InboxItem.__table__)
    insert = sqlite_insert if dialect == "sqlite" else pg_insert
    return insert(table).on_conflict_do_nothing(index_elements=["platform", "delivery_key"]).returning(table.c.id)


@functools.cache
def _pending_statement() -> Any:
    """The user's two oldest unfinished requests, locked: built once, with the user as parameters."""
    return (
        select(InboxItem)
        .where(
            InboxItem.status == InboxStatus.PENDING.value,
            InboxItem.platform == bindparam("platform"),
            InboxItem.user_key == bindparam("user_key"),
        )
        .order_by(InboxItem.id)
        .limit(2)
        .with_for_update()
    )


def user_lock_key(platform: str, user_key: str) -> int:
    """A stable 63-bit number for PostgreSQL's advisory lock on one user's turns."""
    digest = hashlib.sha256(f"{platform}:{user_key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") & 0x7FFF_FFFF_FFFF_FFFF


async def next_pending(session: AsyncSession, platform: str, user_key: str) -> InboxItem | None:
    """The user's oldest unfinished request, for this transaction. One user's turns run one at a time
    and in order: on PostgreSQL a transaction-scoped advisory lock on the user (a second instance waits
    here, then sees what the first committed); on SQLite every transaction is serialised anyway."""
    return (await next_pending_and_more(session, platform, user_key))[0]


async def lock_user(session: AsyncSession, platform: str, user_key: str) -> None:
    """Take the user's turn lock for this transaction (PostgreSQL; SQLite serialises every transaction)."""
    if session.sync_session.get_bind().dialect.name == "postgresql":
        await session.execute(select(func.pg_advisory_xact_lock(user_lock_key(platform, user_key))))


async def next_pending_and_more(
    session: AsyncSession, platform: str, user_key: str, *, locked: bool = False
) -> tuple[InboxItem | None, bool]:
    """`next_pending`, and whether another unfinished request of the user follows it (read in the same
    statement; a request stored after it is run by the call that stored it). `locked`: the transaction
    holds the user's lock already (`lock_user`)."""
    if not locked:
        await lock_user(session, platform, user_key)
    rows = list((await session.scalars(_pending_statement(), {"platform": platform, "user_key": user_key})).all())
    return (rows[0] if rows else None), len(rows) > 1


async def pending_after(session: AsyncSession, platform: str, user_key: str, item_id: int) -> bool:
    """Whether the user has unfinished requests after `item_id` (a request stored later than this
    check is run by the call that stored it)."""
    found = await session.scalar(
        select(InboxItem.id)
        .where(
            InboxItem.status == InboxStatus.PENDING.value,
            InboxItem.platform == platform,
            InboxItem.user_key == user_key,
            InboxItem.id > item_id,
        )
        .limit(1)
    )
    return found is not None


async def lock(session: AsyncSession, item_id: int) -> InboxItem | None:
    return await session.scalar(select(InboxItem).where(InboxItem.id == item_id).with_for_update())


def mark_done(row: InboxItem) -> None:
    """Done: the text people wrote is dropped from the stored job (only its kind stays)."""
    row.status = InboxStatus.DONE.value
    row.done_at = utcnow()
    row.payload = {"kind": row.payload.get("kind")}


async def mark_failed(db: Database, item_id: int) -> None:
    """Given up: never replayed (the person was told their message was not saved)."""
    async with db.transaction() as s:
        await s.execute(
            update(InboxItem)
            .where(InboxItem.id == item_id, InboxItem.status == InboxStatus.PENDING.value)
            .values(status=InboxStatus.FAILED.value, done_at=utcnow(), payload={"kind": "failed"})
        )


async def count_attempt(db: Database, item_id: int) -> int:
    async with db.transaction() as s:
        row = await s.get(InboxItem, item_id)
        if row is None:
            return 0
        row.attempts += 1
        return row.attempts


async def pending_users(db: Database, *, before: datetime | None = None) -> list[tuple[str, str]]:
    """(platform, user key) of everyone with unfinished requests (received before `before`), oldest
    first: replayed on start."""
    query = select(InboxItem.platform, InboxItem.user_key).where(InboxItem.status == InboxStatus.PENDING.value)
    if before is not None:
        query = query.where(InboxItem.received_at < before)
    async with db.transaction() as s:
        rows = (await s.execute(query.order_by(InboxItem.id))).all()
    seen: dict[tuple[str, str], None] = {}
    for platform, user_key in rows:
        seen.setdefault((str(platform), str(user_key)), None)
    return list(seen)


async def status_of(db: Database, platform: str, delivery_key: str) -> InboxStatus | None:
    async with db.transaction() as s:
        value = await s.scalar(
            select(InboxItem.status).where(
                InboxItem.platform == platform, InboxItem.delivery_key == delivery_key[:KEY_LIMIT]
            )
        )
    return InboxStatus(value) if value is not None else None


async def forget_finished_before(db: Database, cutoff: datetime) -> int:
    """Drop finished rows older than `cutoff`: platforms stop redelivering after minutes (Slack) or
    seconds (Teams), so a week of keys is plenty to recognise a redelivery."""
    async with db.transaction() as s:
        result = await s.execute(
            delete(InboxItem).where(InboxItem.status != InboxStatus.PENDING.value, InboxItem.received_at < cutoff)
        )
        return int(getattr(result, "rowcount", 0) or 0)
