"""Year on year: a new period of a strategy offers last period's local goals to keep, edit or drop.
(Which one is offered is `state.pending.carry`; `dialogs.moves.next_carry` offers the next.)"""

from __future__ import annotations

from dialogs.changes import AddLocalGoal, SetAnswer
from dialogs.context import Turn
from dialogs.moves import go, next_carry, prompt, refuse_locked
from dialogs.state import Mode, Pending, Place

ACTIONS = ("keep", "edit", "drop")


def carry(turn: Turn, action: str) -> Turn:
    """The «keep», «edit» or «drop» button on last period's local goal."""
    goal, draft = turn.state.goal, turn.draft
    index = turn.state.pending.carry or 0
    items = turn.carry_items(goal) if goal is not None else []
    if goal is None or draft is None or index >= len(items):
        return prompt(turn)
    if (refused := refuse_locked(turn)) is not None:
        return refused
    if action == "drop":
        return next_carry(turn, goal, index + 1)
    item = items[index]
    text = str(item.answers.get(turn.ctx.previous_first_key, ""))
    turn = turn.change(AddLocalGoal(draft.registration_id, goal, text))
    position = len(turn.draft.goals_under(goal)) if turn.draft else 1
    for q in turn.s.questions[1:]:
        value = item.answers.get(q.key)
        if value not in (None, "", []):
            turn = turn.change(SetAnswer(draft.registration_id, goal, position, q.key, value))
    if action == "edit":
        turn = turn.update(position=position)
        return go(turn, Place(Mode.ASK, goal, position, turn.s.first_question.key), pending=Pending(carry=index + 1))
    return next_carry(turn.say(turn.t("Kept.")), goal, index + 1)
