"""Messages the bot starts itself in Teams: to a person (their personal chat, created if need be)
and to a channel (a new thread).

Sends go through the Agents SDK adapter (continue_conversation / create_conversation), so tokens
and the Bot Connector protocol are the SDK's. 429, 412, 502 and 504 are retried with jittered,
bounded backoff (Retry-After is honoured up to the bound); 403 (blocked, bot not in the roster)
and 404 (conversation gone) mark the reference unusable and stop at once."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from aiohttp import ClientConnectionError, ClientResponseError
from microsoft_agents.activity import Activity, ChannelAccount, ConversationParameters, ConversationReference
from microsoft_agents.hosting.core import ChannelServiceAdapter, TurnContext
from microsoft_agents.hosting.core.authorization import AuthenticationConstants, ClaimsIdentity

from bot.teams import refs
from bot.teams.render import card_activities
from dialogs.messages import Reply
from dialogs.texts import texts
from storage import conversation_refs, team_members
from storage.conversation_refs import StoredRef
from storage.db import Database

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({412, 429, 502, 504})
GONE_STATUSES = frozenset({403, 404})
T = TypeVar("T")


class Delivery(StrEnum):
    SENT = "sent"
    GONE = "gone"  # 403/404: the reference is now marked unusable
    FAILED = "failed"  # retries exhausted or another error
    NO_ROUTE = "no_route"  # the bot has never met this person or channel (nor anyone in the tenant)


def describe_error(error: BaseException) -> str:
    """An exception for the log. Never `repr`: aiohttp's ClientResponseError repr carries the request's
    headers, among them the Bot Connector's `Authorization: Bearer` token; its `str` does not."""
    return f"{type(error).__name__}: {error}"


