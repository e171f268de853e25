"""Read the planner's snapshot from the database, in one read transaction of a few queries."""

from __future__ import annotations

from datetime import date, datetime, timedelta

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
from storage import followups, outbox, progress, reminder_reads, strategies

UNREACHABLE_WINDOW = timedelta(days=7)  # failures listed in the admins' digest


def _dates(values: list[object]) -> tuple[date, ...]:
    out = []
    for value in values:
        try:
            out.append(value if isinstance(value, date) else date.fromisoformat(str(value)))
        except ValueError:
            continue
    return tuple(sorted(set(out)))


async def load_snapshot(session: AsyncSession, now: datetime, *, default_locale: str = "da") -> Snapshot:
    """A few set-based queries (`storage.reminder_reads`, `storage.progress`), whatever the size."""
    row = await strategies.active_strategy(session)
    if row is None:
        return Snapshot(None, default_locale=default_locale)
    strategy = parse_strategy(row.definition)
    everything = progress.Scope(True, frozenset(), frozenset(), board_only=False)
    rows = await progress.progress(session, row.id, everything)
    read = await reminder_reads.planner_rows(session, row.id)
    institutions = tuple(
        InstitutionInfo(p.institution_id, p.name, read.area_of[p.institution_id], p.status,
                        read.registration_of.get(p.institution_id), dict(p.goals))
        for p in rows
    )  # fmt: skip
    failures = await outbox.failures_since(session, now - UNREACHABLE_WINDOW)
    return Snapshot(
        strategy=strategy,
        areas=tuple(AreaInfo(*a) for a in read.areas),
        institutions=institutions,
        people={p[0]: PersonInfo(*p) for p in read.people},
        memberships=tuple(MembershipInfo(*m) for m in read.memberships),
        measurements=tuple(
            MeasurementInfo(lg, inst, goal, text, method, _dates(dates))
            for lg, inst, goal, text, method, dates in read.measurements
        ),
        answered_followups=frozenset(await followups.answered_keys(session)),
        unreachable=tuple((f.to_name, f.error) for f in failures),
        default_locale=default_locale,
    )
