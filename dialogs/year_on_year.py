"""Year on year: a new period of a strategy offers last period's local goals to keep, edit or drop."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from dialogs.changes import AddLocalGoal, SetAnswer
from dialogs.state import Mode, Place
from storage.registrations import LocalGoalData

if TYPE_CHECKING:
    from dialogs.engine import Turn


def carry_items(turn: Turn, goal: int) -> list[LocalGoalData]:
    reg = turn.state.registration_id
    previous = turn.ctx.previous.get(reg) if reg is not None else None
    return previous.goals_under(goal) if previous else []


def carry(turn: Turn, action: str) -> None:
    goal, draft = turn.state.goal, turn.draft
    index = int(turn.state.pending.get("carry", 0))
    items = carry_items(turn, goal) if goal is not None else []
    if goal is None or draft is None or index >= len(items) or not turn.writable():
        turn.prompt()
        return
    if action == "drop":
        next_carry(turn, goal, index + 1)
        return
    item = items[index]
    turn.change(AddLocalGoal(draft.registration_id, goal, str(item.answers.get(turn.ctx.previous_first_key, ""))))
    position = len(turn.draft.goals_under(goal)) if turn.draft else 1
    for q in turn.s.questions[1:]:
        value = item.answers.get(q.key)
        if value not in (None, "", []):
            turn.change(SetAnswer(draft.registration_id, goal, position, q.key, value))
    if action == "edit":
        turn.state = replace(turn.state, position=position)
        turn.go(Place(Mode.ASK, goal, position, turn.s.first_question.key), pending={"carry": index + 1})
    else:
        turn.say(turn.t("Kept."))
        next_carry(turn, goal, index + 1)


def next_carry(turn: Turn, goal: int, index: int) -> None:
    if index < len(carry_items(turn, goal)):
        turn.go(Place(Mode.CARRY, goal), pending={"carry": index})
    else:
        turn.state = replace(turn.state, pending={})
        draft = turn.draft
        if draft and draft.goals_under(goal):
            turn.go(Place(Mode.MORE, goal))
        else:
            turn.go(Place(Mode.ASK, goal, None, turn.s.first_question.key))
