"""A whole municipality at once: reminder ticks, leaders' answers in chat, the status page, org import.

    .venv/bin/python benchmarks/scale.py --municipality --institutions 5000          # SQLite
    .venv/bin/python benchmarks/scale.py --municipality --institutions 5000 --database-url postgresql://...

Generates `--institutions` institutions in one area per 50 (at least 10), each with a leader and a board
of six (a chair and five members), an area leader per area, two admins and a Slack channel per area;
then registrations written straight into the tables: two in five institutions submitted (four local goals,
one with a measurement date that is due), one in five in draft (two local goals), the rest not started.
The strategy is the built-in one with its deadline moved to three days after the benchmark's Monday, so the
weekly digests, nudges, the 3-day escalation and the follow-ups are all due at once (the worst tick).

Measured: the org import; scheduler ticks (planning and enqueueing; no notifiers, so nothing is sent):
everything new, nothing new, one after a member joined and a board submitted, nothing new, and the first
tick of a fresh process (a restart: the plan is in the outbox already), each with the payload bytes it
wrote and the slowest of an area leader's «status» answers asked every 20 ms while the tick ran; an
admin's «status» and «hvem mangler?» (time, Slack messages and bytes, Teams cards and bytes); GET /status
as an admin (time, bytes)."""

from __future__ import annotations

import asyncio
import json
import resource
import shutil
import statistics
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from aiohttp.test_utils import TestClient, TestServer
from aiohttp.web import Application
from sqlalchemy import func, insert, select, update

from bot.scheduler import Planning, tick
from bot.settings import Settings
from bot.slack.render import render_messages
from bot.status_page import mount_status_page
from bot.teams.render import render_cards
from dialogs.links import LinkSigner
from dialogs.links_chat import STATUS_PATH, person_scope
from dialogs.overview import LeaderQuery, Overview
from dialogs.strategy import DEFAULT_STRATEGY_FILE, load_strategy_file
from dialogs.texts import texts
from storage.db import Database
from storage.migrate import upgrade
from storage.models import (
    Institution,
    LocalGoal,
    Measurement,
    Membership,
    OutboxBody,
    OutboxItem,
    Person,
    Registration,
    Role,
)
from storage.org import import_org
from storage.org_file import parse_org_yaml
from storage.strategies import save_strategy

MONDAY = datetime(2026, 11, 30, 8, 5, tzinfo=UTC)  # 09:05 in Copenhagen
DEADLINE = date(2026, 12, 3)
BOARD = 6  # a chair and five members


