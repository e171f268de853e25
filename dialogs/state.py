"""Where a person is in the conversation. Saved as JSON per person and platform.

The JSON keeps the shape older versions wrote (mode strings, `pending` as a plain object with the
keys below), so a state saved before an upgrade loads after it, and the other way round."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any


class Mode(StrEnum):
    IDLE = "idle"
    PICK_BOARD = "pick_board"
    ASK = "ask"  # a question of the strategy about (goal, position)
    WHEN = "when"  # measurement, second part: when
    CONFIRM_DATES = "confirm_dates"
    MORE = "more"  # another local goal for this strategic goal?
    REVIEW = "review"
    EDIT_GOAL = "edit_goal"  # pick a local goal of one strategic goal
    EDIT_LOCAL = "edit_local"  # pick what to change in one local goal
    CONFIRM_DELETE = "confirm_delete"
    DONE = "done"  # submitted, or handed to the chair
    PAUSED = "paused"
    CARRY = "carry"  # last period's local goal: keep, edit or drop


ANSWERING = (Mode.ASK, Mode.WHEN)  # a question is open: free text is its answer


class MeetingMode(StrEnum):
    """Where a person is in the meeting flow (dialogs/meetings/chat.py), when they are in it at all."""

    PREPARE = "prepare"  # answering the template's questions before a meeting
    AGENDA = "agenda"  # an agenda point is awaited («meeting:agenda:<id>»)
    AGREE = "agree"  # recording an agreement: its text, owner and date, by `step`
    WORDS = "words"  # a few words after answering «Er aftalen holdt?»
    PLAN = "plan"  # the administration plans a meeting, by `step` (dialogs/meetings/plan_chat.py)


@dataclass(frozen=True, slots=True)
class MeetingPending:
    """The meeting flow's place between two messages. Its JSON is the plain object older versions kept
    under `pending.meeting` (same keys), so a conversation in the middle of a meeting survives an upgrade."""

    mode: MeetingMode
    meeting: int | None = None  # prepare, agenda, agree: which meeting
    asking: str = ""  # prepare: the answer key asked last
    skipped: tuple[str, ...] = ()  # prepare: answer keys skipped this time
    unsure: str = ""  # text that looked meant for the bot: saved only on «It is our answer»
    step: str = ""  # agree: text | owner | due; plan: template | place | date | people
    text: str = ""  # agree: what was agreed
    owner: int | None = None  # agree: who is responsible
    agreement: int | None = None  # words: the agreement followed up
    template: str = ""  # plan: the template's key
    place: str = ""  # plan: the institution or area as written
    date: str = ""  # plan: the day (ISO)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"mode": self.mode.value}
        for key in ("meeting", "owner", "agreement"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        for key in ("asking", "unsure", "step", "text", "template", "place", "date"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        if self.mode is MeetingMode.PREPARE:
            data["skipped"] = list(self.skipped)
        return data

    @classmethod
    def from_json(cls, data: object) -> MeetingPending | None:
        if not isinstance(data, dict) or not data.get("mode"):
            return None
        try:
            return cls(
                mode=MeetingMode(data["mode"]),
                meeting=_int_or_none(data.get("meeting")),
                asking=str(data.get("asking") or ""),
                skipped=tuple(str(k) for k in data.get("skipped") or () if k),
                unsure=str(data.get("unsure") or ""),
                step=str(data.get("step") or ""),
                text=str(data.get("text") or ""),
                owner=_int_or_none(data.get("owner")),
                agreement=_int_or_none(data.get("agreement")),
                template=str(data.get("template") or ""),
                place=str(data.get("place") or ""),
                date=str(data.get("date") or ""),
            )
        except (TypeError, ValueError):
            return None  # an unreadable place: the meeting flow starts over; its answers are in their tables


def _int_or_none(value: object) -> int | None:
    return None if value is None else int(str(value))


@dataclass(frozen=True, slots=True)
class Pending:
    """What is held between two messages before it is saved or acted on."""

    method: str = ""  # measurement: how, given before «when»
    when: str = ""  # measurement: when, as typed
    dates: tuple[str, ...] = ()  # measurement: the dates read from `when` (ISO), to be confirmed
    single: bool = False  # one answer edited from the review: back to the review after it
    carry: int | None = None  # year on year: which of last period's local goals is offered
    stray: str = ""  # text that looked like a command: kept if «No, it is our answer»
    stray_command: str = ""  # the command it looked like: run if «Yes»
    fill: bool = False  # «Fill in what is missing» from the review: on to the next missing answer
    within: bool = False  # with `fill`: only this strategic goal's gaps, then «another local goal?»
    meeting: MeetingPending | None = None  # the meeting flow's place (dialogs/meetings/chat.py)
    vague: str = ""  # measurement: a «when» with no date in it, asked once more for a month (dialogs/dates.py)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for key in ("method", "when", "stray", "stray_command", "vague"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        if self.dates:
            data["dates"] = list(self.dates)
        if self.single:
            data["single"] = True
        if self.fill:
            data["fill"] = True
        if self.within:
            data["within"] = True
        if self.carry is not None:
            data["carry"] = self.carry
        if self.meeting is not None:
            data["meeting"] = self.meeting.to_json()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Pending:
        data = data or {}
        carry = data.get("carry")
        return cls(
            method=str(data.get("method") or ""),
            when=str(data.get("when") or ""),
            dates=tuple(str(d) for d in data.get("dates") or ()),
            single=bool(data.get("single")),
            fill=bool(data.get("fill")),
            within=bool(data.get("within")),
            carry=int(carry) if carry is not None else None,
            stray=str(data.get("stray") or ""),
            stray_command=str(data.get("stray_command") or ""),
            meeting=MeetingPending.from_json(data.get("meeting")),
            vague=str(data.get("vague") or ""),
        )


@dataclass(frozen=True, slots=True)
class Place:
    """A point in the flow that can be returned to (back, resume)."""

    mode: Mode
    goal: int | None = None
    position: int | None = None  # None with the first question: a new local goal
    question: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"mode": self.mode.value, "goal": self.goal, "position": self.position, "question": self.question}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Place:
        return cls(Mode(data["mode"]), data.get("goal"), data.get("position"), data.get("question"))


@dataclass(frozen=True, slots=True)
class State:
    mode: Mode = Mode.IDLE
    registration_id: int | None = None
    goal: int | None = None
    position: int | None = None
    question: str | None = None
    pending: Pending = field(default_factory=Pending)
    offered: tuple[tuple[str, str], ...] = ()  # (choice id, label) last shown, for typed numbers/labels
    history: tuple[Place, ...] = ()
    paused_at: Place | None = None
    to_review: bool = False  # editing from the review: go back to it when the local goal is done
    seen_version: int = 0  # registration version when this person was last asked
    return_to: Place | None = None  # «ret mål N» from inside the flow: where to go back to after the edit

    @property
    def place(self) -> Place:
        return Place(self.mode, self.goal, self.position, self.question)

    @property
    def answering(self) -> bool:
        return self.mode in ANSWERING

    def at(self, place: Place, **changes: Any) -> State:
        return replace(
            self,
            mode=place.mode,
            goal=place.goal,
            position=place.position,
            question=place.question,
            **changes,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "mode": self.mode.value,
            "registration_id": self.registration_id,
            "goal": self.goal,
            "position": self.position,
            "question": self.question,
            "pending": self.pending.to_json(),
            "offered": [list(o) for o in self.offered],
            "history": [p.to_json() for p in self.history],
            "paused_at": self.paused_at.to_json() if self.paused_at else None,
            "to_review": self.to_review,
            "seen_version": self.seen_version,
            **({"return_to": self.return_to.to_json()} if self.return_to else {}),  # absent: as older versions wrote
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> State:
        if not data:
            return cls()
        try:
            return cls(
                mode=Mode(data.get("mode") or Mode.IDLE),
                registration_id=data.get("registration_id"),
                goal=data.get("goal"),
                position=data.get("position"),
                question=data.get("question"),
                pending=Pending.from_json(data.get("pending")),
                offered=tuple((str(a), str(b)) for a, b in data.get("offered") or ()),
                history=tuple(Place.from_json(p) for p in data.get("history") or ()),
                paused_at=Place.from_json(data["paused_at"]) if data.get("paused_at") else None,
                to_review=bool(data.get("to_review")),
                seen_version=int(data.get("seen_version") or 0),
                return_to=Place.from_json(data["return_to"]) if data.get("return_to") else None,
            )
        except (TypeError, ValueError, KeyError, AttributeError):
            return cls()  # an unreadable old state starts over; the draft itself is safe in its tables
