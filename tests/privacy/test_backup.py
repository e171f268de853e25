"""`maalbot db backup PATH`: a consistent copy of SQLite while answers keep coming, that restores
with every answer committed before the backup began; PostgreSQL is pointed to pg_dump."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.backup import BackupNotSupported, backup_sqlite
from storage.db import Database, sqlite_url_for
from storage.migrate import current_revision, head_revision
from storage.models import LocalGoal, Registration
from storage.registrations import DraftWriter, QuestionKinds, ensure_registration
from storage.strategies import save_strategy
from tests.bot.conftest import DB_FILE
from tests.storage import factories as f


async def test_a_backup_during_a_stream_of_answers_restores_every_committed_answer(
    sqlite_db: Database, tmp_path: Path
) -> None:
    async with sqlite_db.transaction() as s:
        inst = await f.institution(s, await f.area(s), "Solsikken")
        strategy, _ = await save_strategy(s, f.definition())
        reg_id = (await ensure_registration(s, inst.id, strategy.id)).id
    committed: list[str] = []
    stop = asyncio.Event()

    async def answers() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            async with sqlite_db.transaction() as s:
                reg = await s.get(Registration, reg_id)
                assert reg is not None
                await DraftWriter(s, reg, QuestionKinds("local_goal"), None).add_local_goal(1 + n % 4, f"Svar {n}")
            committed.append(f"Svar {n}")
            await asyncio.sleep(0)

    writer = asyncio.create_task(answers())
    while len(committed) < 30:
        await asyncio.sleep(0.01)
    before = list(committed)
    target = tmp_path / "backup" / "maalbot-backup.db"
    pages = await backup_sqlite(sqlite_db.url, target)
    while len(committed) < len(before) + 20:  # the stream went on during and after the backup
        await asyncio.sleep(0.01)
    stop.set()
    await writer
    assert pages > 0 and not target.with_name(target.name + ".partial").exists()

    restored_dir = tmp_path / "restored"
    restored_dir.mkdir()
    shutil.copy2(target, restored_dir / DB_FILE)  # the documented restore: copy the file into place
    restored = Database(sqlite_url_for(restored_dir / DB_FILE))
    try:
        assert await current_revision(restored) == head_revision()
        async with restored.transaction() as s:
            texts = set((await s.scalars(select(LocalGoal.text))).all())
    finally:
        await restored.dispose()
    assert set(before) <= texts
    assert texts <= set(committed)  # nothing half-written
    with pytest.raises(ValueError, match="already exists"):
        await backup_sqlite(sqlite_db.url, target)


async def test_postgresql_is_pointed_to_pg_dump(pg_db: Database, tmp_path: Path) -> None:
    with pytest.raises(BackupNotSupported, match="pg_dump"):
        await backup_sqlite(pg_db.url, tmp_path / "x.db")
