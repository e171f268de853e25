"""The committee exports at municipality scale: `maalbot export --format docx|xlsx` (and the printable
HTML page) for many institutions, on SQLite and on PostgreSQL.

    .venv/bin/python benchmarks/export_scale.py --institutions 200 1000 5000
    .venv/bin/python benchmarks/export_scale.py --institutions 200 1000 5000 --database-url postgresql://USER@HOST:PORT/postgres
    .venv/bin/python benchmarks/export_scale.py --institutions 1000 --profile docx   # cProfile of one write

For each size, generates the institutions in max(10, N/50) areas (as `benchmarks/municipality.py`
does) into a fresh SQLite file (or a throwaway database created on the given PostgreSQL server and
dropped afterwards); three of four have a submitted registration with one local goal per strategic
goal of the default strategy (two interventions and a measurement each), the rest a draft. Then runs
the real command, `python -m bot.cli export --format F --out ...`, once per format, each in its own
process, and reports its wall time and that process's peak RSS (the whole command: start-up, reading,
writing), the file size, and the SQL statements `build_export` runs (counted in-process); and GET /status
as an admin, in-process (median of five after a warm-up) and its size."""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from dialogs.strategy import DEFAULT_STRATEGY_FILE, load_strategy_file
from storage.db import Database
from storage.export import build_export
from storage.migrate import upgrade
from storage.models import (
    Area,
    Institution,
    Intervention,
    LocalGoal,
    Measurement,
    Membership,
    Person,
    Registration,
    Role,
)
from storage.strategies import save_strategy

