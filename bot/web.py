"""The aiohttp application every platform of `bot.platforms.REGISTRY` mounts on (Slack at /slack/events,
Teams at /api/messages)."""

from __future__ import annotations

import logging

from aiohttp import web
from sqlalchemy import text

from bot.http_limits import limit_requests
from bot.logs import quiet_protocol_errors
from bot.settings import Settings
from dialogs.service import ConversationService
from storage.db import Database

log = logging.getLogger("maalbot")

DB_KEY: web.AppKey[Database] = web.AppKey("db", Database)
SERVICE_KEY: web.AppKey[ConversationService] = web.AppKey("service", ConversationService)


async def healthz(request: web.Request) -> web.Response:
    """Liveness and database reachability, for load balancers and `make run`."""
    db = request.app[DB_KEY]
    try:
        async with db.connection() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception:
        log.exception("health check: database unreachable")
        return web.json_response({"status": "error", "database": "unreachable"}, status=503)
    return web.json_response({"status": "ok", "database": db.dialect})


def build_app(settings: Settings, db: Database, *, dev: bool = False) -> web.Application:
    app = web.Application()
    limit_requests(app)  # a body that does not arrive in time gets 408; no Server header
    quiet_protocol_errors()  # a request aiohttp cannot parse: one log line, no traceback
    app[DB_KEY] = db
    app[SERVICE_KEY] = ConversationService(
        db, default_locale=settings.locale, timezone=settings.timezone, contact=settings.contact
    )
    app.router.add_get("/healthz", healthz)
    from bot.metrics import metrics_handler, readyz_handler  # readiness and Prometheus metrics

    app.router.add_get("/readyz", readyz_handler(db))
    app.router.add_get("/metrics", metrics_handler(db, settings.metrics_token))
    from bot.links_settings import link_signer
    from dialogs.links_chat import LinkAnswers

    links = LinkAnswers(db, link_signer(dev=dev), default_locale=settings.locale, timezone=settings.timezone)
    app[SERVICE_KEY].links = links
    app[SERVICE_KEY].overview.status_link = links.status_url  # long answers point to the status page
    from bot.outbound import ensure_pipeline  # inbox → one transaction per turn → outbox → deliverer

    ensure_pipeline(app, app[SERVICE_KEY], timeout=settings.platform_timeout)
    from bot.platforms import REGISTRY  # each mounts itself when configured (Slack, Teams: see there)

    for entry in REGISTRY:
        entry.load().mount(app, app[SERVICE_KEY], db, dev=dev)
    from bot.notifiers import register_reminder_notifiers  # reminders through the mounted channels

    register_reminder_notifiers(app)
    from bot.webchat.app import mount_webchat  # /chat and email, when MAALBOT_WEBCHAT=on

    mount_webchat(app, app[SERVICE_KEY], db, dev=dev)
    from bot.status_page import mount_status_page  # /status and /export, through signed links only

    mount_status_page(app, db, settings, dev=dev)
    from bot.meeting_page import mount_meeting_pages  # HOOK: the meetings' prep briefs (bot/meeting_page.py)

    mount_meeting_pages(app, db, link_signer(dev=dev), settings.locale)
    from bot.scheduler import REMINDER_NOTIFIERS, start_scheduler  # reminders: see the README

    start_scheduler(app, db, lambda: app.get(REMINDER_NOTIFIERS, []), default_locale=settings.locale)

    async def close_db(_app: web.Application) -> None:
        await db.dispose()

    app.on_cleanup.append(close_db)
    return app
