"""The status page and export downloads over HTTP: who sees what, and which links get 403."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from docx import Document
from openpyxl import load_workbook

from bot.settings import Settings
from bot.web import build_app
from dialogs.links import LinkSigner
from tests.web.conftest import NOW, SIGNER, Site, status_app

LINK = re.compile(r'href="(/status/registration/\d+\?[^"]+)"')


@pytest.fixture
async def client(site: Site, tmp_path: Path) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    async with TestClient(TestServer(status_app(site, tmp_path))) as client:
        yield client


async def _page(client: TestClient, url: str, status: int = 200) -> str:
    response = await client.get(url)
    text = await response.text()
    assert response.status == status, text
    return text


async def test_an_area_leader_sees_their_area_only(site: Site, client: TestClient) -> None:
    html = await _page(client, site.link("mette.noergaard"))
    assert '<html lang="da">' in html
    for name in ("Solsikken", "Mælkebøtten", "Ærøvej Skole"):
        assert f">{name}<" in html
    for name in ("Søndermarkskolen", "Bøgeskov Skole", "Område Syd"):
        assert name not in html
    assert '<th scope="col">Institution</th>' in html
    assert '<abbr title="Alle børn og unge bringes hver dag i en privilegeret position">Fælles mål 1</abbr>' in html
    assert "1 af 3 har sendt ind." in html
    assert "&lt;script&gt;" not in html  # local goal text is not on the overview at all
    response = await client.get(site.link("mette.noergaard"))
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"


async def test_an_institution_leader_sees_their_institution(site: Site, client: TestClient) -> None:
    html = await _page(client, site.link("lone.baek"))
    assert ">Solsikken<" in html and "Mælkebøtten" not in html and "Søndermarkskolen" not in html


async def test_the_admin_filters_by_area(site: Site, client: TestClient) -> None:
    html = await _page(client, site.link("admin"))
    assert "Søndermarkskolen" in html and "Solsikken" in html
    assert '<option value="Område Syd">' in html
    html = await _page(client, site.link("admin") + "&area=Omr%C3%A5de+Syd")
    assert "Søndermarkskolen" in html and ">Solsikken<" not in html
    assert '<option value="Område Syd" selected>' in html


async def test_an_area_filter_cannot_widen_the_scope(site: Site, client: TestClient) -> None:
    html = await _page(client, site.link("mette.noergaard") + "&area=Omr%C3%A5de+Syd")
    assert "Søndermarkskolen" not in html and "Solsikken" in html


async def test_drill_down_into_one_registration(site: Site, client: TestClient) -> None:
    html = await _page(client, site.link("mette.noergaard"))
    links = list(dict.fromkeys(LINK.findall(html)))  # each in the wide table and on the phone's card
    assert len(links) == 2  # Solsikken and Ærøvej Skole have started; Mælkebøtten has not
    detail = await _page(client, links[0].replace("&amp;", "&"))
    assert "<h1>Registrering for Solsikken</h1>" in detail
    assert "Alle børn har en fast voksen" in detail and "Sendt ind af Søren Østergaard den" in detail
    assert "Lokalt mål 1.2" in detail and "Intet registreret endnu." in detail
    assert "<dt>Hvilke lokale mål skal der til for at opnå mål 1?</dt>" in detail
    other = await _page(client, links[1].replace("&amp;", "&"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Læsebånd" in other and "<script>" not in other


async def test_a_leader_cannot_open_a_registration_outside_their_scope(site: Site, client: TestClient) -> None:
    path = f"/status/registration/{site.registrations['Søndermarkskolen']}"
    html = await _page(client, site.link("mette.noergaard", path), status=403)
    assert "Du har ikke adgang til denne side." in html and "Søndermarkskolen" not in html
    await _page(client, site.link("mette.noergaard", "/status/registration/99999"), status=403)
    await _page(client, site.link("henrik.soegaard", path))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda site: "/status", "Linket er ikke gyldigt"),
        (lambda site: site.link("admin", now=NOW - timedelta(hours=3)), "Linket er udløbet"),
        (lambda site: site.link("admin")[:-3] + "abc", "Linket er ikke gyldigt"),
        (lambda site: site.link("admin", "/export/xlsx").replace("/export/xlsx", "/status"), "ikke gyldigt"),
        (
            lambda site: site.link("admin", signer=LinkSigner(b"another-secret-of-enough-length", "http://testserver")),
            "ikke gyldigt",
        ),
        (lambda site: site.link("soeren.oestergaard"), "Du har ikke adgang"),
    ],
    ids=["no token", "expired", "tampered", "other path", "other secret", "board member"],
)
async def test_bad_links_get_a_friendly_403(site: Site, client: TestClient, make: object, message: str) -> None:
    assert callable(make)
    html = await _page(client, make(site), status=403)
    assert message in html and "<h1>Linket virker ikke</h1>" in html


async def test_english_when_asked(site: Site, client: TestClient) -> None:
    html = await _page(client, site.link("mette.noergaard") + "&lang=en")
    assert '<html lang="en">' in html and "1 of 3 have submitted." in html and "Goal 1" in html
    # the strategy file's English titles (issue 17, point 9), not the Danish ones
    assert "Every child and young person is put in a privileged position every day" in html
    assert "Alle børn og unge bringes hver dag i en privilegeret position" not in html


async def test_export_xlsx_honours_the_scope(site: Site, client: TestClient) -> None:
    response = await client.get(site.link("mette.noergaard", "/export/xlsx"))
    assert response.status == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="maal-almen-2026-11-24.xlsx"'
    book = load_workbook(io.BytesIO(await response.read()))
    names = [row[0].value for row in book["Institutioner"].iter_rows(min_row=2)]
    assert names == ["Mælkebøtten", "Solsikken", "Ærøvej Skole"]


async def test_export_json_and_docx_for_the_admin_by_area(site: Site, client: TestClient) -> None:
    response = await client.get(site.link("admin", "/export/json") + "&area=Omr%C3%A5de+Syd")
    data = json.loads(await response.read())
    assert [i["name"] for i in data["institutions"]] == ["Bøgeskov Skole", "Børnehuset Åbrinken", "Søndermarkskolen"]
    response = await client.get(site.link("lone.baek", "/export/docx"))
    doc = Document(io.BytesIO(await response.read()))
    headings = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "Heading 3"]
    assert set(headings) == {"Solsikken"}
    assert "Bilag: Tids- og procesplan" in [p.text for p in doc.paragraphs]


async def test_export_links_are_refused_like_pages(site: Site, client: TestClient) -> None:
    await _page(client, site.link("soeren.oestergaard", "/export/csv"), status=403)
    response = await client.get(site.link("admin", "/export/pdf"))  # signed for the path, but no such format
    assert response.status == 404
    response = await client.get("/export/csv")
    assert response.status == 403


async def test_build_app_mounts_the_page_and_without_a_secret_refuses_every_link(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MAALBOT_LINK_SECRET", raising=False)
    app = build_app(Settings(MAALBOT_DATA_DIR=tmp_path), site.db)
    async with TestClient(TestServer(app)) as client:
        html = await _page(client, site.link("admin"), status=403)
    assert "Links til statussiden og eksporten er slået fra på denne bot." in html
    assert SIGNER.base_url == "http://testserver"


async def test_an_export_area_filter_cannot_widen_the_scope(site: Site, client: TestClient) -> None:
    response = await client.get(site.link("mette.noergaard", "/export/json") + "&area=Omr%C3%A5de+Syd")
    assert response.status == 200
    assert json.loads(await response.read())["institutions"] == []
    response = await client.get(site.link("mette.noergaard", "/export/csv"))
    text = (await response.read()).decode("utf-8-sig")
    assert "Solsikken" in text and "Ærøvej Skole" in text
    for name in ("Søndermarkskolen", "Bøgeskov Skole", "Område Syd"):
        assert name not in text


async def test_export_links_expire_and_are_not_cached(site: Site, client: TestClient) -> None:
    expired = site.link("admin", "/export/md", now=NOW - timedelta(hours=3))
    assert "Linket er udløbet" in await _page(client, expired, status=403)
    response = await client.get(site.link("admin", "/export/md"))
    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_a_registration_link_opens_only_its_own_registration(site: Site, client: TestClient) -> None:
    solsikken = f"/status/registration/{site.registrations['Solsikken']}"
    aeroevej = f"/status/registration/{site.registrations['Ærøvej Skole']}"
    link = site.link("mette.noergaard", solsikken)
    await _page(client, link)
    html = await _page(client, link.replace(solsikken, aeroevej), status=403)  # in scope, but not signed for
    assert "Linket er ikke gyldigt" in html and "Ærøvej" not in html


async def test_tokens_stay_out_of_the_access_log(
    site: Site, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    link = site.link("mette.noergaard")
    token = link.split("token=", 1)[1]
    with caplog.at_level(logging.INFO, logger="aiohttp.access"):
        await _page(client, link + "&lang=en")
    lines = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert lines and all(token not in line for line in lines)
    assert any("GET /status?token=[redacted]&lang=en " in line for line in lines)
    assert all(token not in str(getattr(r, "first_request_line", "")) for r in caplog.records)


async def test_the_overview_shows_the_deadline_bars_and_cards(site: Site, client: TestClient) -> None:
    html = await _page(client, site.link("mette.noergaard"))
    assert '<p class="deadline d-past">Fristen var 30. november 2023, for 1090 dage siden</p>' in html
    assert "<figcaption>Sendt ind pr. område</figcaption>" in html
    assert '<span class="bar-figures">1 af 3 (33 %)</span>' in html
    assert '<rect width="33" height="10" fill="#0b4fa3"/>' in html
    assert html.count('<li class="card">') == 3
    assert (
        '<li class="mark-done"><abbr title="Alle børn og unge bringes hver dag i en privilegeret position">Fælles mål 1'
        in html
    )


def test_the_deadline_counts_the_days_left() -> None:
    from datetime import date

    from bot.status_views import deadline_text
    from dialogs.texts import texts

    da, en = texts("da"), texts("en")
    deadline = date(2026, 12, 15)
    assert deadline_text(da, deadline, date(2026, 11, 29)) == "Frist 15. december 2026: 16 dage tilbage"
    assert deadline_text(da, deadline, date(2026, 12, 14)) == "Frist 15. december 2026: 1 dag tilbage"
    assert deadline_text(da, deadline, deadline) == "Frist 15. december 2026: i dag"
    assert deadline_text(en, deadline, date(2026, 12, 17)) == "The deadline was December 15, 2026, 2 days ago"
    assert deadline_text(da, None, deadline) is None


async def test_the_printable_committee_page_honours_the_scope_and_drafts(site: Site, client: TestClient) -> None:
    response = await client.get(site.link("mette.noergaard", "/export/html"))
    html = await response.text()
    assert response.status == 200 and response.headers["Content-Type"].startswith("text/html")
    assert response.headers["Content-Disposition"].startswith("inline;")
    assert '<h2 id="summary">Sammenfatning</h2>' in html and "@media print" in html
    assert "1 af 3 bestyrelser har sendt deres lokale mål ind, og 0 er godkendt. 2 mangler." in html
    assert "<h4>Solsikken</h4>" in html and "<h4>Ærøvej Skole</h4>" not in html  # a draft: only as missing
    assert '<th scope="row">Ærøvej Skole</th><td>I gang</td>' in html
    assert "Søndermarkskolen" not in html and "Område Syd" not in html
    html = await (await client.get(site.link("mette.noergaard", "/export/html") + "&drafts=1")).text()
    assert "<h4>Ærøvej Skole</h4>" in html and "&lt;script&gt;alert(1)&lt;/script&gt; Læsebånd" in html
    assert "<script>" not in html
