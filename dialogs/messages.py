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


LABEL_LIMIT = 60  # a button label on every platform (Slack allows 75; longer ones crowd a Teams card)


def cut_label(text: str, limit: int = LABEL_LIMIT) -> str:
    """`text` shortened to `limit` characters at a word, ending in «…» (one rule for every platform)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)  # the «…» takes the place of the space
    if cut < limit // 2:  # one very long word: cut inside it rather than leave almost nothing
        cut = limit - 1
    return text[:cut].rstrip(" ,.;:–-") + "…"


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
