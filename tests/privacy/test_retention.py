"""`purge`: only what is past its age goes; a dry run only counts; the audit log is append-only on
PostgreSQL except for the purge (and erasure/removal), which open it for their own transaction."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError

from storage import audit
from storage.db import Database
from storage.models import (
    AuditAction,
    AuditEntry,
    InboxItem,
    Notice,
    OutboxItem,
    ProcessedEvent,
    Registration,
    Strategy,
    WebMessage,
    WebSession,
    WebSignIn,
)
from storage.retention import RULES, Ages, purge
from tests.storage import factories as f

NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)
DAY = timedelta(days=1)


async def _seed(db: Database) -> dict[str, int]:
    """Two of each: one just past its age, one just inside it (and rows no age applies to)."""
    async with db.transaction() as s:
        inst = await f.institution(s, await f.area(s), "Solsikken")
        person = await f.person(s, "Åse Bæk", "aase@test.dk")
        for n, age in enumerate((31 * DAY, 29 * DAY)):
            s.add(ProcessedEvent(platform="slack", event_id=f"E{n}", received_at=NOW - age))
        for n, (status, age) in enumerate((("done", 31 * DAY), ("done", 29 * DAY), ("pending", 400 * DAY))):
            s.add(
                InboxItem(
                    platform="slack",
                    delivery_key=f"K{n}",
                    user_key="U1",
                    payload={},
                    status=status,
                    received_at=NOW - age,
                )
            )  # fmt: skip  (a pending row is never purged: it is replayed)
        for n, (status, age) in enumerate((("sent", 91 * DAY), ("sent", 89 * DAY), ("pending", 400 * DAY))):
            s.add(
                OutboxItem(
                    rule="nudge", recipient=f"person:{person.id}", period=f"p{n}", payload={}, due_at=NOW - age,
                    status=status, sent_at=NOW - age if status == "sent" else None, created_at=NOW - age,
                )
            )  # fmt: skip
        for delivered in (NOW - 91 * DAY, NOW - 89 * DAY, None):
            s.add(Notice(person_id=person.id, kind="submitted", params={}, created_at=NOW - 200 * DAY,
                         delivered_at=delivered))  # fmt: skip
        for n, age in enumerate((91 * DAY, 89 * DAY)):  # the web chat: messages by age, sessions and links by expiry
            s.add(WebMessage(person_id=person.id, direction="out", body={"text": "Hej"}, created_at=NOW - age))
            s.add(WebSession(token_hash=f"{n:064d}", person_id=person.id, csrf="c", created_at=NOW - 40 * DAY,
                             expires_at=NOW + (1 - 2 * (1 - n)) * DAY))  # fmt: skip
            s.add(WebSignIn(nonce=f"n{n}", person_id=person.id, used_at=NOW - 2 * DAY,
                            expires_at=NOW + (1 - 2 * (1 - n)) * DAY))  # fmt: skip
        regs = {}
        for key, ended in (("old", date(2021, 7, 31)), ("recent", date(2022, 7, 31))):
            strategy = Strategy(key=key, title=key, period_end=ended, definition={})
            s.add(strategy)
            await s.flush()
            reg = Registration(institution_id=inst.id, strategy_id=strategy.id)
            s.add(reg)
            await s.flush()
            regs[key] = reg.id
            await audit.record(s, AuditAction.STATUS, "status", registration_id=reg.id, after="submitted",
                               at=NOW - 2000 * DAY)  # fmt: skip
        await audit.record(s, AuditAction.IMPORT, "organisation file", at=NOW - (5 * 365 + 10) * DAY)
        await audit.record(s, AuditAction.IMPORT, "organisation file", at=NOW - (5 * 365 - 10) * DAY)
    return regs


async def _counts(db: Database) -> dict[str, int]:
    async with db.transaction() as s:
        return {rule.name: int(await s.scalar(select(func.count()).select_from(rule.model)) or 0) for rule in RULES}


async def test_purge_deletes_only_what_is_past_its_age(db: Database) -> None:
    regs = await _seed(db)
    before = await _counts(db)
    expected = {
        "processed events": 1,
        "finished inbox rows": 1,
        "sent messages": 1,
        "message texts no message uses": 0,  # shared reminder texts: see tests/reminders/test_shared_texts.py
        "delivered notices": 1,
        "web chat messages": 1,
        "expired web sessions": 1,
        "used sign-in links past their time": 1,
        "registrations of ended periods": 1,
        "other audit entries older than the periods": 1,
    }
    assert await purge(db, Ages(), NOW, dry_run=True) == expected
    assert await _counts(db) == before  # a dry run changes nothing
    assert await purge(db, Ages(), NOW) == expected
    after = await _counts(db)
    assert {name: before[name] - after[name] for name in before} == {
        **expected,
        "other audit entries older than the periods": 2,  # and the old registration's entry went with it
    }
    async with db.transaction() as s:
        assert (await s.scalars(select(Registration.id))).all() == [regs["recent"]]
        assert (await s.scalars(select(ProcessedEvent.event_id))).all() == ["E1"]
        assert sorted((await s.scalars(select(InboxItem.delivery_key))).all()) == ["K1", "K2"]
        assert sorted((await s.scalars(select(OutboxItem.status))).all()) == ["pending", "sent"]
    assert await purge(db, Ages(), NOW) == dict.fromkeys(expected, 0)


async def test_ages_are_configurable(db: Database) -> None:
    await _seed(db)
    found = await purge(db, Ages(events=40 * DAY, messages=30 * DAY, periods_years=3), NOW, dry_run=True)
    assert found["processed events"] == 0
    assert found["sent messages"] == 2 and found["delivered notices"] == 2
    assert found["registrations of ended periods"] == 2


async def test_postgresql_refuses_to_change_the_audit_log(pg_db: Database) -> None:
    await _seed(pg_db)
    for statement in (update(AuditEntry).values(after="changed"), delete(AuditEntry)):
        with pytest.raises(DBAPIError, match="append-only"):
            async with pg_db.transaction() as s:
                await s.execute(statement)
    with pytest.raises(DBAPIError, match="append-only"):
        async with pg_db.transaction() as s:
            await s.execute(text("UPDATE audit_log SET actor_name = 'x'"))
    async with pg_db.transaction() as s:  # the setting lasts for one transaction only
        await audit.allow_maintenance(s)
        await s.execute(update(AuditEntry).values(actor_name="maintenance"))
    with pytest.raises(DBAPIError, match="append-only"):
        async with pg_db.transaction() as s:
            await s.execute(delete(AuditEntry))


async def test_serve_purges_at_start_and_then_daily(db: Database) -> None:
    import asyncio

    from aiohttp import web

    from bot.purge_task import daily_purge

    await _seed(db)
    app = web.Application()
    app.cleanup_ctx.append(daily_purge(db, Ages(), clock=lambda: NOW))
    runner = web.AppRunner(app)
    await runner.setup()  # runs the cleanup context's start: the purge task begins
    try:
        for _ in range(200):
            async with db.transaction() as s:
                left = (await s.scalars(select(ProcessedEvent.event_id))).all()
            if left == ["E1"] or len(left) < 2:
                break
            await asyncio.sleep(0.05)
    finally:
        await runner.cleanup()  # the task is cancelled with the app
    assert left == ["E1"]
