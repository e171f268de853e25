"""The reminder outbox: due messages as rows with a unique key (rule, recipient, period).

Planning inserts rows with insert-or-ignore on that key, so planning the same thing twice (the next
tick, a restart, a second instance) adds nothing. Sending claims rows first:

- PostgreSQL: `SELECT ... FOR UPDATE SKIP LOCKED` inside the claiming transaction, so two instances
  claiming at the same moment take disjoint rows; the row turns `claimed` before the lock is released.
- SQLite: every transaction starts with BEGIN IMMEDIATE (see `storage.db`), so claims are serialised
  by the database lock. SQLite is for one instance: the file lives on one machine, and the claim is
  only as safe as that one lock.

A claim older than `STALE_CLAIM` (an instance died while sending) is claimed again. A live instance
renews its claim (`renew_claim`) right before each send once the claim is older than `RENEW_AFTER` (a
younger one cannot have been taken over) and leaves the item alone when the renewal fails, so a slow
round whose older claims were taken over does not send them a second time. Delivery
is therefore exactly once unless an instance dies (or one send takes longer than `STALE_CLAIM`)
between the renewal and the row being marked sent; then that one message may go out twice (at least
once, never lost)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, Table, and_, bindparam, column, exists, func, or_, select, update
from sqlalchemy import table as sql_table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.expression import TableClause

from storage import outbox_bodies
from storage.db import Database
from storage.models import OutboxItem, OutboxStatus

STALE_CLAIM = timedelta(minutes=15)
RENEW_AFTER = timedelta(minutes=1)  # a claim this old is renewed before a send (far from STALE_CLAIM)
REPLY = "reply"  # the answer to a turn, to the conversation it came from (see `claim_next_reply`)
REPLY_STALE_CLAIM = timedelta(seconds=30)  # a live deliverer renews its claim before every attempt
MAX_ATTEMPTS = 5
BASE_BACKOFF = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class NewItem:
    rule: str
    recipient: str
    period: str
    due_at: datetime
    payload: dict[str, Any]
    expires_at: datetime | None = None
    body_id: int | None = None  # shared replies (storage.outbox_bodies); the payload is then the row's own part

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.rule, self.recipient, self.period)


@dataclass(frozen=True, slots=True)
class ClaimedItem:
    id: int
    rule: str
    recipient: str
    period: str
    payload: dict[str, Any]
    due_at: datetime
    expires_at: datetime | None
    attempts: int  # including this one


def backoff(attempts: int) -> timedelta:
    """The wait before retry number `attempts` (1 minute, doubling, at most an hour)."""
    delay: timedelta = BASE_BACKOFF * (1 << max(attempts - 1, 0))
    return min(delay, MAX_BACKOFF)


ENQUEUE_BATCH = 500  # rows per INSERT (and per transaction, see `enqueue_in_batches`)
_MOMENTS = ("due_at", "expires_at", "created_at")


def _plain_outbox(dialect: Dialect) -> tuple[TableClause, Callable[[datetime | None], Any]]:
    """The outbox as a statement target whose time columns bind the driver's values as they are, and how
    to make those values: a round's 25,000 rows share a handful of times, so each distinct time is
    converted once (`UTCDateTime` and the dialect's own processor) instead of three times per row."""
    table = cast(Table, OutboxItem.__table__)
    processor: Callable[[Any], Any] | None = table.c.due_at.type.dialect_impl(dialect).bind_processor(dialect)
    memo: dict[datetime | None, Any] = {}

    def moment(value: datetime | None) -> Any:
        if value not in memo:
            memo[value] = processor(value) if processor is not None else value
        return memo[value]

    columns = [column(c.name) if c.name in _MOMENTS else column(c.name, c.type) for c in table.c]
    return sql_table(table.name, *columns), moment


async def enqueue(session: AsyncSession, items: Sequence[NewItem], now: datetime) -> int:
    """Insert the items whose key is new, `ENQUEUE_BATCH` rows per statement; returns how many were
    inserted (the statement returns the ids of the rows it added, which both databases support)."""
    if not items:
        return 0
    dialect = session.sync_session.get_bind().dialect
    insert = pg_insert if dialect.name == "postgresql" else sqlite_insert
    table, moment = _plain_outbox(dialect)
    created, pending = moment(now), OutboxStatus.PENDING.value
    inserted = 0
    for start in range(0, len(items), ENQUEUE_BATCH):
        rows = [
            {
                "rule": item.rule,
                "recipient": item.recipient,
                "period": item.period,
                "payload": item.payload,
                "due_at": moment(item.due_at),
                "expires_at": moment(item.expires_at),
                "status": pending,
                "attempts": 0,
                "created_at": created,
                "body_id": item.body_id,
            }
            for item in items[start : start + ENQUEUE_BATCH]
        ]
        statement = (
            insert(table).on_conflict_do_nothing(index_elements=["rule", "recipient", "period"]).returning(table.c.id)
        )  # one compiled statement, run for many rows (SQLAlchemy's «insertmanyvalues»)
        inserted += len((await session.execute(statement, rows)).all())
    return inserted


async def enqueue_in_batches(db: Database, items: Sequence[NewItem], now: datetime) -> int:
    """`enqueue` with one short transaction per batch, so a large round never holds the write lock
    (SQLite's is the whole database) for longer than one batch: turns get in between."""
    inserted = 0
    for start in range(0, len(items), ENQUEUE_BATCH):
        async with db.transaction() as s:
            inserted += await enqueue(s, items[start : start + ENQUEUE_BATCH], now)
    return inserted


async def existing_keys(session: AsyncSession, keys: Sequence[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
    """Which of `keys` are already in the outbox: one query for the rules and periods asked about (per
    `ENQUEUE_BATCH` periods; a rule plans few periods at a time, so this reads the rows of this round,
    not the outbox's history), on `ix_outbox_rule_period`. The statement is built once."""
    if not keys:
        return set()
    wanted = set(keys)
    rules = sorted({rule for rule, _recipient, _period in wanted})
    periods = sorted({period for _rule, _recipient, period in wanted})
    found: set[tuple[str, str, str]] = set()
    for start in range(0, len(periods), ENQUEUE_BATCH):
        rows = await session.execute(
            keys_statement(), {"rules": rules, "periods": periods[start : start + ENQUEUE_BATCH]}
        )
        found |= {(r, c, p) for r, c, p in rows.all() if (r, c, p) in wanted}
    return found


@functools.cache
def keys_statement() -> Select[str, str, str]:
    """The keys (rule, recipient, period) of the rows of some rules (`rules`) and periods (`periods`)."""
    return select(OutboxItem.rule, OutboxItem.recipient, OutboxItem.period).where(
        OutboxItem.rule.in_(bindparam("rules", expanding=True)),
        OutboxItem.period.in_(bindparam("periods", expanding=True)),
    )


async def round_counts(session: AsyncSession, rounds: Sequence[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """How many rows the outbox holds for each (rule, period): one grouped count on `ix_outbox_rule_period`."""
    if not rounds:
        return {}
    wanted = set(rounds)
    rows = await session.execute(
        select(OutboxItem.rule, OutboxItem.period, func.count())
        .where(OutboxItem.rule.in_({r for r, _ in wanted}), OutboxItem.period.in_({p for _, p in wanted}))
        .group_by(OutboxItem.rule, OutboxItem.period)
    )
    return {(r, p): int(n) for r, p, n in rows.all() if (r, p) in wanted}


def _claimable(now: datetime) -> ColumnElement[bool]:
    return and_(
        OutboxItem.rule != REPLY,  # replies go out in order per conversation: `claim_next_reply`
        or_(
            and_(OutboxItem.status == OutboxStatus.PENDING.value, OutboxItem.due_at <= now),
            and_(OutboxItem.status == OutboxStatus.CLAIMED.value, OutboxItem.claimed_at < now - STALE_CLAIM),
        ),
    )


async def any_due(session: AsyncSession, now: datetime) -> bool:
    """Whether `claim_due` at `now` would find an item (of any rule but replies): a read, nothing locked,
    so a tick with nothing to send need not open a write transaction to find that out."""
    return bool(await session.scalar(select(exists().where(_claimable(now)))))


async def claim_due(
    db: Database, now: datetime, instance_id: str, *, limit: int = 100, rules: Sequence[str] | None = None
) -> list[ClaimedItem]:
    """Take up to `limit` due items (of `rules`, or of every rule but replies) for this instance (see
    the module docstring for the locking)."""
    async with db.transaction() as s:
        claimable = _claimable(now)
        if rules is not None:
            claimable = and_(claimable, OutboxItem.rule.in_(tuple(rules)))
        query = select(OutboxItem).where(claimable).order_by(OutboxItem.due_at, OutboxItem.id).limit(limit)
        if not db.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        rows = list((await s.scalars(query)).all())
        if not rows:
            return []
        table = cast(Table, OutboxItem.__table__)
        await s.execute(  # one UPDATE for the batch, not one per row at the ORM's flush
            update(table)
            .where(table.c.id.in_([r.id for r in rows]))
            .values(
                status=OutboxStatus.CLAIMED.value,
                claimed_by=instance_id,
                claimed_at=now,
                attempts=table.c.attempts + 1,
            )
        )
        payloads = await outbox_bodies.resolved(s, rows)  # shared replies filled in: one query per batch
        return [
            ClaimedItem(r.id, r.rule, r.recipient, r.period, p, r.due_at, r.expires_at, r.attempts + 1)
            for r, p in zip(rows, payloads, strict=True)
        ]


async def _finish(
    db: Database, item_id: int, instance_id: str, session: AsyncSession | None = None, **values: Any
) -> bool:
    """Update an item this instance still holds (a stale claim taken over by another is left alone)."""
    if session is not None:
        return await _finish_in(session, item_id, instance_id, **values)
    async with db.transaction() as s:
        return await _finish_in(s, item_id, instance_id, **values)


async def _finish_in(session: AsyncSession, item_id: int, instance_id: str, **values: Any) -> bool:
    statement = _finish_statement(tuple(sorted(values)))
    params = {"item_id": item_id, "instance_id": instance_id, **{f"new_{k}": v for k, v in values.items()}}
    result = await session.execute(statement, params)
    return bool(getattr(result, "rowcount", 0))


@functools.cache
def _finish_statement(columns: tuple[str, ...]) -> Any:
    """`_finish`'s UPDATE of these columns, built once: a plain UPDATE (no loaded row to keep in step, so
    not the ORM's path), the item, the instance and the new values as parameters."""
    table = cast(Table, OutboxItem.__table__)
    return (
        update(table)
        .where(
            table.c.id == bindparam("item_id"),
            table.c.status == OutboxStatus.CLAIMED.value,
            table.c.claimed_by == bindparam("instance_id"),
        )
        .values({name: bindparam(f"new_{name}") for name in columns})
    )


async def renew_claim(db: Database, item_id: int, instance_id: str, now: datetime) -> bool:
    """Refresh this instance's claim just before sending; False when another instance has taken it over
    (the claim went stale), and then this instance must not send it."""
    return await _finish(db, item_id, instance_id, claimed_at=now)


async def mark_sent(
    db: Database, item_id: int, instance_id: str, now: datetime, session: AsyncSession | None = None
) -> bool:
    return await _finish(
        db, item_id, instance_id, session, status=OutboxStatus.SENT.value, sent_at=now, last_error=None
    )


async def mark_unsent(session: AsyncSession, item_id: int, instance_id: str, status: OutboxStatus, reason: str) -> bool:
    """`mark_skipped` or `mark_failed` (by `status`) inside the caller's transaction: a batch's items
    that were not sent, recorded together."""
    assert status in (OutboxStatus.SKIPPED, OutboxStatus.FAILED), status
    return await _finish_in(session, item_id, instance_id, status=status.value, last_error=reason)


async def mark_skipped(db: Database, item_id: int, instance_id: str, reason: str) -> bool:
    return await _finish(db, item_id, instance_id, status=OutboxStatus.SKIPPED.value, last_error=reason)


async def mark_failed(db: Database, item_id: int, instance_id: str, error: str) -> bool:
    return await _finish(db, item_id, instance_id, status=OutboxStatus.FAILED.value, last_error=error)


async def mark_retry(
    db: Database, item: ClaimedItem, instance_id: str, now: datetime, error: str, *, wait: timedelta | None = None
) -> bool:
    """A transient failure: back to pending with a later due time, or failed when the retries ran out.
    Returns True when the item will be tried again."""
    if item.attempts >= MAX_ATTEMPTS:
        await mark_failed(db, item.id, instance_id, f"gave up after {item.attempts} attempts: {error}")
        return False
    delay = max(wait or timedelta(0), backoff(item.attempts))
    await _finish(
        db,
        item.id,
        instance_id,
        status=OutboxStatus.PENDING.value,
        due_at=now + delay,
        last_error=error,
        claimed_by=None,
        claimed_at=None,
    )
    return True


@dataclass(frozen=True, slots=True)
class Failure:
    rule: str
    recipient: str
    to_name: str
    error: str
    at: datetime


async def failures_since(session: AsyncSession, since: datetime) -> list[Failure]:
    """Items that could not be delivered (failed) since `since`, newest first, one per recipient."""
    rows = (
        await session.scalars(
            select(OutboxItem)
            .where(
                OutboxItem.status == OutboxStatus.FAILED.value,
                OutboxItem.rule != REPLY,
                OutboxItem.claimed_at.is_not(None),
                OutboxItem.claimed_at >= since,
            )
            .order_by(OutboxItem.claimed_at.desc(), OutboxItem.id.desc())
        )
    ).all()
    seen: set[str] = set()
    out = []
    for row in rows:
        if row.recipient in seen:
            continue
        seen.add(row.recipient)
        name = str(row.payload.get("to_name") or row.recipient)
        out.append(Failure(row.rule, row.recipient, name, row.last_error or "", row.claimed_at or since))
    return out


async def backlog(session: AsyncSession, now: datetime) -> tuple[int, float]:
    """(rows not sent yet, age in seconds of the oldest of them that is due): for the metrics."""
    unsent = OutboxItem.status.in_((OutboxStatus.PENDING.value, OutboxStatus.CLAIMED.value))
    count = int(await session.scalar(select(func.count(OutboxItem.id)).where(unsent)) or 0)
    oldest = await session.scalar(select(func.min(OutboxItem.due_at)).where(unsent, OutboxItem.due_at <= now))
    if oldest is None:
        return count, 0.0
    if oldest.tzinfo is None:  # SQLite gives naive UTC back
        oldest = oldest.replace(tzinfo=now.tzinfo)
    return count, max((now - oldest).total_seconds(), 0.0)


async def items(session: AsyncSession, *, rule: str | None = None) -> list[OutboxItem]:
    """Every outbox row (optionally of one rule), oldest first: for tests, status pages and the CLI."""
    query = select(OutboxItem).order_by(OutboxItem.id)
    if rule is not None:
        query = query.where(OutboxItem.rule == rule)
    return list((await session.scalars(query)).all())


# -- replies: the answers to turns, in order per conversation -------------------------------------------


def conversation_key(platform: str, conversation: str) -> str:
    """The outbox recipient of a conversation (hashed when longer than the column)."""
    key = f"{platform}:{conversation}"
    if len(key) <= 200:
        return key
    import hashlib

    return f"{platform}:sha256:" + hashlib.sha256(conversation.encode()).hexdigest()


def add_reply(
    session: AsyncSession,
    recipient: str,
    period: str,
    payload: dict[str, Any],
    now: datetime,
    *,
    claimed_by: str | None = None,
) -> OutboxItem:
    """One turn's replies as one row, written in the turn's transaction (sent after the commit). With
    `claimed_by` the row is written claimed by that instance (as `claim_next_reply` would leave it), for
    a turn that knows no earlier reply to the conversation is unsent: its deliverer sends it at once
    (`claimed_reply`), with no claiming transaction; should the instance die first, the claim goes stale
    and the row is sent by another round like any other."""
    row = OutboxItem(
        rule=REPLY,
        recipient=recipient,
        period=period,
        payload=payload,
        due_at=now,
        status=OutboxStatus.PENDING.value if claimed_by is None else OutboxStatus.CLAIMED.value,
        attempts=0 if claimed_by is None else 1,
        claimed_by=claimed_by,
        claimed_at=None if claimed_by is None else now,
        created_at=now,
    )
    session.add(row)
    return row


def claimed_reply(row: OutboxItem, payload: dict[str, Any]) -> ClaimedItem:
    """The committed reply row that `add_reply(..., claimed_by=...)` wrote, as the deliverer takes it."""
    return ClaimedItem(row.id, row.rule, row.recipient, row.period, payload, row.due_at, row.expires_at, row.attempts)


async def newest_status(session: AsyncSession, recipient: str) -> str | None:
    """The status of the newest row to `recipient` (None when there is none)."""
    status: str | None = await session.scalar(
        select(OutboxItem.status).where(OutboxItem.recipient == recipient).order_by(OutboxItem.id.desc()).limit(1)
    )
    return status


async def claim_next_reply(db: Database, recipient: str, instance_id: str, now: datetime) -> ClaimedItem | None:
    """The conversation's oldest unsent reply, claimed for this instance; None when there is none, when
    it waits for its retry time, or when a live claim holds it (so a later reply never overtakes an
    earlier one). A fresh claim of this instance's own counts as live too: a turn wrote that reply
    claimed, and the turn's deliverer is sending it (`add_reply(..., claimed_by=...)`)."""
    async with db.transaction() as s:
        row = await s.scalar(
            select(OutboxItem)
            .where(
                OutboxItem.rule == REPLY,
                OutboxItem.recipient == recipient,
                OutboxItem.status.in_((OutboxStatus.PENDING.value, OutboxStatus.CLAIMED.value)),
            )
            .order_by(OutboxItem.id)
            .limit(1)
            .with_for_update()
        )
        if row is None:
            return None
        if row.status == OutboxStatus.CLAIMED.value:
            if row.claimed_at is not None and row.claimed_at >= now - REPLY_STALE_CLAIM:
                return None
        elif row.due_at > now:
            return None
        row.status = OutboxStatus.CLAIMED.value
        row.claimed_by = instance_id
        row.claimed_at = now
        row.attempts += 1
        (payload,) = await outbox_bodies.resolved(s, [row])
        return ClaimedItem(
            row.id, row.rule, row.recipient, row.period, payload, row.due_at, row.expires_at, row.attempts
        )


async def mark_reply_sent(db: Database, item_id: int, instance_id: str, now: datetime, recipient: str) -> bool:
    """Sent; returns whether the conversation has further unsent replies (same transaction)."""
    async with db.transaction() as s:
        await mark_sent(db, item_id, instance_id, now, session=s)
        more = await s.scalar(_MORE_REPLIES, {"recipient": recipient})
        return more is not None


_MORE_REPLIES = (  # built once: whether a conversation has unsent replies
    select(OutboxItem.id)
    .where(
        OutboxItem.rule == REPLY,
        OutboxItem.recipient == bindparam("recipient"),
        OutboxItem.status.in_((OutboxStatus.PENDING.value, OutboxStatus.CLAIMED.value)),
    )
    .limit(1)
)


async def save_progress(db: Database, item_id: int, instance_id: str, payload: dict[str, Any]) -> bool:
    """Remember how far a reply of several messages got, so a retry does not send the first ones again."""
    return await _finish(db, item_id, instance_id, payload=payload)


async def release_reply(
    db: Database, item_id: int, instance_id: str, now: datetime, error: str, wait: timedelta
) -> bool:
    """Not accepted yet: back to pending, tried again after `wait` (the conversation waits behind it)."""
    return await _finish(
        db,
        item_id,
        instance_id,
        status=OutboxStatus.PENDING.value,
        due_at=now + wait,
        last_error=error,
        claimed_by=None,
        claimed_at=None,
    )


async def release_claims_of_others(db: Database, instance_id: str) -> int:
    """On start with SQLite (one instance): claims left by a process that died are free again at once."""
    async with db.transaction() as s:
        result = await s.execute(
            update(OutboxItem)
            .where(
                OutboxItem.rule == REPLY,
                OutboxItem.status == OutboxStatus.CLAIMED.value,
                OutboxItem.claimed_by != instance_id,
            )
            .values(status=OutboxStatus.PENDING.value, claimed_by=None, claimed_at=None)
        )
        return int(getattr(result, "rowcount", 0) or 0)


async def reply_recipients(db: Database) -> list[str]:
    """Conversations with unsent replies, oldest first (sent on start and by the scheduler)."""
    async with db.transaction() as s:
        rows = (
            await s.execute(
                select(OutboxItem.recipient)
                .where(
                    OutboxItem.rule == REPLY,
                    OutboxItem.status.in_((OutboxStatus.PENDING.value, OutboxStatus.CLAIMED.value)),
                )
                .order_by(OutboxItem.id)
            )
        ).all()
    return list(dict.fromkeys(str(r[0]) for r in rows))


async def last_reply_unseen(session: AsyncSession, recipient: str) -> bool:
    """Whether the newest reply to this conversation is known not to have reached the person: it failed
    for good, or an attempt to send it failed and it is still waiting for a retry."""
    row = (
        await session.execute(
            select(OutboxItem.status, OutboxItem.last_error)
            .where(OutboxItem.rule == REPLY, OutboxItem.recipient == recipient)
            .order_by(OutboxItem.id.desc())
            .limit(1)
        )
    ).first()
    if row is None:
        return False
    return reply_unseen(row[0], row[1])


def reply_unseen(status: str, error: str | None) -> bool:
    """A reply with this status and last error did not reach the person (failed, or waiting for a retry)."""
    return status == OutboxStatus.FAILED.value or (status != OutboxStatus.SENT.value and error is not None)
