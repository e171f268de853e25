"""Slack's line in `bot.platforms.REGISTRY`: mount it, and its reminder notifier (see there)."""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

from bot.slack.settings import load_slack_settings

if TYPE_CHECKING:
    from aiohttp import web

    from bot.delivery import Notifier
    from bot.slack.app import SlackBot
    from dialogs.service import ConversationService
    from storage.db import Database


def mount(app: web.Application, service: ConversationService, db: Database, *, dev: bool) -> SlackBot | None:
    """Slack only when SLACK_BOT_TOKEN is set (HTTP at /slack/events, or Socket Mode). slack-bolt (~0.2 s of
    CPU to import) is imported only then."""
    settings = load_slack_settings()
    settings.check()  # a bad configuration stops the start, also with Slack off
    if settings.mode == "off":
        logging.getLogger("maalbot.slack").info("Slack is off (SLACK_BOT_TOKEN is not set)")
        return None
    from bot.slack.app import mount_slack

    return mount_slack(app, service, db, settings)


def reminder_notifier(app: web.Application, switch: bool | None) -> Notifier | None:
    if "bot.slack.app" not in sys.modules:  # Slack was not mounted
        return None
    from bot.slack.app import SLACK_KEY

    slack = app.get(SLACK_KEY)
    if slack is None or switch is False:
        return None
    from bot.slack.reminders import SlackReminderNotifier, reminder_client

    notifier = SlackReminderNotifier(reminder_client(slack.settings.secret("bot_token"), slack.settings.api_url))

    async def share_session(_app: web.Application) -> None:
        # the conversation's connection pool, opened by mount_slack's startup hook (which ran first)
        notifier.client.session = slack.channel.client.session

    app.on_startup.append(share_session)
    return notifier


def configured_notifier(db: Database, default_locale: str) -> Notifier | None:
    """From SLACK_BOT_TOKEN (and SLACK_API_URL); the client opens a connection per call."""
    from bot.slack.reminders import SlackReminderNotifier, reminder_client
    from bot.slack.settings import SlackSettings

    slack = SlackSettings()
    if slack.mode == "off":
        return None
    return SlackReminderNotifier(reminder_client(slack.secret("bot_token"), slack.api_url))
