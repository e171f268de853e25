"""Socket Mode (SLACK_APP_TOKEN): Slack connects out over a WebSocket, no public URL needed.

The same bolt app and listeners as over HTTP; retries carry the same event_id and are deduped the
same way.

Start-up: the WebSocket URL is asked for first (apps.connections.open), so a refused app token stops
start-up at once with a clear error instead of the SDK's endless "Retrying..."; the whole connect is
bounded (`CONNECT_TIMEOUT`), so an unreachable Slack stops start-up too, rather than hanging it.

Shutdown: `SocketMode.disconnect` is an on_shutdown step that runs before the Background drain
(`bot.slack.app.mount_slack` puts it first), so no envelope is acknowledged, and no turn started,
after the drain; Slack sends an unacknowledged envelope again."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_sdk.errors import SlackApiError

if TYPE_CHECKING:
    from bot.slack.app import SlackBot

log = logging.getLogger("maalbot.slack")

CONNECT_TIMEOUT = 30.0  # seconds for apps.connections.open and the WebSocket together


class SocketModeError(RuntimeError):
    """Socket Mode could not connect at start-up (the message says why; never the token)."""


class SocketMode:
    """Connects when the server starts (`context`, an aiohttp cleanup context) and disconnects at the
    start of shutdown (`disconnect`, an on_shutdown step) or, at the latest, at cleanup."""

    def __init__(self, bot: SlackBot, *, connect_timeout: float = CONNECT_TIMEOUT) -> None:
        self.bot = bot
        self.connect_timeout = connect_timeout
        self.handler: AsyncSocketModeHandler | None = None

    async def context(self, _app: web.Application) -> AsyncIterator[None]:
        handler = AsyncSocketModeHandler(self.bot.bolt, self.bot.settings.secret("app_token"))
        try:
            await asyncio.wait_for(self._connect(handler), self.connect_timeout)
        except (SocketModeError, TimeoutError) as exc:
            await handler.close_async()  # type: ignore[no-untyped-call]
            reason = (
                str(exc) if isinstance(exc, SocketModeError) else f"not connected within {self.connect_timeout:g} s"
            )
            log.error("Slack Socket Mode could not connect: %s; Målbot does not start", reason)
            raise SocketModeError(f"Slack Socket Mode could not connect: {reason}") from None
        self.handler = handler
        log.info("Slack Socket Mode connected")
        try:
            yield
        finally:
            await self.disconnect()

    async def _connect(self, handler: AsyncSocketModeHandler) -> None:
        client = handler.client
        try:
            response = await client.web_client.apps_connections_open(app_token=client.app_token)
        except SlackApiError as exc:
            code = str(exc.response.get("error") or f"HTTP {exc.response.status_code}")
            if code != "ratelimited":  # the SDK waits out a rate limit itself (inside our bound)
                raise SocketModeError(f"Slack refused the app token (apps.connections.open: {code})") from None
        except Exception as exc:
            raise SocketModeError(f"Slack is not reachable ({type(exc).__name__})") from None
        else:
            client.wss_uri = str(response["url"])
        await handler.connect_async()  # type: ignore[no-untyped-call]

    async def disconnect(self, _app: web.Application | None = None) -> None:
        """Stop taking envelopes (idempotent): an envelope not acknowledged is sent again by Slack."""
        handler, self.handler = self.handler, None
        if handler is not None:
            await handler.close_async()  # type: ignore[no-untyped-call]
            log.info("Slack Socket Mode disconnected")


def start_socket_mode(bot: SlackBot, *, connect_timeout: float = CONNECT_TIMEOUT) -> SocketMode:
    """The Socket Mode connection for `bot`: add `.context` to the app's cleanup_ctx and `.disconnect`
    to its on_shutdown before the work is drained (as `mount_slack` does)."""
    return SocketMode(bot, connect_timeout=connect_timeout)
