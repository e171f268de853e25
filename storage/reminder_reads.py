"""What the reminder planner reads, as plain rows: a few set-based queries of only the columns it uses,
whatever the municipality's size (no ORM objects, no query per person or institution; the large ones on
the session's connection, without the ORM's result processing). `dialogs.reminders.snapshot` turns them
into the planner's snapshot and keeps it between ticks: `org_marks` (one tuple per part of the
organisation) and `registration_versions` change whenever the rows they summarise change, so a tick
re-reads only the part that changed (the people and memberships; the progress of the institutions whose
registration changed: `institution_rows` for those ids). `round_recipients` says whom the outbox already
holds of a round, so that the planner plans only who is missing."""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, bindparam, exists, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.expression import FromClause

from storage.models import (
    Area,
    AreaChannel,
    Identity,
    Institution,
    LocalGoal,
    Measurement,
    Membership,
    Notice,
    Person,
    Registration,
    ReminderPause,
    Strategy,
)
from storage.outbox import keys_statement

Marks = tuple[tuple[Any, ...], ...]  # `org_marks`: one tuple per part of the organisation (see `MARK_PARTS`)
MARK_PARTS = ("people", "memberships", "areas", "channels", "institutions", "strategies")
MAX_IN = 500  # more ids than this: read every row (one statement) rather than a long IN list


PARTITION = 5_000  # rows fetched and converted at a time: the event loop is free in between


async def _rows[*Ts](session: AsyncSession, statement: Select[*Ts]) -> Sequence[Row[*Ts]]:
    """The rows of a statement of plain columns, streamed on the session's connection in partitions:
    Core, without the ORM's result processing (about 40 % less CPU for 35,000 rows than
    `session.execute`), and a few milliseconds at a time, so a large read never holds the event loop
    (and the turns waiting on it) for long."""
    out: list[Row[*Ts]] = []
    result = await (await session.connection()).stream(statement)
    async for partition in result.partitions(PARTITION):
        out.extend(partition)
    return out


def _sums(*columns: ColumnElement[Any] | InstrumentedAttribute[Any]) -> list[ColumnElement[Any]]:
    return [func.count()] + [func.coalesce(func.sum(c), 0) for c in columns]


async def org_marks(session: AsyncSession) -> Marks:
    """Aggregates over the organisation, one tuple per part (`MARK_PARTS`: people, memberships, areas,
    channels, institutions, strategies), that change when a row is added, removed or renamed: index or
    table scans, no rows, in one statement (built once: a statement costs more than these scans, and
    building and keying this one for SQLAlchemy's cache cost more than running it)."""
    statement, widths = _org_marks_statement()
    row = tuple((await session.execute(statement)).one())
    marks, start = [], 0
    for width in widths:
        marks.append(row[start : start + width])
        start += width
    return tuple(marks)


@functools.cache
def _org_marks_statement() -> tuple[Select[Any], tuple[int, ...]]:
    """The six one-row aggregates side by side, and how many columns each has."""
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
    subqueries = [part.subquery(f"mark_{n}") for n, part in enumerate(parts)]
    joined: FromClause = subqueries[0]
    for subquery in subqueries[1:]:
        joined = joined.join(subquery, true())
    statement = select(*[c for q in subqueries for c in q.c]).select_from(joined)
    return statement, tuple(len(q.c) for q in subqueries)


async def active_strategy_key(session: AsyncSession) -> tuple[int, Any] | None:
    """The active strategy's id and when it was loaded (`storage.strategies.active_strategy`'s choice),
    without its definition: a kept snapshot reads that only when the strategy changed."""
    row = (await session.execute(_active_strategy_statement())).first()
    return None if row is None else (int(row[0]), row[1])


@functools.cache
def _active_strategy_statement() -> Select[int, Any]:
    return select(Strategy.id, Strategy.loaded_at).order_by(Strategy.loaded_at.desc(), Strategy.id.desc()).limit(1)


async def strategy_definition(session: AsyncSession, strategy_id: int) -> dict[str, Any]:
    definition = await session.scalar(select(Strategy.definition).where(Strategy.id == strategy_id))
    return dict(definition or {})


async def notices_waiting(session: AsyncSession) -> bool:
    """Whether any notice is undelivered: without one, a tick need not look for them per platform
    (`bot.delivery.deliver_notices`: a write transaction each)."""
    return bool(await session.scalar(_notices_waiting_statement()))


@functools.cache
def _notices_waiting_statement() -> Select[bool]:
    return select(exists().where(Notice.delivered_at.is_(None)))


async def registration_versions(session: AsyncSession, strategy_id: int) -> dict[int, tuple[int, int, str]]:
    """institution id -> (registration id, version, status) for the strategy. Every saved change (an
    answer, a local goal or measurement added or removed, a status) bumps the version, so comparing two
    of these maps says exactly which institutions changed (the status too, should a write not bump it)."""
    rows = await _rows(
        session,
        select(Registration.institution_id, Registration.id, Registration.version, Registration.status).where(
            Registration.strategy_id == strategy_id
        ),
    )
    return {int(i): (int(r), int(v), str(st)) for i, r, v, st in rows}


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


async def area_rows(session: AsyncSession) -> list[tuple[int, str, tuple[tuple[str, str], ...]]]:
    """Every area: id, name, and (platform, channel) for each of its channels, by name (one statement)."""
    areas: dict[int, tuple[str, list[tuple[str, str]]]] = {}
    for area_id, name, platform, channel in (await session.execute(_areas_statement())).all():
        _name, channels = areas.setdefault(int(area_id), (str(name), []))
        if platform is not None:
            channels.append((str(platform), str(channel)))
    return [(i, name, tuple(channels)) for i, (name, channels) in areas.items()]


