"""Sending: retries, permanent failures, pacing, exactly once with two schedulers, the CLI and the loop."""

from __future__ import annotations

import argparse
import asyncio
import io
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bot.cli_remind import add_remind_parser, run_remind
from bot.delivery import ConsoleNotifier, Notifier, RecordingNotifier, SendResult
from bot.scheduler import Pacer, run_loop, start_scheduler, tick
from dialogs.messages import Reply
from dialogs.reminders.model import InstitutionInfo
from dialogs.reminders.render import CHUNK, progress_table
from dialogs.strategy import load_strategy_file
from dialogs.texts import texts
from storage import outbox
from storage.db import Database
from storage.models import Area
from storage.outbox import MAX_ATTEMPTS, STALE_CLAIM, NewItem
from tests.reminders.conftest import Demo, load_demo, local, write_strategy

FATIMA = "fatima.ali@demo.maalbot.dk"


async def test_a_transient_failure_is_retried_with_backoff(demo_sqlite: Demo) -> None:
    demo = demo_sqlite
    demo.slack.script("#maal-nord", SendResult.transient("rate limited", retry_after=30))
    report = await demo.tick(local(2026, 3, 2, 9, 0))
    assert report.retried == 1
    async with demo.db.transaction() as s:
        north = await s.scalar(select(Area.id).where(Area.name == "Område Nord"))
    pending = [r for r in await demo.rows("digest") if r[3] == "pending"]
    assert pending == [("digest", f"area:{north}:slack", "2026-W10", "pending")]
    await demo.tick(local(2026, 3, 2, 9, 0) + timedelta(seconds=30))  # backoff is at least a minute
    assert demo.slack.to("#maal-nord") == []
    await demo.tick(local(2026, 3, 2, 9, 1))
    assert len(demo.slack.to("#maal-nord")) == 1
    assert {r[3] for r in await demo.rows("digest")} == {"sent"}


async def test_transient_failures_are_bounded(demo_sqlite: Demo) -> None:
    demo = demo_sqlite
    demo.slack.script("#maal-syd", *[SendResult.transient("503")] * (MAX_ATTEMPTS + 2))
    now = local(2026, 3, 2, 9, 0)
    for _ in range(MAX_ATTEMPTS + 2):
        await demo.tick(now)
        now += timedelta(hours=1)
    syd = [r for r in await demo.rows("digest") if r[3] != "sent"]
    assert [r[3] for r in syd] == ["failed"]
    assert demo.slack.attempts - len(demo.slack.sent) == MAX_ATTEMPTS


async def test_a_permanent_failure_is_reported_in_the_admins_next_digest(demo_sqlite: Demo) -> None:
    demo = demo_sqlite
    fatima = await demo.person_id(FATIMA)
    demo.slack.script(f"U{fatima}", SendResult.permanent("user_not_found"))
    report = await demo.tick(local(2026, 3, 2, 9, 0))
    assert report.failed == 1
    admin = await demo.person_id("admin@demo.maalbot.dk")
    await demo.tick(local(2026, 3, 9, 9, 0))
    digest = demo.slack.to(f"U{admin}")[-1]
    unreachable = digest.replies[-1]
    assert unreachable.text == "Jeg kunne ikke nå frem til 1 modtager i denne uge:"
    assert unreachable.facts == (("Fatima Ali", "permanent: user_not_found"),)


async def test_someone_never_seen_on_any_platform_is_unreachable(demo_sqlite: Demo) -> None:
    demo = demo_sqlite
    report = await tick(demo.db, [RecordingNotifier("teams")], local(2026, 3, 2, 9, 0), instance_id="x")
    assert report.failed == 20 + 1  # the board members and the admin: nobody has a Teams identity
    assert report.sent == 1  # the Teams channel of Område Nord
    assert report.skipped == 2  # the Slack channels: no Slack notifier


async def test_pacing_keeps_one_message_per_second_per_slack_channel() -> None:
    slept: list[float] = []
    clock = [0.0]

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += seconds

    pacer = Pacer(sleep, clock=lambda: clock[0])
    await pacer.wait("slack", "#nord", 3)  # a digest of three messages
    await pacer.wait("slack", "#syd", 1)  # another channel: no wait
    await pacer.wait("slack", "#nord", 1)
    await pacer.wait("teams", "19:x", 1)
    await pacer.wait("teams", "19:x", 1)
    await pacer.wait("console", "x", 5)
    assert slept == [pytest.approx(3.0), pytest.approx(1 / 7)]


