"""Slack on the shared aiohttp application: `mount_slack` adds POST /slack/events (HTTP mode) or
starts Socket Mode, and wires submit summaries and notices."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from aiohttp import ClientSession, ClientTimeout, web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp

from bot.logs import NoRequestBodies
from bot.outbound import Pipeline, ensure_pipeline
from bot.slack.background import Background
from bot.slack.channel import SlackChannel, web_client
from bot.slack.guard import SlackGuard
from bot.slack.handlers import SlackHandlers
from bot.slack.platform import SlackPlatform
from bot.slack.reminders import reminder_client
from bot.slack.settings import SlackSettings, load_slack_settings
from dialogs.service import ConversationService
from storage.db import Database

log = logging.getLogger("maalbot.slack")
bolt_log = logging.getLogger("maalbot.slack.bolt")
EVENTS_PATH = "/slack/events"


class _NoTokenWarning(logging.Filter):
    """bolt also reads SLACK_BOT_TOKEN itself and then warns that our client's token wins: it is the same one."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


bolt_log.addFilter(_NoTokenWarning())
bolt_log.addFilter(NoRequestBodies())  # bolt would log a badly signed request's whole body


@dataclass
class SlackBot:
    """Everything Slack needs at run time; kept on the aiohttp app under `SLACK_KEY`."""

    settings: SlackSettings
    bolt: AsyncApp
    channel: SlackChannel
    handlers: SlackHandlers
    background: Background
    platform: SlackPlatform

    async def drain(self) -> None:
        """Wait for the work after the acknowledgements (tests, shutdown)."""
        await self.background.drain()


SLACK_KEY: web.AppKey[SlackBot] = web.AppKey("slack", SlackBot)


def build_slack(service: ConversationService, db: Database, settings: SlackSettings, pipeline: Pipeline) -> SlackBot:
    client = web_client(settings.secret("bot_token"), settings.api_url)
    bolt = AsyncApp(
        client=client,
        # Socket Mode has no HTTP signatures; over HTTP every request is verified (never turned off).
        signing_secret=settings.secret("signing_secret") if settings.mode == "http" else None,
        request_verification_enabled=settings.mode == "http",
        # The listeners only acknowledge and hand the work to `Background`; answering after they
        # return avoids bolt's fire-and-forget tasks and its 10 ms polling for the ack.
        process_before_response=True,
        logger=bolt_log,
        name="maalbot",  # without a name bolt walks the whole call stack (`inspect.stack()`) to make one up
    )
    background = Background()
    channel = SlackChannel(client, service)
    platform = SlackPlatform(channel, reminder_client(settings.secret("bot_token"), settings.api_url))
    pipeline.add(platform)
    handlers = SlackHandlers(service, pipeline, channel, background)
    handlers.register(bolt)
    bot = SlackBot(settings, bolt, channel, handlers, background, platform)
    return bot


def mount_slack(
    app: web.Application,
    service: ConversationService,
    db: Database,
    settings: SlackSettings | None = None,
    *,
    socket_connect_timeout: float | None = None,
) -> SlackBot | None:
    """Add Slack to `app` when SLACK_BOT_TOKEN is set (else one log line). A bad configuration raises
    `bot.settings.SettingsError` before the server starts; in Socket Mode, an app token Slack refuses
    (or no connection within `socket_connect_timeout`, default 30 s) makes start-up fail."""
    settings = settings or load_slack_settings()
    settings.check()
    if settings.mode == "off":
        log.info("Slack is off (SLACK_BOT_TOKEN is not set)")
        return None
    pipeline = ensure_pipeline(app, service)
    bot = build_slack(service, db, settings, pipeline)
    app[SLACK_KEY] = bot

    async def open_session(_app: web.Application) -> None:
        # one connection pool instead of one per call, and no call without a time limit
        timeout = ClientTimeout(total=pipeline.deliverer.policy.timeout)
        bot.channel.client.session = ClientSession(timeout=timeout)
        bot.platform.client.session = bot.channel.client.session

    async def finish_work(_app: web.Application) -> None:
        await bot.drain()
        if bot.channel.client.session is not None:
            await bot.channel.client.session.close()

    app.on_startup.append(open_session)
    if settings.mode == "socket":
        from bot.slack.socket import CONNECT_TIMEOUT, start_socket_mode

        socket = start_socket_mode(bot, connect_timeout=socket_connect_timeout or CONNECT_TIMEOUT)
        app.cleanup_ctx.append(socket.context)
        app.on_shutdown.append(socket.disconnect)  # before the drain: nothing new is taken on after it
    app.on_shutdown.append(finish_work)
    if settings.mode == "http":
        guard = SlackGuard(settings.secret("signing_secret"))  # signed and well-formed before bolt parses it

        async def slack_events(request: web.Request) -> web.Response:
            return await to_aiohttp_response(await bot.bolt.async_dispatch(await guard.bolt_request(request)))

        app.router.add_post(EVENTS_PATH, slack_events)
        log.info("Slack is on: requests at POST %s", EVENTS_PATH)
    else:
        log.info("Slack is on: Socket Mode")
    return bot
