"""The status page's drill-down shows each local goal's follow-ups: the answer, or that it is waiting."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from storage.models import FollowUp, LocalGoal, Person
from tests.web.conftest import NOW, Site, status_app


@pytest.fixture
async def client(site: Site, tmp_path: Path) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    async with site.db.transaction() as s:
        ids = dict(
            (
                await s.execute(
                    select(LocalGoal.text, LocalGoal.id).where(
                        LocalGoal.registration_id == site.registrations["Solsikken"]
                    )
                )
            ).all()
        )
        soeren = await s.scalar(select(Person.id).where(Person.name == "Søren Østergaard"))
        s.add_all(
            [
                FollowUp(
                    local_goal_id=ids["Alle børn har en fast voksen"],
                    measurement_date=date(2026, 10, 1),
                    asked_at=NOW - timedelta(days=50),
                    answer="partly",
                    text="<b>Halvdelen</b> har en fast voksen",
                    answered_by_id=soeren,
                    answered_at=NOW - timedelta(days=45),
                ),
                FollowUp(
                    local_goal_id=ids["Børnemøder hver uge"],
                    measurement_date=date(2026, 11, 2),
                    asked_at=NOW - timedelta(days=20),
                ),
            ]
        )
    async with TestClient(TestServer(status_app(site, tmp_path))) as client:
        yield client


async def _page(client: TestClient[web.Request, web.Application], url: str) -> str:
    response = await client.get(url)
    text = await response.text()
    assert response.status == 200, text
    return text


async def test_the_drill_down_shows_follow_up_answers(
    site: Site, client: TestClient[web.Request, web.Application]
) -> None:
    path = f"/status/registration/{site.registrations['Solsikken']}"
    html = await _page(client, site.link("mette.noergaard", path))
    assert "<h4>Opfølgning på målinger</h4>" in html
    assert (
        "<strong>Måling omkring 1. oktober 2026:</strong> Delvist – &lt;b&gt;Halvdelen&lt;/b&gt; har en fast voksen "
        "(Søren Østergaard)" in html
    )
    assert "<strong>Måling omkring 2. november 2026:</strong> spurgt 4. november 2026, ikke besvaret endnu" in html
    assert "<b>Halvdelen</b>" not in html  # the board's words are escaped
    # Each answer is marked: ◐ partly, … still waiting (the words say it too, for screen readers).
    assert '<li class="f-partly"><span class="mark" aria-hidden="true">◐</span>' in html
    assert '<li class="f-waiting"><span class="mark" aria-hidden="true">…</span>' in html
    # Each follow-up is under its own local goal.
    first, third = html.index("Alle børn har en fast voksen"), html.index("Børnemøder hver uge")
    assert first < html.index("Delvist") < html.index("Legegrupper på tværs") < third < html.index("spurgt 4.")


async def test_in_english_and_without_follow_ups(site: Site, client: TestClient[web.Request, web.Application]) -> None:
    path = f"/status/registration/{site.registrations['Solsikken']}"
    html = await _page(client, site.link("admin", path) + "&lang=en")
    assert "<h4>Follow-up on measurements</h4>" in html
    assert "Partly – &lt;b&gt;Halvdelen&lt;/b&gt;" in html and "asked November 4, 2026, no answer yet" in html
    other = await _page(client, site.link("admin", f"/status/registration/{site.registrations['Ærøvej Skole']}"))
    assert "Opfølgning på målinger" not in other
