"""Answers to the strategy's questions: validation, conflicts with other board members, measurements.
Each function takes the turn and the person's text and returns the next turn."""

from __future__ import annotations

from dataclasses import replace

from dialogs import dates, views
from dialogs.changes import AddLocalGoal, SetAnswer
from dialogs.cleaning import fold, split_items
from dialogs.context import Turn
from dialogs.messages import Choice
from dialogs.moves import next_question, prompt, refuse_locked
from dialogs.sensitive import contains_cpr, refusal
from dialogs.state import Mode, Pending, Place
from dialogs.strategy import QuestionKind
from dialogs.when_parser import parse_when

DONE_WORDS = {"færdig", "faerdig", "done", "finished", "ikke flere", "ingen flere", "no more", "nej", "no"}


def conflicting(turn: Turn, text: str) -> Turn | None:
    """Another board member changed this local goal since this person was asked: say what,
    keep nothing silently, and ask again (the turn that does so; None when there is no conflict).
    A deletion anywhere under the same strategic goal counts: it moves the positions after it."""
    goal, pos = turn.state.goal, turn.state.position
    relevant = [
        c
        for c in turn.others
        if c.goal_number == goal and (pos is None or c.position in (None, pos) or c.after is None)
    ]
    if not relevant:
        return None
    for c in relevant[-3:]:
        who = c.person_name or turn.t("someone")
        turn = turn.say(
            turn.t(
                "While you were writing, {name} changed {label} {goal}: «{after}»",
                name=who,
                label=turn.label(),
                goal=goal,
                after=c.after or turn.t("(deleted)"),
            )
        )
    turn = turn.say(
        turn.t(
            "Your answer has not been saved: «{text}». Send it again if it should still go in.",
            text=text[:300],
        )
    )
    return prompt(replace(turn, others=()))


def refuse_sensitive(turn: Turn, text: str) -> Turn | None:
    """An answer with a CPR number is not kept anywhere (not in the draft, the state or the audit log):
    say why, without repeating it, and ask again."""
    if not contains_cpr(text):
        return None
    return prompt(turn.say(refusal(turn.t), kind="error"))


def too_long(turn: Turn, text: str) -> Turn | None:
    limit = turn.question.max_length
    if len(text) <= limit:
        return None
    return turn.say(
        turn.t(
            "Your answer is {length} characters long; the limit is {limit}. Please shorten it.",
            length=len(text),
            limit=limit,
        ),
        kind="error",
    )


def on_answer(turn: Turn, text: str, option: bool = False) -> Turn:
    refused = refuse_locked(turn) or refuse_sensitive(turn, text)
    if refused is not None:
        return refused
    q, goal, draft = turn.question, turn.state.goal, turn.draft
    assert goal is not None and draft is not None
    if turn.state.mode in (Mode.WHEN, Mode.CONFIRM_DATES):  # CONFIRM_DATES: a new date for one that passed
        return answer_when(turn, text)
    if (shorten := too_long(turn, text)) is not None:
        return shorten
    if q.kind is QuestionKind.CHOICE and not option:
        picked = [o.key for o in q.options if fold(o.label.get(turn.t.locale)) == fold(text)]
        if not picked:
            return prompt(turn.say(turn.t("Please pick one of the options."), kind="error"))
        text = picked[0]
    if (conflict := conflicting(turn, text)) is not None:
        return conflict
    reg, position = draft.registration_id, turn.state.position or 0
    if q.key == turn.s.first_question.key and turn.state.position is None:
        turn = turn.change(AddLocalGoal(reg, goal, text))
        new_position = len(turn.draft.goals_under(goal)) if turn.draft else 1
        new_place = Place(Mode.ASK, goal, None, q.key)
        fixed = tuple(replace(p, position=new_position) if p == new_place else p for p in turn.state.history)
        return next_question(turn.update(position=new_position, history=fixed))
    if q.kind is QuestionKind.LIST:
        current = list(turn.current_answer or [])
        if current and fold(text) in DONE_WORDS:
            return next_question(turn)
        items = split_items(text)
        turn = turn.change(SetAnswer(reg, goal, position, q.key, current + items))
        said = turn.t.plural("Added {n} item.", "Added {n} items.", len(items)) + " " + turn.t("So far:")
        said += "\n" + views.answer_text(turn.t, turn.s, q.key, current + items)
        said += "\n" + turn.t("Write another one, or choose «Done».")
        return turn.say(said, choices=(Choice("done", turn.t("Done")),), kind="question")
    if q.kind is QuestionKind.MEASUREMENT:
        pending = replace(turn.state.pending, method=text)
        return prompt(turn.update(mode=Mode.WHEN, offered=(), pending=pending))
    return next_question(turn.change(SetAnswer(reg, goal, position, q.key, text)))


