"""Rendered reminder texts that many outbox rows share (issue 18: payloads that reference, not copy).

A reminder round sends the same text to many people: the six members of a board get the same nudge
but for their name, a board's chair and leader the same escalation. So the rendered replies are stored
once, as an `OutboxBody` keyed by a digest of its content, and each outbox row refers to one
(`OutboxItem.body_id`) and keeps only what is its own in its payload: to whom, their name, why. A
placeholder in the body names one of those fields (`placeholder("to_name")` in a nudge's greeting), so
nothing is stored twice. `resolve` puts the two together when a row is claimed for sending
(`storage.outbox`), so the senders see the same payload as before; rows written before bodies existed
(replies inline, no `body_id`) are sent as they are.

Guarantees: a body is written before any row that refers to it and in its own transaction (a crash in
between leaves an unused body, removed by `storage.retention` after the messages' age); the foreign key
(ON DELETE RESTRICT) and the retention's NOT EXISTS (`unused`) keep a body while any row refers to it;
writing a body that exists again touches its `created_at`, so the retention's age test never removes a
body a tick is about to use."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, exists, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import OutboxBody, OutboxItem

BATCH = 500  # bodies per statement and per transaction
OPEN, CLOSE = "\ue000", "\ue001"  # private-use characters around a placeholder's name: never typed text

Replies = list[dict[str, Any]]


def placeholder(name: str) -> str:
    """The mark in a shared text that `fill` replaces with the row's own value of `name` (a payload field)."""
    return f"{OPEN}{name}{CLOSE}"


def digest(replies: Replies) -> str:
    """The body's key: the same replies give the same digest, on every instance and every tick."""
    canonical = json.dumps(replies, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _fill_text(text: Any, values: Mapping[str, str]) -> Any:
    if not isinstance(text, str) or OPEN not in text:
        return text
    for name, value in values.items():
        text = text.replace(placeholder(name), value)
    return text


def fill(replies: Replies, values: Mapping[str, str]) -> Replies:
    """The replies with every placeholder replaced by the recipient's value (texts, titles, facts, choices)."""
    if not values:
        return [dict(r) for r in replies]
    out = []
    for reply in replies:
        r = dict(reply)
        r["text"] = _fill_text(r.get("text"), values)
        r["title"] = _fill_text(r.get("title"), values)
        r["facts"] = [[_fill_text(a, values), _fill_text(b, values)] for a, b in r.get("facts", [])]
        r["choices"] = [[c, _fill_text(label, values)] for c, label in r.get("choices", [])]
        out.append(r)
    return out


def own_part(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The recipient's part of a payload: everything but the replies."""
    return {k: v for k, v in payload.items() if k != "replies"}


def resolve(payload: Mapping[str, Any], replies: Replies | None) -> dict[str, Any]:
    """The payload as the senders read it: the row's own part with the body's replies filled in. A row
    without a body (`replies` None: written before bodies, or a turn's reply) is returned as it is."""
    if replies is None:
        return dict(payload)
    values = {k: v for k, v in payload.items() if isinstance(v, str)}  # the row's own texts: its name, why
    return {**payload, "replies": fill(replies, values)}


async def store(db: Database, bodies: Mapping[str, Replies], now: datetime) -> dict[str, int]:
    """Write the bodies (digest -> replies) that are not stored yet, `BATCH` per statement, each batch in
    its own short transaction; returns digest -> id for all of them (new and existing)."""
    ids: dict[str, int] = {}
    keys = sorted(bodies)  # every instance writes in the same order: two at once wait, never deadlock
    for start in range(0, len(keys), BATCH):
        async with db.transaction() as s:
            ids |= await _upsert(s, {k: bodies[k] for k in keys[start : start + BATCH]}, now)
    return ids


async def _upsert(session: AsyncSession, bodies: Mapping[str, Replies], now: datetime) -> dict[str, int]:
    if not bodies:
        return {}
    insert = pg_insert if session.sync_session.get_bind().dialect.name == "postgresql" else sqlite_insert
    table = cast(Table, OutboxBody.__table__)
    new = insert(table)
    upsert = new.on_conflict_do_update(index_elements=["digest"], set_={"created_at": new.excluded.created_at})
    statement = upsert.returning(table.c.digest, table.c.id)  # the id of a new body and of one that existed
    rows = [{"digest": d, "replies": replies, "created_at": now} for d, replies in bodies.items()]
    return {str(d): int(i) for d, i in (await session.execute(statement, rows)).all()}


async def replies_of(session: AsyncSession, body_ids: Iterable[int]) -> dict[int, Replies]:
    """body id -> its replies, for the ids asked about (one query per `BATCH`)."""
    wanted = sorted(set(body_ids))
    out: dict[int, Replies] = {}
    for start in range(0, len(wanted), BATCH):
        rows = await session.execute(
            select(OutboxBody.id, OutboxBody.replies).where(OutboxBody.id.in_(wanted[start : start + BATCH]))
        )
        out |= {int(i): list(r) for i, r in rows.all()}
    return out


async def resolved(session: AsyncSession, rows: Sequence[OutboxItem]) -> list[dict[str, Any]]:
    """The payloads of `rows` as the senders read them (bodies looked up in one query)."""
    bodies = await replies_of(session, [r.body_id for r in rows if r.body_id is not None])
    return [resolve(r.payload, bodies.get(r.body_id) if r.body_id is not None else None) for r in rows]


def unused() -> Any:
    """Bodies no outbox row refers to."""
    return ~exists().where(OutboxItem.body_id == OutboxBody.id)
