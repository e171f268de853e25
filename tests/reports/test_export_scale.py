"""The exports stay linear: the same SQL statements for 15 or 90 institutions, every row in every
format, and the words in Danish or English as asked."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import event, select

from bot.reports import render_file
from dialogs.texts import texts
from reports.document import prepare
from reports.texts import report_texts_for
from reports.writers import CSV_DELIMITER, write_export
from storage.db import Database
from storage.export import build_export
from storage.models import (
    Area,
    FollowUp,
    Institution,
    Intervention,
    LocalGoal,
    Measurement,
    Person,
    Registration,
    StrategicGoal,
    Strategy,
)

NOW = datetime(2026, 11, 29, 17, tzinfo=UTC)
FORMATS = ("docx", "xlsx", "html", "csv")
DEFINITION = {
    "key": "almen",
    "title": "Styrkelse af almenområdet",
    "goals": [{"number": 1, "title": "Trivsel"}, {"number": 2, "title": "Læsning"}],
    "questions": [
        {"key": "local_goal", "kind": "text", "text": {"da": "Lokalt mål?"}},
        {"key": "interventions", "kind": "list", "text": {"da": "Indsatser?"}},
        {"key": "measurement", "kind": "measurement", "text": {"da": "Måling?"}},
    ],
    "milestones": [{"date": "2027-03-01", "text": "Status til udvalget"}],
}


async def generate(db: Database, institutions: int, *, start: int = 0) -> None:
    """Boards `start` to `institutions` - 1 in 5 areas; all but every third submitted, each with a local
    goal per strategic goal, two interventions, a measurement and a follow-up, and a chair's name."""
    async with db.transaction() as s:
        if start == 0:
            goal_rows = [StrategicGoal(number=1, title="Trivsel"), StrategicGoal(number=2, title="Læsning")]
            s.add(Strategy(key="almen", title="Styrkelse af almenområdet", definition=DEFINITION, loaded_at=NOW,
                           period_start=date(2026, 1, 1), period_end=date(2027, 12, 31), goals=goal_rows))  # fmt: skip
            s.add_all([Area(name=f"Område {a}", name_key=f"område {a}") for a in range(5)])
            await s.flush()
        strategy = await s.scalar(select(Strategy))
        areas = list(await s.scalars(select(Area).order_by(Area.name)))
        assert strategy is not None
        for i in range(start, institutions):
            chair = Person(name=f"Formand {i}", email=f"f{i}@example.dk", email_key=f"f{i}@example.dk")
            inst = Institution(name=f"Skole {i:03d}", name_key=f"skole {i:03d}", kind="skole", area=areas[i % 5])
            s.add_all([chair, inst])
            await s.flush()
            goals = [
                LocalGoal(goal_number=n, position=1, text=f"Mål {n} for skole {i:03d}", answers={},
                          updated_by_id=chair.id,
                          interventions=[Intervention(question_key="interventions", position=p, text=f"Indsats {p}")
                                         for p in (1, 2)],
                          measurements=[Measurement(question_key="measurement", method="Trivselsmåling",
                                                    when_text="i marts", dates=["2027-03-01"])])
                for n in (1, 2)
            ]  # fmt: skip
            s.add(Registration(institution_id=inst.id, strategy_id=strategy.id, local_goals=goals,
                               status="draft" if i % 3 == 0 else "submitted",
                               submitted_by_id=chair.id, submitted_at=NOW))  # fmt: skip
            await s.flush()
            s.add(FollowUp(local_goal_id=goals[0].id, measurement_date=date(2027, 3, 1), asked_at=NOW,
                           answer="on_track", text="Det gik godt", answered_by_id=chair.id,
                           answered_at=NOW))  # fmt: skip


async def _statements_of_a_whole_export(db: Database, fmt: str, out: Path) -> int:
    count = 0

    def counted(*_: object) -> None:
        nonlocal count
        count += 1

    engines = [db.engine.sync_engine] + ([db.reader.sync_engine] if db.dialect == "sqlite" else [])
    for engine in engines:
        event.listen(engine, "before_cursor_execute", counted)
    try:
        data = await prepare(db, await build_export(db, now=NOW), "Demo Kommune", fmt)
        out.write_bytes(render_file(data, fmt, texts("da")))
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", counted)
    return count


async def test_an_export_over_90_institutions_runs_the_same_statements_as_over_15(
    sqlite_db: Database, tmp_path: Path
) -> None:
    await generate(sqlite_db, 15)
    few = {fmt: await _statements_of_a_whole_export(sqlite_db, fmt, tmp_path / f"few.{fmt}") for fmt in FORMATS}
    await generate(sqlite_db, 90, start=15)
    many = {fmt: await _statements_of_a_whole_export(sqlite_db, fmt, tmp_path / f"many.{fmt}") for fmt in FORMATS}
    assert many == few  # set-based: nothing per institution, per registration or per local goal
    assert max(few.values()) <= 13  # one of them reads the meetings' agreements (issue 14)
    assert len(Document(str(tmp_path / "many.docx")).paragraphs) > 4 * len(
        Document(str(tmp_path / "few.docx")).paragraphs
    )


