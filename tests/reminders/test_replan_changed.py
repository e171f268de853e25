"""After a change in the organisation, and in a fresh process, a tick plans only what is missing from the
outbox: a member who joins one board gets their items and nobody else's are planned, read or written
again; a restarted scheduler finds the plan of the process before it in the outbox instead of planning
the municipality again; and a round half written when the process stopped is finished, each item once.
The scheduler runs here without notifiers (plan and enqueue only), so the outbox rows stay as written."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.scheduler import Planning, TickReport, tick
from dialogs.reminders.planner import plan
from dialogs.reminders.snapshot import load_snapshot
from storage.db import Database
from storage.models import Identity, Membership, OutboxItem, Person
from tests.reminders.conftest import Demo, local

MONDAY = local(2026, 6, 1, 9, 5)  # two weeks before the deadline: digests, nudges and the 14-day escalation


async def run(db: Database, now: datetime, planning: Planning, **kw: Any) -> TickReport:
    return await tick(db, [], now, instance_id="a", planning=planning, **kw)


async def outbox_rows(db: Database) -> dict[tuple[str, str, str], tuple[Any, ...]]:
    """Every row by its key, with everything a later tick could have touched."""
    async with db.read() as s:
        rows = (await s.scalars(select(OutboxItem))).all()
        return {
            (r.rule, r.recipient, r.period): (r.id, r.status, r.due_at, r.expires_at, r.body_id, r.payload, r.attempts)
            for r in rows
        }


async def fresh_plan(db: Database, now: datetime) -> set[tuple[str, str, str]]:
    """What reading and planning everything afresh at `now` gives (no memory, no cache, no outbox)."""
    async with db.read() as s:
        snapshot = await load_snapshot(s, now)
    return {i.key for i in plan(now, snapshot)}


async def joins(demo: Demo, institution: str, role: str, name: str) -> int:
    inst = await demo.institution_id(institution)
    email = f"{name.lower().replace(' ', '.')}@demo.maalbot.dk"
    async with demo.db.transaction() as s:
        person = Person(name=name, email=email, email_key=email)
        s.add(person)
        await s.flush()
        s.add(Membership(person_id=person.id, role=role, institution_id=inst))
        s.add(Identity(person_id=person.id, platform="slack", user_key=f"UNEW{person.id}"))
        return int(person.id)


async def test_a_member_joining_one_board_plans_that_boards_newcomer_only(demo: Demo) -> None:
    planning = Planning.fresh()
    first = await run(demo.db, MONDAY, planning)
    quiet = await run(demo.db, MONDAY + timedelta(minutes=1), planning)
    assert first.enqueued == first.planned > 0 and quiet.enqueued == 0 and quiet.skipped_rounds == 2
    every_tick = quiet.planned  # digests, the admins' digest, follow-ups: planned every tick, cheap
    before = await outbox_rows(demo.db)
    assert {rule for rule, _r, _p in before} >= {"nudge", "escalation"}

    member = await joins(demo, "Ærøvej Skole", "member", "Nye Nanna")
    joined = await run(demo.db, MONDAY + timedelta(minutes=2), planning)
    after = await outbox_rows(demo.db)
    new = set(after) - set(before)
    assert new == {("nudge", f"person:{member}", "2026-W23")}  # a member is nudged; escalations go to chair, leader
    # the nudge and escalation rounds were planned for the newcomer only: nobody else's item was made again
    assert joined.planned == every_tick + 1 and joined.enqueued == 1 and joined.skipped_rounds == 0
    assert {k: after[k] for k in before} == before  # the other boards' items untouched (ids, texts, status)
    # who sits where was read again, the institutions and their progress were kept
    assert planning.cache.full_reads == 1 and planning.cache.people_reads == 1

    leader = await joins(demo, "Mælkebøtten", "leader", "Ny Leder")
    led = await run(demo.db, MONDAY + timedelta(minutes=3), planning)
    newer = set(await outbox_rows(demo.db)) - set(after)
    assert newer == {("escalation", f"person:{leader}", "deadline:2026-06-15:-14")}
    assert led.planned == every_tick + 1 and led.enqueued == 1
    # the outbox holds exactly what reading and planning everything afresh gives, once each
    assert set(await outbox_rows(demo.db)) == await fresh_plan(demo.db, MONDAY + timedelta(minutes=3))

    # a member joining a board that has submitted gets nothing, and nothing else is planned
    await demo.set_status("Solsikken", "submitted")
    await run(demo.db, MONDAY + timedelta(minutes=4), planning)
    settled = await outbox_rows(demo.db)
    await joins(demo, "Solsikken", "member", "Sen Søren")
    late = await run(demo.db, MONDAY + timedelta(minutes=5), planning)
    assert late.enqueued == 0 and late.planned == every_tick and await outbox_rows(demo.db) == settled
    assert await fresh_plan(demo.db, MONDAY + timedelta(minutes=5)) <= set(settled)  # theirs were sent before
    again = await run(demo.db, MONDAY + timedelta(minutes=6), planning)
    assert again.enqueued == 0 and again.skipped_rounds == 2


async def test_a_fresh_process_finds_the_plan_in_the_outbox(demo: Demo) -> None:
    first = await run(demo.db, MONDAY, Planning.fresh())
    before = await outbox_rows(demo.db)
    assert first.enqueued == len(before) > 0

    restarted = Planning.fresh()  # a new `serve`: nothing kept in memory
    tick_one = await run(demo.db, MONDAY + timedelta(minutes=1), restarted)
    assert tick_one.enqueued == 0 and tick_one.skipped_rounds == 0
    nudges_and_escalations = sum(1 for rule, _r, _p in before if rule in ("nudge", "escalation"))
    assert tick_one.planned == first.planned - nudges_and_escalations  # those rounds: nobody missing, nothing made
    assert await outbox_rows(demo.db) == before
    tick_two = await run(demo.db, MONDAY + timedelta(minutes=2), restarted)
    assert tick_two.skipped_rounds == 2 and tick_two.enqueued == 0  # and then remembered as complete


async def test_a_round_half_written_before_a_restart_is_finished_each_item_once(demo: Demo) -> None:
    everything = await tick(demo.db, [], MONDAY, instance_id="a", dry_run=True)
    stopped = await run(demo.db, MONDAY, Planning.fresh(), max_new=4)
    assert stopped.enqueued == 4 and stopped.deferred == everything.planned - 4
    assert stopped.planned < everything.planned  # the budget: not every nudge and escalation was made

    restarted = await run(demo.db, MONDAY + timedelta(minutes=1), Planning.fresh())
    assert restarted.enqueued == everything.planned - 4 and restarted.deferred == 0
    rows = await outbox_rows(demo.db)
    assert len(rows) == everything.planned
    assert set(rows) == await fresh_plan(demo.db, MONDAY + timedelta(minutes=1))


async def test_someone_who_leaves_a_board_is_gone_from_the_kept_snapshot(demo: Demo) -> None:
    """The people and memberships read again, without the rest: the kept snapshot plans what a fresh one
    plans, and who left is not in the next round."""
    planning = Planning.fresh()
    await run(demo.db, MONDAY, planning)
    fatima = await demo.person_id("fatima.ali@demo.maalbot.dk")  # only on Solsikken's board
    assert ("nudge", f"person:{fatima}", "2026-W23") in await outbox_rows(demo.db)
    async with demo.db.transaction() as s:
        for membership in (await s.scalars(select(Membership).where(Membership.person_id == fatima))).all():
            await s.delete(membership)
    now = MONDAY + timedelta(minutes=1)
    left = await run(demo.db, now, planning)
    assert left.enqueued == 0 and planning.cache.people_reads == 1 and planning.cache.full_reads == 1
    async with demo.db.read() as s:
        kept = await planning.cache.load(s, now)  # nothing changed since: the kept snapshot
    assert planning.cache.full_reads == 1
    assert {i.key for i in plan(now, kept)} == await fresh_plan(demo.db, now)
    assert all(m.person_id != fatima for m in kept.memberships)

    next_week = MONDAY + timedelta(days=7)
    await run(demo.db, next_week, planning)
    week = {k for k in await outbox_rows(demo.db) if k[2] == "2026-W24"}
    assert ("nudge", f"person:{fatima}", "2026-W24") not in week and week
    assert week == {k for k in await fresh_plan(demo.db, next_week) if k[2] == "2026-W24"}
