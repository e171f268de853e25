"""A consistent copy of a SQLite database while the bot is running (SQLite's online backup API).

The backup API copies the database as one snapshot, including what is still in the WAL file, while
other connections keep reading and writing (a plain `cp maalbot.db` misses the WAL). PostgreSQL has
its own tool for this (pg_dump), so there is nothing to do here for it."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupNotSupported(ValueError):
    """The database is not a SQLite file (PostgreSQL: use pg_dump)."""


def sqlite_path(url: str) -> Path:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        raise BackupNotSupported(
            "`maalbot db backup` copies a SQLite database; for PostgreSQL use pg_dump "
            '(for example: pg_dump --format=custom --file=maalbot.dump \\"$DATABASE_URL\\")'
        )
    return Path(parsed.database)


def _backup(source: Path, target: Path) -> int:
    """Copy `source` to `target` (a new file) page by page; returns the number of pages."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(source, timeout=30)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)  # one step: one read transaction, one snapshot (writers go on in WAL mode)
            pages = int(dst.execute("PRAGMA page_count").fetchone()[0])
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        finally:
            dst.close()
    finally:
        src.close()
    partial.replace(target)  # the backup appears whole or not at all
    return pages


async def backup_sqlite(url: str, target: Path) -> int:
    """Back the database at `url` up to `target`; returns the pages copied. Safe while serving."""
    source = sqlite_path(url)
    if not source.is_file():
        raise FileNotFoundError(str(source))
    if target.exists():
        raise ValueError(f"{target} already exists: choose a new file name")
    return await asyncio.to_thread(_backup, source, target)
