"""A harness for pure engine tests: one person's conversation run through `advance` alone.

No service, no database: the board's draft lives in the `Context`, and what a step asks to be
saved is applied to it with the same domain function the storage uses, as the service would.

    run = Run.new()
    run.say("start").expect("Which local goals are needed to reach goal 1?")
    run.say("Every child has a friend").expect("Interventions")
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from dialogs.changes import ELSEWHERE, Change, SetLocale, apply_in_memory
from dialogs.engine import BoardInfo, Context, Step, advance
from dialogs.messages import Choice, Inbound, Reply
from dialogs.state import State
from dialogs.strategy import DEFAULT_STRATEGY_FILE, Strategy, load_strategy_file
from storage.registrations import ChangeSeen, DraftData, LocalGoalData

STRATEGY = load_strategy_file(DEFAULT_STRATEGY_FILE)
TODAY = date(2026, 11, 24)
REG = 1
PERSON = "Søren Østergaard"


def draft(*goals: LocalGoalData, reg: int = REG, status: str = "draft") -> DraftData:
    return DraftData(reg, 10 + reg, "Solsikken", status, 0, local_goals=goals)


def local_goal(goal: int, position: int, text: str, **answers: Any) -> LocalGoalData:
    return LocalGoalData(goal, position, {"local_goal": text, **answers}, "Fatima Ali")


def complete(goal: int, position: int, text: str) -> LocalGoalData:
    """A local goal with every question answered."""
    method = {"method": "Trivselsmåling", "when": "marts 2027", "dates": ["2027-03-01"]}
    return local_goal(goal, position, text, interventions=["Makkerpar"], measurement=method)


def reply_lines(reply: Reply) -> list[str]:
    lines = [reply.title or "", reply.text]
    for label, value in reply.facts:
        lines += [label, value]
    lines += [c.label for c in reply.choices]
    return [line for line in lines if line]


@dataclass
class Run:
    """The conversation so far: the context (with the draft as saved), the state, the last replies."""

    ctx: Context
    state: State = field(default_factory=State)
    last: Step | None = None
    saved: list[Change] = field(default_factory=list)  # every change of every step, in order

    @classmethod
    def new(
        cls,
        *goals: LocalGoalData,
        strategy: Strategy = STRATEGY,
        role: str = "chair",
        boards: tuple[BoardInfo, ...] | None = None,
        drafts: Mapping[int, DraftData] | None = None,
        state: State | None = None,
        locale: str = "en",
        **ctx: Any,
    ) -> Run:
        boards = boards or (BoardInfo(REG, "Solsikken", role, role != "member"),)
        drafts = drafts or {b.registration_id: draft(*goals, reg=b.registration_id) for b in boards}
        context = Context(strategy, PERSON, locale, boards, drafts, TODAY, **ctx)
        return cls(context, state or State())

    # -- sending -------------------------------------------------------------------------------------
    def send(self, inbound: Inbound) -> Run:
        step = advance(self.ctx, self.state, inbound)
        drafts = dict(self.ctx.drafts)
        locale = self.ctx.locale
        for change in step.changes:
            if isinstance(change, SetLocale):
                locale = change.locale
            elif not isinstance(change, ELSEWHERE) and change.registration_id in drafts:
                assert self.ctx.strategy is not None
                first = self.ctx.strategy.first_question.key
                drafts[change.registration_id] = apply_in_memory(drafts[change.registration_id], change, first, PERSON)
        self.ctx = replace(self.ctx, drafts=drafts, locale=locale, others=())
        self.state, self.last = step.state, step
        self.saved.extend(step.changes)
        return self

    def say(self, text: str) -> Run:
        return self.send(Inbound("test", "U1", text=text))

    def press(self, choice_id: str) -> Run:
        """A button id as is, offered or not."""
        return self.send(Inbound("test", "U1", choice=choice_id))

    def choose(self, label: str) -> Run:
        """Press a button of the last replies by its label (or the start of it)."""
        return self.press(self.choice(label).id)

    def others_changed(self, *seen: ChangeSeen) -> Run:
        """Other board members' changes, seen before the next message (as the service loads them)."""
        self.ctx = replace(self.ctx, others=seen)
        return self

    # -- reading ---------------------------------------------------------------------------------------
    @property
    def replies(self) -> tuple[Reply, ...]:
        return self.last.replies if self.last else ()

    @property
    def changes(self) -> tuple[Change, ...]:
        return self.last.changes if self.last else ()

    @property
    def text(self) -> str:
        return "\n".join(line for r in self.replies for line in reply_lines(r))

    @property
    def choices(self) -> list[Choice]:
        return [c for r in self.replies for c in r.choices]

    @property
    def draft(self) -> DraftData:
        return self.ctx.drafts[REG]

    def choice(self, label: str) -> Choice:
        for c in self.choices:
            if c.label == label or c.id == label:
                return c
        for c in self.choices:
            if c.label.startswith(label):
                return c
        raise AssertionError(f"{label!r} is not offered: {[c.label for c in self.choices]}\n\n{self.text}")

    def expect(self, *substrings: str) -> Run:
        for s in substrings:
            assert s in self.text, f"expected {s!r} in:\n\n{self.text}"
        return self

    def expect_not(self, *substrings: str) -> Run:
        for s in substrings:
            assert s not in self.text, f"did not expect {s!r} in:\n\n{self.text}"
        return self

    def at(self, mode: str, goal: int | None = None, position: int | None = None, question: str | None = None) -> Run:
        place = (self.state.mode, self.state.goal, self.state.position, self.state.question)
        assert place == (mode, goal, position, question), f"at {place}, expected {(mode, goal, position, question)}"
        return self

    def answers(self, goal: int, position: int) -> dict[str, Any]:
        lg = self.draft.local_goal(goal, position)
        assert lg is not None, f"no local goal {goal}.{position} in {self.draft.local_goals}"
        return lg.answers


Place_ = tuple[Any, ...]  # (mode, goal, position, question), shortened from the right


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a script: what the person sends, where that leaves them, and what they read.
    `send`: text as typed; «[label]» presses the offered button with that label; «<id>» sends a button id."""

    send: str
    at: Place_ = ()
    expect: tuple[str, ...] = ()


def play(run: Run, *lines: Line) -> Run:
    for n, line in enumerate(lines, start=1):
        if line.send.startswith("[") and line.send.endswith("]"):
            run.choose(line.send[1:-1])
        elif line.send.startswith("<") and line.send.endswith(">"):
            run.press(line.send[1:-1])
        else:
            run.say(line.send)
        try:
            if line.at:
                run.at(*line.at)
            run.expect(*line.expect)
        except AssertionError as exc:
            raise AssertionError(f"line {n} ({line.send!r}): {exc}") from None
    return run
