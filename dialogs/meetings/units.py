"""Who answers for whom: a dialogue meeting is prepared by the institution's leadership as one answer;
an area meeting by each institution's leadership; a cross-area meeting by each area leader. A «unit» is
one such set of answers, and the answers of a meeting are stored under «unit/question» keys."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.meetings.templates import Answerer, MeetingQuestion, MeetingTemplate
from storage import meetings
from storage.meetings import MeetingView
from storage.models import Role


@dataclass(frozen=True, slots=True)
class Unit:
    key: str  # "i12" (an institution) or "p5" (one person)
    name: str  # the institution's or the person's name, for the brief
    institution_kind: str | None  # dagtilbud | skole, to pick the questions; None: every question


_ROLES = {
    Answerer.LEADERSHIP: (Role.LEADER.value,),
    Answerer.BOARD: (Role.CHAIR.value, Role.MEMBER.value),
}


async def unit_of(session: AsyncSession, meeting: MeetingView, template: MeetingTemplate, person_id: int) -> Unit:
    """The set of answers the person writes into for this meeting."""
    if meeting.institution_id is not None:
        return Unit(f"i{meeting.institution_id}", meeting.institution_name or "", meeting.institution_kind)
    roles = _ROLES.get(template.answered_by)
    if roles is not None:
        for inst_id, name, kind, area_id in await meetings.person_institutions(session, person_id, roles):
            if meeting.area_id is None or area_id == meeting.area_id:
                return Unit(f"i{inst_id}", name, kind)
    name = next((p[1] for p in meeting.participants if p[0] == person_id), "")
    return Unit(f"p{person_id}", name, None)


def answer_key(unit: Unit, question: MeetingQuestion, intervention: int | None) -> str:
    suffix = f":{intervention}" if intervention is not None else ""
    return f"{unit.key}/{question.key}{suffix}"


def open_questions(
    template: MeetingTemplate, unit: Unit, answered: set[str]
) -> list[tuple[MeetingQuestion, int | None]]:
    """The unit's questions that have no answer yet, in the template's order."""
    return [(q, i) for q, i in template.questions_for(unit.institution_kind) if answer_key(unit, q, i) not in answered]
