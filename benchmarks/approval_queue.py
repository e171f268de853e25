"""The administration's approval reads at municipality scale: «til godkendelse» and «vis <institution>».

    .venv/bin/python benchmarks/approval_queue.py --institutions 200     # also 1000; SQLite in a temp dir

Generates the municipality of `municipality.py` (2 in 5 registrations submitted, each with four local
goals), spreads the submitted ones' times over the last weeks and marks one in ten «changed after submit»
with a snapshot to compare with, then asks as an admin: «til godkendelse» (the first 15 and the total) and
«vis» of the institution waiting longest. Reported: the median of 5 answers in ms, and what the reply
weighs as Slack messages and Teams cards (the renderers' own output)."""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
from datetime import timedelta
from pathlib import Path

from municipality import MONDAY, chat_answer, generate, person_with
from sqlalchemy import select, update

from dialogs.overview import LeaderQuery, Overview
from storage import snapshots
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Institution, Registration, Role


async def prepare(db: Database) -> str:
    async with db.transaction() as s:
        rows = (
            await s.execute(
                select(Registration.id, Institution.name)
                .join(Institution, Institution.id == Registration.institution_id)
                .where(Registration.status == "submitted")
                .order_by(Registration.id)
            )
        ).all()
        for n, (reg_id, _) in enumerate(rows):
            changed = n % 10 == 0
            at = MONDAY - timedelta(hours=len(rows) - n)
            await s.execute(
                update(Registration)
                .where(Registration.id == reg_id)
                .values(submitted_at=at, changed_after_submit=changed)
            )
            if changed:
                content = await snapshots.current_content(s, reg_id)
                await snapshots.take(s, reg_id, snapshots.SUBMITTED, content[1:], version=0, now=at)
    return str(rows[0][1])


async def main(institutions: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite+aiosqlite:///{Path(tmp) / 'approval.db'}")
        await upgrade(db)
        print(await generate(db, institutions))
        oldest = await prepare(db)
        overview = Overview(db)
        admin = await person_with(db, Role.ADMIN)
        for name, query in (
            ("til godkendelse", LeaderQuery("queue")),
            (f"vis {oldest}", LeaderQuery("status", oldest)),
        ):
            await chat_answer(overview, admin, query)  # warm
            answers = [await chat_answer(overview, admin, query) for _ in range(5)]
            a = answers[-1]
            print(
                f"{institutions} institutions, admin «{name}»: {statistics.median(x.ms for x in answers):.0f} ms; "
                f"Slack {a.slack_messages} message(s), {a.slack_bytes / 1e3:.1f} KB; "
                f"Teams {a.teams_cards} card(s), {a.teams_bytes / 1e3:.1f} KB"
            )
        await db.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--institutions", type=int, default=200)
    asyncio.run(main(parser.parse_args().institutions))
