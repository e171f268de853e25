"""The registration conversation: one pure step from (state, inbound) to (state, replies, changes).

No I/O, no clock, no platform: the service loads the context, calls `advance`, persists the
changes and hands the replies to a channel. Dispatch is three tables, read in this order:

- a button (or a typed number, label or yes/no naming one): `ANYTIME` buttons work from everywhere,
  `OFFERED` ones only while they are the last offered; a stale, unknown or garbled one is answered
  «That button belongs to an earlier question»;
- a command (`dialogs/commands.py`): `COMMANDS`;
- free text: `TEXT`, by the mode the person is in.

Every handler takes the turn (the context and the state so far) and what was sent, and returns a new
turn: the new state plus what was said and changed. A bug in a handler is not caught here: it reaches
the service's error path (logged; the person is told their message was not saved). See FLOW.md."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from dialogs import answers, dates, intent, navigation, prompts, year_on_year
from dialogs.changes import DeleteLocalGoal, SetAnswer
from dialogs.cleaning import clean_text, fold
from dialogs.commands import Cmd, Command, parse_command
from dialogs.context import BoardInfo, Context, Step, Turn
from dialogs.messages import Inbound
from dialogs.moves import after_goal, go, next_missing, next_question, prompt, refuse_locked
from dialogs.state import Mode, Pending, Place, State

__all__ = ["BoardInfo", "Context", "Flow", "Step", "Turn", "advance", "offer", "reask"]

YES_NO = {"yes": {"ja", "j", "yes", "y", "jep", "jo"}, "no": {"nej", "n", "no", "nope"}}

TextHandler = Callable[[Turn, str], Turn]
CommandHandler = Callable[[Turn, Command], Turn]
ChoiceHandler = Callable[[Turn, str], Turn | None]  # None: the button's argument is garbled (stale)


def advance(ctx: Context, state: State, inbound: Inbound) -> Step:
    """Validate one message and decide what comes next."""
    turn = Turn.begin(ctx, state)
    text = clean_text(inbound.text or "")
    choice = inbound.choice or (match_offered(state, text) if text else None)
    if choice:
        return on_choice(turn, choice).step()
    command = parse_command(text) if text else None
    if command:
        return COMMANDS[command.cmd](turn, command).step()
    return TEXT[state.mode](turn, text).step()


Flow = Callable[[Turn, Inbound], Turn | None]  # a flow that may decline a message (None)


def offer(ctx: Context, state: State, inbound: Inbound, flow: Flow) -> Step | None:
    """Run another flow (the measurement follow-up) on one message: its step, or None when the message
    is not for it."""
    done = flow(Turn.begin(ctx, state), inbound)
    return done.step() if done is not None else None


def reask(ctx: Context, state: State) -> Step:
    """The person's last question did not reach them (its delivery failed, or is still being retried):
    what they wrote now is not taken as its answer; the question is asked again first."""
    turn = Turn.begin(ctx, state)
    turn = turn.say(
        turn.t(
            "I am not sure my last question reached you, so I have not saved your message as an answer. "
            "Here is the question again:"
        ),
        kind="error",
    )
    return prompt(turn).step()


def match_offered(state: State, text: str) -> str | None:
    """A typed number, label, or plain yes/no as the choice it names."""
    folded = fold(text)
    for n, (choice_id, label) in enumerate(state.offered, start=1):
        if folded in (str(n), fold(label)):
            return choice_id
    for answer, words in YES_NO.items():
        if folded in words:
            for choice_id, _ in state.offered:
                if choice_id.endswith(f":{answer}"):
                    return choice_id
    return None


# -- buttons --------------------------------------------------------------------------------------------


def on_choice(turn: Turn, choice: str) -> Turn:
    kind, _, arg = choice.partition(":")
    handler = ANYTIME.get(kind)
    if handler is None and choice in {c for c, _ in turn.state.offered}:
        handler = OFFERED.get(kind)
    done = handler(turn, arg) if handler is not None else None
    return done if done is not None else stale(turn)


def stale(turn: Turn) -> Turn:
    """A button of an earlier question (or an unknown or forged one): say so, and where we are."""
    return prompt(turn.say(turn.t("That button belongs to an earlier question. Here is where we are now:")))


def _number(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def _board(turn: Turn, arg: str) -> Turn | None:
    registration_id = _number(arg)
    return None if registration_id is None else navigation.choose_board(turn, registration_id)


def _edit(turn: Turn, arg: str) -> Turn | None:
    goal, dot, pos = arg.partition(".")
    number, position = _number(goal), _number(pos) if dot else None
    if number is None or (dot and position is None):
        return None
    return navigation.edit(turn, number, position)


def _add(turn: Turn, arg: str) -> Turn | None:
    number = _number(arg)
    if number not in {g.number for g in turn.s.goals}:
        return None
    place = Place(Mode.ASK, number, None, turn.s.first_question.key)
    return navigation.with_board(turn, lambda on: go(on, place, to_review=True))


def _question(turn: Turn, key: str) -> Turn | None:
    if key not in {q.key for q in turn.s.questions}:
        return None
    place = Place(Mode.ASK, turn.state.goal, turn.state.position, key)
    return go(turn, place, to_review=True, pending=Pending(single=True))


def _more(turn: Turn, arg: str) -> Turn:
    goal = turn.state.goal
    if goal is None:
        return turn
    if arg == "yes":
        return go(turn, Place(Mode.ASK, goal, None, turn.s.first_question.key))
    if turn.state.to_review:  # the local goal was added from the review: back to it
        return go(turn, Place(Mode.REVIEW), to_review=False)
    return after_goal(turn, goal)


def _delete(turn: Turn, arg: str) -> Turn:
    goal, position = turn.state.goal, turn.state.position
    if goal is None or position is None:
        return turn
    if arg == "yes":
        if (refused := refuse_locked(turn)) is not None:
            return go(refused, Place(Mode.REVIEW))
        assert turn.draft is not None
        turn = turn.change(DeleteLocalGoal(turn.draft.registration_id, goal, position))
        turn = turn.say(turn.t("The local goal has been deleted."))
    return go(turn, turn.state.return_to or Place(Mode.REVIEW), return_to=None)


def _stray(turn: Turn, arg: str) -> Turn:
    """«stray:keep» stores the text after all; «stray:run» is turned into the command's text by the service
    (it needs the side questions), so here it only asks again."""
    return intent.keep(turn) if arg == "keep" else prompt(turn)


def _clear(turn: Turn, arg: str) -> Turn:
    goal, draft = turn.state.goal, turn.draft
    if draft is None or goal is None:
        return turn
    change = SetAnswer(draft.registration_id, goal, turn.state.position or 0, turn.question.key, [])
    return prompt(turn.change(change))


ANYTIME: dict[str, ChoiceHandler] = {  # valid from any place (e.g. the buttons of a review or a notice)
    "board": _board,
    "edit": _edit,
    "add": _add,
    "review": lambda turn, _: navigation.review(turn),
    "submit": lambda turn, _: navigation.submit(turn),
    "ready": lambda turn, _: navigation.submit(turn),
    "lang": navigation.language,
    "start": lambda turn, _: navigation.resume(turn),
    "resume": lambda turn, _: navigation.resume(turn),
    "help": lambda turn, _: navigation.show_help(turn),
    "return": lambda turn, _: navigation.return_from_edit(turn),
}
OFFERED: dict[str, ChoiceHandler] = {  # valid only while they are the buttons last offered
    "q": _question,
    "delete": lambda turn, _: go(turn, Place(Mode.CONFIRM_DELETE, turn.state.goal, turn.state.position)),
    "carry": year_on_year.carry,
    "more": _more,
    "dates": lambda turn, arg: answers.save_measurement(turn, confirmed=arg == "yes"),
    "past": answers.on_passed,  # «That has already passed – do you mean March 2027?»
    "del": _delete,
    "stray": _stray,
    "split": intent.split,
    "opt": lambda turn, arg: answers.on_answer(turn, arg, option=True),
    "keep": lambda turn, _: next_question(turn),
    "done": lambda turn, _: next_question(turn),
    "clear": _clear,
    "skip": lambda turn, _: navigation.skip(turn),
    "fill": lambda turn, _: next_missing(turn, first=True),
    "details": lambda turn, _: prompts.review_details(turn),
}


# -- commands -------------------------------------------------------------------------------------------

COMMANDS: dict[Cmd, CommandHandler] = {
    Cmd.HELP: lambda turn, _: navigation.show_help(turn),
    Cmd.BACK: lambda turn, _: navigation.back(turn),
    Cmd.SKIP: lambda turn, _: navigation.skip(turn),
    Cmd.PAUSE: lambda turn, _: navigation.pause(turn),
    Cmd.RESUME: lambda turn, _: navigation.resume(turn),
    Cmd.START: lambda turn, _: navigation.start(turn),
    Cmd.STATUS: lambda turn, _: navigation.status(turn),
    Cmd.REVIEW: lambda turn, _: navigation.review(turn),
    Cmd.SUBMIT: lambda turn, _: navigation.submit(turn),
    Cmd.EDIT: lambda turn, c: navigation.edit(turn, c.goal, c.position),
    Cmd.LANGUAGE: lambda turn, c: navigation.language(turn, c.locale),
    Cmd.SWITCH_BOARD: lambda turn, _: navigation.pick_board(turn),
}


# -- free text, by mode ----------------------------------------------------------------------------------


def _answer(turn: Turn, text: str) -> Turn:
    if not text:
        return prompt(turn.say(turn.t("I did not get an answer. Please try again."), kind="error"))
    stray = intent.on_stray(turn, text) or intent.on_emoji(turn, text) or intent.offer_split(turn, text)
    return stray if stray is not None else answers.on_answer(turn, text)


def _while_paused(turn: Turn, text: str) -> Turn:
    """Someone who writes after a pause means to go on: back where they were, and an answer is taken."""
    if turn.state.paused_at is None or turn.board is None:
        return navigation.start(turn)
    resumed = navigation.resume(turn)
    if resumed.state.answering and text:
        return _answer(replace(resumed, replies=turn.replies), text)  # the answer, not «welcome back»
    return resumed


def _not_understood(turn: Turn, text: str) -> Turn:
    """One line, and the question again (at the review: its question, not the whole review)."""
    said = turn.say(turn.t("Sorry, I did not understand that. Pick one of the options, or write «help»."), kind="error")
    if turn.state.mode is Mode.REVIEW and turn.draft is not None and turn.board is not None:
        return prompts.review_question(said)
    return prompt(said)


def _confirming(turn: Turn, text: str) -> Turn:
    """At «That has already passed – do you mean …?» a typed date is a new «when»; else as any choice."""
    if text and dates.passed(turn.state.pending.dates, turn.ctx.today):
        return _answer(turn, text)
    return _not_understood(turn, text)


TEXT: dict[Mode, TextHandler] = {
    Mode.ASK: _answer,
    Mode.WHEN: _answer,
    Mode.PAUSED: _while_paused,
    Mode.IDLE: lambda turn, _: navigation.start(turn),
    Mode.DONE: lambda turn, _: navigation.start(turn),
    Mode.PICK_BOARD: _not_understood,
    Mode.CONFIRM_DATES: _confirming,
    Mode.MORE: _not_understood,
    Mode.REVIEW: _not_understood,
    Mode.EDIT_GOAL: _not_understood,
    Mode.EDIT_LOCAL: _not_understood,
    Mode.CONFIRM_DELETE: _not_understood,
    Mode.CARRY: _not_understood,
}
