"""One web-chat turn through the real routes: POST /chat/say (CSRF, inbox, one transaction, outbox,
deliverer writing the page's messages), the redirect, and GET /chat rendering the conversation.

    .venv/bin/python benchmarks/webchat_turns.py [--boards 6]

Each demo board's chair signs in with a one-time link (no SMTP: the link is made directly) and completes
the default strategy by typing, as in benchmarks/conversation_turns.py. Prints turns per second, latency
percentiles per turn (POST + redirect + GET) and the process's peak memory."""

from __future__ import annotations

import argparse
import asyncio
import re
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.conversation_turns import DEMO, script
from bot.outbound import ensure_pipeline
from bot.webchat.app import WEBCHAT_KEY, mount_webchat
from bot.webchat.signin import WebChatSettings
from dialogs.links import LinkSigner
from dialogs.service import ConversationService
from dialogs.strategy import DEFAULT_STRATEGY_FILE, load_strategy_file
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Membership, Person, Role
from storage.org import import_org
from storage.org_file import parse_org_file
from storage.strategies import save_strategy

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
SIGNER = LinkSigner(b"benchmark-secret-0123456789abcdef", "http://bench", timedelta(hours=1))


async def chair(client: TestClient, app: web.Application, person_id: int) -> list[float]:  # type: ignore[type-arg]
    routes = app[WEBCHAT_KEY]
    link = routes.sign_ins.link(person_id, datetime.now(UTC)).removeprefix("http://bench")
    client.session.cookie_jar.clear()
    page = await (await client.get(link)).text()
    token = re.search(r'name="token" value="([^"]+)"', page)
    assert token
    page = await (await client.post("/chat/signin", data={"csrf": CSRF.findall(page)[0], "token": token[1]})).text()
    times: list[float] = []
    for line in script(4)[1:]:
        csrf = CSRF.findall(page)[-1]
        started = time.perf_counter()
        response = await client.post("/chat/say", data={"csrf": csrf, "text": line})
        page = await response.text()
        times.append(time.perf_counter() - started)
        assert response.status == 200
    assert "indsendt" in page.casefold() or "sendt" in page.casefold(), page[-2000:]
    return times


async def run(boards: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite+aiosqlite:///{tmp}/bench.db")
        await upgrade(db)
        async with db.transaction() as s:
            await save_strategy(s, load_strategy_file(DEFAULT_STRATEGY_FILE).model_dump(mode="json"))
        await import_org(db, parse_org_file(DEMO))
        async with db.transaction() as s:
            chairs = list(
                (await s.scalars(select(Person.id).join(Membership).where(Membership.role == Role.CHAIR.value))).all()
            )[:boards]
        app = web.Application()
        service = ConversationService(db)
        ensure_pipeline(app, service, timeout=5)
        mount_webchat(app, service, db, settings=WebChatSettings(MAALBOT_WEBCHAT=True), signer=SIGNER)
        times: list[float] = []
        async with TestClient(TestServer(app)) as client:
            started = time.perf_counter()
            for person_id in chairs:
                times += await chair(client, app, person_id)
            wall = time.perf_counter() - started
        await db.dispose()
    ms = sorted(t * 1000 for t in times)
    p95 = ms[int(len(ms) * 0.95) - 1]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"{len(ms)} turns by {len(chairs)} chairs in {wall:.1f} s: {len(ms) / wall:.0f} turns/s; "
          f"p50 {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms, max {ms[-1]:.1f} ms; peak RSS {rss} MB")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--boards", type=int, default=6)
    asyncio.run(run(parser.parse_args().boards))


if __name__ == "__main__":
    main()