NOW = datetime(2026, 11, 29, 17, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[1]
FORMATS = ("docx", "xlsx", "html")


async def seed(db: Database, institutions: int) -> None:
    """The generated municipality, written set-wise (a few multi-row INSERTs per table)."""
    areas = max(10, institutions // 50)
    async with db.transaction() as s:
        strategy, _ = await save_strategy(s, load_strategy_file(DEFAULT_STRATEGY_FILE).model_dump(mode="json"))
        await s.execute(insert(Area), [{"id": a + 1, "name": f"Område {a:03d}", "name_key": f"område {a:03d}"}
                                       for a in range(areas)])  # fmt: skip
        await s.execute(insert(Institution), [
            {"id": i + 1, "name": f"Institution {i:05d}", "name_key": f"institution {i:05d}", "kind": "skole",
             "area_id": i % areas + 1} for i in range(institutions)])  # fmt: skip
        await s.execute(insert(Registration), [
            {"id": i + 1, "institution_id": i + 1, "strategy_id": strategy.id,
             "status": "submitted" if i % 4 else "draft", "submitted_at": NOW}
            for i in range(institutions)])  # fmt: skip
        goals = [{"id": i * 4 + n, "registration_id": i + 1, "goal_number": n, "position": 1,
                  "text": f"Lokalt mål {n} for institution {i}", "answers": {}}
                 for i in range(institutions) for n in range(1, 5)]  # fmt: skip
        for start in range(0, len(goals), 2000):
            chunk = goals[start : start + 2000]
            await s.execute(insert(LocalGoal), chunk)
            await s.execute(insert(Intervention), [
                {"local_goal_id": g["id"], "question_key": "interventions", "position": p, "text": f"Indsats {p}"}
                for g in chunk for p in (1, 2)])  # fmt: skip
            await s.execute(insert(Measurement), [
                {"local_goal_id": g["id"], "question_key": "measurement", "method": "Trivselsmåling",
                 "when_text": "marts", "dates": ["2027-03-01"]} for g in chunk])  # fmt: skip
        admin = Person(name="Anne Admin", email="admin@bench.dk", email_key="admin@bench.dk")
        s.add(admin)
        await s.flush()
        s.add(Membership(person_id=admin.id, role=Role.ADMIN.value))
    if db.dialect == "postgresql":  # explicit ids: move the sequences past them
        async with db.transaction() as s:
            for table in ("areas", "institutions", "registrations", "local_goals"):
                await s.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
                )


async def count_statements(db: Database) -> tuple[int, float]:
    statements = 0

    def counted(*_: object) -> None:
        nonlocal statements
        statements += 1

    event.listen(db.engine.sync_engine, "before_cursor_execute", counted)
    event.listen(db.reader.sync_engine, "before_cursor_execute", counted) if db.dialect == "sqlite" else None
    t0 = time.perf_counter()
    await build_export(db, now=NOW)
    built = time.perf_counter() - t0
    event.remove(db.engine.sync_engine, "before_cursor_execute", counted)
    if db.dialect == "sqlite":
        event.remove(db.reader.sync_engine, "before_cursor_execute", counted)
    return statements, built


def run_export(url: str, fmt: str, out: Path) -> tuple[float, float, float]:
    """(wall seconds, peak RSS in MB, CPU seconds) of `maalbot export --format fmt` in its own process,
    from the start of `bot.cli` to its exit (the interpreter's own start-up is not counted)."""
    env = {**os.environ, "DATABASE_URL": url, "MAALBOT_MUNICIPALITY": "Benchmark Kommune"}
    wrapper = (
        "import resource, runpy, sys, time; t0 = time.perf_counter(); code = 0\n"
        "try:\n    runpy.run_module('bot.cli', run_name='__main__')\n"
        "except SystemExit as exc:\n    code = exc.code or 0\n"
        "u = resource.getrusage(resource.RUSAGE_SELF)\n"
        "print(f'@@ {time.perf_counter() - t0:.3f} {u.ru_maxrss / 1024:.0f} {u.ru_utime + u.ru_stime:.3f}',"
        " file=sys.stderr); sys.exit(code)\n"
    )
    # The peak RSS is GNU time's: the process's own figure would be at least this process's RSS (Linux
    # carries the peak over the fork and exec of a child started straight from here).
    argv = ["/usr/bin/time", "-f", "@@peak %M", sys.executable, "-c", wrapper]
    argv += ["export", "--format", fmt, "--out", str(out), "--lang", "da"]
    done = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"export --format {fmt} failed: {done.stderr[-2000:]}")
    line = next(line for line in done.stderr.splitlines() if line.startswith("@@ "))
    seconds, _rss, cpu = line.split()[1:]
    peak = next(line for line in done.stderr.splitlines() if line.startswith("@@peak "))
    return float(seconds), float(peak.split()[1]) / 1024, float(cpu)


async def fresh_database(server_url: str | None, tmp: str, size: int) -> tuple[str, Any]:
    """(url, cleanup) of an empty database: a SQLite file, or a new database on the PostgreSQL server."""
    if server_url is None:
        return f"sqlite+aiosqlite:///{tmp}/export-{size}.db", None
    base = make_url(server_url).set(drivername="postgresql+asyncpg")
    name = f"maalbot_export_{uuid.uuid4().hex[:8]}"
    admin = create_async_engine(base, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))

    async def drop() -> None:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        await admin.dispose()

    return base.set(database=name).render_as_string(hide_password=False), drop


async def measure(
    size: int, server_url: str | None, tmp: str, profile: str | None, formats: tuple[str, ...], keep: str | None
) -> dict[str, Any]:
    kept = keep is not None and server_url is None
    if kept:  # a SQLite file generated once and reused by later runs
        tmp = keep or tmp
        Path(tmp).mkdir(parents=True, exist_ok=True)
    reuse = kept and (Path(tmp) / f"export-{size}.db").exists()
    url, cleanup = await fresh_database(server_url, tmp, size)
    db = Database(url)
    try:
        if not reuse:
            await upgrade(db)
            t0 = time.perf_counter()
            await seed(db, size)
            print(f"  seeded {size} institutions in {time.perf_counter() - t0:.1f} s", flush=True)
        statements, built = await count_statements(db)
        result: dict[str, Any] = {"size": size, "statements": statements, "build": built}
        result["status"] = await status_page(db, tmp)
        wall, cpu, size = result["status"]
        print(f"  GET /status as admin: {wall:.0f} ms median ({cpu:.0f} ms CPU), {size / 1000:.0f} KB")
        if profile:
            await profile_write(db, profile)
        await db.dispose()
        for fmt in formats:
            out = Path(tmp) / f"udvalget-{size}.{fmt}"
            seconds, rss, cpu = run_export(url, fmt, out)
            result[fmt] = (seconds, rss, out.stat().st_size / 1e6, cpu)
            print(f"  {fmt}: {seconds:.2f} s wall, {cpu:.2f} s CPU, {rss:.0f} MB peak, "
                  f"{out.stat().st_size / 1e6:.2f} MB", flush=True)  # fmt: skip
        return result
    finally:
        await db.dispose()
        if cleanup is not None:
            await cleanup()


