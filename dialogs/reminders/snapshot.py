"""Read the planner's snapshot from the database, in one transaction."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
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
from storage import followups, outbox, progress, strategies
from storage.models import (
    Area,
    Institution,
    LocalGoal,
    Measurement,
    Membership,
    Person,
    Registration,
    ReminderPause,
)

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
    row = await strategies.active_strategy(session)
    if row is None:
        return Snapshot(None, default_locale=default_locale)
    strategy = parse_strategy(row.definition)
    everything = progress.Scope(True, frozenset(), frozenset(), board_only=False)
    rows = await progress.progress(session, row.id, everything)
    area_of = {i: a for i, a in (await session.execute(select(Institution.id, Institution.area_id))).all()}
    reg_of = {
        inst_id: reg_id
        for inst_id, reg_id in (
            await session.execute(
                select(Registration.institution_id, Registration.id).where(Registration.strategy_id == row.id)
            )
        ).all()
    }
    institutions = tuple(
        InstitutionInfo(p.institution_id, p.name, area_of[p.institution_id], p.status, reg_of.get(p.institution_id),
                        dict(p.goals))
        for p in rows
    )  # fmt: skip
    areas = tuple(
        AreaInfo(a.id, a.name, tuple((c.platform, c.channel) for c in a.channels))
        for a in (await session.scalars(select(Area).order_by(Area.name))).all()
    )
    pauses = {p: u for p, u in (await session.execute(select(ReminderPause.person_id, ReminderPause.until))).all()}
    people = {
        p.id: PersonInfo(p.id, p.name, p.locale, pauses.get(p.id))
        for p in (await session.scalars(select(Person))).all()
    }
    memberships = tuple(
        MembershipInfo(person_id, role, inst_id, area_id)
        for person_id, role, inst_id, area_id in (
            await session.execute(
                select(Membership.person_id, Membership.role, Membership.institution_id, Membership.area_id)
            )
        ).all()
    )
    measurements = tuple(
        MeasurementInfo(lg.id, inst_id, lg.goal_number, lg.text, meas.method, _dates(list(meas.dates or [])))
        for meas, lg, inst_id in (
            await session.execute(
                select(Measurement, LocalGoal, Registration.institution_id)
                .join(LocalGoal, LocalGoal.id == Measurement.local_goal_id)
                .join(Registration, Registration.id == LocalGoal.registration_id)
                .where(Registration.strategy_id == row.id)
                .order_by(LocalGoal.id, Measurement.id)
            )
        ).all()
        if meas.dates
    )
    failures = await outbox.failures_since(session, now - UNREACHABLE_WINDOW)
    return Snapshot(
        strategy=strategy,
        areas=areas,
        institutions=institutions,
        people=people,
        memberships=memberships,
        measurements=measurements,
        answered_followups=frozenset(await followups.answered_keys(session)),
        unreachable=tuple((f.to_name, f.error) for f in failures),
        default_locale=default_locale,
    )
