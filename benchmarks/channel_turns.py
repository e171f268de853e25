"""What one DM turn costs through the real HTTP routes, against the framework floor.

    .venv/bin/python benchmarks/channel_turns.py [--turns 300] [--channel slack|teams|both] [--runs 3]
    .venv/bin/python benchmarks/channel_turns.py --concurrency 20 --turns 1000 [--database-url postgresql://...]

For each channel four things are measured, each in its own process (so peak RSS is its own):

- slack floor: a bare slack-bolt `AsyncApp` that echoes every DM with `say` (chat.postMessage);
- slack maalbot: maalbot's aiohttp app (`bot.web.build_app`), a signed `message.im` event at POST /slack/events;
- teams floor: a bare Agents SDK `CloudAdapter` + agent that echoes with `send_activity`;
- teams maalbot: maalbot's app in development mode, a personal `message` activity at POST /api/messages.

Everything runs on 127.0.0.1 in one process per measurement: the app served by aiohttp, the fake platform
API (`tests.fakes`: Slack Web API, Bot Connector), and an aiohttp client sending one turn at a time. A turn
ends when the bot has finished it and every reply has been accepted by the fake API: for Slack (which is
answered before the work is done) when the work after the acknowledgement is done, for Teams when the
HTTP answer arrives (replies are sent inside the turn). maalbot's turns are real: the demo organisation
plus generated boards, each chair walking through the whole default strategy (the script of
`conversation_turns.py`), on a SQLite file in a temporary directory. Warm-up turns are not counted.
With --runs N every figure is the median of N runs."""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import logging
import math
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from aiohttp import ClientSession, web
from conversation_turns import script

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "bot" / "data" / "demo_org.yaml"
SIGNING_SECRET = "bench-signing-secret"
NOW = datetime(2026, 11, 24, 9, tzinfo=UTC)
VARIANTS = ("floor", "maalbot")