def answer_when(turn: Turn, text: str) -> Turn:
    """The «when» of a measurement. Dates read are confirmed (or, when they have passed, offered a year on);
    an answer with no date gets one follow-up question for a month, and is then kept as it was written."""
    if (shorten := too_long(turn, text)) is not None:
        return shorten
    first = turn.state.pending.vague  # the answer before, which had no date in it
    parsed = parse_when(text, today=turn.ctx.today, until=turn.s.period.end)
    when = f"{first} ({text})" if first else text
    pending = replace(turn.state.pending, when=when, dates=tuple(d.isoformat() for d in parsed.dates), vague="")
    turn = turn.update(pending=pending)
    if parsed.understood:  # the prompt asks «Is that right?», or «That has already passed» (dialogs/dates.py)
        return prompt(turn.update(mode=Mode.CONFIRM_DATES))
    if not first:
        return prompt(turn.update(mode=Mode.WHEN, pending=replace(pending, when="", vague=text)))
    turn = turn.say(
        turn.t(
            "I could not read a date in «{text}», so I keep it as text. You will not get a "
            "reminder for it, but it is in the registration.",
            text=when,
        )
    )
    return save_measurement(turn, confirmed=False)


def on_passed(turn: Turn, arg: str) -> Turn:
    """«Det er allerede passeret – mener I marts 2027?»: yes keeps the dates a year on; no asks again."""
    pending, today = turn.state.pending, turn.ctx.today
    if not dates.passed(pending.dates, today):
        return prompt(turn)
    if arg != "yes":
        return prompt(turn.update(mode=Mode.WHEN, offered=(), pending=replace(pending, when="", dates=())))
    moved = dates.moved_on(pending.dates, today)
    when = dates.moved_when(pending.when, pending.dates, today, turn.t.locale)
    turn = turn.update(pending=replace(pending, when=when, dates=tuple(d.isoformat() for d in moved)))
    turn = turn.say(turn.t("Then I write {dates}.", dates=dates.dates_text(moved, turn.t.locale)))
    return save_measurement(turn, confirmed=True)


def save_measurement(turn: Turn, confirmed: bool) -> Turn:
    draft, goal, pending = turn.draft, turn.state.goal, turn.state.pending
    assert draft is not None and goal is not None
    when = pending.when or pending.vague  # «skip» at the follow-up question keeps the first answer
    value = {"method": pending.method, "when": when, "dates": list(pending.dates) if confirmed else []}
    if (conflict := conflicting(turn, pending.method)) is not None:
        return conflict
    if not confirmed and pending.dates:
        turn = turn.say(turn.t("Fine, I keep «{text}» as text without dates.", text=when))
    elif not confirmed and pending.vague and not pending.when:  # «Keep what we wrote» at the follow-up
        turn = turn.say(
            turn.t(
                "I could not read a date in «{text}», so I keep it as text. You will not get a "
                "reminder for it, but it is in the registration.",
                text=when,
            )
        )
    change = SetAnswer(draft.registration_id, goal, turn.state.position or 0, turn.question.key, value)
    turn = turn.change(change).update(
        mode=Mode.ASK,
        pending=Pending(single=pending.single, carry=pending.carry, fill=pending.fill, within=pending.within),
    )
    return next_question(turn)
