"""A platform that exists only in a test: what a new platform adds is this module plus one registry line."""

from __future__ import annotations

from aiohttp import web

from bot.delivery import Notifier, RecordingNotifier
from dialogs.service import ConversationService
from storage.db import Database

NOTIFIER = RecordingNotifier("echo")


async def _hello(request: web.Request) -> web.Response:
    return web.json_response({"platform": "echo"})


def mount(app: web.Application, service: ConversationService, db: Database, *, dev: bool) -> None:
    app.router.add_post("/echo/messages", _hello)


def reminder_notifier(app: web.Application, switch: bool | None) -> Notifier | None:
    return None if switch is False else NOTIFIER


def configured_notifier(db: Database, default_locale: str) -> Notifier | None:
    return NOTIFIER
