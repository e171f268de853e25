"""Alembic migrations on both backends: from empty to head, matching the models, idempotent,
one transaction, and safe for SQLite table rebuilds."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import Connection

import storage.migrate
from storage.db import Database
from storage.migrate import MIGRATIONS_DIR, current_revision, head_revision, make_config, upgrade
from storage.models import Area, Base, Identity, Person


def _schema_differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "render_as_batch": connection.dialect.name == "sqlite"}
    )
    return list(compare_metadata(context, Base.metadata))


def _table_names(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def test_upgrade_from_empty_creates_every_table(empty_db: Database) -> None:
    assert await current_revision(empty_db) is None
    await upgrade(empty_db)
    assert await current_revision(empty_db) == head_revision()
    async with empty_db.engine.connect() as conn:
        tables = await conn.run_sync(_table_names)
    assert tables == set(Base.metadata.tables) | {"alembic_version"}


async def test_migrated_schema_matches_the_models(db: Database) -> None:
    async with db.engine.connect() as conn:
        differences = await conn.run_sync(_schema_differences)
    assert differences == []


async def test_upgrade_reaches_head_and_reports_it(db: Database) -> None:
    head = head_revision()
    assert head is not None and head >= "0002"
    assert await current_revision(db) == head


async def test_upgrade_twice_is_a_no_op(db: Database) -> None:
    async with db.transaction() as s:
        s.add(Area(name="Område Nord", name_key="område nord"))
    await upgrade(db)
    assert await current_revision(db) == head_revision()
    async with db.transaction() as s:
        assert (await s.scalars(select(Area.name))).all() == ["Område Nord"]


async def test_sqlite_foreign_keys_are_back_on_after_upgrade(sqlite_db: Database) -> None:
    for _ in range(3):  # whichever pooled connection we get
        async with sqlite_db.engine.connect() as conn:
            assert (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar_one() == 1


# Extra revisions, only for these tests, in a second version location.
_REVISION = """
import sqlalchemy as sa
from alembic import op

revision = "{rev}"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
{body}


def downgrade() -> None:
    pass
"""


@pytest.fixture
def extra_revision(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Make `storage.migrate` see a second version directory (tmp_path/versions)."""
    versions = tmp_path / "versions"
    versions.mkdir()

    def config_with_extra_versions() -> Config:
        config = make_config()
        config.set_main_option("version_locations", f"{MIGRATIONS_DIR / 'versions'}{os.pathsep}{versions}")
        return config

    monkeypatch.setattr(storage.migrate, "make_config", config_with_extra_versions)
    return versions


async def test_failed_upgrade_rolls_back_everything(empty_db: Database, extra_revision: Path) -> None:
    body = (
        '    op.create_table("scratch", sa.Column("id", sa.Integer, primary_key=True))\n    raise RuntimeError("boom")'
    )
    (extra_revision / "t0002_fail.py").write_text(_REVISION.format(rev="t0002", body=body))
    with pytest.raises(RuntimeError, match="boom"):
        await upgrade(empty_db, "t0002")
    # One transaction: not even revision 0001 was kept.
    assert await current_revision(empty_db) is None
    async with empty_db.engine.connect() as conn:
        assert await conn.run_sync(_table_names) == set()


async def test_sqlite_table_rebuild_does_not_cascade_deletes(empty_sqlite_db: Database, extra_revision: Path) -> None:
    # Batch mode rebuilds `people` (create new, copy, DROP old, rename). With foreign keys on,
    # the DROP would delete every identity through ON DELETE CASCADE.
    body = (
        '    with op.batch_alter_table("people", recreate="always") as batch_op:\n'
        '        batch_op.add_column(sa.Column("nickname", sa.String(50), nullable=True))'
    )
    (extra_revision / "t0003_rebuild.py").write_text(_REVISION.format(rev="t0003", body=body))
    db = empty_sqlite_db
    await upgrade(db, "0001")
    async with db.transaction() as s:
        person = Person(name="Åse", email="ase@example.dk", email_key="ase@example.dk")
        s.add(person)
        await s.flush()
        s.add(Identity(person_id=person.id, platform="slack", user_key="U1"))
    await upgrade(db, "t0003")
    assert await current_revision(db) == "t0003"
    async with db.transaction() as s:
        assert await s.scalar(select(func.count()).select_from(Identity)) == 1
        assert (await s.execute(text("SELECT nickname FROM people"))).scalars().all() == [None]


async def test_area_channel_columns_become_rows(empty_db: Database) -> None:
    """0008: the channels stored in the old per-platform columns are kept, as (area, platform, channel) rows."""
    await upgrade(empty_db, "0007")
    async with empty_db.transaction() as s:
        await s.execute(
            text(
                "INSERT INTO areas (name, name_key, slack_channel, teams_channel) VALUES "
                "('Nord', 'nord', '#nord', '19:nord@thread.tacv2'), ('Syd', 'syd', 'C0SYD', NULL), "
                "('Øst', 'øst', NULL, '')"
            )
        )
    await upgrade(empty_db)
    async with empty_db.transaction() as s:
        areas = {a.name: a.channel_map() for a in await s.scalars(select(Area))}
    assert areas == {"Nord": {"slack": "#nord", "teams": "19:nord@thread.tacv2"}, "Syd": {"slack": "C0SYD"}, "Øst": {}}


async def test_the_unused_meeting_chat_states_table_is_dropped(empty_db: Database) -> None:
    """0014: the meeting conversation's old state table goes (its place is in the conversation state since
    the meeting flow runs on the engine); the people it pointed at stay, and a later upgrade is a no-op."""
    await upgrade(empty_db, "0013")
    async with empty_db.transaction() as s:
        person = Person(name="Mette", email="mette@example.dk", email_key="mette@example.dk")
        s.add(person)
        await s.flush()
        person_id = person.id
        when: object = datetime(2026, 11, 30, 3, tzinfo=UTC)
        if empty_db.engine.dialect.name == "sqlite":
            when = "2026-11-30 03:00:00.000000"
        await s.execute(
            text("INSERT INTO meeting_chat_states (person_id, data, updated_at) VALUES (:p, '{}', :t)"),
            {"p": person_id, "t": when},
        )
    async with empty_db.engine.connect() as conn:
        assert "meeting_chat_states" in await conn.run_sync(_table_names)
    await upgrade(empty_db)
    async with empty_db.engine.connect() as conn:
        assert "meeting_chat_states" not in await conn.run_sync(_table_names)
    async with empty_db.transaction() as s:
        assert (await s.execute(text("SELECT name FROM people"))).scalars().all() == ["Mette"]
