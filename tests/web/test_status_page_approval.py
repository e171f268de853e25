"""The status page shows the mark «ændret efter indsendelse» beside «sendt ind», in the table and on the
registration's own page, while the board has changed its registration after sending it in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from storage.models import Registration
from tests.web.conftest import Site, status_app
from tests.web.test_status_page import LINK, _page


@pytest.fixture
async def client(site: Site, tmp_path: Path) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    async with TestClient(TestServer(status_app(site, tmp_path))) as client:
        yield client


async def test_the_mark_is_on_the_status_page(site: Site, client: TestClient) -> None:
    html = await _page(client, site.link("mette.noergaard"))
    assert "ændret efter indsendelse" not in html
    async with site.db.transaction() as s:
        reg = await s.get(Registration, site.registrations["Solsikken"])
        assert reg is not None and reg.status == "submitted"
        reg.changed_after_submit = True
    html = await _page(client, site.link("mette.noergaard"))
    assert "sendt ind · ændret efter indsendelse" in html
    detail = await _page(client, LINK.findall(html)[0].replace("&amp;", "&"))
    assert "<h1>Registrering for Solsikken</h1>" in detail and "sendt ind · ændret efter indsendelse" in detail
