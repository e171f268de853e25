"""One durable path for every inbound message: inbox row → ONE transaction → outbox rows.

An adapter converts a platform request into a `Job` and stores it with `TurnRunner.accept` before it
acknowledges the platform. `TurnRunner.run` then takes the user's oldest unfinished job and, in one
transaction, claims it, runs the conversation step (identify, lock state and draft, engine, answers +
audit + state), writes the replies as one outbox row for the conversation and marks the job done.
Side questions (status, approvals, links) and channel questions are answered from a read transaction
first; their replies and the job's end are then written in one short transaction.

A database failure is retried a few times with backoff (a restarting PostgreSQL); when it persists,
`TurnFailed` tells the adapter, which tells the person plainly that their message was NOT saved."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import DBAPIError, OperationalError

from dialogs.messages import Inbound, Reply
from dialogs.reminders.render import reply_to_json
from dialogs.service import ConversationService, SideQuestion, StepInfo, SubmittedEvent
from storage import conversations, inbox, outbox
from storage.inbox import Recorded
from storage.models import OutboxItem
from storage.registrations import StaleRegistration

log = logging.getLogger("maalbot.turns")

TURN = "turn"  # a step in the person's own conversation (DM, personal chat)
QUESTION = "question"  # a question in a channel or with a command: status, hvem mangler, help
DB_RETRY_DELAYS = (0.25, 0.5, 1.0, 2.0, 4.0)  # ~8 s in all: enough for a PostgreSQL restart


class TurnFailed(Exception):
    """The database could not be reached or written for a job, also after retries."""


class _Unknown(Exception):
    """`receive`: the job's user is not linked to a person (yet): the transaction is rolled back."""


class _Later(Exception):
    """`receive(..., inline_only=True)`: not a plain turn (a question): rolled back, run after the answer."""


Relink = Callable[[], Awaitable[bool]]


