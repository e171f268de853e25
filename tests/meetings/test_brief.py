"""The prep brief of a dialogue meeting: the prepared answers, the institution's local goals and their
follow-up history, the open agreements carried in from the last meeting; read back from the DOCX, and
asked for in chat («mødenotat»)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from io import BytesIO

from docx import Document
from sqlalchemy import select

from bot.meeting_brief import brief_docx
from dialogs.meetings.brief import build_brief
from dialogs.texts import texts
from storage import meetings, strategies
from storage.models import FollowUp, Institution, LocalGoal, Person, Registration
from tests.dialogs.talk import World
from tests.meetings.test_chat import _plan


async def _prepare(world: World) -> int:
    coming, held = await _plan(world)
    async with world.db.transaction() as s:
        ids = {p.email.split("@")[0]: p.id for p in await s.scalars(select(Person))}
        solsikken = await s.scalar(select(Institution.id).where(Institution.name == "Solsikken"))
        almen = await strategies.strategy_by_key(s, "almen")
        assert solsikken is not None and almen is not None
        reg = Registration(institution_id=solsikken, strategy_id=almen.id, status="submitted")
        s.add(reg)
        await s.flush()
        goal = LocalGoal(registration_id=reg.id, goal_number=1, position=1, text="Alle børn har en fast voksen")
        s.add(goal)
        await s.flush()
        s.add(FollowUp(local_goal_id=goal.id, measurement_date=date(2026, 9, 1), answer="partly",
                       text="Halvdelen af stuerne", answered_at=datetime(2026, 9, 3, tzinfo=UTC)))  # fmt: skip
        await meetings.save_answer(
            s, coming, f"i{solsikken}/data_children", "Sprogvurderingerne viser fremgang", ids["lone.baek"]
        )
        await meetings.add_agreement(
            s, held, "Sprogindsatsen evalueres", ids["lone.baek"], date(2027, 1, 15), ids["admin"]
        )
    return coming


async def test_the_brief_reads_back_from_docx(world: World) -> None:
    coming = await _prepare(world)
    t = texts("da")
    async with world.db.read() as s:
        brief = await build_brief(s, coming, t)
    assert brief is not None
    document = Document(BytesIO(brief_docx(brief, t)))
    headings = [
        p.text for p in document.paragraphs if p.style is not None and p.style.name.startswith(("Heading", "Title"))
    ]
    assert headings == [
        "Dialogmøde mellem ledelsesteamet og forvaltningen",
        "Deltagere",
        "Dagsorden",
        "Forberedte svar: Solsikken",
        "Lokale mål og opfølgning: Solsikken",
        "Åbne aftaler fra tidligere møder",
    ]
    text = [p.text for p in document.paragraphs]
    at = text.index("Hvad siger vores data om børnene?")
    assert text[at + 1] == "Sprogvurderingerne viser fremgang"
    assert text[text.index("Hvad siger vores data om medarbejderne?") + 1] == "(ikke besvaret)"
    assert "15. december 2026 · Solsikken" in text
    assert "Lone Bæk (forbereder)" in text and "Anne Admin (deltager)" in text
    assert "Lokalt mål 1.1: Alle børn har en fast voksen" in text
    assert "1. september 2026: Delvist – Halvdelen af stuerne" in text  # the follow-up history
    assert "Sprogindsatsen evalueres (Lone Bæk, 15. januar 2027)" in text  # carried in from 20 November
    assert "Strategisk kommunikation" not in " ".join(text[: text.index("Dagsorden")])


async def test_the_brief_in_chat(world: World) -> None:
    await _prepare(world)
    lone = await world.talk("lone.baek")
    await lone.say("mødenotat")
    lone.expect(
        "Dialogmøde mellem ledelsesteamet og forvaltningen",
        "Forberedte svar: Solsikken",
        "Sprogvurderingerne viser fremgang",
        "Åbne aftaler fra tidligere møder",
        "Sprogindsatsen evalueres (Lone Bæk, 15. januar 2027)",
    )


async def test_the_brief_page_and_its_word_file_by_a_signed_link(world: World) -> None:
    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer

    from bot.meeting_page import meeting_path, mount_meeting_pages
    from dialogs.links import LinkSigner
    from dialogs.links_chat import person_scope

    coming = await _prepare(world)
    now = datetime(2026, 11, 24, 9, tzinfo=UTC)
    signer = LinkSigner(b"meeting-brief-test-secret-0123456789", "http://testserver", timedelta(hours=2))
    async with world.db.read() as s:
        ids = {p.email.split("@")[0]: p.id for p in await s.scalars(select(Person))}
    app = web.Application()
    mount_meeting_pages(app, world.db, signer, "da", clock=lambda: now)

    def link(login: str, docx: bool = False) -> str:
        return signer.link(meeting_path(coming, docx), person_scope(ids[login]), now).removeprefix(signer.base_url)

    async with TestClient(TestServer(app)) as client:
        page = await client.get(link("lone.baek"))
        html = await page.text()
        assert page.status == 200
        assert "<h2>Forberedte svar: Solsikken</h2>" in html and "<dd>Sprogvurderingerne viser fremgang</dd>" in html
        word = await client.get(link("admin", docx=True))
        assert word.status == 200
        document = Document(BytesIO(await word.read()))
        assert "Sprogvurderingerne viser fremgang" in [p.text for p in document.paragraphs]
        refused = await client.get(link("soeren.oestergaard"))  # not taking part, not a leader of the area
        assert refused.status == 403
        forged = await client.get(meeting_path(coming) + "?token=x")
        assert forged.status == 403
