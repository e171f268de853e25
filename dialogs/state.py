"""Where a person is in the conversation. Saved as JSON per person and platform."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from typing import Any


class Outcome(StrEnum):
    CONTINUE = "continue"
    DONE = "done"
    PAUSED = "paused"


class Mode:
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
    PICK_LANGUAGE = "pick_language"
    DONE = "done"  # submitted, or handed to the chair
    PAUSED = "paused"
    CARRY = "carry"  # last period's local goal: keep, edit or drop


@dataclass(frozen=True, slots=True)
class Place:
    """A point in the flow that can be returned to (back, resume)."""

    mode: str
    goal: int | None = None
    position: int | None = None  # None with the first question: a new local goal
    question: str | None = None


@dataclass(frozen=True, slots=True)
class State:
    mode: str = Mode.IDLE
    registration_id: int | None = None
    goal: int | None = None
    position: int | None = None
    question: str | None = None
    pending: dict[str, Any] = field(default_factory=dict)  # measurement method/when/dates before saving
    offered: tuple[tuple[str, str], ...] = ()  # (choice id, label) last shown, for typed numbers/labels
    history: tuple[Place, ...] = ()
    paused_at: Place | None = None
    to_review: bool = False  # editing from the review: go back to it when the local goal is done
    seen_version: int = 0  # registration version when this person was last asked

    @property
    def place(self) -> Place:
        return Place(self.mode, self.goal, self.position, self.question)

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
        data = asdict(self)
        data["offered"] = [list(o) for o in self.offered]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> State:
        if not data:
            return cls()
        try:
            return cls(
                mode=data.get("mode", Mode.IDLE),
                registration_id=data.get("registration_id"),
                goal=data.get("goal"),
                position=data.get("position"),
                question=data.get("question"),
                pending=dict(data.get("pending") or {}),
                offered=tuple((str(a), str(b)) for a, b in data.get("offered") or ()),
                history=tuple(Place(**p) for p in data.get("history") or ()),
                paused_at=Place(**data["paused_at"]) if data.get("paused_at") else None,
                to_review=bool(data.get("to_review")),
                seen_version=int(data.get("seen_version") or 0),
            )
        except (TypeError, ValueError):
            return cls()  # an unreadable old state starts over; the draft itself is safe in its tables
