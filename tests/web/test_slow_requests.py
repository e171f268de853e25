"""Half-sent requests are closed: the server `maalbot serve` runs (build_app + server_options) with the
header and body deadlines and the lingering close shortened to half a second, 50 clients that never
finish their headers and 50 that never finish their body. /healthz answers while they hang; then every
one of them is closed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.http_limits import BODY_TIMEOUT_KEY, server_options
from bot.settings import Settings
from bot.web import build_app
from storage.db import Database
from tests.fakes.slack_api import FakeSlackApi
from tests.slack.workspace import SIGNING_SECRET

SLOW_CLIENTS = 50
DEADLINE = 0.5  # seconds, for the test; production uses HEADER_TIMEOUT and BODY_TIMEOUT
LINGER = 0.5  # the grace for the rest of a body after the 408 (production: LINGERING_TIME)
BOUND = 30.0  # how long the test waits at most for the server to close them (not a measurement)


@pytest.fixture
async def server(monkeypatch: pytest.MonkeyPatch, sqlite_db: Database) -> AsyncIterator[int]:
    async with FakeSlackApi() as fake:
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
        monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
        monkeypatch.setenv("SLACK_API_URL", fake.api_url)
        monkeypatch.delenv("SLACK_APP_TOKEN", raising=False)
        monkeypatch.setenv("MAALBOT_REMINDERS", "off")
        app = build_app(Settings(), sqlite_db)
        app[BODY_TIMEOUT_KEY] = DEADLINE
        runner = web.AppRunner(app, **{**server_options(header_timeout=DEADLINE), "lingering_time": LINGER})
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        try:
            address: Any = runner.addresses[0]
            yield int(address[1])
        finally:
            await runner.cleanup()


async def hang(port: int, start: bytes) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(start)
    await writer.drain()
    return reader, writer


async def test_half_sent_requests_are_closed_and_healthz_still_answers(server: int) -> None:
    no_end_of_headers = b"GET /healthz HTTP/1.1\r\nHost: maalbot\r\nX-Slow: "
    no_end_of_body = (
        b"POST /slack/events HTTP/1.1\r\nHost: maalbot\r\nContent-Type: application/json\r\n"
        b"Content-Length: 1000\r\n\r\n{"
    )
    slow_headers = [await hang(server, no_end_of_headers) for _ in range(SLOW_CLIENTS)]
    slow_bodies = [await hang(server, no_end_of_body) for _ in range(SLOW_CLIENTS)]
    try:
        async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{server}/healthz") as response:
            assert response.status == 200
            assert (await response.json())["status"] == "ok"

        async def until_closed(reader: asyncio.StreamReader) -> bytes:
            return await reader.read()  # returns when the server closes the connection

        headers_seen = await asyncio.wait_for(asyncio.gather(*(until_closed(r) for r, _ in slow_headers)), BOUND)
        bodies_seen = await asyncio.wait_for(asyncio.gather(*(until_closed(r) for r, _ in slow_bodies)), BOUND)
    finally:
        for _, writer in slow_headers + slow_bodies:
            writer.close()
    assert headers_seen == [b""] * SLOW_CLIENTS  # closed without an answer: there was no request yet
    assert all(seen.startswith(b"HTTP/1.1 408") for seen in bodies_seen), bodies_seen[0][:200]
    assert not any(b"Server:" in seen for seen in bodies_seen)
