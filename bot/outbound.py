"""Everything that leaves the bot in answer to a message goes through here, durably.

`Pipeline.accept` stores a platform request in the inbox (the adapter acknowledges only after it);
`Pipeline.process` runs the user's unfinished turns (`dialogs.turns.TurnRunner`: one transaction each,
the replies written as outbox rows) and then hands their conversations to the `Deliverer`.

The deliverer sends a conversation's reply rows oldest first (a reply never overtakes an earlier
one), each platform call with a timeout (`MAALBOT_PLATFORM_TIMEOUT`, 10 s by default), and retries
429 (honouring Retry-After), 5xx and timeouts with bounded exponential backoff. A row is marked sent
only after the platform accepted every message in it; a reply of several messages remembers how
far it got. Rows still unsent after the retries wait in the outbox: they are sent by the deliverer's
own loop (every few seconds), and on start after a crash."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from aiohttp import web

from bot.delivery import NOTICE_PLATFORMS_SKIPPED, Notifier, SendResult, SendStatus, deliver_notices
from bot.metrics import METRICS
from dialogs.messages import Reply
from dialogs.reminders.render import reply_from_json
from dialogs.service import ConversationService
from dialogs.turns import Job, TurnFailed, TurnResult, TurnRunner
from storage import inbox, outbox
from storage.outbox import ClaimedItem

log = logging.getLogger("maalbot.outbound")

Sleep = Callable[[float], Awaitable[None]]


class Platform(Protocol):
    """What the durable path needs from a platform adapter (one package under `bot/`, listed in
    `bot.platforms.REGISTRY`)."""

    name: str
    notifier: Notifier  # writing first: notices, summaries, reminders

    async def ensure_person(self, user_key: str) -> None:
        """Link the platform user to a person by the email the platform knows (first contact)."""
        ...

    def render(self, replies: list[Reply], locale: str | None) -> Sequence[Any]:
        """The platform messages for one turn's replies (several when a limit is passed)."""
        ...

    async def send_part(self, to: dict[str, Any], part: Any) -> SendResult:
        """Send one rendered message to the reply destination `to`."""
        ...

    async def find_person(self, email: str) -> str | None:
        """The platform user key of the person with this email, or None when the platform has no one
        (or cannot look people up). Raises `bot.delivery.LookupUnavailable` when it cannot tell now."""
        ...


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    timeout: float = 10.0  # every platform call
    attempts: int = 6  # per message, within one delivery round
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 30.0  # a longer Retry-After is waited for in a later round, not here
    later: timedelta = timedelta(seconds=30)  # a row still failing waits this long for the next round