def org_yaml(institutions: int) -> str:
    areas = max(10, institutions // 50)
    out: list[dict[str, Any]] = []
    for a in range(areas):
        insts = []
        for i in range(a, institutions, areas):
            board = [
                {"name": f"Person {i:05d}-{m}", "email": f"p{i:05d}.{m}@kommune.maalbot.dk"}
                | ({"role": "chair"} if m == 0 else {})
                for m in range(BOARD)
            ]
            leader = [{"name": f"Leder {i:05d}", "email": f"l{i:05d}@kommune.maalbot.dk"}]
            kind = "skole" if i % 3 == 0 else "dagtilbud"
            insts.append({"name": f"Institution {i:05d}", "kind": kind, "leaders": leader, "board": board})
        out.append(
            {
                "name": f"Område {a + 1:03d}",
                "slack_channel": f"#omraade-{a + 1:03d}",
                "leaders": [{"name": f"Områdeleder {a + 1:03d}", "email": f"a{a + 1:03d}@kommune.maalbot.dk"}],
                "institutions": insts,
            }
        )
    admins = [{"name": f"Admin {n}", "email": f"admin{n}@kommune.maalbot.dk"} for n in (1, 2)]
    return yaml.safe_dump({"municipality": "Storkommune", "admins": admins, "areas": out}, allow_unicode=True)


async def registrations(db: Database, strategy_id: int) -> tuple[int, int]:
    """Submitted and draft registrations with local goals, inserted in bulk (no turns)."""
    async with db.transaction() as s:
        ids = list((await s.scalars(select(Institution.id).order_by(Institution.id))).all())
        rows = [
            {"institution_id": inst, "strategy_id": strategy_id, "status": "submitted" if n % 5 < 2 else "draft",
             "created_at": MONDAY, "updated_at": MONDAY}
            for n, inst in enumerate(ids) if n % 5 < 3
        ]  # fmt: skip
        await s.execute(insert(Registration), rows)
        regs = (await s.execute(select(Registration.id, Registration.status))).all()
        goals = [
            {"registration_id": reg, "goal_number": g, "position": 1, "text": f"Lokalt mål {g}", "answers": {},
             "updated_at": MONDAY}
            for reg, status in regs for g in ((1, 2, 3, 4) if status == "submitted" else (1, 2))
        ]  # fmt: skip
        await s.execute(insert(LocalGoal), goals)
        first = (await s.execute(select(LocalGoal.id).where(LocalGoal.goal_number == 1, LocalGoal.position == 1))).all()
        due = (MONDAY - timedelta(days=1)).date().isoformat()
        measurements = [
            {"local_goal_id": lg, "question_key": "measurement", "method": "Trivselsmåling", "dates": [due]}
            for (lg,) in first[: len(first) // 3]
        ]
        await s.execute(insert(Measurement), measurements)
        submitted = sum(1 for _, status in regs if status == "submitted")
        return submitted, len(regs) - submitted


async def person_with(db: Database, role: Role) -> int:
    async with db.transaction() as s:
        found = await s.scalar(select(Membership.person_id).where(Membership.role == role.value).limit(1))
    assert found is not None
    return int(found)


@dataclass
class Answer:
    ms: float
    slack_messages: int
    slack_bytes: int
    teams_cards: int
    teams_bytes: int


async def chat_answer(overview: Overview, person_id: int, query: LeaderQuery) -> Answer:
    started = time.perf_counter()
    replies = await overview.answer(person_id, query, "da")
    ms = (time.perf_counter() - started) * 1000
    slack = render_messages(replies)
    cards = render_cards(replies, texts("da"))
    slack_bytes = sum(len(json.dumps({"text": m.text, "blocks": m.blocks}).encode()) for m in slack)
    teams_bytes = sum(len(json.dumps(c).encode()) for c in cards)
    return Answer(ms, len(slack), slack_bytes, len(cards), teams_bytes)


async def payload_bytes(db: Database) -> int:
    """The JSON the outbox holds: its rows' payloads and the texts they share (`storage.outbox_bodies`)."""
    async with db.transaction() as s:
        payloads = (await s.scalars(select(OutboxItem.payload))).all()
        bodies = (await s.scalars(select(OutboxBody.replies))).all()
    return sum(len(json.dumps(p).encode()) for p in [*payloads, *bodies])


async def tick_with_turns(
    db: Database, overview: Overview, leader: int, now: datetime, planning: Planning, ask_status: bool = True
) -> tuple[Any, float, float, float]:
    """One tick (no notifiers: plan and enqueue) with what `serve` keeps between ticks, and the slowest
    area-leader «status» meanwhile. Returns the report, wall seconds, CPU seconds of the whole process
    (the tick's worker thread included, the asker too) and the slowest answer."""
    latencies: list[float] = []
    done = asyncio.Event()

    async def ask() -> None:
        while ask_status and not done.is_set():
            t0 = time.perf_counter()
            await overview.answer(leader, LeaderQuery("status"), "da")
            latencies.append(time.perf_counter() - t0)
            await asyncio.sleep(0.02)

    async def watch_loop() -> None:  # how long the event loop was held at a time (a 5 ms sleep overslept)
        while not done.is_set():
            t0 = time.perf_counter()
            await asyncio.sleep(0.005)
            held.append(time.perf_counter() - t0 - 0.005)

    held: list[float] = []
    asker, watcher = asyncio.create_task(ask()), asyncio.create_task(watch_loop())
    t0, cpu0 = time.perf_counter(), time.process_time()
    report = await tick(db, [], now, instance_id="bench", planning=planning)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    done.set()
    await asker
    await watcher
    LOOP_HELD.append(max(held, default=0.0))
    return report, elapsed, cpu, max(latencies, default=0.0)


LOOP_HELD: list[float] = []  # per tick: the longest the event loop was held (`tick_with_turns`)


async def board_changes(db: Database) -> None:
    """Between two ticks: a new member joins a board that has not submitted, and a draft is submitted
    (its version bumped, as every saved change does)."""
    async with db.transaction() as s:
        draft = (
            await s.execute(select(Registration.id, Registration.institution_id).where(Registration.status == "draft"))
        ).first()
        behind = await s.scalar(
            select(Institution.id).where(~Institution.id.in_(select(Registration.institution_id))).limit(1)
        )
        assert draft is not None and behind is not None
        await s.execute(
            update(Registration)
            .where(Registration.id == draft[0])
            .values(status="submitted", version=Registration.version + 1, updated_at=MONDAY)
        )
        newcomer = Person(name="Ny Forælder", email="ny@kommune.maalbot.dk", email_key="ny@kommune.maalbot.dk")
        s.add(newcomer)
        await s.flush()
        s.add(Membership(person_id=newcomer.id, role=Role.MEMBER.value, institution_id=behind))


async def status_page(db: Database, admin: int) -> tuple[float, int]:
    signer = LinkSigner(b"x" * 32, "http://127.0.0.1", timedelta(hours=1))
    app = Application()
    mount_status_page(app, db, Settings(), signer=signer, clock=lambda: MONDAY)
    url = signer.link(STATUS_PATH, person_scope(admin), MONDAY)
    async with TestClient(TestServer(app)) as client:
        path = url.removeprefix("http://127.0.0.1")
        times, size = [], 0
        for _ in range(3):
            t0 = time.perf_counter()
            response = await client.get(path)
            body = await response.read()
            times.append(time.perf_counter() - t0)
            assert response.status == 200, response.status
            size = len(body)
    return statistics.median(times) * 1000, size


async def generate(db: Database, institutions: int) -> str:
    """The strategy, the organisation (through the org import, which is measured) and the registrations."""
    definition = load_strategy_file(DEFAULT_STRATEGY_FILE).model_dump(mode="json")
    definition["deadline"] = DEADLINE.isoformat()
    async with db.transaction() as s:
        strategy_id = (await save_strategy(s, definition))[0].id
    org = org_yaml(institutions)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    await import_org(db, parse_org_yaml(org))
    imported = time.perf_counter() - t0
    rss_import = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    submitted, drafts = await registrations(db, strategy_id)
    return (
        f"{submitted} submitted, {drafts} in draft; org import {imported:.1f} s ({len(org) / 1e6:.1f} MB of "
        f"YAML, peak RSS {rss0:.0f} → {rss_import:.0f} MB)"
    )


async def run_municipality(
    url: str,
    institutions: int,
    *,
    sqlite_file: Path | None = None,
    keep: Path | None = None,
    only: str = "all",
    asker: bool = True,
) -> None:
    if keep is not None and sqlite_file is not None and keep.exists():
        shutil.copyfile(keep, sqlite_file)
        generated = f"reused {keep} (org import not measured)"
        db = Database(url)
        await upgrade(db)  # a file kept by an older version
    else:
        db = Database(url)
        await upgrade(db)
        generated = await generate(db, institutions)
        if keep is not None and sqlite_file is not None:
            await db.dispose()  # the last connection closed: SQLite has checkpointed the WAL into the file
            shutil.copyfile(sqlite_file, keep)
            db = Database(url)
    async with db.transaction() as s:
        people = int(await s.scalar(select(func.count(Person.id))) or 0)
        count = int(await s.scalar(select(func.count(Institution.id))) or 0)
    print(f"database: {db.dialect}; {count} institutions, {people} people; {generated}")
    overview = Overview(db)
    leader = await person_with(db, Role.AREA_LEADER)
    admin = await person_with(db, Role.ADMIN)
    planning = Planning.fresh()  # kept from tick to tick, as `serve`'s scheduler loop does
    ticks = (
        "everything new",  # more than `bot.scheduler.MAX_NEW` new: written over several ticks, a minute apart
        "nothing new",
        "one member joined, one board submitted",
        "nothing new",
        "a fresh process (a restart), nothing new",
    )
    now = MONDAY
    for n, label in enumerate(ticks):
        if n == 2:
            await board_changes(db)
        if n == 4:
            planning = Planning.fresh()  # what a restarted `serve` starts with: the plan is in the outbox
        part = 1
        while True:
            before = await payload_bytes(db)
            report, elapsed, cpu, slowest = await tick_with_turns(db, overview, leader, now, planning, asker)
            written = await payload_bytes(db) - before
            print(
                f"tick ({label}{f', part {part}' if part > 1 or report.deferred else ''}): {elapsed:.2f} s "
                f"(CPU {cpu:.2f} s), {report.planned} planned ({report.skipped_rounds} rounds skipped), "
                f"{report.enqueued} enqueued, {report.deferred} left for the next tick, {written / 1e6:.1f} MB of "
                f"payload written; slowest area-leader «status» during it {slowest * 1000:.0f} ms; event loop "
                f"held at most {LOOP_HELD[-1] * 1000:.0f} ms at a time",
                flush=True,
            )
            now += timedelta(minutes=1)
            part += 1
            if not report.deferred:
                break
    if only == "ticks":
        await db.dispose()
        return
    for name, query in (("status", LeaderQuery("status")), ("hvem mangler?", LeaderQuery("missing"))):
        await chat_answer(overview, admin, query)  # warm
        a = await chat_answer(overview, admin, query)
        print(
            f"admin «{name}»: {a.ms:.0f} ms; Slack {a.slack_messages} message(s), {a.slack_bytes / 1e3:.1f} KB; "
            f"Teams {a.teams_cards} card(s), {a.teams_bytes / 1e3:.1f} KB"
        )
    ms, size = await status_page(db, admin)
    print(f"GET /status as admin: {ms:.0f} ms (median of 3), {size / 1e3:.0f} KB of HTML")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MB")
    await db.dispose()