def _repo_on_path() -> None:
    """`tests.fakes` is not an installed package: make the repository importable."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


@dataclass
class Result:
    channel: str
    variant: str
    turns: int
    seconds: float
    p50_ms: float
    p95_ms: float
    max_ms: float
    peak_rss_mb: float
    replies: int  # messages the fake API accepted during the measured turns
    checks: str  # what was verified at the end
    transactions: int = 0  # database transactions during the measured turns (maalbot only)
    statements: int = 0  # SQL statements during the measured turns (maalbot only)
    cpu_s: float = 0.0  # process CPU (user + system) during the measured turns: bot, fake API and client
    loop_cpu_s: float = 0.0  # of which the event loop's thread (the rest: aiosqlite's thread, the SDKs' threads)

    @property
    def cpu_ms_per_turn(self) -> float:
        return self.cpu_s * 1000 / self.turns

    @property
    def turns_per_s(self) -> float:
        return self.turns / self.seconds


def summarise(channel: str, variant: str, latencies: list[float], seconds: float, replies: int, checks: str) -> Result:
    q = statistics.quantiles(latencies, n=100)
    return Result(
        cpu_s=MEASURED_CPU[0],
        loop_cpu_s=MEASURED_CPU[1],
        channel=channel,
        variant=variant,
        turns=len(latencies),
        seconds=seconds,
        p50_ms=q[49] * 1000,
        p95_ms=q[94] * 1000,
        max_ms=max(latencies) * 1000,
        peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        replies=replies,
        checks=checks,
    )


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}"


MEASURED_CPU = [0.0, 0.0]  # CPU seconds of the last `timed` run's measured turns: process, event loop's thread
PROFILE: dict[str, str] = {}  # "path": where `timed` writes a cProfile of the measured turns (--profile)


async def timed(turns: list[Callable[[], Awaitable[None]]], warmup: int) -> tuple[list[float], float]:
    """Run the turns one after the other; the first `warmup` ones are not measured."""
    for turn in turns[:warmup]:
        await turn()
    latencies: list[float] = []
    profiler = None
    if PROFILE.get("path"):
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    cpu, loop_cpu = time.process_time(), time.thread_time()
    started = time.perf_counter()
    for turn in turns[warmup:]:
        t0 = time.perf_counter()
        await turn()
        latencies.append(time.perf_counter() - t0)
    MEASURED_CPU[:] = [time.process_time() - cpu, time.thread_time() - loop_cpu]
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(PROFILE["path"])
    return latencies, time.perf_counter() - started


# -- the people: the demo organisation plus generated boards, one chair per `len(script)` turns -------------
@dataclass(frozen=True)
class Chair:
    name: str
    email: str


def extra_org_yaml(count: int) -> str:
    institutions = [
        {
            "name": f"Benchmarkhuset {n:03d}",
            "kind": "dagtilbud",
            "board": [{"name": f"Formand {n:03d}", "email": f"bench{n:03d}.chair@demo.maalbot.dk", "role": "chair"}],
        }
        for n in range(1, count + 1)
    ]
    data = {"municipality": "Demo Kommune", "areas": [{"name": "Benchmarkområdet", "institutions": institutions}]}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


async def prepare_db(tmp: str, chairs_needed: int, url: str | None = None) -> tuple[Any, list[Chair], list[str]]:
    """A migrated SQLite file (or the database at `url`) with the default strategy, the demo org and enough
    extra boards. Returns the database, the chairs (warm-up chair first, then the demo chairs) and the script."""
    from dialogs.strategy import DEFAULT_STRATEGY_FILE, load_strategy_file
    from storage.db import Database
    from storage.migrate import upgrade
    from storage.org import import_org
    from storage.org_file import parse_org_file, parse_org_yaml
    from storage.strategies import save_strategy

    db = Database(url or f"sqlite+aiosqlite:///{tmp}/bench.db")
    await upgrade(db)
    strategy = load_strategy_file(DEFAULT_STRATEGY_FILE)
    async with db.transaction() as s:
        await save_strategy(s, strategy.model_dump(mode="json"))
    demo = parse_org_file(DEMO)
    await import_org(db, demo)
    names = {p.key: p.name for p in demo.people}
    demo_chairs = [Chair(names[m.email_key], m.email_key) for m in demo.memberships if m.role.value == "chair"]
    extra = max(0, chairs_needed - len(demo_chairs)) + 1
    generated = parse_org_yaml(extra_org_yaml(extra))
    await import_org(db, generated)
    gen_chairs = [Chair(p.name, p.key) for p in generated.people]
    return db, [gen_chairs[0], *demo_chairs, *gen_chairs[1:]], script(len(strategy.goals))


async def submitted_count(db: Any) -> int:
    from sqlalchemy import func, select

    from storage.models import Registration

    async with db.transaction() as s:
        count = await s.scalar(select(func.count()).select_from(Registration).where(Registration.status == "submitted"))
    return int(count or 0)


def turn_plan(chairs: list[Chair], lines: list[str], warmup: int, turns: int) -> list[tuple[int, str]]:
    """(chair index, text) for the warm-up (chair 0) and then the measured turns (chairs 1...)."""
    plan = [(0, lines[i % len(lines)]) for i in range(warmup)]
    measured = [(1 + i // len(lines), lines[i % len(lines)]) for i in range(turns)]
    return plan + measured


def complete_chairs(turns: int, lines: list[str]) -> int:
    return turns // len(lines)


SQL_LOG: dict[str, str] = {}  # "path": where the statements of a few measured turns are written (--sql-log)
SQL_LOG_TURNS = (0, 1, 2, 3)  # which measured turns (a chair's first answers)


def sql_log_start(sql: SqlCount, turn: int, warmup: int, text: str) -> None:
    if SQL_LOG.get("path") and turn - warmup in SQL_LOG_TURNS:
        sql.log = [f"== measured turn {turn - warmup}: {text[:40]!r}"]


def sql_log_end(sql: SqlCount) -> None:
    if sql.log is not None:
        with open(SQL_LOG["path"], "a", encoding="utf-8") as out:
            out.write("\n".join(sql.log) + "\n")
        sql.log = None


@dataclass
class SqlCount:
    """Transactions and statements, counted with SQLAlchemy's engine events."""

    transactions: int = 0
    statements: int = 0
    log: list[str] | None = None  # the statements themselves, while set (--sql-log)

    def install(self, db: Any) -> None:
        from sqlalchemy import event

        def begin(*_args: Any) -> None:
            self.transactions += 1
            if self.log is not None:
                self.log.append("-- transaction")

        def statement(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
            self.statements += 1
            if self.log is not None:
                self.log.append(" ".join(sql.split())[:300])

        event.listen(db.engine.sync_engine, "begin", begin)
        event.listen(db.engine.sync_engine, "before_cursor_execute", statement)

    def snapshot(self) -> tuple[int, int]:
        return self.transactions, self.statements


# -- Slack -------------------------------------------------------------------------------------------------
_event_ids = itertools.count(1)


def slack_body(user: str, text: str) -> str:
    from tests.fakes.slack_api import BOT_USER_ID, TEAM_ID

    now = time.time()
    return json.dumps(
        {
            "token": "unused",
            "team_id": TEAM_ID,
            "api_app_id": "A0MAALBOT",
            "type": "event_callback",
            "event_id": f"Ev{next(_event_ids):08d}",
            "event_time": int(now),
            "event": {
                "type": "message",
                "channel_type": "im",
                "channel": "D" + user,
                "user": user,
                "text": text,
                "ts": f"{now:.6f}",
                "event_ts": f"{now:.6f}",
            },
            "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
        },
        ensure_ascii=False,
    )


async def post_slack(http: ClientSession, url: str, body: str) -> None:
    from slack_sdk.signature import SignatureVerifier

    ts = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=ts, body=body),
    }
    async with http.post(f"{url}/slack/events", data=body.encode(), headers=headers) as response:
        await response.read()
        if response.status != 200:
            raise RuntimeError(f"Slack event answered {response.status}")


