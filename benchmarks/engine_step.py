"""One whole default-strategy registration (start to submit, about 40 messages), through the pure engine
(`dialogs.engine.advance` with the draft in memory) and through the service (SQLite, every turn one
transaction), with the same script as benchmarks/conversation_turns.py.

    .venv/bin/python benchmarks/engine_step.py [--runs 20] [--service-runs 3]

Prints the median time of one whole registration each way."""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from conversation_turns import DEMO, script  # benchmarks/ is on the path when run as a script

from dialogs.messages import Inbound
from dialogs.service import ConversationService
from dialogs.strategy import DEFAULT_STRATEGY_FILE, load_strategy_file
from storage.db import Database
from storage.migrate import upgrade
from storage.org import import_org
from storage.org_file import parse_org_file
from storage.strategies import save_strategy

LINES = script(len(load_strategy_file(DEFAULT_STRATEGY_FILE).goals))


ROOT = Path(__file__).resolve().parents[1]


def through_advance() -> float:
    if str(ROOT) not in sys.path:  # for the engine tests' harness (tests/ is not an installed package)
        sys.path.insert(0, str(ROOT))
    from tests.dialogs.engine.script import Run

    started = time.perf_counter()
    run = Run.new(locale="da")
    for line in LINES:
        run.say(line)
    elapsed = time.perf_counter() - started
    assert run.draft.status == "submitted", run.text
    return elapsed


async def through_service() -> float:
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite+aiosqlite:///{tmp}/bench.db")
        await upgrade(db)
        async with db.transaction() as s:
            await save_strategy(s, load_strategy_file(DEFAULT_STRATEGY_FILE).model_dump(mode="json"))
        org = parse_org_file(DEMO)
        await import_org(db, org)
        service = ConversationService(db, clock=lambda: datetime(2026, 11, 24, 9, tzinfo=UTC))
        chair = next(m.email_key for m in org.memberships if m.role.value == "chair")
        await service.identify("bench", chair, email=chair)
        started = time.perf_counter()
        for line in LINES:
            replies = await service.handle(Inbound("bench", chair, text=line))
        elapsed = time.perf_counter() - started
        await db.dispose()
    assert any("sendt ind" in r.text for r in replies), [r.text for r in replies]
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--service-runs", type=int, default=3)
    args = parser.parse_args()
    pure = statistics.median(through_advance() for _ in range(args.runs))
    service = statistics.median(asyncio.run(through_service()) for _ in range(args.service_runs))
    print(f"messages per registration: {len(LINES)}")
    print(f"through advance alone: {pure * 1000:.1f} ms (median of {args.runs})")
    print(f"through the service (SQLite): {service * 1000:.0f} ms (median of {args.service_runs})")


if __name__ == "__main__":
    main()
