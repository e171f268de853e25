"""What every handler of the meeting flow uses: its facts, its place in the person's state, and how it
speaks. The meeting flow's replies never change `state.offered` (the registration's buttons, which typed
numbers answer): its buttons carry their own ids («meeting:…», «agreement:…»)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from dialogs.context import Turn
from dialogs.meetings.facts import MeetingFacts
from dialogs.meetings.templates import MeetingTemplate
from dialogs.messages import Choice, Reply
from dialogs.reminders.render import long_date
from dialogs.state import MeetingPending
from storage.meetings import MeetingView


def facts(turn: Turn) -> MeetingFacts:
    assert turn.ctx.meeting is not None, "the meeting flow runs with its facts (dialogs/meetings/edge.py)"
    return turn.ctx.meeting


def pending(turn: Turn) -> MeetingPending | None:
    return turn.state.pending.meeting


def keep(turn: Turn, place: MeetingPending | None) -> Turn:
    """The turn with the meeting flow's place set (None: out of the meeting flow)."""
    return turn.update(pending=replace(turn.state.pending, meeting=place))


def say(turn: Turn, text: str, choices: tuple[Choice, ...] = (), **kw: Any) -> Turn:
    return turn.show(Reply(text, choices=choices, **kw))


def title_of(turn: Turn, template_key: str) -> str:
    template = facts(turn).templates.get(template_key)
    return template.title.get(turn.t.locale) if template else template_key


def template_title(turn: Turn, template: MeetingTemplate) -> str:
    return template.title.get(turn.t.locale)


def meeting_choices(turn: Turn, found: list[MeetingView], action: str) -> tuple[Choice, ...]:
    t = turn.t
    return tuple(
        Choice(
            f"meeting:{action}:{m.id}", f"{title_of(turn, m.template_key)}, {m.where or '-'}, {long_date(t, m.held_on)}"
        )
        for m in found[:10]
    )


def number(text: object) -> int | None:
    try:
        return int(str(text))
    except ValueError:
        return None
