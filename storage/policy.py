"""Who may do what, and who is told what: the rules in one place, pure (no SQL, no I/O, no clock).

A person holds grants (their `Membership` rows): a role on an institution's board, over an area, or
in the administration. Every layer asks here; the SQL that must filter in the database (progress by
scope) takes its scope from `scope`.

| may ...                               | who                                                       |
|---------------------------------------|-----------------------------------------------------------|
| ANSWER: write the board's shared draft | member, chair or leader of that institution               |
| SUBMIT the board's registration       | chair or leader of that institution (strongest role there) |
| SEE an institution's progress         | admin: all; area leader: their areas; anyone: the boards they sit on |
| DECIDE: approve, return, reopen       | admin (also: admin commands while a question is open)     |

| told on ...        | who (board roles tier by tier: the first tier anyone holds) | area leaders | admins |
|--------------------|--------------------------------------------------------------|--------------|--------|
| SUBMITTED          | member, chair, leader                                        |              |        |
| FOR_DECISION       |                                                              |              | yes    |
| CHANGED_AFTER_SUBMIT | chair; if none: leader                                     |              |        |
| READY_FOR_CHAIR    | chair, leader                                                |              |        |
| DECISION           | member, chair, leader                                        |              |        |
| NUDGE              | member, chair                                                |              |        |
| ESCALATION         | chair, leader                                                |              |        |
| FOLLOWUP           | chair; if none: member, leader                               |              |        |
| FOLLOWUP_SUMMARY   | leader                                                       |              |        |
| INVITE (web chat)  | member, chair                                                |              |        |
| AREA_DIGEST        | (an area without a channel)                                  | yes          |        |
| OVERDUE            |                                                              | their area   | all    |
| ADMIN_DIGEST       |                                                              |              | yes    |
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from storage.models import Role

MEMBER, CHAIR, LEADER = Role.MEMBER.value, Role.CHAIR.value, Role.LEADER.value
AREA_LEADER, ADMIN = Role.AREA_LEADER.value, Role.ADMIN.value

BOARD_ROLES: tuple[str, ...] = (MEMBER, CHAIR, LEADER)  # answer for an institution's board
SUBMIT_ROLES: tuple[str, ...] = (CHAIR, LEADER)
_SEE_MORE_THAN_OWN_BOARD = frozenset({ADMIN, AREA_LEADER, LEADER})
_RANK = {LEADER: 0, CHAIR: 1, MEMBER: 2}  # the strongest board role first


@dataclass(frozen=True, slots=True)
class Grant:
    """One role a person holds: on an institution's board, over an area, or in the administration."""

    role: str
    institution_id: int | None = None
    area_id: int | None = None


class Action(StrEnum):
    ANSWER = "answer"
    SUBMIT = "submit"
    SEE = "see"
    DECIDE = "decide"


@dataclass(frozen=True, slots=True)
class Scope:
    """What a person may see: everything (admin), some areas, some institutions, or their own boards."""

    everything: bool
    area_ids: frozenset[int]
    institution_ids: frozenset[int]
    board_only: bool  # a board member (no leader role): only their own board

    def allows(self, institution_id: int, area_id: int | None) -> bool:
        return self.everything or area_id in self.area_ids or institution_id in self.institution_ids


def scope(grants: Iterable[Grant]) -> Scope:
    """What the holder of `grants` may see (the status, the status page, links to exports)."""
    held = tuple(grants)
    roles = {g.role for g in held}
    areas = frozenset(g.area_id for g in held if g.role == AREA_LEADER and g.area_id is not None)
    institutions = frozenset(g.institution_id for g in held if g.institution_id is not None)
    return Scope(ADMIN in roles, areas, institutions, board_only=not (roles & _SEE_MORE_THAN_OWN_BOARD))


def sees_agreements(scope: Scope) -> bool:
    """Meeting agreements (seed 001) are the leadership's: institution and area leaders and admins see
    those of the institutions in their scope; a board member does not."""
    return not scope.board_only


def is_admin(roles: Iterable[str]) -> bool:
    """The administration: decides on registrations, uses admin commands even while answering."""
    return ADMIN in set(roles)


def answers_for_board(role: str) -> bool:
    return role in BOARD_ROLES


def may_submit(role: str) -> bool:
    """Whether a board role (the person's strongest on that board) may submit the registration."""
    return role in SUBMIT_ROLES


def board_rank(role: str) -> int:
    """Sort key: the strongest board role first (leader, chair, member)."""
    return _RANK[role]


def board_role(grants: Iterable[Grant], institution_id: int) -> str | None:
    """The strongest role the holder has on the institution's board, if any."""
    roles = [g.role for g in grants if g.institution_id == institution_id and answers_for_board(g.role)]
    return min(roles, key=board_rank) if roles else None


def may(
    grants: Iterable[Grant], action: Action, *, institution_id: int | None = None, area_id: int | None = None
) -> bool:
    """Whether the holder of `grants` may do `action` (on the institution, which lies in the area)."""
    held = tuple(grants)
    if action is Action.DECIDE:
        return is_admin(g.role for g in held)
    if institution_id is None:
        raise ValueError(f"{action.value} needs an institution")
    if action is Action.SEE:
        return scope(held).allows(institution_id, area_id)
    role = board_role(held, institution_id)
    if action is Action.ANSWER:
        return role is not None
    return role is not None and may_submit(role)


