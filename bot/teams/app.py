"""Mount Teams on the shared aiohttp application: `POST /api/messages` with the Agents SDK adapter.

With credentials (MICROSOFT_APP_ID and friends) every request's JWT is validated by the SDK.
Without them the route exists only in development mode, accepts unauthenticated requests from this
machine only, and says so loudly."""

from __future__ import annotations

import ipaddress
import logging
import warnings
from collections.abc import Awaitable, Callable

from aiohttp import web
from microsoft_agents.activity import Activity
from microsoft_agents.hosting.aiohttp import CloudAdapter, jwt_authorization_decorator
from microsoft_agents.hosting.core import AgentAuthConfiguration, AnonymousTokenProvider
from microsoft_agents.hosting.core.authorization import (
    AccessTokenProviderBase,
    AuthTypes,
    ClaimsIdentity,
    Connections,
)

from bot.outbound import ensure_pipeline
from bot.teams.guard import guard_bearer_tokens
from bot.teams.handlers import TeamsBot
from bot.teams.notifier import TeamsNotifier
from bot.teams.platform import TeamsPlatform
from bot.teams.roster import TeamsRoster
from bot.teams.settings import TeamsSettings
from dialogs.service import ConversationService
from storage.db import Database

log = logging.getLogger("maalbot.teams")

ROUTE = "/api/messages"
TEAMS_BOT_KEY: web.AppKey[TeamsBot] = web.AppKey("teams_bot", TeamsBot)
TEAMS_NOTIFIER_KEY: web.AppKey[TeamsNotifier] = web.AppKey("teams_notifier", TeamsNotifier)
TEAMS_ROSTER_KEY: web.AppKey[TeamsRoster] = web.AppKey("teams_roster", TeamsRoster)
_SDK_AUTH_CONFIG = "agent_configuration"  # where the SDK's JWT decorator looks for its configuration

UNAUTHENTICATED_WARNING = (
    "\n"
    "!!! Teams /api/messages is running WITHOUT AUTHENTICATION (development mode, no MICROSOFT_APP_ID).\n"
    "!!! Anyone who can reach it can pose as any Teams user. Only requests from 127.0.0.1 are accepted.\n"
    "!!! Set MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD and MICROSOFT_APP_TENANT_ID before going live.\n"
)


def auth_configuration(settings: TeamsSettings) -> AgentAuthConfiguration:
    """The SDK's configuration from botbuilder-style settings (the same Azure Bot registration)."""
    password = settings.app_password.get_secret_value() if settings.app_password else None
    if settings.effective_app_type == "UserAssignedMSI":
        return AgentAuthConfiguration(
            auth_type=AuthTypes.user_managed_identity, client_id=settings.app_id, tenant_id=settings.tenant_id
        )
    tenant = settings.tenant_id if settings.effective_app_type == "SingleTenant" else settings.tenant_id or None
    return AgentAuthConfiguration(
        auth_type=AuthTypes.client_secret,
        client_id=settings.app_id,
        tenant_id=tenant or "botframework.com",
        client_secret=password,
    )


class _DevTokenProvider(AnonymousTokenProvider):
    """No credentials: outgoing calls carry a placeholder token (the SDK insists on a non-empty one for
    proactive turns). Only the local fake connector or Agents Playground ever sees it."""

    async def get_access_token(self, resource_url: str, scopes: list[str], force_refresh: bool = False) -> str:
        return "development-unauthenticated"


class DevConnections(Connections):
    def __init__(self) -> None:
        self._provider = _DevTokenProvider()

    def get_connection(self, connection_name: str) -> AccessTokenProviderBase:
        return self._provider

    def get_default_connection(self) -> AccessTokenProviderBase:
        return self._provider

    def get_token_provider(self, claims_identity: ClaimsIdentity, service_url: str) -> AccessTokenProviderBase:
        return self._provider

    def get_token_provider_from_activity(
        self, claims_identity: ClaimsIdentity, activity: Activity
    ) -> AccessTokenProviderBase:
        return self._provider

    def get_default_connection_configuration(self) -> AgentAuthConfiguration:
        return AgentAuthConfiguration(anonymous_allowed=True)


def _is_loopback(remote: str | None) -> bool:
    try:
        return remote is not None and ipaddress.ip_address(remote).is_loopback
    except ValueError:
        return False


def mount_teams(
    app: web.Application,
    service: ConversationService,
    db: Database,
    settings: TeamsSettings,
    dev: bool,
) -> TeamsBot | None:
    """Add `POST /api/messages` (and the notifier under TEAMS_NOTIFIER_KEY). Returns the bot, or None
    when Teams is not configured and this is not development mode."""
    if settings.has_credentials:
        # MSAL (and requests) only with credentials: ~0.5 s of CPU off a start without them
        from microsoft_agents.authentication.msal import MsalConnectionManager

        config = auth_configuration(settings)
        connections: Connections = MsalConnectionManager(connections_configurations={"SERVICE_CONNECTION": config})
        anonymous = False
    elif dev:
        log.warning(UNAUTHENTICATED_WARNING)
        config = None
        connections = DevConnections()
        anonymous = True
    else:
        log.info("Teams is not configured (no MICROSOFT_APP_ID): %s is not served", ROUTE)
        return None

    adapter = CloudAdapter(connection_manager=connections)
    notifier = TeamsNotifier(
        adapter, db, settings.app_id or "", anonymous=anonymous, default_locale=service.default_locale
    )
    pipeline = ensure_pipeline(app, service)
    pipeline.add(TeamsPlatform(notifier))
    bot = TeamsBot(service, pipeline, db, notifier)
    adapter.on_turn_error = bot.on_turn_error
    app[TEAMS_BOT_KEY] = bot
    app[TEAMS_NOTIFIER_KEY] = notifier
    roster = app[TEAMS_ROSTER_KEY] = TeamsRoster(notifier, db, refresh_hours=settings.roster_refresh_hours)
    app.on_startup.append(roster.on_startup)  # every known team's roster on start, then the stale ones
    app.on_cleanup.insert(0, roster.on_cleanup)  # before the database is closed
    agent = roster.agent(bot)  # roster events (bot or members added/removed) first, then the bot

    async def messages(request: web.Request) -> web.StreamResponse:
        if anonymous and not _is_loopback(request.remote):
            return web.json_response({"error": "unauthenticated mode accepts local requests only"}, status=403)
        response = await adapter.process(request, agent)
        return response if response is not None else web.Response(status=202)

    handler: Callable[[web.Request], Awaitable[web.StreamResponse]] = messages
    if config is not None:
        with warnings.catch_warnings():  # the SDK reads its configuration from a plain string key
            warnings.simplefilter("ignore", web.NotAppKeyWarning)
            app[_SDK_AUTH_CONFIG] = config
        # a token without a key id would be a KeyError (500) inside the SDK: the guard answers 401
        handler = guard_bearer_tokens(jwt_authorization_decorator(messages))  # type: ignore[no-untyped-call]
    app.router.add_post(ROUTE, handler)
    return bot
