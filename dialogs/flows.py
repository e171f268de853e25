"""The flows beside the registration (the measurement follow-up, the meeting conversation), as the
service routes a message to them: each has an edge, `FlowEdge`, that reads what its pure flow needs from
storage, runs the flow with the engine's `offer`, and writes what the flow asked for, all in the turn's
transaction. The service tries them in order (`service.FLOWS`) after a reminder pause and before the
registration engine; the first whose flow takes the message answers it.

An edge returns the engine's `Step`: its replies, and the person's state to save (the state it was given
when the flow keeps its place elsewhere, as the follow-up does in its row). `offer` is passed in, so
that the engine is run by the service alone (`tests/dialogs/engine/test_structure.py`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.context import Context, Step, Turn
from dialogs.messages import Inbound
from dialogs.state import State

Flow = Callable[[Turn, Inbound], Turn | None]  # a pure flow; None: the message is not for it
Offer = Callable[[Context, State, Inbound, Flow], Step | None]  # `dialogs.engine.offer`


@dataclass(frozen=True, slots=True)
class Who:
    """What the service knows of the person when it offers their message to the flows."""

    person_id: int
    locale: str
    now: datetime
    today: date  # in the bot's time zone
    boards: frozenset[int]  # the institutions whose board they answer for
    open_followup: bool = True  # False: no follow-up waits for them (`storage.turn_facts`), so none is read


class FlowEdge(Protocol):
    async def __call__(self, s: AsyncSession, who: Who, inbound: Inbound, state: State, offer: Offer, /) -> Step | None:
        """None when the message is not for this flow; else its step, with what it asked for stored in `s`."""
        ...
