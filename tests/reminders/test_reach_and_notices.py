"""Reaching people who never wrote to the bot (a notifier that finds people by email), and the
scheduler delivering pending notices («ready for the chair», «submitted», approvals) by DM.

Recording notifiers, injected time and a pacer that never waits."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from sqlalchemy import delete, select

from bot.delivery import (
    ConsoleNotifier,
    FindsPeople,
    LookupUnavailable,
    Notifier,
    RecordingNotifier,
    SendResult,
    deliver_notices,
)
from bot.scheduler import Pacer, TickReport, tick
from dialogs.messages import Reply
from storage import conversations
from storage.models import Identity, Notice
from tests.reminders.conftest import Demo, local

FATIMA = "fatima.ali@demo.maalbot.dk"
MONDAY = local(2026, 3, 2, 9, 0)


@dataclass
class FindingNotifier(RecordingNotifier):
    """A recording notifier that can also find people by email (like Slack's users.lookupByEmail)."""

    directory: dict[str, str] = field(default_factory=dict)
    unavailable: int = 0  # the next n look-ups answer «not now»
    looked_up: list[str] = field(default_factory=list)

    async def find_person(self, email: str) -> str | None:
        self.looked_up.append(email)
        if self.unavailable:
            self.unavailable -= 1
            raise LookupUnavailable(SendResult.transient("users.lookupByEmail: ratelimited", retry_after=90))
        return self.directory.get(email)


async def run(demo: Demo, notifiers: list[Notifier], now: datetime = MONDAY) -> TickReport:
    async def no_sleep(_seconds: float) -> None:
        return None

    return await tick(
        demo.db, notifiers, now, instance_id="t", sleep=no_sleep, pacer=Pacer(no_sleep, clock=lambda: 0.0)
    )


async def forget_identity(demo: Demo, email: str) -> int:
    person_id = await demo.person_id(email)
    async with demo.db.transaction() as s:
        await s.execute(delete(Identity).where(Identity.person_id == person_id))
    return person_id


async def identities(demo: Demo, person_id: int) -> set[tuple[str, str]]:
    async with demo.db.transaction() as s:
        rows = await s.execute(select(Identity.platform, Identity.user_key).where(Identity.person_id == person_id))
        return {(platform, key) for platform, key in rows.all()}


async def nudge_status(demo: Demo, person_id: int) -> str:
    (status,) = [r[3] for r in await demo.rows("nudge") if r[1] == f"person:{person_id}"]
    return status


# -- reaching people who never wrote ----------------------------------------------------------------------


def test_only_notifiers_with_find_person_find_people() -> None:
    assert isinstance(FindingNotifier("slack"), FindsPeople)
    assert not isinstance(RecordingNotifier("teams"), FindsPeople)
    assert not isinstance(ConsoleNotifier(), FindsPeople)


async def test_someone_who_never_wrote_is_found_by_email_linked_and_nudged(demo_sqlite: Demo) -> None:
    demo = demo_sqlite
    fatima = await forget_identity(demo, FATIMA)
    slack = FindingNotifier("slack", directory={FATIMA: "UFOUND"})
    report = await run(demo, [slack])
    (nudge,) = slack.to("UFOUND")
    assert "Solsikken" in nudge.replies[0].text
    assert await nudge_status(demo, fatima) == "sent"
    assert slack.looked_up == [FATIMA]  # everyone else has met the bot already
    assert await identities(demo, fatima) == {("slack", "UFOUND")}
    assert report.failed == 0

    # the next week she is known: no look-up
    slack.looked_up.clear()
    await run(demo, [slack], MONDAY + timedelta(days=7))
    assert slack.looked_up == []
    assert len(slack.to("UFOUND")) == 2


async def test_the_notifiers_are_asked_in_their_order(demo_sqlite: Demo) -> None:
    demo = demo_sqlite
    fatima = await forget_identity(demo, FATIMA)
    plain = RecordingNotifier("console-less")  # cannot find people: skipped
    first = FindingNotifier("slack", directory={})  # does not know her
    second = FindingNotifier("other", directory={FATIMA: "O-1"})
    third = FindingNotifier("third", directory={FATIMA: "T-1"})
    await run(demo, [plain, first, second, third])
    assert first.looked_up == [FATIMA] and second.looked_up == [FATIMA] and third.looked_up == []
    assert len(second.to("O-1")) == 1
    assert await identities(demo, fatima) == {("other", "O-1")}


async def test_nobody_knows_her_she_is_unreachable(demo_sqlite: Demo) -> None:
    demo = demo_sqlite
    fatima = await forget_identity(demo, FATIMA)
    slack = FindingNotifier("slack")
    report = await run(demo, [slack])
    assert report.failed == 1
    assert await nudge_status(demo, fatima) == "failed"
    assert await identities(demo, fatima) == set()


async def test_a_look_up_that_cannot_answer_now_is_tried_again_on_a_later_tick(demo_sqlite: Demo) -> None:
    demo = demo_sqlite
    fatima = await forget_identity(demo, FATIMA)
    slack = FindingNotifier("slack", directory={FATIMA: "UFOUND"}, unavailable=1)
    report = await run(demo, [slack])
    assert report.retried == 1 and report.failed == 0
    assert await nudge_status(demo, fatima) == "pending"
    assert slack.to("UFOUND") == []

    await run(demo, [slack], MONDAY + timedelta(seconds=60))  # Retry-After (90 s) is honoured
    assert slack.looked_up == [FATIMA]
    await run(demo, [slack], MONDAY + timedelta(seconds=91))
    assert len(slack.to("UFOUND")) == 1
    assert await nudge_status(demo, fatima) == "sent"


# -- notices -----------------------------------------------------------------------------------------------


async def weekly_round_done(demo: Demo) -> None:
    """Monday's digests and nudges are out: later ticks that week have only notices to send."""
    await run(demo, [demo.slack, demo.teams])
    demo.slack.sent.clear()
    demo.teams.sent.clear()


async def add_notice(demo: Demo, email: str, kind: str = "submitted") -> int:
    person_id = await demo.person_id(email)
    async with demo.db.transaction() as s:
        await conversations.add_notice(s, person_id, kind, {"name": "Line Mørch", "institution": "Solsikken"})
    return person_id


async def undelivered(demo: Demo) -> list[int]:
    async with demo.db.transaction() as s:
        return list((await s.scalars(select(Notice.person_id).where(Notice.delivered_at.is_(None)))).all())


async def test_the_tick_delivers_pending_notices_by_dm(demo_sqlite: Demo) -> None:
    demo = demo_sqlite
    await weekly_round_done(demo)
    fatima = await add_notice(demo, FATIMA)
    report = await run(demo, [demo.slack, demo.teams], local(2026, 3, 3, 10, 0))
    (sent,) = demo.slack.sent
    assert (sent.kind, sent.target) == ("person", f"U{fatima}")
    assert [r.kind for r in sent.replies] == ["notice"]
    assert "Line Mørch" in sent.replies[0].text and "Solsikken" in sent.replies[0].text
    assert report.notices == 1
    assert await undelivered(demo) == []
    assert demo.teams.sent == []  # nobody has a Teams identity here

    await run(demo, [demo.slack, demo.teams], local(2026, 3, 3, 10, 1))
    assert len(demo.slack.sent) == 1  # delivered once


async def test_notices_are_not_held_for_working_time(demo_sqlite: Demo) -> None:
    demo = demo_sqlite
    await weekly_round_done(demo)
    await add_notice(demo, FATIMA)
    report = await run(demo, [demo.slack], local(2026, 3, 7, 22, 0))  # Saturday evening
    assert report.held == "outside working time"
    assert report.notices == 1 and len(demo.slack.sent) == 1


async def test_a_transient_failure_leaves_the_notice_for_the_next_tick(demo_sqlite: Demo) -> None:
    demo = demo_sqlite
    await weekly_round_done(demo)
    fatima = await add_notice(demo, FATIMA)
    demo.slack.script(f"U{fatima}", SendResult.transient("ratelimited"))
    report = await run(demo, [demo.slack], local(2026, 3, 3, 10, 0))
    assert report.notices == 0 and demo.slack.sent == []
    assert await undelivered(demo) == [fatima]
    await run(demo, [demo.slack], local(2026, 3, 3, 10, 1))
    assert [s.target for s in demo.slack.sent] == [f"U{fatima}"]
    assert await undelivered(demo) == []


async def test_a_notifier_that_raises_is_like_a_transient_failure(demo_sqlite: Demo) -> None:
    demo = demo_sqlite
    fatima = await add_notice(demo, FATIMA)

    class Broken(RecordingNotifier):
        async def send_to_person(self, user_key: str, replies: list[Reply]) -> SendResult:
            raise RuntimeError("boom")

    result = await deliver_notices(demo.db, Broken("slack"))
    assert (result.sent, result.retried, result.failed) == (0, 1, 0)
    assert await undelivered(demo) == [fatima]


async def test_a_permanent_failure_is_logged_and_not_retried(
    demo_sqlite: Demo, caplog: pytest.LogCaptureFixture
) -> None:
    demo = demo_sqlite
    fatima = await add_notice(demo, FATIMA)
    demo.slack.script(f"U{fatima}", SendResult.permanent("cannot_dm_bot"))
    with caplog.at_level(logging.WARNING, logger="maalbot.delivery"):
        result = await deliver_notices(demo.db, demo.slack)
    assert (result.sent, result.retried, result.failed) == (0, 0, 1)
    assert f"notices to person {fatima} on slack could not be delivered: cannot_dm_bot" in caplog.text
    assert FATIMA not in caplog.text
    assert await undelivered(demo) == []
    assert (await deliver_notices(demo.db, demo.slack)).failed == 0  # not tried again


async def test_the_console_keeps_notices_for_the_next_message(demo_sqlite: Demo) -> None:
    demo = demo_sqlite
    fatima = await add_notice(demo, FATIMA)
    async with demo.db.transaction() as s:
        s.add(Identity(person_id=fatima, platform="console", user_key=FATIMA))
    result = await deliver_notices(demo.db, ConsoleNotifier())
    assert result.sent == 0
    assert await undelivered(demo) == [fatima]


async def test_each_person_gets_all_their_notices_in_one_dm_in_order(demo_sqlite: Demo) -> None:
    demo = demo_sqlite
    fatima = await add_notice(demo, FATIMA, "ready_for_chair")
    await add_notice(demo, FATIMA, "submitted")
    result = await deliver_notices(demo.db, demo.slack, default_locale="en")
    assert result.sent == 1
    (sent,) = demo.slack.to(f"U{fatima}")
    assert [r.kind for r in sent.replies] == ["notice", "notice"]
    assert "it is ready for you to submit" in sent.replies[0].text
    assert "has submitted the registration for Solsikken" in sent.replies[1].text


async def test_notices_are_not_delivered_until_the_platform_accepted_them(demo_sqlite: Demo) -> None:
    """A crash while sending must not lose them: during the send they are still undelivered (only
    claimed), and a second round at the same moment does not send them again."""
    demo = demo_sqlite
    fatima = await add_notice(demo, FATIMA)
    seen_during_send: list[list[int]] = []
    second_round: list[int] = []

    class Watching(RecordingNotifier):
        async def send_to_person(self, user_key: str, replies: list[Reply]) -> SendResult:
            seen_during_send.append(await undelivered(demo))
            second_round.append((await deliver_notices(demo.db, demo.slack)).sent)
            return await super().send_to_person(user_key, replies)

    result = await deliver_notices(demo.db, Watching("slack"))
    assert result.sent == 1
    assert seen_during_send == [[fatima]]  # not marked delivered before the send
    assert second_round == [0] and demo.slack.sent == []  # claimed: a concurrent round leaves them
    assert await undelivered(demo) == []
