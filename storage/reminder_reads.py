"""What the reminder planner reads, as plain rows: a few set-based queries whatever the municipality's
size (no ORM objects, no query per person or institution). `dialogs.reminders.snapshot` turns them into
the planner's snapshot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Area,
    AreaChannel,
    Institution,
    LocalGoal,
    Measurement,
    Membership,
    Person,
    Registration,
    ReminderPause,
)


@dataclass(frozen=True, slots=True)
class PlannerRows:
    areas: list[tuple[int, str, tuple[tuple[str, str], ...]]]  # id, name, (platform, channel) per channel
    area_of: dict[int, int]  # institution id -> area id
    registration_of: dict[int, int]  # institution id -> registration id (active strategy)
    people: list[tuple[int, str, str | None, date | None]]  # id, name, locale, paused until
    memberships: list[tuple[int, str, int | None, int | None]]  # person, role, institution, area
    measurements: list[tuple[int, int, int, str, str, list[Any]]]  # local goal, institution, goal, text, method, dates


async def planner_rows(session: AsyncSession, strategy_id: int) -> PlannerRows:
    channels: dict[int, list[tuple[str, str]]] = {}
    for area_id, platform, channel in (
        await session.execute(
            select(AreaChannel.area_id, AreaChannel.platform, AreaChannel.channel).order_by(
                AreaChannel.area_id, AreaChannel.platform
            )
        )
    ).all():
        channels.setdefault(int(area_id), []).append((str(platform), str(channel)))
    areas = [
        (int(i), str(n), tuple(channels.get(int(i), ())))
        for i, n in (await session.execute(select(Area.id, Area.name).order_by(Area.name))).all()
    ]
    area_of = {int(i): int(a) for i, a in (await session.execute(select(Institution.id, Institution.area_id))).all()}
    registration_of = {
        int(i): int(r)
        for i, r in (
            await session.execute(
                select(Registration.institution_id, Registration.id).where(Registration.strategy_id == strategy_id)
            )
        ).all()
    }
    people: list[tuple[int, str, str | None, date | None]] = [
        (int(i), str(n), loc, until)
        for i, n, loc, until in (
            await session.execute(
                select(Person.id, Person.name, Person.locale, ReminderPause.until).outerjoin(
                    ReminderPause, ReminderPause.person_id == Person.id
                )
            )
        ).all()
    ]
    memberships = [
        (int(p), str(r), i, a)
        for p, r, i, a in (
            await session.execute(
                select(Membership.person_id, Membership.role, Membership.institution_id, Membership.area_id)
            )
        ).all()
    ]
    measurements = [
        (int(lg), int(inst), int(goal), str(text), str(method), list(dates or []))
        for lg, inst, goal, text, method, dates in (
            await session.execute(
                select(
                    LocalGoal.id,
                    Registration.institution_id,
                    LocalGoal.goal_number,
                    LocalGoal.text,
                    Measurement.method,
                    Measurement.dates,
                )
                .join(LocalGoal, LocalGoal.id == Measurement.local_goal_id)
                .join(Registration, Registration.id == LocalGoal.registration_id)
                .where(Registration.strategy_id == strategy_id)
                .order_by(LocalGoal.id, Measurement.id)
            )
        ).all()
        if dates
    ]
    return PlannerRows(areas, area_of, registration_of, people, memberships, measurements)
