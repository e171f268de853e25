"""«udskriv» / «print»: a board member's link to a read-only, printable page (and DOCX) of their own
board's registration, and nothing else: another board's page with the same token is refused."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from docx import Document

from dialogs.links_chat import BOARD_PATH, LinkAnswers, board_scope, parse_link_request
from tests.web.conftest import NOW, SIGNER, Site, status_app


@pytest.fixture
async def client(site: Site, tmp_path: Path) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    async with TestClient(TestServer(status_app(site, tmp_path))) as client:
        yield client


async def _print_links(site: Site, login: str, locale: str = "da") -> dict[str, str]:
    request = parse_link_request("udskriv" if locale == "da" else "print")
    assert request is not None
    [reply] = await LinkAnswers(site.db, SIGNER, clock=lambda: NOW).answer(site.people[login], request, locale)
    return {label: url.removeprefix(SIGNER.base_url) for label, url in reply.facts}


async def test_a_member_prints_their_own_board_only(site: Site, client: TestClient) -> None:
    links = await _print_links(site, "fatima.ali")
    assert set(links) == {"Solsikken", "Solsikken som Word (DOCX)"}
    response = await client.get(links["Solsikken"])
    html = await response.text()
    assert response.status == 200, html
    assert response.headers["Cache-Control"] == "no-store"
    assert "<h1>Bestyrelsens registrering</h1>" in html and "Solsikken · Område Nord" in html
    assert "Alle børn har en fast voksen" in html and "Børnemøder hver uge" in html
    for other in ("Ærøvej Skole", "Læsebånd", "Søndermarkskolen", "Alle elever har en ven i klassen"):
        assert other not in html
    assert "@media print" in html  # a page made to be printed

    docx = await client.get(links["Solsikken som Word (DOCX)"])
    assert docx.status == 200
    paragraphs = [p.text for p in Document(io.BytesIO(await docx.read())).paragraphs]
    assert paragraphs[0] == "Bestyrelsens registrering" and "Solsikken · Område Nord" in paragraphs
    assert "Lokalt mål 1: Alle børn har en fast voksen" in paragraphs
    assert not [p for p in paragraphs if "Ærøvej" in p or "Sammenfatning" in p]


async def test_the_token_does_not_open_another_boards_page(site: Site, client: TestClient) -> None:
    links = await _print_links(site, "soeren.oestergaard")
    own = links["Solsikken"]
    token = own.split("token=")[1]
    ærøvej = await _institution_id(client, site, "camilla.dahl", "Ærøvej Skole")
    response = await client.get(f"{BOARD_PATH.format(institution_id=ærøvej)}?token={token}")
    assert response.status == 403 and "Læsebånd" not in await response.text()
    # Even a genuine signature for the other path is refused when the token names another board.
    forged = SIGNER.link(
        BOARD_PATH.format(institution_id=ærøvej),
        board_scope(site.people["soeren.oestergaard"], int(own.split("/")[2].split("?")[0])),
        NOW,
    )
    response = await client.get(forged.removeprefix(SIGNER.base_url))
    assert response.status == 403
    expired = SIGNER.link(own.split("?")[0], {"person": "1", "institution": "1"}, NOW - timedelta(hours=3))
    assert (await client.get(expired.removeprefix(SIGNER.base_url))).status == 403


async def _institution_id(client: TestClient, site: Site, login: str, name: str) -> int:
    links = await _print_links(site, login)
    match = re.match(r"/board/(\d+)\?", links[name])
    assert match is not None
    return int(match.group(1))


async def test_someone_on_two_boards_gets_both_and_a_leader_without_a_board_is_told(site: Site) -> None:
    links = await _print_links(site, "camilla.dahl", "en")
    assert [label for label in links if "DOCX" not in label] == ["Solsikken", "Ærøvej Skole"]
    assert "Ærøvej Skole as Word (DOCX)" in links
    request = parse_link_request("print")
    assert request is not None
    [reply] = await LinkAnswers(site.db, SIGNER, clock=lambda: NOW).answer(
        site.people["mette.noergaard"], request, "da"
    )
    assert reply.kind == "error" and "Du sidder ikke i en bestyrelse" in reply.text


async def test_a_member_who_left_the_board_is_refused(site: Site, client: TestClient) -> None:
    from sqlalchemy import delete

    from storage.models import Membership

    links = await _print_links(site, "fatima.ali")
    async with site.db.transaction() as s:
        await s.execute(delete(Membership).where(Membership.person_id == site.people["fatima.ali"]))
    response = await client.get(links["Solsikken"])
    assert response.status == 403 and "Alle børn har en fast voksen" not in await response.text()
