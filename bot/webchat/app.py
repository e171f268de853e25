"""Mounting the web chat on the aiohttp application (when `MAALBOT_WEBCHAT=on`), with email as the
platform it writes first through; see the README, «Web chat for board members without Slack or Teams»."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.email.mailer import Mailer
from bot.email.settings import smtp_settings
from bot.links_settings import link_signer, redact_access_log
from bot.outbound import ensure_pipeline
from bot.webchat.platform import EmailNotifier, EmailPlatform, WebChatPlatform
from bot.webchat.routes import ChatRoutes
from bot.webchat.signin import SignIns, WebChatSettings, webchat_settings
from dialogs.links import LinkSigner
from dialogs.service import ConversationService
from storage.db import Database

log = logging.getLogger("maalbot.webchat")

WEBCHAT_KEY: web.AppKey[ChatRoutes] = web.AppKey("webchat", ChatRoutes)


def mount_webchat(
    app: web.Application,
    service: ConversationService,
    db: Database,
    *,
    dev: bool = False,
    settings: WebChatSettings | None = None,
    mailer: Mailer | None = None,
    signer: LinkSigner | None = None,
) -> ChatRoutes | None:
    """`/chat` and the "web" and "email" platforms; None when the web chat is off or links are off."""
    settings = settings or webchat_settings()
    if not settings.enabled:
        return None
    signer = signer or link_signer(dev=dev)
    if signer is None:
        log.warning("the web chat needs MAALBOT_LINK_SECRET (sign-in links are signed links): /chat is off")
        return None
    if mailer is None:
        smtp = smtp_settings()
        mailer = Mailer(smtp) if smtp else None
    if mailer is None:
        log.warning("MAALBOT_SMTP_URL is not set: the web chat cannot send sign-in links or reminders")
    sign_ins = SignIns(db, signer, settings)
    notifier = EmailNotifier(db, mailer, sign_ins, service.default_locale)
    pipeline = ensure_pipeline(app, service)
    pipeline.add(WebChatPlatform(db, notifier))
    pipeline.add(EmailPlatform(notifier))
    secure = signer.base_url.startswith("https://")  # behind TLS: the cookies are Secure
    routes = ChatRoutes(db, pipeline, sign_ins, default_locale=service.default_locale, secure=secure)
    routes.mount(app)
    redact_access_log()  # sign-in tokens stay out of the access log
    app[WEBCHAT_KEY] = routes
    from bot.notifiers import reminder_switch
    from bot.scheduler import REMINDER_NOTIFIERS

    if reminder_switch() is not False:
        app.setdefault(REMINDER_NOTIFIERS, []).append(notifier)
    return routes
