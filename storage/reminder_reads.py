"""What the reminder planner reads, as plain rows: a few set-based queries whatever the municipality's
size (no ORM objects, no query per person or institution). `dialogs.reminders.snapshot` turns them into
the planner's snapshot and keeps it between ticks: `org_marks` and `registration_marks` are cheap
aggregates that change whenever the rows they summarise change, so a tick re-reads only what changed
(`registration_versions`, then `progress` for the institutions whose registration changed)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from storage.models import (
    Area,
    AreaChannel,
    Identity,
    Institution,
    LocalGoal,
    Measurement,
    Membership,
    OutboxItem,
    Person,
    Registration,
    ReminderPause,
    Strategy,
)


@dataclass(frozen=True, slots=True)
class PlannerRows:
    areas: list[tuple[int, str, tuple[tuple[str, str], ...]]]  # id, name, (platform, channel) per channel
    area_of: dict[int, int]  # institution id -> area id
    registration_of: dict[int, int]  # institution id -> registration id (active strategy)
    people: list[tuple[int, str, str | None, date | None]]  # id, name, locale, paused until
    memberships: list[tuple[int, str, int | None, int | None]]  # person, role, institution, area


def _sums(*columns: ColumnElement[Any] | InstrumentedAttribute[Any]) -> list[ColumnElement[Any]]:
    return [func.count()] + [func.coalesce(func.sum(c), 0) for c in columns]


async def org_marks(session: AsyncSession) -> tuple[Any, ...]:
    """Aggregates over the organisation (people, memberships, areas, channels, institutions, strategies)
    that change when a row is added, removed or renamed: one statement, index or table scans, no rows."""
    parts = [
        select(*_sums(Person.id, func.length(Person.name), func.length(func.coalesce(Person.locale, "")))),
        select(
            *_sums(
                Membership.id,
                Membership.person_id,
                func.coalesce(Membership.institution_id, 0),
                func.coalesce(Membership.area_id, 0),
                func.length(Membership.role),
            )
        ),
        select(*_sums(Area.id, func.length(Area.name))),
        select(*_sums(AreaChannel.id, AreaChannel.area_id, func.length(AreaChannel.channel))),
        select(*_sums(Institution.id, Institution.area_id, func.length(Institution.name))),
        select(func.count(), func.max(Strategy.id), func.max(Strategy.loaded_at)),
    ]
    out: list[Any] = []
    for part in parts:
        out.extend((await session.execute(part)).one())
    return tuple(out)


async def registration_versions(session: AsyncSession, strategy_id: int) -> dict[int, tuple[int, int, str]]:
    """institution id -> (registration id, version, status) for the strategy. Every saved change (an
    answer, a local goal or measurement added or removed, a status) bumps the version, so comparing two
    of these maps says exactly which institutions changed (the status too, should a write not bump it)."""
    rows = await session.execute(
        select(Registration.institution_id, Registration.id, Registration.version, Registration.status).where(
            Registration.strategy_id == strategy_id
        )
    )
    return {int(i): (int(r), int(v), str(st)) for i, r, v, st in rows.all()}


async def pauses(session: AsyncSession) -> dict[int, date]:
    """person id -> the first day reminders may come again (few rows: only people who paused)."""
    rows = await session.execute(select(ReminderPause.person_id, ReminderPause.until))
    return {int(p): until for p, until in rows.all()}


async def measurement_rows(session: AsyncSession, strategy_id: int) -> list[tuple[int, int, int, str, str, list[Any]]]:
    """local goal, institution, strategic goal number, local goal text, method, dates (those with dates)."""
    return [
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
    return PlannerRows(areas, area_of, registration_of, people, memberships)


async def round_recipients(
    session: AsyncSession, rounds: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], frozenset[str]]:
    """(rule, period) -> the recipients the outbox holds a row for (whatever its status), one query per
    rule on `ix_outbox_rule_period`: what a round's planning can leave out, because the outbox's unique key
    would ignore it anyway."""
    periods: dict[str, set[str]] = {}
    for rule, period in rounds:
        periods.setdefault(rule, set()).add(period)
    found: dict[tuple[str, str], set[str]] = {(rule, period): set() for rule, period in rounds}
    for rule, wanted in periods.items():
        rows = await session.execute(
            select(OutboxItem.period, OutboxItem.recipient).where(
                OutboxItem.rule == rule, OutboxItem.period.in_(sorted(wanted))
            )
        )
        for period, recipient in rows.all():
            found[(rule, str(period))].add(str(recipient))
    return {r: frozenset(v) for r, v in found.items()}


async def recipient(session: AsyncSession, person_id: int) -> tuple[str, dict[str, str]] | None:
    """A reminder's recipient: their email and their user key per platform, or None when they are gone."""
    email = await session.scalar(select(Person.email).where(Person.id == person_id))
    if email is None:
        return None
    found = await session.execute(select(Identity.platform, Identity.user_key).where(Identity.person_id == person_id))
    return str(email), {str(platform): str(key) for platform, key in found.all()}
