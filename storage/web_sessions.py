"""The web chat's storage: sessions (by the hash of their cookie token), used sign-in links, the
messages a person's chat page shows, and each person's preferred channel."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ChannelPreference, Identity, InboxItem, Person, WebMessage, WebSession, WebSignIn

SHOWN = 60  # the most recent messages a chat page shows


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(s: AsyncSession, person_id: int, token: str, csrf: str, now: datetime, expires: datetime) -> None:
    s.add(WebSession(token_hash=token_hash(token), person_id=person_id, csrf=csrf, created_at=now, expires_at=expires))


async def session_of(s: AsyncSession, token: str, now: datetime) -> tuple[WebSession, Person] | None:
    """The live session a cookie token names, with its person; None for an unknown or expired one."""
    row = (
        await s.execute(
            select(WebSession, Person)
            .join(Person, Person.id == WebSession.person_id)
            .where(WebSession.token_hash == token_hash(token))
        )
    ).first()
    if row is None or row[0].expires_at <= now:
        return None
    return row[0], row[1]


async def end_session(s: AsyncSession, token: str) -> None:
    await s.execute(delete(WebSession).where(WebSession.token_hash == token_hash(token)))


async def forget_expired(s: AsyncSession, now: datetime) -> None:
    await s.execute(delete(WebSession).where(WebSession.expires_at <= now))
    await s.execute(delete(WebSignIn).where(WebSignIn.expires_at <= now))


async def use_sign_in(s: AsyncSession, nonce: str, person_id: int, now: datetime, expires: datetime) -> bool:
    """Mark a sign-in link used; False when it had been used before (a link works once)."""
    try:
        async with s.begin_nested():
            s.add(WebSignIn(nonce=nonce, person_id=person_id, used_at=now, expires_at=expires))
    except IntegrityError:
        return False
    return True


def add_message(s: AsyncSession, person_id: int, direction: str, body: dict[str, Any], now: datetime) -> None:
    s.add(WebMessage(person_id=person_id, direction=direction, body=body, created_at=now))


async def messages(s: AsyncSession, person_id: int, limit: int = SHOWN) -> list[WebMessage]:
    rows = await s.scalars(
        select(WebMessage).where(WebMessage.person_id == person_id).order_by(WebMessage.id.desc()).limit(limit)
    )
    return list(reversed(rows.all()))


async def last_message_id(s: AsyncSession, person_id: int) -> int:
    found = await s.scalar(
        select(WebMessage.id).where(WebMessage.person_id == person_id).order_by(WebMessage.id.desc())
    )
    return int(found or 0)


async def preferred_platform(s: AsyncSession, person_id: int) -> str | None:
    """Where to write to the person first: the organisation file's choice; else the platform they last
    wrote from (their newest inbox row; the inbox keeps a week); else the one last remembered."""
    row = await s.scalar(select(ChannelPreference).where(ChannelPreference.person_id == person_id))
    if row is not None and row.source == "org":
        return row.platform
    latest = await s.scalar(
        select(InboxItem.platform)
        .join(Identity, (Identity.platform == InboxItem.platform) & (Identity.user_key == InboxItem.user_key))
        .where(Identity.person_id == person_id)
        .order_by(InboxItem.id.desc())
        .limit(1)
    )
    return latest or (row.platform if row is not None else None)


async def set_preferred(s: AsyncSession, person_id: int, platform: str, now: datetime, *, source: str = "used") -> None:
    """Remember the platform a person used (not over a choice the organisation file made), or set it
    from the organisation file (`source="org"`)."""
    row = await s.scalar(select(ChannelPreference).where(ChannelPreference.person_id == person_id))
    if row is None:
        s.add(ChannelPreference(person_id=person_id, platform=platform, source=source, updated_at=now))
    elif source == "org" or row.source != "org":
        row.platform, row.source, row.updated_at = platform, source, now
