"""Answers to the strategy's questions: validation, conflicts with other board members, measurements."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from dialogs import views
from dialogs.changes import AddLocalGoal, SetAnswer
from dialogs.cleaning import fold, split_items
from dialogs.messages import Choice
from dialogs.sensitive import contains_cpr, refusal
from dialogs.state import Mode, Place
from dialogs.strategy import Question, QuestionKind
from dialogs.when_parser import parse_when

if TYPE_CHECKING:
    from dialogs.engine import Turn

DONE_WORDS = {"færdig", "faerdig", "done", "finished", "ikke flere", "ingen flere", "no more", "nej", "no"}


def question(turn: Turn) -> Question:
    assert turn.state.question is not None
    return turn.s.question(turn.state.question)


def current_answer(turn: Turn) -> Any:
    draft, goal, pos = turn.draft, turn.state.goal, turn.state.position
    if draft is None or goal is None or pos is None:
        return None
    lg = draft.local_goal(goal, pos)
    return lg.answers.get(question(turn).key) if lg else None


def conflicting(turn: Turn, text: str) -> bool:
    """Another board member changed this local goal since this person was asked: say what,
    keep nothing silently, and ask again."""
    goal, pos = turn.state.goal, turn.state.position
    relevant = [
        c
        for c in turn.ctx.others
        if c.goal_number == goal and (pos is None or c.position in (None, pos) or c.after is None)
    ]
    if not relevant:
        return False
    for c in relevant[-3:]:
        who = c.person_name or turn.t("someone")
        turn.say(
            turn.t(
                "While you were writing, {name} changed {label} {goal}: «{after}»",
                name=who,
                label=turn.label(),
                goal=goal,
                after=c.after or turn.t("(deleted)"),
            )
        )
    turn.say(
        turn.t(
            "Your answer has not been saved: «{text}». Send it again if it should still go in.",
            text=text[:300],
        )
    )
    turn.ctx = replace(turn.ctx, others=())
    turn.prompt()
    return True


def refuse_sensitive(turn: Turn, text: str) -> bool:
    """An answer with a CPR number is not kept anywhere (not in the draft, the state or the audit log):
    say why, without repeating it, and ask again."""
    if not contains_cpr(text):
        return False
    turn.say(
        refusal(turn.t),
        kind="error",
    )
    turn.prompt()
    return True


def on_answer(turn: Turn, text: str, option: bool = False) -> None:
    if not turn.writable() or refuse_sensitive(turn, text):
        return
    q, goal, draft = question(turn), turn.state.goal, turn.draft
    assert goal is not None and draft is not None
    if turn.state.mode == Mode.WHEN:
        answer_when(turn, text)
        return
    if len(text) > q.max_length:
        turn.say(
            turn.t(
                "Your answer is {length} characters long; the limit is {limit}. Please shorten it.",
                length=len(text),
                limit=q.max_length,
            ),
            kind="error",
        )
        return
    if q.kind is QuestionKind.CHOICE and not option:
        picked = [o.key for o in q.options if fold(o.label.get(turn.t.locale)) == fold(text)]
        if not picked:
            turn.say(turn.t("Please pick one of the options."), kind="error")
            turn.prompt()
            return
        text = picked[0]
    if conflicting(turn, text):
        return
    reg = draft.registration_id
    if q.key == turn.s.first_question.key and turn.state.position is None:
        turn.change(AddLocalGoal(reg, goal, text))
        position = len(turn.draft.goals_under(goal)) if turn.draft else 1
        new_place = Place(Mode.ASK, goal, None, q.key)
        fixed = tuple(replace(p, position=position) if p == new_place else p for p in turn.state.history)
        turn.state = replace(turn.state, position=position, history=fixed)
        turn.next_question()
    elif q.kind is QuestionKind.LIST:
        current = list(current_answer(turn) or [])
        if current and fold(text) in DONE_WORDS:
            turn.next_question()
            return
        items = split_items(text)
        turn.change(SetAnswer(reg, goal, turn.state.position or 0, q.key, current + items))
        text = turn.t.plural("Added {n} item.", "Added {n} items.", len(items)) + " " + turn.t("So far:")
        text += "\n" + views.answer_text(turn.t, turn.s, q.key, current + items)
        text += "\n" + turn.t("Write another one, or choose «Done».")
        turn.say(text, choices=(Choice("done", turn.t("Done")),), kind="question")
    elif q.kind is QuestionKind.MEASUREMENT:
        turn.state = replace(turn.state, mode=Mode.WHEN, offered=(), pending={**turn.state.pending, "method": text})
        turn.prompt()
    else:
        turn.change(SetAnswer(reg, goal, turn.state.position or 0, q.key, text))
        turn.next_question()


def answer_when(turn: Turn, text: str) -> None:
    if len(text) > question(turn).max_length:
        turn.say(
            turn.t(
                "Your answer is {length} characters long; the limit is {limit}. Please shorten it.",
                length=len(text),
                limit=question(turn).max_length,
            ),
            kind="error",
        )
        return
    parsed = parse_when(text, today=turn.ctx.today, until=turn.s.period.end)
    pending = {**turn.state.pending, "when": text, "dates": [d.isoformat() for d in parsed.dates]}
    turn.state = replace(turn.state, pending=pending)
    if parsed.understood:
        turn.state = replace(turn.state, mode=Mode.CONFIRM_DATES)
        turn.prompt()
    else:
        turn.say(
            turn.t(
                "I could not read a date in «{text}», so I keep it as text. You will not get a "
                "reminder for it, but it is in the registration.",
                text=text,
            )
        )
        save_measurement(turn, confirmed=False)


def save_measurement(turn: Turn, confirmed: bool) -> None:
    draft, goal, pending = turn.draft, turn.state.goal, turn.state.pending
    assert draft is not None and goal is not None
    value = {
        "method": pending.get("method", ""),
        "when": pending.get("when", ""),
        "dates": pending.get("dates", []) if confirmed else [],
    }
    if conflicting(turn, value["method"]):
        return
    if not confirmed and pending.get("dates"):
        turn.say(turn.t("Fine, I keep «{text}» as text without dates.", text=value["when"]))
    turn.change(SetAnswer(draft.registration_id, goal, turn.state.position or 0, question(turn).key, value))
    kept = {k: v for k, v in pending.items() if k in ("single", "carry")}
    turn.state = replace(turn.state, mode=Mode.ASK, pending=kept)
    turn.next_question()
