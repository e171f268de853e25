"""Signed links: made, verified, expired, tampered; the settings; and asking for one in chat."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from bot import links_settings
from bot.links_settings import LinkSettings, link_signer, load_link_settings
from bot.settings import SettingsError
from dialogs.links import LinkError, LinkSigner, make_link, make_token, verify
from dialogs.links_chat import LinkAnswers, LinkRequest, parse_link_request
from tests.dialogs.talk import NOW, PLATFORM, World

SECRET = b"0123456789abcdef0123456789abcdef"
T0 = datetime(2026, 11, 24, 9, tzinfo=UTC)
DAY = timedelta(days=1)


def _token(url: str) -> str:
    return parse_qs(urlsplit(url).query)["token"][0]


def test_a_link_verifies_for_its_path_and_scope_until_it_expires() -> None:
    url = make_link("https://bot.example.dk/", "/status", {"person": "7"}, SECRET, T0, DAY)
    assert url.startswith("https://bot.example.dk/status?token=")
    claims = verify("/status", _token(url), SECRET, T0 + DAY - timedelta(seconds=1))
    assert claims.scope == {"person": "7"}
    assert claims.expires_at == T0 + DAY
    with pytest.raises(LinkError) as caught:
        verify("/status", _token(url), SECRET, T0 + DAY)
    assert caught.value.reason == "expired"


def test_unsigned_query_parameters_ride_along() -> None:
    url = make_link("http://x", "/status", {"person": "7"}, SECRET, T0, DAY, {"area": "Område Nord"})
    query = parse_qs(urlsplit(url).query)
    assert query["area"] == ["Område Nord"]
    assert verify("/status", query["token"][0], SECRET, T0).scope == {"person": "7"}


@pytest.mark.parametrize(
    ("path", "secret", "mangle", "reason"),
    [
        ("/export/xlsx", SECRET, lambda tok: tok, "tampered"),  # another path
        ("/status", b"another secret of sufficient size", lambda tok: tok, "tampered"),
        ("/status", SECRET, lambda tok: tok[:-2] + ("AA" if not tok.endswith("AA") else "BB"), "tampered"),
        ("/status", SECRET, lambda tok: tok.replace(".", ""), "malformed"),
        ("/status", SECRET, lambda tok: "", "missing"),
        ("/status", SECRET, lambda tok: "e30." + tok.split(".")[1], "malformed"),  # payload {}
    ],
)
def test_tampered_links_are_refused(path: str, secret: bytes, mangle: object, reason: str) -> None:
    token = make_token("/status", {"person": "7"}, SECRET, T0 + DAY)
    assert callable(mangle)
    with pytest.raises(LinkError) as caught:
        verify(path, mangle(token), secret, T0)
    assert caught.value.reason == reason


def test_a_changed_scope_or_expiry_breaks_the_signature() -> None:
    genuine = make_token("/status", {"person": "7"}, SECRET, T0 + DAY)
    forged_payload = make_token("/status", {"person": "1"}, b"not the secret, but long enough", T0 + DAY * 30)
    forged = forged_payload.split(".")[0] + "." + genuine.split(".")[1]
    with pytest.raises(LinkError) as caught:
        verify("/status", forged, SECRET, T0)
    assert caught.value.reason == "tampered"


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 16 bytes"):
        make_token("/status", {}, b"short", T0)


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("MAALBOT_LINK_SECRET", "s" * 40)
    monkeypatch.setenv("MAALBOT_PUBLIC_URL", "https://maal.kommune.dk/")
    signer = link_signer()
    assert signer == LinkSigner(b"s" * 40, "https://maal.kommune.dk", timedelta(hours=24))
    monkeypatch.setenv("MAALBOT_LINK_SECRET", "short")
    with pytest.raises(SettingsError, match="at least 16 characters"):
        load_link_settings()
    monkeypatch.delenv("MAALBOT_LINK_SECRET")
    monkeypatch.delenv("MAALBOT_PUBLIC_URL")
    monkeypatch.setattr(links_settings, "_said", set())
    with caplog.at_level(logging.WARNING, logger="maalbot.links"):
        dev = link_signer(dev=True)
        again = link_signer(dev=True)
        off = link_signer(LinkSettings(), dev=False)
    assert dev is not None and again is not None and dev.secret == again.secret  # one per process
    assert dev.base_url == "http://127.0.0.1:3978"
    assert off is None
    messages = [r.getMessage() for r in caplog.records]
    assert messages == [
        "MAALBOT_LINK_SECRET is not set: --dev signs links with a random secret for this process",
        "MAALBOT_LINK_SECRET is not set: status page and export links are disabled",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("statusside", LinkRequest("status")),
        ("Status page", LinkRequest("status")),
        ("eksport", LinkRequest("export")),
        ("Export!", LinkRequest("export")),
        ("eksport som word", LinkRequest("export", "docx")),
        ("export xlsx", LinkRequest("export", "xlsx")),
        ("eksport csv", LinkRequest("export", "csv")),
        ("eksport pdf", LinkRequest("export", "html")),  # the printable page, saved as PDF
        ("udskriv", LinkRequest("print")),
        ("Print", LinkRequest("print")),
        ("udskriv vores registrering", LinkRequest("print")),
    ],
)
def test_parse_link_request(text: str, expected: LinkRequest) -> None:
    assert parse_link_request(text) == expected


@pytest.mark.parametrize(
    "text", ["status", "eksport gif", "vi eksporterer viden", "hvem mangler", "udskriv mål 2 på tavlen"]
)
def test_other_text_is_not_a_link_request(text: str) -> None:
    assert parse_link_request(text) is None


async def _person_id(world: World, login: str) -> int:
    person = await world.service.identify(PLATFORM, f"U-{login}", email=f"{login}@demo.maalbot.dk")
    assert person is not None
    return person.id


async def test_a_leader_gets_a_signed_status_link(world: World) -> None:
    signer = LinkSigner(SECRET, "https://maal.example.dk")
    answers = LinkAnswers(world.db, signer, clock=lambda: NOW)
    mette = await _person_id(world, "mette.noergaard")
    [reply] = await answers.answer(mette, LinkRequest("status"), "da")
    assert "Her er statussiden" in reply.text and "25.11.2026 kl. 10:00" in reply.text
    url = reply.text.splitlines()[-1]
    assert url.startswith("https://maal.example.dk/status?token=")
    assert signer.verify("/status", _token(url), NOW).scope == {"person": str(mette)}


async def test_an_admin_gets_export_links_for_every_format(world: World) -> None:
    signer = LinkSigner(SECRET, "https://maal.example.dk")
    admin = await _person_id(world, "admin")
    [reply] = await LinkAnswers(world.db, signer, clock=lambda: NOW).answer(admin, LinkRequest("export"), "en")
    labels = [label for label, _ in reply.facts]
    assert labels == [
        "Printable page (print it or save it as PDF)",
        "Excel (XLSX)",
        "Word (DOCX)",
        "CSV",
        "JSON",
        "Markdown",
    ]
    docx_url = dict(reply.facts)["Word (DOCX)"]
    assert signer.verify("/export/docx", _token(docx_url), NOW).scope == {"person": str(admin)}


async def test_board_members_are_refused_and_disabled_links_say_so(world: World) -> None:
    signer = LinkSigner(SECRET, "https://maal.example.dk")
    soeren = await _person_id(world, "soeren.oestergaard")
    [reply] = await LinkAnswers(world.db, signer, clock=lambda: NOW).answer(soeren, LinkRequest("export"), "da")
    assert reply.kind == "error" and "http" not in reply.text
    lone = await _person_id(world, "lone.baek")
    [reply] = await LinkAnswers(world.db, None, clock=lambda: NOW).answer(lone, LinkRequest("status"), "en")
    assert reply.text == "Links to the status page and exports are switched off on this bot."


def test_a_signer_never_shows_its_secret() -> None:
    signer = LinkSigner(SECRET, "https://maal.example.dk")
    assert SECRET.decode() not in repr(signer) and SECRET.decode() not in str(signer)
    assert "https://maal.example.dk" in repr(signer)
