"""The status page in a real browser: Debian's Chromium, headless, driven by Playwright.

The app runs on a free local port; the browser opens the signed link a leader gets in chat, and
the test checks what the leader sees and follows the drill-down (screenshots to test-output/ with
MAALBOT_TEST_SCREENSHOTS=1). Every kind of page, at 390 px (a phone) and at 1280 px, must not scroll
sideways and axe-core (npm, in every page of the worker's browser context: tests/web/conftest.py `page`)
must find no accessibility violation. Skipped only when /usr/bin/chromium is missing (`.ci/run`
installs it); axe-core is installed with npm into .cache/axe (gitignored) when absent."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer
from playwright.async_api import Page, expect

from dialogs.links_chat import BOARD_PATH, board_scope
from storage.models import Institution
from tests.browser import OUTPUT, axe_violations, fits_the_width, needs_chromium, screenshot
from tests.web.conftest import NOW, SIGNER, Site, status_app

pytestmark = needs_chromium


@pytest.fixture
async def server(site: Site, tmp_path: Path) -> AsyncIterator[TestServer]:
    server = TestServer(status_app(site, tmp_path), host="127.0.0.1")
    async with server:
        yield server


async def test_a_leader_sees_cards_on_a_phone_and_drills_down(site: Site, server: TestServer, page: Page) -> None:
    await page.set_viewport_size({"width": 390, "height": 844})  # a phone
    await page.goto(str(server.make_url(site.link("mette.noergaard"))))
    await expect(page.locator("h1")).to_have_text("Status for «Styrkelse af almenområdet»")
    await expect(page.locator(".deadline")).to_have_text("Fristen var 30. november 2023, for 1090 dage siden")
    # Below 600 px each institution is a card; the wide table is not shown.
    await expect(page.locator("table")).to_be_hidden()
    cards = page.locator(".card")
    assert await cards.locator("h3").all_inner_texts() == ["Mælkebøtten", "Solsikken", "Ærøvej Skole"]
    solsikken = cards.nth(1)
    assert "sendt ind" in await solsikken.locator(".badge").inner_text()
    assert "2 af 4 fælles mål" in await solsikken.inner_text()
    marks = await solsikken.locator("ul.marks li").all_inner_texts()
    assert [" ".join(m.split()[0:3]) for m in marks] == [f"Fælles mål {n}" for n in (1, 2, 3, 4)]
    assert "✓" in marks[0] and "✗" in marks[1]
    assert await page.get_by_text("Søndermarkskolen").count() == 0
    assert await page.get_by_text("Område Syd").count() == 0
    assert await fits_the_width(page)  # the page itself never scrolls sideways
    await screenshot(page, "status_page")

    await solsikken.get_by_role("link", name="Solsikken").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Registrering for Solsikken")
    await expect(page.get_by_role("heading", name="Lokalt mål 1.2")).to_be_visible()
    assert "Legegrupper på tværs" in await page.locator("main").inner_text()
    assert await fits_the_width(page)
    await page.get_by_role("link", name="Tilbage til oversigten").click()
    await expect(page.locator(".card")).to_have_count(3)


async def test_wide_screen_shows_the_table_and_bars(site: Site, server: TestServer, page: Page) -> None:
    await page.set_viewport_size({"width": 1280, "height": 900})
    await page.goto(str(server.make_url(site.link("mette.noergaard"))))
    headers = await page.locator("thead th[scope=col]").all_inner_texts()
    assert headers == [
        "Institution",
        "Område",
        "Status",
        "Fælles mål 1",
        "Fælles mål 2",
        "Fælles mål 3",
        "Fælles mål 4",
        "Fremdrift",
    ]
    rows = await page.locator("tbody th[scope=row]").all_inner_texts()
    assert rows == ["Mælkebøtten", "Solsikken", "Ærøvej Skole"]
    await expect(page.locator(".cards")).to_be_hidden()
    area_bar = page.locator("figure.bars").first
    assert await area_bar.locator("figcaption").inner_text() == "Sendt ind pr. område"
    assert await area_bar.locator("li").all_inner_texts() == ["Område Nord\n1 af 3 (33 %)"]
    width = await area_bar.locator("svg rect").nth(1).get_attribute("width")
    assert width == "33"
    assert await fits_the_width(page)
    await screenshot(page, "status_page_1280")


async def test_no_accessibility_violations_and_no_sideways_scroll(
    site: Site, server: TestServer, page: Page, axe_source: str
) -> None:
    """Each kind of page at a phone's width and at 1280 px: one visit, measured and checked at both."""
    solsikken = await _institution_id(site, "Solsikken")
    pages = {
        "status": site.link("admin"),
        "registration": site.link("admin", f"/status/registration/{site.registrations['Solsikken']}"),
        "report": site.link("admin", "/export/html"),
        "board": SIGNER.link(
            BOARD_PATH.format(institution_id=solsikken),
            board_scope(site.people["soeren.oestergaard"], solsikken),
            NOW,
        ).removeprefix(SIGNER.base_url),
    }
    for name, link in pages.items():
        await page.set_viewport_size({"width": 390, "height": 900})
        response = await page.goto(str(server.make_url(link)))
        assert response is not None and response.status == 200, name
        for width in (390, 1280):
            await page.set_viewport_size({"width": width, "height": 900})
            assert await fits_the_width(page), f"{name} scrolls sideways at {width} px"
            assert await axe_violations(page, axe_source) == [], f"{name} at {width} px"
            await screenshot(page, f"{name}_{width}")
        if name == "report":  # as the committee gets it: printed to A4
            await page.emulate_media(media="print")
            OUTPUT.mkdir(exist_ok=True)
            pdf = await page.pdf(path=str(OUTPUT / "committee.pdf"), format="A4")
            pdf_pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
            # title page, summary, the 4 strategic goals, the missing boards, the time plan: each from a new page
            assert pdf.startswith(b"%PDF") and pdf_pages >= 8, pdf_pages
            await page.emulate_media(media="screen")


async def test_the_admin_filters_by_area_and_a_tampered_link_is_refused(
    site: Site, server: TestServer, page: Page
) -> None:
    await page.goto(str(server.make_url(site.link("admin"))))
    await expect(page.locator("tbody th[scope=row]")).to_have_count(6)
    await page.get_by_label("Område").select_option("Område Syd")
    await page.get_by_role("button", name="Vis").click()
    rows = await page.locator("tbody th[scope=row]").all_inner_texts()
    assert rows == ["Bøgeskov Skole", "Børnehuset Åbrinken", "Søndermarkskolen"]

    response = await page.goto(str(server.make_url(site.link("admin")[:-4] + "AAAA")))
    assert response is not None and response.status == 403
    await expect(page.locator("h1")).to_have_text("Linket virker ikke")
    assert await page.locator("table").count() == 0


async def _institution_id(site: Site, name: str) -> int:
    from sqlalchemy import select

    async with site.db.transaction() as s:
        found = await s.scalar(select(Institution.id).where(Institution.name == name))
    assert found is not None
    return int(found)
