"""`maalbot remind --dry-run` lists the meeting cycle's items that would be sent (questions, agenda
requests, …) with whom and why, writes nothing, and leaves out what the outbox already has."""

from __future__ import annotations

import argparse
import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.cli_remind import add_remind_parser, run_remind
from bot.scheduler import tick
from dialogs.meetings.planning import plan_from_csv
from dialogs.texts import texts
from storage.db import Database
from storage.models import OutboxItem
from tests.dialogs.talk import World

D = "demo.maalbot.dk"
PLAN = f"""institution,date,template,participants,time
Solsikken,2027-04-26,dialogmoede,admin@{D},09:00
"""
AT = "2027-03-24T09:30"  # 28 days before the meeting, moved back over Easter


async def _dry_run(db: Database) -> str:
    parser = argparse.ArgumentParser()
    add_remind_parser(parser.add_subparsers(dest="command"))
    out = io.StringIO()
    assert await run_remind(parser.parse_args(["remind", "--now", "--dry-run", "--at", AT]), db, out=out) == 0
    return out.getvalue()


async def _rows(db: Database) -> int:
    async with db.read() as s:
        return int(await s.scalar(select(func.count()).select_from(OutboxItem)) or 0)


async def test_the_dry_run_lists_the_meeting_items_and_writes_nothing(sqlite_db: Database) -> None:
    world = await World.create(sqlite_db)
    assert (await plan_from_csv(sqlite_db, PLAN, texts("da"))).problems == []
    text = await _dry_run(world.db)
    lines = [line for line in text.splitlines() if "[meeting_" in line]
    assert len(lines) == 2, text
    assert all(line.split("): ", 1)[1] for line in lines), text  # and why
    assert any(line.startswith("would send [meeting_questions] to Lone Bæk (person:") for line in lines), text
    assert any(line.startswith("would send [meeting_agenda] to Lone Bæk (person:") for line in lines), text
    assert await _rows(world.db) == 0  # nothing written

    now = datetime(2027, 3, 24, 9, 30, tzinfo=ZoneInfo("Europe/Copenhagen")).astimezone(UTC)
    assert (await tick(world.db, [], now, instance_id="test")).meeting_items == 2
    again = [line for line in (await _dry_run(world.db)).splitlines() if "[meeting_" in line]
    assert len(again) == 2 and all(line.endswith("waiting in the outbox, attempt 1") for line in again)  # not new
    report = await tick(world.db, [], now, instance_id="test", dry_run=True)
    assert report.meeting_items == 0
