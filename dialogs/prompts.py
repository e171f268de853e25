"""What the person is asked at each place in the flow: one pure renderer per mode.

`render` only says things (and remembers the buttons it offered); it never moves the person. A place
that is no longer valid (a local goal deleted meanwhile, last period's goals used up) is settled by
`dialogs.moves.prompt` before it comes here."""

from __future__ import annotations

from collections.abc import Callable

from dialogs import dates, strategy_texts, views
from dialogs.context import Turn
from dialogs.messages import Choice, cut_label
from dialogs.state import Mode
from dialogs.strategy import QuestionKind


def render(turn: Turn) -> Turn:
    """Say what the person is asked now."""
    return RENDERERS[turn.state.mode](turn)


def _idle(turn: Turn) -> Turn:
    if not turn.ctx.boards:  # nothing to register: «start» would lead nowhere
        return turn.say(turn.t("Write «help» to see what you can ask me."))
    return turn.say(turn.t("Write «start» to begin, or «help» to see what I can do."))


def pick_board(turn: Turn) -> Turn:
    """The boards to choose from (also where a place needs a board and the person has none chosen)."""
    boards = turn.ctx.boards
    if not boards:
        return _idle(turn)
    turn = turn.update(mode=Mode.PICK_BOARD)
    roles = {"chair": turn.t("chair"), "member": turn.t("member"), "leader": turn.t("leader")}
    choices = tuple(
        Choice(f"board:{b.registration_id}", f"{b.institution_name} ({roles.get(b.role, b.role)})") for b in boards
    )
    return turn.say(
        turn.t("You are on several boards. Which one do you want to work on?"),
        choices=choices,
        kind="question",
    )


def _ask(turn: Turn) -> Turn:
    state, s, t = turn.state, turn.s, turn.t
    assert state.goal is not None and turn.draft is not None
    q = turn.question
    goal = s.goal(state.goal)
    text = q.render(t.locale, goal)
    if q.key == s.first_question.key:  # the goal's målepunkter with its question (dialogs/strategy_texts.py)
        text += strategy_texts.measuring_points_text(t, goal)
    if q.key != s.first_question.key and state.position is not None:
        lg = turn.draft.local_goal(state.goal, state.position)
        assert lg is not None
        text = t("About «{local_goal}»:", local_goal=lg.answers.get(s.first_question.key, "")) + "\n" + text
    help_text = q.help_for(t.locale, turn.board.institution_kind if turn.board else None)  # examples by kind
    if help_text:
        text += "\n" + help_text
    if q.kind is QuestionKind.MEASUREMENT:
        text += "\n" + t("First: how will you measure it?")
    current = turn.current_answer
    choices: list[Choice] = []
    if q.kind is QuestionKind.LIST:
        if current:
            text += "\n" + t("So far:") + "\n" + views.answer_text(t, s, q.key, current)
            text += "\n" + t("Write another one, or choose «Done».")
            choices.append(Choice("done", t("Done")))
            choices.append(Choice("clear", t("Start the list over")))
        else:
            text += "\n" + t("Write one per line, or one message at a time.")
    elif q.kind is QuestionKind.CHOICE:
        choices.extend(Choice(f"opt:{o.key}", o.label.get(t.locale)) for o in q.options)
    elif current not in (None, "", []):
        text += "\n" + t("Current answer: {answer}", answer=views.answer_text(t, s, q.key, current))
        text += "\n" + t("Write a new answer, or keep this one.")
        choices.append(Choice("keep", t("Keep the answer")))
    if not q.required and q.kind is not QuestionKind.LIST:
        choices.append(Choice("skip", t("Skip")))
    title = views.goal_heading(t, s, state.goal)
    return turn.say(text, choices=tuple(choices), title=title, kind="question")


def _when(turn: Turn) -> Turn:
    t = turn.t
    if turn.state.pending.vague:  # the answer had no date in it: ask once for a month
        return dates.ask_month(turn)
    return turn.say(
        t("And when will you measure it? For example «March 2025», «every quarter», «week 12» or «autumn 2025»."),
        kind="question",
    )


