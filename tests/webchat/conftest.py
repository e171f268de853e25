"""The web chat against a real local SMTP server (aiosmtpd) and the demo municipality.

- `smtp`: an aiosmtpd server on a free local port, in the tests' event loop; `smtp.wait_for(to)` is the
  next email to an address (parsed), `smtp.messages` all received.
- `chat`: an aiohttp app with the web chat mounted the way `maalbot serve` mounts it (the real
  pipeline: inbox, turns, outbox, deliverer), its mailer pointed at `smtp`, over the demo organisation
  and the default strategy in a fresh SQLite database.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiosmtpd.smtp import SMTP, Envelope, Session

from bot.email.mailer import Mailer
from bot.email.settings import SmtpSettings
from bot.outbound import PIPELINE_KEY, ensure_pipeline
from bot.webchat.app import WEBCHAT_KEY, mount_webchat
from bot.webchat.routes import ChatRoutes
from bot.webchat.signin import WebChatSettings
from dialogs.links import LinkSigner
from dialogs.service import ConversationService
from dialogs.strategy import DEFAULT_STRATEGY_FILE, load_strategy_file
from storage import people
from storage.db import Database
from storage.org import import_org
from storage.org_file import parse_org_file
from storage.strategies import save_strategy
from tests.snapshots import seed_once

DEMO_ORG = Path(__file__).resolve().parents[2] / "bot" / "data" / "demo_org.yaml"
SIGNER = LinkSigner(b"web-chat-test-secret-0123456789abcdef", "http://testserver", timedelta(hours=24))
FATIMA = "fatima.ali@demo.maalbot.dk"  # a board member of Solsikken
SOEREN = "soeren.oestergaard@demo.maalbot.dk"  # the chair of Solsikken
LINK = re.compile(r"http://testserver(/chat/signin\?token=[A-Za-z0-9_.\-%]+)")


class Recorder:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.arrived = asyncio.Event()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.content if isinstance(envelope.content, bytes) else str(envelope.content).encode()
        parsed = email.message_from_bytes(content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        self.arrived.set()
        return "250 OK"


@dataclass
class SmtpServer:
    port: int
    recorder: Recorder = field(repr=False)

    @property
    def messages(self) -> list[EmailMessage]:
        return self.recorder.messages

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]

    async def wait_for(self, address: str, count: int = 1, timeout: float = 20.0) -> EmailMessage:
        async def arrived() -> EmailMessage:
            while len(self.to(address)) < count:
                self.recorder.arrived.clear()
                await self.recorder.arrived.wait()
            return self.to(address)[count - 1]

        return await asyncio.wait_for(arrived(), timeout)


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


def html_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


def link_in(message: EmailMessage) -> str:
    """The path and query of the sign-in link in an email."""
    found = LINK.search(text_of(message))
    assert found, text_of(message)
    return found.group(1)


@pytest.fixture
async def smtp() -> AsyncIterator[SmtpServer]:
    recorder = Recorder()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(recorder, hostname="localhost"), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield SmtpServer(port, recorder)
    finally:
        server.close()
        await server.wait_closed()


async def load_demo(db: Database) -> None:
    async with db.transaction() as s:
        await save_strategy(s, load_strategy_file(DEFAULT_STRATEGY_FILE).model_dump(mode="json"))
    await import_org(db, parse_org_file(DEMO_ORG))


def mailer_for(smtp: SmtpServer) -> Mailer:
    return Mailer(SmtpSettings("127.0.0.1", smtp.port, "maalbot@kommune.example", start_tls=False, timeout=5))


def chat_app(db: Database, smtp: SmtpServer, **settings: Any) -> web.Application:
    app = web.Application()
    service = ConversationService(db, default_locale="da")
    ensure_pipeline(app, service, timeout=5)
    mount_webchat(
        app, service, db, settings=WebChatSettings(MAALBOT_WEBCHAT=True, **settings), mailer=mailer_for(smtp),
        signer=SIGNER,
    )  # fmt: skip
    return app


@dataclass
class Chat:
    db: Database
    app: web.Application

    @property
    def routes(self) -> ChatRoutes:
        return self.app[WEBCHAT_KEY]

    @property
    def service(self) -> ConversationService:
        return self.app[PIPELINE_KEY].runner.service

    async def person_id(self, email: str) -> int:
        async with self.db.transaction() as s:
            person = await people.person_by_email(s, email)
            assert person is not None, email
            return person.id


@pytest.fixture
async def chat(sqlite_db: Database, smtp: SmtpServer) -> Chat:
    await seed_once(sqlite_db, "webchat.load_demo()", load_demo)  # tests/snapshots.py
    return Chat(sqlite_db, chat_app(sqlite_db, smtp))
