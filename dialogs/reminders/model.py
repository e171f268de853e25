"""The values the planner works on: a snapshot of the organisation and progress, and due items."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from dialogs.strategy import Respondent, Strategy
from storage import outbox_bodies, policy
from storage.policy import Occasion

DONE = ("submitted", "approved")

# Rules (the first part of an outbox key).
DIGEST = "digest"  # weekly progress table in an area's channel (or to its leaders without a channel)
ADMIN_DIGEST = "admin_digest"  # the whole municipality, plus who could not be reached, to each admin
NUDGE = "nudge"  # a DM to a member of a board that has not submitted
ESCALATION = "escalation"  # N days before the deadline or a milestone: chair and institution leader
OVERDUE = "overdue"  # after the deadline: one list to each area leader and admin
FOLLOWUP = "followup"  # a measurement date: ask the board what it showed
FOLLOWUP_SUMMARY = "followup_summary"  # a board's follow-up answer, to the institution's leader


@dataclass(frozen=True, slots=True)
class AreaInfo:
    id: int
    name: str
    channels: tuple[tuple[str, str], ...] = ()  # (platform, channel) for each channel the area has


@dataclass(frozen=True, slots=True)
class InstitutionInfo:
    id: int
    name: str
    area_id: int
    status: str  # not_started | draft | submitted | approved | returned
    registration_id: int | None = None
    goals: dict[int, int] = field(default_factory=dict)  # strategic goal number -> local goals

    @property
    def done(self) -> bool:
        return self.status in DONE


@dataclass(frozen=True, slots=True)
class PersonInfo:
    id: int
    name: str
    locale: str | None = None
    paused_until: date | None = None

    def paused_on(self, today: date) -> bool:
        return paused_on(self.paused_until, today)


def paused_on(until: date | None, today: date) -> bool:
    """A pause «until» a date holds before that date; on it, reminders come again."""
    return until is not None and today < until


@dataclass(frozen=True, slots=True)
class MembershipInfo:
    person_id: int
    role: str  # storage.models.Role values
    institution_id: int | None = None
    area_id: int | None = None


@dataclass(frozen=True, slots=True)
class MeasurementInfo:
    local_goal_id: int
    institution_id: int
    goal_number: int
    local_goal_text: str
    method: str
    dates: tuple[date, ...]


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything the rules look at, read in one transaction. Who holds which role where is indexed once
    when the snapshot is made, so a rule's look-up costs the size of its answer, not of the municipality."""

    strategy: Strategy | None
    areas: tuple[AreaInfo, ...] = ()
    institutions: tuple[InstitutionInfo, ...] = ()
    people: dict[int, PersonInfo] = field(default_factory=dict)
    memberships: tuple[MembershipInfo, ...] = ()
    measurements: tuple[MeasurementInfo, ...] = ()
    answered_followups: frozenset[tuple[int, date]] = frozenset()
    unreachable: tuple[tuple[str, str], ...] = ()  # (who, why) that could not be reached lately
    default_locale: str = "da"
    _at_institution: dict[tuple[str, int], set[int]] = field(default_factory=dict, init=False, repr=False)
    _area_leaders: dict[int, set[int]] = field(default_factory=dict, init=False, repr=False)
    _admins: set[int] = field(default_factory=set, init=False, repr=False)
    _in_area: dict[int, list[InstitutionInfo]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        for m in self.memberships:
            if m.person_id not in self.people:
                continue
            if m.institution_id is not None:
                self._at_institution.setdefault((m.role, m.institution_id), set()).add(m.person_id)
            if m.role == policy.AREA_LEADER and m.area_id is not None:
                self._area_leaders.setdefault(m.area_id, set()).add(m.person_id)
            if m.role == policy.ADMIN:
                self._admins.add(m.person_id)
        for inst in sorted(self.institutions, key=lambda i: i.name.casefold()):
            self._in_area.setdefault(inst.area_id, []).append(inst)

    @property
    def leadership(self) -> bool:
        """The strategy is answered by the institutions' leadership teams, not their boards."""
        return self.strategy is not None and self.strategy.respondent is Respondent.LEADERSHIP

    def _by_name(self, ids: set[int]) -> list[PersonInfo]:
        return sorted((self.people[i] for i in ids), key=lambda p: (p.name.casefold(), p.id))

    def told(self, occasion: Occasion, institution_id: int) -> list[PersonInfo]:
        """The people on the institution's board told on `occasion` (`storage.policy.AUDIENCES`)."""
        holders = [
            (person_id, role)
            for role in policy.board_roles_told(occasion, leadership=self.leadership)
            for person_id in self._at_institution.get((role, institution_id), ())
        ]
        return self._by_name(set(policy.told_on_board(occasion, holders, leadership=self.leadership)))

    def audience(self, occasion: Occasion, area_id: int | None = None) -> list[PersonInfo]:
        """The people told on `occasion` beyond the boards: the area's leaders, the administration."""
        who = policy.AUDIENCES[occasion]
        ids: set[int] = set()
        if who.area_leaders and area_id is not None:
            ids |= self._area_leaders.get(area_id, set())
        if who.admins:
            ids |= self._admins
        return self._by_name(ids)

    def told_ids(self, occasion: Occasion, institution_id: int) -> set[int]:
        """`told`, unordered (no sorting by name): for grouping many boards at once."""
        holders = [
            (person_id, role)
            for role in policy.board_roles_told(occasion, leadership=self.leadership)
            for person_id in self._at_institution.get((role, institution_id), ())
        ]
        return set(policy.told_on_board(occasion, holders, leadership=self.leadership))

    def institutions_in(self, area_id: int) -> list[InstitutionInfo]:
        return list(self._in_area.get(area_id, ()))

    def area(self, area_id: int) -> AreaInfo:
        return next(a for a in self.areas if a.id == area_id)


class Body:
    """Rendered replies (`render.reply_to_json` dicts) that several due items share: rendered once, when
    the first of them is asked for, and stored once (`storage.outbox_bodies`). Per-recipient values
    (the name in a nudge) are placeholders (`storage.outbox_bodies.placeholder`) filled in at sending."""

    __slots__ = ("_digest", "_render", "_replies")

    def __init__(self, render: Callable[[], list[dict[str, Any]]]) -> None:
        self._render = render
        self._replies: list[dict[str, Any]] | None = None
        self._digest: str | None = None

    @property
    def replies(self) -> list[dict[str, Any]]:
        if self._replies is None:
            self._replies = self._render()
        return self._replies

    @property
    def digest(self) -> str:
        if self._digest is None:
            self._digest = outbox_bodies.digest(self.replies)
        return self._digest


@dataclass(frozen=True, slots=True)
class Parts:
    """An item's payload in two: `own` (to whom, their name, why: what the body's placeholders name)
    and the shared `body`."""

    own: dict[str, Any]
    body: Body

    @property
    def payload(self) -> dict[str, Any]:
        """The whole payload, as a sender reads it."""
        return outbox_bodies.resolve(self.own, self.body.replies)


@dataclass(frozen=True, slots=True)
class DueItem:
    """One message that is due now. Its payload (where it goes and the rendered replies) is made only
    when asked for (`make_parts`), so a tick renders just the items whose key is new, and each distinct
    text once (`Body`)."""

    rule: str
    recipient: str  # "person:12" | "area:3:slack"
    period: str
    due_at: datetime
    expires_at: datetime | None
    make_parts: Callable[[], Parts]
    why: str  # for the dry run and the logs: why this is sent now

    @property
    def parts(self) -> Parts:
        return self.make_parts()

    @property
    def payload(self) -> dict[str, Any]:
        return self.make_parts().payload

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.rule, self.recipient, self.period)


def person_recipient(person_id: int) -> str:
    return f"person:{person_id}"
