"""Seed a test database once per session and copy it for every later test.

`await seed_once(db, key, seed)`: `db` is a fresh test `Database` (the `sqlite_db`, `pg_db` or `db`
fixture) that nothing has written to yet. The first time a `key` is seen in the session (per xdist
worker), `seed(db)` runs and the result is kept: SQLite as a copy of the file, PostgreSQL as a database
to use as a template. After that the kept copy replaces `db`'s database instead (a file copy, or
DROP + CREATE DATABASE ... TEMPLATE), which costs milliseconds where importing the demo municipality and a
strategy costs ~0.2 s of CPU. Row ids and sequences are those of the first seed. The key must name
everything `seed` does: two seeds with one key would hand one test the other's data.
"""

from __future__ import annotations

import atexit
import itertools
import shutil
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from storage.db import Database

_KEPT: dict[tuple[str, str], str] = {}  # (dialect, key) -> kept file path or template database name
_DIR: list[Path] = []
_NAMES = itertools.count(1)


def _kept_dir() -> Path:
    if not _DIR:
        _DIR.append(Path(tempfile.mkdtemp(prefix="maalbot-seeds-")))
        atexit.register(shutil.rmtree, _DIR[0], True)
    return _DIR[0]


def _files(path: Path) -> list[Path]:
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def _copy_files(source: Path, target: Path) -> None:
    for a, b in zip(_files(source), _files(target), strict=True):
        b.unlink(missing_ok=True)
        if a.exists():
            shutil.copyfile(a, b)


async def _admin(db: Database, *statements: str) -> None:
    dsn = make_url(db.url).set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    conn = await asyncpg.connect(dsn)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


async def seed_once(db: Database, key: str, seed: Callable[[Database], Awaitable[None]]) -> None:
    name = make_url(db.url).database
    assert name, db.url
    await db.dispose()  # no open connection while the database is copied or replaced (the engine reconnects)
    kept = _KEPT.get((db.dialect, key))
    if kept is None:
        await seed(db)
        await db.dispose()  # SQLite: the last connection closes and the WAL is checkpointed into the file
        if db.is_sqlite:
            kept = str(_kept_dir() / f"{next(_NAMES)}.db")
            _copy_files(Path(name), Path(kept))
        else:
            kept = f"seed_{next(_NAMES)}"
            await _admin(db, f'CREATE DATABASE "{kept}" TEMPLATE "{name}"')
        _KEPT[(db.dialect, key)] = kept
    elif db.is_sqlite:
        _copy_files(Path(kept), Path(name))
    else:
        await _admin(db, f'DROP DATABASE "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}" TEMPLATE "{kept}"')


def is_seeded(db: Database, key: str) -> bool:
    """Whether `seed_once(db, key, ...)` would copy a kept seed instead of seeding."""
    return (db.dialect, key) in _KEPT
