"""The registration conversation: one pure step from (state, inbound) to (state, replies, changes).

No I/O, no clock, no platform: the service loads the context, calls `advance`, persists the
changes and hands the replies to a channel. See dialogs/FLOW.md for the state diagram."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from dialogs import answers, intent, navigation, year_on_year
from dialogs.changes import (
    Change,
    DeleteLocalGoal,
    SetAnswer,
    SetLocale,
    apply_in_memory,
)
from dialogs.cleaning import clean_text, fold
from dialogs.commands import Cmd, Command, parse_command
from dialogs.messages import Choice, Inbound, Reply
from dialogs.prompts import render_prompt
from dialogs.state import Mode, Outcome, Place, State
from dialogs.strategy import Strategy
from dialogs.texts import Texts, texts
from storage.registrations import ChangeSeen, DraftData

HISTORY_LIMIT = 40
GLOBAL_CHOICES = {"board", "edit", "add", "review", "submit", "ready", "lang", "start", "resume", "help"}
YES_NO = {"yes": {"ja", "j", "yes", "y", "jep", "jo"}, "no": {"nej", "n", "no", "nope"}}


@dataclass(frozen=True, slots=True)
class BoardInfo:
    registration_id: int
    institution_name: str
    role: str  # member | chair | leader
    can_submit: bool


@dataclass(frozen=True, slots=True)
class Context:
    strategy: Strategy
    person_name: str
    locale: str
    boards: tuple[BoardInfo, ...]
    drafts: Mapping[int, DraftData]  # by registration id, one per board
    today: date
    others: tuple[ChangeSeen, ...] = ()  # changes by others to the state's registration since last asked
    previous: Mapping[int, DraftData] = field(default_factory=dict)  # last period's draft, by this registration id
    previous_first_key: str = ""


@dataclass(frozen=True, slots=True)
class Step:
    state: State
    replies: tuple[Reply, ...]
    changes: tuple[Change, ...] = ()
    outcome: Outcome = Outcome.CONTINUE


def advance(ctx: Context, state: State, inbound: Inbound) -> Step:
    """Validate one message and decide what comes next."""
    return Turn(ctx, state).run(inbound)


def reask(ctx: Context, state: State) -> Step:
    """The person's last question did not reach them (its delivery failed, or is still being retried):
    what they wrote now is not taken as its answer; the question is asked again first."""
    turn = Turn(ctx, state)
    turn.say(
        turn.t(
            "I am not sure my last question reached you, so I have not saved your message as an answer. "
            "Here is the question again:"
        ),
        kind="error",
    )
    turn.prompt()
    return turn.step()


@dataclass
class Turn:
    ctx: Context
    state: State
    replies: list[Reply] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    outcome: Outcome = Outcome.CONTINUE

    def __post_init__(self) -> None:
        self.t: Texts = texts(self.ctx.locale)
        self.s: Strategy = self.ctx.strategy
        self.drafts: dict[int, DraftData] = dict(self.ctx.drafts)

    # -- plumbing -----------------------------------------------------------------------------
    def say(self, text: str, choices: tuple[Choice, ...] = (), **kw: Any) -> None:
        self.replies.append(Reply(text, choices=choices, **kw))
        if choices:
            self.state = replace(self.state, offered=tuple((c.id, c.label) for c in choices))

    def change(self, change: Change) -> None:
        self.changes.append(change)
        reg_id = getattr(change, "registration_id", None)
        if reg_id in self.drafts:
            self.drafts[reg_id] = apply_in_memory(
                self.drafts[reg_id], change, self.s.first_question.key, self.ctx.person_name
            )
        if isinstance(change, SetLocale):
            self.t = texts(change.locale)

    @property
    def draft(self) -> DraftData | None:
        reg = self.state.registration_id
        return self.drafts.get(reg) if reg is not None else None

    @property
    def board(self) -> BoardInfo | None:
        for b in self.ctx.boards:
            if b.registration_id == self.state.registration_id:
                return b
        return None

    def go(self, place: Place, **changes: Any) -> None:
        """Move to `place`, remembering where we were for «back»."""
        old = self.state.place
        history = self.state.history
        if old.mode in (Mode.ASK, Mode.WHEN, Mode.MORE) and old != place:
            history = (*history, old)[-HISTORY_LIMIT:]
        self.state = self.state.at(place, history=history, offered=(), **changes)
        self.prompt()

    def step(self) -> Step:
        return Step(self.state, tuple(self.replies), tuple(self.changes), self.outcome)

    def label(self) -> str:
        return self.s.goal_label.get(self.t.locale)

    # -- dispatch -----------------------------------------------------------------------------
    def run(self, inbound: Inbound) -> Step:
        text = clean_text(inbound.text or "")
        choice = inbound.choice or (self.match_offered(text) if text else None)
        if choice:
            self.on_choice(choice, inbound.values)
            return self.step()
        command = parse_command(text) if text else None
        if command:
            self.on_command(command)
        elif self.state.mode in (Mode.ASK, Mode.WHEN):
            if not text:
                self.say(self.t("I did not get an answer. Please try again."), kind="error")
                self.prompt()
            elif not intent.on_stray(self, text):
                answers.on_answer(self, text)
        elif self.state.mode == Mode.PAUSED and self.state.paused_at is not None and self.board is not None:
            navigation.resume(self)  # someone who writes after a pause means to go on
            if self.state.mode in (Mode.ASK, Mode.WHEN) and text:
                self.replies.clear()
                if not intent.on_stray(self, text):
                    answers.on_answer(self, text)
        elif self.state.mode in (Mode.IDLE, Mode.PAUSED, Mode.DONE):
            navigation.start(self)
        else:
            self.say(
                self.t("Sorry, I did not understand that. Pick one of the options, or write «help»."),
                kind="error",
            )
            self.prompt()
        return self.step()

    def match_offered(self, text: str) -> str | None:
        """A typed number, label, or plain yes/no as the choice it names."""
        folded = fold(text)
        for n, (choice_id, label) in enumerate(self.state.offered, start=1):
            if folded in (str(n), fold(label)):
                return choice_id
        for answer, words in YES_NO.items():
            if folded in words:
                for choice_id, _ in self.state.offered:
                    if choice_id.endswith(f":{answer}"):
                        return choice_id
        return None

    def on_command(self, command: Command) -> None:
        handlers = {
            Cmd.HELP: lambda: navigation.show_help(self),
            Cmd.BACK: lambda: navigation.back(self),
            Cmd.SKIP: lambda: navigation.skip(self),
            Cmd.PAUSE: lambda: navigation.pause(self),
            Cmd.RESUME: lambda: navigation.resume(self),
            Cmd.START: lambda: navigation.start(self),
            Cmd.STATUS: lambda: navigation.status(self),
            Cmd.REVIEW: lambda: self.with_board(lambda: self.go(Place(Mode.REVIEW))),
            Cmd.SUBMIT: lambda: navigation.submit(self),
            Cmd.EDIT: lambda: navigation.edit(self, command.goal, command.position),
            Cmd.LANGUAGE: lambda: navigation.language(self, command.locale),
            Cmd.SWITCH_BOARD: lambda: navigation.pick_board(self),
        }
        handlers[command.cmd]()

    def on_choice(self, choice: str, values: Mapping[str, str]) -> None:
        kind, _, arg = choice.partition(":")
        if kind not in GLOBAL_CHOICES and choice not in {c for c, _ in self.state.offered}:
            self.say(self.t("That button belongs to an earlier question. Here is where we are now:"))
            self.prompt()
            return
        try:
            self.dispatch_choice(kind, arg)
        except (ValueError, KeyError):  # a garbled or forged button id
            self.say(self.t("That button belongs to an earlier question. Here is where we are now:"))
            self.prompt()

    def dispatch_choice(self, kind: str, arg: str) -> None:
        if kind == "board":
            navigation.choose_board(self, int(arg))
        elif kind == "edit":
            goal, _, pos = arg.partition(".")
            navigation.edit(self, int(goal), int(pos) if pos else None)
        elif kind == "add":
            goal_number = self.s.goal(int(arg)).number
            self.with_board(
                lambda: self.go(Place(Mode.ASK, goal_number, None, self.s.first_question.key), to_review=True)
            )
        elif kind == "review":
            self.with_board(lambda: self.go(Place(Mode.REVIEW)))
        elif kind in ("submit", "ready"):
            navigation.submit(self)
        elif kind == "lang":
            navigation.language(self, arg)
        elif kind in ("start", "resume"):
            navigation.resume(self)
        elif kind == "help":
            navigation.show_help(self)
        elif kind == "q":
            self.go(
                Place(Mode.ASK, self.state.goal, self.state.position, self.s.question(arg).key),
                to_review=True,
                pending={"single": True},
            )
        elif kind == "delete":
            self.go(Place(Mode.CONFIRM_DELETE, self.state.goal, self.state.position))
        elif kind == "carry":
            year_on_year.carry(self, arg)
        else:
            self.on_mode_choice(kind, arg)

    def on_mode_choice(self, kind: str, arg: str) -> None:
        """Buttons that only mean something at the question that offered them."""
        goal, yes = self.state.goal, arg == "yes"
        if kind == "more" and goal is not None:
            if yes:
                self.go(Place(Mode.ASK, goal, None, self.s.first_question.key))
            else:
                self.after_goal(goal)
        elif kind == "dates":
            answers.save_measurement(self, confirmed=yes)
        elif kind == "del" and goal is not None and self.state.position is not None:
            if yes and self.writable():
                assert self.draft is not None
                self.change(DeleteLocalGoal(self.draft.registration_id, goal, self.state.position))
                self.say(self.t("The local goal has been deleted."))
            self.go(Place(Mode.REVIEW))
        elif kind == "stray":  # «stray:run» is turned into the command's text by the service
            if arg == "keep":
                intent.keep(self)
            else:
                self.prompt()
        elif kind == "opt":
            answers.on_answer(self, arg, option=True)
        elif kind in ("keep", "done"):
            self.next_question()
        elif kind == "clear" and self.draft is not None and goal is not None:
            self.change(
                SetAnswer(self.draft.registration_id, goal, self.state.position or 0, answers.question(self).key, [])
            )
            self.prompt()
        elif kind == "skip":
            navigation.skip(self)

    # -- the questions --------------------------------------------------------------------------

    def next_question(self) -> None:
        goal, key = self.state.goal, self.state.question
        assert goal is not None and key is not None
        if self.state.pending.get("single"):
            self.state = replace(self.state, pending={})
            self.go(Place(Mode.REVIEW))
            return
        keys = [q.key for q in self.s.questions]
        index = keys.index(key) + 1
        if index < len(keys):
            self.go(Place(Mode.ASK, goal, self.state.position, keys[index]))
        elif "carry" in self.state.pending:
            year_on_year.next_carry(self, goal, int(self.state.pending["carry"]))
        elif self.state.to_review:
            self.go(Place(Mode.REVIEW), to_review=False)
        else:
            self.go(Place(Mode.MORE, goal))

    def enter_goal(self, number: int) -> None:
        draft = self.draft
        if draft and draft.goals_under(number):
            self.go(Place(Mode.MORE, number))
        elif year_on_year.carry_items(self, number):
            self.go(Place(Mode.CARRY, number), pending={"carry": 0})
        else:
            self.go(Place(Mode.ASK, number, None, self.s.first_question.key))

    # -- year on year: last period's local goals -------------------------------------------------

    def after_goal(self, number: int) -> None:
        later = [g.number for g in self.s.goals if g.number > number]
        if later:
            self.enter_goal(later[0])
        else:
            self.go(Place(Mode.REVIEW))

    # -- prompts ------------------------------------------------------------------------------
    def prompt(self) -> None:
        """Say what the person is asked now (after any step, and on «resume»)."""
        render_prompt(self)

    # -- commands -----------------------------------------------------------------------------
    def with_board(self, then: Any) -> None:
        if self.board is None:
            navigation.pick_board(self)
        else:
            then()

    def writable(self) -> bool:
        draft = self.draft
        if draft is not None and draft.status == "approved":
            self.say(
                self.t(
                    "The registration has been approved by the administration and is locked. "
                    "Contact the administration if it needs to be reopened."
                )
            )
            self.go(Place(Mode.DONE))
            return False
        return draft is not None
