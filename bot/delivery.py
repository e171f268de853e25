"""How the scheduler hands messages to a platform: the `Notifier` protocol, and two notifiers that
are not a platform (the console/log notifier, and a recording fake for tests).

A notifier sends already rendered, neutral replies (`dialogs.messages.Reply`) as one message each,
in order, and says how it went:

- `ok`: the platform accepted every reply;
- `transient`: try again later (429, 5xx, a timeout); `retry_after` in seconds if the platform said;
- `permanent`: it will not work by retrying (blocked, unknown user, channel gone, bot not in channel).

A notifier does not retry on its own beyond what its client does for a single call, and it does not
pace between calls: the scheduler paces (about 1 message per second per Slack channel, about 7 per
second per Teams conversation) and retries transient failures on later ticks with backoff."""

from __future__ import annotations

import logging
import sys
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol, TextIO, runtime_checkable

from dialogs.messages import Reply
from dialogs.notices import render_notice
from dialogs.texts import texts
from storage import conversations, people
from storage.db import Database
from storage.types import utcnow

log = logging.getLogger("maalbot.delivery")


class SendStatus(StrEnum):
    OK = "ok"
    TRANSIENT = "transient"
    PERMANENT = "permanent"


@dataclass(frozen=True, slots=True)
class SendResult:
    status: SendStatus
    error: str | None = None
    retry_after: float | None = None  # seconds, when the platform said (Retry-After)

    @classmethod
    def ok(cls) -> SendResult:
        return cls(SendStatus.OK)

    @classmethod
    def transient(cls, error: str, retry_after: float | None = None) -> SendResult:
        return cls(SendStatus.TRANSIENT, error, retry_after)

    @classmethod
    def permanent(cls, error: str) -> SendResult:
        return cls(SendStatus.PERMANENT, error)


@runtime_checkable
class Notifier(Protocol):
    """One platform's way of writing first. `platform` is the same string as `Identity.platform`
    ("slack", "teams", "console"), so the scheduler can find a person's user key there."""

    platform: str

    async def send_to_person(self, user_key: str, replies: list[Reply]) -> SendResult:
        """A direct message to the person with this platform user id."""
        ...

    async def send_to_channel(self, channel: str, replies: list[Reply]) -> SendResult:
        """A post in a channel (Slack channel id or name, Teams channel/conversation id)."""
        ...


class LookupUnavailable(Exception):
    """`find_person` could not ask right now (rate limited, 5xx, no connection): try again later.
    `result` is the transient `SendResult` the scheduler records for the item."""

    def __init__(self, result: SendResult) -> None:
        super().__init__(result.error or "look-up unavailable")
        self.result = result


@runtime_checkable
class FindsPeople(Protocol):
    """An optional capability of a notifier: find a person's user key on its platform by their email,
    so someone who has never written to the bot can still be reached (Slack: users.lookupByEmail).
    Teams cannot (it needs roster data): a Teams member is reached once they have written to the bot
    or the bot has been installed for them."""

    platform: str

    async def find_person(self, email: str) -> str | None:
        """The user key of the platform user with this email; None when there is none (or the platform
        says no for good). Raises `LookupUnavailable` when it cannot tell right now."""
        ...


def finds_people(notifier: object) -> FindsPeople | None:
    return notifier if isinstance(notifier, FindsPeople) else None


# -- notices: «ready for the chair», «submitted», approvals ---------------------------------------------

NOTICE_PLATFORMS_SKIPPED = frozenset({"console"})  # the console shows them on the person's next message


@dataclass
class NoticeReport:
    sent: int = 0  # people who got their notices
    retried: int = 0  # people whose notices are left for the next round (a transient failure)
    failed: int = 0  # people whose notices could not be delivered (a permanent failure; logged)


