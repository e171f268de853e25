"""The committee document (DOCX), opened again with python-docx: title page, summary, goal > area >
institution, the boards that are missing, the time plan as an appendix."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from docx import Document
from sqlalchemy import select

from dialogs.strategy import DEFAULT_STRATEGY_FILE, load_strategy_file
from dialogs.texts import texts
from reports.committee_docx import write_docx
from reports.document import add_time_plan
from reports.texts import report_texts
from reports.writers import write_export
from storage.db import Database
from storage.export import build_export
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
    data["municipality"] = "Demo Kommune"
    out = tmp_path / "udvalget.docx"
    write_docx(data, out)
    return Document(str(out))


def _headings(doc: Any) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith(("Heading", "Title"))]


def _rows(table: Any) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


async def test_title_page_names_the_municipality_strategy_period_and_extract_date(
    sqlite_db: Database, tmp_path: Path
) -> None:
    doc = await _document(sqlite_db, tmp_path)
    first = [(p.style.name, p.text) for p in doc.paragraphs[:6]]
    assert first[:3] == [
        ("Title", "Bestyrelsernes lokale mål"),
        ("Subtitle", "Demo Kommune"),
        ("Subtitle", "Styrkelse af almenområdet"),
    ]
    texts = [p.text for p in doc.paragraphs]
    assert "Periode: 1. december 2023 – 31. december 2027" in texts
    assert "Frist: 30. november 2023" in texts
    assert "Dato for udtræk: 24. november 2026" in texts  # one date format everywhere
    assert not [t for t in texts if re.search(r"\d{2}-\d{2}-\d{4}", t)]
    # Every page after the title page: the strategy and the date in the header, "Side n af m" in the footer.
    section = doc.sections[0]
    assert section.different_first_page_header_footer
    assert section.header.paragraphs[0].text == "Styrkelse af almenområdet · 24. november 2026"
    footer = section.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "NUMPAGES" in footer and "fldChar" in footer
    assert section.footer.paragraphs[0].text.startswith("Side ")


async def test_the_summary_counts_the_boards_and_the_coverage(sqlite_db: Database, tmp_path: Path) -> None:
    doc = await _document(sqlite_db, tmp_path)
    heads = _headings(doc)
    assert heads[1] == ("Heading 1", "Sammenfatning")
    texts = [p.text for p in doc.paragraphs]
    assert "1 af 6 bestyrelser har sendt deres lokale mål ind, og 0 er godkendt. 5 mangler." in texts
    by_area, progress, coverage, coverage_bars, follow_ups = doc.tables[:5]
    assert _rows(by_area) == [
        ["Område", "Bestyrelser", "Sendt ind", "Godkendt", "Mangler"],
        ["Område Nord", "3", "1", "0", "2"],
        ["Område Syd", "3", "0", "0", "3"],
        ["I alt", "6", "1", "0", "5"],
    ]
    assert _rows(progress)[1][0] == "Område Nord" and _rows(progress)[1][2] == "1 af 3 (33 %)"
    assert _rows(progress)[1][1].count("█") == 7  # a bar of a third of 20
    assert _rows(coverage) == [  # one row per area, a column per strategic goal
        [
            "Område",
            "Bestyrelser",
            "Sendt ind",
            "Godkendt",
            "Fælles mål 1",
            "Fælles mål 2",
            "Fælles mål 3",
            "Fælles mål 4",
        ],
        ["Område Nord", "3", "1", "0", "1", "0", "1", "0"],  # Søndermarkskolen's goal 1 is a draft: not counted
        ["Område Syd", "3", "0", "0", "0", "0", "0", "0"],
        ["I alt", "6", "1", "0", "1", "0", "1", "0"],
    ]
    assert (
        _rows(coverage_bars)[1] == ["Fælles mål 1", "█" + "░" * 19, "1 af 6 (17 %)"][:1] + _rows(coverage_bars)[1][1:]
    )
    assert _rows(coverage_bars)[1][2] == "1 af 6 (17 %)"
    assert _rows(follow_ups)[0] == ["Opfølgning", "Antal"]


async def test_grouped_by_goal_area_institution_without_drafts(sqlite_db: Database, tmp_path: Path) -> None:
    doc = await _document(sqlite_db, tmp_path)
    heads = _headings(doc)
    goal_heads = [text for style, text in heads if style == "Heading 1"]
    assert [h.split(":")[0] for h in goal_heads] == [
        "Sammenfatning", "Fælles mål 1", "Fælles mål 2", "Fælles mål 3", "Fælles mål 4",
        "Bestyrelser, der mangler", "Bilag",
    ]  # fmt: skip
    first_goal = heads[heads.index(("Heading 1", goal_heads[1])) + 1 : heads.index(("Heading 1", goal_heads[2]))]
    assert first_goal == [("Heading 2", "Område Nord"), ("Heading 3", "Solsikken")]  # the draft is left out
    texts = [p.text for p in doc.paragraphs]
    start = texts.index("Solsikken")
    solsikken = texts[start : start + 12]
    assert solsikken[1] == "Dagtilbud · Status: Sendt ind"
    assert solsikken[2] == "Lokalt mål 1: Alle børn har en fast voksen"
    assert solsikken[3:6] == ["Indsatser:", "Faste grupper", "Forældremøde"]
    assert solsikken[6] == "Måling: Trivselsmåling – marts (1. marts 2027)"
    assert "Lokalt mål 2: Legegrupper på tværs" in solsikken  # a control character is dropped
    assert "Alle elever har en ven i klassen" not in "\n".join(texts)  # Søndermarkskolen's draft
    missing = _rows(doc.tables[5])
    assert missing[0] == ["Område", "Institution", "Status"]
    assert ["Område Syd", "Søndermarkskolen", "I gang"] in missing
    assert ["Område Nord", "Mælkebøtten", "Ikke startet"] in missing and len(missing) == 6
    # Headings are larger than the body text.
    assert doc.styles["Heading 3"].font.size.pt > doc.styles["Normal"].font.size.pt


async def test_drafts_are_included_when_asked(sqlite_db: Database, tmp_path: Path) -> None:
    await _seed(sqlite_db)
    data = {**await add_time_plan(sqlite_db, await build_export(sqlite_db, now=NOW)), "municipality": None}
    out = tmp_path / "with-drafts.docx"
    write_docx(data, out, include_drafts=True)
    doc = Document(str(out))
    texts = [p.text for p in doc.paragraphs]
    assert "Søndermarkskolen" in texts and "Lokalt mål 1: Alle elever har en ven i klassen" in texts
    assert "Dokumentet viser også registreringer, der ikke er sendt ind endnu." in texts
    assert "Mælkebøtten" not in texts  # not started: only in the list of the missing
    assert doc.paragraphs[1].text == "Styrkelse af almenområdet"  # no municipality set: no line for it


async def test_the_time_plan_is_an_appendix_kept_on_one_page(sqlite_db: Database, tmp_path: Path) -> None:
    doc = await _document(sqlite_db, tmp_path)
    assert _headings(doc)[-1] == ("Heading 1", "Bilag: Tids- og procesplan")
    plan = doc.tables[-1]
    rows = _rows(plan)
    assert rows[0] == ["Hvornår", "Hvad"]
    assert rows[1][0] == "1. august 2022 – 31. august 2022"
    assert ["12. oktober 2022", "Workshop for den kommende strategi for styrkelse af almenområdet."] in rows
    assert [
        "1. maj 2023 – 30. november 2023",
        "Alle bestyrelser i dagtilbud og skoler får til opgave at fastsætte lokale mål.",
    ] in rows
    assert len(rows) == 12  # header + the strategy's 11 milestones
    for index, row in enumerate(plan.rows):
        assert row._tr.xpath("./w:trPr/w:cantSplit"), "a row may split across pages"
        keep = [p.paragraph_format.keep_with_next for c in row.cells for p in c.paragraphs]
        assert all(keep) if index < len(plan.rows) - 1 else not any(keep)
    assert plan.rows[0]._tr.xpath("./w:trPr/w:tblHeader")


async def test_write_export_knows_docx(sqlite_db: Database, tmp_path: Path) -> None:
    await _seed(sqlite_db)
    out = tmp_path / "x.docx"
    write_export(await build_export(sqlite_db, now=NOW), "DOCX", out)  # without the time plan
    doc = Document(str(out))
    assert doc.paragraphs[0].text == "Bestyrelsernes lokale mål"
    assert "Strategien har ingen tidsplan." in [p.text for p in doc.paragraphs]
    assert doc.core_properties.title == f"{'Bestyrelsernes lokale mål'}: Styrkelse af almenområdet"


async def test_english_when_asked(sqlite_db: Database, tmp_path: Path) -> None:
    await _seed(sqlite_db)
    out = tmp_path / "en.docx"
    write_export(await build_export(sqlite_db, now=NOW), "docx", out, texts=report_texts(texts("en")))
    doc = Document(str(out))
    paragraphs = [p.text for p in doc.paragraphs]
    assert paragraphs[0] == "The boards' local goals" and "Summary" in paragraphs
    assert "Date of extract: November 24, 2026" in paragraphs
    # the strategy file's English titles, where it has them (issue 17, point 9)
    strategy = load_strategy_file(DEFAULT_STRATEGY_FILE)
    assert strategy.title_en and strategy.goals[0].title_en
    assert doc.core_properties.title == f"The boards' local goals: {strategy.title_en}"
    everything = "\n".join(paragraphs + [c.text for t in doc.tables for r in t.rows for c in r.cells])
    assert strategy.goals[0].title_en in everything and strategy.goals[0].title not in everything


def test_follow_ups_are_shown_when_present(tmp_path: Path) -> None:
    lg = {
        "text": "Alle har en ven",
        "interventions": [],
        "measurement": None,
        "follow_ups": [
            {"date": "2027-03-01", "text": "Målingen viste fremgang", "answer": "on_track", "answered_by": "Bo",
             "asked_at": "2027-03-01T08:00:00+00:00"},
            {"date": "2027-10-01", "text": None, "answer": None, "answered_by": None,
             "asked_at": "2027-10-01T08:00:00+00:00"},
        ],
    }  # fmt: skip
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
    doc = Document(str(out))
    texts_ = [p.text for p in doc.paragraphs]
    assert "Opfølgning: 1. marts 2027 – på sporet – Målingen viste fremgang (Bo)" in texts_
    assert "Opfølgning: 1. oktober 2027 – ikke besvaret endnu" in texts_
    assert "Skole · Status: Godkendt · Sendt ind af: Bo" in texts_
    assert _rows(doc.tables[4]) == [
        ["Opfølgning", "Antal"], ["på sporet", "1"], ["delvist", "0"], ["ikke på sporet", "0"],
        ["ikke besvaret endnu", "1"],
    ]  # fmt: skip


def test_the_coverage_table_of_a_hundred_areas_has_a_row_per_area(tmp_path: Path) -> None:
    def institution(n: int) -> dict[str, Any]:
        status = ("submitted", "approved", "draft")[n % 3]
        goals = [{"number": g, "title": f"G{g}", "local_goals": [{"text": "x"}] * (g <= n % 4)} for g in (1, 2, 3)]
        return {"name": f"Skole {n:03d}", "area": f"Område {n % 100:03d}", "kind": "skole", "status": status,
                "submitted_by": None, "submitted_at": None, "goals": goals}  # fmt: skip

    institutions = sorted((institution(n) for n in range(300)), key=lambda i: (i["area"], i["name"]))
    data = {"strategy": {"key": "k", "title": "T", "period": {}, "deadline": None},
            "generated_at": NOW.isoformat(), "institutions": institutions}  # fmt: skip
    write_docx(data, tmp_path / "u.docx")
    coverage = _rows(Document(str(tmp_path / "u.docx")).tables[2])
    assert coverage[0] == [
        "Område",
        "Bestyrelser",
        "Sendt ind",
        "Godkendt",
        "Fælles mål 1",
        "Fælles mål 2",
        "Fælles mål 3",
    ]
    assert len(coverage) == 1 + 100 + 1 and {len(row) for row in coverage} == {7}
    # Område 001 holds Skole 001 (approved, 1 goal), 101 (draft: not counted) and 201 (submitted, 1 goal).
    assert coverage[2] == ["Område 001", "3", "1", "1", "2", "0", "0"]
    reported = [i for i in institutions if i["status"] != "draft"]
    expected = [sum(1 for i in reported if i["goals"][g - 1]["local_goals"]) for g in (1, 2, 3)]
    assert coverage[-1] == ["I alt", "300", "100", "100", *map(str, expected)]
