"""Outbox rows refer to shared rendered texts (issue 18): the members of one board share one nudge text
and each gets it with their own name; rows written before shared texts still go out; a text is kept while
a row refers to it; repeated ticks and two schedulers add no row and no text twice."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from bot.delivery import RecordingNotifier
from bot.scheduler import Planning, tick
from dialogs.messages import Reply
from dialogs.reminders.render import reply_to_json
from storage import outbox, outbox_bodies
from storage.db import Database
from storage.models import OutboxBody, OutboxItem, Person
from storage.outbox import NewItem
from storage.retention import Ages, purge
from tests.reminders.conftest import MONDAY, Demo

FATIMA = "fatima.ali@demo.maalbot.dk"


async def counts(db: Database) -> tuple[int, int]:
    async with db.transaction() as s:
        rows = int(await s.scalar(select(func.count(OutboxItem.id))) or 0)
        bodies = int(await s.scalar(select(func.count(OutboxBody.id))) or 0)
    return rows, bodies


async def names(db: Database) -> dict[int, str]:
    async with db.transaction() as s:
        return {int(i): str(n) for i, n in (await s.execute(select(Person.id, Person.name))).all()}


async def test_the_members_of_one_board_share_one_text_and_each_gets_their_own_name(demo_sqlite: Demo) -> None:
    demo = demo_sqlite
    report = await demo.tick(MONDAY)
    assert report.enqueued > 0 and report.sent > 0
    async with demo.db.transaction() as s:
        nudges = await outbox.items(s, rule="nudge")
    by_body: dict[int | None, list[OutboxItem]] = defaultdict(list)
    for row in nudges:
        by_body[row.body_id].append(row)
        assert "replies" not in row.payload  # the row holds its own part only
    assert None not in by_body
    shared = [rows for rows in by_body.values() if len(rows) >= 2]
    assert shared, "no two members of a board got the same nudge"
    assert len(by_body) < len(nudges)
    people = await names(demo.db)
    first, second = shared[0][:2]
    texts = []
    for row in (first, second):
        person_id = int(row.payload["to"]["person_id"])
        (sent,) = demo.slack.to(f"U{person_id}")  # delivered, with the placeholder filled in
        text = sent.replies[0].text
        assert people[person_id] in text and outbox_bodies.OPEN not in text
        texts.append(text.replace(people[person_id], "NAME"))
    assert texts[0] == texts[1]  # one text, two names


async def test_a_row_written_before_shared_texts_is_delivered_as_it_is(demo_sqlite: Demo) -> None:
    demo = demo_sqlite
    fatima = await demo.person_id(FATIMA)
    inline = {
        "to": {"person_id": fatima},
        "to_name": "Fatima Ali",
        "replies": [reply_to_json(Reply("En påmindelse skrevet før de delte tekster", title="Påmindelse"))],
        "why": "an old row",
    }
    async with demo.db.transaction() as s:
        assert await outbox.enqueue(s, [NewItem("nudge", f"person:{fatima}", "2026-W01", MONDAY, inline)], MONDAY) == 1
    await demo.tick(MONDAY)
    old = [s for s in demo.slack.to(f"U{fatima}") if s.replies[0].text.startswith("En påmindelse skrevet før")]
    assert len(old) == 1 and old[0].replies[0].title == "Påmindelse"
    async with demo.db.transaction() as s:
        row = await s.scalar(select(OutboxItem).where(OutboxItem.period == "2026-W01"))
    assert row is not None and row.status == "sent" and row.body_id is None


async def test_a_shared_text_is_kept_while_a_row_refers_to_it(demo: Demo) -> None:
    await tick(demo.db, [], MONDAY, instance_id="plan-only")  # no notifiers: the rows wait
    rows, bodies = await counts(demo.db)
    assert rows > bodies > 0
    later = MONDAY + timedelta(days=400)
    await purge(demo.db, Ages(messages=timedelta(days=1)), later)
    assert await counts(demo.db) == (rows, bodies)  # rows not sent: kept, and so are their texts
    with pytest.raises(IntegrityError):  # the database itself refuses to drop a text in use
        async with demo.db.transaction() as s:
            await s.execute(delete(OutboxBody))
    async with demo.db.transaction() as s:
        await s.execute(update(OutboxItem).values(status="sent", sent_at=MONDAY))
        one = await s.scalar(select(OutboxItem).where(OutboxItem.rule == "nudge").limit(1))
        assert one is not None
        keep = one.id
        await s.execute(update(OutboxItem).where(OutboxItem.id == keep).values(status="pending", sent_at=None))
    await purge(demo.db, Ages(messages=timedelta(days=1)), later)
    assert await counts(demo.db) == (1, 1)  # the sent rows went, and every text but the pending row's
    async with demo.db.transaction() as s:
        (payload,) = await outbox_bodies.resolved(s, await outbox.items(s))
    assert payload["replies"] and payload["to_name"] in payload["replies"][0]["text"]


async def test_a_repeated_tick_and_two_schedulers_at_once_add_nothing_twice(demo: Demo) -> None:
    first = await tick(demo.db, [], MONDAY, instance_id="a")
    rows, bodies = await counts(demo.db)
    assert first.enqueued == rows and rows > bodies > 0
    again = await tick(demo.db, [], MONDAY + timedelta(minutes=1), instance_id="a", planning=Planning.fresh())
    assert again.enqueued == 0 and await counts(demo.db) == (rows, bodies)
    # two schedulers with their own connections plan the next week at the same moment
    other = Database(make_url(demo.db.url).render_as_string(hide_password=False))
    try:
        week = MONDAY + timedelta(weeks=1)
        a, b = await asyncio.gather(
            tick(demo.db, [], week, instance_id="a", planning=Planning.fresh()),
            tick(other, [], week, instance_id="b", planning=Planning.fresh()),
        )
    finally:
        await other.dispose()
    after, after_bodies = await counts(demo.db)
    assert a.enqueued + b.enqueued == after - rows > 0  # each new row written by exactly one of them
    async with demo.db.transaction() as s:
        keys = (await s.execute(select(OutboxItem.rule, OutboxItem.recipient, OutboxItem.period))).all()
        digests = (await s.scalars(select(OutboxBody.digest))).all()
    assert len(set(keys)) == len(keys) and len(set(digests)) == len(digests) == after_bodies
    # both sent: each recipient gets the week's nudge once
    slack = RecordingNotifier("slack")
    await tick(demo.db, [slack], week, instance_id="a")
    sent = [(s.target, s.replies[0].text) for s in slack.sent]
    assert len(sent) == len(set(sent)) > 0
