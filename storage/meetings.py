"""Meetings and agreements in the database (the only place with their SQL): plan, list, prepare, agree,
follow up. See `storage.meeting_models` for the tables."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.meeting_models import (
    AgendaPoint,
    Agreement,
    AgreementStatus,
    Meeting,
    MeetingAnswer,
    MeetingParticipant,
    MeetingStatus,
    ParticipantRole,
)
from storage.models import Area, Institution, Membership, Person, Role
from storage.org_file import name_key
from storage.types import utcnow


@dataclass(frozen=True, slots=True)
class MeetingView:
    """A meeting with the names a listing needs."""

    id: int
    template_key: str
    kind: str
    held_on: date
    start_time: str | None
    status: str
    institution_id: int | None
    institution_name: str | None
    institution_kind: str | None
    area_id: int | None
    area_name: str | None
    participants: tuple[tuple[int, str, str, str], ...]  # (person id, name, email, role)

    @property
    def where(self) -> str:
        return self.institution_name or self.area_name or ""

    def people(self, role: ParticipantRole | None = None) -> list[int]:
        return [p[0] for p in self.participants if role is None or p[3] == role.value]


async def find_meeting(
    session: AsyncSession, template_key: str, held_on: date, institution_id: int | None, area_id: int | None
) -> Meeting | None:
    query = select(Meeting).where(Meeting.template_key == template_key, Meeting.held_on == held_on)
    query = query.where(
        Meeting.institution_id.is_(None) if institution_id is None else Meeting.institution_id == institution_id,
        Meeting.area_id.is_(None) if area_id is None else Meeting.area_id == area_id,
    )
    return await session.scalar(query.options(selectinload(Meeting.participants)))


async def plan_meeting(
    session: AsyncSession,
    *,
    template_key: str,
    kind: str,
    held_on: date,
    start_time: str | None,
    institution_id: int | None,
    area_id: int | None,
    participants: Sequence[tuple[int, ParticipantRole]],
    created_by_id: int | None = None,
) -> tuple[Meeting, bool]:
    """Create the meeting, or update the one already planned for the same template, place and day (so a
    CSV can be loaded again). Returns the meeting and whether it was created."""
    meeting = await find_meeting(session, template_key, held_on, institution_id, area_id)
    created = meeting is None
    if meeting is None:
        meeting = Meeting(
            template_key=template_key, kind=kind, held_on=held_on, institution_id=institution_id, area_id=area_id,
            created_by_id=created_by_id, status=MeetingStatus.PLANNED.value,
        )  # fmt: skip
        meeting.participants = []
        session.add(meeting)
    meeting.start_time = start_time
    roles: dict[int, ParticipantRole] = {}
    for person_id, role in participants:  # a preparer who is also listed as attendee stays a preparer
        if roles.get(person_id) is not ParticipantRole.PREPARER:
            roles[person_id] = role
    existing = {p.person_id: p for p in meeting.participants}
    for person_id, role in roles.items():
        if person_id in existing:
            existing[person_id].role = role.value
        else:
            meeting.participants.append(MeetingParticipant(person_id=person_id, role=role.value))
    await session.flush()
    return meeting, created


async def meeting_views(
    session: AsyncSession,
    *,
    start: date | None = None,
    end: date | None = None,
    ids: Iterable[int] | None = None,
    status: str | None = MeetingStatus.PLANNED.value,
) -> list[MeetingView]:
    """Meetings (by day) with their institution, area and participants, in two statements."""
    query = select(Meeting, Institution, Area).outerjoin(Institution, Institution.id == Meeting.institution_id)
    query = query.outerjoin(Area, Area.id == Meeting.area_id)
    if start is not None:
        query = query.where(Meeting.held_on >= start)
    if end is not None:
        query = query.where(Meeting.held_on <= end)
    if ids is not None:
        query = query.where(Meeting.id.in_(list(ids)))
    if status is not None:
        query = query.where(Meeting.status == status)
    rows = (await session.execute(query.order_by(Meeting.held_on, Meeting.id))).all()
    if not rows:
        return []
    found = [m.id for m, _i, _a in rows]
    people = await session.execute(
        select(MeetingParticipant.meeting_id, Person.id, Person.name, Person.email, MeetingParticipant.role)
        .join(Person, Person.id == MeetingParticipant.person_id)
        .where(MeetingParticipant.meeting_id.in_(found))
        .order_by(MeetingParticipant.id)
    )
    by_meeting: dict[int, list[tuple[int, str, str, str]]] = {}
    for meeting_id, pid, name, email, role in people:
        by_meeting.setdefault(meeting_id, []).append((pid, name, email, role))
    return [
        MeetingView(
            m.id,
            m.template_key,
            m.kind,
            m.held_on,
            m.start_time,
            m.status,
            m.institution_id,
            inst.name if inst else None,
            inst.kind if inst else None,
            m.area_id if m.area_id is not None else (inst.area_id if inst else None),
            area.name if area else None,
            tuple(by_meeting.get(m.id, ())),
        )
        for m, inst, area in rows
    ]


async def meeting_view(session: AsyncSession, meeting_id: int) -> MeetingView | None:
    found = await meeting_views(session, ids=[meeting_id], status=None)
    return found[0] if found else None


async def people_with_role(
    session: AsyncSession, role: Role, *, institution_ids: Iterable[int] = (), area_ids: Iterable[int] = ()
) -> list[int]:
    """Person ids with `role` at any of the institutions or areas (admins: neither is needed)."""
    query = select(Membership.person_id).where(Membership.role == role.value)
    places = []
    if institution_ids:
        places.append(Membership.institution_id.in_(list(institution_ids)))
    if area_ids:
        places.append(Membership.area_id.in_(list(area_ids)))
    if places:
        query = query.where(or_(*places))
    elif role is not Role.ADMIN:
        return []
    return sorted(set(await session.scalars(query)))


async def institution_named(session: AsyncSession, name: str) -> Institution | None:
    """The institution whose name is `name` (case and spacing as `name_key` folds them)."""
    return await session.scalar(select(Institution).where(Institution.name_key == name_key(name)))


async def area_named(session: AsyncSession, name: str) -> Area | None:
    return await session.scalar(select(Area).where(Area.name_key == name_key(name)))


async def all_area_ids(session: AsyncSession) -> list[int]:
    return list(await session.scalars(select(Area.id).order_by(Area.id)))


async def institutions_in_area(session: AsyncSession, area_id: int) -> list[Institution]:
    return list(
        await session.scalars(select(Institution).where(Institution.area_id == area_id).order_by(Institution.name))
    )


# --- prepared answers and agenda points -------------------------------------------------------------


async def answers_of(session: AsyncSession, meeting_id: int) -> dict[str, MeetingAnswer]:
    rows = await session.scalars(select(MeetingAnswer).where(MeetingAnswer.meeting_id == meeting_id))
    return {a.question_key: a for a in rows}


async def save_answer(session: AsyncSession, meeting_id: int, key: str, text: str, person_id: int) -> None:
    row = await session.scalar(
        select(MeetingAnswer).where(MeetingAnswer.meeting_id == meeting_id, MeetingAnswer.question_key == key)
    )
    if row is None:
        session.add(MeetingAnswer(meeting_id=meeting_id, question_key=key, text=text, answered_by_id=person_id))
    else:
        row.text, row.answered_by_id, row.answered_at = text, person_id, utcnow()
    await session.flush()


async def add_agenda_point(session: AsyncSession, meeting_id: int, person_id: int, text: str) -> None:
    session.add(AgendaPoint(meeting_id=meeting_id, person_id=person_id, text=text))
    await session.flush()


async def agenda_points(session: AsyncSession, meeting_id: int) -> list[tuple[str, str | None]]:
    rows = await session.execute(
        select(AgendaPoint.text, Person.name)
        .outerjoin(Person, Person.id == AgendaPoint.person_id)
        .where(AgendaPoint.meeting_id == meeting_id)
        .order_by(AgendaPoint.id)
    )
    return [(text, name) for text, name in rows]


async def upcoming_for(session: AsyncSession, person_id: int, today: date, role: ParticipantRole) -> list[MeetingView]:
    """The planned meetings from today on that the person takes part in with `role`, soonest first."""
    ids = await session.scalars(
        select(MeetingParticipant.meeting_id)
        .join(Meeting, Meeting.id == MeetingParticipant.meeting_id)
        .where(MeetingParticipant.person_id == person_id, MeetingParticipant.role == role.value)
        .where(Meeting.held_on >= today, Meeting.status == MeetingStatus.PLANNED.value)
    )
    return await meeting_views(session, ids=list(ids))


async def recent_for(session: AsyncSession, person_id: int, today: date, days: int = 60) -> list[MeetingView]:
    """Meetings the person took part in (any role) in the last `days` days and today, newest first."""
    from datetime import timedelta

    ids = await session.scalars(
        select(MeetingParticipant.meeting_id)
        .join(Meeting, Meeting.id == MeetingParticipant.meeting_id)
        .where(MeetingParticipant.person_id == person_id)
        .where(Meeting.held_on <= today, Meeting.held_on >= today - timedelta(days=days))
    )
    found = await meeting_views(session, ids=list(ids), status=None)
    return sorted(found, key=lambda m: m.held_on, reverse=True)


# --- agreements ---------------------------------------------------------------------------------------


async def add_agreement(
    session: AsyncSession, meeting_id: int, text: str, owner_id: int, due_on: date, created_by_id: int
) -> Agreement:
    row = Agreement(meeting_id=meeting_id, text=text, owner_id=owner_id, due_on=due_on, created_by_id=created_by_id)
    session.add(row)
    await session.flush()
    return row


@dataclass(frozen=True, slots=True)
class AgreementView:
    id: int
    meeting_id: int
    text: str
    owner_id: int | None
    owner_name: str | None
    due_on: date
    status: str
    follow_up_text: str | None
    institution_id: int | None
    area_id: int | None
    held_on: date | None = None  # the day of the meeting that made it
    template_key: str | None = None  # that meeting's template


def _agreement_query() -> Any:
    return (
        select(Agreement, Person.name, Meeting.institution_id, Meeting.area_id, Meeting.held_on, Meeting.template_key)
        .join(Meeting, Meeting.id == Agreement.meeting_id)
        .outerjoin(Person, Person.id == Agreement.owner_id)
    )


def _view(row: Any) -> AgreementView:
    a, owner, institution_id, area_id, held_on, template_key = row
    return AgreementView(
        a.id,
        a.meeting_id,
        a.text,
        a.owner_id,
        owner,
        a.due_on,
        a.status,
        a.follow_up_text,
        institution_id,
        area_id,
        held_on,
        template_key,
    )


async def agreements(
    session: AsyncSession,
    *,
    status: str | None = None,
    institution_ids: Iterable[int] | None = None,
    area_ids: Iterable[int] | None = None,
    due_from: date | None = None,
    due_to: date | None = None,
    meeting_id: int | None = None,
) -> list[AgreementView]:
    query = _agreement_query()
    if status is not None:
        query = query.where(Agreement.status == status)
    if institution_ids is not None:
        query = query.where(Meeting.institution_id.in_(list(institution_ids)))
    if area_ids is not None:
        inst_in_areas = select(Institution.id).where(Institution.area_id.in_(list(area_ids)))
        query = query.where(or_(Meeting.area_id.in_(list(area_ids)), Meeting.institution_id.in_(inst_in_areas)))
    if due_from is not None:
        query = query.where(Agreement.due_on >= due_from)
    if due_to is not None:
        query = query.where(Agreement.due_on <= due_to)
    if meeting_id is not None:
        query = query.where(Agreement.meeting_id == meeting_id)
    rows = await session.execute(query.order_by(Agreement.due_on, Agreement.id))
    return [_view(r) for r in rows]


async def agreement(session: AsyncSession, agreement_id: int, *, lock: bool = False) -> AgreementView | None:
    """`lock`: the agreement's row is locked for the transaction (PostgreSQL), so the status read holds."""
    query = _agreement_query().where(Agreement.id == agreement_id)
    if lock:
        query = query.with_for_update(of=Agreement)
    row = (await session.execute(query)).first()
    return _view(row) if row is not None else None


