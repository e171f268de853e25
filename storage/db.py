"""The database handle: engine, sessions and transactions for SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine


def normalise_url(url: str) -> str:
    """Accept the URLs people write (postgres://, postgresql://, sqlite:///x.db) and pick async drivers."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    elif backend == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    else:
        raise ValueError(f"unsupported database {backend!r}: use sqlite or postgresql")
    return parsed.render_as_string(hide_password=False)


def sqlite_url_for(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


class Database:
    """Owns the engine. `transaction()` is the only way repositories get a session.

    SQLite: WAL, foreign keys on, and every transaction starts with BEGIN IMMEDIATE so two
    read-then-write transactions queue instead of failing with "database is locked".
    PostgreSQL: READ COMMITTED plus explicit row locks (`FOR UPDATE`) where a read decides a write."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = normalise_url(url)
        self.dialect = make_url(self.url).get_backend_name()
        # hide_parameters: SQL errors (logged with tracebacks) and echo never show the values: answers, names
        kwargs: dict[str, Any] = {"echo": echo, "hide_parameters": True}
        if self.dialect == "sqlite":
            kwargs["connect_args"] = {"timeout": 30}
            kwargs["isolation_level"] = None  # let the begin event issue BEGIN IMMEDIATE
            if ":memory:" in self.url or make_url(self.url).database in (None, ""):
                raise ValueError("use a SQLite file, not an in-memory database")
        else:
            kwargs["pool_pre_ping"] = True
        self.engine: AsyncEngine = create_async_engine(self.url, **kwargs)
        if self.dialect == "sqlite":
            self._install_sqlite_events(self.engine)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._turns: asyncio.Lock | None = asyncio.Lock() if self.dialect == "sqlite" else None
        self._reads = self.sessions  # PostgreSQL: a read is an ordinary READ COMMITTED transaction
        if self.dialect == "sqlite":  # SQLite: a deferred BEGIN on its own engine: a WAL snapshot, no lock
            self.reader: AsyncEngine = create_async_engine(self.url, **kwargs)
            self._install_sqlite_events(self.reader, begin="BEGIN")
            self._reads = async_sessionmaker(self.reader, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    def _install_sqlite_events(self, engine: AsyncEngine, begin: str = "BEGIN IMMEDIATE") -> None:
        sync_engine = engine.sync_engine

        @event.listens_for(sync_engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(sync_engine, "begin")
        def _on_begin(connection: Any) -> None:
            connection.exec_driver_sql(begin)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: commit on success, roll back on any error.

        On SQLite the process's transactions also queue on a first-come-first-served lock: SQLite's
        busy handler sleeps and retries instead of queueing, so under load one writer could wait many
        seconds while others keep taking the lock (measured in benchmarks/scale.py)."""
        if self._turns is None:
            session = self.sessions()
            try:
                async with session.begin():
                    yield session
            finally:
                await _close(session)
            return
        async with self._turns:
            session = self.sessions()
            try:
                async with session.begin():
                    yield session
            finally:
                await _close(session)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A transaction that only reads (a leader's status, the scheduler's snapshot): on SQLite it
        neither queues behind the writers nor holds them up (WAL: readers see the last commit), so a
        long read never stalls a turn. Nothing is written: the transaction is rolled back at the end."""
        session = self._reads()
        try:
            yield session
        finally:
            await _close(session)  # closing rolls the read back

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[AsyncConnection]:
        """A bare connection (health checks, the migration state), closed even when the task is cancelled."""
        conn = await self.engine.connect()
        try:
            yield conn
        finally:
            await _close(conn)

    async def dispose(self) -> None:
        if self.dialect == "sqlite":
            await self.reader.dispose()
        await self.engine.dispose()


async def _close(session: AsyncSession | AsyncConnection) -> None:
    """Close the session (or connection) even when the task is being cancelled (a shutdown, or a
    health check whose client gave up): a close cut short leaves its pooled connection half reset, and
    SQLAlchemy then logs a traceback when it finalizes it. The cancellation is passed on once the
    connection is back in the pool."""
    closing = asyncio.ensure_future(session.close())
    try:
        await asyncio.shield(closing)
    except asyncio.CancelledError:
        await closing
        raise