async def deliver_notices(
    db: Database,
    notifier: Notifier,
    *,
    default_locale: str = "da",
    before_send: Callable[[str, int], Awaitable[None]] | None = None,
) -> NoticeReport:
    """DM every person with undelivered notices and an identity on `notifier.platform` (one message
    per person, in their language). Notices are claimed before sending, so two rounds at once never
    both send them, and marked delivered only after the platform accepted them: a crash while sending
    leaves them undelivered (the claim is taken over after a few minutes). A transient failure releases
    them for the next round; a permanent one is logged and they count as delivered (the person still
    sees the state of the registration when they next write). `before_send(user_key, messages)` paces."""
    report = NoticeReport()
    if notifier.platform in NOTICE_PLATFORMS_SKIPPED:
        return report
    batch: list[tuple[int, str, list[int], list[Reply]]] = []
    async with db.transaction() as s:
        for person, user_key in await people.people_with_notices(s, notifier.platform):
            rows = await conversations.claim_notices(s, person.id, utcnow())
            if rows:
                t = texts(person.locale or default_locale)
                replies = [Reply(render_notice(t, n.kind, n.params), kind="notice") for n in rows]
                batch.append((person.id, user_key, [n.id for n in rows], replies))
    for person_id, user_key, notice_ids, replies in batch:
        if before_send is not None:
            await before_send(user_key, len(replies))
        try:
            result = await notifier.send_to_person(user_key, replies)
        except Exception as exc:  # a notifier bug or an unexpected client error: like a transient failure
            result = SendResult.transient(f"{type(exc).__name__}: {exc}")
        if result.status is SendStatus.TRANSIENT:
            async with db.transaction() as s:
                await conversations.release_notices(s, notice_ids)
            report.retried += 1
            log.info("notices to person %s on %s left for later: %s", person_id, notifier.platform, result.error)
            continue
        async with db.transaction() as s:
            await conversations.finish_notices(s, notice_ids, utcnow())
        if result.status is SendStatus.OK:
            report.sent += 1
        else:
            report.failed += 1
            log.warning(
                "notices to person %s on %s could not be delivered: %s", person_id, notifier.platform, result.error
            )
    return report


def render_plain(replies: list[Reply]) -> str:
    from bot.console import render_reply

    return "\n\n".join(render_reply(r) for r in replies)


class ConsoleNotifier:
    """Writes every message to a stream (stdout by default) and the log: for `maalbot remind --console`
    and local development. The console's user key is the person's email (see `bot.console`)."""

    def __init__(self, stream: TextIO | None = None, *, platform: str = "console") -> None:
        self.platform = platform
        self.stream = stream

    def _write(self, heading: str, replies: list[Reply]) -> SendResult:
        out = self.stream or sys.stdout
        print(f"--- {heading} ---\n{render_plain(replies)}\n", file=out, flush=True)
        log.info("%s (%d messages)", heading, len(replies))
        return SendResult.ok()

    async def send_to_person(self, user_key: str, replies: list[Reply]) -> SendResult:
        return self._write(f"to {user_key}", replies)

    async def send_to_channel(self, channel: str, replies: list[Reply]) -> SendResult:
        return self._write(f"in {channel}", replies)


@dataclass(frozen=True, slots=True)
class Sent:
    kind: str  # "person" | "channel"
    target: str
    replies: tuple[Reply, ...]


@dataclass
class RecordingNotifier:
    """A fake for tests: records what was sent; `fail_next[target]` queues results to return instead
    (e.g. one transient failure, then success)."""

    platform: str = "slack"
    sent: list[Sent] = field(default_factory=list)
    fail_next: dict[str, deque[SendResult]] = field(default_factory=dict)
    attempts: int = 0

    def script(self, target: str, *results: SendResult) -> None:
        self.fail_next.setdefault(target, deque()).extend(results)

    def _send(self, kind: str, target: str, replies: list[Reply]) -> SendResult:
        self.attempts += 1
        queued = self.fail_next.get(target)
        if queued:
            result = queued.popleft()
            if result.status is not SendStatus.OK:
                return result
        self.sent.append(Sent(kind, target, tuple(replies)))
        return SendResult.ok()

    async def send_to_person(self, user_key: str, replies: list[Reply]) -> SendResult:
        return self._send("person", user_key, replies)

    async def send_to_channel(self, channel: str, replies: list[Reply]) -> SendResult:
        return self._send("channel", channel, replies)

    def to(self, target: str) -> list[Sent]:
        return [s for s in self.sent if s.target == target]