async def follow_up_agreement(
    session: AsyncSession, agreement_id: int, status: AgreementStatus, person_id: int, text: str | None, now: datetime
) -> bool:
    """Record «Er aftalen holdt?»; False when the agreement is gone or was already followed up."""
    row = await session.get(Agreement, agreement_id, with_for_update=True)
    if row is None or row.status != AgreementStatus.OPEN.value:
        return False
    row.status, row.followed_up_by_id, row.followed_up_at, row.follow_up_text = status.value, person_id, now, text
    await session.flush()
    return True


# --- reads for the schedule and the briefs ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PersonLine:
    id: int
    name: str
    locale: str | None


async def people_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, PersonLine]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = await session.execute(select(Person.id, Person.name, Person.locale).where(Person.id.in_(wanted)))
    return {pid: PersonLine(pid, name, locale) for pid, name, locale in rows}


async def person_institutions(
    session: AsyncSession, person_id: int, roles: Sequence[str]
) -> list[tuple[int, str, str, int]]:
    """(institution id, name, kind, area id) where the person has one of `roles`."""
    rows = await session.execute(
        select(Institution.id, Institution.name, Institution.kind, Institution.area_id)
        .join(Membership, Membership.institution_id == Institution.id)
        .where(Membership.person_id == person_id, Membership.role.in_(list(roles)))
        .order_by(Institution.name)
    )
    return [(i, n, k, a) for i, n, k, a in rows]


