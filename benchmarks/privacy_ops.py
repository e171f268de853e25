"""How long the data protection commands take on a large SQLite database.

    .venv/bin/python benchmarks/privacy_ops.py [--rows 20000]

Builds the demo municipality in a temporary SQLite file, then adds `--rows` audit entries, `--rows`
outbox rows (half sent long ago, every tenth naming the person to erase) and `--rows` processed events
(half older than 30 days). Times `person export`, `person erase` (which reads every audit entry, notice,
state and outbox row to replace the name), `purge` and `db backup`, and prints the database's size."""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from storage import privacy
from storage.backup import backup_sqlite
from storage.db import Database, sqlite_url_for
from storage.migrate import upgrade
from storage.models import AuditEntry, OutboxItem, Person, ProcessedEvent
from storage.org import import_org
from storage.org_file import parse_org_file
from storage.privacy_export import person_data
from storage.retention import Ages, purge

DEMO = Path(__file__).resolve().parents[1] / "bot" / "data" / "demo_org.yaml"
EMAIL = "soeren.oestergaard@demo.maalbot.dk"


async def main(rows: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(sqlite_url_for(Path(tmp) / "maalbot.db"))
        await upgrade(db)
        await import_org(db, parse_org_file(DEMO))
        now = datetime.now(UTC)
        async with db.transaction() as s:
            person = await s.scalar(select(Person).where(Person.email == EMAIL))
            assert person is not None
            for n in range(rows):
                who = person.name if n % 10 == 0 else "Fatima Ali"
                s.add(
                    AuditEntry(
                        person_id=person.id if n % 10 == 0 else None,
                        actor_name=who,
                        action="answer",
                        field=f"goal {n % 4 + 1}/local goal 1/interventions",
                        before="Før",
                        after="Efter",
                    )
                )
                s.add(
                    OutboxItem(
                        rule="nudge",
                        recipient=f"person:{n % 40}",
                        period=f"p{n}",
                        payload={"to_name": who, "text": f"Hej {who}! Bestyrelsen mangler ..."},
                        due_at=now - timedelta(days=100 if n % 2 else 1),
                        status="sent" if n % 2 else "pending",
                        sent_at=now - timedelta(days=100) if n % 2 else None,
                        created_at=now - timedelta(days=100 if n % 2 else 1),
                    )
                )
                s.add(ProcessedEvent(platform="slack", event_id=f"E{n}",
                                     received_at=now - timedelta(days=40 if n % 2 else 1)))  # fmt: skip
        timings: dict[str, float] = {}

        start = time.perf_counter()
        async with db.transaction() as s:
            found = await s.scalar(select(Person).where(Person.email == EMAIL))
            assert found is not None
            await person_data(s, found)
        timings["person export"] = time.perf_counter() - start

        start = time.perf_counter()
        async with db.transaction() as s:
            found = await s.scalar(select(Person).where(Person.email == EMAIL))
            assert found is not None
            result = await privacy.erase_person(s, found, actor="benchmark")
        timings["person erase"] = time.perf_counter() - start

        start = time.perf_counter()
        purged = await purge(db, Ages(), now)
        timings["purge"] = time.perf_counter() - start

        start = time.perf_counter()
        await backup_sqlite(db.url, Path(tmp) / "backup.db")
        timings["db backup"] = time.perf_counter() - start
        size = (Path(tmp) / "backup.db").stat().st_size / 1e6
        await db.dispose()
    print(f"rows per table: {rows}; database {size:.1f} MB")
    for name, seconds in timings.items():
        print(f"{name:14} {seconds * 1000:8.0f} ms")
    print(f"erase replaced the name in {result.counts['other rows where the name or email was replaced']} rows; "
          f"purge: {purged}")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=20000)
    asyncio.run(main(parser.parse_args().rows))