async def slack_floor(turns: int, warmup: int) -> Result:
    from slack_bolt.async_app import AsyncApp, AsyncSay
    from slack_sdk.web.async_client import AsyncWebClient

    from tests.fakes.slack_api import FakeSlackApi

    fake = await FakeSlackApi().start()
    session = ClientSession()  # one connection pool, as maalbot has
    bolt = AsyncApp(
        client=AsyncWebClient(token="xoxb-bench", base_url=fake.api_url, session=session),
        signing_secret=SIGNING_SECRET,
    )
    done: asyncio.Queue[None] = asyncio.Queue()

    @bolt.event("message")
    async def echo(event: dict[str, Any], say: AsyncSay) -> None:
        await say(text=str(event.get("text") or ""))
        done.put_nowait(None)  # the benchmark's signal that the turn is over

    runner, url = await serve(bolt.web_app(path="/slack/events"))
    async with ClientSession() as http:

        def turn(text: str) -> Callable[[], Awaitable[None]]:
            async def run() -> None:
                await post_slack(http, url, slack_body("U0BENCH", text))
                await done.get()

            return run

        lines = script(4)
        latencies, seconds = await timed([turn(lines[i % len(lines)]) for i in range(warmup + turns)], warmup)
    await runner.cleanup()
    await session.close()
    posted = len(fake.posted())
    await fake.stop()
    checks = f"{posted} echoes for {warmup + turns} events"
    if posted != warmup + turns:
        raise RuntimeError(checks)
    return summarise("slack", "floor", latencies, seconds, turns, checks)