def test_the_digest_is_split_into_small_replies() -> None:
    strategy = load_strategy_file(Path(__file__).resolve().parents[2] / "dialogs" / "strategies" / "almen.yaml")
    rows = [InstitutionInfo(i, f"Institution {i:02d}", 1, "draft", None, {1: 1}) for i in range(45)]
    replies = progress_table(texts("da"), strategy, "Status", rows)
    assert [len(r.facts) for r in replies] == [CHUNK, CHUNK, 5 + 1]
    assert replies[-1].facts[-1] == ("I alt", "0 af 45 har sendt ind · 1: 0/45  2: 0/45  3: 0/45  4: 0/45")
    assert replies[0].facts[0] == ("Institution 00", "1 ◐  2 ✗  3 ✗  4 ✗ · i gang")
    assert all(len(r.text) + sum(len(a) + len(b) for a, b in r.facts) < 3000 for r in replies)


class PacedNotifier(RecordingNotifier):
    """A send takes a few milliseconds, as a platform's answer does: the second scheduler claims while the
    first one sends (an instant fake let the first send a whole round before the second had planned)."""

    async def send_to_person(self, user_key: str, replies: list[Reply]) -> SendResult:
        await asyncio.sleep(0.01)
        return await super().send_to_person(user_key, replies)

    async def send_to_channel(self, channel: str, replies: list[Reply]) -> SendResult:
        await asyncio.sleep(0.01)
        return await super().send_to_channel(channel, replies)


WEEKS = 6  # the sixth Monday is Easter Monday (2026-04-06): that round goes on the Tuesday


async def test_two_schedulers_on_postgresql_deliver_every_item_exactly_once(pg_db: Database, tmp_path: Path) -> None:
    await load_demo(pg_db, write_strategy(tmp_path))
    other = Database(make_url(pg_db.url).render_as_string(hide_password=False))
    first = [PacedNotifier("slack"), PacedNotifier("teams")]
    second = [PacedNotifier("slack"), PacedNotifier("teams")]

    async def no_sleep(_seconds: float) -> None:
        return None

    total = 0
    try:
        monday = local(2026, 3, 2, 9, 0)
        for week in range(WEEKS):
            now = monday + timedelta(weeks=week)
            if now.astimezone(UTC).date() in (date(2026, 4, 6), date(2026, 5, 25)):
                now += timedelta(days=1)  # Easter Monday and Whit Monday: the digest goes on Tuesday

            async def joining(now: datetime = now) -> None:  # "b" ticks while "a" is sending the round
                while not any(n.sent for n in first):
                    await asyncio.sleep(0.001)
                await tick(other, second, now, instance_id="b", sleep=no_sleep, batch=2)

            await asyncio.wait_for(
                asyncio.gather(tick(pg_db, first, now, instance_id="a", sleep=no_sleep, batch=2), joining()), 60
            )
            this_round = [(n.platform, s.target, s.replies[0].text) for n in first + second for s in n.sent]
            assert max(Counter(this_round).values()) == 1, week  # nobody got the same message twice
            total += len(this_round)
            for n in first + second:
                n.sent.clear()
    finally:
        await other.dispose()
    async with pg_db.transaction() as s:
        rows = await outbox.items(s)
    assert len(rows) > WEEKS * 20
    assert {r.status for r in rows} == {"sent"}
    assert total == len(rows)  # every row sent once: no duplicates, nothing lost
    assert {r.claimed_by for r in rows} == {"a", "b"}


async def test_remind_dry_run_prints_what_would_be_sent_and_writes_nothing(demo_sqlite: Demo) -> None:
    parser = argparse.ArgumentParser()
    add_remind_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["remind", "--now", "--dry-run", "--at", "2026-03-02T09:00"])
    out = io.StringIO()
    assert await run_remind(args, demo_sqlite.db, out=out) == 0
    text = out.getvalue()
    assert "would send [digest] to #maal-nord (Område Nord)" in text
    assert "would send [nudge] to Camilla Dahl" in text and "Solsikken, Ærøvej Skole not submitted" in text
    assert await demo_sqlite.rows() == []


async def test_remind_without_notifiers_refuses_unless_console(demo_sqlite: Demo) -> None:
    parser = argparse.ArgumentParser()
    add_remind_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["remind", "--now", "--at", "2026-03-02T09:00"])
    assert await run_remind(args, demo_sqlite.db) == 1
    out = io.StringIO()
    args = parser.parse_args(["remind", "--now", "--console", "--at", "2026-03-02T09:00"])
    assert await run_remind(args, demo_sqlite.db, out=out) == 0
    assert "--- in #maal-nord ---" in out.getvalue() and "24 sent" in out.getvalue()


