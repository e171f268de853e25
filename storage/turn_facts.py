"""What a conversation turn needs to know about the person, read in ONE statement.

Before a turn can run the engine it needs the person (by platform identity), their memberships (boards
and roles), which strategy is active, and whether anything could turn the message into something
other than an answer: undelivered notices, an open follow-up, a reply to this conversation that did
not reach the person. Each was its own query; here they are columns of one select (EXISTS and scalar
subqueries), so a plain wizard answer skips the queries that cannot matter for it."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, exists, literal, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import (
    Area,
    FollowUp,
    Identity,
    Institution,
    LocalGoal,
    Membership,
    Notice,
    OutboxItem,
    OutboxStatus,
    Person,
    Registration,
    Strategy,
)
from storage.outbox import REPLY, reply_unseen
from storage.people import BOARD_ROLES, Board, best_boards


@dataclass(frozen=True, slots=True)
class TurnFacts:
    person: Person
    boards: list[Board]  # as `people.boards_of`
    roles: set[str]  # as `people.roles_of`
    has_notices: bool  # undelivered notices (shown in this turn's reply)
    open_followup: bool  # a follow-up waits for this person's words, or one of their boards was asked
    reply_unseen: bool  # the newest reply to the conversation is known not to have reached the person
    strategy: tuple[int, datetime] | None  # the active strategy's id and when it was loaded
    reply_open: bool = True  # the newest reply to the conversation is not sent yet (pending or claimed)
    notices_waiting: bool = True  # anyone with an identity on `notice_platforms` has undelivered notices


async def turn_facts(
    session: AsyncSession,
    platform: str,
    user_key: str,
    conversation: str | None,
    notice_platforms: Sequence[str] | None = None,
) -> TurnFacts | None:
    """None when the platform user is not linked to a person. `reply_open` is read only with a
    `conversation`, `notices_waiting` only with `notice_platforms` (else both are True: unknown)."""
    waiting_for = "unknown" if notice_platforms is None else "some" if notice_platforms else "none"
    query = _facts_query(conversation is not None, waiting_for)
    values: dict[str, Any] = {"platform": platform, "user_key": user_key}
    if conversation is not None:
        values["conversation"] = conversation
    if notice_platforms:
        values["notice_platforms"] = list(notice_platforms)
    rows = (await session.execute(query, values)).all()
    if not rows:
        return None
    first = rows[0]
    person, has_notices, followup, status, error, waiting, strategy_id, loaded_at = first[:8]
    memberships = [(role, inst_id, name, area, kind) for *_, role, inst_id, name, area, kind in rows]
    return TurnFacts(
        person=person,
        boards=best_boards([m for m in memberships if m[0] in BOARD_ROLES and m[1] is not None]),
        roles={m[0] for m in memberships if m[0] is not None},
        has_notices=bool(has_notices),
        open_followup=bool(followup),
        reply_unseen=status is not None and reply_unseen(status, error),
        strategy=(strategy_id, loaded_at) if strategy_id is not None else None,
        reply_open=conversation is None or (status is not None and status in _OPEN),
        notices_waiting=bool(waiting),
    )


_OPEN = (OutboxStatus.PENDING.value, OutboxStatus.CLAIMED.value)


@functools.cache
def _facts_query(with_conversation: bool, waiting_for: str) -> Select[Any]:
    """The statement of `turn_facts`, built once per shape (building it is most of its cost: some forty
    expressions) with the person's platform, user key, conversation and platforms as parameters."""
    notices = exists().where(Notice.person_id == Person.id, Notice.delivered_at.is_(None))
    waiting = exists().where(
        FollowUp.answered_by_id == Person.id, FollowUp.answer.is_not(None), FollowUp.answered_at.is_(None)
    )
    board = aliased(Membership)
    asked = exists(
        select(FollowUp.id)
        .join(LocalGoal, LocalGoal.id == FollowUp.local_goal_id)
        .join(Registration, Registration.id == LocalGoal.registration_id)
        .join(board, board.institution_id == Registration.institution_id)
        .where(
            board.person_id == Person.id,
            board.role.in_(BOARD_ROLES),
            FollowUp.asked_at.is_not(None),
            FollowUp.answer.is_(None),
        )
    )
    reply_status: ColumnElement[Any] = literal(None)
    reply_error: ColumnElement[Any] = literal(None)
    if with_conversation:
        newest = select(OutboxItem.id).where(
            OutboxItem.rule == REPLY, OutboxItem.recipient == bindparam("conversation")
        )
        newest = newest.order_by(OutboxItem.id.desc()).limit(1)
        reply_status = select(OutboxItem.status).where(OutboxItem.id == newest.scalar_subquery()).scalar_subquery()
        reply_error = select(OutboxItem.last_error).where(OutboxItem.id == newest.scalar_subquery()).scalar_subquery()
    waiting_anyone: ColumnElement[Any] = true() if waiting_for == "unknown" else literal(False)
    if waiting_for == "some":  # what the notices round after the turn would find (see bot.delivery)
        reached = aliased(Identity)
        waiting_anyone = (
            exists()
            .where(Notice.delivered_at.is_(None), reached.person_id == Notice.person_id)
            .where(reached.platform.in_(bindparam("notice_platforms", expanding=True)))
            .correlate_except(Notice, reached)
        )
    active = select(Strategy.id).order_by(Strategy.loaded_at.desc(), Strategy.id.desc()).limit(1).scalar_subquery()
    return (
        select(
            Person,
            notices.label("notices"),
            (waiting | asked).label("followup"),
            reply_status.label("reply_status"),
            reply_error.label("reply_error"),
            waiting_anyone.label("notices_waiting"),
            Strategy.id,
            Strategy.loaded_at,
            Membership.role,
            Institution.id,
            Institution.name,
            Area.name,
            Institution.kind,  # for texts that fit the institution (help examples)
        )
        .join(Identity, Identity.person_id == Person.id)
        .outerjoin(Strategy, Strategy.id == active)
        .outerjoin(Membership, Membership.person_id == Person.id)
        .outerjoin(Institution, Institution.id == Membership.institution_id)
        .outerjoin(Area, Area.id == Institution.area_id)
        .where(Identity.platform == bindparam("platform"), Identity.user_key == bindparam("user_key"))
    )