async def slack_maalbot(turns: int, warmup: int) -> Result:
    from bot.settings import Settings
    from bot.slack.app import SLACK_KEY
    from bot.web import SERVICE_KEY, build_app
    from tests.fakes.slack_api import FakeSlackApi

    fake = await FakeSlackApi().start()
    os.environ.update(SLACK_BOT_TOKEN="xoxb-bench", SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=fake.api_url)
    os.environ["MAALBOT_REMINDERS"] = "off"  # a digest due during the run would add posts to the fake
    os.environ.pop("SLACK_APP_TOKEN", None)
    with tempfile.TemporaryDirectory() as tmp:
        db, chairs, lines = await prepare_db(tmp, 1 + math.ceil(turns / len(script(4))))
        users = [f"U{n:06d}" for n in range(len(chairs))]
        for user, chair in zip(users, chairs, strict=True):
            fake.add_user(user, chair.email, chair.name)
        app = build_app(Settings(), db)
        app[SERVICE_KEY].clock = lambda: NOW
        bot = app[SLACK_KEY]
        runner, url = await serve(app)
        plan = turn_plan(chairs, lines, warmup, turns)
        sent: list[int] = []  # messages per turn
        sql, per_turn_sql = SqlCount(), list[tuple[int, int]]()
        sql.install(db)
        async with ClientSession() as http:

            def turn(n: int, chair: int, text: str) -> Callable[[], Awaitable[None]]:
                async def run() -> None:
                    before, sql_before = len(fake.posted()), sql.snapshot()
                    sql_log_start(sql, n, warmup, text)
                    await post_slack(http, url, slack_body(users[chair], text))
                    await bot.drain()
                    sql_log_end(sql)
                    sent.append(len(fake.posted()) - before)
                    per_turn_sql.append((sql.transactions - sql_before[0], sql.statements - sql_before[1]))

                return run

            latencies, seconds = await timed([turn(n, c, t) for n, (c, t) in enumerate(plan)], warmup)
        submitted = await submitted_count(db)
        await runner.cleanup()  # also closes the database
    await fake.stop()
    measured_sql = (sum(t for t, _ in per_turn_sql[warmup:]), sum(n for _, n in per_turn_sql[warmup:]))
    return checked("slack", latencies, seconds, sent[warmup:], submitted, complete_chairs(turns, lines), measured_sql)


def checked(
    channel: str,
    latencies: list[float],
    seconds: float,
    sent: list[int],
    submitted: int,
    expected: int,
    sql: tuple[int, int],
) -> Result:
    """maalbot's result, after checking that the work was real: every turn answered, every board that got
    through the whole script submitted."""
    silent = sum(1 for n in sent if n == 0)
    checks = f"{submitted} of {expected} complete boards submitted; {silent} turns without an answer"
    if submitted < expected or silent:
        raise RuntimeError(checks)
    result = summarise(channel, "maalbot", latencies, seconds, sum(sent), checks)
    result.transactions, result.statements = sql
    return result


# -- Teams -------------------------------------------------------------------------------------------------
_activity_ids = itertools.count(1)


def teams_activity(connector_url: str, user: str, text: str) -> dict[str, Any]:
    return {
        "type": "message",
        "id": f"bench-{next(_activity_ids)}",
        "channelId": "msteams",
        "serviceUrl": connector_url,
        "from": {"id": user, "name": user, "aadObjectId": f"aad-{user}"},
        "recipient": {"id": "28:maalbot-app", "name": "Målbot"},
        "conversation": {"id": f"a:personal-{user}", "conversationType": "personal", "tenantId": "tenant-bench"},
        "channelData": {"tenant": {"id": "tenant-bench"}},
        "text": text,
    }


async def post_teams(http: ClientSession, url: str, activity: dict[str, Any]) -> None:
    async with http.post(f"{url}/api/messages", json=activity) as response:
        await response.read()
        if response.status not in (200, 201, 202):
            raise RuntimeError(f"Teams activity answered {response.status}")


async def teams_floor(turns: int, warmup: int) -> Result:
    from microsoft_agents.authentication.msal import MsalConnectionManager
    from microsoft_agents.hosting.aiohttp import CloudAdapter
    from microsoft_agents.hosting.core import AgentAuthConfiguration, TurnContext

    from tests.fakes.bot_connector import FakeBotConnector

    class Echo:
        async def on_turn(self, context: TurnContext) -> None:
            if context.activity.type == "message":
                await context.send_activity(context.activity.text or "")

    connector = await FakeBotConnector().start()
    anonymous = {"SERVICE_CONNECTION": AgentAuthConfiguration(anonymous_allowed=True)}  # no credentials
    adapter = CloudAdapter(connection_manager=MsalConnectionManager(connections_configurations=anonymous))
    agent = Echo()

    async def messages(request: web.Request) -> web.StreamResponse:
        response = await adapter.process(request, agent)
        return response if response is not None else web.Response(status=202)

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    runner, url = await serve(app)
    async with ClientSession() as http:

        def turn(text: str) -> Callable[[], Awaitable[None]]:
            async def run() -> None:
                await post_teams(http, url, teams_activity(connector.url, "29:bench", text))

            return run

        lines = script(4)
        latencies, seconds = await timed([turn(lines[i % len(lines)]) for i in range(warmup + turns)], warmup)
    await runner.cleanup()
    posted = len(connector.posted())
    await connector.stop()
    checks = f"{posted} echoes for {warmup + turns} activities"
    if posted != warmup + turns:
        raise RuntimeError(checks)
    return summarise("teams", "floor", latencies, seconds, turns, checks)


