"""Teams' line in `bot.platforms.REGISTRY`: mount it, and its reminder notifier (see there)."""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

from bot.teams.settings import TeamsSettings

if TYPE_CHECKING:
    from aiohttp import web

    from bot.delivery import Notifier
    from bot.teams.handlers import TeamsBot
    from dialogs.service import ConversationService
    from storage.db import Database

log = logging.getLogger("maalbot.reminders")


def mount(app: web.Application, service: ConversationService, db: Database, *, dev: bool) -> TeamsBot | None:
    """/api/messages with credentials, or in --dev without (local requests only). The Agents SDK (seconds of
    CPU to import) is imported only when Teams is served."""
    settings = TeamsSettings()
    if not settings.has_credentials and not dev:
        logging.getLogger("maalbot.teams").info("Teams is not configured (no MICROSOFT_APP_ID): not served")
        return None
    from bot.teams.app import mount_teams

    return mount_teams(app, service, db, settings, dev)


def reminder_notifier(app: web.Application, switch: bool | None) -> Notifier | None:
    """Development mode's Teams (no credentials) only with MAALBOT_REMINDERS=on: else a local demo
    database would have every due reminder tried, and failed, on a Teams nobody uses."""
    if "bot.teams.app" not in sys.modules:  # Teams was not mounted
        return None
    from bot.teams.app import TEAMS_NOTIFIER_KEY

    teams = app.get(TEAMS_NOTIFIER_KEY)
    if teams is None or switch is False or (teams.anonymous and switch is not True):
        return None
    from bot.teams.reminders import TeamsReminderNotifier

    return TeamsReminderNotifier(teams)


def configured_notifier(db: Database, default_locale: str) -> Notifier | None:
    """From complete MICROSOFT_APP_* credentials (the adapter gets its tokens on each send);
    development mode's unauthenticated adapter is only for `maalbot serve --dev`."""
    settings = TeamsSettings()
    if not settings.has_credentials:
        if settings.mentioned:
            log.warning("Teams is not used for reminders: %s", settings.credential_problem())
        return None
    from microsoft_agents.authentication.msal import MsalConnectionManager
    from microsoft_agents.hosting.aiohttp import CloudAdapter

    from bot.teams.app import auth_configuration
    from bot.teams.notifier import TeamsNotifier
    from bot.teams.reminders import TeamsReminderNotifier

    connections = MsalConnectionManager(connections_configurations={"SERVICE_CONNECTION": auth_configuration(settings)})
    adapter = CloudAdapter(connection_manager=connections)
    return TeamsReminderNotifier(TeamsNotifier(adapter, db, settings.app_id or "", default_locale=default_locale))
