"""Measurement follow-ups: which measurement dates were asked about, and the boards' answers.

One row per (local goal, measurement date). It is created when the question is sent (`mark_asked`);
the answer is written in two steps by the follow-up flow: the on-track choice (`choose`, which
remembers who chose), then the few words about what the measurement showed (`complete`)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit
from storage.models import AuditAction, FollowUp, Institution, LocalGoal, Measurement, Person, Registration


@dataclass(frozen=True, slots=True)
class FollowUpContext:
    """What a follow-up is about, for the question and the answer flow."""

    local_goal_id: int
    measurement_date: date
    institution_id: int
    institution_name: str
    goal_number: int
    local_goal_text: str
    method: str
    answer: str | None  # chosen so far
    text: str | None
    answered_by_id: int | None
    answered_by_name: str | None
    answered_at: datetime | None

    @property
    def complete(self) -> bool:
        return self.answered_at is not None


@dataclass(frozen=True, slots=True)
class FollowUpRecord:
    """One line of a local goal's follow-up history (for status and exports)."""

    registration_id: int
    institution_name: str
    local_goal_id: int
    goal_number: int
    local_goal_text: str
    measurement_date: date
    asked_at: datetime | None
    answer: str | None
    text: str | None
    answered_by: str | None
    answered_at: datetime | None


async def _row(session: AsyncSession, local_goal_id: int, measurement_date: date, *, lock: bool = False) -> FollowUp:
    """The follow-up row, created if missing (a concurrent creator wins; then its row is read)."""
    query = select(FollowUp).where(
        FollowUp.local_goal_id == local_goal_id, FollowUp.measurement_date == measurement_date
    )
    if lock:
        query = query.with_for_update()
    row = await session.scalar(query)
    if row is None:
        try:
            async with session.begin_nested():
                row = FollowUp(local_goal_id=local_goal_id, measurement_date=measurement_date)
                session.add(row)
        except IntegrityError:
            row = await session.scalar(query)
            if row is None:
                raise
    return row


async def mark_asked(session: AsyncSession, local_goal_id: int, measurement_date: date, now: datetime) -> None:
    row = await _row(session, local_goal_id, measurement_date)
    if row.asked_at is None:
        row.asked_at = now


async def answered_keys(session: AsyncSession, dates: Collection[date] | None = None) -> set[tuple[int, date]]:
    """(local goal, measurement date) of every completed follow-up (of the `dates` only, when given)."""
    query = select(FollowUp.local_goal_id, FollowUp.measurement_date).where(FollowUp.answered_at.is_not(None))
    if dates is not None:
        query = query.where(FollowUp.measurement_date.in_(list(dates)))
    return {(lg, d) for lg, d in (await session.execute(query)).all()}


@dataclass(frozen=True, slots=True)
class GoalToAsk:
    """A local goal of a strategy, as a rhythm point asks about it."""

    id: int
    institution_id: int
    institution_name: str
    goal_number: int
    text: str


async def goals_to_ask(session: AsyncSession, strategy_id: int) -> list[GoalToAsk]:
    """Every institution's local goals for the strategy, with the institution's name (one statement)."""
    rows = await session.execute(
        select(LocalGoal.id, Registration.institution_id, Institution.name, LocalGoal.goal_number, LocalGoal.text)
        .join(Registration, Registration.id == LocalGoal.registration_id)
        .join(Institution, Institution.id == Registration.institution_id)
        .where(Registration.strategy_id == strategy_id)
        .order_by(Registration.institution_id, LocalGoal.goal_number, LocalGoal.position)
    )
    return [GoalToAsk(*row) for row in rows]


async def context(session: AsyncSession, local_goal_id: int, measurement_date: date) -> FollowUpContext | None:
    """The follow-up of a local goal's measurement date, or None when the local goal is gone."""
    found = (
        await session.execute(
            select(LocalGoal, Institution.id, Institution.name)
            .join(Registration, Registration.id == LocalGoal.registration_id)
            .join(Institution, Institution.id == Registration.institution_id)
            .where(LocalGoal.id == local_goal_id)
        )
    ).first()
    if found is None:
        return None
    lg, inst_id, inst_name = found
    method = await session.scalar(
        select(Measurement.method).where(Measurement.local_goal_id == local_goal_id).order_by(Measurement.id).limit(1)
    )
    row = await session.scalar(
        select(FollowUp).where(FollowUp.local_goal_id == local_goal_id, FollowUp.measurement_date == measurement_date)
    )
    by_name = None
    if row is not None and row.answered_by_id is not None:
        by_name = await session.scalar(select(Person.name).where(Person.id == row.answered_by_id))
    return FollowUpContext(
        local_goal_id,
        measurement_date,
        inst_id,
        inst_name,
        lg.goal_number,
        lg.text,
        method or "",
        row.answer if row else None,
        row.text if row else None,
        row.answered_by_id if row else None,
        by_name,
        row.answered_at if row else None,
    )


