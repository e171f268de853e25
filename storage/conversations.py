"""Conversation state per person and platform, and notices waiting for a person."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified

from storage.models import ConversationState, Notice
from storage.types import utcnow

_STATE_QUERY = (  # built once: the person and platform are parameters
    select(ConversationState)
    .where(ConversationState.person_id == bindparam("person_id"), ConversationState.platform == bindparam("platform"))
    .with_for_update()
)


async def lock_state(session: AsyncSession, person_id: int, platform: str) -> ConversationState:
    """The person's state row on the platform, created if missing, locked for this transaction.

    Two first messages at once may race to create it: the loser's insert fails in a savepoint and
    it waits for, then locks, the winner's row."""
    params = {"person_id": person_id, "platform": platform}
    row = await session.scalar(_STATE_QUERY, params)
    if row is None:
        try:
            async with session.begin_nested():
                row = ConversationState(person_id=person_id, platform=platform, data={})
                session.add(row)
        except IntegrityError:
            row = await session.scalar(_STATE_QUERY, params)
            if row is None:
                raise
    return row


def save_state(row: ConversationState, data: dict[str, Any]) -> None:
    row.data = data
    flag_modified(row, "data")  # also when `data` is the loaded dict, changed in place
    row.updated_at = utcnow()


NOTICES_ADDED = "maalbot.notices_added"  # in `session.info`: this transaction wrote notices


async def add_notice(session: AsyncSession, person_id: int, kind: str, params: dict[str, Any]) -> None:
    session.add(Notice(person_id=person_id, kind=kind, params=params))
    session.info[NOTICES_ADDED] = True  # the turn's caller delivers them right after the commit


def notices_added(session: AsyncSession) -> bool:
    """Whether this transaction wrote notices (`add_notice`)."""
    return bool(session.info.get(NOTICES_ADDED))


async def take_notices(session: AsyncSession, person_id: int) -> list[Notice]:
    """Undelivered notices for a person, marked delivered (the caller shows them in this reply)."""
    rows = list(
        (
            await session.scalars(
                select(Notice)
                .where(Notice.person_id == person_id, Notice.delivered_at.is_(None))
                .order_by(Notice.id)
                .with_for_update()  # a concurrent take waits, then skips what this one delivers
            )
        ).all()
    )
    now = utcnow()
    for row in rows:
        row.delivered_at = now
    return rows


NOTICE_CLAIM = timedelta(minutes=5)  # a claim older than this belonged to a round that died: taken again


async def claim_notices(session: AsyncSession, person_id: int, now: datetime) -> list[Notice]:
    """Undelivered notices for a person that no live round is sending, claimed for sending (NOT marked
    delivered: that happens only once the platform accepted them, `finish_notices`)."""
    rows = list(
        (
            await session.scalars(
                select(Notice)
                .where(
                    Notice.person_id == person_id,
                    Notice.delivered_at.is_(None),
                    or_(Notice.claimed_at.is_(None), Notice.claimed_at < now - NOTICE_CLAIM),
                )
                .order_by(Notice.id)
                .with_for_update()
            )
        ).all()
    )
    for row in rows:
        row.claimed_at = now
    return rows


async def finish_notices(session: AsyncSession, notice_ids: list[int], now: datetime) -> None:
    """The platform accepted them (or refused them for good): delivered."""
    if notice_ids:
        await session.execute(update(Notice).where(Notice.id.in_(notice_ids)).values(delivered_at=now))


async def release_notices(session: AsyncSession, notice_ids: list[int]) -> None:
    """Mark notices undelivered and unclaimed again (a send failed for now): the next round takes them."""
    if notice_ids:
        await session.execute(
            update(Notice).where(Notice.id.in_(notice_ids)).values(delivered_at=None, claimed_at=None)
        )
