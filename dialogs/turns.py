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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import DBAPIError, OperationalError

from dialogs.messages import Inbound, Reply
from dialogs.reminders.render import reply_to_json
from dialogs.service import ConversationService, SideQuestion, StepInfo, SubmittedEvent
from storage import inbox, outbox
from storage.inbox import Recorded
from storage.models import OutboxItem
from storage.registrations import StaleRegistration

log = logging.getLogger("maalbot.turns")

TURN = "turn"  # a step in the person's own conversation (DM, personal chat)
QUESTION = "question"  # a question in a channel or with a command: status, hvem mangler, help
DB_RETRY_DELAYS = (0.25, 0.5, 1.0, 2.0, 4.0)  # ~8 s in all: enough for a PostgreSQL restart


class TurnFailed(Exception):
    """The database could not be reached or written for a job, also after retries."""


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

    async def run(self, platform: str, user_key: str) -> TurnResult:
        """Every unfinished job of this user, oldest first. Raises `TurnFailed` when the database
        stays unreachable (the jobs stay in the inbox)."""
        result = TurnResult()
        while True:
            recipient = await self._retrying(lambda: self._next(platform, user_key, result))
            if recipient is None:
                break
            if recipient not in result.recipients:
                result.recipients.append(recipient)
            if not result.more:  # checked in the turn's transaction: saves a round trip
                break
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

    async def _run_next(self, platform: str, user_key: str, result: TurnResult) -> str | None:
        result.more = True
        for attempt in range(3):
            events: list[SubmittedEvent] = []
            asked: list[tuple[int, str | None, SideQuestion]] = []
            written: OutboxItem | None = None
            try:
                async with self.db.transaction() as s:
                    row, followed = await inbox.next_pending_and_more(s, platform, user_key)
                    if row is None:
                        return None
                    job, row_id = Job.from_json(row.payload), row.id
                    if job.kind != TURN:
                        break
                    info = StepInfo()
                    replies = await self.service.step(
                        s, job.inbound, events, asked, conversation=job.recipient, info=info
                    )
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
