"""Where the bot can write first: stored conversation references (a Teams personal chat or channel).

The reference itself is the platform's JSON, opaque here. A reference turns unusable when the
platform says the conversation is gone or the bot is blocked (403/404); meeting it again in a new
message makes it usable again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.models import ConversationRef, Identity
from storage.types import utcnow

PERSONAL = "personal"
CHANNEL = "channel"
GROUP = "group"


@dataclass(frozen=True, slots=True)
class StoredRef:
    platform: str
    conversation_key: str
    kind: str  # personal | channel | group
    reference: dict[str, Any]
    person_id: int | None
    usable: bool


def _stored(row: ConversationRef) -> StoredRef:
    return StoredRef(row.platform, row.conversation_key, row.kind, dict(row.reference), row.person_id, row.usable)


async def upsert(
    db: Database,
    platform: str,
    conversation_key: str,
    kind: str,
    reference: dict[str, Any],
    person_id: int | None = None,
) -> None:
    """Store or refresh a reference; a known person is kept when a later update does not know them."""
    for _attempt in range(2):  # a concurrent first insert loses on the unique key; then update
        try:
            async with db.transaction() as s:
                row = await s.scalar(
                    select(ConversationRef).where(
                        ConversationRef.platform == platform, ConversationRef.conversation_key == conversation_key
                    )
                )
                if row is None:
                    s.add(
                        ConversationRef(
                            platform=platform,
                            conversation_key=conversation_key,
                            kind=kind,
                            reference=reference,
                            person_id=person_id,
                            usable=True,
                            updated_at=utcnow(),
                        )
                    )
                    return
                row.kind = kind
                row.reference = reference
                row.person_id = person_id if person_id is not None else row.person_id
                row.usable = True
                row.updated_at = utcnow()
                return
        except IntegrityError:
            continue


async def get(db: Database, platform: str, conversation_key: str) -> StoredRef | None:
    async with db.transaction() as s:
        row = await s.scalar(
            select(ConversationRef).where(
                ConversationRef.platform == platform, ConversationRef.conversation_key == conversation_key
            )
        )
        return _stored(row) if row else None


async def personal_for(db: Database, platform: str, person_id: int) -> StoredRef | None:
    """The person's most recent usable personal conversation on `platform`."""
    async with db.transaction() as s:
        row = await s.scalar(
            select(ConversationRef)
            .where(
                ConversationRef.platform == platform,
                ConversationRef.person_id == person_id,
                ConversationRef.kind == PERSONAL,
                ConversationRef.usable.is_(True),
            )
            .order_by(ConversationRef.updated_at.desc(), ConversationRef.id.desc())
            .limit(1)
        )
        return _stored(row) if row else None


async def latest(db: Database, platform: str) -> StoredRef | None:
    """The most recently seen usable reference on `platform` (for its service address and tenant)."""
    async with db.transaction() as s:
        row = await s.scalar(
            select(ConversationRef)
            .where(ConversationRef.platform == platform, ConversationRef.usable.is_(True))
            .order_by(ConversationRef.updated_at.desc(), ConversationRef.id.desc())
            .limit(1)
        )
        return _stored(row) if row else None


async def mark_unusable(db: Database, platform: str, conversation_key: str) -> None:
    async with db.transaction() as s:
        row = await s.scalar(
            select(ConversationRef).where(
                ConversationRef.platform == platform, ConversationRef.conversation_key == conversation_key
            )
        )
        if row is not None:
            row.usable = False
            row.updated_at = utcnow()


async def user_key_of(db: Database, platform: str, person_id: int) -> str | None:
    """The person's user id on `platform`, if they have been seen there (to open a chat with them)."""
    async with db.transaction() as s:
        key = await s.scalar(
            select(Identity.user_key)
            .where(Identity.platform == platform, Identity.person_id == person_id)
            .order_by(Identity.id.desc())
            .limit(1)
        )
        return str(key) if key is not None else None


async def person_of(db: Database, platform: str, user_key: str) -> int | None:
    async with db.transaction() as s:
        person_id = await s.scalar(
            select(Identity.person_id).where(Identity.platform == platform, Identity.user_key == user_key)
        )
        return int(person_id) if person_id is not None else None