def _confirm_dates(turn: Turn) -> Turn:
    t, read = turn.t, list(turn.state.pending.dates)
    if dates.passed(read, turn.ctx.today):  # «That has already passed – do you mean March 2027?»
        return dates.ask_past(turn)
    return turn.say(
        t("I read that as: {dates}. Is that right?", dates=views.format_dates(read, t.locale)),
        choices=(Choice("dates:yes", t("Yes")), Choice("dates:no", t("No, keep it as text"))),
        kind="question",
    )


def _carry(turn: Turn) -> Turn:
    t, s, state = turn.t, turn.s, turn.state
    assert state.goal is not None
    item = turn.carry_items(state.goal)[state.pending.carry or 0]
    facts = [(t("Local goal"), str(item.answers.get(turn.ctx.previous_first_key, "")))]
    for q in s.questions[1:]:
        if item.answers.get(q.key) not in (None, "", []):
            facts.append(
                (views.short_label(t, s, q.key, state.goal), views.answer_text(t, s, q.key, item.answers[q.key]))
            )
    return turn.say(
        t(
            "Last period your board had this local goal under {label} {goal}. Keep it, edit it, or drop it?",
            label=turn.label(),
            goal=state.goal,
        ),
        choices=(
            Choice("carry:keep", t("Keep it")),
            Choice("carry:edit", t("Edit it")),
            Choice("carry:drop", t("Drop it")),
        ),
        facts=tuple(facts),
        title=views.goal_heading(t, s, state.goal),
        kind="question",
    )


def _more(turn: Turn) -> Turn:
    t, s, state = turn.t, turn.s, turn.state
    assert state.goal is not None and turn.draft is not None
    existing = turn.draft.goals_under(state.goal)
    label = turn.label()
    lines = [t("Local goals for {label} {goal} so far:", label=label, goal=state.goal)]
    for lg in existing:
        lines.append(f"{state.goal}.{lg.position} {lg.answers.get(s.first_question.key, '')}")
    later = [g.number for g in s.goals if g.number > state.goal]
    next_label = t("No, go on to {label} {goal}", label=label, goal=later[0]) if later else t("No, go on to the review")
    if state.to_review:  # added from the review
        next_label = t("No, back to the review")
    lines.append(t("Do you want to add another local goal for {label} {goal}?", label=label, goal=state.goal))
    return turn.say(
        "\n".join(lines),
        choices=(Choice("more:yes", t("Yes, add one more")), Choice("more:no", next_label)),
        title=views.goal_heading(t, s, state.goal),
        kind="question",
    )


def _review(turn: Turn) -> Turn:
    t, s, draft, board = turn.t, turn.s, turn.draft, turn.board
    assert draft is not None and board is not None
    if draft.status == "returned" and draft.return_comment:
        turn = turn.say(
            t(
                "The administration returned the registration with this comment: «{comment}». Make the "
                "changes, and submit it again.",
                comment=draft.return_comment,
            )
        )
    return review_question(turn.show(*views.compact_review(t, s, draft)), details=True)


def review_details(turn: Turn) -> Turn:
    """«Show the details»: every answer of every local goal, then the review's question."""
    assert turn.draft is not None
    return review_question(turn.show(*views.review_replies(turn.t, turn.s, turn.draft)))


def review_question(turn: Turn, *, details: bool = False) -> Turn:
    """The review's last part: what is missing, and what can be done now (also asked alone after a
    wrong input, without the whole review again)."""
    t, s, draft, board = turn.t, turn.s, turn.draft, turn.board
    assert draft is not None and board is not None
    missing = views.missing_items(t, s, draft)
    choices: list[Choice] = []
    locked = draft.status == "approved"
    if locked:
        text = t("The registration is approved and locked.")
    elif missing:
        text = t("Missing before it can be submitted:") + "\n" + "\n".join(f"• {m}" for m in missing)
    elif draft.status == "submitted" and draft.changed_after_submit and board.can_submit:  # approval: send again
        text = t("It has been changed since it was submitted. Do you want to submit it again to the administration?")
        choices.append(Choice("submit", t("Submit again")))
    elif draft.status == "submitted":
        text = t("The registration is submitted. You can still change it until the administration approves it.")
    elif board.can_submit:
        text = t("Everything is answered. Do you want to submit it to the administration?")
        choices.append(Choice("submit", t("Submit")))
    else:
        text = t("Everything is answered. Only the chair or the leader can submit; I can tell them it is ready.")
        choices.append(Choice("ready", t("Tell the chair it is ready")))
    if choices and (undated := dates.undated_note(t, s, draft)) is not None:  # seen before sending in
        text = undated + "\n" + text
    if missing and not locked:
        choices.append(Choice("fill", t("Fill in what is missing")))
    if details and draft.local_goals:
        choices.append(Choice("details", t("Show the details")))
    if not locked:
        label = turn.label()
        choices.extend(
            Choice(f"edit:{g.number}", t("Edit {label} {goal}", label=label, goal=g.number)) for g in s.goals
        )
    return turn.say(text, choices=tuple(choices), kind="question")