class Deliverer:
    def __init__(
        self,
        db: Any,
        platforms: dict[str, Platform],
        *,
        instance_id: str,
        policy: DeliveryPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.db = db
        self.platforms = platforms
        self.instance_id = instance_id
        self.policy = policy or DeliveryPolicy()
        self.sleep = sleep
        self.clock = clock
        self._locks: dict[str, asyncio.Lock] = {}

    async def flush(self, recipient: str, claimed: ClaimedItem | None = None) -> None:
        """Send the conversation's unsent replies, in order, as far as the platform accepts them.
        `claimed`: the conversation's oldest unsent reply, already claimed by this instance (a turn
        wrote it so), sent first without claiming it again."""
        lock = self._locks.setdefault(recipient, asyncio.Lock())
        async with lock:
            item = claimed
            while True:
                if item is None:
                    item = await outbox.claim_next_reply(self.db, recipient, self.instance_id, self.clock())
                if item is None:
                    break
                finished, more = await self._deliver(item)
                if not finished or not more:
                    break
                item = None
        if not lock.locked():
            self._locks.pop(recipient, None)

    async def flush_all(self) -> None:
        for recipient in await outbox.reply_recipients(self.db):
            await self.flush(recipient)

    async def _deliver(self, item: ClaimedItem) -> tuple[bool, bool]:
        """(finished: sent, or failed for good; more: the conversation may have further unsent rows).
        Not finished: it waits for a later round, and so does the rest of the conversation."""
        to: dict[str, Any] = dict(item.payload.get("to") or {})
        platform = self.platforms.get(str(to.get("platform")))
        if platform is None:
            await outbox.release_reply(
                self.db, item.id, self.instance_id, self.clock(), "platform off", self.policy.later
            )
            return False, True
        replies = [reply_from_json(r) for r in item.payload.get("replies", [])]
        parts = list(platform.render(replies, item.payload.get("locale")))
        start = int(item.payload.get("sent_parts") or 0)
        for n in range(start, len(parts)):
            result = await self._send(item, platform, to, parts[n])
            if result.status is SendStatus.OK:
                continue
            if n > start:
                await outbox.save_progress(self.db, item.id, self.instance_id, {**item.payload, "sent_parts": n})
            error = result.error or "failed"
            METRICS.failure(result.status.value)
            if result.status is SendStatus.PERMANENT:
                await outbox.mark_failed(self.db, item.id, self.instance_id, f"permanent: {error}")
                log.warning("a reply to %s could not be delivered: %s", item.recipient, error)
                return True, True
            wait = max(self.policy.later, timedelta(seconds=result.retry_after or 0))
            await outbox.release_reply(self.db, item.id, self.instance_id, self.clock(), error, wait)
            log.warning("a reply to %s waits for a later round: %s", item.recipient, error)
            return False, True
        more = await outbox.mark_reply_sent(self.db, item.id, self.instance_id, self.clock(), item.recipient)
        return True, more

    async def _send(self, item: ClaimedItem, platform: Platform, to: dict[str, Any], part: Any) -> SendResult:
        policy = self.policy
        result = SendResult.transient("not tried")
        for attempt in range(1, policy.attempts + 1):
            try:
                result = await asyncio.wait_for(platform.send_part(to, part), policy.timeout)
            except TimeoutError:
                result = SendResult.transient(f"no answer within {policy.timeout:g} s")
            except Exception as exc:  # an unexpected client error: like a transient failure
                result = SendResult.transient(f"{type(exc).__name__}")
            if result.status is not SendStatus.TRANSIENT or attempt == policy.attempts:
                return result
            delay = min(policy.max_delay, policy.base_delay * 2.0 ** (attempt - 1))
            if result.retry_after is not None:  # the platform said how long: honoured, within bounds
                if result.retry_after > policy.max_retry_after:
                    return result
                delay = max(result.retry_after, 0.0)
            log.info("a reply to %s: %s; attempt %d in %.2f s", item.recipient, result.error, attempt + 1, delay)
            await self.sleep(delay)
            await outbox.renew_claim(self.db, item.id, self.instance_id, self.clock())
        return result

    async def send_directly(self, to: dict[str, Any], replies: list[Reply], locale: str | None) -> bool:
        """Without the outbox (the database is what failed): one try per message, with the timeout."""
        platform = self.platforms.get(str(to.get("platform")))
        if platform is None:
            return False
        for part in platform.render(replies, locale):
            try:
                result = await asyncio.wait_for(platform.send_part(to, part), self.policy.timeout)
            except Exception:
                return False
            if result.status is not SendStatus.OK:
                return False
        return True


class Pipeline:
    """The inbox → turn → outbox path shared by every platform (see the module docstring)."""

    def __init__(self, runner: TurnRunner, deliverer: Deliverer, *, default_locale: str = "da") -> None:
        self.runner = runner
        self.deliverer = deliverer
        self.default_locale = default_locale
        self.db = runner.db
        if runner.instance_id is None:  # replies written claimed by this pipeline's deliverer
            runner.instance_id = deliverer.instance_id

    @property
    def platforms(self) -> dict[str, Platform]:
        return self.deliverer.platforms

    def add(self, platform: Platform) -> None:
        self.deliverer.platforms[platform.name] = platform
        # a turn tells whether anyone's notices wait on these platforms (the round after it is skipped
        # when none do); the console shows its notices in the conversation instead
        service = self.runner.service
        found = (p.notifier.platform for p in self.platforms.values())
        service.notice_platforms = tuple(name for name in found if name not in NOTICE_PLATFORMS_SKIPPED)

    async def accept(self, delivery_key: str, job: Job) -> inbox.Recorded:
        return await self.runner.accept(delivery_key, job)

    async def process(
        self, platform: str, user_key: str, *, job: Job | None = None, item_id: int | None = None
    ) -> None:
        """Run the user's unfinished jobs and send what they answered. When the database stays down,
        the person is told (where `job` says) that their message was not saved."""
        started = time.perf_counter()
        await self._identify(platform, user_key)
        await self._finish(platform, user_key, started, job, item_id)

    async def _identify(self, platform: str, user_key: str) -> None:
        """Link the platform user to a person if the adapter can (a failure is logged, the turn goes on)."""
        adapter = self.platforms.get(platform)
        if adapter is not None:
            try:
                await adapter.ensure_person(user_key)
            except Exception:
                log.exception("could not identify a %s user", platform)

    async def receive(
        self, delivery_key: str, job: Job, relink: Callable[[], Awaitable[bool]] | None = None
    ) -> inbox.Recorded:
        """`accept` and `process` in one, for an adapter that answers the platform after the turn (Teams):
        the job is stored and its turn run in ONE transaction (`TurnRunner.receive`), then its replies
        are sent. Raises, like `accept`, when the job could not be stored (the platform redelivers); a
        redelivery of a finished job comes back done and is not run again. `relink`: see
        `TurnRunner.receive`."""
        started = time.perf_counter()
        platform, user_key = job.inbound.platform, job.inbound.user_key
        await self._identify(platform, user_key)
        recorded, result = await self.runner.receive(delivery_key, job, relink)
        if not recorded.done:
            await self._finish(platform, user_key, started, job, recorded.id, result)
        return recorded

    async def store(self, delivery_key: str, job: Job) -> tuple[inbox.Recorded, TurnResult | None]:
        """For an adapter that acknowledges before it answers (Slack): the job stored and, when it is a
        plain turn of a user linked already, run in the same transaction (`TurnRunner.receive` with
        `inline_only`); the acknowledgement follows, then `proceed` sends the replies (or runs the job
        the usual way: a question, a first contact). Raises when the job could not be stored."""
        return await self.runner.receive(delivery_key, job, inline_only=True)

    async def proceed(self, job: Job, item_id: int, result: TurnResult | None) -> None:
        """After `store` and the acknowledgement: what the turn answered is sent, or the job is run."""
        platform, user_key = job.inbound.platform, job.inbound.user_key
        if result is None:
            await self.process(platform, user_key, job=job, item_id=item_id)
        else:
            await self._finish(platform, user_key, result.started, job, item_id, result)

    async def _finish(
        self,
        platform: str,
        user_key: str,
        started: float,
        job: Job | None,
        item_id: int | None,
        result: TurnResult | None = None,
    ) -> None:
        try:
            result = await self.runner.run(platform, user_key, result=result)
        except TurnFailed:
            log.exception("a %s turn could not be stored", platform)
            if job is not None:
                await self._not_saved(job, item_id)
            return
        for recipient in result.recipients:
            await self.deliverer.flush(recipient, result.claimed.get(recipient))
        METRICS.turns.labels(platform=platform).inc()
        METRICS.turn_seconds.labels(platform=platform).observe(time.perf_counter() - started)
        await self.send_for_others(summaries=result.for_others, notices=result.for_others or result.notices_waiting)

    async def send_for_others(self, *, summaries: bool = True, notices: bool = True) -> None:
        """What turns created for others, right away: channel summaries (outbox rows; only when this
        turn wrote some) and pending notices («ready for you», «submitted», approvals; after every
        turn that wrote some or found some waiting, also those someone else's action left; the turn
        reads that in its own first statement, see `storage.turn_facts`), on every platform."""
        from bot.scheduler import send_now

        notifiers = [p.notifier for p in self.platforms.values()]
        if summaries:
            try:
                now = self.deliverer.clock()
                await send_now(self.db, notifiers, now, instance_id=self.deliverer.instance_id, rules=("summary",))
            except Exception:
                log.exception("channel summaries could not be sent now (the scheduler tries again)")
        for notifier in notifiers if notices else []:
            try:
                await deliver_notices(self.db, notifier, default_locale=self.default_locale)
            except Exception:
                log.exception("notices could not be handed to %s", notifier.platform)

    async def _not_saved(self, job: Job, item_id: int | None) -> None:
        reply = self.runner.service.not_saved()
        to = {"platform": job.inbound.platform, "conversation": job.conversation, **job.reply_to}
        await self.deliverer.send_directly(to, [reply], self.default_locale)
        if item_id is not None:
            with contextlib.suppress(Exception):  # still down: the row stays and is replayed on start
                await inbox.mark_failed(self.db, item_id)

    async def recover(self) -> None:
        """On start: replies left unsent by a crash, and requests acknowledged but not finished."""
        if self.db.is_sqlite:  # one instance: claims of a process that died are free at once
            await outbox.release_claims_of_others(self.db, self.deliverer.instance_id)
        started = self.deliverer.clock()
        await self.deliverer.flush_all()
        for platform, user_key in await inbox.pending_users(self.db, before=started):
            if platform in self.platforms:
                await self.process(platform, user_key)


async def run_delivery_loop(
    pipeline: Pipeline, interval: float, sleep: Sleep = asyncio.sleep, idle: asyncio.Event | None = None
) -> None:
    """Recover once, then send waiting replies every `interval` seconds until cancelled. `idle` is set
    while the loop sleeps between rounds: a shutdown waits for it, so that it never cancels a round in
    the middle of a transaction (SQLAlchemy would log the cut-short reset of the connection)."""
    idle = idle or asyncio.Event()
    idle.clear()
    try:
        await pipeline.recover()
    except Exception:
        log.exception("recovery on start failed")
    rounds = 0
    while True:
        idle.set()
        await sleep(interval)
        idle.clear()
        rounds += 1
        try:
            await pipeline.deliverer.flush_all()
            if rounds % PRUNE_EVERY == 0:
                await inbox.forget_finished_before(pipeline.db, pipeline.deliverer.clock() - INBOX_KEPT)
        except Exception:
            log.exception("the delivery round failed")


# -- on the aiohttp application -------------------------------------------------------------------------

DELIVERY_INTERVAL = 5.0  # seconds between rounds for replies waiting for a retry
SHUTDOWN_GRACE = 10.0  # seconds a shutdown waits for a delivery round under way before cancelling it
PRUNE_EVERY = 720  # rounds (about an hour) between dropping old finished inbox rows
INBOX_KEPT = timedelta(days=7)
PIPELINE_KEY: web.AppKey[Pipeline] = web.AppKey("pipeline", Pipeline)
_DELIVERY_TASK: web.AppKey[asyncio.Task[None]] = web.AppKey("delivery_task", asyncio.Task)


def ensure_pipeline(app: web.Application, service: ConversationService, *, timeout: float | None = None) -> Pipeline:
    """The application's pipeline (made on first use, with its delivery loop on startup)."""
    from bot.scheduler import new_instance_id

    existing = app.get(PIPELINE_KEY)
    if existing is not None:
        return existing
    if timeout is None:
        from bot.settings import Settings

        timeout = Settings().platform_timeout
    deliverer = Deliverer(service.db, {}, instance_id=new_instance_id(), policy=DeliveryPolicy(timeout=timeout))
    pipeline = Pipeline(TurnRunner(service), deliverer, default_locale=service.default_locale)
    app[PIPELINE_KEY] = pipeline

    idle = asyncio.Event()

    async def on_startup(app: web.Application) -> None:
        app[_DELIVERY_TASK] = asyncio.create_task(
            run_delivery_loop(pipeline, DELIVERY_INTERVAL, idle=idle), name="maalbot-delivery"
        )

    async def on_cleanup(app: web.Application) -> None:
        task = app.get(_DELIVERY_TASK)
        if task is not None:
            with contextlib.suppress(TimeoutError):  # the round under way ends first (at most a while)
                await asyncio.wait_for(idle.wait(), SHUTDOWN_GRACE)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    app.on_startup.append(on_startup)
    app.on_cleanup.insert(0, on_cleanup)  # before the database is closed
    return pipeline
