"""Reminders in Slack: the scheduler's `Notifier` over the Web API (chat.postMessage, conversations.open).

The notifier has its own `AsyncWebClient`, built by `reminder_client`, WITHOUT the rate-limit retry
handler the conversation's client has (`bot.slack.channel.retry_handlers`) and without the 5xx one:

- the scheduler already paces (about 1 message per second per channel) and retries transient
  failures on later ticks with backoff that honours Retry-After (`SendResult.retry_after`);
- the SDK's handler would sleep for Retry-After (Slack says up to a minute) inside the tick, holding
  up every other recipient behind one rate-limited call, and then still count as one attempt;
- with both retrying, one 429 could turn into up to 3 × 5 calls instead of 5.

Only a broken connection is retried, once and straight away (a stale pooled keep-alive connection is the usual
cause and a second try costs nothing). A rate limit or a 5xx becomes `SendResult.transient` at once.

Errors Slack will keep giving for this target (channel gone, bot not in the channel, user gone or
deactivated, DMs to a bot, bad token) are permanent; anything else is transient, so the scheduler's
bounded attempts decide (an unknown error ends as failed after its last attempt, with the error).

Someone who has never written to the bot is found by the email in the organisation file
(`find_person`, users.lookupByEmail, scope `users:read.email`): users_not_found (or a deactivated user,
or a bot) is no one; a rate limit, a 5xx or a broken connection is "not now" (the scheduler tries again
on a later tick).

A reminder of several Slack messages (a reply longer than 50 blocks) is sent in order; if a later one
fails transiently, the retry sends all of them again (the scheduler treats one item as one unit)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery import LookupUnavailable, SendResult, SendStatus
from bot.slack.channel import PLATFORM, DmChannels
from bot.slack.render import render_messages
from dialogs.messages import Reply

log = logging.getLogger("maalbot.slack.reminders")

PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "user_not_found",
        "user_disabled",
        "account_inactive",
        "cannot_dm_bot",
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "token_expired",
        "missing_scope",
        "restricted_action",
    }
)


def reminder_client(token: str, api_url: str) -> AsyncWebClient:
    """A Web API client for the scheduler: a broken connection is retried once; 429 and 5xx are not
    retried here (the scheduler does, on a later tick)."""
    return AsyncWebClient(
        token=token, base_url=api_url, retry_handlers=[AsyncConnectionErrorRetryHandler(max_retry_count=1)]
    )


def _header(headers: Any, name: str) -> str | None:
    """A header from the SDK's response headers (aiohttp's case-insensitive mapping, or a plain dict)."""
    if not isinstance(headers, Mapping):
        return None
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if str(k).lower() == name.lower()), None)
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value) if value is not None else None


def _retry_after(headers: Any) -> float | None:
    value = _header(headers, "Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def classify(exc: SlackApiError) -> SendResult:
    """A Web API error as a send result (see the module's docstring)."""
    response = exc.response
    status = int(getattr(response, "status_code", 0) or 0)
    data = getattr(response, "data", None)
    code = str(data.get("error") or "") if isinstance(data, Mapping) else ""
    if status >= 500:
        return SendResult.transient(f"HTTP {status}" + (f" ({code})" if code else ""))
    if status == 429 or code == "ratelimited":
        return SendResult.transient(code or "HTTP 429", retry_after=_retry_after(getattr(response, "headers", None)))
    if code in PERMANENT_ERRORS:
        return SendResult.permanent(code)
    return SendResult.transient(code or f"HTTP {status}")


LOOKUP_TTL = 3600.0  # seconds before «not in the workspace» is asked about again
LOOKUP_LIMIT = 100_000


class SlackReminderNotifier:
    """The reminder scheduler's way of writing first in Slack (platform "slack").

    A person is written to by their Slack user id: conversations.open gives the DM channel (remembered,
    so a weekly nudge does not open it again), then one chat.postMessage per rendered message. A
    channel ("#maal-nord" or an id) gets chat.postMessage directly; the bot must be in the channel."""

    platform = PLATFORM

    def __init__(self, client: AsyncWebClient, clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self._dm_channels = DmChannels()
        self._clock = clock
        # email (casefolded) -> (user id or None, when looked up): a person is looked up once. A found
        # id is also stored as the person's identity by the scheduler; «not in the workspace» is asked
        # again after `LOOKUP_TTL` (they may have joined). Bounded: cleared at `LOOKUP_LIMIT` entries.
        self._looked_up: dict[str, tuple[str | None, float]] = {}

    async def send_to_person(self, user_key: str, replies: list[Reply]) -> SendResult:
        try:
            channel = await self._dm_channels.open(self.client, user_key)
        except SlackApiError as exc:
            return self._failed("conversations.open", user_key, exc)
        except (TimeoutError, ClientError) as exc:
            return SendResult.transient(f"conversations.open: {type(exc).__name__}: {exc}")
        result = await self._post(channel, replies)
        if result.error in ("channel_not_found", "is_archived"):
            self._dm_channels.forget(user_key)  # a stale cached DM channel: open it again next time
        return result

    async def send_to_channel(self, channel: str, replies: list[Reply]) -> SendResult:
        return await self._post(channel, replies)

    async def find_person(self, email: str) -> str | None:
        """The Slack user id of the workspace member with this email (see `bot.delivery.FindsPeople`),
        asked of Slack once per person (see `_looked_up`)."""
        key = email.strip().casefold()
        known = self._looked_up.get(key)
        if known is not None and (known[0] is not None or self._clock() - known[1] < LOOKUP_TTL):
            return known[0]
        found = await self._lookup(email)
        if len(self._looked_up) >= LOOKUP_LIMIT:
            self._looked_up.clear()
        self._looked_up[key] = (found, self._clock())
        return found

    async def _lookup(self, email: str) -> str | None:
        try:
            response = await self.client.users_lookupByEmail(email=email)
        except SlackApiError as exc:
            result = classify(exc)
            code = result.error
            if code == "users_not_found":
                return None
            if result.status is SendStatus.TRANSIENT:
                raise LookupUnavailable(
                    SendResult.transient(f"users.lookupByEmail: {code}", result.retry_after)
                ) from None
            log.warning("users.lookupByEmail failed: %s", code)  # not the email: the log is not the place
            return None
        except (TimeoutError, ClientError) as exc:
            raise LookupUnavailable(SendResult.transient(f"users.lookupByEmail: {type(exc).__name__}")) from None
        user: dict[str, Any] = response.get("user") or {}
        if not user.get("id") or user.get("deleted") or user.get("is_bot"):
            return None
        return str(user["id"])

    async def _post(self, channel: str, replies: list[Reply]) -> SendResult:
        for message in render_messages(replies):
            try:
                await self.client.chat_postMessage(
                    channel=channel,
                    text=message.text,
                    blocks=message.blocks,
                    unfurl_links=False,
                    unfurl_media=False,
                )
            except SlackApiError as exc:
                return self._failed("chat.postMessage", channel, exc)
            except (TimeoutError, ClientError) as exc:
                return SendResult.transient(f"chat.postMessage: {type(exc).__name__}: {exc}")
        return SendResult.ok()

    def _failed(self, method: str, target: str, exc: SlackApiError) -> SendResult:
        result = classify(exc)
        log.warning("%s to %s failed: %s (%s)", method, target, result.error, result.status)
        return result
