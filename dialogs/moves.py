"""Moving a person through the flow: to a place (remembering it for «back»), on to the next question,
the next strategic goal, last period's next local goal. Every move ends with the prompt of where the
person now is. Pure functions from a `Turn` to a new `Turn`."""

from __future__ import annotations

from dialogs import prompts
from dialogs.context import Turn
from dialogs.state import Mode, Pending, Place

HISTORY_LIMIT = 40
REMEMBERED = (Mode.ASK, Mode.WHEN, Mode.MORE)  # the places «back» returns to


def prompt(turn: Turn) -> Turn:
    """Say what the person is asked now (after any step, and on «resume», «back» and errors). A place
    that no longer holds (another member deleted the local goal, last period's goals are used up)
    moves on first."""
    state, draft = turn.state, turn.draft
    if state.mode not in (Mode.IDLE, Mode.PICK_BOARD, Mode.PAUSED) and draft is None:
        return prompts.pick_board(turn)
    if state.goal is not None and draft is not None:
        gone = state.position is not None and draft.local_goal(state.goal, state.position) is None
        if state.mode is Mode.ASK and gone:
            return enter_goal(turn, state.goal)
        if state.mode is Mode.EDIT_LOCAL and gone:
            return go(turn, Place(Mode.EDIT_GOAL, state.goal))
        if state.mode is Mode.CARRY:
            index = state.pending.carry or 0
            if index >= len(turn.carry_items(state.goal)):
                return next_carry(turn, state.goal, index)
    return prompts.render(turn)


def go(turn: Turn, place: Place, **changes: object) -> Turn:
    """Move to `place`, remembering where we were for «back», and ask what is asked there."""
    old = turn.state.place
    history = turn.state.history
    if old.mode in REMEMBERED and old != place:
        history = (*history, old)[-HISTORY_LIMIT:]
    return prompt(turn.with_state(turn.state.at(place, history=history, offered=(), **changes)))


def next_question(turn: Turn) -> Turn:
    goal, key, pending = turn.state.goal, turn.state.question, turn.state.pending
    assert goal is not None and key is not None
    if pending.single:
        return go(turn.update(pending=Pending()), Place(Mode.REVIEW))
    keys = [q.key for q in turn.s.questions]
    index = keys.index(key) + 1
    if index < len(keys):
        return go(turn, Place(Mode.ASK, goal, turn.state.position, keys[index]))
    if pending.carry is not None:
        return next_carry(turn, goal, pending.carry)
    if turn.state.to_review:
        return go(turn, Place(Mode.REVIEW), to_review=False)
    return go(turn, Place(Mode.MORE, goal))


def enter_goal(turn: Turn, number: int) -> Turn:
    draft = turn.draft
    if draft and draft.goals_under(number):
        return go(turn, Place(Mode.MORE, number))
    if turn.carry_items(number):
        return go(turn, Place(Mode.CARRY, number), pending=Pending(carry=0))
    return go(turn, Place(Mode.ASK, number, None, turn.s.first_question.key))


def after_goal(turn: Turn, number: int) -> Turn:
    later = [g.number for g in turn.s.goals if g.number > number]
    return enter_goal(turn, later[0]) if later else go(turn, Place(Mode.REVIEW))


def next_carry(turn: Turn, goal: int, index: int) -> Turn:
    """Year on year: offer last period's next local goal under `goal`, or go on when none is left."""
    if index < len(turn.carry_items(goal)):
        return go(turn, Place(Mode.CARRY, goal), pending=Pending(carry=index))
    turn = turn.update(pending=Pending())
    draft = turn.draft
    if draft and draft.goals_under(goal):
        return go(turn, Place(Mode.MORE, goal))
    return go(turn, Place(Mode.ASK, goal, None, turn.s.first_question.key))


def refuse_locked(turn: Turn) -> Turn | None:
    """None when the person's draft can be changed; else the turn that ends here (having said why,
    when the administration has locked it)."""
    draft = turn.draft
    if draft is None:
        return turn
    if draft.status == "approved":
        said = turn.say(
            turn.t(
                "The registration has been approved by the administration and is locked. "
                "Contact the administration if it needs to be reopened."
            )
        )
        return go(said, Place(Mode.DONE))
    return None