@functools.cache
def _areas_statement() -> Select[int, str, str | None, str | None]:
    return (
        select(Area.id, Area.name, AreaChannel.platform, AreaChannel.channel)
        .outerjoin(AreaChannel, AreaChannel.area_id == Area.id)
        .order_by(Area.name, Area.id, AreaChannel.platform, AreaChannel.id)
    )


async def institution_rows(
    session: AsyncSession, strategy_id: int, ids: Collection[int] | None = None
) -> list[tuple[int, str, int, str, dict[int, int]]]:
    """Institution id, name, area id, registration status and local goals per strategic goal number, for
    every institution (or those of `ids`), by id: one statement of plain columns (built once), a row per
    institution and strategic goal with local goals. A draft without a local goal counts as not started,
    as in `storage.progress.progress`."""
    if ids is not None and len(ids) > MAX_IN:
        wanted = set(ids)
        return [row for row in await institution_rows(session, strategy_id) if row[0] in wanted]
    params: dict[str, Any] = {"strategy_id": strategy_id}
    if ids is not None:
        params["ids"] = sorted(ids)
    out: dict[int, tuple[str, int, str | None, dict[int, int]]] = {}
    result = await (await session.connection()).stream(_institutions_statement(ids is not None), params)
    async for partition in result.partitions(PARTITION):
        for i, name, area_id, st, goal, n in partition:
            if i not in out:
                out[i] = (str(name), int(area_id), None if st is None else str(st), {})
            if goal is not None:
                out[i][3][int(goal)] = int(n)
    return [
        (int(i), name, area_id, st if st is not None and (goals or st != "draft") else "not_started", goals)
        for i, (name, area_id, st, goals) in out.items()
    ]


@functools.cache
def _institutions_statement(among: bool) -> Select[int, str, int, str | None, int | None, int]:
    """The institutions (those with an id in `ids` if `among`) with their registration's status for
    `strategy_id` and how many local goals it has per strategic goal number."""
    statement = (
        select(
            Institution.id,
            Institution.name,
            Institution.area_id,
            Registration.status,
            LocalGoal.goal_number,
            func.count(LocalGoal.id),
        )
        .outerjoin(
            Registration,
            (Registration.institution_id == Institution.id) & (Registration.strategy_id == bindparam("strategy_id")),
        )
        .outerjoin(LocalGoal, LocalGoal.registration_id == Registration.id)
        .group_by(Institution.id, Institution.name, Institution.area_id, Registration.status, LocalGoal.goal_number)
        .order_by(Institution.id)
    )
    if among:
        statement = statement.where(Institution.id.in_(bindparam("ids", expanding=True)))
    return statement


async def people_rows(session: AsyncSession) -> list[tuple[int, str, str | None]]:
    """Every person: id, name, locale (their pauses: `pauses`)."""
    rows = await _rows(session, select(Person.id, Person.name, Person.locale))
    return [(int(i), str(n), loc) for i, n, loc in rows]


async def membership_rows(session: AsyncSession) -> list[tuple[int, str, int | None, int | None]]:
    """Every membership: person, role, institution, area."""
    rows = await _rows(
        session, select(Membership.person_id, Membership.role, Membership.institution_id, Membership.area_id)
    )
    return [(int(p), str(r), i, a) for p, r, i, a in rows]


async def round_recipients(
    session: AsyncSession, rounds: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], frozenset[str]]:
    """(rule, period) -> the recipients the outbox holds a row for (whatever its status), one query for
    the rounds' rules and periods on `ix_outbox_rule_period` (`storage.outbox.keys_statement`): what a
    round's planning can leave out, because the outbox's unique key would ignore it anyway."""
    found: dict[tuple[str, str], set[str]] = {(rule, period): set() for rule, period in rounds}
    if not found:
        return {}
    rules, periods = sorted({r for r, _ in found}), sorted({p for _, p in found})
    result = await (await session.connection()).stream(keys_statement(), {"rules": rules, "periods": periods})
    async for partition in result.partitions(PARTITION):
        for rule, recipient, period in partition:
            if (rule, period) in found:
                found[(rule, period)].add(str(recipient))
    return {r: frozenset(v) for r, v in found.items()}


async def recipients(session: AsyncSession, person_ids: Collection[int]) -> dict[int, tuple[str, dict[str, str]]]:
    """`recipient` for a batch of people in two statements: person id -> email and user key per platform
    (the people who are gone are left out)."""
    if not person_ids:
        return {}
    ids = sorted(person_ids)
    out: dict[int, tuple[str, dict[str, str]]] = {
        int(i): (str(email), {})
        for i, email in (await session.execute(select(Person.id, Person.email).where(Person.id.in_(ids)))).all()
    }
    for person_id, platform, key in (
        await session.execute(
            select(Identity.person_id, Identity.platform, Identity.user_key).where(Identity.person_id.in_(ids))
        )
    ).all():
        if int(person_id) in out:
            out[int(person_id)][1][str(platform)] = str(key)
    return out


async def recipient(session: AsyncSession, person_id: int) -> tuple[str, dict[str, str]] | None:
    """A reminder's recipient: their email and their user key per platform, or None when they are gone."""
    email = await session.scalar(select(Person.email).where(Person.id == person_id))
    if email is None:
        return None
    found = await session.execute(select(Identity.platform, Identity.user_key).where(Identity.person_id == person_id))
    return str(email), {str(platform): str(key) for platform, key in found.all()}
