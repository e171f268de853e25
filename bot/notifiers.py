"""Which platforms the reminders are sent through (see the README, «Which notifiers are used when»).

- Inside `maalbot serve`: `register_reminder_notifiers(app)`, called by `bot.web.build_app` after the
  channels are mounted, adds a notifier for each mounted channel to `app[REMINDER_NOTIFIERS]`, which
  the scheduler reads at every tick: Slack when SLACK_BOT_TOKEN is set (`mount_slack`), Teams when
  `/api/messages` is served with MICROSOFT_APP_* credentials (`mount_teams`; `--dev` without
  credentials only with MAALBOT_REMINDERS=on).
- MAALBOT_REMINDERS=off: `serve` registers none (the scheduler then does nothing at all).
- For `maalbot remind --now`: `configured_notifiers(db)` builds the same notifiers from the
  environment, without a web application: Slack from SLACK_BOT_TOKEN (and SLACK_API_URL), Teams from
  complete MICROSOFT_APP_* credentials. Nothing configured: an empty list.

Slack comes first: a person known on both platforms gets their DMs in Slack (the scheduler takes the
first notifier whose platform the person has been seen on)."""

from __future__ import annotations

import logging

from aiohttp import web
from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.delivery import Notifier
from bot.scheduler import REMINDER_NOTIFIERS
from bot.settings import SettingsError
from bot.teams.settings import TeamsSettings
from storage.db import Database

log = logging.getLogger("maalbot.reminders")


class ReminderSwitch(BaseSettings):
    """MAALBOT_REMINDERS: unset, reminders go through every configured channel; `off`, `maalbot serve`
    sends none (tests and benchmarks that run the real application against fake platforms, or an
    instance that should only answer); `on`, also through development mode's unauthenticated Teams
    (`serve --dev` without MICROSOFT_APP_ID, e.g. to see reminders in the Agents Playground)."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", case_sensitive=False)

    enabled: bool | None = Field(default=None, alias="MAALBOT_REMINDERS")


def reminder_switch() -> bool | None:
    try:
        return ReminderSwitch().enabled
    except ValidationError:
        raise SettingsError("MAALBOT_REMINDERS must be on or off") from None


def register_reminder_notifiers(app: web.Application) -> None:
    """Append a reminder notifier for each channel mounted on `app` (call after `mount_slack` and
    `mount_teams`). Development mode's Teams (no credentials) only with MAALBOT_REMINDERS=on: else a
    local demo database would have every due reminder tried, and failed, on a Teams nobody uses."""
    from bot.slack.app import SLACK_KEY
    from bot.teams.app import TEAMS_NOTIFIER_KEY

    notifiers = app.setdefault(REMINDER_NOTIFIERS, [])
    switch = reminder_switch()
    if switch is False:
        log.info("reminders are off (MAALBOT_REMINDERS=off)")
        return
    slack = app.get(SLACK_KEY)
    if slack is not None:
        from bot.slack.reminders import SlackReminderNotifier, reminder_client

        notifier = SlackReminderNotifier(reminder_client(slack.settings.secret("bot_token"), slack.settings.api_url))

        async def share_session(_app: web.Application) -> None:
            # the conversation's connection pool, opened by mount_slack's startup hook (which ran first)
            notifier.client.session = slack.channel.client.session

        app.on_startup.append(share_session)
        notifiers.append(notifier)
    teams = app.get(TEAMS_NOTIFIER_KEY)
    if teams is not None and (not teams.anonymous or switch is True):
        from bot.teams.reminders import TeamsReminderNotifier

        notifiers.append(TeamsReminderNotifier(teams))
    log.info("reminders are sent through: %s", ", ".join(n.platform for n in notifiers) or "nothing (no channel)")


def configured_notifiers(db: Database, *, default_locale: str = "da") -> list[Notifier]:
    """The reminder notifiers the environment configures, for `maalbot remind --now`.

    Everything here is built synchronously: the Slack client opens a connection per call, and the
    Teams adapter gets its tokens (MSAL) and connector clients on each send, so no async setup or
    teardown is needed. Teams without complete credentials is left out (development mode's
    unauthenticated adapter is only for `maalbot serve --dev`)."""
    from bot.slack.settings import SlackSettings

    notifiers: list[Notifier] = []
    slack = SlackSettings()
    if slack.mode != "off":
        from bot.slack.reminders import SlackReminderNotifier, reminder_client

        notifiers.append(SlackReminderNotifier(reminder_client(slack.secret("bot_token"), slack.api_url)))
    teams = TeamsSettings()
    if teams.has_credentials:
        notifiers.append(_teams_notifier(db, teams, default_locale))
    elif teams.mentioned:
        log.warning("Teams is not used for reminders: %s", teams.credential_problem())
    return notifiers


def _teams_notifier(db: Database, settings: TeamsSettings, default_locale: str) -> Notifier:
    from microsoft_agents.authentication.msal import MsalConnectionManager
    from microsoft_agents.hosting.aiohttp import CloudAdapter

    from bot.teams.app import auth_configuration
    from bot.teams.notifier import TeamsNotifier
    from bot.teams.reminders import TeamsReminderNotifier

    connections = MsalConnectionManager(connections_configurations={"SERVICE_CONNECTION": auth_configuration(settings)})
    adapter = CloudAdapter(connection_manager=connections)
    return TeamsReminderNotifier(TeamsNotifier(adapter, db, settings.app_id or "", default_locale=default_locale))
