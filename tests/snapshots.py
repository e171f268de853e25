"""Seed a SQLite test database once per session and copy the file for every later test.

`await seed_sqlite_once(db, key, seed)`: `db` is a fresh SQLite `Database` (the `sqlite_db` fixture) that
nothing has written to yet. The first time a `key` is seen in the session (per xdist worker), `seed(db)`
runs and the resulting file is kept; after that the kept file is copied over `db`'s file instead, which
costs a millisecond where importing the demo municipality and a strategy costs ~0.2 s of CPU. The key must
name everything `seed` does: two seeds with one key would hand one test the other's data.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from sqlalchemy.engine import make_url

from storage.db import Database

_KEPT: dict[str, Path] = {}
_DIR: list[Path] = []


def _kept_dir() -> Path:
    if not _DIR:
        _DIR.append(Path(tempfile.mkdtemp(prefix="maalbot-seeds-")))
        atexit.register(shutil.rmtree, _DIR[0], True)
    return _DIR[0]


def _files(path: Path) -> list[Path]:
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


async def seed_sqlite_once(db: Database, key: str, seed: Callable[[Database], Awaitable[None]]) -> None:
    assert db.is_sqlite, "seed_sqlite_once is for the SQLite test database"
    name = make_url(db.url).database
    assert name, db.url
    path = Path(name)
    await db.dispose()  # no open connection while the file is read or replaced (the engine reconnects)
    kept = _KEPT.get(key)
    if kept is None:
        await seed(db)
        await db.dispose()  # the last connection closes: the WAL is checkpointed into the file
        kept = _kept_dir() / f"{len(_KEPT)}.db"
        for source, target in zip(_files(path), _files(kept), strict=True):
            if source.exists():
                shutil.copyfile(source, target)
        _KEPT[key] = kept
        return
    for source, target in zip(_files(kept), _files(path), strict=True):
        target.unlink(missing_ok=True)
        if source.exists():
            shutil.copyfile(source, target)
