"""What one engine step asks the service to persist, and the same change applied in memory."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from storage.registrations import DraftData, LocalGoalData


@dataclass(frozen=True, slots=True)
class AddLocalGoal:
    registration_id: int
    goal: int
    text: str


@dataclass(frozen=True, slots=True)
class SetAnswer:
    registration_id: int
    goal: int
    position: int
    key: str
    value: Any


@dataclass(frozen=True, slots=True)
class DeleteLocalGoal:
    registration_id: int
    goal: int
    position: int


@dataclass(frozen=True, slots=True)
class Submit:
    registration_id: int


@dataclass(frozen=True, slots=True)
class MarkReady:
    """A board member has been through the review; the chair is told."""

    registration_id: int


@dataclass(frozen=True, slots=True)
class SetLocale:
    locale: str


Change = AddLocalGoal | SetAnswer | DeleteLocalGoal | Submit | MarkReady | SetLocale


def apply_in_memory(draft: DraftData, change: Change, first_key: str, author: str) -> DraftData:
    """The draft as it will be once `change` is saved, so the same step can show it."""
    goals = list(draft.local_goals)
    if isinstance(change, AddLocalGoal):
        position = max((g.position for g in goals if g.goal_number == change.goal), default=0) + 1
        goals.append(LocalGoalData(change.goal, position, {first_key: change.text}, author))
    elif isinstance(change, SetAnswer):
        goals = [
            replace(g, answers={**g.answers, change.key: change.value}, updated_by=author)
            if (g.goal_number, g.position) == (change.goal, change.position)
            else g
            for g in goals
        ]
    elif isinstance(change, DeleteLocalGoal):
        kept = []
        for g in goals:
            if g.goal_number == change.goal and g.position == change.position:
                continue
            if g.goal_number == change.goal and g.position > change.position:
                g = replace(g, position=g.position - 1)
            kept.append(g)
        goals = kept
    elif isinstance(change, Submit):
        return replace(draft, status="submitted", ready_for_chair=False, submitted_by=author)
    elif isinstance(change, MarkReady):
        return replace(draft, ready_for_chair=True)
    else:
        return draft
    goals.sort(key=lambda g: (g.goal_number, g.position))
    return replace(draft, local_goals=tuple(goals))