def _edit_goal(turn: Turn) -> Turn:
    t, s, state, draft = turn.t, turn.s, turn.state, turn.draft
    assert draft is not None
    label = turn.label()
    if state.goal is None:
        choices = tuple(
            Choice(f"edit:{g.number}", f"{label.capitalize()} {g.number}: {g.title_in(t.locale)}") for g in s.goals
        )
        return turn.say(t("Which {label} do you want to change?", label=label), choices=choices, kind="question")
    options = [
        Choice(
            f"edit:{state.goal}.{lg.position}",
            f"{state.goal}.{lg.position} {lg.answers.get(s.first_question.key)}",
        )
        for lg in draft.goals_under(state.goal)
    ]
    options.append(Choice(f"add:{state.goal}", t("Add a local goal")))
    options.append(_back(turn))
    return turn.say(
        t("Which local goal under {label} {goal}?", label=label, goal=state.goal),
        choices=tuple(options),
        title=views.goal_heading(t, s, state.goal),
        kind="question",
    )


def _edit_local(turn: Turn) -> Turn:
    t, s, state, draft = turn.t, turn.s, turn.state, turn.draft
    assert draft is not None and state.goal is not None and state.position is not None
    lg = draft.local_goal(state.goal, state.position)
    assert lg is not None  # settled by `moves.prompt`
    goal = s.goal(state.goal)
    choices = [Choice(f"q:{q.key}", _short(q.render(t.locale, goal))) for q in s.questions]
    choices.append(Choice("delete", t("Delete this local goal")))
    choices.append(_back(turn))
    return turn.say(
        t("What do you want to change?"),
        choices=tuple(choices),
        facts=views.local_goal_facts(t, s, lg),
        title=f"{state.goal}.{state.position}",
        kind="question",
    )


def _confirm_delete(turn: Turn) -> Turn:
    t, state = turn.t, turn.state
    return turn.say(
        t(
            "Delete local goal {goal}.{position}? This cannot be undone.",
            goal=state.goal,
            position=state.position,
        ),
        choices=(Choice("del:yes", t("Yes, delete it")), Choice("del:no", t("No, keep it"))),
        kind="question",
    )


def _done(turn: Turn) -> Turn:
    t = turn.t
    if turn.draft is not None and turn.draft.status == "approved":
        return turn.say(
            t("You can see the registration with «review», or ask for «status»."),
            choices=(Choice("review", t("See the review")),),
        )
    return turn.say(
        t("You can see the registration with «review», change it with «edit», or ask for «status»."),
        choices=(Choice("review", t("See the review")),),
    )


def _paused(turn: Turn) -> Turn:
    return turn.say(
        turn.t("We are taking a break. Write «resume» to go on."),
        choices=(Choice("resume", turn.t("Resume")),),
    )


def _back(turn: Turn) -> Choice:
    """The way out of the edit menus: back where the person was in the flow, or to the review."""
    if turn.state.return_to is not None:
        return Choice("return", turn.t("Back to where we were"))
    return Choice("review", turn.t("Back to the review"))


def _short(text: str) -> str:
    return cut_label(text)


RENDERERS: dict[Mode, Callable[[Turn], Turn]] = {
    Mode.IDLE: _idle,
    Mode.PICK_BOARD: pick_board,
    Mode.ASK: _ask,
    Mode.WHEN: _when,
    Mode.CONFIRM_DATES: _confirm_dates,
    Mode.MORE: _more,
    Mode.REVIEW: _review,
    Mode.EDIT_GOAL: _edit_goal,
    Mode.EDIT_LOCAL: _edit_local,
    Mode.CONFIRM_DELETE: _confirm_delete,
    Mode.DONE: _done,
    Mode.PAUSED: _paused,
    Mode.CARRY: _carry,
}
