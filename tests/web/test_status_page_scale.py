"""The status page at municipality scale: an admin sees the totals per area and picks an area; the page
stays small; an area's list is paginated and its links keep the filters."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from playwright.async_api import Page, expect
from sqlalchemy import func, insert, select

from bot.status_page import LIST_LIMIT, PAGE_SIZE
from storage.models import Area, Institution, LocalGoal, Registration, Strategy
from tests.browser import axe_violations, fits_the_width, needs_chromium
from tests.web.conftest import Site, status_app

AREAS = 10
BIG_AREA = 120  # the first area; the other nine have 20 each: 300 in all
BUDGET = 60_000  # bytes of the admin's page: the totals, never every institution


async def add_municipality(site: Site, big_area: int = BIG_AREA) -> None:
    """300 institutions in 10 new areas (`big_area` in the first, 20 in each other); every second one
    submitted a local goal under goal 1."""
    async with site.db.transaction() as s:
        strategy_id = await s.scalar(select(Strategy.id))
        first_area = (await s.scalar(select(func.max(Area.id)))) or 0
        first_inst = (await s.scalar(select(func.max(Institution.id)))) or 0
        first_reg = (await s.scalar(select(func.max(Registration.id)))) or 0
        await s.execute(insert(Area), [{"id": first_area + 1 + a, "name": f"Område S{a:02d}",
                                        "name_key": f"område s{a:02d}"} for a in range(AREAS)])  # fmt: skip
        sizes = [big_area] + [20] * (AREAS - 1)
        rows, n = [], 0
        for a, size in enumerate(sizes):
            for _ in range(size):
                rows.append({"id": first_inst + 1 + n, "name": f"Skole S{n:03d}", "name_key": f"skole s{n:03d}",
                             "kind": "skole", "area_id": first_area + 1 + a})  # fmt: skip
                n += 1
        await s.execute(insert(Institution), rows)
        submitted = [r["id"] for r in rows][::2]
        await s.execute(insert(Registration), [{"id": first_reg + 1 + i, "institution_id": inst,
                                                "strategy_id": strategy_id, "status": "submitted"}
                                               for i, inst in enumerate(submitted)])  # fmt: skip
        await s.execute(insert(LocalGoal), [{"registration_id": first_reg + 1 + i, "goal_number": 1, "position": 1,
                                             "text": "Trivsel", "answers": {}}
                                            for i in range(len(submitted))])  # fmt: skip


@pytest.fixture
async def client(site: Site, tmp_path: Path) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    await add_municipality(site)
    async with TestClient(TestServer(status_app(site, tmp_path))) as client:
        yield client


async def _get(client: TestClient[web.Request, web.Application], url: str) -> str:
    response = await client.get(html_lib.unescape(url))
    text = await response.text()
    assert response.status == 200, text
    return text


async def test_the_admin_sees_the_totals_per_area_in_a_small_page(site: Site, client: TestClient) -> None:
    assert LIST_LIMIT < 300
    page = await _get(client, site.link("admin"))
    assert len(page.encode()) < BUDGET
    assert "Skole S000" not in page and "Solsikken" not in page  # no institution listed before an area is chosen
    total = 300 + 6  # and the demo's six
    summary = re.search(r"<p class=\"summary\">([^<]+)<", page)
    assert summary is not None and summary.group(1) == f"151 af {total} har sendt ind."  # 150 new and Solsikken
    assert "Vælg et område for at se dets institutioner." in page
    row = re.search(r'<th scope="row"><a href="([^"]+)">Område S00</a></th>\s*'
                    r'<td class="count">(\d+)</td>\s*<td class="count">(\d+)</td>', page)  # fmt: skip
    assert row is not None and row.group(2, 3) == ("120", "60")
    assert '<option value="Område S03">' in page


async def test_an_area_shows_its_institutions_a_page_at_a_time(site: Site, client: TestClient) -> None:
    overview = await _get(client, site.link("admin"))
    link = re.search(r'<a href="([^"]+)">Område S00</a>', overview)
    assert link is not None
    first = await _get(client, link.group(1))
    assert '<option value="Område S00" selected>' in first
    pages = -(-BIG_AREA // PAGE_SIZE)
    assert pages >= 2
    names = set(re.findall(r"Skole S\d{3}", first))
    assert names == {f"Skole S{n:03d}" for n in range(PAGE_SIZE)}  # S120 on is in Område S01
    assert "60 af 120 har sendt ind." in first and f"Side 1 af {pages}" in first and 'rel="prev"' not in first
    page, seen = first, set(names)
    for number in range(2, pages + 1):
        following = re.search(r'<a href="([^"]+)" rel="next">', page)
        assert following is not None and "area=" in following.group(1)  # the link keeps the filter
        page = await _get(client, following.group(1))
        assert f"Side {number} af {pages}" in page and 'rel="prev"' in page
        seen |= set(re.findall(r"Skole S\d{3}", page))
    assert 'rel="next"' not in page
    assert seen == {f"Skole S{n:03d}" for n in range(BIG_AREA)}


async def test_an_area_leader_still_sees_their_institutions_at_once(site: Site, client: TestClient) -> None:
    page = await _get(client, site.link("mette.noergaard"))
    assert ">Solsikken<" in page and "Skole S" not in page and "Vælg et område" not in page


@needs_chromium
async def test_the_area_totals_and_an_areas_pages_are_accessible(
    site: Site, tmp_path: Path, page: Page, axe_source: str
) -> None:
    """At a phone's width and at 1280 px: no sideways scroll, no axe violation (one visit per page). The
    first area has two pages, the second one short: axe's time grows with the rows (~2.5 s for 50)."""
    big_area = PAGE_SIZE + 10
    assert big_area + 20 * (AREAS - 1) > LIST_LIMIT  # still the totals per area first
    await add_municipality(site, big_area)

    async def fits_and_accessible(what: str) -> None:
        for width in (390, 1280):
            await page.set_viewport_size({"width": width, "height": 900})
            assert await fits_the_width(page), f"{what} scrolls sideways at {width} px"
            assert await axe_violations(page, axe_source) == [], f"{what} at {width} px"

    async with TestServer(status_app(site, tmp_path), host="127.0.0.1") as server:
        await page.goto(str(server.make_url(site.link("admin"))))
        await expect(page.get_by_text("Vælg et område for at se dets institutioner.")).to_be_visible()
        await fits_and_accessible("area totals")
        await page.get_by_role("link", name="Område S00").click()
        await page.get_by_role("link", name="Næste side").click()
        await expect(page.get_by_text("Side 2 af 2")).to_be_visible()
        await fits_and_accessible("an area's second page")
