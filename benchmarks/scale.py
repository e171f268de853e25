"""A scale run of the conversation service: many boards, many people talking at once.

    .venv/bin/python benchmarks/scale.py                                   # SQLite file in a temp dir
    .venv/bin/python benchmarks/scale.py --database-url postgresql://USER@HOST:PORT/postgres
    .venv/bin/python benchmarks/scale.py --municipality --institutions 5000   # see municipality.py

Generates a municipality of 200 institutions (10 areas) with 4 board members each (a chair and three
members), loads the default strategy, then runs 50 conversations at once with `asyncio.gather`: 40 chairs
of different boards, and 5 pairs (the chair and one member of the same board) typing into one shared draft
at the same time. Everyone types the registration script of `conversation_turns.py` (members cannot
submit; their «indsend» tells the chair). Bounded: `--turns` per person (default: the whole script).

Reports throughput, per-turn latency, how long the statements that take locks waited (SQLite: BEGIN
IMMEDIATE; PostgreSQL: SELECT … FOR UPDATE), how often a step was run again after StaleRegistration,
failures, and the database's size. With PostgreSQL a throwaway database is created on that server
(CREATE DATABASE, so the user needs that right) and dropped afterwards."""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import yaml
from conversation_turns import script
from sqlalchemy import event, select, text
from sqlalchemy.engine import make_url

from dialogs.messages import Inbound
from dialogs.service import ConversationService
from dialogs.strategy import DEFAULT_STRATEGY_FILE, load_strategy_file
from storage.db import Database, normalise_url
from storage.migrate import upgrade
from storage.models import Institution, Registration, RegistrationStatus
from storage.org import import_org
from storage.org_file import parse_org_yaml
from storage.registrations import StaleRegistration
from storage.strategies import save_strategy

NOW = datetime(2026, 11, 24, 9, tzinfo=UTC)
LOCK_WAIT = 0.005  # a lock statement slower than this is counted as having waited


def org_yaml(institutions: int, members: int, areas: int) -> str:
    """`institutions` boards of `members` people (the first is the chair), spread over `areas` areas."""
    out: list[dict[str, Any]] = []
    for a in range(areas):
        boards = []
        for i in range(a, institutions, areas):
            board = [
                {"name": f"Person {i:03d}-{m}", "email": f"p{i:03d}.{m}@scale.maalbot.dk"}
                | ({"role": "chair"} if m == 0 else {})
                for m in range(members)
            ]
            kind = "skole" if i % 3 == 0 else "dagtilbud"
            boards.append({"name": f"Institution {i:03d}", "kind": kind, "board": board})
        out.append({"name": f"Område {a + 1:02d}", "institutions": boards})
    return yaml.safe_dump({"municipality": "Skalakommune", "areas": out}, allow_unicode=True, sort_keys=False)


