"""The committee exports at municipality scale: build the export, then write the DOCX, the XLSX and the
printable HTML page, for many institutions.

    .venv/bin/python benchmarks/export_scale.py --institutions 1000
    .venv/bin/python benchmarks/export_scale.py --institutions 5000 --database-url postgresql://USER@HOST/db

Generates `--institutions` institutions in 20 areas in a fresh SQLite file (or the given, empty,
migrated PostgreSQL database); three of four have a submitted registration with one local goal per
strategic goal of the default strategy (two interventions and a measurement each), the rest a draft.
Reports the number of SQL statements `build_export` ran, the time of each step, the file sizes and
the peak RSS."""

from __future__ import annotations

import argparse
import asyncio
import resource
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import event

from bot.reports import render_html
from dialogs.strategy import DEFAULT_STRATEGY_FILE, load_strategy_file
from dialogs.texts import texts
from reports.committee_docx import write_docx
from reports.document import add_time_plan
from reports.texts import report_texts
from reports.xlsx import write_xlsx
from storage.db import Database
from storage.export import build_export
from storage.migrate import upgrade
from storage.models import Area, Institution, Intervention, LocalGoal, Measurement, Registration
from storage.strategies import save_strategy

NOW = datetime(2026, 11, 29, 17, tzinfo=UTC)


async def seed(db: Database, institutions: int, areas: int = 20) -> None:
    async with db.transaction() as s:
        strategy, _ = await save_strategy(s, load_strategy_file(DEFAULT_STRATEGY_FILE).model_dump(mode="json"))
        area_rows = [Area(name=f"Område {a:02d}", name_key=f"område {a:02d}") for a in range(areas)]
        s.add_all(area_rows)
        await s.flush()
        for i in range(institutions):
            inst = Institution(name=f"Institution {i:05d}", name_key=f"institution {i:05d}", kind="skole",
                               area_id=area_rows[i % areas].id)  # fmt: skip
            s.add(inst)
            await s.flush()
            reg = Registration(institution_id=inst.id, strategy_id=strategy.id,
                               status="submitted" if i % 4 else "draft", submitted_at=NOW)  # fmt: skip
            s.add(reg)
            await s.flush()
            for number in range(1, 5):
                lg = LocalGoal(registration_id=reg.id, goal_number=number, position=1,
                               text=f"Lokalt mål {number} for institution {i}", answers={})  # fmt: skip
                s.add(lg)
                await s.flush()
                s.add_all([Intervention(local_goal_id=lg.id, question_key="interventions", position=p,
                                        text=f"Indsats {p}") for p in (1, 2)])  # fmt: skip
                s.add(Measurement(local_goal_id=lg.id, question_key="measurement", method="Trivselsmåling",
                                  when_text="marts", dates=["2027-03-01"]))  # fmt: skip


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--institutions", type=int, default=1000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{tmp}/export.db"
        db = Database(url)
        await upgrade(db)
        t0 = time.perf_counter()
        await seed(db, args.institutions)
        print(f"seeded {args.institutions} institutions in {time.perf_counter() - t0:.1f} s")
        statements = 0

        def counted(*_: object) -> None:
            nonlocal statements
            statements += 1

        event.listen(db.engine.sync_engine, "before_cursor_execute", counted)
        t0 = time.perf_counter()
        data = await add_time_plan(db, await build_export(db, now=NOW))
        built = time.perf_counter() - t0
        event.remove(db.engine.sync_engine, "before_cursor_execute", counted)
        print(f"build_export: {statements} SQL statements, {built:.2f} s")
        tx = report_texts(texts("da"))
        for name, write in (
            ("docx", lambda out: write_docx(data, out, texts=tx)),
            ("xlsx", lambda out: write_xlsx(data, out, texts=tx)),
            ("html", lambda out: out.write_text(render_html(data, texts("da")), encoding="utf-8")),
        ):
            out = Path(tmp) / f"udvalget.{name}"
            t0 = time.perf_counter()
            write(out)
            print(f"{name}: {time.perf_counter() - t0:.2f} s, {out.stat().st_size / 1e6:.1f} MB")
        await db.dispose()
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    asyncio.run(main())
