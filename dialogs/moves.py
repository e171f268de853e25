"""Moving a person through the flow: to a place (remembering it for «back»), on to the next question,
the next strategic goal, last period's next local goal. Every move ends with the prompt of where the
person now is. Pure functions from a `Turn` to a new `Turn`."""

from __future__ import annotations

from dialogs import prompts, views
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
    if pending.fill:
        return next_missing(turn)
    if pending.single:
        return back_after_edit(turn.update(pending=Pending()))
    keys = [q.key for q in turn.s.questions]
    index = keys.index(key) + 1
    if index < len(keys):
        return go(turn, Place(Mode.ASK, goal, turn.state.position, keys[index]))
    if pending.carry is not None:
        return next_carry(turn, goal, pending.carry)
    return go(turn, Place(Mode.MORE, goal))  # added from the review too: «another one?», then the review


def back_after_edit(turn: Turn) -> Turn:
    """After one answer edited: back where the person was when they wrote «ret mål N» (or the review)."""
    back = turn.state.return_to
    if back is None:
        return go(turn, Place(Mode.REVIEW))
    turn = turn.say(turn.t("We continue where you were."))
    return go(turn.update(return_to=None), back)


def missing_places(turn: Turn) -> list[Place]:
    """Every question still to be answered, in the order of the flow: a strategic goal without local
    goals (its first question), then each local goal's unanswered questions."""
    draft, s = turn.draft, turn.s
    assert draft is not None
    places = []
    for goal in s.goals:
        lgs = draft.goals_under(goal.number)
        if not lgs:
            places.append(Place(Mode.ASK, goal.number, None, s.first_question.key))
        for lg in lgs:
            places.extend(Place(Mode.ASK, goal.number, lg.position, key) for key in views.missing_answers(s, lg))
    return places


def next_missing(turn: Turn, *, first: bool = False) -> Turn:
    """«Fill in what is missing»: the next unanswered question after this one (or the first); the review
    when nothing is left."""
    keys = [q.key for q in turn.s.questions]

    def order(p: Place) -> tuple[int, int, int]:
        return (p.goal or 0, p.position or 0, keys.index(p.question) if p.question in keys else 0)

    here = None if first else order(turn.state.place)
    later = [p for p in missing_places(turn) if here is None or order(p) > here]
    within = turn.state.pending.within
    if within:  # local goals made from the lines of one answer: their questions, then «another one?»
        later = [p for p in later if p.goal == turn.state.goal and p.position is not None]
        if not later:
            return go(turn.update(pending=Pending()), Place(Mode.MORE, turn.state.goal))
        return go(turn, later[0], pending=Pending(fill=True, within=True), to_review=turn.state.to_review)
    if not later:
        if not first:
            turn = turn.say(turn.t("That was everything that was missing."))
        return go(turn.update(pending=Pending()), Place(Mode.REVIEW))
    return go(turn, later[0], pending=Pending(fill=True), to_review=False)


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
