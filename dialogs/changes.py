"""What one engine step asks the service to persist, and the same change applied in memory."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dialogs.meetings import writes
from dialogs.meetings.writes import MeetingChange
from storage.draft_rules import (
    AddLocalGoal,
    DeleteLocalGoal,
    DraftChange,
    DraftData,
    MarkReady,
    SetAnswer,
    Submit,
    apply_change,
)

__all__ = [
    "AddLocalGoal",
    "Change",
    "DeleteLocalGoal",
    "DraftChange",
    "FollowUpAnswer",
    "MarkReady",
    "MeetingChange",
    "SetAnswer",
    "SetLocale",
    "Submit",
    "apply_in_memory",
]


@dataclass(frozen=True, slots=True)
class SetLocale:
    locale: str


@dataclass(frozen=True, slots=True)
class FollowUpAnswer:
    """A measurement follow-up's answer (dialogs/followup.py): the on-track answer, and (when `complete`)
    the words that go with it. Stored by the follow-up flow's hook, not in the registration."""

    local_goal_id: int
    measurement_date: date
    answer: str
    text: str | None = None
    complete: bool = False


Change = DraftChange | SetLocale | FollowUpAnswer | MeetingChange
ELSEWHERE = (FollowUpAnswer, *writes.KINDS)  # stored by their flow's own edge, not in the draft


def apply_in_memory(draft: DraftData, change: DraftChange, first_key: str, author: str) -> DraftData:
    """The draft as it will be once `change` is saved, so the same step can show it (the storage's rules)."""
    return apply_change(draft, change, first_key, author)
