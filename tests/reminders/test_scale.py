"""Reminder planning is set-based and incremental: the statements a tick runs do not grow with the
number of institutions or people, and a tick with nothing new writes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import event, func, select

from bot.scheduler import Planning, tick
from dialogs.strategy import load_strategy_file
from storage import outbox_bodies
from storage.db import Database, sqlite_url_for
from storage.migrate import upgrade
from storage.models import OutboxItem
from storage.org import import_org
from storage.org_file import parse_org_yaml
from storage.strategies import save_strategy
from tests.reminders.conftest import local, write_strategy

MONDAY = local(2026, 6, 1, 9, 5)  # two weeks before the deadline: digests, nudges and the escalation


def municipality(institutions: int) -> str:
    areas = []
    for a in range(3):
        insts = [
            {
                "name": f"Institution {i:03d}",
                "kind": "skole",
                "board": [
                    {"name": f"Formand {i}", "email": f"f{i}@x.dk", "role": "chair"},
                    {"name": f"Medlem {i}", "email": f"m{i}@x.dk"},
                ],
            }
            for i in range(a, institutions, 3)
        ]
        areas.append({"name": f"Område {a}", "slack_channel": f"#o{a}", "institutions": insts})
    return yaml.safe_dump({"admins": [{"name": "Admin", "email": "admin@x.dk"}], "areas": areas}, allow_unicode=True)


@contextmanager
def statements(db: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement.split()[0].upper())

    engines = [db.engine.sync_engine] + ([db.reader.sync_engine] if db.is_sqlite else [])
    for engine in engines:
        event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", count)


async def a_tick(db: Database, strategy: Path, institutions: int) -> tuple[list[str], list[str], int]:
    async with db.transaction() as s:
        await save_strategy(s, load_strategy_file(strategy).model_dump(mode="json"))
    await import_org(db, parse_org_yaml(municipality(institutions)))
    planning = Planning.fresh()  # kept from tick to tick, as `serve`'s loop does
    with statements(db) as first:
        report = await tick(db, [], MONDAY, instance_id="test", planning=planning)
    assert report.planned == report.enqueued and report.held == "no notifiers"
    with statements(db) as again:
        repeat = await tick(db, [], MONDAY.replace(minute=6), instance_id="test", planning=planning)
    assert repeat.enqueued == 0 and repeat.skipped_rounds == 2  # the nudge and escalation rounds: one count
    assert repeat.planned < report.planned  # only the digests are planned again (cheap; their keys exist)
    async with db.transaction() as s:
        rows = int(await s.scalar(select(func.count(OutboxItem.id))) or 0)
    assert rows == report.planned
    return first, again, rows


async def test_a_tick_runs_as_many_statements_for_90_boards_as_for_15(sqlite_db: Database, tmp_path: Path) -> None:
    strategy = write_strategy(tmp_path)
    small_first, small_again, small_rows = await a_tick(sqlite_db, strategy, 15)
    big = Database(sqlite_url_for(tmp_path / "big.db"))
    try:
        await upgrade(big)
        big_first, big_again, big_rows = await a_tick(big, strategy, 90)
        async with big.transaction() as s:
            (digest,) = await outbox_bodies.resolved(
                s, (await s.scalars(select(OutboxItem).where(OutboxItem.rule == "admin_digest"))).all()
            )
    finally:
        await big.dispose()
    assert big_rows > 5 * small_rows > 0  # six times the boards, people and messages...
    selects = lambda seen: seen.count("SELECT")  # noqa: E731
    assert selects(big_first) == selects(small_first)  # ...and the same queries
    # one batch each: the texts the rows share (storage.outbox_bodies), then the rows
    assert big_first.count("INSERT") == small_first.count("INSERT") == 2
    assert "INSERT" not in small_again and "INSERT" not in big_again  # nothing new: nothing written
    assert selects(big_again) == selects(small_again) < selects(small_first)  # nothing changed: less is read
    assert digest is not None and len(digest["replies"]) == 1  # 90 institutions: a summary, not a table
    (summary,) = digest["replies"]
    assert summary["title"].startswith("Ugentlig status for hele kommunen")
    assert summary["text"].startswith("I alt: 0 af 90 har sendt ind") and "statusside" in summary["text"]
    assert [area for area, _ in summary["facts"]] == ["Område 0", "Område 1", "Område 2"]