async def test_the_loop_ticks_and_stops(demo_sqlite: Demo) -> None:
    slack = RecordingNotifier("slack")
    naps: list[float] = []

    async def sleep(seconds: float) -> None:
        naps.append(seconds)
        if len(naps) >= 3:
            raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        await run_loop(
            demo_sqlite.db, lambda: [slack], instance_id="loop", clock=lambda: local(2026, 3, 2, 9, 0), sleep=sleep
        )
    assert len(slack.to("#maal-nord")) == 1
    assert naps.count(60.0) == 3


async def test_start_scheduler_registers_startup_and_cleanup(demo_sqlite: Demo) -> None:
    app = web.Application()
    printed = io.StringIO()
    notifiers: list[Notifier] = [ConsoleNotifier(printed)]
    napping = asyncio.Event()
    naps: list[float] = []

    async def sleep(seconds: float) -> None:
        naps.append(seconds)
        napping.set()
        await asyncio.Event().wait()  # until cancelled: no real time passes

    start_scheduler(app, demo_sqlite.db, notifiers, clock=lambda: local(2026, 3, 2, 9, 0), sleep=sleep)
    await app.on_startup[-1](app)
    (task,) = [t for t in asyncio.all_tasks() if t.get_name() == "maalbot-reminders"]
    await napping.wait()  # one tick ran, and the loop waits for the next
    assert naps == [60.0]
    assert "--- in #maal-nord ---" in printed.getvalue()
    assert {status for *_, status in await demo_sqlite.rows("digest")} == {"sent"}
    await app.on_cleanup[0](app)
    assert task.cancelled()


def test_outbox_backoff_doubles_to_an_hour() -> None:
    assert [outbox.backoff(n).total_seconds() for n in (1, 2, 3, 7, 20)] == [60, 120, 240, 3600, 3600]


async def test_a_stale_claim_is_taken_over_and_the_old_holder_may_not_send_it(demo_sqlite: Demo) -> None:
    db, monday = demo_sqlite.db, local(2026, 3, 2, 9, 0)
    async with db.transaction() as s:
        await outbox.enqueue(s, [NewItem("test", "person:1", "p", monday, {})], monday)
    (first,) = await outbox.claim_due(db, monday, "a")
    assert await outbox.claim_due(db, monday + STALE_CLAIM, "b") == []  # not stale yet
    (second,) = await outbox.claim_due(db, monday + STALE_CLAIM + timedelta(seconds=1), "b")
    assert (second.id, second.attempts) == (first.id, 2)
    assert not await outbox.renew_claim(db, first.id, "a", monday + timedelta(minutes=16))
    assert not await outbox.mark_sent(db, first.id, "a", monday + timedelta(minutes=16))
    assert await outbox.renew_claim(db, first.id, "b", monday + timedelta(minutes=16))
    assert await outbox.mark_sent(db, first.id, "b", monday + timedelta(minutes=16))
    assert await demo_sqlite.rows("test") == [("test", "person:1", "p", "sent")]


async def test_a_slow_round_does_not_send_what_another_instance_took_over(demo_sqlite: Demo) -> None:
    """Instance a claims everything at 09:00, then its first send hangs for 16 minutes; meanwhile b takes
    the stale claims over and sends them. Only the message that was in flight may go out twice."""
    db, monday = demo_sqlite.db, local(2026, 3, 2, 9, 0)
    clock = [0.0]
    b_slack = RecordingNotifier("slack")

    class HangingSlack(RecordingNotifier):
        async def hang_once(self) -> None:
            if not self.attempts:  # the first send hangs; b runs its round in the meantime
                clock[0] += 16 * 60
                await tick(db, [b_slack], monday + timedelta(minutes=16), instance_id="b")

        async def send_to_person(self, user_key: str, replies: list[Reply]) -> SendResult:
            await self.hang_once()
            return await super().send_to_person(user_key, replies)

        async def send_to_channel(self, channel: str, replies: list[Reply]) -> SendResult:
            await self.hang_once()
            return await super().send_to_channel(channel, replies)

    async def no_sleep(_seconds: float) -> None:
        return None

    a_slack = HangingSlack("slack")
    report = await tick(db, [a_slack], monday, instance_id="a", pacer=Pacer(no_sleep, clock=lambda: clock[0]))
    rows = await demo_sqlite.rows()
    assert rows and {status for *_, status in rows} <= {"sent", "skipped"}
    both = [(s.kind, s.target, s.replies) for s in a_slack.sent + b_slack.sent]
    twice = [sent for sent, n in Counter(both).items() if n > 1]
    assert len(twice) == 1 and len(a_slack.sent) == 1  # a sent only the message that was in flight
    assert len(b_slack.sent) == len([r for r in rows if r[3] == "sent"])
    assert report.sent == 1
    assert sum("left to the instance that took it over" in line for line in report.lines) > 20
