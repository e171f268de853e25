"""Slack as a `bot.outbound.Platform`: identify a user, render replies as Block Kit messages, send one
message to where a turn's replies go (a channel or DM, a thread, a /maal response_url, or a user
whose DM is opened first), and find a workspace member by email.
Errors are classified like the reminders' (`bot.slack.reminders.classify`):
429/5xx/timeouts are transient (the deliverer retries), channel gone or user gone are permanent."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import ClientError, ClientSession
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery import Notifier, SendResult
from bot.slack.channel import PLATFORM, SlackChannel
from bot.slack.reminders import SlackReminderNotifier, _retry_after, classify
from bot.slack.render import Message, render_messages
from dialogs.messages import Reply

LINKED_LIMIT = 10_000


class SlackPlatform:
    name = PLATFORM

    def __init__(self, channel: SlackChannel, client: AsyncWebClient) -> None:
        self.channel = channel
        self.client = client  # without the SDK's own retries: the deliverer retries, in order
        self.reminders = SlackReminderNotifier(client)
        self.notifier: Notifier = self.reminders
        self._linked: set[str] = set()

    @property
    def session(self) -> ClientSession | None:
        return self.client.session

    async def ensure_person(self, user_key: str) -> None:
        """Link the user by the email Slack knows, once. Only the fact that a user id is linked is
        remembered here (bounded); who the person is, and their language, is read in every turn."""
        if user_key in self._linked:
            return
        if await self.channel.person(user_key) is not None:
            if len(self._linked) >= LINKED_LIMIT:
                self._linked.clear()
            self._linked.add(user_key)

    def is_linked(self, user_key: str) -> bool:
        """Whether this user was linked to a person in this process (`ensure_person`)."""
        return user_key in self._linked

    async def find_person(self, email: str) -> str | None:
        """users.lookupByEmail (scope users:read.email), the same look-up the scheduler's notifier makes."""
        return await self.reminders.find_person(email)

    def render(self, replies: list[Reply], locale: str | None) -> list[Message]:
        return render_messages(replies)

    async def send_part(self, to: dict[str, Any], part: Message) -> SendResult:
        if to.get("response_url"):
            return await self._respond(str(to["response_url"]), part)
        try:
            channel = to.get("channel") or await self.channel.dm_channel(str(to["user"]))
            await self.client.chat_postMessage(
                channel=str(channel),
                text=part.text,
                blocks=part.blocks,
                thread_ts=to.get("thread_ts"),
                unfurl_links=False,
                unfurl_media=False,
            )
        except SlackApiError as exc:
            return classify(exc)
        except (TimeoutError, ClientError) as exc:
            return SendResult.transient(f"{type(exc).__name__}")
        return SendResult.ok()

    async def _respond(self, url: str, part: Message) -> SendResult:
        body = {
            "text": part.text,
            "blocks": part.blocks,
            "response_type": "ephemeral",
            "replace_original": False,
        }
        session = self.session
        own = session is None
        session = session or ClientSession()
        try:
            async with session.post(
                url, data=json.dumps(body), headers={"Content-Type": "application/json"}
            ) as response:
                await response.read()
                if response.status == 429:
                    return SendResult.transient("HTTP 429", _retry_after(response.headers))
                if response.status >= 500:
                    return SendResult.transient(f"HTTP {response.status}")
                if response.status >= 400:  # expired (30 minutes, 5 uses) or unknown: nothing to retry
                    return SendResult.permanent(f"HTTP {response.status}")
        except (TimeoutError, ClientError) as exc:
            return SendResult.transient(f"{type(exc).__name__}")
        finally:
            if own:
                await session.close()
        return SendResult.ok()
