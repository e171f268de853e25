"""The meeting flow's edge: the storage reads before the pure flow (`dialogs.meetings.chat.flow`) and the
writes after it, in the turn's transaction. A `dialogs.flows.FlowEdge`, routed by the service.

The flow says which facts it needs by asking for them (`facts.Missing`): the edge loads each one and runs
the flow again, so a message reads what its own path needs (an answer to a prepared question: the meeting,
the person's unit and what is answered; a follow-up button: the agreement) and nothing is written until
the flow has decided."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.context import Context, Step
from dialogs.flows import Offer, Who
from dialogs.meetings import chat
from dialogs.meetings.brief import build_brief
from dialogs.meetings.facts import Fact, MeetingFacts, Missing, Need, PlanCells, PlanCheck, Prepared, Visible
from dialogs.meetings.planning import plan_row, validate_row
from dialogs.meetings.templates import Scope, builtin_templates
from dialogs.meetings.units import unit_of
from dialogs.meetings.writes import (
    AddAgendaPoint,
    AddAgreement,
    AgreementWords,
    FollowUpAgreement,
    MeetingChange,
    PlanMeeting,
    SaveMeetingAnswer,
)
from dialogs.messages import Inbound
from dialogs.state import State
from dialogs.texts import texts
from storage import meetings, people, policy, progress
from storage.meeting_models import AgreementStatus

MAX_LOADS = 12  # a message's path needs a few facts; more means a handler asks for the same one again


def meeting_context(who: Who, known: MeetingFacts) -> Context:
    """The engine's context for the meeting flow alone (no registration in it)."""
    return Context(None, "", who.locale, (), {}, who.today, person_id=who.person_id, meeting=known)


async def edge(s: AsyncSession, who: Who, inbound: Inbound, state: State, offer: Offer) -> Step | None:
    if not chat.concerns(inbound, state.pending.meeting):
        return None
    known = MeetingFacts(builtin_templates())
    for _ in range(MAX_LOADS):
        try:
            step = offer(meeting_context(who, known), state, inbound, chat.flow)
        except Missing as missing:
            known = known.with_fact(missing.need, await load(s, who, known, missing.need))
            continue
        if step is not None:
            for change in step.changes:
                if isinstance(change, MeetingChange):
                    await save(s, who, change)
        return step
    raise RuntimeError(f"the meeting flow asked for more than {MAX_LOADS} facts")


async def load(s: AsyncSession, who: Who, known: MeetingFacts, need: Need) -> Any:
    """One fact the flow asked for."""
    match need.fact:
        case Fact.UPCOMING:
            return await meetings.upcoming_for(s, who.person_id, who.today, need.arg)
        case Fact.RECENT:
            return await meetings.recent_for(s, who.person_id, who.today, need.arg)
        case Fact.MEETING:
            return await meetings.meeting_view(s, need.arg)
        case Fact.PREPARED:
            meeting = await meetings.meeting_view(s, need.arg)
            template = known.templates.get(meeting.template_key) if meeting else None
            if meeting is None or template is None:
                return None
            unit = await unit_of(s, meeting, template, who.person_id)
            return Prepared(meeting, template, unit, frozenset(await meetings.answers_of(s, meeting.id)))
        case Fact.AGREEMENT:  # locked: «Er aftalen holdt?» is answered once, and the flow reads its status
            return await meetings.agreement(s, need.arg, lock=True)
        case Fact.ADMIN:
            return policy.is_admin(await people.roles_of(s, who.person_id))
        case Fact.OPEN_AGREEMENTS:
            found = await meetings.agreements(s, status=AgreementStatus.OPEN.value)
            scope = await progress.scope_of(s, who.person_id)
            return Visible(tuple(found), scope, await meetings.institution_names(s))
        case Fact.BRIEF:
            return await build_brief(s, need.arg, texts(who.locale))
        case Fact.PLACE:
            scope, name = need.arg
            if scope == Scope.INSTITUTION.value:
                return await meetings.institution_named(s, name) is not None
            return await meetings.area_named(s, name) is not None
        case Fact.PLAN:
            return await _check_plan(s, who, known, need.arg)
    raise AssertionError(need)


async def _check_plan(s: AsyncSession, who: Who, known: MeetingFacts, cells: PlanCells) -> PlanCheck:
    """The chat's meeting checked as a line of the planning file, and whether it is planned already."""
    template = known.templates[cells.template]
    row_cells = {"template": cells.template, "date": cells.date, "participants": cells.participants}
    row_cells["institution" if template.scope is Scope.INSTITUTION else "area"] = cells.place
    problems: list[str] = []
    row = await validate_row(s, None, row_cells, dict(known.templates), texts(who.locale), problems)
    if row is None:
        return PlanCheck(None, tuple(problems))
    place = (row.institution.id if row.institution else None, row.area.id if row.area else None)
    return PlanCheck(row, (), await meetings.find_meeting(s, template.key, row.held_on, *place) is None)


async def save(s: AsyncSession, who: Who, change: MeetingChange) -> None:
    """One change the flow asked for."""
    match change:
        case SaveMeetingAnswer(meeting_id, key, text):
            await meetings.save_answer(s, meeting_id, key, text, who.person_id)
        case AddAgendaPoint(meeting_id, text):
            await meetings.add_agenda_point(s, meeting_id, who.person_id, text)
        case AddAgreement(meeting_id, text, owner_id, due_on):
            await meetings.add_agreement(s, meeting_id, text, owner_id, due_on, who.person_id)
        case FollowUpAgreement(agreement_id, status):
            if not await meetings.follow_up_agreement(s, agreement_id, status, who.person_id, None, who.now):
                raise RuntimeError(f"agreement {agreement_id} was followed up under its lock")  # the turn is not saved
        case AgreementWords(agreement_id, text):
            await meetings.set_follow_up_text(s, agreement_id, text)
        case PlanMeeting(row):
            await plan_row(s, row, created_by_id=who.person_id)