async def test_the_xlsx_holds_every_row_and_reads_back(sqlite_db: Database, tmp_path: Path) -> None:
    await generate(sqlite_db, 15)
    out = tmp_path / "udvalget.xlsx"
    write_export({**await build_export(sqlite_db, now=NOW), "municipality": "Demo Kommune"}, "xlsx", out)
    wb = load_workbook(out)
    assert wb.sheetnames == ["Oversigt", "Institutioner", "Fælles mål 1", "Fælles mål 2"]
    institutions = list(wb["Institutioner"].iter_rows(values_only=True))
    assert institutions[0][:4] == ("Institution", "Område", "Type", "Status")
    assert [row[0] for row in institutions[1:]] == [f"Skole {i:03d}" for i in sorted(range(15), key=lambda i: i % 5)]
    assert institutions[1][3] == "I gang" and institutions[2][3] == "Sendt ind"  # Skole 000 is a draft
    assert institutions[2][4:] == ("Formand 5", datetime(2026, 11, 29, 18, 0), 1, 1)  # local time in Excel
    goal = wb["Fælles mål 1"]
    assert goal["A1"].value == "Fælles mål 1: Trivsel"
    rows = list(goal.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 15
    assert rows[1][:9] == ("Område 0", "Skole 005", "Sendt ind", "Mål 1 for skole 005", "Indsats 1\nIndsats 2",
                           "Trivselsmåling", "i marts", "2027-03-01",
                           "2027-03-01: på sporet – Det gik godt (Formand 5)")  # fmt: skip
    assert goal["E4"].alignment.wrap_text and goal.freeze_panes == "A3"  # two lines: wrapped
    assert goal.auto_filter.ref == "A2:I17"
    overview = [row for row in wb["Oversigt"].iter_rows(values_only=True) if row and row[0]]
    assert ("I alt", 15, 10, 0, 5, 10) in [tuple(r[:6]) for r in overview]
    assert ("Kommune", "Demo Kommune") in [tuple(r[:2]) for r in overview]


async def test_the_docx_has_every_board_under_every_goal(sqlite_db: Database, tmp_path: Path) -> None:
    await generate(sqlite_db, 15)
    out = tmp_path / "udvalget.docx"
    data = await prepare(sqlite_db, await build_export(sqlite_db, now=NOW), "Demo Kommune", "docx")
    out.write_bytes(render_file(data, "docx", texts("da")))
    doc = Document(str(out))
    boards = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "Heading 3"]
    assert len(boards) == 2 * 10  # the submitted ones, under each of the two goals
    assert boards[0] == "Skole 005"
    texts_ = [p.text for p in doc.paragraphs]
    assert "Lokalt mål 1: Mål 1 for skole 005" in texts_
    assert "Opfølgning: 1. marts 2027 – på sporet – Det gik godt (Formand 5)" in texts_
    bullets = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "List Bullet"]
    assert bullets[:2] == ["Indsats 1", "Indsats 2"]
    missing = doc.tables[5]
    assert [c.text for c in missing.rows[1].cells] == ["Område 0", "Skole 000", "I gang"]
    assert len(missing.rows) == 1 + 5


async def test_the_english_exports_read_in_english(sqlite_db: Database, tmp_path: Path) -> None:
    await generate(sqlite_db, 5)
    data = await prepare(sqlite_db, await build_export(sqlite_db, now=NOW), "Demo Municipality", "docx")
    english = report_texts_for("en")
    write_export(data, "csv", tmp_path / "e.csv", texts=english)
    with (tmp_path / "e.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=CSV_DELIMITER))
    assert list(rows[0])[:4] == ["Area", "Institution", "Type", "Status"]
    assert rows[0]["Status"] == "In progress" and rows[2]["Local goal"] == "Mål 1 for skole 001"
    assert rows[2]["Follow-up"] == "2027-03-01: on track – Det gik godt (Formand 1)"
    write_export(data, "md", tmp_path / "e.md", texts=english)
    markdown = (tmp_path / "e.md").read_text(encoding="utf-8")
    assert "**Status:** Submitted" in markdown and "#### Goal 1: Trivsel" in markdown
    write_export(data, "xlsx", tmp_path / "e.xlsx", texts=english)
    assert load_workbook(tmp_path / "e.xlsx").sheetnames == ["Overview", "Institutions", "Goal 1", "Goal 2"]
    write_export(data, "docx", tmp_path / "e.docx", texts=english)
    doc = Document(str(tmp_path / "e.docx"))
    assert doc.paragraphs[0].text == "The boards' local goals"
    assert "Appendix: time and process plan" in [p.text for p in doc.paragraphs]
    danish = tmp_path / "d.csv"
    write_export(data, "csv", danish)  # Danish unless asked
    assert danish.read_text(encoding="utf-8-sig").startswith("Område;Institution;Type;Status;Fælles mål nr.")


def test_maalbot_export_language_english_and_danish_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.cli import main

    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/cli.db")
    monkeypatch.setenv("MAALBOT_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("MAALBOT_LOCALE", raising=False)
    assert main(["db", "upgrade"]) == 0 and main(["demo"]) == 0
    assert main(["export", "--format", "csv", "--out", str(tmp_path / "en.csv"), "--language", "en"]) == 0
    assert main(["export", "--format", "csv", "--out", str(tmp_path / "da.csv")]) == 0
    assert (tmp_path / "en.csv").read_text(encoding="utf-8-sig").startswith("Area;Institution;Type;Status;Goal no.")
    danish = (tmp_path / "da.csv").read_text(encoding="utf-8-sig")
    assert danish.startswith("Område;Institution;Type;Status;Fælles mål nr.")
