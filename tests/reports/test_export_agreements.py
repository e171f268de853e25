"""Agreements and målepunkter in the exports, read back from the files: the XLSX's «Aftaler» sheet and
the målepunkter under each goal on its overview, and the committee DOCX's agreements table and the
målepunkter under each goal's heading (seed 003's cluster vision has them)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from typing import Any

from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select

from dialogs.meetings.planning import plan_from_csv
from dialogs.strategy import BUILTIN_DIR, load_strategy_file
from dialogs.texts import texts
from reports.document import render_bytes
from reports.texts import report_texts_for
from storage import meetings
from storage.db import Database
from storage.export import build_export
from storage.meeting_models import AgreementStatus
from storage.models import Person
from tests.dialogs.talk import World

D = "demo.maalbot.dk"
KLYNGE = BUILTIN_DIR / "klynge-vision.yaml"
PLAN = f"""institution,date,template,participants
Solsikken,2026-11-20,dialogmoede,admin@{D}; lone.baek@{D}
"""


async def _export(db: Database) -> dict[str, Any]:
    world = await World.create(db, strategy_files=(KLYNGE,))
    assert (await plan_from_csv(world.db, PLAN, texts("da"))).problems == []
    async with db.transaction() as s:
        (meeting,) = await meetings.meeting_views(s, status=None)
        lone = (await s.execute(select(Person.id).where(Person.email == f"lone.baek@{D}"))).scalar_one()
        admin = (await s.execute(select(Person.id).where(Person.email == f"admin@{D}"))).scalar_one()
        await meetings.add_agreement(s, meeting.id, "=Sprogindsatsen evalueres", lone, date(2027, 6, 1), admin)
        kept = await meetings.add_agreement(s, meeting.id, "Ny legeplads", admin, date(2027, 1, 10), admin)
        now = datetime(2026, 11, 24, tzinfo=UTC)
        assert await meetings.follow_up_agreement(s, kept.id, AgreementStatus.PARTLY, admin, "Halvdelen", now)
    return await build_export(db)


async def test_the_xlsx_has_an_agreements_sheet_and_the_measuring_points(sqlite_db: Database) -> None:
    data = await _export(sqlite_db)
    wb = load_workbook(io.BytesIO(render_bytes(data, "xlsx")))
    assert wb.sheetnames[-1] == "Aftaler"
    rows = [[c for c in row] for row in wb["Aftaler"].iter_rows(values_only=True)]
    assert rows[0] == ["Område", "Institution", "Møde", "Aftale", "Ansvarlig", "Senest", "Holdt?", "Sådan gik det"]
    assert rows[1][:7] == [
        "Område Nord", "Solsikken", "20. november 2026", "=Sprogindsatsen evalueres", "Lone Bæk", "1. juni 2027",
        "åben",
    ]  # fmt: skip
    assert rows[2][3:] == ["Ny legeplads", "Anne Admin", "10. januar 2027", "delvist holdt", "Halvdelen"]
    assert wb["Aftaler"]["D2"].data_type == "s"  # user text stays text, never a formula
    overview = [row for row in wb["Oversigt"].iter_rows(values_only=True)]
    points = [row[1] for row in overview if row[0] == "Målepunkter"]
    vision = load_strategy_file(KLYNGE)
    assert len(points) == sum(1 for g in vision.goals if g.measuring_points)
    assert vision.goals[0].measuring_points[0] in points[0] and points[0].startswith("• ")


async def test_the_committee_docx_has_the_agreements_and_the_measuring_points(sqlite_db: Database) -> None:
    data = await _export(sqlite_db)
    doc: Any = Document(io.BytesIO(render_bytes(data, "docx", report_texts_for("en"))))
    heads = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert "Agreements from the meetings" in heads
    table = next(t for t in doc.tables if t.rows[0].cells[1].text == "Agreement")
    cells = [[c.text for c in row.cells] for row in table.rows]
    assert cells[0] == ["Institution", "Agreement", "Owner", "Due", "Kept?"]
    assert cells[1] == ["Solsikken", "=Sprogindsatsen evalueres", "Lone Bæk", "June 1, 2027", "open"]
    assert cells[2] == ["Solsikken", "Ny legeplads", "Anne Admin", "January 10, 2027", "partly kept – Halvdelen"]
    texts_ = [p.text for p in doc.paragraphs]
    vision = load_strategy_file(KLYNGE)
    first = vision.goals[0].measuring_points[0]
    at = texts_.index(first)
    assert texts_[at - 1] == "Measuring points:" and doc.paragraphs[at].style.name == "List Bullet"
    assert sum(1 for text in texts_ if text == "Measuring points:") == sum(
        1 for g in vision.goals if g.measuring_points
    )


async def test_without_agreements_no_sheet_and_no_section(sqlite_db: Database) -> None:
    await World.create(sqlite_db)
    data = await build_export(sqlite_db)
    assert all(i["agreements"] == [] for i in data["institutions"]) and "measuring_points" not in data["strategy"]
    assert "Aftaler" not in load_workbook(io.BytesIO(render_bytes(data, "xlsx"))).sheetnames
    doc = Document(io.BytesIO(render_bytes(data, "docx")))
    assert "Aftaler fra møderne" not in [p.text for p in doc.paragraphs]


AREA_PLAN = f"""institution,area,date,template,participants
,Område Nord,2026-11-18,omraademoede,admin@{D}
,,2026-11-17,tvaersmoede,admin@{D}
"""


async def test_agreements_of_area_and_cross_area_meetings_follow_the_institutions(sqlite_db: Database) -> None:
    await World.create(sqlite_db)
    assert (await plan_from_csv(sqlite_db, AREA_PLAN, texts("da"))).problems == []
    async with sqlite_db.transaction() as s:
        held = {v.held_on: v.id for v in await meetings.meeting_views(s, status=None)}
        admin = (await s.execute(select(Person.id).where(Person.email == f"admin@{D}"))).scalar_one()
        await meetings.add_agreement(s, held[date(2026, 11, 18)], "Fælles sprogdag", admin, date(2027, 3, 1), admin)
        await meetings.add_agreement(s, held[date(2026, 11, 17)], "Ny tilsynsplan", admin, date(2027, 2, 1), admin)
    data = await build_export(sqlite_db)
    assert [(a["area"], a["text"]) for a in data["meeting_agreements"]] == [
        (None, "Ny tilsynsplan"),
        ("Område Nord", "Fælles sprogdag"),
    ]
    rows = list(load_workbook(io.BytesIO(render_bytes(data, "xlsx")))["Aftaler"].iter_rows(values_only=True))
    assert [r[:2] + r[3:4] for r in rows[1:]] == [
        ("Hele kommunen", "Hele kommunen", "Ny tilsynsplan"),
        ("Område Nord", "Område Nord", "Fælles sprogdag"),
    ]
    doc: Any = Document(io.BytesIO(render_bytes(data, "docx")))
    table = next(t for t in doc.tables if t.rows[0].cells[1].text == "Aftale")
    assert [[c.text for c in row.cells][:2] for row in table.rows[1:]] == [
        ["Hele kommunen", "Ny tilsynsplan"],
        ["Område Nord", "Fælles sprogdag"],
    ]
