"""An institution's page on the status page lists its meeting agreements: what, who owns it, by when,
and whether it was kept; another institution's agreements are not on it."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from storage import meetings
from storage.meeting_models import AgreementStatus, ParticipantRole
from storage.models import Institution
from tests.web.conftest import Site, status_app

ROWS = re.compile(r'<tr class="a-(\w+)"><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>')


@pytest.fixture
async def client(site: Site, tmp_path: Path) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    async with TestClient(TestServer(status_app(site, tmp_path))) as client:
        yield client


async def _agreements(site: Site) -> None:
    admin, lone = site.people["admin"], site.people["lone.baek"]
    async with site.db.transaction() as s:
        solsikken = [("Sprogindsatsen evalueres", lone, date(2027, 6, 1)), ("Ny legeplads", admin, date(2027, 1, 10))]
        for name, items in (("Solsikken", solsikken), ("Ærøvej Skole", [("Trivselsplan", admin, date(2027, 2, 1))])):
            inst = (await s.execute(Institution.__table__.select().where(Institution.name == name))).one()
            meeting, _new = await meetings.plan_meeting(
                s, template_key="dialogmoede", kind="dialogue", held_on=date(2026, 11, 20), start_time=None,
                institution_id=inst.id, area_id=None, participants=[(admin, ParticipantRole.ATTENDEE)],
            )  # fmt: skip
            for text, owner, due in items:
                await meetings.add_agreement(s, meeting.id, text, owner, due, admin)
    async with site.db.transaction() as s:
        rows = await meetings.agreements(s, institution_ids=None)
        legeplads = next(a for a in rows if a.text == "Ny legeplads")
        now = datetime(2026, 11, 24, tzinfo=UTC)
        assert await meetings.follow_up_agreement(s, legeplads.id, AgreementStatus.KEPT, admin, "Den står der", now)


async def test_the_institutions_page_lists_its_agreements(site: Site, client: TestClient) -> None:
    await _agreements(site)
    path = f"/status/registration/{site.registrations['Solsikken']}"
    response = await client.get(site.link("mette.noergaard", path))
    html = await response.text()
    assert response.status == 200, html
    assert "Aftaler fra møder" in html
    assert ROWS.findall(html) == [
        ("open", "Sprogindsatsen evalueres", "Lone Bæk", "1. juni 2027", "åben"),
        ("kept", "Ny legeplads", "Anne Admin", "10. januar 2027", "holdt – Den står der"),
    ]
    assert "Trivselsplan" not in html
    english = await (await client.get(site.link("admin", path) + "&lang=en")).text()
    assert "Agreements from meetings" in english and "June 1, 2027" in english and ">open<" in english


async def test_no_agreements_no_section(site: Site, client: TestClient) -> None:
    path = f"/status/registration/{site.registrations['Solsikken']}"
    html = await (await client.get(site.link("admin", path))).text()
    assert "Aftaler fra møder" not in html and "Sprogindsatsen" not in html
