"""What the meeting cycle adds to a turn (issue 18): the chair's whole default-strategy registration (the
script of benchmarks/conversation_turns.py) through the service on SQLite, with no meeting planned and
with `--meetings` dialogue meetings planned that the chair takes part in; and a turn of the meeting flow
itself (a leader answering the template's questions) for comparison. Counts the SQL statements per turn
too (steadier than time on a shared machine).

    .venv/bin/python benchmarks/meeting_turns.py [--meetings 50] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from conversation_turns import DEMO, script  # benchmarks/ is on the path when run as a script
from sqlalchemy import event

from dialogs.engine import offer
from dialogs.flows import Who
from dialogs.meetings.planning import plan_from_csv
from dialogs.messages import Inbound
from dialogs.service import FLOWS, ConversationService
from dialogs.state import State
from dialogs.strategy import DEFAULT_STRATEGY_FILE, load_strategy_file
from dialogs.texts import texts
from storage import meetings
from storage.db import Database
from storage.migrate import upgrade
from storage.org import import_org
from storage.org_file import parse_org_file
from storage.strategies import save_strategy

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

LINES = script(len(load_strategy_file(DEFAULT_STRATEGY_FILE).goals))
D = "demo.maalbot.dk"
CHAIR, LEADER = f"soeren.oestergaard@{D}", f"lone.baek@{D}"
ANSWERS = 16  # the dialogue meeting's questions for a daycare


class Statements:
    def __init__(self, db: Database) -> None:
        self.count = 0
        event.listen(db.engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args: Any) -> None:
        self.count += 1


async def world(tmp: str, planned: int) -> tuple[Database, ConversationService, Statements]:
    db = Database(f"sqlite+aiosqlite:///{tmp}/bench.db")
    await upgrade(db)
    async with db.transaction() as s:
        await save_strategy(s, load_strategy_file(DEFAULT_STRATEGY_FILE).model_dump(mode="json"))
    await import_org(db, parse_org_file(DEMO))
    if planned:
        first = date(2026, 12, 1)
        lines = [f"Solsikken,{(first + timedelta(days=n)).isoformat()},dialogmoede,{CHAIR}" for n in range(planned)]
        report = await plan_from_csv(db, "institution,date,template,participants\n" + "\n".join(lines), texts("da"))
        assert not report.problems and report.created == planned, report
    service = ConversationService(db, clock=lambda: datetime(2026, 11, 24, 9, tzinfo=UTC))
    for email in (CHAIR, LEADER):
        await service.identify("bench", email, email=email)
    return db, service, Statements(db)


async def registration(planned: int) -> tuple[float, float]:
    """Seconds and SQL statements per turn of the chair's whole registration."""
    with tempfile.TemporaryDirectory() as tmp:
        db, service, statements = await world(tmp, planned)
        before, started = statements.count, time.perf_counter()
        for line in LINES:
            replies = await service.handle(Inbound("bench", CHAIR, text=line))
        elapsed = time.perf_counter() - started
        assert any("sendt ind" in r.text for r in replies), [r.text for r in replies]
        per_turn = (elapsed / len(LINES), (statements.count - before) / len(LINES))
        await db.dispose()
    return per_turn


async def preparing(planned: int) -> tuple[float, float]:
    """Seconds and SQL statements per answer of the leader preparing the soonest meeting."""
    with tempfile.TemporaryDirectory() as tmp:
        db, service, statements = await world(tmp, planned)
        async with db.read() as s:
            soonest = min(await meetings.meeting_views(s), key=lambda m: m.held_on)
        await service.handle(Inbound("bench", LEADER, choice=f"meeting:prepare:{soonest.id}"))
        before, started = statements.count, time.perf_counter()
        for n in range(ANSWERS):
            replies = await service.handle(Inbound("bench", LEADER, text=f"Svar {n}"))
        elapsed = time.perf_counter() - started
        assert any("besvaret" in r.text for r in replies), [r.text for r in replies]
        per_turn = (elapsed / ANSWERS, (statements.count - before) / ANSWERS)
        await db.dispose()
    return per_turn


async def routing(calls: int = 20000) -> float:
    """Seconds to offer one registration answer to the flow edges (`service.FLOWS`) that decline it: what
    the follow-up and meeting flows add to a registration turn when no follow-up waits (no database read:
    the edges decide from the message and the state; a session they would not touch is passed)."""
    who = Who(1, "da", datetime(2026, 11, 24, 9, tzinfo=UTC), date(2026, 11, 24), frozenset({1}), open_followup=False)
    inbound, state = Inbound("bench", CHAIR, text="Alle børn har en ven"), State()
    session = cast("AsyncSession", None)
    started = time.perf_counter()
    for _ in range(calls):
        for edge in FLOWS:
            assert await edge(session, who, inbound, state, offer) is None
    return (time.perf_counter() - started) / calls


def median(runs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--meetings", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rows = [
        ("registration turn, no meeting planned", registration, 0),
        (f"registration turn, {args.meetings} meetings planned", registration, args.meetings),
        ("meeting answer turn, 1 meeting planned", preparing, 1),
        (f"meeting answer turn, {args.meetings} meetings planned", preparing, args.meetings),
    ]
    print(f"a registration answer past the flow edges: {asyncio.run(routing()) * 1e6:.1f} µs, no SQL")
    print(f"messages: {len(LINES)} per registration, {ANSWERS} meeting answers; median of {args.runs} runs")
    for label, run, planned in rows:
        seconds, statements = median([asyncio.run(run(planned)) for _ in range(args.runs)])
        print(f"{label}: {seconds * 1000:.1f} ms, {statements:.1f} SQL statements per turn")


if __name__ == "__main__":
    main()
