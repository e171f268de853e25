"""A tick that keeps what it read and planned (`bot.scheduler.Planning`, as `serve`'s loop does) skips the
rounds already in the outbox and re-reads only what changed, yet plans exactly the new items: a board
member who joins, a board that reopens, a pause that is lifted. Nothing is sent twice, nothing is missed:
after every change the outbox holds what a tick that reads and plans everything afresh would plan."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, select, update

from bot.scheduler import Planning
from dialogs.reminders.planner import plan
from dialogs.reminders.snapshot import load_snapshot
from storage.models import Identity, Membership, OutboxItem, Person, Registration, ReminderPause
from tests.reminders.conftest import Demo, local

MONDAY = local(2026, 6, 1, 9, 5)  # two weeks before the deadline: digests, nudges and the 14-day escalation


async def keys(demo: Demo) -> set[tuple[str, str, str]]:
    return {(rule, recipient, period) for rule, recipient, period, _status in await demo.rows()}


async def fresh_plan(demo: Demo, minutes: int) -> set[tuple[str, str, str]]:
    """What reading and planning everything at that moment gives (no memory, no cache)."""
    async with demo.db.read() as s:
        snapshot = await load_snapshot(s, MONDAY)
    return {i.key for i in plan(MONDAY.replace(minute=5 + minutes), snapshot)}


async def new_board_member(demo: Demo, institution: str) -> int:
    inst = await demo.institution_id(institution)
    async with demo.db.transaction() as s:
        person = Person(name="Nye Nanna", email="nye.nanna@demo.maalbot.dk", email_key="nye.nanna@demo.maalbot.dk")
        s.add(person)
        await s.flush()
        s.add(Membership(person_id=person.id, role="member", institution_id=inst))
        s.add(Identity(person_id=person.id, platform="slack", user_key="UNEWNANNA"))
        return int(person.id)


async def test_a_kept_planning_skips_what_is_in_the_outbox_and_plans_exactly_what_is_new(demo: Demo) -> None:
    planning = Planning.fresh()
    await demo.set_status("Solsikken", "submitted")  # done before the first tick: no nudges for its board
    camilla = await demo.person_id("camilla.dahl@demo.maalbot.dk")  # also on Ærøvej Skole's board
    fatima = await demo.person_id("fatima.ali@demo.maalbot.dk")  # only on Solsikken's board
    peter = await demo.person_id("peter.holm@demo.maalbot.dk")
    soeren = await demo.person_id("soeren.oestergaard@demo.maalbot.dk")  # Solsikken's chair
    ahmed = await demo.person_id("ahmed.yilmaz@demo.maalbot.dk")  # Mælkebøtten's board, which is behind
    async with demo.db.transaction() as s:
        s.add(ReminderPause(person_id=ahmed, until=date(2026, 7, 1)))

    first = await demo.tick(MONDAY, planning=planning)
    assert first.enqueued == first.planned > 0 and first.skipped_rounds == 0
    nudged = {r for rule, r, _p in await keys(demo) if rule == "nudge"}
    assert f"person:{fatima}" not in nudged and f"person:{ahmed}" not in nudged and f"person:{camilla}" in nudged
    assert await keys(demo) == await fresh_plan(demo, 0)

    # nothing changed: the nudge and escalation rounds are skipped after one count each; nothing is written
    again = await demo.tick(MONDAY.replace(minute=6), planning=planning)
    assert again.skipped_rounds == 2 and again.enqueued == 0 and again.planned < first.planned
    assert planning.cache.full_reads == 1 and planning.cache.partial_reads == 0

    # a board submits (more boards done can only mean fewer recipients): still skipped, re-read in part
    await demo.set_status("Mælkebøtten", "submitted")
    submitted = await demo.tick(MONDAY.replace(minute=7), planning=planning)
    assert submitted.skipped_rounds == 2 and submitted.enqueued == 0
    assert planning.cache.full_reads == 1 and planning.cache.partial_reads == 1

    # a new member joins a board that is behind: exactly their nudge is new
    before = await keys(demo)
    nanna = await new_board_member(demo, "Ærøvej Skole")
    joined = await demo.tick(MONDAY.replace(minute=8), planning=planning)
    assert joined.skipped_rounds == 0 and joined.enqueued == 1
    assert await keys(demo) - before == {("nudge", f"person:{nanna}", "2026-W23")}
    assert planning.cache.full_reads == 1 and planning.cache.people_reads == 1  # who sits where, read again

    # Solsikken reopens: its board, not nudged this week while it was done, gets theirs; Camilla not again
    before = await keys(demo)
    await demo.set_status("Solsikken", "returned")
    reopened = await demo.tick(MONDAY.replace(minute=9), planning=planning)
    new = await keys(demo) - before
    assert {r for rule, r, _p in new if rule == "nudge"} == {f"person:{p}" for p in (soeren, fatima, peter)}
    assert reopened.enqueued == len(new) and ("nudge", f"person:{camilla}", "2026-W23") in before

    # every board behind again and Ahmed lifts his pause: his nudge comes now, nobody else's again...
    async with demo.db.transaction() as s:
        await s.execute(update(Registration).values(status="draft"))
        await s.execute(delete(ReminderPause))
    before = await keys(demo)
    lifted = await demo.tick(MONDAY.replace(minute=10), planning=planning)
    assert await keys(demo) - before == {("nudge", f"person:{ahmed}", "2026-W23")} and lifted.enqueued == 1

    # ...and after all of it the outbox holds exactly what a fresh reading and planning gives, once each
    assert await keys(demo) == await fresh_plan(demo, 5)
    quiet = await demo.tick(MONDAY.replace(minute=11), planning=planning)
    assert quiet.enqueued == 0 and quiet.skipped_rounds == 2


async def test_a_round_whose_rows_left_the_outbox_is_planned_again(demo: Demo) -> None:
    """The memory is checked against the outbox (one count per round), not trusted blindly."""
    planning = Planning.fresh()
    first = await demo.tick(MONDAY, planning=planning)
    async with demo.db.transaction() as s:
        one = await s.scalar(select(OutboxItem.id).where(OutboxItem.rule == "nudge").limit(1))
        await s.execute(delete(OutboxItem).where(OutboxItem.id == one))
    again = await demo.tick(MONDAY.replace(minute=6), planning=planning)
    assert first.enqueued > 1
    assert again.skipped_rounds == 1 and again.enqueued == 1  # the escalation skipped, the nudge re-planned
    assert await keys(demo) == await fresh_plan(demo, 1)