class _Gone(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 4
    base_delay: float = 1.0
    max_delay: float = 30.0


class TeamsNotifier:
    def __init__(
        self,
        adapter: ChannelServiceAdapter,
        db: Database,
        app_id: str,
        *,
        anonymous: bool = False,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rand: Callable[[], float] = random.random,
        default_locale: str = "da",
    ) -> None:
        self.adapter = adapter
        self.db = db
        self.app_id = app_id
        self.anonymous = anonymous  # dev mode: no credentials, no tokens
        self.policy = policy or RetryPolicy()
        self.sleep = sleep
        self.rand = rand
        self.default_locale = default_locale
        self.on_gone: list[Callable[[str], None]] = []  # told the conversation key that turned unusable

    # -- public --------------------------------------------------------------------------------------
    async def to_person(self, person_id: int, replies: Sequence[Reply], locale: str | None = None) -> Delivery:
        """DM a person: continue their personal chat, or open one if the bot knows their Teams id."""
        activities = card_activities(replies, texts(locale or self.default_locale))
        if not activities:
            return Delivery.SENT
        ref = await conversation_refs.personal_for(self.db, refs.PLATFORM, person_id)
        if ref is not None:
            return await self._continue(ref, activities)
        user_key = await conversation_refs.user_key_of(self.db, refs.PLATFORM, person_id)
        if user_key is None:
            return Delivery.NO_ROUTE
        return await self._create_personal(user_key, person_id, activities)

    async def to_user_key(self, user_key: str, replies: Sequence[Reply], locale: str | None = None) -> Delivery:
        person_id = await conversation_refs.person_of(self.db, refs.PLATFORM, user_key)
        if person_id is not None:
            return await self.to_person(person_id, replies, locale)
        activities = card_activities(replies, texts(locale or self.default_locale))
        return await self._create_personal(user_key, None, activities) if activities else Delivery.SENT

    async def to_channel(self, channel_id: str, replies: Sequence[Reply], locale: str | None = None) -> Delivery:
        """Post `replies` as a new thread in a Teams channel ("19:...@thread.tacv2")."""
        activities = card_activities(replies, texts(locale or self.default_locale))
        if not activities:
            return Delivery.SENT
        ref = await conversation_refs.get(self.db, refs.PLATFORM, channel_id)
        if ref is not None and not ref.usable:
            return Delivery.GONE
        base = ref or await conversation_refs.latest(self.db, refs.PLATFORM)
        if base is None:
            return Delivery.NO_ROUTE
        reference = refs.reference_from_json(base.reference)
        tenant = reference.conversation.tenant_id if reference.conversation else None
        params = ConversationParameters(
            is_group=True,
            agent=reference.agent,
            channel_data={"channel": {"id": channel_id}, **({"tenant": {"id": tenant}} if tenant else {})},
            activity=activities[0],
            tenant_id=tenant,
        )
        return await self._create(params, reference, activities[1:], gone_key=channel_id)

    # -- conversations -------------------------------------------------------------------------------
    async def _continue(self, ref: StoredRef, activities: list[Activity]) -> Delivery:
        reference = refs.reference_from_json(ref.reference)
        failure: list[Exception] = []

        async def callback(context: TurnContext) -> None:
            try:
                await self._send_all(context, activities)
            except Exception as exc:  # re-raised below, outside the SDK turn-error handler
                failure.append(exc)

        continuation = reference.get_continuation_activity()
        continuation.id = None  # else every message is sent as a reply to this made-up activity id
        if self.anonymous:
            await self.adapter.continue_conversation_with_claims(ClaimsIdentity(), continuation, callback)
        else:
            await self.adapter.continue_conversation(self.app_id, continuation, callback)
        return await self._outcome(failure, ref.conversation_key)

    async def _create_personal(self, user_key: str, person_id: int | None, activities: list[Activity]) -> Delivery:
        base = await team_members.personal_base(self.db, refs.PLATFORM, user_key)  # a team they are in (roster)
        base = base or await conversation_refs.latest(self.db, refs.PLATFORM)
        if base is None:
            return Delivery.NO_ROUTE
        reference = refs.reference_from_json(base.reference)
        tenant = reference.conversation.tenant_id if reference.conversation else None
        params = ConversationParameters(
            is_group=False,
            agent=reference.agent,
            members=[ChannelAccount(id=user_key)],
            channel_data={"tenant": {"id": tenant}} if tenant else None,
            tenant_id=tenant,
        )
        return await self._create(params, reference, activities, person_id=person_id, user_key=user_key)

    async def _create(
        self,
        params: ConversationParameters,
        base: ConversationReference,
        activities: list[Activity],
        *,
        person_id: int | None = None,
        user_key: str | None = None,
        gone_key: str | None = None,
    ) -> Delivery:
        failure: list[Exception] = []

        async def callback(context: TurnContext) -> None:
            try:
                if user_key is not None:  # a new personal chat: remember it for next time
                    context.activity.from_property = ChannelAccount(id=user_key)
                    await refs.remember(self.db, context.activity, person_id)
                await self._send_all(context, activities)
            except Exception as exc:  # re-raised below
                failure.append(exc)

        async def create() -> None:
            await self.adapter.create_conversation(
                self.app_id,
                str(base.channel_id or "msteams"),
                base.service_url,
                AuthenticationConstants.AGENTS_SDK_SCOPE,
                params,
                callback,
            )

        try:
            await self._retrying(create)
        except Exception as exc:  # classified by _outcome
            failure.append(exc)
        return await self._outcome(failure, gone_key)

    # -- sending with retries ------------------------------------------------------------------------
    async def _send_all(self, context: TurnContext, activities: list[Activity]) -> None:
        for activity in activities:

            async def send(activity: Activity = activity) -> Any:
                from bot.teams.platform import post_activity  # no null fields (see there)

                return await post_activity(context, activity)

            await self._retrying(send)

    async def _retrying(self, operation: Callable[[], Awaitable[T]]) -> T:
        policy = self.policy
        for attempt in range(1, policy.attempts + 1):
            try:
                return await operation()
            except ClientResponseError as exc:
                if exc.status in GONE_STATUSES:
                    raise _Gone(exc.status) from exc
                if exc.status not in RETRY_STATUSES or attempt == policy.attempts:
                    raise
                await self.sleep(self._delay(attempt, exc.headers.get("Retry-After") if exc.headers else None))
            except ClientConnectionError:
                if attempt == policy.attempts:
                    raise
                await self.sleep(self._delay(attempt, None))
        raise AssertionError("unreachable")

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        """Full jitter on an exponential backoff, or Retry-After plus a little jitter; never above the bound."""
        policy = self.policy
        backoff: float = min(policy.max_delay, policy.base_delay * 2.0 ** (attempt - 1))
        if retry_after is not None:
            try:
                return min(policy.max_delay, max(0.0, float(retry_after)) + self.rand() * policy.base_delay)
            except ValueError:
                pass  # an HTTP date: fall back to our own backoff
        return self.rand() * backoff

    async def _outcome(self, failure: list[Exception], gone_key: str | None) -> Delivery:
        if not failure:
            return Delivery.SENT
        error = failure[0]
        if isinstance(error, _Gone):
            if gone_key:
                await conversation_refs.mark_unusable(self.db, refs.PLATFORM, gone_key)
                for listener in self.on_gone:
                    listener(gone_key)
            log.warning("Teams conversation %s is gone (HTTP %s); marked unusable", gone_key, error.status)
            return Delivery.GONE
        log.error("Teams delivery failed: %s", describe_error(error))
        return Delivery.FAILED