async def teams_maalbot(turns: int, warmup: int) -> Result:
    from bot.settings import Settings
    from bot.web import SERVICE_KEY, build_app
    from tests.fakes.bot_connector import FakeBotConnector

    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "MICROSOFT_APP_ID", "MICROSOFT_APP_PASSWORD"):
        os.environ.pop(name, None)
    os.environ["MAALBOT_REMINDERS"] = "off"
    connector = await FakeBotConnector().start()
    with tempfile.TemporaryDirectory() as tmp:
        db, chairs, lines = await prepare_db(tmp, 1 + math.ceil(turns / len(script(4))))
        users = [f"29:bench-{n}" for n in range(len(chairs))]
        for user, chair in zip(users, chairs, strict=True):
            connector.add_member(user, chair.name, chair.email)
        app = build_app(Settings(), db, dev=True)
        app[SERVICE_KEY].clock = lambda: NOW
        runner, url = await serve(app)
        plan = turn_plan(chairs, lines, warmup, turns)
        sent: list[int] = []  # activities per turn
        sql, per_turn_sql = SqlCount(), list[tuple[int, int]]()
        sql.install(db)
        async with ClientSession() as http:

            def turn(n: int, chair: int, text: str) -> Callable[[], Awaitable[None]]:
                async def run() -> None:
                    before, sql_before = len(connector.posted()), sql.snapshot()
                    sql_log_start(sql, n, warmup, text)
                    await post_teams(http, url, teams_activity(connector.url, users[chair], text))
                    sql_log_end(sql)
                    sent.append(len(connector.posted()) - before)
                    per_turn_sql.append((sql.transactions - sql_before[0], sql.statements - sql_before[1]))

                return run

            latencies, seconds = await timed([turn(n, c, t) for n, (c, t) in enumerate(plan)], warmup)
        submitted = await submitted_count(db)
        await runner.cleanup()  # also closes the database
    await connector.stop()
    measured_sql = (sum(t for t, _ in per_turn_sql[warmup:]), sum(n for _, n in per_turn_sql[warmup:]))
    return checked("teams", latencies, seconds, sent[warmup:], submitted, complete_chairs(turns, lines), measured_sql)


