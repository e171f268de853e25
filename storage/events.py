"""Events already handled, so a platform's retry or redelivery is processed once (also across restarts)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.models import ProcessedEvent


async def first_time(db: Database, platform: str, event_id: str) -> bool:
    """Record `event_id` as handled; True only for the first caller (the unique key decides races)."""
    try:
        async with db.transaction() as s:
            if await s.scalar(
                select(ProcessedEvent.id).where(
                    ProcessedEvent.platform == platform, ProcessedEvent.event_id == event_id
                )
            ):
                return False
            s.add(ProcessedEvent(platform=platform, event_id=event_id))
    except IntegrityError:
        return False
    return True


async def forget_before(db: Database, cutoff: datetime) -> int:
    """Drop records older than `cutoff` (platforms stop retrying after minutes; keep a day or so)."""
    async with db.transaction() as s:
        result = await s.execute(delete(ProcessedEvent).where(ProcessedEvent.received_at < cutoff))
        return int(getattr(result, "rowcount", 0) or 0)
