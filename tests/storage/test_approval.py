"""storage.approval: approve, return and reopen, each audited, the board told, the lock held."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from storage import approval
from storage.db import Database
from storage.models import AuditEntry, Institution, Notice, Person, Registration, RegistrationStatus, Role, Strategy
from storage.registrations import DraftWriter, LockedRegistration, lock_registration
from tests.storage import factories
from tests.storage.factories import KINDS, Board

# The behaviour below is the same SQL on both backends (status rules, numbering, versions decided in
# Python): it runs on SQLite only. Locks, concurrency, constraints, JSON and case folding stay on both.
SQLITE_ONLY = pytest.mark.parametrize("db", ["sqlite"], indirect=True)

NOW = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)


async def _admin(db: Database) -> int:
    async with db.transaction() as s:
        admin = await factories.person(s, "Anne Admin", "admin@example.dk")
        await factories.role(s, admin, Role.ADMIN)
        return admin.id


async def _submitted(db: Database) -> tuple[Board, int]:
    board = await factories.board(db)
    admin_id = await _admin(db)
    async with db.transaction() as s:
        writer = DraftWriter(s, await lock_registration(s, board.registration_id), KINDS, board.chair_id)
        await writer.add_local_goal(1, "Alle har en ven")
        await writer.set_status(RegistrationStatus.SUBMITTED)
    return board, admin_id


async def _status_audit(db: Database, reg_id: int) -> list[tuple[int | None, str | None, str | None, datetime]]:
    async with db.transaction() as s:
        rows = (
            await s.scalars(
                select(AuditEntry)
                .where(AuditEntry.registration_id == reg_id, AuditEntry.field == "status")
                .order_by(AuditEntry.id)
            )
        ).all()
        return [(a.person_id, a.before, a.after, a.at) for a in rows]


async def _notices(db: Database) -> list[tuple[str, str, dict[str, str]]]:
    async with db.transaction() as s:
        rows = (await s.execute(select(Person.name, Notice.kind, Notice.params).join(Person).order_by(Notice.id))).all()
        return [(name, kind, params) for name, kind, params in rows]


async def test_approve_locks_audits_and_tells_the_board(db: Database) -> None:
    board, admin_id = await _submitted(db)
    async with db.transaction() as s:
        decision = await approval.approve(s, board.registration_id, admin_id, now=NOW)
    assert (decision.before, decision.after, decision.institution, decision.notified) == (
        "submitted",
        "approved",
        "Ærø Skole",
        2,
    )
    assert (await _status_audit(db, board.registration_id))[-1] == (admin_id, "submitted", "approved", NOW)
    notices = await _notices(db)
    assert sorted(n for n, _, _ in notices) == ["Bo Æbelø", "Åse Ørsted"]
    assert {kind for _, kind, _ in notices} == {"approved"}
    assert notices[0][2] == {"institution": "Ærø Skole", "comment": ""}
    async with db.transaction() as s:
        reg = await lock_registration(s, board.registration_id)
        assert reg.status == "approved"
        assert reg.submitted_by_id == board.chair_id  # the board's submitter is kept
        with pytest.raises(LockedRegistration):
            await DraftWriter(s, reg, KINDS, board.chair_id).add_local_goal(1, "Nyt mål")


@SQLITE_ONLY
async def test_only_a_submitted_registration_can_be_approved(db: Database) -> None:
    board = await factories.board(db)
    admin_id = await _admin(db)
    async with db.transaction() as s:
        with pytest.raises(approval.ApprovalError) as caught:
            await approval.approve(s, board.registration_id, admin_id, now=NOW)
    assert caught.value.status == "draft"
    assert await _status_audit(db, board.registration_id) == []
    assert await _notices(db) == []


async def test_return_with_a_comment_lets_the_board_edit_and_resubmit(db: Database) -> None:
    board, admin_id = await _submitted(db)
    async with db.transaction() as s:
        decision = await approval.return_registration(
            s, board.registration_id, admin_id, "  Mangler målinger  ", now=NOW
        )
    assert (decision.after, decision.comment) == ("returned", "Mangler målinger")
    assert (await _status_audit(db, board.registration_id))[-1] == (
        admin_id,
        "submitted",
        "returned: Mangler målinger",
        NOW,
    )
    assert {(kind, params["comment"]) for _, kind, params in await _notices(db)} == {("returned", "Mangler målinger")}
    async with db.transaction() as s:
        writer = DraftWriter(s, await lock_registration(s, board.registration_id), KINDS, board.chair_id)
        await writer.add_local_goal(1, "Trivselsmåling hvert forår")
        await writer.set_status(RegistrationStatus.SUBMITTED)
    async with db.transaction() as s:
        reg = await s.get(Registration, board.registration_id)
        assert reg is not None and reg.status == "submitted"


@SQLITE_ONLY
async def test_return_needs_a_comment(db: Database) -> None:
    board, admin_id = await _submitted(db)
    async with db.transaction() as s:
        with pytest.raises(ValueError, match="comment"):
            await approval.return_registration(s, board.registration_id, admin_id, "   ", now=NOW)


@SQLITE_ONLY
async def test_reopen_is_explicit_and_only_for_an_approved_registration(db: Database) -> None:
    board, admin_id = await _submitted(db)
    async with db.transaction() as s:
        with pytest.raises(approval.ApprovalError):
            await approval.reopen(s, board.registration_id, admin_id, now=NOW)
    async with db.transaction() as s:
        await approval.approve(s, board.registration_id, admin_id, now=NOW)
    async with db.transaction() as s:
        decision = await approval.reopen(s, board.registration_id, admin_id, now=NOW, to=RegistrationStatus.DRAFT)
    assert (decision.before, decision.after) == ("approved", "draft")
    async with db.transaction() as s:
        await DraftWriter(s, await lock_registration(s, board.registration_id), KINDS, board.chair_id).add_local_goal(
            2, "Elevrådet spørges hvert år"
        )
    trail = [(before, after) for _, before, after, _ in await _status_audit(db, board.registration_id)]
    assert trail == [("draft", "submitted"), ("submitted", "approved"), ("approved", "draft")]
    assert [kind for _, kind, _ in await _notices(db)][-1] == "reopened"


@SQLITE_ONLY
async def test_reopen_to_submitted_keeps_the_submitter(db: Database) -> None:
    board, admin_id = await _submitted(db)
    async with db.transaction() as s:
        await approval.approve(s, board.registration_id, admin_id, now=NOW)
        await approval.reopen(s, board.registration_id, admin_id, now=NOW)
    async with db.transaction() as s:
        reg = await s.get(Registration, board.registration_id)
        assert reg is not None
        assert (reg.status, reg.submitted_by_id) == ("submitted", board.chair_id)


@SQLITE_ONLY
async def test_is_admin(db: Database) -> None:
    board = await factories.board(db)
    admin_id = await _admin(db)
    async with db.transaction() as s:
        assert await approval.is_admin(s, admin_id)
        assert not await approval.is_admin(s, board.chair_id)


@SQLITE_ONLY
async def test_a_returned_registration_must_be_submitted_again_before_a_decision(db: Database) -> None:
    board, admin_id = await _submitted(db)
    async with db.transaction() as s:
        await approval.return_registration(s, board.registration_id, admin_id, "Mangler målinger", now=NOW)
    for decide in (
        lambda s: approval.approve(s, board.registration_id, admin_id, now=NOW),
        lambda s: approval.return_registration(s, board.registration_id, admin_id, "Igen", now=NOW),
        lambda s: approval.reopen(s, board.registration_id, admin_id, now=NOW),
    ):
        async with db.transaction() as s:
            with pytest.raises(approval.ApprovalError) as caught:
                await decide(s)
        assert caught.value.status == "returned"
    trail = [(before, after) for _, before, after, _ in await _status_audit(db, board.registration_id)]
    assert trail == [("draft", "submitted"), ("submitted", "returned: Mangler målinger")]
    assert {kind for _, kind, _ in await _notices(db)} == {"returned"}


async def test_an_approved_registration_refuses_every_edit(db: Database) -> None:
    board, admin_id = await _submitted(db)
    async with db.transaction() as s:
        await approval.approve(s, board.registration_id, admin_id, now=NOW)
    async with db.transaction() as s:
        writer = DraftWriter(s, await lock_registration(s, board.registration_id), KINDS, board.chair_id)
        with pytest.raises(LockedRegistration):
            await writer.set_answer(1, 1, KINDS.first_key, "Et andet mål")
        with pytest.raises(LockedRegistration):
            await writer.delete_local_goal(1, 1)
    async with db.transaction() as s:
        reg = await s.get(Registration, board.registration_id)
        assert reg is not None and reg.status == "approved"


@SQLITE_ONLY
async def test_a_decision_on_a_strategy_answered_by_the_leadership_tells_the_leaders_not_the_parents(
    db: Database,
) -> None:
    board, admin_id = await _submitted(db)
    async with db.transaction() as s:
        strategy = await s.get(Strategy, board.strategy_id)
        assert strategy is not None
        strategy.definition = {**strategy.definition, "respondent": "leadership"}
        inst = await s.get(Institution, board.institution_id)
        leader = await factories.person(s, "Lis Leder", "lis@example.dk")
        await factories.role(s, leader, Role.LEADER, inst=inst)
    async with db.transaction() as s:
        decision = await approval.approve(s, board.registration_id, admin_id, now=NOW)
    assert decision.notified == 1
    assert [(name, kind) for name, kind, _ in await _notices(db)] == [("Lis Leder", "approved")]
