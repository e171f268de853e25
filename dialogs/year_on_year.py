"""Year on year: a new period of a strategy offers last period's local goals to keep, edit or drop.
(Which one is offered is `state.pending.carry`; `dialogs.moves.next_carry` offers the next.)

Last period's measurement dates are not carried into a period they lie outside of (a 2025 date in a
2028 period): they are left out, and a kept local goal is asked once for its new «when»."""

from __future__ import annotations

from datetime import date
from typing import Any

from dialogs import dates
from dialogs.changes import AddLocalGoal, SetAnswer
from dialogs.context import Turn
from dialogs.moves import go, next_carry, prompt, refuse_locked
from dialogs.state import Mode, Pending, Place
from dialogs.views import format_dates

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
    stale: list[tuple[str, Any, list[date]]] = []  # (question key, kept value, dates outside the period)
    for q in turn.s.questions[1:]:
        value = item.answers.get(q.key)
        if (outside := dates.outside_period(turn.s, value)) and isinstance(value, dict):
            value = {**value, "dates": []}
            stale.append((q.key, value, outside))
        if value not in (None, "", []):
            turn = turn.change(SetAnswer(draft.registration_id, goal, position, q.key, value))
    if action == "edit":
        turn = turn.update(position=position)
        return go(turn, Place(Mode.ASK, goal, position, turn.s.first_question.key), pending=Pending(carry=index + 1))
    turn = turn.say(turn.t("Kept."))
    if stale:
        return _ask_new_dates(turn.update(position=position), goal, text, stale[0], index + 1)
    return next_carry(turn, goal, index + 1)


def _ask_new_dates(turn: Turn, goal: int, text: str, stale: tuple[str, Any, list[date]], carry: int) -> Turn:
    """A kept local goal whose measurement dates lie outside the new period: its «when» is asked again
    (then last period's next local goal is offered, as after any answer while carrying)."""
    key, value, outside = stale
    t, period = turn.t, turn.s.period
    said = t(
        "The measurement of «{local_goal}» was set for {dates}, outside the new period ({start} – {end}). "
        "Give it a new date.",
        local_goal=text,
        dates=dates.dates_text(outside, t.locale),
        start=format_dates((period.start,), t.locale),
        end=format_dates((period.end,), t.locale),
    )
    pending = Pending(method=str(value.get("method") or ""), carry=carry)
    return go(turn.say(said), Place(Mode.WHEN, goal, turn.state.position, key), pending=pending)
