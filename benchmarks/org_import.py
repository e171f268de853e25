"""`maalbot org import` of a generated municipality: time, CPU and peak memory of the real command.

    .venv/bin/python benchmarks/org_import.py --institutions 200 1000 5000
    .venv/bin/python benchmarks/org_import.py --institutions 5000 --database-url postgresql://USER@HOST:PORT/postgres

Per size: the organisation file of `benchmarks/municipality.py` (N institutions in max(10, N/50) areas, a
leader and a board of six per institution, an area leader per area, two admins) written as YAML, a fresh
database (a SQLite file, or a throwaway database on the PostgreSQL server) brought to the schema with
`maalbot db upgrade`, then `maalbot org import FILE` twice, each in its own process: the first import
creates everything, the second finds nothing to change. Reported per run: wall time, CPU time (user +
system of the process) and its peak RSS; and, in this process, the CPU time of parsing the file alone."""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from municipality import org_yaml
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from storage.org_file import parse_org_file

ROOT = Path(__file__).resolve().parents[1]


def maalbot(url: str, *args: str) -> tuple[float, float, float, str]:
    """(wall s, CPU s, peak RSS MB, stdout) of `python -m bot.cli ARGS` in its own process, measured by
    GNU time: a child started straight from this process would report at least this process's RSS as its
    peak (Linux carries the peak over the fork and exec)."""
    done = subprocess.run(
        ["/usr/bin/time", "-f", "@@ %e %U %S %M", sys.executable, "-m", "bot.cli", *args],
        env={**os.environ, "DATABASE_URL": url}, cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"maalbot {' '.join(args)} failed: {done.stderr[-2000:]}")
    line = next(line for line in done.stderr.splitlines() if line.startswith("@@ "))
    wall, user, system, rss_kb = (float(x) for x in line.split()[1:])
    return wall, user + system, rss_kb / 1024, done.stdout.strip()


async def postgres_database(server_url: str) -> tuple[str, str]:
    base = make_url(server_url).set(drivername="postgresql+asyncpg")
    name = f"maalbot_org_{uuid.uuid4().hex[:8]}"
    admin = create_async_engine(base, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False), name


async def drop_postgres(server_url: str, name: str) -> None:
    admin = create_async_engine(make_url(server_url).set(drivername="postgresql+asyncpg"), isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    await admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--institutions", type=int, nargs="+", default=[200, 1000, 5000])
    parser.add_argument("--database-url", help="a PostgreSQL server: a throwaway database is created on it")
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.institutions:
            org = Path(tmp) / f"org-{size}.yaml"
            org.write_text(org_yaml(size), encoding="utf-8")
            c0 = time.process_time()
            parsed = parse_org_file(org)
            parse_cpu = time.process_time() - c0
            if args.database_url:
                url, name = asyncio.run(postgres_database(args.database_url))
            else:
                url, name = f"sqlite+aiosqlite:///{tmp}/org-{size}.db", ""
            try:
                maalbot(url, "db", "upgrade")
                first = maalbot(url, "org", "import", str(org))
                again = maalbot(url, "org", "import", str(org))
            finally:
                if name:
                    asyncio.run(drop_postgres(args.database_url, name))
            mb = org.stat().st_size / 1e6
            print(
                f"{size} institutions, {len(parsed.people)} people, {mb:.1f} MB: parse {parse_cpu:.2f} s CPU",
                flush=True,
            )
            for label, (wall, cpu, rss, out) in (("first", first), ("again", again)):
                print(f"  {label}: {wall:.1f} s wall, {cpu:.1f} s CPU, {rss:.0f} MB peak  | {out[-120:]}", flush=True)
            rows.append((size, len(parsed.people), mb, parse_cpu, first, again))
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    database = "PostgreSQL" if args.database_url else "SQLite"
    print("\n| database | institutions (people) | YAML | parse (in-process CPU) | first import | import again |")
    print("|---|---|---|---|---|---|")
    for size, people, mb, parse_cpu, first, again in rows:
        cells = [f"{w:.1f} s wall, **{c:.1f} s CPU**, {r:.0f} MB peak" for w, c, r, _ in (first, again)]
        print(f"| {database} | {size:,} ({people:,}) | {mb:.1f} MB | {parse_cpu:.2f} s | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