async def status_page(db: Database, tmp: str) -> tuple[float, float, int]:
    """GET /status as the admin, five times after one warm-up: (median wall ms, median CPU ms, bytes)."""
    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer

    from bot.settings import Settings
    from bot.status_page import mount_status_page
    from dialogs.links import LinkSigner
    from dialogs.links_chat import person_scope

    signer = LinkSigner(b"export-scale-benchmark-secret-0123456789", "http://bench", timedelta(hours=2))
    async with db.read() as s:
        admin = await s.scalar(select(Person.id).where(Person.email_key == "admin@bench.dk"))
    assert admin is not None
    app = web.Application()
    mount_status_page(app, db, Settings(MAALBOT_DATA_DIR=tmp), signer=signer, clock=lambda: NOW)
    url = signer.link("/status", person_scope(admin), NOW).removeprefix(signer.base_url)
    times: list[float] = []
    cpu: list[float] = []  # the whole process: client, server and the database's thread
    size = 0
    async with TestClient(TestServer(app)) as client:
        for attempt in range(6):
            t0, c0 = time.perf_counter(), time.process_time()
            response = await client.get(url)
            body = await response.read()
            assert response.status == 200, body[:500]
            if attempt:
                times.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
            size = len(body)
    return statistics.median(times), statistics.median(cpu), size


async def profile_write(db: Database, fmt: str) -> None:
    from bot.reports import render_file
    from dialogs.texts import texts
    from reports.document import prepare

    data = await prepare(db, await build_export(db, now=NOW), "Benchmark Kommune", fmt)
    profiler = cProfile.Profile()
    profiler.enable()
    render_file(data, fmt, texts("da"))
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--institutions", type=int, nargs="+", default=[200, 1000, 5000])
    parser.add_argument("--database-url", help="a PostgreSQL server: a throwaway database is created on it")
    parser.add_argument("--profile", choices=FORMATS, help="also print a cProfile of writing this format")
    parser.add_argument("--formats", nargs="+", choices=FORMATS, default=list(FORMATS), help="only these exports")
    parser.add_argument("--keep", metavar="DIR", help="SQLite: generate each size once into DIR and reuse it")
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.institutions:
            print(f"{size} institutions:", flush=True)
            rows.append(await measure(size, args.database_url, tmp, args.profile, tuple(args.formats), args.keep))
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    database = "PostgreSQL" if args.database_url else "SQLite"
    print("\n| database | institutions | build_export (SQL statements) | export docx | export xlsx | html page |"
          " GET /status (admin) |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        cells = [
            f"{r[f][0]:.1f} s ({r[f][3]:.1f} s CPU), {r[f][1]:.0f} MB peak, {r[f][2]:.2f} MB" if f in r else "–"
            for f in FORMATS
        ]
        wall, cpu, size = r["status"]
        page = f"{wall:.0f} ms ({cpu:.0f} ms CPU), {size / 1000:.0f} KB"
        print(f"| {database} | {r['size']:,} | {r['build']:.2f} s ({r['statements']}) | " + " | ".join(cells)
              + f" | {page} |")  # fmt: skip
    print(f"\nself peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    asyncio.run(main())
