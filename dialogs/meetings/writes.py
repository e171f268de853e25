"""What a step of the meeting flow asks to store. The edge (`dialogs.meetings.edge`) writes them, in the
turn's transaction, after the flow has run; the flow itself never writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from storage.meeting_models import AgreementStatus

if TYPE_CHECKING:
    from dialogs.meetings.planning import PlanRow


@dataclass(frozen=True, slots=True)
class SaveMeetingAnswer:
    meeting_id: int
    key: str
    text: str


@dataclass(frozen=True, slots=True)
class AddAgendaPoint:
    meeting_id: int
    text: str


@dataclass(frozen=True, slots=True)
class AddAgreement:
    meeting_id: int
    text: str
    owner_id: int
    due_on: date


@dataclass(frozen=True, slots=True)
class FollowUpAgreement:
    """«Er aftalen holdt?» answered; `text` (the few words after it) None until given."""

    agreement_id: int
    status: AgreementStatus


@dataclass(frozen=True, slots=True)
class AgreementWords:
    agreement_id: int
    text: str


@dataclass(frozen=True, slots=True)
class PlanMeeting:
    row: PlanRow


MeetingChange = SaveMeetingAnswer | AddAgendaPoint | AddAgreement | FollowUpAgreement | AgreementWords | PlanMeeting
KINDS = (SaveMeetingAnswer, AddAgendaPoint, AddAgreement, FollowUpAgreement, AgreementWords, PlanMeeting)
