"""The registration conversation: one pure step from (state, inbound) to (state, replies, changes).

No I/O, no clock, no platform: the service loads the context, calls `advance`, persists the
changes and hands the replies to a channel. See dialogs/FLOW.md for the state diagram."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Any

from dialogs import views
from dialogs.changes import (
    AddLocalGoal,
    Change,
    DeleteLocalGoal,
    MarkReady,
    SetAnswer,
    SetLocale,
    Submit,
    apply_in_memory,
)
from dialogs.cleaning import clean_text, fold, split_items
from dialogs.commands import Cmd, Command, parse_command
from dialogs.messages import Choice, Inbound, Reply
from dialogs.prompts import render_prompt
from dialogs.state import Mode, Place, State
from dialogs.strategy import Question, QuestionKind, Strategy
from dialogs.texts import Texts, texts
from dialogs.when_parser import parse_when
from storage.registrations import ChangeSeen, DraftData, LocalGoalData

HISTORY_LIMIT = 40
GLOBAL_CHOICES = {"board", "edit", "add", "review", "submit", "ready", "lang", "start", "resume", "help"}
YES_NO = {"yes": {"ja", "j", "yes", "y", "jep", "jo"}, "no": {"nej", "n", "no", "nope"}}
DONE_WORDS = {"færdig", "faerdig", "done", "finished", "ikke flere", "ingen flere", "no more", "nej", "no"}


class Outcome(StrEnum):
    CONTINUE = "continue"
    DONE = "done"
    PAUSED = "paused"


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
    return _Turn(ctx, state).run(inbound)


@dataclass
class _Turn:
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
            else:
                self.on_answer(text)
        elif self.state.mode == Mode.PAUSED and self.state.paused_at is not None and self.board is not None:
            self.resume()  # someone who writes after a pause means to go on
            if self.state.mode in (Mode.ASK, Mode.WHEN) and text:
                self.replies.clear()
                self.on_answer(text)
        elif self.state.mode in (Mode.IDLE, Mode.PAUSED, Mode.DONE):
            self.start()
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
            Cmd.HELP: self.help,
            Cmd.BACK: self.back,
            Cmd.SKIP: self.skip,
            Cmd.PAUSE: self.pause,
            Cmd.RESUME: self.resume,
            Cmd.START: self.start,
            Cmd.STATUS: self.status,
            Cmd.REVIEW: lambda: self.with_board(lambda: self.go(Place(Mode.REVIEW))),
            Cmd.SUBMIT: self.submit,
            Cmd.EDIT: lambda: self.edit(command.goal, command.position),
            Cmd.LANGUAGE: lambda: self.language(command.locale),
            Cmd.SWITCH_BOARD: self.pick_board,
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
            self.choose_board(int(arg))
        elif kind == "edit":
            goal, _, pos = arg.partition(".")
            self.edit(int(goal), int(pos) if pos else None)
        elif kind == "add":
            goal_number = self.s.goal(int(arg)).number
            self.with_board(
                lambda: self.go(Place(Mode.ASK, goal_number, None, self.s.first_question.key), to_review=True)
            )
        elif kind == "review":
            self.with_board(lambda: self.go(Place(Mode.REVIEW)))
        elif kind in ("submit", "ready"):
            self.submit()
        elif kind == "lang":
            self.language(arg)
        elif kind in ("start", "resume"):
            self.resume()
        elif kind == "help":
            self.help()
        elif kind == "q":
            self.go(
                Place(Mode.ASK, self.state.goal, self.state.position, self.s.question(arg).key),
                to_review=True,
                pending={"single": True},
            )
        elif kind == "delete":
            self.go(Place(Mode.CONFIRM_DELETE, self.state.goal, self.state.position))
        elif kind == "carry":
            self.carry(arg)
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
            self.save_measurement(confirmed=yes)
        elif kind == "del" and goal is not None and self.state.position is not None:
            if yes and self.writable():
                assert self.draft is not None
                self.change(DeleteLocalGoal(self.draft.registration_id, goal, self.state.position))
                self.say(self.t("The local goal has been deleted."))
            self.go(Place(Mode.REVIEW))
        elif kind == "opt":
            self.on_answer(arg, option=True)
        elif kind in ("keep", "done"):
            self.next_question()
        elif kind == "clear" and self.draft is not None and goal is not None:
            self.change(SetAnswer(self.draft.registration_id, goal, self.state.position or 0, self.question().key, []))
            self.prompt()
        elif kind == "skip":
            self.skip()

    # -- the questions --------------------------------------------------------------------------
    def question(self) -> Question:
        assert self.state.question is not None
        return self.s.question(self.state.question)

    def current_answer(self) -> Any:
        draft, goal, pos = self.draft, self.state.goal, self.state.position
        if draft is None or goal is None or pos is None:
            return None
        lg = draft.local_goal(goal, pos)
        return lg.answers.get(self.question().key) if lg else None

    def conflicting(self, text: str) -> bool:
        """Another board member changed this local goal since this person was asked: say what,
        keep nothing silently, and ask again."""
        goal, pos = self.state.goal, self.state.position
        relevant = [
            c
            for c in self.ctx.others
            if c.goal_number == goal and (pos is None or c.position in (None, pos) or c.after is None)
        ]
        if not relevant:
            return False
        for c in relevant[-3:]:
            who = c.person_name or self.t("someone")
            self.say(
                self.t(
                    "While you were writing, {name} changed {label} {goal}: «{after}»",
                    name=who,
                    label=self.label(),
                    goal=goal,
                    after=c.after or self.t("(deleted)"),
                )
            )
        self.say(
            self.t(
                "Your answer has not been saved: «{text}». Send it again if it should still go in.",
                text=text[:300],
            )
        )
        self.ctx = replace(self.ctx, others=())
        self.prompt()
        return True

    def on_answer(self, text: str, option: bool = False) -> None:
        if not self.writable():
            return
        q, goal, draft = self.question(), self.state.goal, self.draft
        assert goal is not None and draft is not None
        if self.state.mode == Mode.WHEN:
            self.answer_when(text)
            return
        if len(text) > q.max_length:
            self.say(
                self.t(
                    "Your answer is {length} characters long; the limit is {limit}. Please shorten it.",
                    length=len(text),
                    limit=q.max_length,
                ),
                kind="error",
            )
            return
        if q.kind is QuestionKind.CHOICE and not option:
            picked = [o.key for o in q.options if fold(o.label.get(self.t.locale)) == fold(text)]
            if not picked:
                self.say(self.t("Please pick one of the options."), kind="error")
                self.prompt()
                return
            text = picked[0]
        if self.conflicting(text):
            return
        reg = draft.registration_id
        if q.key == self.s.first_question.key and self.state.position is None:
            self.change(AddLocalGoal(reg, goal, text))
            position = len(self.draft.goals_under(goal)) if self.draft else 1
            new_place = Place(Mode.ASK, goal, None, q.key)
            fixed = tuple(replace(p, position=position) if p == new_place else p for p in self.state.history)
            self.state = replace(self.state, position=position, history=fixed)
            self.next_question()
        elif q.kind is QuestionKind.LIST:
            current = list(self.current_answer() or [])
            if current and fold(text) in DONE_WORDS:
                self.next_question()
                return
            items = split_items(text)
            self.change(SetAnswer(reg, goal, self.state.position or 0, q.key, current + items))
            text = self.t.plural("Added {n} item.", "Added {n} items.", len(items)) + " " + self.t("So far:")
            text += "\n" + views.answer_text(self.t, self.s, q.key, current + items)
            text += "\n" + self.t("Write another one, or choose «Done».")
            self.say(text, choices=(Choice("done", self.t("Done")),), kind="question")
        elif q.kind is QuestionKind.MEASUREMENT:
            self.state = replace(self.state, mode=Mode.WHEN, offered=(), pending={**self.state.pending, "method": text})
            self.prompt()
        else:
            self.change(SetAnswer(reg, goal, self.state.position or 0, q.key, text))
            self.next_question()

    def answer_when(self, text: str) -> None:
        if len(text) > self.question().max_length:
            self.say(
                self.t(
                    "Your answer is {length} characters long; the limit is {limit}. Please shorten it.",
                    length=len(text),
                    limit=self.question().max_length,
                ),
                kind="error",
            )
            return
        parsed = parse_when(text, today=self.ctx.today, until=self.s.period.end)
        pending = {**self.state.pending, "when": text, "dates": [d.isoformat() for d in parsed.dates]}
        self.state = replace(self.state, pending=pending)
        if parsed.understood:
            self.state = replace(self.state, mode=Mode.CONFIRM_DATES)
            self.prompt()
        else:
            self.say(
                self.t(
                    "I could not read a date in «{text}», so I keep it as text. You will not get a "
                    "reminder for it, but it is in the registration.",
                    text=text,
                )
            )
            self.save_measurement(confirmed=False)

    def save_measurement(self, confirmed: bool) -> None:
        draft, goal, pending = self.draft, self.state.goal, self.state.pending
        assert draft is not None and goal is not None
        value = {
            "method": pending.get("method", ""),
            "when": pending.get("when", ""),
            "dates": pending.get("dates", []) if confirmed else [],
        }
        if self.conflicting(value["method"]):
            return
        if not confirmed and pending.get("dates"):
            self.say(self.t("Fine, I keep «{text}» as text without dates.", text=value["when"]))
        self.change(SetAnswer(draft.registration_id, goal, self.state.position or 0, self.question().key, value))
        kept = {k: v for k, v in pending.items() if k in ("single", "carry")}
        self.state = replace(self.state, mode=Mode.ASK, pending=kept)
        self.next_question()

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
            self.next_carry(goal, int(self.state.pending["carry"]))
        elif self.state.to_review:
            self.go(Place(Mode.REVIEW), to_review=False)
        else:
            self.go(Place(Mode.MORE, goal))

    def enter_goal(self, number: int) -> None:
        draft = self.draft
        if draft and draft.goals_under(number):
            self.go(Place(Mode.MORE, number))
        elif self.carry_items(number):
            self.go(Place(Mode.CARRY, number), pending={"carry": 0})
        else:
            self.go(Place(Mode.ASK, number, None, self.s.first_question.key))

    # -- year on year: last period's local goals -------------------------------------------------
    def carry_items(self, goal: int) -> list[LocalGoalData]:
        reg = self.state.registration_id
        previous = self.ctx.previous.get(reg) if reg is not None else None
        return previous.goals_under(goal) if previous else []

    def carry(self, action: str) -> None:
        goal, draft = self.state.goal, self.draft
        index = int(self.state.pending.get("carry", 0))
        items = self.carry_items(goal) if goal is not None else []
        if goal is None or draft is None or index >= len(items) or not self.writable():
            self.prompt()
            return
        if action == "drop":
            self.next_carry(goal, index + 1)
            return
        item = items[index]
        self.change(AddLocalGoal(draft.registration_id, goal, str(item.answers.get(self.ctx.previous_first_key, ""))))
        position = len(self.draft.goals_under(goal)) if self.draft else 1
        for q in self.s.questions[1:]:
            value = item.answers.get(q.key)
            if value not in (None, "", []):
                self.change(SetAnswer(draft.registration_id, goal, position, q.key, value))
        if action == "edit":
            self.state = replace(self.state, position=position)
            self.go(Place(Mode.ASK, goal, position, self.s.first_question.key), pending={"carry": index + 1})
        else:
            self.say(self.t("Kept."))
            self.next_carry(goal, index + 1)

    def next_carry(self, goal: int, index: int) -> None:
        if index < len(self.carry_items(goal)):
            self.go(Place(Mode.CARRY, goal), pending={"carry": index})
        else:
            self.state = replace(self.state, pending={})
            draft = self.draft
            if draft and draft.goals_under(goal):
                self.go(Place(Mode.MORE, goal))
            else:
                self.go(Place(Mode.ASK, goal, None, self.s.first_question.key))

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
            self.pick_board()
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

    def help(self) -> None:
        self.replies.append(views.help_reply(self.t))
        self.prompt()

    def back(self) -> None:
        if self.state.mode in (Mode.WHEN, Mode.CONFIRM_DATES):
            self.state = replace(self.state, mode=Mode.ASK, offered=(), pending={})
            self.prompt()
            return
        if not self.state.history:
            self.say(self.t("We are at the beginning, there is nothing to go back to."))
            self.prompt()
            return
        *rest, last = self.state.history
        self.state = self.state.at(last, history=tuple(rest), offered=(), pending={})
        self.prompt()

    def skip(self) -> None:
        mode, goal = self.state.mode, self.state.goal
        if mode == Mode.ASK and goal is not None:
            q = self.question()
            if q.key == self.s.first_question.key and self.state.position is None:
                self.say(
                    self.t(
                        "Skipped. You can come back to {label} {goal} later with «edit goal {goal}».",
                        label=self.label(),
                        goal=goal,
                    )
                )
                self.after_goal(goal)
                return
            if q.required:
                self.say(self.t("Skipped. The question is shown as unanswered in the review."))
            self.next_question()
        elif mode == Mode.WHEN:
            self.state = replace(self.state, pending={**self.state.pending, "when": "", "dates": []})
            self.save_measurement(confirmed=False)
        elif mode == Mode.CONFIRM_DATES:
            self.save_measurement(confirmed=False)
        elif mode == Mode.MORE and goal is not None:
            self.after_goal(goal)
        else:
            self.say(self.t("There is nothing to skip here."))
            self.prompt()

    def pause(self) -> None:
        if self.state.mode in (Mode.IDLE, Mode.PAUSED):
            self.say(self.t("Fine. Write «start» when you want to begin."))
            return
        place = self.state.place if self.state.mode != Mode.DONE else None
        self.state = replace(self.state, mode=Mode.PAUSED, paused_at=place, offered=())
        self.say(
            self.t(
                "Everything is saved. Write «resume» when you want to go on. You can also close the chat: "
                "I will remember where you were."
            )
        )
        self.outcome = Outcome.PAUSED

    def resume(self) -> None:
        paused = self.state.paused_at
        if paused is not None and self.board is not None:
            self.state = self.state.at(paused, paused_at=None, offered=())
            self.say(self.t("Welcome back! We continue where you left off."))
            self.prompt()
        else:
            self.start()

    def start(self) -> None:
        if self.state.mode == Mode.PAUSED and self.state.paused_at is not None and self.board is not None:
            self.resume()
            return
        boards = self.ctx.boards
        if not boards:
            self.say(
                self.t(
                    "Hello {name}! You are not on any board I know of, so there is nothing for you to register. "
                    "You can ask me for «status», «status Område Nord», «vis Solsikken» or «hvem mangler?».",
                    name=self.ctx.person_name,
                )
            )
            return
        if self.board is not None and self.state.mode not in (Mode.IDLE, Mode.DONE):
            self.resume_registration(greet=True)
        elif len(boards) == 1:
            self.choose_board(boards[0].registration_id)
        elif self.board is not None:
            self.choose_board(self.board.registration_id)
        else:
            self.pick_board()

    def pick_board(self) -> None:
        if len(self.ctx.boards) > 1:
            self.state = replace(self.state, mode=Mode.PICK_BOARD, offered=())
            self.prompt()
        elif self.board is not None:
            self.say(self.t("You are only on one board."))
            self.prompt()
        else:
            self.start()

    def choose_board(self, registration_id: int) -> None:
        if registration_id not in {b.registration_id for b in self.ctx.boards}:
            self.say(self.t("You are not on that board."), kind="error")
            self.pick_board()
            return
        self.state = State(registration_id=registration_id, seen_version=self.state.seen_version)
        self.resume_registration(greet=True)

    def resume_registration(self, greet: bool) -> None:
        draft, board = self.draft, self.board
        assert draft is not None and board is not None
        if greet:
            self.say(
                self.t(
                    "Hello {name}! Let us work on the local goals of {institution} for «{strategy}».",
                    name=self.ctx.person_name,
                    institution=board.institution_name,
                    strategy=self.s.title,
                )
            )
        if self.state.mode not in (Mode.IDLE, Mode.DONE, Mode.PICK_BOARD):
            self.prompt()
            return
        if draft.status in ("submitted", "approved"):
            self.go(Place(Mode.REVIEW))
            return
        if not draft.local_goals:
            self.say(
                self.t.plural(
                    "There is {n} strategic goal. For each, I ask for your local goals, what you will do, and how "
                    "and when you measure the effect. Write «help» at any time.",
                    "There are {n} strategic goals. For each, I ask for your local goals, what you will do, and how "
                    "and when you measure the effect. Write «help» at any time.",
                    len(self.s.goals),
                )
            )
            self.enter_goal(self.s.goals[0].number)
            return
        for goal in self.s.goals:
            if not draft.goals_under(goal.number):
                self.say(
                    self.t(
                        "Your board has already started. We continue with {label} {goal}.",
                        label=self.label(),
                        goal=goal.number,
                    )
                )
                self.enter_goal(goal.number)
                return
        self.go(Place(Mode.REVIEW))

    def status(self) -> None:
        if self.draft is None:
            if len(self.ctx.boards) == 1:
                self.state = replace(self.state, registration_id=self.ctx.boards[0].registration_id)
            else:
                self.pick_board()
                return
        assert self.draft is not None
        self.replies.append(views.status_reply(self.t, self.s, self.draft))
        self.prompt()

    def edit(self, goal: int | None, position: int | None) -> None:
        if self.board is None:
            self.pick_board()
            return
        if not self.writable():
            return
        if goal is not None and goal not in {g.number for g in self.s.goals}:
            self.say(self.t("There is no {label} {goal}.", label=self.label(), goal=goal), kind="error")
            goal = None
        if goal is None:
            self.go(Place(Mode.EDIT_GOAL))
        elif position is None:
            self.go(Place(Mode.EDIT_GOAL, goal))
        elif self.draft is not None and self.draft.local_goal(goal, position) is None:
            self.say(
                self.t("There is no local goal {goal}.{position}.", goal=goal, position=position),
                kind="error",
            )
            self.go(Place(Mode.EDIT_GOAL, goal))
        else:
            self.go(Place(Mode.EDIT_LOCAL, goal, position))

    def submit(self) -> None:
        draft, board = self.draft, self.board
        if draft is None or board is None:
            self.pick_board()
            return
        if not self.writable():
            return
        missing = views.missing_items(self.t, self.s, draft)
        if missing:
            self.say(self.t("Not quite done yet:") + "\n" + "\n".join(f"• {m}" for m in missing), kind="error")
            self.go(Place(Mode.REVIEW))
            return
        if board.can_submit:
            if draft.status == "submitted":
                self.say(self.t("The registration is already submitted; your changes are saved in it."))
            else:
                self.change(Submit(draft.registration_id))
                self.say(
                    self.t(
                        "Thank you! The registration for {institution} has been submitted to the "
                        "administration. The board has been told.",
                        institution=board.institution_name,
                    )
                )
            self.outcome = Outcome.DONE
        else:
            self.change(MarkReady(draft.registration_id))
            self.say(self.t("Thank you! I have told the chair that the registration is ready to be submitted."))
            self.outcome = Outcome.DONE
        self.state = replace(self.state, mode=Mode.DONE, offered=(), history=())

    def language(self, locale: str | None) -> None:
        if locale not in ("da", "en"):
            self.say(self.t("Which language?"), choices=(Choice("lang:da", "Dansk"), Choice("lang:en", "English")))
            return
        self.change(SetLocale(locale))
        self.say(self.t("I will write in English from now on."))
        self.prompt()
