"""Contract tests for `storage.db.Database`, run on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, StatementError

from storage.db import Database
from storage.models import Area, Institution, Notice, Person, Registration, Strategy


async def _person(db: Database, email: str = "ase@example.dk") -> int:
    async with db.transaction() as s:
        person = Person(name="Åse", email=email, email_key=email.casefold())
        s.add(person)
        await s.flush()
        return person.id


async def _registration(db: Database) -> int:
    async with db.transaction() as s:
        area = Area(name="Område Nord", name_key="område nord")
        strategy = Strategy(key="2025", title="Strategi 2025", definition={"goals": []})
        institution = Institution(name="Ærø Skole", name_key="ærø skole", kind="skole", area=area)
        s.add_all([strategy, institution])
        await s.flush()
        registration = Registration(institution_id=institution.id, strategy_id=strategy.id)
        s.add(registration)
        await s.flush()
        return registration.id


async def test_aware_datetime_comes_back_as_the_same_instant_in_utc(db: Database) -> None:
    person_id = await _person(db)
    sent = datetime(2025, 3, 1, 12, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2)))
    async with db.transaction() as s:
        notice = Notice(person_id=person_id, kind="test", created_at=sent)
        s.add(notice)
        await s.flush()
        notice_id = notice.id
    async with db.transaction() as s:
        got = await s.scalar(select(Notice.created_at).where(Notice.id == notice_id))
    assert got == sent
    assert got is not None and got.tzinfo == UTC
    assert got.replace(tzinfo=None) == datetime(2025, 3, 1, 10, 30, 15, 123456)


async def test_datetimes_compare_as_instants_in_queries(db: Database) -> None:
    person_id = await _person(db)
    async with db.transaction() as s:
        s.add(Notice(person_id=person_id, kind="a", created_at=datetime(2025, 3, 1, 11, 0, tzinfo=UTC)))
    # 12:30 at +02:00 is 10:30 UTC: before the notice.
    after = datetime(2025, 3, 1, 12, 30, tzinfo=timezone(timedelta(hours=2)))
    async with db.transaction() as s:
        kinds = (await s.scalars(select(Notice.kind).where(Notice.created_at > after))).all()
    assert kinds == ["a"]


async def test_naive_datetime_is_refused(db: Database) -> None:
    person_id = await _person(db)
    with pytest.raises(StatementError) as excinfo:
        async with db.transaction() as s:
            s.add(Notice(person_id=person_id, kind="test", created_at=datetime(2025, 3, 1, 12, 0)))
    assert isinstance(excinfo.value.orig, ValueError)
    async with db.transaction() as s:
        assert (await s.scalars(select(Notice))).all() == []


async def test_foreign_keys_are_enforced(db: Database) -> None:
    with pytest.raises(IntegrityError):
        async with db.transaction() as s:
            s.add(Institution(name="Ingen", name_key="ingen", kind="skole", area_id=12345))
    async with db.transaction() as s:
        assert (await s.scalars(select(Institution))).all() == []


async def test_person_email_key_is_unique(db: Database) -> None:
    await _person(db, "ase@example.dk")
    with pytest.raises(IntegrityError):
        await _person(db, "ASE@example.dk")
    async with db.transaction() as s:
        assert (await s.scalars(select(Person.email))).all() == ["ase@example.dk"]


async def test_a_failed_transaction_is_rolled_back(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as s:
            s.add(Area(name="Syd", name_key="syd"))
            await s.flush()
            raise RuntimeError("stop")
    async with db.transaction() as s:
        assert (await s.scalars(select(Area))).all() == []


async def test_concurrent_read_then_write_transactions_both_apply(db: Database) -> None:
    registration_id = await _registration(db)
    async with db.transaction() as s:
        start = await s.scalar(select(Registration.version).where(Registration.id == registration_id))
    assert start is not None
    read: list[int] = []

    async def bump() -> None:
        async with db.transaction() as s:
            registration = await s.scalar(
                select(Registration).where(Registration.id == registration_id).with_for_update()
            )
            assert registration is not None
            read.append(registration.version)
            # Give the other task every chance to read the same version (a lost update) while this
            # one holds the row (PostgreSQL: FOR UPDATE) or the write lock (SQLite: BEGIN IMMEDIATE).
            await asyncio.sleep(0.05)
            registration.version += 1

    # Each task needs its own connection: with the default pool (5 connections) both can be checked
    # out at once; a one-connection pool would serialise them at checkout instead of in the database.
    await asyncio.wait_for(asyncio.gather(bump(), bump()), timeout=20)
    async with db.transaction() as s:
        end = await s.scalar(select(Registration.version).where(Registration.id == registration_id))
    assert sorted(read) == [start, start + 1]
    assert end == start + 2


async def test_sqlite_connections_use_wal_and_foreign_keys(sqlite_db: Database) -> None:
    async with sqlite_db.engine.connect() as conn:
        assert (await conn.execute(text("PRAGMA journal_mode"))).scalar_one() == "wal"
        assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar_one() == 1
