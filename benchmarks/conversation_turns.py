"""How long one conversation turn takes, end to end through the service, on SQLite (and PostgreSQL).

    .venv/bin/python benchmarks/conversation_turns.py [--boards 6] [--database-url URL]

Each demo board's chair completes the whole default strategy (about 40 turns each: two local goals
under goal 1, one under each other goal, review, submit). Prints turns per second, latency
percentiles per turn and the process's peak memory. Runs are repeatable: same data, same script."""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from dialogs.messages import Inbound
from dialogs.service import ConversationService
from dialogs.strategy import DEFAULT_STRATEGY_FILE, load_strategy_file
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Registration
from storage.org import import_org
from storage.org_file import parse_org_file
from storage.strategies import save_strategy

DEMO = Path(__file__).resolve().parents[1] / "bot" / "data" / "demo_org.yaml"


def script(goals: int) -> list[str]:
    lines = ["start"]
    for number in range(1, goals + 1):
        per_goal = 2 if number == 1 else 1
        for n in range(per_goal):
            lines += [
                f"Lokalt mål {number}.{n + 1}",
                "Makkerpar\nFaste voksne",
                "færdig",
                "Trivselsmåling",
                "marts 2027",
                "ja",
                "ja" if n + 1 < per_goal else "nej",
            ]
    return [*lines, "indsend"]


async def run(boards: int, url: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(url or f"sqlite+aiosqlite:///{tmp}/bench.db")
        await upgrade(db)
        strategy = load_strategy_file(DEFAULT_STRATEGY_FILE)
        async with db.transaction() as s:
            await save_strategy(s, strategy.model_dump(mode="json"))
        org = parse_org_file(DEMO)
        await import_org(db, org)
        service = ConversationService(db, clock=lambda: datetime(2026, 11, 24, 9, tzinfo=UTC))
        chairs = [m.email_key for m in org.memberships if m.role.value == "chair"][:boards]
        lines = script(len(strategy.goals))
        latencies: list[float] = []
        started = time.perf_counter()
        for email in chairs:
            await service.identify("bench", email, email=email)
            for line in lines:
                t0 = time.perf_counter()
                await service.handle(Inbound("bench", email, text=line))
                latencies.append(time.perf_counter() - t0)
        elapsed = time.perf_counter() - started
        async with db.transaction() as s:
            submitted = await s.scalar(
                select(func.count()).select_from(Registration).where(Registration.status == "submitted")
            )
        await db.dispose()
    q = statistics.quantiles(latencies, n=100)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"database: {'PostgreSQL' if url else 'SQLite'}; boards: {len(chairs)} ({submitted} submitted); "
        f"turns: {len(latencies)}"
    )
    print(
        f"turns/s: {len(latencies) / elapsed:.0f}; per turn ms: p50 {q[49] * 1000:.1f}, p95 {q[94] * 1000:.1f}, "
        f"max {max(latencies) * 1000:.1f}; peak RSS: {peak_mb:.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--boards", type=int, default=6)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    asyncio.run(run(args.boards, args.database_url))


if __name__ == "__main__":
    main()
