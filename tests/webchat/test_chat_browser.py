"""The web chat in a real browser on a phone-sized screen (Debian's Chromium, headless, Playwright),
with the sign-in email read from a local SMTP server: a board member asks for a link, opens it and
registers a local goal by typing and by pressing buttons (every kind of question: text, a list, a
measurement and its date, yes/no), goes past the chair's local goals under goals 2-4 and hands the
board's draft to the chair, who then sees it in the console. The pages run under their own Content
Security Policy (the page's script asks for late replies). axe-core (npm, into .cache/axe) finds no
WCAG 2.1 AA violations on the pages. Skipped only when /usr/bin/chromium is missing (`.ci/run` installs it)."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, Page, expect
from sqlalchemy import select

from bot.console import run_console
from bot.outbound import PIPELINE_KEY
from dialogs.messages import Reply
from dialogs.reminders.render import reply_to_json
from dialogs.service import kinds_of, strategy_of
from storage.models import Institution, Registration, Strategy
from storage.registrations import DraftWriter, ensure_registration
from tests.browser import WCAG_AA, axe_violations, fits_the_width, needs_chromium, screenshot, with_axe
from tests.webchat.conftest import FATIMA, SOEREN, Chat, SmtpServer, link_in

pytestmark = needs_chromium


@pytest.fixture
async def server(chat: Chat) -> AsyncIterator[TestServer]:
    server = TestServer(chat.app, host="127.0.0.1")
    async with server:
        yield server


async def say(page: Page, text: str) -> None:
    await page.get_by_label("Dit svar").fill(text)
    await page.get_by_role("button", name="Send", exact=True).click()


async def press(page: Page, label: str) -> None:
    await page.get_by_role("group", name="Vælg et svar").get_by_role("button", name=re.compile(label)).click()


async def the_chair_has_drafted_goals_2_to_4(chat: Chat) -> None:
    """Søren, the chair, has written a local goal under each of goals 2-4 in the board's shared draft."""
    soeren = await chat.person_id(SOEREN)
    async with chat.db.transaction() as s:
        strategy = await s.scalar(select(Strategy))
        solsikken = await s.scalar(select(Institution.id).where(Institution.name == "Solsikken"))
        assert strategy is not None and solsikken is not None
        registration = await ensure_registration(s, solsikken, strategy.id)
        await s.flush()
        writer = DraftWriter(s, registration, kinds_of(strategy_of(strategy)), soeren)
        for number, goal in ((2, "Mål B"), (3, "Mål C"), (4, "Mål D")):
            position = await writer.add_local_goal(number, goal)
            await writer.set_answer(number, position, "interventions", [f"Indsats til {goal}"])
            measurement = {"method": "Trivselsmåling", "when": "marts 2027", "dates": ["2027-03-01"]}
            await writer.set_answer(number, position, "measurement", measurement)


async def test_a_member_signs_in_by_email_and_registers_on_a_phone(
    chat: Chat, smtp: SmtpServer, server: TestServer, browser: Browser, axe_source: str
) -> None:
    await the_chair_has_drafted_goals_2_to_4(chat)  # she writes goal 1 and finishes the board's draft
    # her own context (the session cookie); axe in every page of it, under the pages' own CSP
    context = await with_axe(await browser.new_context(viewport={"width": 390, "height": 844}, locale="da-DK"),
                             axe_source)  # fmt: skip
    page = await context.new_page()
    await page.clock.install()  # the page's timers run as usual; `fast_forward` below skips the poll's wait
    try:
        await page.goto(str(server.make_url("/chat")))
        await expect(page.get_by_role("heading", level=1)).to_have_text("Chat med Målbot")
        assert await axe_violations(page, axe_source, WCAG_AA) == []
        await page.get_by_label("Din e-mailadresse").fill(FATIMA)
        await page.get_by_role("button", name="Send mig et link").click()
        await expect(page.get_by_role("status")).to_contain_text("er et link på vej")

        link = link_in(await smtp.wait_for(FATIMA))
        await page.goto(str(server.make_url(link)))
        await page.get_by_role("button", name="Log ind").click()
        await expect(page.get_by_text("Logget ind som Fatima Ali")).to_be_visible()
        await expect(page.locator("#latest")).to_contain_text("Hvilke lokale mål skal der til for at opnå mål 1?")

        await say(page, "Alle børn har en fast voksen")  # typing
        await expect(page.locator("#latest")).to_contain_text("Beskrivelse af indsatser")
        await say(page, "Faste legegrupper\nForældremøde")
        await press(page, "Færdig")  # a button
        await expect(page.locator("#latest")).to_contain_text("Hvordan og hvornår måles effekten?")
        await say(page, "Trivselsmåling")
        await expect(page.locator("#latest")).to_contain_text("Og hvornår vil I måle det?")
        await say(page, "marts 2027")
        await expect(page.locator("#latest")).to_contain_text("Passer det?")
        await press(page, "Ja")
        await expect(page.locator("#latest")).to_contain_text("Vil I tilføje endnu et lokalt mål")
        for number, goal in ((2, "Mål B"), (3, "Mål C"), (4, "Mål D")):  # the chair's: she sees them and goes on
            await press(page, "Nej")
            await expect(page.locator("#latest")).to_contain_text(f"{number}.1 {goal}")
            await expect(page.locator("#latest")).to_contain_text(f"et lokalt mål under fælles mål {number}?")
        await press(page, "Nej")
        await expect(page.locator("#latest")).to_contain_text("Alt er besvaret")
        await press(page, "Giv formanden besked")
        # a reply delivered late (after a retry) appears without a reload by hand: the page's script
        web = chat.app[PIPELINE_KEY].platforms["web"]
        fatima = await chat.person_id(FATIMA)
        assert (
            await web.send_part({"person_id": fatima}, [reply_to_json(Reply("Et svar, der kom sent"))])
        ).status.value == "ok"
        await page.clock.fast_forward(15_000)  # the page asks for news every 15 s (chat.js)
        await expect(page.locator("#latest")).to_contain_text("Et svar, der kom sent", timeout=30_000)
        conversation = await page.locator("ol.chat").inner_text()
        assert "Alle børn har en fast voksen" in conversation and "Færdig" in conversation  # what she answered
        assert await fits_the_width(page)
        assert await axe_violations(page, axe_source, WCAG_AA) == []
        await screenshot(page, "web_chat")
    finally:
        await context.close()

    # the chair, in the console, sees the board's shared draft with Fatima's local goal
    out = io.StringIO()
    await run_console(chat.service, SOEREN, io.StringIO("oversigt\n"), out)
    seen = out.getvalue()
    assert "Alle børn har en fast voksen" in seen and "Mål D" in seen and "Fatima Ali" in seen, seen
    async with chat.service.db.read() as session:  # the board's draft, marked ready for the chair
        ready = await session.scalar(select(Registration.ready_for_chair))
    assert ready is True
