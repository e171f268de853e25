"""Read the planner's snapshot from the database, in one read transaction of a few queries of plain
columns, and keep it between ticks (`SnapshotCache`): a tick re-reads only the part that changed."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.reminders.model import (
    AreaInfo,
    InstitutionInfo,
    MeasurementInfo,
    MembershipInfo,
    PersonInfo,
    Snapshot,
)
from dialogs.strategy import parse_strategy
from storage import followups, outbox, reminder_reads

UNREACHABLE_WINDOW = timedelta(days=7)  # failures listed in the admins' digest
REFRESH = timedelta(hours=1)  # read everything again at least this often (a rename the aggregates miss)


def _dates(values: list[object]) -> tuple[date, ...]:
    out = []
    for value in values:
        try:
            out.append(value if isinstance(value, date) else date.fromisoformat(str(value)))
        except ValueError:
            continue
    return tuple(sorted(set(out)))


def _measurements(rows: Sequence[tuple[int, int, int, str, str, list[Any]]]) -> tuple[MeasurementInfo, ...]:
    return tuple(
        MeasurementInfo(lg, inst, goal, text, method, _dates(dates)) for lg, inst, goal, text, method, dates in rows
    )


@dataclass
class SnapshotCache:
    """The planner's snapshot, kept between ticks of one process.

    Every tick reads a few cheap things: aggregates over the organisation (`reminder_reads.org_marks`, one
    per part), each registration's version, the pauses, the answered follow-ups and the recent failures.
    What changed is read again, and only that: the areas, channels, institutions or the active strategy
    read everything again; people or memberships (someone joined or left a board) read the people and
    memberships again and keep the institutions and their progress; a registration's version (or status)
    reads the progress of those institutions only. The measurements with dates are read every tick (few
    rows, and a follow-up must not wait for anything else to change). With nothing changed the same
    snapshot is returned. Every read is of plain columns into tuples, no ORM objects.

    The aggregates miss a rename that keeps a name's length, so everything is also read again every
    `REFRESH` (names only show in new messages; who gets one is decided by ids and roles, which the
    aggregates do see).

    `generation` changes whenever who may get a reminder can have changed (the organisation or a pause),
    which `dialogs.reminders.planner.PlanMemory` uses to know when its record of complete rounds holds."""

    default_locale: str = "da"
    generation: int = 0
    full_reads: int = 0
    partial_reads: int = 0  # ticks that re-read the progress of some institutions only
    people_reads: int = 0  # ticks that re-read the people and memberships only (the rest kept)
    _strategy_key: tuple[Any, ...] | None = None
    _org: reminder_reads.Marks | None = None
    _versions: dict[int, tuple[int, int, str]] = field(default_factory=dict)
    _pauses: dict[int, date] = field(default_factory=dict)
    _institutions: dict[int, InstitutionInfo] = field(default_factory=dict)
    _snapshot: Snapshot | None = None
    _read_at: datetime | None = None

    async def load(self, session: AsyncSession, now: datetime) -> Snapshot:
        strategy_key = await reminder_reads.active_strategy_key(session)  # its definition only when read
        if strategy_key is None:
            self._snapshot = None
            return Snapshot(None, default_locale=self.default_locale)
        strategy_id = strategy_key[0]
        org = await reminder_reads.org_marks(session)
        versions = await reminder_reads.registration_versions(session, strategy_id)
        pauses = await reminder_reads.pauses(session)
        answered = frozenset(await followups.answered_keys(session))
        measurements = _measurements(await reminder_reads.measurement_rows(session, strategy_id))
        unreachable = tuple(
            (f.to_name, f.error) for f in await outbox.failures_since(session, now - UNREACHABLE_WINDOW)
        )
        snap = self._snapshot
        changed = {
            part for part, old, new in zip(reminder_reads.MARK_PARTS, self._org or (), org, strict=False) if old != new
        }
        stale = self._read_at is None or not timedelta(0) <= now - self._read_at < REFRESH
        first = snap is None or strategy_key != self._strategy_key
        if snap is None or first or stale or changed - {"people", "memberships"}:
            definition = await reminder_reads.strategy_definition(session, strategy_id)
            snap = await self._read_all(session, strategy_id, definition, versions, pauses, measurements)
            self._read_at = now
            self.generation += 1 if first or changed or pauses != self._pauses else 0
            self.full_reads += 1
        else:
            if changed:  # people or memberships only: who sits where; the institutions and their progress kept
                snap = await self._read_people(session, snap, pauses)
                self.people_reads += 1
                self.generation += 1
            moved = {i for i in versions.keys() | self._versions.keys() if versions.get(i) != self._versions.get(i)}
            if moved:
                snap = await self._read_changed(session, strategy_id, snap, moved, versions)
                self.partial_reads += 1
            if pauses != self._pauses:
                people = dict(snap.people)
                for person_id in pauses.keys() | self._pauses.keys():
                    if person_id in people:
                        people[person_id] = replace(people[person_id], paused_until=pauses.get(person_id))
                snap = replace(snap, people=people)
                self.generation += 1
        self._strategy_key, self._org = strategy_key, org
        self._versions, self._pauses = versions, pauses
        if snap.answered_followups != answered or snap.unreachable != unreachable or snap.measurements != measurements:
            snap = replace(snap, answered_followups=answered, unreachable=unreachable, measurements=measurements)
        self._snapshot = snap
        return snap

    async def _read_people(self, session: AsyncSession, snap: Snapshot, pauses: dict[int, date]) -> Snapshot:
        people, memberships = await reminder_reads.people_rows(session), await reminder_reads.membership_rows(session)

        def build() -> Snapshot:
            return replace(
                snap,
                people={i: PersonInfo(i, name, locale, pauses.get(i)) for i, name, locale in people},
                memberships=tuple(MembershipInfo(*m) for m in memberships),
            )

        return await asyncio.to_thread(build)  # 75,000 objects and their indexes: off the event loop

    async def _read_all(
        self,
        session: AsyncSession,
        strategy_id: int,
        definition: dict[str, Any],
        versions: dict[int, tuple[int, int, str]],
        pauses: dict[int, date],
        measurements: tuple[MeasurementInfo, ...],
    ) -> Snapshot:
        areas = tuple(AreaInfo(*a) for a in await reminder_reads.area_rows(session))
        rows = await reminder_reads.institution_rows(session, strategy_id)
        self._institutions = {r[0]: self._info(r, versions) for r in rows}
        bare = Snapshot(
            strategy=parse_strategy(definition),
            areas=areas,
            institutions=tuple(self._institutions.values()),
            measurements=measurements,
            default_locale=self.default_locale,
        )
        return await self._read_people(session, bare, pauses)

    async def _read_changed(
        self,
        session: AsyncSession,
        strategy_id: int,
        snap: Snapshot,
        changed: set[int],
        versions: dict[int, tuple[int, int, str]],
    ) -> Snapshot:
        for r in await reminder_reads.institution_rows(session, strategy_id, changed):
            self._institutions[r[0]] = self._info(r, versions)
        return replace(snap, institutions=tuple(self._institutions.values()))

    @staticmethod
    def _info(
        row: tuple[int, str, int, str, dict[int, int]], versions: dict[int, tuple[int, int, str]]
    ) -> InstitutionInfo:
        institution_id, name, area_id, status, goals = row
        registration = versions.get(institution_id)
        return InstitutionInfo(institution_id, name, area_id, status, registration[0] if registration else None, goals)


async def load_snapshot(session: AsyncSession, now: datetime, *, default_locale: str = "da") -> Snapshot:
    """A few set-based queries (`storage.reminder_reads`), whatever the size."""
    return await SnapshotCache(default_locale).load(session, now)
