"""The demo municipality with a test strategy whose deadline is in the tests' future, and helpers to
move time and look at the outbox (the `Demo` fixture for the recording notifiers; `load_municipality`,
`Clock`, `run_tick` and `rows` for the end-to-end tests through the real Slack and Teams notifiers)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from sqlalchemy import select

from bot.delivery import Notifier, RecordingNotifier
from bot.scheduler import Pacer, TickReport, tick
from dialogs.strategy import DEFAULT_STRATEGY_FILE, load_strategy_file
from storage import outbox
from storage.db import Database
from storage.models import Identity, Institution, LocalGoal, Measurement, Person, Registration
from storage.org import import_org
from storage.org_file import parse_org_file
from storage.registrations import ensure_registration
from storage.strategies import save_strategy
from tests.snapshots import seed_once

CPH = ZoneInfo("Europe/Copenhagen")
DEMO_ORG = Path(__file__).resolve().parents[2] / "bot" / "data" / "demo_org.yaml"
DEADLINE = date(2026, 6, 15)  # a Monday


def local(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> datetime:
    """Copenhagen wall-clock time as an aware UTC datetime."""
    return datetime(y, m, d, hh, mm, tzinfo=CPH).astimezone(UTC)


def write_strategy(tmp_path: Path, *, deadline: date = DEADLINE, **reminders: Any) -> Path:
    """The default strategy with a deadline in the tests' future and optional reminder settings."""
    key = repr((deadline, sorted(reminders.items())))
    if key not in _STRATEGY_TEXTS:  # YAML in and out costs ~40 ms of CPU: once per variant and run
        data = yaml.safe_load(DEFAULT_STRATEGY_FILE.read_text(encoding="utf-8"))
        data["key"] = "test"
        data["period"] = {"start": "2026-01-01", "end": "2027-12-31"}
        data["deadline"] = deadline.isoformat()
        data["milestones"] = []
        if reminders:
            data["reminders"] = reminders
        _STRATEGY_TEXTS[key] = yaml.safe_dump(data, allow_unicode=True)
    path = tmp_path / "strategy.yaml"
    path.write_text(_STRATEGY_TEXTS[key], encoding="utf-8")
    return path


_STRATEGY_TEXTS: dict[str, str] = {}


async def load_demo(db: Database, strategy_file: Path) -> None:
    strategy = load_strategy_file(strategy_file)
    async with db.transaction() as s:
        await save_strategy(s, strategy.model_dump(mode="json"))
    await import_org(db, parse_org_file(DEMO_ORG))
    async with db.transaction() as s:  # everyone has met the bot in Slack
        for person in (await s.scalars(select(Person))).all():
            s.add(Identity(person_id=person.id, platform="slack", user_key=f"U{person.id}"))


@dataclass
class Demo:
    db: Database
    slack: RecordingNotifier
    teams: RecordingNotifier
    sleeps: list[float]
    instance: str = "test-1"

    async def tick(self, now: datetime, **kw: Any) -> TickReport:
        async def fake_sleep(seconds: float) -> None:
            self.sleeps.append(seconds)

        return await tick(
            self.db,
            [self.slack, self.teams],
            now,
            instance_id=self.instance,
            sleep=fake_sleep,
            pacer=Pacer(fake_sleep, clock=lambda: 0.0),
            **kw,
        )

    async def ticks(self, start: datetime, end: datetime, step: timedelta = timedelta(minutes=30)) -> None:
        now = start
        while now <= end:
            await self.tick(now)
            now += step

    async def rows(self, rule: str | None = None) -> list[tuple[str, str, str, str]]:
        async with self.db.transaction() as s:
            return [(r.rule, r.recipient, r.period, r.status) for r in await outbox.items(s, rule=rule)]

    async def person_id(self, email: str) -> int:
        async with self.db.transaction() as s:
            found = await s.scalar(select(Person.id).where(Person.email == email))
            assert found is not None, email
            return int(found)

    async def institution_id(self, name: str) -> int:
        async with self.db.transaction() as s:
            found = await s.scalar(select(Institution.id).where(Institution.name == name))
            assert found is not None, name
            return int(found)

    async def set_status(self, institution: str, status: str) -> int:
        inst_id = await self.institution_id(institution)
        async with self.db.transaction() as s:
            strategy_id = await s.scalar(select(Registration.strategy_id).limit(1))
            if strategy_id is None:
                from storage.strategies import active_strategy

                row = await active_strategy(s)
                assert row is not None
                strategy_id = row.id
            reg = await ensure_registration(s, inst_id, strategy_id)
            reg.status = status
            if not (await s.scalars(select(LocalGoal).where(LocalGoal.registration_id == reg.id))).first():
                s.add(LocalGoal(registration_id=reg.id, goal_number=1, position=1, text="Et lokalt mål", answers={}))
            return reg.id

    async def add_local_goal(self, institution: str, text: str, method: str, dates: Sequence[date]) -> int:
        inst_id = await self.institution_id(institution)
        async with self.db.transaction() as s:
            from storage.strategies import active_strategy

            row = await active_strategy(s)
            assert row is not None
            reg = await ensure_registration(s, inst_id, row.id)
            lg = LocalGoal(registration_id=reg.id, goal_number=2, position=1, text=text, answers={})
            s.add(lg)
            await s.flush()
            s.add(
                Measurement(
                    local_goal_id=lg.id,
                    question_key="measurement",
                    method=method,
                    when_text="",
                    dates=[d.isoformat() for d in dates],
                )
            )
            return lg.id


