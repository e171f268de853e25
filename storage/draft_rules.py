"""The rules of a board's draft, in one place: what each change does to it.

Pure (no SQL): `apply_change` gives the draft as it will be once a change is saved (the engine shows it
in the same step), and `DraftWriter` (storage/registrations.py) asks `renumber` where a new local goal
goes and how positions close after a deletion, so the two can never disagree."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class LocalGoalData:
    goal_number: int
    position: int
    answers: dict[str, Any]  # question key -> value; includes the first question (the goal's text)
    updated_by: str | None = None


@dataclass(frozen=True, slots=True)
class DraftData:
    registration_id: int
    institution_id: int
    institution_name: str
    status: str
    version: int
    ready_for_chair: bool = False
    local_goals: tuple[LocalGoalData, ...] = ()
    submitted_by: str | None = None
    submitted_at: datetime | None = None
    return_comment: str | None = None  # the administration's words when it returned the registration
    # approval (storage/approval.py): changed by the board after it was sent in; sent back and not changed since
    changed_after_submit: bool = False
    unchanged_since_return: bool = False

    def goals_under(self, goal_number: int) -> list[LocalGoalData]:
        return [lg for lg in self.local_goals if lg.goal_number == goal_number]

    def local_goal(self, goal_number: int, position: int) -> LocalGoalData | None:
        for lg in self.local_goals:
            if lg.goal_number == goal_number and lg.position == position:
                return lg
        return None


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


DraftChange = AddLocalGoal | SetAnswer | DeleteLocalGoal | Submit | MarkReady


@dataclass(frozen=True, slots=True)
class Renumbering:
    """What a change does to the positions of the local goals under one strategic goal."""

    added: int | None = None  # the new local goal's position
    moved: dict[int, int] = field(default_factory=dict)  # old position -> new position (only those that move)


def renumber(change: AddLocalGoal | DeleteLocalGoal, positions: Collection[int]) -> Renumbering:
    """A new local goal goes after the last one; a deletion closes the gap (later ones move up by one)."""
    if isinstance(change, AddLocalGoal):
        return Renumbering(added=max(positions, default=0) + 1)
    return Renumbering(moved={p: p - 1 for p in sorted(positions) if p > change.position})


def apply_change(draft: DraftData, change: DraftChange, first_key: str, author: str) -> DraftData:
    """The draft as it will be once `change` is saved."""
    goals = list(draft.local_goals)
    if isinstance(change, (AddLocalGoal, DeleteLocalGoal)):
        plan = renumber(change, [g.position for g in goals if g.goal_number == change.goal])
        if plan.added is not None and isinstance(change, AddLocalGoal):
            goals.append(LocalGoalData(change.goal, plan.added, {first_key: change.text}, author))
        if isinstance(change, DeleteLocalGoal):
            goals = [
                replace(g, position=plan.moved.get(g.position, g.position)) if g.goal_number == change.goal else g
                for g in goals
                if (g.goal_number, g.position) != (change.goal, change.position)
            ]
    elif isinstance(change, SetAnswer):
        goals = [
            replace(g, answers={**g.answers, change.key: change.value}, updated_by=author)
            if (g.goal_number, g.position) == (change.goal, change.position)
            else g
            for g in goals
        ]
    elif isinstance(change, Submit):
        return replace(
            draft, status="submitted", ready_for_chair=False, submitted_by=author, changed_after_submit=False
        )
    else:
        return replace(draft, ready_for_chair=True)
    goals.sort(key=lambda g: (g.goal_number, g.position))
    changed = draft.changed_after_submit or draft.status == "submitted"  # approval: the mark, as DraftWriter sets it
    return replace(draft, local_goals=tuple(goals), changed_after_submit=changed, unchanged_since_return=False)
