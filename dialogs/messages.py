"""The neutral message model: what a channel hands the engine and what it gets back."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Inbound:
    platform: str  # "slack" | "teams" | "console": a plain string below bot/
    user_key: str  # the platform's user id
    text: str | None = None
    choice: str | None = None  # the id of a Choice the person picked
    values: dict[str, str] = field(default_factory=dict)  # form inputs (modals, Adaptive Cards)


@dataclass(frozen=True, slots=True)
class Choice:
    id: str  # stable id the channel sends back ("yes", "goal:2", "board:7")
    label: str  # already translated


@dataclass(frozen=True, slots=True)
class Reply:
    text: str  # already translated; plain text, channels escape it for their markup
    choices: tuple[Choice, ...] = ()
    facts: tuple[tuple[str, str], ...] = ()  # label/value pairs for summaries and reviews
    title: str | None = None  # a heading, e.g. the strategic goal being asked about
    kind: str = "message"  # "message" | "question" | "review" | "status" | "error" | "help"
