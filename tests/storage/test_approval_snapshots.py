"""Approval snapshots and the «changed after submit» mark in storage: the migration on both backends,
the queue's order and cap, and the mark set by a change and cleared by a status change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text

from dialogs.service import kinds_of, strategy_of
from storage import approval, policy, registrations, snapshots, strategies
from storage.db import Database
from storage.migrate import current_revision, head_revision, upgrade
from storage.models import ApprovalSnapshot, Institution, Notice, Person, Registration, RegistrationStatus
from tests.dialogs.talk import World

NOW = datetime(2026, 11, 24, 9, tzinfo=UTC)


async def test_the_migration_keeps_registrations_and_adds_the_mark(empty_db: Database) -> None:
    """0012 on SQLite and PostgreSQL: a registration made before it is not marked; snapshots can be kept."""
    await upgrade(empty_db, "0011")
    async with empty_db.transaction() as s:
        await s.execute(text("INSERT INTO areas (id, name, name_key) VALUES (1, 'Nord', 'nord')"))
        await s.execute(
            text("INSERT INTO institutions (id, name, name_key, kind, area_id) VALUES (1, 'Sol', 'sol', 'daycare', 1)")
        )
        await s.execute(
            text(
                "INSERT INTO strategies (id, key, title, definition, loaded_at) "
                "VALUES (1, 'k', 'T', '{}', '2026-01-01 00:00:00')"
            )
        )
        await s.execute(
            text(
                "INSERT INTO registrations (id, institution_id, strategy_id, status, version, ready_for_chair, "
                "created_at, updated_at) VALUES (1, 1, 1, 'submitted', 3, false, '2026-01-01 00:00:00', "
                "'2026-01-01 00:00:00')"
            )
        )
    await upgrade(empty_db)
    assert await current_revision(empty_db) == head_revision()
    async with empty_db.transaction() as s:
        reg = await s.get(Registration, 1)
        assert reg is not None and reg.status == "submitted" and reg.changed_after_submit is False
        await snapshots.take(s, 1, snapshots.SUBMITTED, [], version=3, now=NOW)
        await snapshots.take(s, 1, snapshots.SUBMITTED, [{"id": 9}], version=4, now=NOW)  # replaces, one per kind
    async with empty_db.transaction() as s:
        rows = (await s.scalars(select(ApprovalSnapshot))).all()
        assert [(r.kind, r.version, r.content) for r in rows] == [("submitted", 4, [{"id": 9}])]


async def _submit(world: World, institution: str, at: datetime) -> int:
    async with world.db.transaction() as s:
        row = await strategies.active_strategy(s)
        assert row is not None
        inst = await s.scalar(select(Institution).where(Institution.name == institution))
        assert inst is not None
        reg = await registrations.ensure_registration(s, inst.id, row.id)
        await s.flush()
        writer = registrations.DraftWriter(s, reg, kinds_of(strategy_of(row)), None)
        await writer.add_local_goal(1, f"Mål for {institution}")
        await writer.set_status(RegistrationStatus.SUBMITTED)
        reg.submitted_at = at
        return reg.id


async def test_the_queue_is_oldest_first_and_capped(sqlite_db: Database) -> None:
    world = await World.create(sqlite_db)
    names = ["Solsikken", "Mælkebøtten", "Ærøvej Skole", "Søndermarkskolen"]
    for days, name in enumerate(names):
        await _submit(world, name, NOW - timedelta(days=10 - days))
    async with world.db.read() as s:
        row = await strategies.active_strategy(s)
        assert row is not None
        everything = policy.scope([policy.Grant(policy.ADMIN)])
        waiting, total = await approval.awaiting_decision(s, row.id, everything, limit=3)
        area_id = (await s.scalar(select(Institution.area_id).where(Institution.name == "Solsikken"))) or 0
        nord = policy.scope([policy.Grant(policy.AREA_LEADER, area_id=area_id)])
        in_nord, nord_total = await approval.awaiting_decision(s, row.id, nord, limit=10)
    assert total == 4 and [w.institution for w in waiting] == names[:3]
    assert [w.institution for w in in_nord] == names[:3] and nord_total == 3  # Søndermarkskolen is in Syd


async def test_a_change_marks_once_and_a_decision_clears(sqlite_db: Database) -> None:
    world = await World.create(sqlite_db)
    reg_id = await _submit(world, "Solsikken", NOW)
    async with world.db.transaction() as s:
        fatima = await s.scalar(select(Person.id).where(Person.name == "Fatima Ali"))
        row = await strategies.active_strategy(s)
        assert row is not None and fatima is not None
        reg = await registrations.lock_registration(s, reg_id)
        writer = registrations.DraftWriter(s, reg, kinds_of(strategy_of(row)), fatima)
        await writer.set_answer(1, 1, "interventions", ["Ny"])
        await writer.set_answer(1, 1, "interventions", ["Ny", "Og en til"])
        assert reg.changed_after_submit
    async with world.db.transaction() as s:
        told = (await s.execute(select(Person.name, Notice.kind).join(Person))).all()
        assert told == [("Søren Østergaard", "changed_after_submit")]  # the chair, once
        reg = await registrations.lock_registration(s, reg_id)
        assert reg.changed_after_submit
        await registrations.DraftWriter(s, reg, kinds_of(strategy_of(row)), None).set_status(
            RegistrationStatus.RETURNED, comment="x"
        )
    async with world.db.transaction() as s:
        reg = await registrations.lock_registration(s, reg_id)
        assert not reg.changed_after_submit
        writer = registrations.DraftWriter(s, reg, kinds_of(strategy_of(row)), fatima)
        await writer.set_answer(1, 1, "interventions", ["Igen"])  # returned: the board works on it, no mark
        assert not reg.changed_after_submit
