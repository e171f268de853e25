"""Talking to Slack's Web API on behalf of the conversation: who a user is, and where replies go."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.render import Message
from dialogs.service import ConversationService, PersonRef

PLATFORM = "slack"
log = logging.getLogger("maalbot.slack")
DM_CACHE_LIMIT = 10_000


def retry_handlers() -> list[AsyncRetryHandler]:
    """Bounded retries: rate limits honour Retry-After (3 times), 500/503 and broken connections twice."""
    return [
        AsyncConnectionErrorRetryHandler(max_retry_count=2),
        AsyncRateLimitErrorRetryHandler(max_retry_count=3),
        AsyncServerErrorRetryHandler(max_retry_count=2),
    ]


def web_client(token: str, api_url: str) -> AsyncWebClient:
    return AsyncWebClient(token=token, base_url=api_url, retry_handlers=retry_handlers())


class DmChannels:
    """Slack user id → the id of their DM with the bot, so conversations.open runs once per person.
    Bounded: past `limit` entries the cache starts over (an entry is cheap to open again)."""

    def __init__(self, limit: int = DM_CACHE_LIMIT) -> None:
        self.limit = limit
        self._channels: dict[str, str] = {}

    async def open(self, client: AsyncWebClient, user_id: str) -> str:
        channel = self._channels.get(user_id)
        if channel is None:
            response = await client.conversations_open(users=user_id)
            channel = str(response["channel"]["id"])
            if len(self._channels) >= self.limit:
                self._channels.clear()
            self._channels[user_id] = channel
        return channel

    def remember(self, user_id: str, channel: str) -> None:
        """A DM channel seen in an event (kept only while there is room)."""
        if len(self._channels) < self.limit:
            self._channels[user_id] = channel

    def forget(self, user_id: str) -> None:
        self._channels.pop(user_id, None)


class SlackChannel:
    """Identity (users.info → email → person), posting replies, DMs and notices."""

    def __init__(self, client: AsyncWebClient, service: ConversationService) -> None:
        self.client = client
        self.service = service
        self._dm_channels = DmChannels()

    # -- who is this ---------------------------------------------------------------------------
    async def person(self, user_id: str) -> PersonRef | None:
        """The person behind a Slack user; on first contact matched by the email Slack knows."""
        person = await self.service.identify(PLATFORM, user_id)
        if person is not None:
            return person
        email = await self.email_of(user_id)
        return await self.service.identify(PLATFORM, user_id, email=email) if email else None

    async def email_of(self, user_id: str) -> str | None:
        try:
            response = await self.client.users_info(user=user_id)
        except SlackApiError as exc:
            log.warning("users.info failed for %s: %s", user_id, exc.response.get("error"))
            return None
        user: dict[str, Any] = response.get("user") or {}
        if user.get("is_bot") or user.get("deleted"):
            return None
        email = (user.get("profile") or {}).get("email")
        return str(email) if email else None

    # -- where replies go --------------------------------------------------------------------------
    async def dm_channel(self, user_id: str) -> str:
        return await self._dm_channels.open(self.client, user_id)

    def remember_dm(self, user_id: str, channel: str) -> None:
        """A DM channel seen in an event: no conversations.open needed for this user later."""
        self._dm_channels.remember(user_id, channel)


__all__ = ["PLATFORM", "Message", "SlackChannel", "retry_handlers", "web_client"]
