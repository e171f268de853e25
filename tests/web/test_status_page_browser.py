"""The status page in a real browser: Debian's Chromium, headless, driven by Playwright.

The app runs on a free local port; the browser opens the signed link a leader gets in chat, and
the test checks what the leader sees, follows the drill-down and saves a screenshot to
test-output/status_page.png. Skipped only when /usr/bin/chromium is missing (`.ci/run` installs it)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from tests.web.conftest import Site, status_app

CHROMIUM = Path("/usr/bin/chromium")
OUTPUT = Path(__file__).resolve().parents[2] / "test-output"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} (apt install chromium)")

if CHROMIUM.exists():
    from playwright.async_api import Browser, async_playwright, expect


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest.fixture
async def server(site: Site, tmp_path: Path) -> AsyncIterator[TestServer]:
    async with TestServer(status_app(site, tmp_path), host="127.0.0.1") as server:
        yield server


async def test_a_leader_sees_their_area_and_drills_down(site: Site, server: TestServer, browser: Browser) -> None:
    page = await browser.new_page(viewport={"width": 390, "height": 844}, locale="da-DK")  # a phone
    try:
        await page.goto(str(server.make_url(site.link("mette.noergaard"))))
        await expect(page.locator("h1")).to_have_text("Status for «Styrkelse af almenområdet»")
        headers = await page.locator("thead th[scope=col]").all_inner_texts()
        assert headers == ["Institution", "Område", "Status", "Mål 1", "Mål 2", "Mål 3", "Mål 4", "Fremdrift"]
        rows = await page.locator("tbody th[scope=row]").all_inner_texts()
        assert rows == ["Mælkebøtten", "Solsikken", "Ærøvej Skole"]
        assert await page.get_by_text("Søndermarkskolen").count() == 0
        assert await page.get_by_text("Område Syd").count() == 0
        # Readable on a phone: the page itself does not scroll sideways (only the table's box may).
        assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        OUTPUT.mkdir(exist_ok=True)
        await page.screenshot(path=str(OUTPUT / "status_page.png"), full_page=True)

        await page.get_by_role("link", name="Solsikken").click()
        await expect(page.get_by_role("heading", level=1)).to_have_text("Registrering for Solsikken")
        await expect(page.get_by_role("heading", name="Lokalt mål 1.2")).to_be_visible()
        assert "Legegrupper på tværs" in await page.locator("main").inner_text()
        await page.get_by_role("link", name="Tilbage til oversigten").click()
        await expect(page.locator("tbody th[scope=row]")).to_have_count(3)
    finally:
        await page.close()


async def test_the_admin_filters_by_area_and_a_tampered_link_is_refused(
    site: Site, server: TestServer, browser: Browser
) -> None:
    page = await browser.new_page()
    try:
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
    finally:
        await page.close()
