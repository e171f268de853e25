"""Socket Mode (SLACK_APP_TOKEN): Slack connects out over a WebSocket, no public URL needed.

The same bolt app and listeners as over HTTP; retries carry the same event_id and are deduped the
same way."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

if TYPE_CHECKING:
    from bot.slack.app import SlackBot

log = logging.getLogger("maalbot.slack")


def start_socket_mode(bot: SlackBot) -> Callable[[web.Application], AsyncIterator[None]]:
    """An aiohttp cleanup context: connect when the server starts, disconnect when it stops."""

    async def socket_mode(_app: web.Application) -> AsyncIterator[None]:
        handler = AsyncSocketModeHandler(bot.bolt, bot.settings.secret("app_token"))
        await handler.connect_async()  # type: ignore[no-untyped-call]
        log.info("Slack Socket Mode connected")
        try:
            yield
        finally:
            await handler.close_async()  # type: ignore[no-untyped-call]

    return socket_mode
