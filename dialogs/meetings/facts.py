"""What the meeting flow reads, as plain values, and what it asks to store.

The flow's handlers are pure: they read the meeting tables only through `MeetingFacts`, which the edge
(`dialogs.meetings.edge`) fills in before the flow runs. A handler that needs a fact the edge has not
loaded yet raises `Missing(need)`; the edge loads that one fact and runs the flow again on the same
message (a handler has no effect until it returns, so running it again is safe). A message thus costs
the reads its own path needs and no more, and a test gives the facts up front (`MeetingFacts.of`).

What a step asks to store are the changes in `dialogs.meetings.writes`, written by the edge after the flow."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, cast

from dialogs.meetings.templates import MeetingTemplate
from dialogs.meetings.units import Unit
from storage.meeting_models import ParticipantRole
from storage.meetings import AgreementView, MeetingView
from storage.policy import Scope

if TYPE_CHECKING:
    from dialogs.meetings.brief import Brief
    from dialogs.meetings.planning import PlanRow


class Fact(StrEnum):
    UPCOMING = "upcoming"  # arg: a ParticipantRole, or None for any role -> list[MeetingView], soonest first
    RECENT = "recent"  # arg: days -> list[MeetingView] held in the last days, newest first
    MEETING = "meeting"  # arg: meeting id -> MeetingView | None
    PREPARED = "prepared"  # arg: meeting id -> Prepared | None (None: the meeting or its template is gone)
    AGREEMENT = "agreement"  # arg: agreement id -> AgreementView | None
    ADMIN = "admin"  # -> bool: the person is of the administration
    OPEN_AGREEMENTS = "open_agreements"  # -> Visible: the open agreements and what the person may see
    BRIEF = "brief"  # arg: meeting id -> Brief | None, in the person's language
    PLACE = "place"  # arg: (scope, name) -> bool: an institution or area of that name exists
    PLAN = "plan"  # arg: PlanCells -> PlanCheck


@dataclass(frozen=True, slots=True)
class Need:
    fact: Fact
    arg: Any = None


class Missing(Exception):
    """A handler needs a fact that is not loaded yet: the edge loads it and runs the flow again."""

    def __init__(self, need: Need) -> None:
        super().__init__(need)
        self.need = need


@dataclass(frozen=True, slots=True)
class Prepared:
    """A meeting being prepared, for one person: the set of answers they write into, and what is answered."""

    meeting: MeetingView
    template: MeetingTemplate
    unit: Unit
    answered: frozenset[str]


@dataclass(frozen=True, slots=True)
class Visible:
    """The open agreements, the person's scope, and the institutions' names (for «aftaler»)."""

    agreements: tuple[AgreementView, ...]
    scope: Scope
    names: dict[int, str]


@dataclass(frozen=True, slots=True)
class PlanCells:
    """A meeting to plan as the chat collected it (the cells of one line of `maalbot meeting plan FILE.csv`)."""

    template: str
    date: str
    place: str
    participants: str


@dataclass(frozen=True, slots=True)
class PlanCheck:
    """The cells checked the planning file's way: the row to plan, or the problems; and whether it is new."""

    row: PlanRow | None
    problems: tuple[str, ...]
    created: bool = True


@dataclass(frozen=True, slots=True)
class MeetingFacts:
    templates: Mapping[str, MeetingTemplate]
    loaded: Mapping[Need, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, templates: Mapping[str, MeetingTemplate], *known: tuple[Need, Any]) -> MeetingFacts:
        return cls(templates, dict(known))

    def with_fact(self, need: Need, value: Any) -> MeetingFacts:
        return MeetingFacts(self.templates, {**self.loaded, need: value})

    def get(self, need: Need) -> Any:
        if need not in self.loaded:
            raise Missing(need)
        return self.loaded[need]

    # -- typed readers -------------------------------------------------------------------------------
    def upcoming(self, role: ParticipantRole | None) -> list[MeetingView]:
        return cast("list[MeetingView]", self.get(Need(Fact.UPCOMING, role)))

    def recent(self, days: int) -> list[MeetingView]:
        return cast("list[MeetingView]", self.get(Need(Fact.RECENT, days)))

    def meeting(self, meeting_id: int) -> MeetingView | None:
        return cast("MeetingView | None", self.get(Need(Fact.MEETING, meeting_id)))

    def prepared(self, meeting_id: int) -> Prepared | None:
        return cast("Prepared | None", self.get(Need(Fact.PREPARED, meeting_id)))

    def agreement(self, agreement_id: int) -> AgreementView | None:
        return cast("AgreementView | None", self.get(Need(Fact.AGREEMENT, agreement_id)))

    def is_admin(self) -> bool:
        return bool(self.get(Need(Fact.ADMIN)))

    def open_agreements(self) -> Visible:
        return cast("Visible", self.get(Need(Fact.OPEN_AGREEMENTS)))

    def brief(self, meeting_id: int) -> Brief | None:
        return cast("Brief | None", self.get(Need(Fact.BRIEF, meeting_id)))

    def place_known(self, scope: str, name: str) -> bool:
        return bool(self.get(Need(Fact.PLACE, (scope, name))))

    def plan(self, cells: PlanCells) -> PlanCheck:
        return cast("PlanCheck", self.get(Need(Fact.PLAN, cells)))
