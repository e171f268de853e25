"""Nudges belong to the strategy's period: the scheduler, driven by an injected clock, nudges boards
that have not submitted up to and including the period's last day, and never after it."""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy import select

from bot.delivery import RecordingNotifier
from storage.db import Database
from storage.models import Membership, Role
from tests.reminders.conftest import Demo, load_demo, local, write_strategy


def strategy_ending(tmp_path: Path, end: str) -> Path:
    """The test strategy (deadline 2026-06-15) cut short: its period ends on `end`."""
    path = write_strategy(tmp_path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["period"] = {"start": "2026-01-01", "end": end}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


async def board_user_keys(db: Database) -> set[str]:
    """The Slack user keys (see `load_demo`) of everyone who sits on a board as member or chair."""
    async with db.transaction() as s:
        ids = await s.scalars(
            select(Membership.person_id).where(Membership.role.in_((Role.MEMBER.value, Role.CHAIR.value)))
        )
        return {f"U{i}" for i in ids}


async def test_no_nudge_after_the_period_has_ended(sqlite_db: Database, tmp_path: Path) -> None:
    await load_demo(sqlite_db, strategy_ending(tmp_path, "2026-03-09"))  # the period ends on a Monday
    demo = Demo(sqlite_db, RecordingNotifier("slack"), RecordingNotifier("teams"), [])
    board = await board_user_keys(sqlite_db)

    await demo.tick(local(2026, 3, 2, 9, 0))  # a Monday inside the period: every board is behind
    nudged = {s.target for s in demo.slack.sent} & board
    assert nudged == board
    assert {r[2] for r in await demo.rows("nudge")} == {"2026-W10"}

    demo.slack.sent.clear()
    await demo.tick(local(2026, 3, 9, 9, 0))  # the period's last day still counts
    assert {s.target for s in demo.slack.sent} & board == board

    for day in (16, 23, 30):  # the Mondays after it: the digest still goes out, nudges do not
        demo.slack.sent.clear()
        await demo.tick(local(2026, 3, day, 9, 0))
        assert "#maal-nord" in {s.target for s in demo.slack.sent}, "the scheduler ran"
        assert {s.target for s in demo.slack.sent} & board == set(), f"nudged after the period's end (March {day})"
    assert {r[2] for r in await demo.rows("nudge")} == {"2026-W10", "2026-W11"}
