"""The reminder scheduler: plan -> outbox -> claim -> send, once a minute inside `maalbot serve`.

`tick` is one round with an injected `now`: the rules (`dialogs.reminders.planner.plan`) say what is
due, the due items go into the outbox with insert-or-ignore on their unique key, then this instance
claims due rows (SKIP LOCKED on PostgreSQL) and sends them through the notifiers, paced per channel.
A transient failure goes back to the outbox with backoff (bounded attempts); a permanent one marks
the item failed, which lists the recipient as unreachable in the admins' next digest. Outside working
time (weekends, holidays, school holidays, quiet hours) items are planned but not sent."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from aiohttp import web

from bot.delivery import LookupUnavailable, Notifier, SendResult, SendStatus, deliver_notices, finds_people
from bot.metrics import METRICS
from bot.platforms import intervals
from dialogs.meetings.schedule import enqueue_due as enqueue_meeting_items
from dialogs.meetings.schedule import new_items as new_meeting_items
from dialogs.reminders import model
from dialogs.reminders.calendar import Calendar
from dialogs.reminders.model import DueItem, Parts, Snapshot
from dialogs.reminders.planner import PlanMemory, Recorder, done_institutions, open_rounds, plan
from dialogs.reminders.render import reply_from_json
from dialogs.reminders.snapshot import SnapshotCache
from dialogs.strategy import ReminderSettings
from storage import followups, outbox, outbox_bodies, people, reminder_pauses, reminder_reads, web_sessions
from storage.db import Database
from storage.models import OutboxStatus, Person
from storage.outbox import ClaimedItem, NewItem

log = logging.getLogger("maalbot.scheduler")

TICK_SECONDS = 60.0
BATCH = 100
MAX_BATCHES = 20  # per tick, so one tick stays bounded; the rest goes on the next tick
# New items planned (of the nudges, escalations and overdue lists: their budget), rendered and written per
# tick; the rest on the next ticks a minute apart, each planning what is then missing from the outbox. A tick
# sends at most MAX_BATCHES * BATCH (2,000) anyway, so a round of 25,000 nudges is not sent any later for it,
# and the week's everything-new tick at 5,000 institutions becomes ticks of bounded cost.
MAX_NEW = 2_000
INTERVALS = intervals()  # seconds between messages to one conversation, per platform (the registry)

Sleep = Callable[[float], Awaitable[None]]
NotifierSource = Sequence[Notifier] | Callable[[], Sequence[Notifier]]


def new_instance_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Pacer:
    """Keeps messages to one conversation apart by the platform's interval, by sleeping before a send
    (never by running into 429). `clock` and `sleep` are injected, so tests need no real waiting."""

    def __init__(self, sleep: Sleep = asyncio.sleep, clock: Callable[[], float] = time.monotonic) -> None:
        self.sleep = sleep
        self.clock = clock
        self._ready: dict[tuple[str, str], float] = {}

    async def wait(self, platform: str, target: str, messages: int) -> None:
        interval = INTERVALS.get(platform, 0.0)
        if interval <= 0:
            return
        key = (platform, target)
        now = self.clock()
        ready = self._ready.get(key, now)
        if ready > now:
            await self.sleep(ready - now)
            now = ready
        self._ready[key] = now + interval * max(messages, 1)


@dataclass
class TickReport:
    planned: int = 0
    enqueued: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0
    notices: int = 0  # people who got their pending notices (see `deliver_pending_notices`)
    skipped_rounds: int = 0  # rounds of the planning known to be in the outbox already (see PlanMemory)
    deferred: int = 0  # new items left for the next ticks (more than MAX_NEW were new)
    continued: bool = False  # this tick wrote items an earlier tick had planned (not planned again)
    held: str | None = None  # why no reminder was sent this tick (quiet hours, no notifiers)
    lines: list[str] = field(default_factory=list)  # what happened (the dry run: what would happen)
    meeting_items: int = 0  # outbox rows the meeting cycle added (dialogs/meetings/schedule.py)


@dataclass(frozen=True, slots=True)
class Route:
    platform: str
    target: str
    kind: str  # person | channel


def _describe(item: DueItem | ClaimedItem | NewItem, verb: str) -> str:
    to = item.payload.get("to_name") or item.recipient
    why = item.payload.get("why", "")
    return f"{verb} [{item.rule}] to {to} ({item.recipient}, {item.period}): {why}"


@dataclass
class Planning:
    """What one process keeps between its ticks: the snapshot (re-read only where it changed) and which
    rounds are complete in the outbox (skipped while that holds). A fresh one reads everything and plans
    what is missing from the outbox."""

    cache: SnapshotCache
    memory: PlanMemory = field(default_factory=PlanMemory)
    # new items planned but left for the next tick (more than MAX_NEW of the rules without a budget: the
    # digests, follow-ups), valid while `pending_basis` holds
    pending: list[DueItem] = field(default_factory=list)
    pending_basis: Hashable = None
    pending_complete: Callable[[], None] = lambda: None  # records the rounds once the last of them is in

    @classmethod
    def fresh(cls, default_locale: str = "da") -> Planning:
        return cls(SnapshotCache(default_locale))


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while a tick reads the snapshot and plans: both make tens of
    thousands of small objects at 5,000 institutions, and each full collection the allocations trigger walks
    every object the process holds (the snapshot's 75,000 too). At 5,000 institutions that was 35-60 % of
    the reading's and the planning's CPU. Memory is still freed by reference counting meanwhile; the
    collector runs again as soon as the block ends (also on an error)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _plan_paused(now: datetime, snap: Snapshot, recorder: Recorder) -> list[DueItem]:
    with collector_paused():
        return plan(now, snap, recorder)


def _rendered(items: list[DueItem]) -> tuple[list[tuple[DueItem, Parts]], dict[str, list[dict[str, Any]]]]:
    """The items' parts and their shared texts by digest: rendering (a text is rendered when its digest or
    replies are first asked for) happens here, in the worker thread, not on the event loop."""
    with collector_paused():
        parts = [(i, i.parts) for i in items]
        return parts, {p.body.digest: p.body.replies for _, p in parts}


@dataclass(frozen=True, slots=True)
class _Plan:
    due: list[DueItem]
    settings: ReminderSettings
    complete: Callable[[], None]  # run once every item is in the outbox: records the complete rounds
    basis: Hashable  # what the plan was made on (see `Planning.pending_basis`)
    continued: bool = False  # the items left by an earlier tick, not planned again
    cut: int = 0  # recipients of rounds cut short by the budget: planned by the next ticks
    notices: bool = True  # some notice was undelivered when the plan was read (`deliver_pending_notices`)
    sendable: bool = True  # the outbox held an item to claim at `now` when the plan was read


async def _plan(db: Database, now: datetime, planning: Planning, budget: int | None = None) -> _Plan:
    """Read what changed into the snapshot (a few queries, one read transaction) and count the outbox's
    rows of the rounds known complete, then plan in a worker thread, so the event loop keeps serving
    turns while a large municipality is planned. Items an earlier tick planned and left for this one are
    taken as they are while the organisation, the pauses, the day and the boards done are the same (a
    board that submitted since, or anything else, plans again: the outbox's key keeps what exists).

    A round open now that the memory cannot skip (a fresh process, a changed organisation or pause, a
    board reopened) is planned only for the recipients the outbox has no row of yet: its recipients are
    read first (`reminder_reads.round_recipients`), so a member who joins one board costs their own items,
    and a restart finds the plan of the process before it in the outbox instead of planning it again.
    With a `budget`, at most that many items of those rounds are made (the most urgent rounds first): the
    rest are missing from the outbox on the next tick, which plans them; so the week's everything-new tick
    makes 2,000 of its 24,000 nudges and escalations, not all of them."""
    async with db.read() as s:
        with collector_paused():
            snap = await planning.cache.load(s, now)
        notices = await reminder_reads.notices_waiting(s)
        sendable = await outbox.any_due(s, now)
        settings = snap.strategy.reminders if snap.strategy else ReminderSettings()
        basis = (planning.cache.generation, Calendar.from_settings(settings).local(now).date())
        done = done_institutions(snap)
        if planning.pending and planning.pending_basis == (basis, done):
            complete, pending = planning.pending_complete, planning.pending
            return _Plan(pending, settings, complete, (basis, done), continued=True, notices=notices, sendable=sendable)
        rounds = planning.memory.rounds(basis, done)
        in_outbox = await outbox.round_counts(s, rounds)
        open_now = await asyncio.to_thread(open_rounds, now, snap)  # the calendar's first use imports `holidays`
        unknown = planning.memory.unknown(basis, done, in_outbox, open_now)
        present = await reminder_reads.round_recipients(s, unknown)
    recorder = planning.memory.skipper(basis, done, in_outbox, present)
    recorder.budget = budget
    due = await asyncio.to_thread(_plan_paused, now, snap, recorder)

    def remember() -> None:
        planning.memory.remember(basis, done, recorder, due)

    return _Plan(due, settings, remember, (basis, done), cut=recorder.cut_count, notices=notices, sendable=sendable)


async def _enqueue_new(
    db: Database, due: list[DueItem], now: datetime, limit: int = MAX_NEW
) -> tuple[int, list[DueItem]]:
    """Only items whose key is not in the outbox yet are rendered (in a worker thread, each distinct text
    once) and inserted, in batches of short transactions: first the texts they share (`outbox_bodies`),
    then the rows that refer to them. A tick with nothing new reads one query per rule and writes nothing.
    At most `limit` new items per tick (in the plan's order: by due time and key); returns how many were
    inserted and the new items left for the next tick."""
    if not due:
        return 0, []
    async with db.read() as s:
        known = await outbox.existing_keys(s, [i.key for i in due])
    fresh = [i for i in due if i.key not in known]
    fresh, left = fresh[:limit], fresh[limit:]
    if not fresh:
        return 0, []
    parts, bodies = await asyncio.to_thread(_rendered, fresh)
    body_ids = await outbox_bodies.store(db, bodies, now)
    rows = [_new(i, p.own, body_ids[p.body.digest]) for i, p in parts]
    return await outbox.enqueue_in_batches(db, rows, now), left


async def tick(
    db: Database,
    notifiers: Iterable[Notifier],
    now: datetime,
    *,
    instance_id: str,
    dry_run: bool = False,
    sleep: Sleep = asyncio.sleep,
    pacer: Pacer | None = None,
    default_locale: str = "da",
    batch: int = BATCH,
    planning: Planning | None = None,
    max_new: int = MAX_NEW,
) -> TickReport:
    """One round of planning and sending at `now` (aware). With `dry_run`, nothing is written or sent;
    the report's lines say what would be sent, to whom, and why. `planning` is what the process kept
    from its earlier ticks (`run_loop` keeps one); without it everything is read and planned. At most
    `max_new` new items are written per tick (`MAX_NEW`); the rest on the next ticks."""
    by_platform: dict[str, Notifier] = {}
    for notifier in notifiers:
        by_platform.setdefault(notifier.platform, notifier)
    report = TickReport()
    if dry_run or planning is None:
        planning = Planning.fresh(default_locale)  # a dry run plans everything and remembers nothing
    planned = await _plan(db, now, planning, None if dry_run else max_new)
    due, settings = planned.due, planned.settings
    report.planned, report.continued = len(due), planned.continued
    if dry_run:
        return await _dry_run(db, now, due, settings, report, default_locale)
    report.enqueued, left = await _enqueue_new(db, due, now, max_new)
    report.deferred = len(left) + planned.cut
    if not left:  # every item of the plan is in the outbox: its rounds are complete (those cut short not)
        planned.complete()
    # a plan cut short by the budget is not kept: the next tick plans what is then missing from the outbox
    kept = [] if planned.cut else left
    planning.pending, planning.pending_basis, planning.pending_complete = kept, planned.basis, planned.complete
    report.skipped_rounds = planning.memory.skipped
    report.meeting_items = await enqueue_meeting_items(db, now, default_locale=default_locale)  # meeting cycle hook
    if not by_platform:
        report.held = "no notifiers"
        return report
    pacer = pacer or Pacer(sleep)
    # notices answer what someone just did (submitted, marked ready), so like the turns that create
    # them they are not held for working time; with none waiting when the plan was read (one EXISTS in
    # its transaction) the look per platform is left out: one made since goes on the next tick
    if planned.notices:
        report.notices = await deliver_pending_notices(db, by_platform.values(), pacer, default_locale)
    calendar = Calendar.from_settings(settings)
    if not calendar.may_send(now):
        report.held = "outside working time"
        return report
    if not (planned.sendable or report.enqueued or report.meeting_items):
        return report  # nothing was due when the plan was read, nothing new since: no claim to make
    sender = _Sender(db, by_platform, now, instance_id, pacer, report, calendar)
    for _ in range(MAX_BATCHES):
        # a later batch is claimed at the moment it is taken, so its claim is not born stale
        moment = sender.moment()
        claimed = await outbox.claim_due(db, moment, instance_id, limit=batch)
        await sender.prepare(claimed, moment)
        for item in claimed:
            await sender.deliver(item)
        await sender.finish()
        if len(claimed) < batch:
            break
    return report


async def deliver_pending_notices(
    db: Database, notifiers: Iterable[Notifier], pacer: Pacer, default_locale: str = "da"
) -> int:
    """Pending notices of people with an identity on each notifier's platform, by DM (see
    `bot.delivery.deliver_notices`); the platform turns deliver them too. Returns how many people got theirs."""
    delivered = 0
    for notifier in notifiers:

        async def pace(user_key: str, messages: int, platform: str = notifier.platform) -> None:
            await pacer.wait(platform, user_key, messages)

        result = await deliver_notices(db, notifier, default_locale=default_locale, before_send=pace)
        delivered += result.sent
    return delivered


async def send_now(
    db: Database,
    notifiers: Iterable[Notifier],
    now: datetime,
    *,
    instance_id: str,
    rules: Sequence[str],
    pacer: Pacer | None = None,
) -> TickReport:
    """Send due outbox rows of `rules` at once (a channel summary right after the submitting turn),
    without waiting for the tick or for working time; failures are retried by the ticks as usual."""
    by_platform: dict[str, Notifier] = {}
    for notifier in notifiers:
        by_platform.setdefault(notifier.platform, notifier)
    report = TickReport()
    if not by_platform:
        return report
    calendar = Calendar.from_settings(ReminderSettings())
    sender = _Sender(db, by_platform, now, instance_id, pacer or Pacer(), report, calendar)
    claimed = await outbox.claim_due(db, now, instance_id, rules=rules)
    await sender.prepare(claimed, now)
    for item in claimed:
        await sender.deliver(item)
    await sender.finish()
    return report


def _new(item: DueItem, own: dict[str, Any], body_id: int) -> NewItem:
    return NewItem(item.rule, item.recipient, item.period, item.due_at, own, item.expires_at, body_id)


async def _dry_run(
    db: Database,
    now: datetime,
    due: list[DueItem],
    settings: ReminderSettings,
    report: TickReport,
    default_locale: str = "da",
) -> TickReport:
    async with db.transaction() as s:
        known = await outbox.existing_keys(s, [i.key for i in due])
        pending = [row for row in await outbox.items(s) if row.status == OutboxStatus.PENDING and row.due_at <= now]
    if not Calendar.from_settings(settings).may_send(now):
        report.held = "outside working time"
        report.lines.append("Outside working time (weekend, holiday or quiet hours): nothing would be sent now.")
    for item in due:
        if item.key not in known:
            report.lines.append(_describe(item, "would send"))
    meeting_items = await new_meeting_items(db, now, default_locale=default_locale)  # the meeting cycle's
    report.meeting_items = len(meeting_items)
    for new in meeting_items:
        report.lines.append(_describe(new, "would send"))
    for row in pending:
        to = row.payload.get("to_name") or row.recipient
        where = f"({row.recipient}, {row.period})"
        report.lines.append(
            f"would send [{row.rule}] to {to} {where}: waiting in the outbox, attempt {row.attempts + 1}"
        )
    if not report.lines:
        report.lines.append("Nothing is due.")
    return report


class _Sender:
    def __init__(
        self,
        db: Database,
        notifiers: dict[str, Notifier],
        now: datetime,
        instance_id: str,
        pacer: Pacer,
        report: TickReport,
        calendar: Calendar,
    ) -> None:
        self.calendar = calendar
        self.db = db
        self.notifiers = notifiers
        self.now = now
        self.instance_id = instance_id
        self.pacer = pacer
        self.report = report
        self._started = pacer.clock()
        # what `prepare` read for the people of the current batch (the others are read per item)
        self._known: set[int] = set()
        self._pauses: dict[int, date] = {}
        self._addresses: dict[int, tuple[str, dict[str, str]]] = {}
        self._preferred: dict[int, str | None] = {}
        self._claimed_at: datetime | None = None  # when the batch was claimed (on `moment`'s clock)
        self._unsent: list[tuple[int, OutboxStatus, str]] = []  # skipped or failed before a send: see `finish`

    async def finish(self) -> None:
        """Record the batch's items that were skipped or failed without a send (expired, paused, no
        notifier, unreachable) in one transaction, not one each. Nothing was sent for them, so should the
        process die first, their claims go stale and the items are looked at again: the same outcome."""
        unsent, self._unsent = self._unsent, []
        if not unsent:
            return
        async with self.db.transaction() as s:
            for item_id, status, reason in unsent:
                await outbox.mark_unsent(s, item_id, self.instance_id, status, reason)

    async def prepare(self, items: Sequence[ClaimedItem], claimed_at: datetime) -> None:
        """Read the pauses, emails and user keys of a batch's recipients (and their preferred platform,
        where more than one notifier could reach them) in one read transaction of a few statements,
        instead of two transactions per item: that was most of a sending tick's cost. A pause set while
        the batch is being sent counts from the next batch (the next tick at the latest)."""
        self._claimed_at = claimed_at
        ids = {int(p) for i in items if (p := i.payload.get("to", {}).get("person_id")) is not None}
        if not ids:
            return
        async with self.db.read() as s:
            pauses = await reminder_reads.pauses(s)
            addresses = await reminder_reads.recipients(s, ids)
            preferred = {
                person_id: await web_sessions.preferred_platform(s, person_id)
                for person_id, (_email, keys) in addresses.items()
                if self._reachable_on(keys) > 1
            }
        self._known = ids
        self._pauses = {person_id: until for person_id, until in pauses.items() if person_id in ids}
        self._addresses, self._preferred = addresses, preferred

    def _reachable_on(self, keys: dict[str, str]) -> int:
        """On how many of the notifiers' platforms a person with these user keys can be reached at once
        (the console reaches everyone): only with more than one does their preferred platform matter."""
        return sum(1 for platform in self.notifiers if platform in keys or platform == "console")

    def moment(self) -> datetime:
        """`now` moved on by the time this round has taken so far (on the pacer's injected clock)."""
        return self.now + timedelta(seconds=max(self.pacer.clock() - self._started, 0.0))

    def _claim_may_be_stale(self) -> bool:
        """Whether the batch's claim is old enough to renew before a send (`outbox.RENEW_AFTER`): a claim
        younger than that cannot have been taken over (that takes `outbox.STALE_CLAIM`), and renewing it
        anyway was a write transaction per item."""
        return self._claimed_at is None or self.moment() - self._claimed_at >= outbox.RENEW_AFTER

    async def _skip(self, item: ClaimedItem, reason: str) -> None:
        self._unsent.append((item.id, OutboxStatus.SKIPPED, reason))
        self.report.skipped += 1
        self.report.lines.append(_describe(item, f"skipped ({reason})"))

    async def _fail(self, item: ClaimedItem, reason: str, *, sent: bool = False) -> None:
        METRICS.failure(SendStatus.PERMANENT.value)
        if sent:  # the platform refused it: recorded at once, like a sent one
            await outbox.mark_failed(self.db, item.id, self.instance_id, reason)
        else:
            self._unsent.append((item.id, OutboxStatus.FAILED, reason))
        self.report.failed += 1
        self.report.lines.append(_describe(item, f"failed ({reason})"))
        log.warning("reminder %s to %s failed: %s", item.rule, item.recipient, reason)

    async def _route(self, item: ClaimedItem) -> Route | str:
        """Where the item goes, or why it cannot go (a string)."""
        to = item.payload.get("to", {})
        if "channel" in to:
            platform = str(to.get("platform"))
            if platform not in self.notifiers and "console" in self.notifiers:
                return Route("console", str(to["channel"]), "channel")  # printing: every channel
            if platform not in self.notifiers:
                return f"no notifier for {platform}"
            return Route(platform, str(to["channel"]), "channel")
        person_id = int(to["person_id"])
        if person_id in self._known:
            found, preferred = self._addresses.get(person_id), self._preferred.get(person_id)
        else:
            async with self.db.read() as s:
                found = await reminder_reads.recipient(s, person_id)
                # last used, or the org file's
                preferred = await web_sessions.preferred_platform(s, person_id) if found else None
        if found is None:
            return "the person is gone"
        email, keys = found
        for platform in sorted(self.notifiers, key=lambda p: p != preferred):
            if platform in keys:
                return Route(platform, keys[platform], "person")
            if platform == "console":  # the console's user key is the email (see bot.console)
                return Route(platform, email.strip().casefold(), "person")
        found_route = await self._find(person_id, email)
        self._known.discard(person_id)  # a linked identity: their next item reads their keys again
        return found_route or "unreachable: not seen on " + ", ".join(self.notifiers)

    async def _find(self, person_id: int, email: str) -> Route | None:
        """Someone who never wrote to the bot: ask the notifiers that can look people up by email
        (Slack), in the notifiers' order, and remember the identity found. Raises `LookupUnavailable`."""
        if not email.strip():
            return None
        for platform, notifier in self.notifiers.items():
            finder = finds_people(notifier)
            if finder is None:
                continue
            user_key = await finder.find_person(email.strip())
            if user_key is None:
                continue
            async with self.db.transaction() as s:
                person = await s.get(Person, person_id)
                if person is None:
                    return None
                await people.link_identity(s, person, platform, user_key)
            log.info("person %s found on %s by email", person_id, platform)
            return Route(platform, user_key, "person")
        return None

    async def _paused(self, item: ClaimedItem) -> date | None:
        person_id = item.payload.get("to", {}).get("person_id")
        if person_id is None:
            return None
        if int(person_id) in self._known:
            until = self._pauses.get(int(person_id))
        else:
            async with self.db.read() as s:
                until = await reminder_pauses.paused_until(s, int(person_id))
        return until if model.paused_on(until, self.calendar.local(self.now).date()) else None

    async def deliver(self, item: ClaimedItem) -> None:
        if item.expires_at is not None and self.now >= item.expires_at:
            await self._skip(item, "expired")
            return
        paused = await self._paused(item)
        if paused is not None:
            await self._skip(item, f"paused until {paused.isoformat()}")
            return
        try:
            route = await self._route(item)
        except LookupUnavailable as exc:  # looking them up failed for now: like a transient send failure
            await self._record(item, exc.result)
            return
        if isinstance(route, str):
            if route.startswith("no notifier"):
                await self._skip(item, route)
            else:
                await self._fail(item, route)
            return
        replies = [reply_from_json(r) for r in item.payload.get("replies", [])]
        await self.pacer.wait(route.platform, route.target, len(replies))
        if self._claim_may_be_stale() and not await outbox.renew_claim(
            self.db, item.id, self.instance_id, self.moment()
        ):
            # this round was slow and another instance took the stale claim over: it sends, not us
            self.report.lines.append(_describe(item, "left to the instance that took it over"))
            return
        notifier = self.notifiers[route.platform]
        try:
            if route.kind == "channel":
                result = await notifier.send_to_channel(route.target, replies)
            else:
                result = await notifier.send_to_person(route.target, replies)
        except Exception as exc:  # a notifier bug or an unexpected client error: retry like a transient one
            log.exception("notifier %s raised", route.platform)
            result = SendResult.transient(f"{type(exc).__name__}: {exc}")
        await self._record(item, result)

    async def _record(self, item: ClaimedItem, result: SendResult) -> None:
        if result.status is SendStatus.OK:
            async with self.db.transaction() as s:
                if await outbox.mark_sent(self.db, item.id, self.instance_id, self.now, session=s):
                    followup = item.payload.get("followup")
                    if item.rule == model.FOLLOWUP and followup:
                        day = date.fromisoformat(str(followup["date"]))
                        await followups.mark_asked(s, int(followup["local_goal_id"]), day, self.now)
            self.report.sent += 1
            self.report.lines.append(_describe(item, "sent"))
        elif result.status is SendStatus.TRANSIENT:
            METRICS.failure(SendStatus.TRANSIENT.value)
            wait = timedelta(seconds=result.retry_after) if result.retry_after else None
            error = result.error or "transient failure"
            if await outbox.mark_retry(self.db, item, self.instance_id, self.now, error, wait=wait):
                self.report.retried += 1
                self.report.lines.append(_describe(item, f"will retry ({error})"))
            else:
                self.report.failed += 1
                self.report.lines.append(_describe(item, f"failed after {item.attempts} attempts ({error})"))
        else:
            await self._fail(item, f"permanent: {result.error or 'rejected'}", sent=True)


# -- inside `maalbot serve` ---------------------------------------------------------------------------

REMINDER_NOTIFIERS: web.AppKey[list[Notifier]] = web.AppKey("reminder_notifiers", list)
_TASK: web.AppKey[asyncio.Task[None]] = web.AppKey("reminder_task", asyncio.Task)


async def run_loop(
    db: Database,
    notifiers: NotifierSource,
    *,
    instance_id: str,
    interval: float = TICK_SECONDS,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    sleep: Sleep = asyncio.sleep,
    default_locale: str = "da",
) -> None:
    """Tick about every `interval` seconds until cancelled; a failing tick is logged, not fatal. The
    snapshot and the record of complete rounds are kept from tick to tick (`Planning`)."""
    pacer = Pacer(sleep)
    planning = Planning.fresh(default_locale)
    while True:
        current = list(notifiers() if callable(notifiers) else notifiers)
        if current:
            try:
                started = time.perf_counter()
                report = await tick(
                    db, current, clock(), instance_id=instance_id, pacer=pacer, default_locale=default_locale,
                    planning=planning,
                )  # fmt: skip
                METRICS.tick_seconds.observe(time.perf_counter() - started)
                if report.sent or report.failed or report.retried:
                    log.info(
                        "reminders: %d sent, %d retried, %d failed, %d skipped",
                        report.sent, report.retried, report.failed, report.skipped,
                    )  # fmt: skip
            except Exception:
                log.exception("reminder tick failed")
        await sleep(interval)


def start_scheduler(
    app: web.Application,
    db: Database,
    notifiers: NotifierSource,
    *,
    default_locale: str = "da",
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    sleep: Sleep = asyncio.sleep,
) -> None:
    """Run the reminder loop while the aiohttp app runs. `notifiers` may be a callable, read at every
    tick, so notifiers registered after startup (Slack, Teams) are picked up. No notifiers: no sends.
    `clock` and `sleep` are the loop's (injected by tests)."""
    instance_id = new_instance_id()

    async def on_startup(app: web.Application) -> None:
        loop = run_loop(db, notifiers, instance_id=instance_id, clock=clock, sleep=sleep, default_locale=default_locale)
        app[_TASK] = asyncio.create_task(loop, name="maalbot-reminders")

    async def on_cleanup(app: web.Application) -> None:
        task = app.get(_TASK)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    app.on_startup.append(on_startup)
    app.on_cleanup.insert(0, on_cleanup)  # before the database is closed