@dataclass
class LockStats:
    """Time spent in the statements that take locks, from SQLAlchemy's cursor events."""

    waits: list[float] = field(default_factory=list)
    statements: int = 0
    _started: dict[int, float] = field(default_factory=dict)

    def install(self, db: Database) -> None:
        engine = db.engine.sync_engine

        def is_lock(statement: str) -> bool:
            return statement.startswith("BEGIN IMMEDIATE") or "FOR UPDATE" in statement

        @event.listens_for(engine, "before_cursor_execute")
        def before(conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
            if is_lock(statement):
                self._started[id(cursor)] = time.perf_counter()

        @event.listens_for(engine, "after_cursor_execute")
        def after(conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
            started = self._started.pop(id(cursor), None)
            if started is not None:
                self.statements += 1
                self.waits.append(time.perf_counter() - started)

    @property
    def waited(self) -> list[float]:
        return [w for w in self.waits if w > LOCK_WAIT]


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)
    stale: int = 0  # steps run again after StaleRegistration
    failures: Counter[str] = field(default_factory=Counter)


def count_stale(service: ConversationService, outcome: Outcome) -> None:
    """Count the service's retries: `handle` runs `_handle_once` again after StaleRegistration."""
    original = service._handle_once

    async def counted(*args: Any) -> Any:
        try:
            return await original(*args)
        except StaleRegistration:
            outcome.stale += 1
            raise

    service._handle_once = counted  # type: ignore[method-assign]


async def converse(service: ConversationService, email: str, lines: list[str], outcome: Outcome) -> None:
    await service.identify("bench", email, email=email)
    for line in lines:
        t0 = time.perf_counter()
        try:
            await service.handle(Inbound("bench", email, text=line))
        except Exception as exc:  # counted and reported; the run goes on
            outcome.failures[type(exc).__name__] += 1
        outcome.latencies.append(time.perf_counter() - t0)


async def db_size(db: Database, sqlite_file: Path | None) -> int:
    if sqlite_file is not None:
        return sum(p.stat().st_size for p in sqlite_file.parent.glob(sqlite_file.name + "*"))
    async with db.engine.connect() as conn:
        return int((await conn.execute(text("SELECT pg_database_size(current_database())"))).scalar_one())


async def run(args: argparse.Namespace, url: str, sqlite_file: Path | None) -> None:
    if args.municipality:  # the whole municipality at once (benchmarks/municipality.py)
        from municipality import run_municipality

        await run_municipality(
            url, args.institutions, sqlite_file=sqlite_file, keep=args.keep, only=args.only, asker=not args.no_asker
        )
        return
    db = Database(url)
    await upgrade(db)
    strategy = load_strategy_file(DEFAULT_STRATEGY_FILE)
    async with db.transaction() as s:
        await save_strategy(s, strategy.model_dump(mode="json"))
    t0 = time.perf_counter()
    org = parse_org_yaml(org_yaml(args.institutions, args.members, areas=10))
    await import_org(db, org)
    imported = time.perf_counter() - t0
    size_before = await db_size(db, sqlite_file)

    lines = script(len(strategy.goals))[: args.turns or None]
    solo = args.conversations - 2 * args.pairs
    if solo < 0 or solo + args.pairs > args.institutions:
        raise SystemExit("not enough institutions for that many conversations")
    people = [f"p{i:03d}.0@scale.maalbot.dk" for i in range(solo + args.pairs)]  # chairs of different boards
    people += [f"p{i:03d}.1@scale.maalbot.dk" for i in range(solo, solo + args.pairs)]  # a member beside a chair

    service = ConversationService(db, clock=lambda: NOW)
    outcome = Outcome()
    count_stale(service, outcome)
    locks = LockStats()
    locks.install(db)
    started = time.perf_counter()
    await asyncio.gather(*(converse(service, email, lines, outcome) for email in people))
    elapsed = time.perf_counter() - started

    pair_boards = {f"Institution {i:03d}" for i in range(solo, solo + args.pairs)}
    async with db.transaction() as s:
        rows = await s.execute(
            select(Institution.name).join(Registration).where(Registration.status == RegistrationStatus.SUBMITTED.value)
        )
        submitted = [name for (name,) in rows]
    submitted_pairs = sum(1 for name in submitted if name in pair_boards)
    size_after = await db_size(db, sqlite_file)
    await db.dispose()

    q = statistics.quantiles(outcome.latencies, n=100)
    waited = locks.waited
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"database: {db.dialect}; {args.institutions} institutions x {args.members} board members "
        f"(imported in {imported:.1f} s); {len(people)} conversations at once ({solo} boards alone, "
        f"{args.pairs} pairs on one board); {len(lines)} turns each"
    )
    print(
        f"turns: {len(outcome.latencies)} in {elapsed:.1f} s = {len(outcome.latencies) / elapsed:.0f} turns/s; "
        f"per turn ms: p50 {q[49] * 1000:.1f}, p95 {q[94] * 1000:.1f}, max {max(outcome.latencies) * 1000:.1f}"
    )
    print(
        f"lock statements: {locks.statements}, waited > {LOCK_WAIT * 1000:.0f} ms: {len(waited)} "
        f"(total {sum(waited):.1f} s, longest {max(waited, default=0) * 1000:.0f} ms); "
        f"StaleRegistration retries: {outcome.stale}; failed turns: {dict(outcome.failures) or 0}"
    )
    print(
        f"registrations submitted: {len(submitted) - submitted_pairs} of {solo} lone boards, {submitted_pairs} of "
        f"{args.pairs} pair boards (a pair types the same script into one draft)"
    )
    print(
        f"database size: {size_before / 1e6:.1f} MB after import, {size_after / 1e6:.1f} MB after the run; "
        f"peak RSS: {peak_mb:.0f} MB"
    )


async def with_postgres(args: argparse.Namespace) -> None:
    """A throwaway database on the given server, dropped afterwards."""
    server = make_url(normalise_url(args.database_url))
    admin_dsn = server.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"maalbot_scale_{os.getpid()}"
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f"CREATE DATABASE {name}")
    finally:
        await conn.close()
    try:
        await run(args, server.set(database=name).render_as_string(hide_password=False), None)
    finally:
        conn = await asyncpg.connect(admin_dsn)
        try:
            await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        finally:
            await conn.close()


async def with_sqlite(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scale.db"
        await run(args, f"sqlite+aiosqlite:///{path}", path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--institutions", type=int, default=200)
    parser.add_argument("--members", type=int, default=4, help="board members per institution (first is chair)")
    parser.add_argument("--conversations", type=int, default=50, help="people talking at the same time")
    parser.add_argument("--pairs", type=int, default=5, help="of those, pairs on the same board")
    parser.add_argument("--turns", type=int, default=0, help="turns per person (0: the whole script)")
    parser.add_argument("--database-url", default=None, help="a PostgreSQL server (a throwaway database is made)")
    parser.add_argument(
        "--municipality",
        action="store_true",
        help="instead of conversations: reminder ticks, leaders' answers, GET /status, org import (municipality.py)",
    )
    parser.add_argument(
        "--keep",
        type=Path,
        default=None,
        help="with --municipality on SQLite: a copy of the generated database is kept in this file and, when "
        "it exists, used instead of generating again (the org import is then not measured)",
    )
    parser.add_argument(
        "--no-asker",
        action="store_true",
        help="with --municipality: no area leader asking «status» during the ticks (the ticks' own CPU)",
    )
    parser.add_argument(
        "--only",
        choices=("all", "ticks"),
        default="all",
        help="with --municipality: everything, or only the reminder ticks",
    )
    args = parser.parse_args()
    if args.members < 2:
        parser.error("--members must be at least 2 (a chair and a member)")
    asyncio.run(with_postgres(args) if args.database_url else with_sqlite(args))


if __name__ == "__main__":
    main()