@dataclass(frozen=True, slots=True)
class Job:
    """A platform request in neutral form: what the person sent, and where the answer goes."""

    kind: str  # TURN | QUESTION
    inbound: Inbound
    conversation: str  # the platform's conversation id: replies go out in order per conversation
    reply_to: dict[str, Any] = field(default_factory=dict)  # the adapter's destination (opaque here)
    where: str = "dm"  # for questions: "channel" | "command"

    @property
    def recipient(self) -> str:
        return outbox.conversation_key(self.inbound.platform, self.conversation)

    def to_json(self) -> dict[str, Any]:
        i = self.inbound
        return {
            "kind": self.kind,
            "inbound": {"platform": i.platform, "user_key": i.user_key, "text": i.text, "choice": i.choice,
                        "values": dict(i.values)},
            "conversation": self.conversation,
            "reply_to": self.reply_to,
            "where": self.where,
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Job:
        i = data["inbound"]
        inbound = Inbound(
            str(i["platform"]), str(i["user_key"]), text=i.get("text"), choice=i.get("choice"),
            values={str(k): str(v) for k, v in (i.get("values") or {}).items()},
        )  # fmt: skip
        return cls(
            str(data["kind"]), inbound, str(data["conversation"]), dict(data.get("reply_to") or {}),
            str(data.get("where") or "dm"),
        )  # fmt: skip


def reply_payload(job: Job, replies: Sequence[Reply], locale: str | None) -> dict[str, Any]:
    return {
        "to": {"platform": job.inbound.platform, "conversation": job.conversation, **job.reply_to},
        "replies": [reply_to_json(r) for r in replies],
        "locale": locale,
    }


def _is_storage_error(exc: BaseException) -> bool:
    return isinstance(exc, (DBAPIError, OperationalError, OSError, ConnectionError, TimeoutError))


@dataclass
class TurnResult:
    recipients: list[str] = field(default_factory=list)  # conversations with new replies to send
    events: list[SubmittedEvent] = field(default_factory=list)
    for_others: bool = False  # notices or channel summaries were written: send them now
    more: bool = True  # whether the user may have further unfinished jobs
    notices_waiting: bool = False  # someone's notices may wait for the round after the turn
    recorded: Recorded | None = None  # `TurnRunner.receive`: the job's inbox row, once committed
    started: float = field(default_factory=time.perf_counter)
    claimed: dict[str, outbox.ClaimedItem] = field(default_factory=dict)  # replies written claimed, by recipient


class TurnRunner:
    def __init__(
        self,
        service: ConversationService,
        *,
        clock: Callable[[], datetime] | None = None,
        retry_delays: Sequence[float] = DB_RETRY_DELAYS,
        instance_id: str | None = None,
    ) -> None:
        self.service = service
        self.db = service.db
        self.clock = clock or (lambda: datetime.now(UTC))
        self.retry_delays = tuple(retry_delays)
        # with an instance id, a turn's reply is written already claimed by this instance when no earlier
        # reply to the conversation is unsent: the deliverer sends it without a claiming transaction
        self.instance_id = instance_id

    async def accept(self, delivery_key: str, job: Job) -> Recorded:
        """Store the job before the platform is acknowledged (one short transaction)."""
        return await inbox.record(self.db, job.inbound.platform, delivery_key, job.inbound.user_key, job.to_json())

    async def receive(
        self, delivery_key: str, job: Job, relink: Relink | None = None, *, inline_only: bool = False
    ) -> tuple[Recorded, TurnResult | None]:
        """`accept` and the first turn of `run` in ONE transaction: the job's inbox row is written, and
        when it is the user's next job it is run and marked done in the same transaction (an earlier
        unfinished job of the user runs first, as in `run`). Returns the row and the result so far
        (`run(..., result=...)` does the rest). The result is None when the job was a redelivery of a
        finished one, or when the job was only stored (`accept`, which raises when the database is down,
        so the platform is not acknowledged) and `run` takes it from there: when the combined
        transaction failed, and with `inline_only` when the job is not a plain turn of a user linked to
        a person (a question, a side question, a stranger: they take the usual way after the answer).
        `relink`: when the turn finds the user linked to nobody, the transaction is rolled back and
        `relink()` asked to link them (an adapter that skipped its look-up for a user it remembered);
        then the turn runs again."""
        platform, user_key = job.inbound.platform, job.inbound.user_key
        result = TurnResult()
        known_only = relink is not None or inline_only
        while True:
            try:
                recipient = await self._run_next(
                    platform, user_key, result, (delivery_key, job), known_only=known_only, inline_only=inline_only
                )
                break
            except (_Unknown, _Later) as exc:  # rolled back
                if isinstance(exc, _Unknown) and relink is not None and known_only:
                    known_only = False
                    try:  # linked now or not: the turn runs (and says so when it does not know them)
                        await relink()
                    except Exception:
                        log.exception("a %s user could not be looked up again", platform)
                    continue
                return await self.accept(delivery_key, job), None
            except Exception:
                if result.recorded is None:  # nothing was stored: the usual way, step by step
                    log.info("a %s job is stored on its own after its turn failed", platform, exc_info=True)
                    return await self.accept(delivery_key, job), None
                return result.recorded, None  # stored (pending): `run` retries, or gives up and says so
        recorded = result.recorded
        if recorded is None:  # pragma: no cover - `_run_next` records before it returns
            raise AssertionError("the job was not recorded")
        if recorded.done:
            return recorded, None
        if recipient is not None and recipient not in result.recipients:
            result.recipients.append(recipient)
        return recorded, result

    async def run(self, platform: str, user_key: str, *, result: TurnResult | None = None) -> TurnResult:
        """Every unfinished job of this user, oldest first. Raises `TurnFailed` when the database
        stays unreachable (the jobs stay in the inbox). `result`: what `receive` did already."""
        result = result if result is not None else TurnResult()
        while result.more:  # checked in the turn's transaction: saves a round trip
            recipient = await self._retrying(lambda: self._next(platform, user_key, result))
            if recipient is None:
                break
            if recipient not in result.recipients:
                result.recipients.append(recipient)
        for event in result.events:  # after the commit: a listener's failure cannot undo the submit
            for listener in self.service.on_submitted:
                try:
                    await listener(event)
                except Exception:
                    log.exception("a submit listener failed for registration %s", event.registration_id)
        return result

    async def _retrying(self, work: Callable[[], Any]) -> Any:
        for delay in (*self.retry_delays, None):
            try:
                return await work()
            except Exception as exc:
                if not _is_storage_error(exc) or delay is None:
                    if _is_storage_error(exc):
                        raise TurnFailed(str(type(exc).__name__)) from exc
                    raise
                log.warning("storage unavailable (%s); trying again in %.2f s", type(exc).__name__, delay)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    async def _next(self, platform: str, user_key: str, result: TurnResult) -> str | None:
        """Run the user's oldest pending job; returns its conversation, or None when there is none.
        A job that fails for another reason than storage (a bug) is ended as failed, and the person is
        told that it was not saved, so one bad message cannot block the ones after it."""
        try:
            return await self._run_next(platform, user_key, result)
        except Exception as exc:
            if _is_storage_error(exc):
                raise
            log.exception("a %s turn failed", platform)
            return await self._give_up(platform, user_key)

    async def _give_up(self, platform: str, user_key: str) -> str | None:
        async with self.db.transaction() as s:
            row = await inbox.next_pending(s, platform, user_key)
            if row is None:
                return None
            job = Job.from_json(row.payload)
            locale = await self._locale(s, job)
            payload = reply_payload(job, [self.service.not_saved(locale)], locale)
            outbox.add_reply(s, job.recipient, f"inbox:{row.id}", payload, self.clock())
            row.status = "failed"
            row.done_at = self.clock()
            row.payload = {"kind": "failed"}
            return job.recipient

    async def _run_next(
        self,
        platform: str,
        user_key: str,
        result: TurnResult,
        received: tuple[str, Job] | None = None,
        *,
        known_only: bool = False,
        inline_only: bool = False,
    ) -> str | None:
        """`received` (delivery key, job): store that job first, in the same transaction (`receive`).
        `known_only`: raise `_Unknown` (rolled back) when the user turns out to be linked to nobody;
        `inline_only`: raise `_Later` (rolled back) when the job is not a plain turn."""
        result.more = True
        for attempt in range(3):
            events: list[SubmittedEvent] = []
            asked: list[tuple[int, str | None, SideQuestion]] = []
            written: OutboxItem | None = None
            recorded: Recorded | None = None
            try:
                async with self.db.transaction() as s:
                    if received is not None:  # the user's lock first: jobs run in the order they are stored
                        await inbox.lock_user(s, platform, user_key)
                        key, new_job = received
                        recorded = await inbox.record_in(s, platform, key, user_key, new_job.to_json())
                        if recorded.done:
                            result.recorded = recorded
                            return None
                    row, followed = await inbox.next_pending_and_more(
                        s, platform, user_key, locked=received is not None
                    )
                    if row is None:
                        return None
                    job, row_id = Job.from_json(row.payload), row.id
                    if job.kind != TURN:
                        if inline_only:
                            raise _Later
                        break
                    info = StepInfo()
                    replies = await self.service.step(
                        s, job.inbound, events, asked, conversation=job.recipient, info=info
                    )
                    if known_only and not info.known:
                        raise _Unknown
                    if inline_only and asked:
                        raise _Later
                    if conversations.notices_added(s):  # e.g. a change after submit tells the chair
                        info.notices_waiting = True
                    if not asked:
                        payload = reply_payload(job, replies, info.locale)
                        now = self.clock()
                        claim = self.instance_id if not info.reply_open else None  # nothing earlier waits
                        written = outbox.add_reply(s, job.recipient, f"inbox:{row_id}", payload, now, claimed_by=claim)
                        inbox.mark_done(row)
            except StaleRegistration:
                if attempt == 2:
                    raise
                continue
            result.recorded = recorded or result.recorded  # committed
            result.for_others = result.for_others or info.for_others
            result.notices_waiting = result.notices_waiting or info.notices_waiting
            if written is not None:  # committed: the turn is done
                if written.claimed_by is not None:
                    result.claimed[job.recipient] = outbox.claimed_reply(written, payload)
                result.more = followed
                result.events.extend(events)
                return job.recipient
            break
        else:
            raise AssertionError("unreachable")
        result.recorded = recorded or result.recorded  # committed (a question, or a side question)
        result.notices_waiting = True  # not read by a question's turn
        # a side or channel question: answered from read transactions, then stored with the job's end
        if job.kind == TURN:
            more = await self.service.answer_side(asked)
            replies = [*replies, *more]
        else:
            replies = await self.service.channel_question(job.inbound, job.where)
        async with self.db.transaction() as s:
            row = await inbox.lock(s, row_id)
            if row is None or row.status != "pending":
                return job.recipient  # another instance finished it meanwhile
            locale = await self._locale(s, job)
            outbox.add_reply(s, job.recipient, f"inbox:{row_id}", reply_payload(job, replies, locale), self.clock())
            inbox.mark_done(row)
        result.events.extend(events)
        return job.recipient

    async def _locale(self, s: Any, job: Job) -> str | None:
        """The reader's language for the renderer's own words (button labels): the person's, now."""
        from storage import people

        person = await people.person_by_identity(s, job.inbound.platform, job.inbound.user_key)
        return (person.locale if person else None) or self.service.default_locale