async def teams_concurrent(
    turns: int, warmup: int, concurrency: int, url: str | None, think: float = 0.0
) -> dict[str, Any]:
    """`concurrency` chairs typing at the same time in Teams (each waits for its answer before the next
    line, as a person does); a turn's latency is its HTTP request's, which Teams' route answers when the
    turn is done and its replies were accepted by the fake connector. `think` > 0: before each line a
    chair pauses for a random time between half and one and a half times `think` seconds (reading the
    answer, typing the next), from a fixed seed; 0: no pause (every chair sends its next line the moment
    its answer came: the process is saturated)."""
    from bot.settings import Settings
    from bot.web import SERVICE_KEY, build_app
    from tests.fakes.bot_connector import FakeBotConnector

    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "MICROSOFT_APP_ID", "MICROSOFT_APP_PASSWORD"):
        os.environ.pop(name, None)
    os.environ["MAALBOT_REMINDERS"] = "off"
    connector = await FakeBotConnector().start()
    per_chair = max(1, (warmup + turns) // concurrency)
    with tempfile.TemporaryDirectory() as tmp:
        db, chairs, lines = await prepare_db(tmp, concurrency * (1 + per_chair // len(script(4))), url)
        users = [f"29:bench-{n}" for n in range(len(chairs))]
        for user, chair in zip(users, chairs, strict=True):
            connector.add_member(user, chair.name, chair.email)
        app = build_app(Settings(), db, dev=True)
        app[SERVICE_KEY].clock = lambda: NOW
        runner, base = await serve(app)
        latencies: list[tuple[int, float]] = []  # (turn number of its conversation, seconds)
        async with ClientSession() as http:

            async def conversation(c: int) -> None:
                pauses = random.Random(c)
                for n in range(per_chair):
                    if think > 0:
                        await asyncio.sleep(pauses.uniform(think / 2, think * 3 / 2))
                    chair = 1 + c + concurrency * (n // len(lines))  # a new chair when one has finished
                    t0 = time.perf_counter()
                    await post_teams(http, base, teams_activity(connector.url, users[chair], lines[n % len(lines)]))
                    latencies.append((n, time.perf_counter() - t0))

            started, cpu = time.perf_counter(), time.process_time()
            await asyncio.gather(*(conversation(c) for c in range(concurrency)))
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        await runner.cleanup()
    await connector.stop()
    skip = warmup // concurrency
    measured = [t for n, t in latencies if n >= skip]
    q = statistics.quantiles(measured, n=100)
    return {
        "database": "postgresql" if url else "sqlite",
        "concurrency": concurrency,
        "think": think,
        "turns": len(measured),
        "turns_per_s": len(latencies) / seconds,
        "p50_ms": q[49] * 1000,
        "p95_ms": q[94] * 1000,
        "p99_ms": q[98] * 1000,
        "max_ms": max(measured) * 1000,
        "cpu_ms_per_turn": cpu * 1000 / len(latencies),  # every turn, warm-up included: the process's CPU
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "load": " ".join(f"{x:.1f}" for x in os.getloadavg()),
    }


async def with_database(database_url: str | None, run: Callable[[str | None], Awaitable[Any]]) -> Any:
    """`run(url)` on a throwaway database on the PostgreSQL server at `database_url` (created and dropped
    here), or on SQLite (None)."""
    if database_url is None:
        return await run(None)
    import asyncpg
    from sqlalchemy.engine import make_url

    from storage.db import normalise_url

    server = make_url(normalise_url(database_url))
    admin = server.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"maalbot_turns_{os.getpid()}"
    conn = await asyncpg.connect(admin)
    await conn.execute(f"CREATE DATABASE {name}")
    await conn.close()
    try:
        return await run(server.set(database=name).render_as_string(hide_password=False))
    finally:
        conn = await asyncpg.connect(admin)
        await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await conn.close()


RUNNERS: dict[str, Callable[[int, int], Awaitable[Result]]] = {
    "slack:floor": slack_floor,
    "slack:maalbot": slack_maalbot,
    "teams:floor": teams_floor,
    "teams:maalbot": teams_maalbot,
}


# -- the parent: one child process per measurement, medians over runs, the table -------------------------------
def measure(which: str, turns: int, warmup: int, profile: str | None = None, sql_log: str | None = None) -> Result:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", which, "--turns", str(turns)]
    cmd += ["--warmup", str(warmup)]
    if profile and which.endswith(":maalbot"):
        cmd += ["--profile", f"{profile}.{which.split(':')[0]}.prof"]
    if sql_log and which.endswith(":maalbot"):
        cmd += ["--sql-log", f"{sql_log}.{which.split(':')[0]}.sql"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=900, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"{which} failed:\n{done.stdout}{done.stderr}")
    return Result(**json.loads(done.stdout.strip().splitlines()[-1]))


def median_result(results: list[Result]) -> Result:
    first = results[0]

    def med(name: str) -> float:
        return float(statistics.median(getattr(r, name) for r in results))

    turns_per_s = statistics.median(r.turns_per_s for r in results)
    return Result(
        channel=first.channel,
        variant=first.variant,
        turns=first.turns,
        seconds=first.turns / turns_per_s,
        p50_ms=med("p50_ms"),
        p95_ms=med("p95_ms"),
        max_ms=med("max_ms"),
        peak_rss_mb=med("peak_rss_mb"),
        replies=first.replies,
        checks=first.checks,
        transactions=first.transactions,
        statements=first.statements,
        cpu_s=med("cpu_s"),
        loop_cpu_s=med("loop_cpu_s"),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--turns", type=int, default=300, help="measured turns per run and variant")
    parser.add_argument("--warmup", type=int, default=20, help="turns before measuring (not counted)")
    parser.add_argument("--channel", choices=("slack", "teams", "both"), default="both")
    parser.add_argument("--runs", type=int, default=1, help="runs per measurement; figures are medians")
    parser.add_argument("--child", choices=sorted(RUNNERS), help=argparse.SUPPRESS)
    parser.add_argument(
        "--concurrency",
        type=int,
        default=1,
        help="more than 1: that many Teams conversations at once through maalbot (no floor), with p99",
    )
    parser.add_argument("--database-url", default=None, help="with --concurrency: a PostgreSQL server to use")
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="with --concurrency: each person pauses 0.5-1.5 times this many seconds before a line (0: none)",
    )
    parser.add_argument("--profile", metavar="PATH", help="cProfile the measured maalbot turns: PATH.<channel>.prof")
    parser.add_argument("--sql-log", metavar="PATH", help="the statements of a few measured turns: PATH.<channel>.sql")
    args = parser.parse_args()
    if args.profile:
        PROFILE["path"] = args.profile
    if args.sql_log:
        SQL_LOG["path"] = args.sql_log
    if args.turns < 2 or args.runs < 1:
        parser.error("--turns must be at least 2 and --runs at least 1")
    _repo_on_path()
    if args.concurrency > 1:
        logging.getLogger("microsoft_agents").setLevel(logging.ERROR)  # «App ID is not provided» every turn
        result = asyncio.run(
            with_database(
                args.database_url,
                lambda url: teams_concurrent(args.turns, args.warmup, args.concurrency, url, args.think),
            )
        )
        print(
            f"teams, {result['database']}, {result['concurrency']} conversations at once "
            f"(pause before a line {result['think']:.1f} s on average): {result['turns']} turns, "
            f"{result['turns_per_s']:.0f} turns/s; p50 {result['p50_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms, "
            f"p99 {result['p99_ms']:.1f} ms, max {result['max_ms']:.1f} ms; "
            f"CPU {result['cpu_ms_per_turn']:.2f} ms/turn; peak RSS {result['peak_rss_mb']:.0f} MB; "
            f"load average {result['load']}"
        )
        return
    if args.child:
        result = asyncio.run(RUNNERS[args.child](args.turns, args.warmup))
        print(json.dumps(asdict(result)))
        return
    channels = ("slack", "teams") if args.channel == "both" else (args.channel,)
    runs: dict[str, list[Result]] = {f"{c}:{v}": [] for c in channels for v in VARIANTS}
    for n in range(args.runs):
        for which in runs:  # floor and maalbot alternate, so a noisy moment hits both
            result = measure(which, args.turns, args.warmup, args.profile, args.sql_log)
            runs[which].append(result)
            print(
                f"run {n + 1}/{args.runs} {which:14} {result.turns_per_s:7.1f} turns/s  p50 {result.p50_ms:6.2f} ms  "
                f"CPU {result.cpu_ms_per_turn:6.2f} ms/turn (loop {result.loop_cpu_s * 1000 / result.turns:.2f})  "
                f"p95 {result.p95_ms:6.2f} ms  RSS {result.peak_rss_mb:4.0f} MB  ({result.checks})",
                flush=True,
            )
    print()
    print(f"{args.turns} turns per run, {args.runs} run(s), medians; one turn at a time over loopback")
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} at the end")
    print(
        "| channel | bot | turns/s | p50 ms | p95 ms | max ms | CPU ms/turn | peak RSS MB | messages/turn "
        "| tx/turn | SQL/turn |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    medians = {which: median_result(results) for which, results in runs.items()}
    for r in medians.values():
        print(
            f"| {r.channel} | {r.variant} | {r.turns_per_s:.0f} | {r.p50_ms:.1f} | {r.p95_ms:.1f} | {r.max_ms:.1f} "
            f"| {r.cpu_ms_per_turn:.2f} | {r.peak_rss_mb:.0f} | {r.replies / r.turns:.2f} "
            f"| {r.transactions / r.turns:.1f} | {r.statements / r.turns:.1f} |"
        )
    for channel in channels:
        floor, bot = medians[f"{channel}:floor"], medians[f"{channel}:maalbot"]
        print(
            f"{channel}: maalbot/floor = {floor.turns_per_s / bot.turns_per_s:.1f}x time per turn "
            f"(p50 {bot.p50_ms / floor.p50_ms:.1f}x, p95 {bot.p95_ms / floor.p95_ms:.1f}x)"
        )


if __name__ == "__main__":
    main()
