"""A harness for pure tests of the meeting flow: one person's messages run through `engine.offer` with
`meetings.chat.flow`, as the service's flow routing runs it, but with the facts given up front instead of
read by the edge. What a step asks to store is applied to the facts the way the storage would (an answer
becomes answered, a followed-up agreement is no longer open), so a script reads like a conversation.

    run = MeetingRun.new(facts)
    play(run, Say("forbered møde", at=("prepare", ""), expect=("question 1 of 16",)))
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime

from dialogs.context import Step
from dialogs.engine import offer
from dialogs.flows import Who
from dialogs.meetings.chat import flow
from dialogs.meetings.edge import meeting_context
from dialogs.meetings.facts import Fact, MeetingFacts, Need, Prepared
from dialogs.meetings.templates import builtin_templates
from dialogs.meetings.units import Unit
from dialogs.meetings.writes import FollowUpAgreement, MeetingChange, SaveMeetingAnswer
from dialogs.messages import Choice, Inbound
from dialogs.state import State
from storage.meeting_models import ParticipantRole
from storage.meetings import AgreementView, MeetingView
from tests.dialogs.engine.script import reply_lines

TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 9, tzinfo=UTC)
TEMPLATES = builtin_templates()
LONE, ANNE, FATIMA = 5, 6, 7  # the leader of Solsikken (prepares), the administration, a parent
PARTICIPANTS = (
    (LONE, "Lone Bæk", "lone.baek@example.dk", ParticipantRole.PREPARER.value),
    (ANNE, "Anne Admin", "admin@example.dk", ParticipantRole.ATTENDEE.value),
    (FATIMA, "Fatima Ali", "fatima.ali@example.dk", ParticipantRole.ATTENDEE.value),
)


def meeting(meeting_id: int, held_on: date, template: str = "dialogmoede") -> MeetingView:
    return MeetingView(
        meeting_id,
        template,
        "dialogue",
        held_on,
        None,
        "planned",
        11,
        "Solsikken",
        "dagtilbud",
        1,
        "Nord",
        PARTICIPANTS,
    )


COMING, HELD = meeting(3, date(2026, 12, 15)), meeting(2, date(2026, 11, 20))
UNIT = Unit("i11", "Solsikken", "dagtilbud")


def prepared(view: MeetingView = COMING, *answered: str) -> Prepared:
    return Prepared(view, TEMPLATES[view.template_key], UNIT, frozenset(answered))


def agreement(agreement_id: int, owner: int = LONE, status: str = "open") -> AgreementView:
    what = ("Evaluate the language work", owner, "Lone Bæk", date(2027, 6, 1), status, None)
    return AgreementView(agreement_id, HELD.id, *what, 11, None, HELD.held_on)


def facts(*known: tuple[Need, object]) -> MeetingFacts:
    return MeetingFacts.of(TEMPLATES, *known)


@dataclass
class MeetingRun:
    facts: MeetingFacts
    person_id: int = LONE
    locale: str = "en"
    state: State = field(default_factory=State)
    last: Step | None = None
    saved: list[MeetingChange] = field(default_factory=list)

    @classmethod
    def new(cls, known: MeetingFacts, person_id: int = LONE, state: State | None = None) -> MeetingRun:
        return cls(known, person_id, state=state or State())

    def offer(self, inbound: Inbound) -> Step | None:
        who = Who(self.person_id, self.locale, NOW, TODAY, frozenset())
        return offer(meeting_context(who, self.facts), self.state, inbound, flow)

    def send(self, inbound: Inbound) -> MeetingRun:
        step = self.offer(inbound)
        assert step is not None, f"the meeting flow declined {inbound}"
        for change in step.changes:
            assert isinstance(change, MeetingChange), change
            self.saved.append(change)
            self.facts = stored(self.facts, change)
        self.state, self.last = step.state, step
        return self

    def say(self, text: str) -> MeetingRun:
        return self.send(Inbound("test", "U1", text=text))

    def press(self, choice_id: str) -> MeetingRun:
        return self.send(Inbound("test", "U1", choice=choice_id))

    # -- reading -------------------------------------------------------------------------------------------
    @property
    def text(self) -> str:
        replies = self.last.replies if self.last else ()
        return "\n".join(line for r in replies for line in reply_lines(r))

    @property
    def changes(self) -> tuple[object, ...]:
        return self.last.changes if self.last else ()

    @property
    def choices(self) -> list[Choice]:
        return [c for r in (self.last.replies if self.last else ()) for c in r.choices]

    def at(self, mode: str | None, step: str = "") -> MeetingRun:
        place = self.state.pending.meeting
        got = (place.mode.value, place.step) if place is not None else (None, "")
        assert got == (mode, step), f"at {got}, expected {(mode, step)}"
        return self

    def expect(self, *substrings: str) -> MeetingRun:
        for s in substrings:
            assert s in self.text, f"expected {s!r} in:\n\n{self.text}"
        return self


def stored(known: MeetingFacts, change: MeetingChange) -> MeetingFacts:
    """The facts as the edge would read them after `change` is stored."""
    if isinstance(change, SaveMeetingAnswer):
        need = Need(Fact.PREPARED, change.meeting_id)
        before = known.loaded[need]
        return known.with_fact(need, replace(before, answered=before.answered | {change.key}))
    if isinstance(change, FollowUpAgreement):
        need = Need(Fact.AGREEMENT, change.agreement_id)
        return known.with_fact(need, replace(known.loaded[need], status=change.status.value))
    return known


@dataclass(frozen=True, slots=True)
class Say:
    """One line of a script: what is sent («<id>» presses a button id), where it leaves the person (the meeting
    flow's mode and step; None: out of it), what they read, and what it asks to store."""

    send: str
    at: tuple[str | None, str] | None = None
    expect: tuple[str, ...] = ()
    stores: tuple[MeetingChange, ...] = ()


def play(run: MeetingRun, *lines: Say) -> MeetingRun:
    for n, line in enumerate(lines, start=1):
        if line.send.startswith("<") and line.send.endswith(">"):
            run.press(line.send[1:-1])
        else:
            run.say(line.send)
        try:
            if line.at is not None:
                run.at(*line.at)
            run.expect(*line.expect)
            assert run.changes == line.stores, f"stored {run.changes}, expected {line.stores}"
        except AssertionError as exc:
            raise AssertionError(f"line {n} ({line.send!r}): {exc}") from None
    return run
