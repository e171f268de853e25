"""Where the CPU of a reminder tick with everything new goes, phase by phase (issue 18).

    .venv/bin/python benchmarks/scale.py --municipality --institutions 5000 --only ticks --keep /tmp/m5000.db
    .venv/bin/python benchmarks/tick_phases.py /tmp/m5000.db                  # CPU per phase
    .venv/bin/python benchmarks/tick_phases.py /tmp/m5000.db --warm           # snapshot kept, as in `serve`
    .venv/bin/python benchmarks/tick_phases.py /tmp/m5000.db --warm --max-new 2000   # serve's first tick
    .venv/bin/python benchmarks/tick_phases.py /tmp/m5000.db --cprofile 25    # the rules' and rendering's top 25

Takes a municipality kept by `scale.py --keep` (SQLite; copied, so the kept file stays as it is), empties
its outbox, and runs the steps of `bot.scheduler.tick`'s planning and enqueueing at the benchmark's Monday
one after the other on the event loop's thread (no worker thread; `--cprofile` profiles the rules and the
rendering, which are pure Python), each timed with `time.process_time`: the snapshot read, the rules, the
recipients the outbox holds of the rounds not known complete, the rules (only who is missing), the look-up
of existing keys, rendering the new items' texts, writing the shared texts, writing the rows, with the
garbage collector paused where `serve` pauses it. Then the same tick once more (nothing new)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import pstats
import shutil
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from municipality import MONDAY
from sqlalchemy import delete

from bot.scheduler import collector_paused
from dialogs.reminders.planner import PlanMemory, done_institutions, open_rounds, plan
from dialogs.reminders.snapshot import SnapshotCache
from storage import outbox, outbox_bodies, reminder_reads
from storage.db import Database, sqlite_url_for
from storage.migrate import upgrade
from storage.models import OutboxBody, OutboxItem
from storage.outbox import NewItem

T = TypeVar("T")


class Phases:
    def __init__(self) -> None:
        self.rows: list[tuple[str, float]] = []

    async def run(self, name: str, step: Callable[[], Awaitable[T]]) -> T:
        cpu = time.process_time()
        result = await step()
        self.rows.append((name, time.process_time() - cpu))
        return result

    def print(self) -> None:
        for name, cpu in self.rows:
            print(f"| {name} | {cpu:.2f} s |")
        print(f"| **total** | **{sum(c for _, c in self.rows):.2f} s** |")


async def one_tick(
    db: Database,
    cache: SnapshotCache,
    memory: PlanMemory,
    phases: Phases,
    profile: cProfile.Profile | None,
    max_new: int,
) -> int:
    now = MONDAY
    profiled = profile or contextlib.nullcontext()

    async def read() -> Any:
        async with db.read() as s:
            with collector_paused():
                snap = await cache.load(s, now)
            basis = (cache.generation, now.date())
            done = done_institutions(snap)
            counts = await outbox.round_counts(s, memory.rounds(basis, done))
        return snap, basis, done, counts

    snap, basis, done, counts = await phases.run("snapshot (read, kept between ticks)", read)

    async def present() -> Any:
        async with db.read() as s:
            unknown = memory.unknown(basis, done, counts, open_rounds(now, snap))
            return await reminder_reads.round_recipients(s, unknown)

    in_outbox = await phases.run("recipients in the outbox of the rounds not known complete", present)
    recorder = memory.skipper(basis, done, counts, in_outbox)
    recorder.budget = max_new if max_new < 10**9 else None  # as `bot.scheduler.tick` gives its MAX_NEW

    async def rules() -> Any:
        with profiled, collector_paused():
            return plan(now, snap, recorder)

    due = await phases.run("plan: the rules over the snapshot", rules)

    async def known() -> Any:
        async with db.read() as s:
            return await outbox.existing_keys(s, [i.key for i in due])

    existing = await phases.run("existing keys (one query per rule)", known)
    fresh = [i for i in due if i.key not in existing][:max_new]  # as `bot.scheduler.MAX_NEW` does

    async def render() -> Any:
        with profiled, collector_paused():
            parts = [(i, i.parts) for i in fresh]
            return parts, {p.body.digest: p.body.replies for _, p in parts}

    parts, bodies = await phases.run("render the new items' texts (each distinct text once)", render)

    async def store() -> Any:
        return await outbox_bodies.store(db, bodies, now)

    ids = await phases.run(f"write the shared texts ({len(bodies)})", store)

    async def insert() -> int:
        rows = [
            NewItem(i.rule, i.recipient, i.period, i.due_at, p.own, i.expires_at, ids[p.body.digest]) for i, p in parts
        ]
        return await outbox.enqueue_in_batches(db, rows, now)

    inserted = await phases.run(f"write the rows ({len(fresh)})", insert)
    memory.remember(basis, done, recorder, due)
    print(f"{len(due)} planned, {len(fresh)} new, {len(bodies)} distinct texts, {inserted} inserted")
    return inserted


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        file = Path(tmp) / "m.db"
        shutil.copyfile(args.kept, file)
        db = Database(sqlite_url_for(file))
        await upgrade(db)
        async with db.transaction() as s:
            await s.execute(delete(OutboxItem))
            await s.execute(delete(OutboxBody))
        cache, memory = SnapshotCache(), PlanMemory()
        if args.warm:  # as in `serve`: the tick a minute earlier read the snapshot, and nothing changed since
            async with db.read() as s:
                await cache.load(s, MONDAY - timedelta(minutes=1))
        profile = cProfile.Profile() if args.cprofile else None  # the pure phases only: the rules and rendering
        for label in ("everything new", "again (with --max-new: the next part, what is missing)"):
            phases = Phases()
            profiled = profile if label == "everything new" else None
            await one_tick(db, cache, memory, phases, profiled, args.max_new)
            print(f"tick ({label}), CPU per phase:")
            phases.print()
        await db.dispose()
    if profile is not None:
        pstats.Stats(profile, stream=sys.stdout).sort_stats("cumulative").print_stats(args.cprofile)
        pstats.Stats(profile, stream=sys.stdout).sort_stats("tottime").print_stats(args.cprofile)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kept", type=Path, help="a SQLite file kept by scale.py --municipality --keep")
    parser.add_argument("--cprofile", type=int, default=0, help="print the N costliest functions")
    parser.add_argument("--warm", action="store_true", help="the snapshot kept from a tick a minute earlier")
    parser.add_argument("--max-new", type=int, default=10**9, help="new items written (serve: MAX_NEW per tick)")
    asyncio.run(main(parser.parse_args()))
