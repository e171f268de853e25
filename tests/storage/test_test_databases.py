"""The guarantees of the `pg_db` fixture's reuse (tests/conftest.py `_pg_reset`): a database a test used
comes back empty, with its sequences started again, at the head revision; one whose schema a test
changed is not reused."""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from storage.db import Database
from storage.models import AuditEntry, Person
from tests.conftest import _dsn, _pg_reset


async def _write(db: Database) -> int:
    async with db.transaction() as s:
        person = Person(name="Åse", email="ase@example.dk", email_key="ase@example.dk")
        s.add(person)
        await s.flush()
        s.add(AuditEntry(person_id=person.id, field="goal 1", after="x"))  # append-only by its trigger
        return person.id


async def test_a_used_database_is_emptied_and_its_ids_start_again(pg_db: Database, postgres_url: str) -> None:
    first = await _write(pg_db)
    async with pg_db.transaction() as s:  # a table past the size that is truncated rather than emptied
        s.add_all(Person(name=f"P{n}", email=f"p{n}@example.dk", email_key=f"p{n}@example.dk") for n in range(2000))
    await pg_db.dispose()
    name = make_url(pg_db.url).database
    assert name
    left_open = await asyncpg.connect(_dsn(postgres_url, name))  # what a killed server may leave: cut off
    assert await _pg_reset(postgres_url, name)
    with pytest.raises((asyncpg.PostgresError, asyncpg.InterfaceError, ConnectionError)):
        await left_open.fetchval("SELECT 1")
    left_open.terminate()
    async with pg_db.read() as s:
        assert await s.scalar(select(func.count()).select_from(Person)) == 0
        assert await s.scalar(select(func.count()).select_from(AuditEntry)) == 0
    assert await _write(pg_db) == first  # the sequence starts again


async def test_a_database_whose_schema_changed_is_not_reused(pg_db: Database, postgres_url: str) -> None:
    async with pg_db.transaction() as s:
        await s.execute(text("CREATE TABLE left_behind (id integer)"))
    await pg_db.dispose()
    name = make_url(pg_db.url).database
    assert name
    assert not await _pg_reset(postgres_url, name)
