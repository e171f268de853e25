"""Apply a parsed organisation file (`storage.org_file.OrgFile`) to the database."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from storage import audit, web_sessions
from storage.db import Database
from storage.models import Area, AreaChannel, AuditAction, Institution, Membership, Person, Role
from storage.org_file import AreaEntry, InstitutionEntry, MembershipEntry, OrgFile, PersonEntry, name_key
from storage.types import utcnow

_CHUNK = 500  # keys per IN (...) query
CLI_ACTOR = "maalbot org import"  # who the audit log says changed roles from the command line


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"{self.created} new, {self.updated} updated, {self.unchanged} unchanged"


@dataclass
class ImportReport:
    """What `import_org` did. Memberships are only ever created or unchanged."""

    source: str
    areas: Counts = field(default_factory=Counts)
    institutions: Counts = field(default_factory=Counts)
    people: Counts = field(default_factory=Counts)
    memberships: Counts = field(default_factory=Counts)

    @property
    def changed(self) -> bool:
        return any(c.created or c.updated for c in (self.areas, self.institutions, self.people, self.memberships))

    def summary(self) -> str:
        m = self.memberships
        text = (
            f"{self.source}: areas {self.areas}; institutions {self.institutions}; people {self.people}; "
            f"roles {m.created} new, {m.unchanged} unchanged"
        )
        return text if self.changed else f"{text} (nothing changed)"


async def import_org(db: Database, org: OrgFile) -> ImportReport:
    """Apply `org` in one transaction: everything or nothing.

    Areas and institutions are matched by casefolded name, people by casefolded email; their names
    (and an institution's kind and area, an area's channels when the file names them) are updated.
    A person's `locale` is never touched. The file's roles (memberships) are added.

    Nothing that is missing from the file is deleted or demoted: an area, institution, person or role
    that the file does not mention stays as it is (`storage.org_sync.sync_org` removes those), so a person who moves
    from member to chair keeps the member role too. Importing the same file twice changes nothing.
    """
    async with db.transaction() as session:
        return await apply_org(session, org)


async def apply_org(session: AsyncSession, org: OrgFile, *, actor: str = CLI_ACTOR) -> ImportReport:
    """`import_org` inside the caller's transaction; the import and every role it adds are audited."""
    report = ImportReport(org.source)
    areas = await _upsert_areas(session, org.areas, report.areas)
    institutions = await _upsert_institutions(session, org.institutions, areas, report.institutions)
    people = await _upsert_people(session, org.people, report.people)
    await _add_memberships(session, org.memberships, areas, institutions, people, report.memberships, actor)
    for email_key, platform in org.channels:  # the file's choice of channel outranks the last used
        await web_sessions.set_preferred(session, people[email_key].id, platform, utcnow(), source="org")
    if report.changed:
        await audit.record(session, AuditAction.IMPORT, "organisation file", actor_name=actor, after=report.summary())
    return report


def place_of(role: str, institution: str | None, area: str | None) -> str:
    """A role as the audit log and the sync's diff show it: "chair of Solsikken", "admin"."""
    where = institution or area
    return f"{role} of {where}" if where else role


async def _load[M: Any](
    session: AsyncSession, model: type[M], column: InstrumentedAttribute[str], keys: Iterable[str]
) -> dict[str, M]:
    """The rows whose `column` is one of `keys`, by that column's value."""
    found: dict[str, M] = {}
    wanted = sorted(set(keys))
    for start in range(0, len(wanted), _CHUNK):
        rows = await session.scalars(select(model).where(column.in_(wanted[start : start + _CHUNK])))
        found |= {getattr(row, column.key): row for row in rows}
    return found


def _update(row: object, counts: Counts, **values: object) -> None:
    """Set the values that differ (None means "the file does not say") and count the row."""
    changes = {k: v for k, v in values.items() if v is not None and getattr(row, k) != v}
    for key, value in changes.items():
        setattr(row, key, value)
    if changes:
        counts.updated += 1
    else:
        counts.unchanged += 1


def _set_channels(area: Area, channels: Sequence[tuple[str, str]]) -> bool:
    """Set the channels the file names (platforms it does not name keep theirs); True if any changed."""
    current = {c.platform: c for c in area.channels}
    changed = False
    for platform, channel in channels:
        row = current.get(platform)
        if row is None:
            area.channels.append(AreaChannel(platform=platform, channel=channel))
            changed = True
        elif row.channel != channel:
            row.channel = channel
            changed = True
    return changed


