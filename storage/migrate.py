"""Schema migrations (Alembic) run from inside the application's event loop.

There is no alembic.ini: `make_config()` builds the configuration in code and points it at
`storage/migrations`. `upgrade()` hands one connection of the application's engine to
`migrations/env.py` through `config.attributes["connection"]`, and the whole upgrade runs in one
transaction (PostgreSQL and SQLite both have transactional DDL).

SQLite: the transaction starts with BEGIN IMMEDIATE like every transaction of `Database`, so a
second process upgrading at the same time waits. Foreign keys are switched off around the upgrade
(SQLite's documented procedure for table rebuilds, which Alembic's batch mode does: with foreign
keys on, dropping the old table would cascade deletes into the tables that refer to it) and
`PRAGMA foreign_key_check` must come back empty before the transaction commits.

PostgreSQL: a transaction-level advisory lock makes concurrent upgrades queue.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from storage.db import Database

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_PG_LOCK_KEY = 0x6D61616C  # "maal": the advisory lock that serialises upgrades


def make_config() -> Config:
    """An Alembic configuration without an .ini file on disk."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    return config


def head_revision() -> str | None:
    """The newest revision among the migration scripts."""
    return ScriptDirectory.from_config(make_config()).get_current_head()


def _sqlite_pragma(connection: Connection, sql: str) -> None:
    """Run a PRAGMA on the DBAPI connection, outside any transaction (SQLAlchemy's autobegin would
    start one, and `PRAGMA foreign_keys` is a no-op inside a transaction)."""
    dbapi_connection: Any = connection.connection.dbapi_connection
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(sql)
    finally:
        cursor.close()


def _upgrade(connection: Connection, config: Config, revision: str) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        _sqlite_pragma(connection, "PRAGMA foreign_keys=OFF")
    try:
        with connection.begin():
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_LOCK_KEY})")
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            if sqlite:
                problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if problems:
                    raise RuntimeError(f"migration left broken foreign keys: {problems[:10]}")
    finally:
        if sqlite:
            _sqlite_pragma(connection, "PRAGMA foreign_keys=ON")


async def upgrade(db: Database, revision: str = "head") -> None:
    """Bring the database schema up to `revision` in one transaction."""
    config = make_config()
    async with db.engine.connect() as connection:
        await connection.run_sync(_upgrade, config, revision)


async def current_revision(db: Database) -> str | None:
    """The revision the database is at, or None for an empty (never migrated) database."""

    def read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with db.connection() as connection:
        return await connection.run_sync(read)