class Occasion(StrEnum):
    SUBMITTED = "submitted"  # a notice: the board submitted
    READY_FOR_CHAIR = "ready_for_chair"  # a notice: a member marked the draft ready
    DECISION = "decision"  # a notice: the administration approved, returned or reopened
    NUDGE = "nudge"  # the weekly reminder to boards that have not submitted
    ESCALATION = "escalation"  # days before the deadline or a milestone
    FOLLOWUP = "followup"  # a measurement date: what did it show?
    FOLLOWUP_SUMMARY = "followup_summary"  # the board's follow-up answer
    INVITE = "invite"  # an email invitation to the web chat
    AREA_DIGEST = "area_digest"  # the weekly digest of an area that has no channel
    OVERDUE = "overdue"  # after the deadline: one list of the boards missing
    ADMIN_DIGEST = "admin_digest"  # the weekly digest of the whole municipality
    FOR_DECISION = "for_decision"  # a notice: a board sent its registration in (or in again): it awaits a decision
    CHANGED_AFTER_SUBMIT = "changed_after_submit"  # a notice: a board member changed it after it was sent in


@dataclass(frozen=True, slots=True)
class Audience:
    board: tuple[tuple[str, ...], ...] = ()  # roles on the board, tier by tier: the first tier anyone holds
    area_leaders: bool = False  # the leaders of the institution's (or the) area
    admins: bool = False  # the whole administration


_WHOLE_BOARD = ((MEMBER, CHAIR, LEADER),)
AUDIENCES: Mapping[Occasion, Audience] = MappingProxyType(
    {
        Occasion.SUBMITTED: Audience(board=_WHOLE_BOARD),
        Occasion.READY_FOR_CHAIR: Audience(board=((CHAIR, LEADER),)),
        Occasion.DECISION: Audience(board=_WHOLE_BOARD),
        Occasion.NUDGE: Audience(board=((MEMBER, CHAIR),)),
        Occasion.ESCALATION: Audience(board=((CHAIR, LEADER),)),
        Occasion.FOLLOWUP: Audience(board=((CHAIR,), (MEMBER, LEADER))),
        Occasion.FOLLOWUP_SUMMARY: Audience(board=((LEADER,),)),
        Occasion.INVITE: Audience(board=((MEMBER, CHAIR),)),
        Occasion.AREA_DIGEST: Audience(area_leaders=True),
        Occasion.OVERDUE: Audience(area_leaders=True, admins=True),
        Occasion.ADMIN_DIGEST: Audience(admins=True),
        Occasion.FOR_DECISION: Audience(admins=True),
        Occasion.CHANGED_AFTER_SUBMIT: Audience(board=((CHAIR,), (LEADER,))),
    }
)


# Occasions about the registration's own work: for a strategy answered by the institution's leadership
# team (seed 003's cluster vision), the leaders are told instead of the parents on the board.
ABOUT_THE_ANSWERS = frozenset(
    {
        Occasion.SUBMITTED,
        Occasion.READY_FOR_CHAIR,
        Occasion.DECISION,
        Occasion.NUDGE,
        Occasion.ESCALATION,
        Occasion.FOLLOWUP,
        Occasion.CHANGED_AFTER_SUBMIT,
    }
)


def board_tiers(occasion: Occasion, *, leadership: bool = False) -> tuple[tuple[str, ...], ...]:
    """The tiers of board roles told on `occasion`; `leadership`: the strategy is answered by the leaders."""
    if leadership and occasion in ABOUT_THE_ANSWERS:
        return ((LEADER,),)
    return AUDIENCES[occasion].board


def board_roles_told(occasion: Occasion, *, leadership: bool = False) -> tuple[str, ...]:
    """Every board role that may be told on `occasion` (all tiers): for reading the candidates."""
    return tuple(dict.fromkeys(role for tier in board_tiers(occasion, leadership=leadership) for role in tier))


def told_on_board[T](occasion: Occasion, holders: Iterable[tuple[T, str]], *, leadership: bool = False) -> list[T]:
    """Of the people on one board, each with a role there, those told on `occasion`: the holders of
    the first tier of roles anyone holds; each once, in the order given. `leadership`: see `board_tiers`."""
    held = list(holders)
    for tier in board_tiers(occasion, leadership=leadership):
        chosen = [who for who, role in held if role in tier]
        if chosen:
            return list(dict.fromkeys(chosen))
    return []


def told(occasion: Occasion, grants: Iterable[tuple[int, Grant]], *, institution_id: int, area_id: int) -> set[int]:
    """The ids of the people told on `occasion` about the institution (which lies in the area), given
    everyone's grants as (person id, grant)."""
    held = list(grants)
    audience = AUDIENCES[occasion]
    ids = set(told_on_board(occasion, ((pid, g.role) for pid, g in held if g.institution_id == institution_id)))
    if audience.area_leaders:
        ids |= {pid for pid, g in held if g.role == AREA_LEADER and g.area_id == area_id}
    if audience.admins:
        ids |= {pid for pid, g in held if g.role == ADMIN}
    return ids
