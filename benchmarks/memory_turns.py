"""Does `maalbot serve` keep memory flat over many turns? Slack and Teams DMs through the real routes.

    .venv/bin/python benchmarks/memory_turns.py --turns 100000 --every 10000
    .venv/bin/python benchmarks/memory_turns.py --turns 20000 --every 2000 --tracemalloc   # where it grows

One process: maalbot's aiohttp app (`bot.web.build_app`, Slack configured and Teams in development mode)
served on 127.0.0.1, the fake Slack Web API and Bot Connector of `tests.fakes`, and an aiohttp client that
sends one turn at a time, alternating a signed Slack `message.im` event (POST /slack/events) and a Teams
personal `message` activity (POST /api/messages). `--people` chairs of generated boards (half on each
platform) walk through the default strategy's registration script again and again, so every turn is a real
one (inbox row, the turn's transaction, outbox rows, the deliverer, the fake platform's answer); the database
is a SQLite file in a temporary directory (its page cache is bounded by SQLite).

Every `--every` turns it prints the resident set size (now, not the peak, from /proc/self/statm), the number
of objects the garbage collector tracks and, with `--tracemalloc`, the traced Python heap; at the end the
growth per turn after the first sample, the object types whose count grew most, and with `--tracemalloc`
the source lines whose allocations grew most between the first and the last sample (where to look for
something kept per turn)."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import resource
import tempfile
import time
import tracemalloc
from collections import Counter
from dataclasses import dataclass

from aiohttp import ClientSession
from channel_turns import (
    NOW,
    SIGNING_SECRET,
    _repo_on_path,
    post_slack,
    post_teams,
    prepare_db,
    serve,
    slack_body,
    teams_activity,
)

PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_mb() -> float:
    """The resident set size now (not the peak)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE / 1e6


@dataclass
class Sample:
    turns: int
    seconds: float
    rss_mb: float
    objects: int
    traced_mb: float | None
    types: Counter[str]


def sample(turns: int, started: float, traced: bool) -> Sample:
    gc.collect()
    heap = tracemalloc.get_traced_memory()[0] / 1e6 if traced else None
    objects = gc.get_objects()
    types = Counter(f"{type(o).__module__}.{type(o).__qualname__}" for o in objects)
    return Sample(turns, time.perf_counter() - started, rss_mb(), len(objects), heap, types)


def show(s: Sample) -> None:
    heap = f"  traced heap {s.traced_mb:7.1f} MB" if s.traced_mb is not None else ""
    print(
        f"{s.turns:8d} turns  {s.seconds:7.0f} s  RSS {s.rss_mb:7.1f} MB  gc objects {s.objects:9d}{heap}", flush=True
    )