async def answer_counts(session: AsyncSession, meeting_ids: Iterable[int]) -> dict[int, set[str]]:
    """The answered question keys of each meeting."""
    wanted = list(meeting_ids)
    if not wanted:
        return {}
    rows = await session.execute(
        select(MeetingAnswer.meeting_id, MeetingAnswer.question_key).where(MeetingAnswer.meeting_id.in_(wanted))
    )
    out: dict[int, set[str]] = {}
    for meeting_id, key in rows:
        out.setdefault(meeting_id, set()).add(key)
    return out


@dataclass(frozen=True, slots=True)
class LocalGoalLine:
    id: int
    institution_id: int
    goal_number: int
    position: int
    text: str
    updated_at: datetime
    followups: tuple[tuple[date, str | None, str | None], ...]  # (measurement date, answer, text), oldest first


async def local_goal_lines(
    session: AsyncSession, strategy_id: int, institution_ids: Iterable[int]
) -> list[LocalGoalLine]:
    """The institutions' local goals for the strategy with their follow-up history (two statements)."""
    from storage.models import FollowUp, LocalGoal, Registration

    wanted = list(institution_ids)
    if not wanted:
        return []
    rows = (
        await session.execute(
            select(LocalGoal, Registration.institution_id)
            .join(Registration, Registration.id == LocalGoal.registration_id)
            .where(Registration.strategy_id == strategy_id, Registration.institution_id.in_(wanted))
            .order_by(Registration.institution_id, LocalGoal.goal_number, LocalGoal.position)
        )
    ).all()
    ids = [lg.id for lg, _inst in rows]
    history: dict[int, list[tuple[date, str | None, str | None]]] = {}
    if ids:
        found = await session.execute(
            select(FollowUp.local_goal_id, FollowUp.measurement_date, FollowUp.answer, FollowUp.text)
            .where(FollowUp.local_goal_id.in_(ids), FollowUp.answer.is_not(None))
            .order_by(FollowUp.measurement_date)
        )
        for lg_id, day, answer, text in found:
            history.setdefault(lg_id, []).append((day, answer, text))
    return [
        LocalGoalLine(lg.id, inst, lg.goal_number, lg.position, lg.text, lg.updated_at, tuple(history.get(lg.id, ())))
        for lg, inst in rows
    ]


async def institution_names(session: AsyncSession, ids: Iterable[int] | None = None) -> dict[int, str]:
    query = select(Institution.id, Institution.name)
    if ids is not None:
        query = query.where(Institution.id.in_(list(ids)))
    return {i: n for i, n in await session.execute(query)}


async def members_by_institution(
    session: AsyncSession, institution_ids: Iterable[int], roles: Sequence[str]
) -> dict[int, dict[str, list[int]]]:
    """Institution id -> role -> person ids, for the roles asked about (one statement)."""
    wanted = list(institution_ids)
    if not wanted:
        return {}
    rows = await session.execute(
        select(Membership.institution_id, Membership.role, Membership.person_id)
        .where(Membership.institution_id.in_(wanted), Membership.role.in_(list(roles)))
        .order_by(Membership.person_id)
    )
    out: dict[int, dict[str, list[int]]] = {}
    for inst, role, person in rows:
        if inst is not None:
            out.setdefault(inst, {}).setdefault(role, []).append(person)
    return out


async def set_follow_up_text(session: AsyncSession, agreement_id: int, text: str) -> None:
    row = await session.get(Agreement, agreement_id)
    if row is not None:
        row.follow_up_text = text
        await session.flush()
