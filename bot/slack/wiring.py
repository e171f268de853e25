"""Slack's line in `bot.platforms.REGISTRY`: mount it, and its reminder notifier (see there)."""

from __future__ import annotations

from aiohttp import web

from bot.delivery import Notifier
from bot.slack.app import SLACK_KEY, SlackBot, mount_slack
from dialogs.service import ConversationService
from storage.db import Database


def mount(app: web.Application, service: ConversationService, db: Database, *, dev: bool) -> SlackBot | None:
    """Slack only when SLACK_BOT_TOKEN is set (HTTP at /slack/events, or Socket Mode)."""
    return mount_slack(app, service, db)


def reminder_notifier(app: web.Application, switch: bool | None) -> Notifier | None:
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
