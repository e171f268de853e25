"""The committee document (DOCX), opened again with python-docx: first page, then goal > area > institution."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from docx import Document
from sqlalchemy import select

from dialogs.strategy import DEFAULT_STRATEGY_FILE, load_strategy_file
from storage.db import Database
from storage.export import build_export
from storage.export_docx import DOC_TITLE, add_time_plan, write_docx
from storage.export_writers import write_export
from storage.models import Institution, RegistrationStatus
from storage.org import import_org
from storage.org_file import parse_org_file
from storage.registrations import DraftWriter, QuestionKinds, ensure_registration
from storage.strategies import save_strategy

DEMO_ORG = Path(__file__).resolve().parents[2] / "bot" / "data" / "demo_org.yaml"
NOW = datetime(2026, 11, 24, 9, tzinfo=UTC)
KINDS = QuestionKinds("local_goal", {"local_goal": "text", "interventions": "list", "measurement": "measurement"})


async def _seed(db: Database) -> None:
    await import_org(db, parse_org_file(DEMO_ORG))
    async with db.transaction() as s:
        strategy, _ = await save_strategy(s, load_strategy_file(DEFAULT_STRATEGY_FILE).model_dump(mode="json"))
        ids = {name: i for name, i in (await s.execute(select(Institution.name, Institution.id))).all()}
        answers: dict[str, list[tuple[int, str]]] = {
            "Solsikken": [(1, "Alle børn har en fast voksen"), (1, "Legegrupper\x07 på tværs"), (3, "Børnemøder")],
            "Søndermarkskolen": [(1, "Alle elever har en ven i klassen")],
        }
        for name, goals in answers.items():
            reg = await ensure_registration(s, ids[name], strategy.id)
            await s.flush()
            writer = DraftWriter(s, reg, KINDS, None)
            for number, text in goals:
                position = await writer.add_local_goal(number, text)
                await writer.set_answer(number, position, "interventions", ["Faste grupper", "Forældremøde"])
                await writer.set_answer(
                    number,
                    position,
                    "measurement",
                    {"method": "Trivselsmåling", "when": "marts", "dates": ["2027-03-01"]},
                )
            if name == "Solsikken":
                await writer.set_status(RegistrationStatus.SUBMITTED)


async def _document(db: Database, tmp_path: Path) -> Any:
    await _seed(db)
    data = await add_time_plan(db, await build_export(db, now=NOW))
    out = tmp_path / "udvalget.docx"
    write_docx(data, out)
    return Document(str(out))


def _headings(doc: Any) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith(("Heading", "Title"))]


async def test_first_page_has_title_period_and_time_plan(sqlite_db: Database, tmp_path: Path) -> None:
    doc = await _document(sqlite_db, tmp_path)
    heads = _headings(doc)
    assert heads[:3] == [
        ("Title", DOC_TITLE),
        ("Heading 1", "Styrkelse af almenområdet"),
        ("Heading 2", "Tids- og procesplan"),
    ]
    texts = [p.text for p in doc.paragraphs]
    assert "Periode: 1. december 2023 – 31. december 2027" in texts
    assert "Frist: 30. november 2023" in texts
    plan = doc.tables[0]
    rows = [[c.text for c in row.cells] for row in plan.rows]
    assert rows[0] == ["Hvornår", "Hvad"]
    assert rows[1][0] == "August 2022"
    assert ["12. oktober 2022", "Workshop for den kommende strategi for styrkelse af almenområdet."] in rows
    assert [
        "Maj til november 2023",
        "Alle bestyrelser i dagtilbud og skoler får til opgave at fastsætte lokale mål.",
    ] in rows
    assert len(rows) == 12  # header + the strategy's 11 milestones
    # The first strategic goal starts on a new page, after the time plan.
    body = doc.element.body
    breaks = body.xpath('.//w:br[@w:type="page"]')
    assert breaks, "no page break after the first page"


async def test_grouped_by_goal_then_area_then_institution(sqlite_db: Database, tmp_path: Path) -> None:
    doc = await _document(sqlite_db, tmp_path)
    heads = _headings(doc)[3:]
    goal_heads = [text for style, text in heads if style == "Heading 1"]
    assert [h.split(":")[0] for h in goal_heads] == ["Mål 1", "Mål 2", "Mål 3", "Mål 4"]
    first_goal = heads[1 : heads.index(("Heading 1", goal_heads[1]))]
    assert first_goal == [
        ("Heading 2", "Område Nord"),
        ("Heading 3", "Mælkebøtten"),
        ("Heading 3", "Solsikken"),
        ("Heading 3", "Ærøvej Skole"),
        ("Heading 2", "Område Syd"),
        ("Heading 3", "Bøgeskov Skole"),
        ("Heading 3", "Børnehuset Åbrinken"),
        ("Heading 3", "Søndermarkskolen"),
    ]
    texts = [p.text for p in doc.paragraphs]
    start = texts.index("Solsikken")
    solsikken = texts[start : texts.index("Ærøvej Skole", start)]
    assert solsikken[1] == "Dagtilbud · Status: Indsendt"
    assert solsikken[2] == "Lokalt mål 1: Alle børn har en fast voksen"
    assert solsikken[3:6] == ["Indsatser:", "Faste grupper", "Forældremøde"]
    assert solsikken[6] == "Måling: Trivselsmåling – marts (1. marts 2027)"
    assert "Lokalt mål 2: Legegrupper på tværs" in solsikken  # a control character is dropped
    bullets = [p for p in doc.paragraphs if p.style.name == "List Bullet"]
    assert bullets and bullets[0].text == "Faste grupper"
    mælk = texts[texts.index("Mælkebøtten") : start]
    assert mælk[1:] == ["Dagtilbud · Status: Ikke startet", "Ingen lokale mål."]


async def test_write_export_knows_docx(sqlite_db: Database, tmp_path: Path) -> None:
    await _seed(sqlite_db)
    out = tmp_path / "x.docx"
    write_export(await build_export(sqlite_db, now=NOW), "DOCX", out)  # without the time plan
    doc = Document(str(out))
    assert doc.paragraphs[0].text == DOC_TITLE
    assert "Strategien har ingen tidsplan." in [p.text for p in doc.paragraphs]
    assert doc.core_properties.title == f"{DOC_TITLE}: Styrkelse af almenområdet"


def test_follow_ups_are_shown_when_present(tmp_path: Path) -> None:
    lg = {
        "text": "Alle har en ven",
        "interventions": [],
        "measurement": None,
        "follow_ups": [{"date": "2027-03-01", "text": "Målingen viste fremgang", "on_track": True}],
    }
    data = {
        "strategy": {"key": "k", "title": "T", "period": {"start": None, "end": None}, "deadline": None},
        "generated_at": NOW.isoformat(),
        "institutions": [
            {
                "name": "A",
                "area": "Nord",
                "kind": "skole",
                "status": "approved",
                "submitted_by": "Bo",
                "submitted_at": None,
                "goals": [{"number": 1, "title": "G", "local_goals": [lg]}],
            }
        ],
    }
    out = tmp_path / "f.docx"
    write_docx(data, out)
    texts = [p.text for p in Document(str(out)).paragraphs]
    assert "Opfølgning: 1. marts 2027 – Målingen viste fremgang – På rette spor" in texts
    assert "Skole · Status: Godkendt · Indsendt af: Bo" in texts
