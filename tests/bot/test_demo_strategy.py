"""`maalbot demo` loads a copy of the default strategy whose period is current (issue 17, point 5); the
default strategy file, with the seed's 2022–23 time plan, stays loadable as it is."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from bot.cli import cmd_demo
from dialogs.demo_strategy import DEMO_KEY, demo_strategy
from dialogs.strategy import DEFAULT_STRATEGY_FILE, load_strategy_file, strategy_from_definition
from storage import strategies
from storage.db import Database
from tests.bot.conftest import STRATEGIES, ok, rows, run_maalbot


def test_maalbot_demo_loads_a_strategy_whose_period_contains_today(migrated_home: Path) -> None:
    out = ok(run_maalbot(migrated_home, "demo"))
    today = date.today()  # the command line has no clock to inject: it is set up on the day it runs
    assert f"Demo strategy '{DEMO_KEY}' loaded" in out
    ((key, start, end, deadline),) = rows(
        migrated_home, "SELECT key, period_start, period_end, deadline FROM strategies"
    )
    assert key == DEMO_KEY
    assert date.fromisoformat(start) <= today <= date.fromisoformat(end)
    assert date.fromisoformat(deadline) > today  # a deadline ahead, as a board would see in a running period
    listing = ok(run_maalbot(migrated_home, "strategy", "list")).splitlines()
    assert listing[0].startswith(f"{DEMO_KEY}\tStyrkelse af almenområdet") and listing[0].endswith("(active)")


def test_the_default_strategy_file_still_loads_unchanged_next_to_the_demo(migrated_home: Path) -> None:
    ok(run_maalbot(migrated_home, "demo"))
    assert "'almen' loaded" in ok(run_maalbot(migrated_home, "strategy", "load", str(STRATEGIES / "almen.yaml")))
    ((definition,),) = rows(migrated_home, "SELECT definition FROM strategies WHERE key = 'almen'")
    loaded = strategy_from_definition(json.loads(definition))
    assert loaded == load_strategy_file(DEFAULT_STRATEGY_FILE)  # the seed's plan, word for word
    assert (loaded.period.start, loaded.deadline) == (date(2023, 12, 1), date(2023, 11, 30))
    assert len(rows(migrated_home, "SELECT id FROM strategies")) == 2  # the demo's copy is still there


async def test_cmd_demo_with_an_injected_day(sqlite_db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    assert await cmd_demo(sqlite_db, if_empty=False, today=date(2026, 11, 24)) == 0
    assert "period 2026-08-01 to 2030-07-31, deadline 2027-01-05" in capsys.readouterr().out
    async with sqlite_db.transaction() as s:
        row = await strategies.active_strategy(s)
        assert row is not None and row.key == DEMO_KEY
        demo = strategy_from_definition(row.definition)
    default = load_strategy_file(DEFAULT_STRATEGY_FILE)
    assert (demo.goals, demo.questions, demo.title) == (default.goals, default.questions, default.title)
    assert [(m.date, m.end) for m in demo.milestones] == [
        (date(2026, 8, 1), date(2027, 1, 5)),  # the boards set their local goals until the deadline
        (date(2027, 1, 6), None),  # then the committee approves them
    ]
    # loaded again on a later day: the demo's strategy is left as it was (the database is the demo's)
    assert await cmd_demo(sqlite_db, if_empty=False, today=date(2027, 3, 1)) == 0
    async with sqlite_db.transaction() as s:
        again = await strategies.active_strategy(s)
        assert again is not None and again.deadline == date(2027, 1, 5)


@pytest.mark.parametrize(
    ("today", "start"),
    [(date(2026, 7, 31), date(2025, 8, 1)), (date(2026, 8, 1), date(2026, 8, 1)), (date(2027, 1, 2), date(2026, 8, 1))],
)
def test_the_demo_period_starts_with_the_school_year(today: date, start: date) -> None:
    strategy = demo_strategy(today)
    assert strategy.period.start == start and strategy.period.start <= today <= strategy.period.end
    assert strategy.period.end == date(start.year + 4, 7, 31)