async def _upsert_areas(session: AsyncSession, entries: Sequence[AreaEntry], counts: Counts) -> dict[str, Area]:
    areas = await _load(session, Area, Area.name_key, (e.key for e in entries))
    for e in entries:
        if e.key in areas:
            area = areas[e.key]
            changed = _set_channels(area, e.channels) | (area.name != e.name)
            area.name = e.name
            if changed:
                counts.updated += 1
            else:
                counts.unchanged += 1
        else:
            channels = [AreaChannel(platform=p, channel=c) for p, c in e.channels]
            areas[e.key] = Area(name=e.name, name_key=e.key, channels=channels)
            session.add(areas[e.key])
            counts.created += 1
    await session.flush()
    return areas


async def _upsert_institutions(
    session: AsyncSession, entries: Sequence[InstitutionEntry], areas: dict[str, Area], counts: Counts
) -> dict[str, Institution]:
    institutions = await _load(session, Institution, Institution.name_key, (e.key for e in entries))
    for e in entries:
        area = areas.get(name_key(e.area))
        if area is None:
            raise ValueError(f"institution {e.name!r} is in area {e.area!r}, which the file does not list")
        if e.key in institutions:
            _update(institutions[e.key], counts, name=e.name, kind=e.kind.value, area_id=area.id)
        else:
            institutions[e.key] = Institution(name=e.name, name_key=e.key, kind=e.kind.value, area_id=area.id)
            session.add(institutions[e.key])
            counts.created += 1
    await session.flush()
    return institutions


async def _upsert_people(session: AsyncSession, entries: Sequence[PersonEntry], counts: Counts) -> dict[str, Person]:
    people = await _load(session, Person, Person.email_key, (e.key for e in entries))
    for e in entries:
        if e.key in people:
            _update(people[e.key], counts, name=e.name, email=e.email)
        else:
            people[e.key] = Person(name=e.name, email=e.email, email_key=e.key)
            session.add(people[e.key])
            counts.created += 1
    await session.flush()
    return people


async def _add_memberships(
    session: AsyncSession,
    entries: Sequence[MembershipEntry],
    areas: dict[str, Area],
    institutions: dict[str, Institution],
    people: dict[str, Person],
    counts: Counts,
    actor: str,
) -> None:
    """Add the roles that are not there yet. The unique constraint on memberships cannot catch
    duplicates with NULL columns (admins, area leaders), so existing roles are compared here."""
    person_ids = sorted({p.id for p in people.values()})
    existing: set[tuple[int, str, int | None, int | None]] = set()
    for start in range(0, len(person_ids), _CHUNK):
        cols = (Membership.person_id, Membership.role, Membership.institution_id, Membership.area_id)
        rows = await session.execute(select(*cols).where(Membership.person_id.in_(person_ids[start : start + _CHUNK])))
        existing |= {(r[0], r[1], r[2], r[3]) for r in rows}
    for e in entries:
        row = (_person(people, e).id, e.role.value, *_target(e, areas, institutions))
        if row in existing:
            counts.unchanged += 1
            continue
        existing.add(row)
        session.add(Membership(person_id=row[0], role=row[1], institution_id=row[2], area_id=row[3]))
        counts.created += 1
        await audit.record(
            session, AuditAction.ROLE, "role added", actor_name=actor, subject_id=row[0], institution_id=row[2],
            after=place_of(row[1], e.institution, e.area),
        )  # fmt: skip
    await session.flush()


def _person(people: dict[str, Person], e: MembershipEntry) -> Person:
    if e.email_key not in people:
        raise ValueError(f"a {e.role} role is given to {e.email_key}, who is not in the file")
    return people[e.email_key]


def _target(
    e: MembershipEntry, areas: dict[str, Area], institutions: dict[str, Institution]
) -> tuple[int | None, int | None]:
    """(institution_id, area_id) for one role: an institution's, an area's, or neither (admin)."""
    if e.role is Role.ADMIN:
        return None, None
    if e.role is Role.AREA_LEADER:
        area = areas.get(name_key(e.area or ""))
        if area is None:
            raise ValueError(f"{e.email_key} leads area {e.area!r}, which the file does not list")
        return None, area.id
    institution = institutions.get(name_key(e.institution or ""))
    if institution is None:
        raise ValueError(f"{e.email_key} is {e.role} of {e.institution!r}, which the file does not list")
    return institution.id, None
