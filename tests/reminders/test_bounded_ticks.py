"""A tick writes at most `max_new` new items (bot.scheduler.MAX_NEW); the rest, planned again as what is
missing from the outbox, follow on the next ticks, each exactly once; a change in between (a board
submitted) plans again, and the round is recorded complete only once all of it is in the outbox."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.scheduler import Planning, TickReport, tick
from storage.db import Database
from storage.models import Institution, OutboxItem
from tests.reminders.conftest import MONDAY, Demo

BUDGET = 8  # new items per tick: the demo's Monday (24 items) takes three ticks


async def keys(db: Database) -> list[tuple[str, str, str]]:
    async with db.transaction() as s:
        rows = (await s.execute(select(OutboxItem.rule, OutboxItem.recipient, OutboxItem.period))).all()
    return [(str(r), str(c), str(p)) for r, c, p in rows]


async def test_a_large_round_is_written_over_several_ticks_each_item_once(demo: Demo) -> None:
    # what a single tick with no bound writes, in a dry run (nothing written)
    everything = await tick(demo.db, [], MONDAY, instance_id="a", dry_run=True)
    total = everything.planned
    assert total > 2 * BUDGET  # three ticks or more
    planning = Planning.fresh()
    reports: list[TickReport] = []
    now = MONDAY
    while not reports or reports[-1].deferred:
        reports.append(await tick(demo.db, [], now, instance_id="a", planning=planning, max_new=BUDGET))
        now += timedelta(minutes=1)
        assert len(reports) < total  # it ends
    assert [r.enqueued for r in reports[:-1]] == [BUDGET] * (len(reports) - 1)
    assert sum(r.enqueued for r in reports) == total
    assert reports[0].deferred == total - BUDGET
    assert not any(r.continued for r in reports)  # each tick plans only what is still missing (a budget)
    written = await keys(demo.db)
    assert len(written) == len(set(written)) == total
    again = await tick(demo.db, [], now, instance_id="a", planning=planning, max_new=BUDGET)
    assert again.enqueued == again.deferred == 0
    assert again.skipped_rounds > 0  # now complete: the round is skipped as usual
    async with demo.db.transaction() as s:
        assert await s.scalar(select(func.count(OutboxItem.id))) == total


async def test_a_board_that_submits_between_the_ticks_is_not_nudged_from_the_kept_plan(demo: Demo) -> None:
    planning = Planning.fresh()
    first = await tick(demo.db, [], MONDAY, instance_id="a", planning=planning, max_new=1)
    assert first.deferred > 0
    nudged = {(r, c) for r, c, _p in await keys(demo.db)}
    # every board submits: the kept plan no longer holds, the next tick plans again and nudges nobody
    async with demo.db.transaction() as s:
        names = [str(n) for n in (await s.scalars(select(Institution.name))).all()]
    for name in names:
        await demo.set_status(name, "submitted")
    second = await tick(demo.db, [], MONDAY + timedelta(minutes=1), instance_id="a", planning=planning)
    assert not second.continued
    written = {(r, c) for r, c, _p in await keys(demo.db)}
    assert written > nudged  # the rest of the plan went in (the digests)...
    assert not {k for k in written - nudged if k[0] in ("nudge", "escalation")}  # ...but no nudge or escalation
