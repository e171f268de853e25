"""The audit log: record a change (who as they were called then, what, about whom, before, after),
read it for an institution or a person, and open it for maintenance (purge, erasure, removal).

The log is append-only. The application only ever inserts through `record` (and `DraftWriter`);
on PostgreSQL a trigger (migration 0006) refuses UPDATE and DELETE unless the transaction called
`allow_maintenance` first. SQLite has no such guard: there the application simply never updates it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditAction, AuditEntry, Person, Registration
from storage.types import utcnow


@dataclass(frozen=True, slots=True)
class AuditLine:
    """One audit entry as people read it."""

    at: datetime
    who: str | None
    action: str
    field: str
    before: str | None
    after: str | None
    registration_id: int | None
    institution_id: int | None

    def as_dict(self) -> dict[str, str | int | None]:
        return {
            "at": self.at.isoformat(),
            "who": self.who,
            "action": self.action,
            "field": self.field,
            "before": self.before,
            "after": self.after,
            "registration_id": self.registration_id,
            "institution_id": self.institution_id,
        }


async def name_of(session: AsyncSession, person_id: int | None) -> str | None:
    if person_id is None:
        return None
    person = await session.get(Person, person_id)
    return person.name if person is not None else None


async def record(
    session: AsyncSession,
    action: AuditAction,
    field: str,
    *,
    actor_id: int | None = None,
    actor_name: str | None = None,
    subject_id: int | None = None,
    institution_id: int | None = None,
    registration_id: int | None = None,
    before: str | None = None,
    after: str | None = None,
    at: datetime | None = None,
) -> None:
    """Add one entry. `actor_name` defaults to the actor's current name (kept as it is now)."""
    if actor_name is None:
        actor_name = await name_of(session, actor_id)
    session.add(
        AuditEntry(
            registration_id=registration_id,
            institution_id=institution_id,
            person_id=actor_id,
            actor_name=actor_name,
            subject_person_id=subject_id,
            action=action.value,
            at=at or utcnow(),
            version=0,
            field=field,
            before=before,
            after=after,
        )
    )


async def allow_maintenance(session: AsyncSession) -> None:
    """Let this transaction update or delete audit entries (PostgreSQL's trigger checks this setting;
    it ends with the transaction). Only purge, erasure and removal call it."""
    if session.sync_session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT set_config('maalbot.audit_maintenance', 'on', true)"))


def _line(entry: AuditEntry) -> AuditLine:
    return AuditLine(
        entry.at, entry.actor_name, entry.action, entry.field, entry.before, entry.after,
        entry.registration_id, entry.institution_id,
    )  # fmt: skip


async def for_institution(session: AsyncSession, institution_id: int, *, limit: int | None = None) -> list[AuditLine]:
    """The institution's entries (its registrations' and its own), newest first."""
    regs = select(Registration.id).where(Registration.institution_id == institution_id)
    query = (
        select(AuditEntry)
        .where(or_(AuditEntry.institution_id == institution_id, AuditEntry.registration_id.in_(regs)))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    )
    if limit is not None:
        query = query.limit(limit)
    return [_line(e) for e in (await session.scalars(query)).all()]


async def by_or_about(session: AsyncSession, person_id: int) -> tuple[list[AuditLine], list[AuditLine]]:
    """(entries by the person, entries about the person), oldest first."""
    by = await session.scalars(select(AuditEntry).where(AuditEntry.person_id == person_id).order_by(AuditEntry.id))
    about = await session.scalars(
        select(AuditEntry).where(AuditEntry.subject_person_id == person_id).order_by(AuditEntry.id)
    )
    return [_line(e) for e in by.all()], [_line(e) for e in about.all()]
