"""A person's pause of reminders («pause indtil 1. december»): one row per person, the first day reminders
may come again."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ReminderPause


async def paused_until(session: AsyncSession, person_id: int) -> date | None:
    return await session.scalar(select(ReminderPause.until).where(ReminderPause.person_id == person_id))


async def locked_pause(session: AsyncSession, person_id: int) -> date | None:
    """The pause, with its row locked for the rest of the transaction (PostgreSQL; SQLite's transactions
    are serialised by BEGIN IMMEDIATE)."""
    return await session.scalar(
        select(ReminderPause.until).where(ReminderPause.person_id == person_id).with_for_update()
    )


async def set_pause(session: AsyncSession, person_id: int, until: date | None) -> None:
    """Pause until `until`, or resume (None)."""
    row = await session.scalar(select(ReminderPause).where(ReminderPause.person_id == person_id))
    if until is None:
        if row is not None:
            await session.delete(row)
        return
    if row is None:
        session.add(ReminderPause(person_id=person_id, until=until))
    else:
        row.until = until
