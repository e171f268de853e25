"""Data protection for one person: everything stored about them (art. 15), their removal when they
leave, and their erasure (art. 17).

- `remove_person`: the person and everything that is only theirs (identities, roles, conversation
  state, notices, chat references, pause, messages not yet sent) go; what they wrote for the board stays
  with the board; the audit log keeps their name as it was.
- `erase_person`: `remove_person`, and then their name and email are replaced by a pseudonym in every
  other row that can hold them: audit entries (who, field, before, after), other members' notices,
  other conversations' state, outbox payloads (also sent ones), and pending messages to them are
  deleted with any sent ones. The board's registration content (local goals, interventions,
  measurements, follow-up answers) is not touched: it belongs to the board."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Text, cast, delete, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from storage import audit
from storage.models import (
    AuditAction,
    AuditEntry,
    ConversationRef,
    ConversationState,
    FollowUp,
    Identity,
    InboxItem,
    LocalGoal,
    Membership,
    Notice,
    OutboxBody,
    OutboxItem,
    OutboxStatus,
    Person,
    ReminderPause,
    WebMessage,
)

PSEUDONYM = "[erased person]"  # what an erased person's name and email become


@dataclass
class Removal:
    """What removing (or erasing) a person did or would do: row counts by what they are."""

    person_id: int
    counts: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        return [f"{what}: {n}" for what, n in self.counts.items() if n]


def recipient_of(person_id: int) -> str:
    """The outbox's recipient key for a person (see `storage.outbox`)."""
    return f"person:{person_id}"


def _inbox_of(person_id: int) -> ColumnElement[bool]:
    """The inbox rows of the person's platform identities (by platform and user id)."""
    mine = select(Identity.platform, Identity.user_key).where(Identity.person_id == person_id)
    return tuple_(InboxItem.platform, InboxItem.user_key).in_(mine)


async def _count(session: AsyncSession, model: type[Any], *where: Any) -> int:
    return len((await session.scalars(select(model.id).where(*where))).all())


async def plan_removal(session: AsyncSession, person: Person) -> Removal:
    """What `remove_person` would delete (nothing is changed)."""
    pid = person.id
    counts = {
        "identities": await _count(session, Identity, Identity.person_id == pid),
        "roles": await _count(session, Membership, Membership.person_id == pid),
        "conversation states": await _count(session, ConversationState, ConversationState.person_id == pid),
        "notices to them": await _count(session, Notice, Notice.person_id == pid),
        "chat references": await _count(session, ConversationRef, ConversationRef.person_id == pid),
        "reminder pauses": await _count(session, ReminderPause, ReminderPause.person_id == pid),
        "messages to them": await _count(session, OutboxItem, OutboxItem.recipient == recipient_of(pid)),
        "received messages": await _count(session, InboxItem, _inbox_of(pid)),
    }
    return Removal(pid, counts)


async def remove_person(session: AsyncSession, person: Person, *, actor: str, reason: str = "removed") -> Removal:
    """Delete the person and what is only theirs. Rights stop at once: links and chat commands look
    the person and their roles up on every request. Audited (the entry keeps the name as it was)."""
    plan = await plan_removal(session, person)
    await audit.allow_maintenance(session)  # the audit entries' person_id turns NULL (their name stays)
    await audit.record(
        session, AuditAction.PERSON, "person", actor_name=actor, subject_id=person.id,
        before=f"{person.name} <{person.email}>", after=reason,
    )  # fmt: skip
    await session.execute(delete(OutboxItem).where(OutboxItem.recipient == recipient_of(person.id)))
    await session.execute(delete(InboxItem).where(_inbox_of(person.id)))  # what they wrote, not yet processed
    await session.delete(person)  # identities, roles, state, notices, references, pause: ON DELETE CASCADE
    await session.flush()
    return plan


async def erase_person(session: AsyncSession, person: Person, *, actor: str) -> Removal:
    """Remove the person, then replace their name and email everywhere else by `PSEUDONYM`.
    The erasure itself is audited, without the name."""
    pid, secrets = person.id, sorted({s for s in (person.email, person.email_key, person.name) if s})
    result = await remove_person(session, person, actor=actor, reason="erased")
    scrubbed = 0
    audit_text = (AuditEntry.actor_name, AuditEntry.field, AuditEntry.before, AuditEntry.after)
    for entry in (await session.scalars(select(AuditEntry).where(_may_hold(audit_text, secrets)))).all():
        for column in ("actor_name", "field", "before", "after"):
            value = getattr(entry, column)
            if isinstance(value, str) and _contains(value, secrets):
                setattr(entry, column, _scrub(value, secrets))
                scrubbed += 1
    for model, column in (
        (Notice, "params"),
        (ConversationState, "data"),
        (OutboxItem, "payload"),
        (OutboxBody, "replies"),  # texts shared by outbox rows (issue 18)
        (WebMessage, "body"),
    ):
        json_text = (cast(getattr(model, column), Text),)
        for row in (await session.scalars(select(model).where(_may_hold(json_text, secrets)))).all():
            value = getattr(row, column)
            dumped = json.dumps(value, ensure_ascii=False)
            if _contains(dumped, secrets):
                setattr(row, column, json.loads(_scrub(dumped, secrets, quoted=True)))
                scrubbed += 1
    await audit.record(session, AuditAction.ERASURE, "person", actor_name=actor, subject_id=pid, after=PSEUDONYM)
    result.counts["other rows where the name or email was replaced"] = scrubbed
    await session.flush()
    return result


def _may_hold(columns: tuple[Any, ...], secrets: list[str]) -> ColumnElement[bool]:
    """A cheap SQL filter for the rows that may hold a secret, as typed or as JSON stores it ("\\u00f8");
    Python makes the exact decision on what it returns."""
    patterns = {p for s in secrets for p in (s, json.dumps(s)[1:-1])}
    escaped = sorted(p.replace("!", "!!").replace("%", "!%").replace("_", "!_") for p in patterns)
    return or_(*(column.ilike(f"%{p}%", escape="!") for column in columns for p in escaped))


def _contains(text: str, secrets: list[str]) -> bool:
    folded = text.casefold()
    return any(s.casefold() in folded for s in secrets)


def _scrub(text: str, secrets: list[str], *, quoted: bool = False) -> str:
    """`text` with every secret (case-insensitively) replaced by the pseudonym; `quoted`: `text` is
    JSON, so the secrets and the pseudonym are escaped as JSON would."""
    replacement = json.dumps(PSEUDONYM, ensure_ascii=False)[1:-1] if quoted else PSEUDONYM
    for secret in sorted(secrets, key=len, reverse=True):
        escaped = json.dumps(secret, ensure_ascii=False)[1:-1] if quoted else secret
        text = re.sub(re.escape(escaped), lambda _m: replacement, text, flags=re.IGNORECASE)
    return text


async def wrote(session: AsyncSession, person_id: int) -> tuple[list[LocalGoal], list[FollowUp]]:
    """The local goals the person created or last changed, and the follow-ups they answered."""
    goals = await session.scalars(
        select(LocalGoal)
        .where((LocalGoal.created_by_id == person_id) | (LocalGoal.updated_by_id == person_id))
        .order_by(LocalGoal.registration_id, LocalGoal.goal_number, LocalGoal.position)
    )
    follow_ups = await session.scalars(
        select(FollowUp).where(FollowUp.answered_by_id == person_id).order_by(FollowUp.id)
    )
    return list(goals.all()), list(follow_ups.all())


def is_pending(item: OutboxItem) -> bool:
    return item.status in (OutboxStatus.PENDING.value, OutboxStatus.CLAIMED.value)