async def _demo(db: Database, tmp_path: Path) -> Demo:
    """`load_demo` with the default test strategy, seeded once per session and copied (tests/snapshots.py)."""

    async def seed(db: Database) -> None:
        await load_demo(db, write_strategy(tmp_path))

    await seed_once(db, "reminders.load_demo(write_strategy())", seed)
    return Demo(db, RecordingNotifier("slack"), RecordingNotifier("teams"), [])


# Which tests run on both databases (`demo`, or the `db` fixture: SQLite and PostgreSQL) and which on SQLite
# only (`demo_sqlite`, `sqlite_db`): a PostgreSQL twin costs about twice its SQLite half, so a test runs on
# PostgreSQL only where the database's own behaviour is what it tests: two schedulers or connections at
# once (SKIP LOCKED claims, unique-key races: test_delivery, test_shared_texts' two schedulers), restarts and
# the kept planning whose skipping depends on the outbox's keys and counts (test_incremental,
# test_replan_changed, test_bounded_ticks), what the database refuses or purges (test_shared_texts' kept
# text), and one broad end-to-end week (test_week). The rule tests (which text, to whom, when: follow-ups,
# pauses, digests, nudges, reach, notices) run on SQLite only: their SQL is the same on both.
@pytest.fixture
async def demo(db: Database, tmp_path: Path) -> Demo:
    return await _demo(db, tmp_path)


@pytest.fixture
async def demo_sqlite(sqlite_db: Database, tmp_path: Path) -> Demo:
    return await _demo(sqlite_db, tmp_path)


MONDAY = local(2026, 3, 2, 9, 0)  # week 10, before the test strategy's deadline (2026-06-15)


async def load_municipality(db: Database, tmp_path: Path) -> None:
    """The demo organisation and a strategy with a future deadline; nobody has met the bot yet. `db` must
    be fresh: it is seeded once per session and copied (tests/snapshots.py)."""

    async def seed(db: Database) -> None:
        async with db.transaction() as s:
            await save_strategy(s, load_strategy_file(write_strategy(tmp_path)).model_dump(mode="json"))
        await import_org(db, parse_org_file(DEMO_ORG))

    await seed_once(db, "reminders.load_municipality(write_strategy())", seed)


@dataclass
class Clock:
    """The pacer's injected clock and sleep: sleeping moves the clock, nothing waits."""

    now: float = 0.0
    sleeps: list[float] = field(default_factory=list)

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def pacer(self) -> Pacer:
        return Pacer(self.sleep, clock=lambda: self.now)


async def run_tick(db: Database, notifiers: list[Notifier], now: datetime, clock: Clock) -> TickReport:
    return await tick(db, notifiers, now, instance_id="e2e", sleep=clock.sleep, pacer=clock.pacer())


async def rows(db: Database, rule: str) -> dict[tuple[str, str], tuple[str, str | None]]:
    """(recipient, period) -> (status, last error) of the outbox rows of one rule."""
    async with db.transaction() as s:
        return {(r.recipient, r.period): (r.status, r.last_error) for r in await outbox.items(s, rule=rule)}
