"""Signing in to the web chat by an emailed link, over HTTP against a local SMTP server: the link
works once and for a short while, a forged cookie and a form without its CSRF token are refused, an
unknown email gets the same answer and no email, and requests for links are rate-limited."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from bot.webchat.limits import client_address
from bot.webchat.routes import SESSION_COOKIE
from storage.models import InboxItem, WebMessage
from tests.webchat.conftest import FATIMA, Chat, SmtpServer, html_of, link_in, text_of

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_in(html: str) -> str:
    found = CSRF.search(html)
    assert found, html
    return found.group(1)


@pytest.fixture
async def client(chat: Chat) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    async with TestClient(TestServer(chat.app)) as client:
        yield client


async def ask_for_link(client: TestClient, email: str) -> str:  # type: ignore[type-arg]
    page = await client.get("/chat")
    assert page.status == 200
    answer = await client.post("/chat/link", data={"email": email, "csrf": csrf_in(await page.text())})
    assert answer.status == 200 and answer.url.path == "/chat"
    return await answer.text()


async def sign_in(client: TestClient, path: str) -> tuple[int, str]:  # type: ignore[type-arg]
    status, html, _cookie = await signing_in(client, path)
    return status, html


async def signing_in(client: TestClient, path: str) -> tuple[int, str, str]:  # type: ignore[type-arg]
    """Open a sign-in link and press «Log ind»: the status, the page, and the Set-Cookie header."""
    page = await client.get(path)
    assert page.status == 200
    html = await page.text()
    token = re.search(r'name="token" value="([^"]+)"', html)
    assert token
    done = await client.post(
        "/chat/signin", data={"csrf": csrf_in(html), "token": token.group(1)}, allow_redirects=False
    )
    cookie = done.headers.get("Set-Cookie", "")
    if done.status != 303:
        return done.status, await done.text(), cookie
    page = await client.get(done.headers["Location"])
    return page.status, await page.text(), cookie


async def test_a_member_asks_for_a_link_and_signs_in_once(chat: Chat, smtp: SmtpServer, client: TestClient) -> None:  # type: ignore[type-arg]
    answer = await ask_for_link(client, "  Fatima.Ali@demo.maalbot.dk ")
    assert "er et link på vej" in answer
    message = await smtp.wait_for(FATIMA)
    assert message["Subject"] == "Målbot: Dit link til chatten"
    assert "Her er dit link til Målbots chat" in text_of(message)
    assert "Svar på websiden" in html_of(message)
    path = link_in(message)

    status, html, cookie = await signing_in(client, path)
    assert status == 200
    assert "Logget ind som Fatima Ali" in html
    assert "Hvilke lokale mål skal der til for at opnå mål 1?" in html  # the conversation has begun
    assert cookie.startswith(f"{SESSION_COOKIE}=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Max-Age=2592000" in cookie and "Secure" not in cookie  # 30 days; plain http in the test

    client.session.cookie_jar.clear()  # another browser with the same link: used already
    status, html = await sign_in(client, path)
    assert status == 403 and "Linket virker ikke" in html


async def test_an_expired_link_is_refused(chat: Chat, client: TestClient) -> None:  # type: ignore[type-arg]
    person_id = await chat.person_id(FATIMA)
    old = chat.routes.sign_ins.link(person_id, datetime.now(UTC) - timedelta(minutes=31))
    status, html = await sign_in(client, old.removeprefix("http://testserver"))
    assert status == 403 and "Linket virker ikke" in html
    tampered = chat.routes.sign_ins.link(person_id, datetime.now(UTC)).replace("token=", "token=x")
    status, _html = await sign_in(client, tampered.removeprefix("http://testserver"))
    assert status == 403


async def test_unknown_email_gets_the_same_page_and_no_email(
    chat: Chat,
    smtp: SmtpServer,
    client: TestClient,  # type: ignore[type-arg]
) -> None:
    unknown = await ask_for_link(client, "stranger@example.com")
    known = await ask_for_link(client, FATIMA)
    strip = lambda html: CSRF.sub("", html)  # noqa: E731
    assert strip(unknown) == strip(known)
    await chat.routes.links_sent()
    assert [str(m["To"]) for m in smtp.messages] == [FATIMA]


async def test_link_requests_are_rate_limited_per_email(chat: Chat, smtp: SmtpServer, client: TestClient) -> None:  # type: ignore[type-arg]
    for _ in range(5):
        await ask_for_link(client, FATIMA)
    await chat.routes.links_sent()
    assert len(smtp.to(FATIMA)) == 3


async def test_forged_cookie_and_missing_csrf_are_refused(chat: Chat, smtp: SmtpServer, client: TestClient) -> None:  # type: ignore[type-arg]
    await ask_for_link(client, FATIMA)
    status, html = await sign_in(client, link_in(await smtp.wait_for(FATIMA)))
    assert status == 200
    csrf = csrf_in(html)
    async with chat.db.transaction() as s:
        before = await s.scalar(select(func.count()).select_from(InboxItem))

    missing = await client.post("/chat/say", data={"text": "Alle børn har en fast voksen"})
    assert missing.status == 403
    wrong = await client.post("/chat/say", data={"text": "Alle børn har en fast voksen", "csrf": csrf + "x"})
    assert wrong.status == 403
    async with chat.db.transaction() as s:
        assert await s.scalar(select(func.count()).select_from(InboxItem)) == before
        mine = await s.scalar(select(func.count()).select_from(WebMessage).where(WebMessage.direction == "in"))
        assert mine == 0

    ok = await client.post("/chat/say", data={"text": "Alle børn har en fast voksen", "csrf": csrf})
    assert ok.status == 200 and "Om «Alle børn har en fast voksen»:" in await ok.text()

    updates = await client.get("/chat/updates")
    assert updates.status == 200 and (await updates.json())["last"] > 0

    logout = await client.post("/chat/logout", data={"csrf": csrf})
    assert "Skriv den e-mailadresse" in await logout.text()
    assert (await client.post("/chat/say", data={"text": "hej", "csrf": csrf})).status == 403
    assert (await client.get("/chat/updates")).status == 401

    client.session.cookie_jar.clear()  # a browser with a made-up session cookie
    client.session.cookie_jar.update_cookies({SESSION_COOKIE: "forged-session-token"})
    page = await client.get("/chat")
    assert "Skriv den e-mailadresse" in await page.text()  # the sign-in form, not a conversation
    assert (await client.post("/chat/say", data={"text": "hej", "csrf": csrf})).status == 403


async def test_the_page_is_danish_and_english_on_request(client: TestClient) -> None:  # type: ignore[type-arg]
    danish = await (await client.get("/chat")).text()
    assert '<html lang="da">' in danish and "Send mig et link" in danish
    english = await (await client.get("/chat?lang=en")).text()
    assert '<html lang="en">' in english and "Send me a link" in english and "På dansk" in english
    assert "Send me a link" in await (await client.get("/chat")).text()  # remembered for this browser


async def test_link_requests_are_rate_limited_per_client_address(
    chat: Chat,
    smtp: SmtpServer,
    client: TestClient,  # type: ignore[type-arg]
) -> None:
    for n in range(12):  # twelve different addresses from one client: ten are served
        await ask_for_link(client, FATIMA if n == 11 else f"someone{n}@example.com")
    await chat.routes.links_sent()
    assert smtp.to(FATIMA) == []


async def test_the_pages_policy_lets_its_script_ask_for_late_replies(client: TestClient) -> None:  # type: ignore[type-arg]
    policy = (await client.get("/chat")).headers["Content-Security-Policy"]
    # chat.js (script-src) asks /chat/updates (connect-src; without it `default-src 'none'` blocks the fetch)
    assert "script-src 'self'" in policy and "connect-src 'self'" in policy and "default-src 'none'" in policy


def test_the_client_behind_a_local_proxy_is_the_forwarded_address() -> None:
    assert client_address("127.0.0.1", "10.0.0.1, 203.0.113.7") == "203.0.113.7"
    assert client_address("198.51.100.2", "203.0.113.7") == "198.51.100.2"  # not from a local proxy: ignored
    assert client_address("::1", None) == "::1"


async def test_english_on_request_from_the_sign_in_page_to_the_conversation(
    chat: Chat,
    smtp: SmtpServer,
    client: TestClient,  # type: ignore[type-arg]
) -> None:
    page = await client.get("/chat?lang=en")
    answer = await client.post("/chat/link", data={"email": FATIMA, "csrf": csrf_in(await page.text())})
    assert "a link is on its way" in await answer.text()
    message = await smtp.wait_for(FATIMA)
    assert message["Subject"] == "Målbot: Your link to the chat"
    status, html = await sign_in(client, link_in(message))
    assert status == 200 and '<html lang="en">' in html and "Signed in as Fatima Ali" in html
    assert "Which local goals are needed to reach goal 1?" in html, html

    back = await client.post("/chat/say", data={"csrf": csrf_in(html), "text": "dansk", "form_id": "lang1"})
    html = await back.text()
    assert '<html lang="da">' in html and "Logget ind som Fatima Ali" in html and "In English" in html