async def waiting_for_text(session: AsyncSession, person_id: int) -> tuple[int, date] | None:
    """The follow-up where this person picked an answer and the bot waits for their words."""
    found = (
        await session.execute(
            select(FollowUp.local_goal_id, FollowUp.measurement_date)
            .where(
                FollowUp.answered_by_id == person_id,
                FollowUp.answer.is_not(None),
                FollowUp.answered_at.is_(None),
            )
            .order_by(FollowUp.id.desc())
            .limit(1)
        )
    ).first()
    return (found[0], found[1]) if found else None


async def latest_unanswered(session: AsyncSession, institution_ids: list[int]) -> tuple[int, date] | None:
    """The most recently asked, not yet answered follow-up of one of these institutions."""
    if not institution_ids:
        return None
    found = (
        await session.execute(
            select(FollowUp.local_goal_id, FollowUp.measurement_date)
            .join(LocalGoal, LocalGoal.id == FollowUp.local_goal_id)
            .join(Registration, Registration.id == LocalGoal.registration_id)
            .where(
                Registration.institution_id.in_(institution_ids),
                FollowUp.asked_at.is_not(None),
                FollowUp.answer.is_(None),
            )
            .order_by(FollowUp.asked_at.desc(), FollowUp.id.desc())
            .limit(1)
        )
    ).first()
    return (found[0], found[1]) if found else None


async def open_for(
    session: AsyncSession, person_id: int, institution_ids: Collection[int], key: tuple[int, date] | None = None
) -> FollowUpContext | None:
    """The follow-up a person's message may be about, within their institutions: the one named by `key`
    (a button), else the one waiting for this person's words, else their boards' latest unanswered one."""
    if key is None:
        key = await waiting_for_text(session, person_id) or await latest_unanswered(session, sorted(institution_ids))
    if key is None:
        return None
    found = await context(session, *key)
    return found if found is not None and found.institution_id in institution_ids else None


async def person_name(session: AsyncSession, person_id: int) -> str:
    """Who answered, as the leader's summary names them."""
    return await session.scalar(select(Person.name).where(Person.id == person_id)) or ""


async def choose(
    session: AsyncSession, local_goal_id: int, measurement_date: date, answer: str, person_id: int
) -> None:
    """Record the on-track answer; the follow-up then waits for this person's words."""
    row = await _row(session, local_goal_id, measurement_date, lock=True)
    before = row.answer
    row.answer = answer
    row.answered_by_id = person_id
    row.answered_at = None
    await _audit(session, local_goal_id, measurement_date, person_id, "answer", before, answer)


async def complete(
    session: AsyncSession, local_goal_id: int, measurement_date: date, text: str | None, person_id: int, now: datetime
) -> None:
    row = await _row(session, local_goal_id, measurement_date, lock=True)
    before = row.text
    row.text = text
    row.answered_by_id = person_id
    row.answered_at = now
    await _audit(session, local_goal_id, measurement_date, person_id, "text", before, text, now)


async def _audit(
    session: AsyncSession,
    local_goal_id: int,
    measurement_date: date,
    person_id: int,
    what: str,
    before: str | None,
    after: str | None,
    at: datetime | None = None,
) -> None:
    found = (
        await session.execute(
            select(LocalGoal.goal_number, LocalGoal.position, Registration.id, Registration.institution_id)
            .join(Registration, Registration.id == LocalGoal.registration_id)
            .where(LocalGoal.id == local_goal_id)
        )
    ).first()
    if found is None:
        return
    goal, position, reg_id, inst_id = found
    await audit.record(
        session, AuditAction.FOLLOW_UP, f"goal {goal}/local goal {position}/follow-up {measurement_date}/{what}",
        actor_id=person_id, institution_id=inst_id, registration_id=reg_id, before=before, after=after, at=at,
    )  # fmt: skip


async def history(
    session: AsyncSession,
    *,
    strategy_id: int | None = None,
    registration_id: int | None = None,
    institution_ids: Collection[int] | None = None,
) -> list[FollowUpRecord]:
    """Follow-ups (asked or answered), by institution, goal and date: for status pages and exports.
    One query; `institution_ids` limits it to those institutions (a person's scope)."""
    query = (
        select(FollowUp, LocalGoal, Registration.id, Institution.name, Person.name)
        .join(LocalGoal, LocalGoal.id == FollowUp.local_goal_id)
        .join(Registration, Registration.id == LocalGoal.registration_id)
        .join(Institution, Institution.id == Registration.institution_id)
        .outerjoin(Person, Person.id == FollowUp.answered_by_id)
    )
    if strategy_id is not None:
        query = query.where(Registration.strategy_id == strategy_id)
    if registration_id is not None:
        query = query.where(Registration.id == registration_id)
    if institution_ids is not None:
        query = query.where(Registration.institution_id.in_(list(institution_ids)))
    rows = (await session.execute(query)).all()
    out = [
        FollowUpRecord(
            reg_id, inst_name, lg.id, lg.goal_number, lg.text, fu.measurement_date, fu.asked_at,
            fu.answer if fu.answered_at else None, fu.text, by if fu.answered_at else None, fu.answered_at,
        )
        for fu, lg, reg_id, inst_name, by in rows
    ]  # fmt: skip
    return sorted(
        out, key=lambda r: (r.institution_name.casefold(), r.goal_number, r.local_goal_id, r.measurement_date)
    )