async def run(args: argparse.Namespace) -> None:
    _repo_on_path()
    for name in ("SLACK_APP_TOKEN", "MICROSOFT_APP_ID", "MICROSOFT_APP_PASSWORD"):
        os.environ.pop(name, None)
    from bot.settings import Settings
    from bot.slack.app import SLACK_KEY
    from bot.web import SERVICE_KEY, build_app
    from tests.fakes.bot_connector import FakeBotConnector
    from tests.fakes.slack_api import FakeSlackApi

    fake = await FakeSlackApi().start()
    connector = await FakeBotConnector().start()
    os.environ.update(SLACK_BOT_TOKEN="xoxb-bench", SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=fake.api_url)
    os.environ["MAALBOT_REMINDERS"] = "off"  # a digest due during the run would add posts to the fakes
    with tempfile.TemporaryDirectory() as tmp:
        db, chairs, lines = await prepare_db(tmp, args.people)
        chairs = chairs[: args.people]
        slack_users: dict[int, str] = {}
        teams_users: dict[int, str] = {}
        for n, chair in enumerate(chairs):
            if n % 2 == 0:
                slack_users[n] = f"U{n:06d}"
                fake.add_user(slack_users[n], chair.email, chair.name)
            else:
                teams_users[n] = f"29:bench-{n}"
                connector.add_member(teams_users[n], chair.name, chair.email)
        app = build_app(Settings(), db, dev=True)
        app[SERVICE_KEY].clock = lambda: NOW
        slack = app[SLACK_KEY]
        runner, url = await serve(app)
        # turn i: person (i // len(lines)) % people says line i % len(lines); the platforms alternate by person
        position = [0] * len(chairs)
        samples: list[Sample] = []
        silent: list[int] = []  # turns the platform got no answer for
        async with ClientSession() as http:

            async def turn(i: int) -> None:
                person = i % len(chairs)
                text = lines[position[person] % len(lines)]
                position[person] += 1
                if person in slack_users:
                    await post_slack(http, url, slack_body(slack_users[person], text))
                    await slack.drain()
                    answered = len(fake.posted())
                else:
                    await post_teams(http, url, teams_activity(connector.url, teams_users[person], text))
                    answered = len(connector.posted())
                if not answered:
                    silent.append(i)
                fake.clear()  # the fakes record every call: forget them, so only the bot's memory is measured
                connector.reset()

            for i in range(args.warmup):
                await turn(i)
            if args.tracemalloc:
                tracemalloc.start(args.frames)
            started = time.perf_counter()
            samples.append(sample(0, started, args.tracemalloc))
            show(samples[-1])
            first_snapshot = tracemalloc.take_snapshot() if args.tracemalloc else None
            for i in range(args.turns):
                await turn(args.warmup + i)
                if args.seconds and time.perf_counter() - started > args.seconds and (i + 1) % args.every == 0:
                    samples.append(sample(i + 1, started, args.tracemalloc))
                    show(samples[-1])
                    print(f"stopped after {args.seconds:.0f} s (--seconds), at {i + 1} turns", flush=True)
                    break
                if (i + 1) % args.every == 0:
                    samples.append(sample(i + 1, started, args.tracemalloc))
                    show(samples[-1])
            last_snapshot = tracemalloc.take_snapshot() if args.tracemalloc else None
        await runner.cleanup()  # also closes the database
    await fake.stop()
    await connector.stop()
    print(f"turns without an answer: {len(silent)} of {args.warmup + args.turns}")
    report(samples, first_snapshot, last_snapshot)


def report(samples: list[Sample], first: tracemalloc.Snapshot | None, last: tracemalloc.Snapshot | None) -> None:
    if len(samples) < 3:
        return
    # growth from the second sample on (the first interval still fills caches: SQLite's, the interpreter's)
    a, b = samples[1], samples[-1]
    turns = b.turns - a.turns
    print(
        f"from turn {a.turns} to {b.turns}: RSS {b.rss_mb - a.rss_mb:+.1f} MB "
        f"({(b.rss_mb - a.rss_mb) * 1e3 / turns:+.3f} KB per turn), gc objects {b.objects - a.objects:+d} "
        f"({(b.objects - a.objects) / turns:+.3f} per turn)"
        + (f", traced heap {(b.traced_mb or 0) - (a.traced_mb or 0):+.2f} MB" if a.traced_mb is not None else "")
        + f"; {turns / (b.seconds - a.seconds):.0f} turns/s; peak RSS "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )
    grown = (b.types - a.types).most_common(12)
    if grown:
        print("object types (tracked by the garbage collector) that grew most:")
        for name, n in grown:
            print(f"  {n:+8d}  {name}")
    if first is not None and last is not None:
        print("allocations that grew most between the first and the last sample:")
        for stat in last.compare_to(first, "traceback")[:12]:
            print(f"  {stat.size_diff / 1e3:+9.1f} KB  {stat.count_diff:+7d} blocks")
            for line in stat.traceback.format()[-2 * 6 :]:
                print("      " + line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--turns", type=int, default=100_000)
    parser.add_argument("--every", type=int, default=10_000, help="turns between samples")
    parser.add_argument("--people", type=int, default=40, help="chairs talking in turn (half Slack, half Teams)")
    parser.add_argument("--warmup", type=int, default=500, help="turns before the first sample")
    parser.add_argument("--seconds", type=float, default=0, help="stop at the first sample after this long")
    parser.add_argument("--tracemalloc", action="store_true", help="trace Python allocations (slower)")
    parser.add_argument("--frames", type=int, default=6, help="traceback depth kept by tracemalloc")
    args = parser.parse_args()
    if args.people < 2 or args.every < 1:
        parser.error("--people must be at least 2 and --every at least 1")
    # the Agents SDK warns «App ID is not provided» on every turn in development mode: one line is enough
    logging.getLogger("microsoft_agents").setLevel(logging.ERROR)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
