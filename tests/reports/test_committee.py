"""The committee's summary (storage.committee) and the XLSX overview built on it, from a small export
with every status; and that the export's number of queries does not grow with the institutions."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.chart import BarChart
from sqlalchemy import event, select

from reports.committee import committee_report
from reports.writers import write_export
from storage.db import Database
from storage.export import build_export
from storage.models import Area, Institution
from tests.reports.test_export import seed

NOW = datetime(2026, 11, 29, 17, 32, tzinfo=UTC)


def _inst(name: str, area: str, status: str, goals: dict[int, list[dict[str, Any]]]) -> dict[str, Any]:
    return {
        "name": name,
        "area": area,
        "kind": "skole",
        "status": status,
        "submitted_by": None,
        "submitted_at": None,
        "goals": [{"number": n, "title": f"Mål nummer {n}", "local_goals": goals.get(n, [])} for n in (1, 2)],
    }


def _lg(*answers: tuple[str, str | None]) -> dict[str, Any]:
    return {
        "text": "x",
        "interventions": [],
        "measurement": None,
        "follow_ups": [
            {"date": d, "answer": a, "asked_at": "2027-01-01T08:00:00+00:00", "text": None} for d, a in answers
        ],
    }


DATA: dict[str, Any] = {
    "strategy": {"key": "k", "title": "T", "period": {"start": "2023-12-01", "end": "2027-12-31"}, "deadline": None},
    "generated_at": NOW.isoformat(),
    "municipality": "Demo Kommune",
    "institutions": [
        _inst("A", "Nord", "approved", {1: [_lg(("2027-03-01", "off_track"), ("2027-10-01", "on_track"))]}),
        _inst("B", "Nord", "submitted", {1: [_lg()], 2: [_lg(("2027-03-01", "partly"), ("2027-10-01", None))]}),
        _inst("C", "Nord", "draft", {2: [_lg(("2027-03-01", "off_track"))]}),
        _inst("D", "Syd", "returned", {1: [_lg()]}),
        _inst("E", "Syd", "not_started", {}),
    ],
}


def test_the_summary_counts_per_area_and_the_coverage() -> None:
    report = committee_report(DATA)
    assert [
        (a.area, a.total, a.submitted, a.approved, a.in_progress, a.not_started, a.missing) for a in report.areas
    ] == [
        ("Nord", 3, 1, 1, 1, 0, 1),
        ("Syd", 2, 0, 0, 1, 1, 2),
    ]
    assert (report.totals.total, report.totals.done, report.totals.missing) == (5, 2, 3)
    assert report.coverage == {1: {"Nord": 2}, 2: {"Nord": 1}}  # drafts and returned ones do not count
    assert (report.goal_coverage(1), report.goal_coverage(2)) == (2, 1)
    assert [i["name"] for i in report.included] == ["A", "B"]
    assert [i["name"] for i in report.missing] == ["C", "D", "E"]
    # The latest answer of each local goal counts once; the one asked and not answered waits.
    assert report.follow_ups == {"on_track": 1, "partly": 1, "off_track": 0, "waiting": 1}


def test_drafts_are_shown_when_asked_but_never_counted_as_submitted() -> None:
    report = committee_report(DATA, include_drafts=True)
    assert [i["name"] for i in report.included] == ["A", "B", "C", "D"]  # not started: nothing to show
    assert report.totals.done == 2 and report.coverage == {1: {"Nord": 2}, 2: {"Nord": 1}}
    assert report.follow_ups["off_track"] == 1  # C's answer is in the document now


def test_the_xlsx_overview_has_the_facts_tables_and_native_charts(tmp_path: Path) -> None:
    out = tmp_path / "udvalget.xlsx"
    write_export(DATA, "xlsx", out)
    wb = load_workbook(out)
    assert wb.sheetnames == ["Oversigt", "Institutioner", "Fælles mål 1", "Fælles mål 2"]
    ws = wb["Oversigt"]
    rows = [[c for c in row if c is not None] for row in ws.iter_rows(values_only=True)]
    assert rows[0] == ["Bestyrelsernes lokale mål"]
    assert rows[1:6] == [
        ["Kommune", "Demo Kommune"],
        ["Strategi", "T"],
        ["Periode", "1. december 2023 – 31. december 2027"],
        ["Frist"],
        ["Dato for udtræk", "29. november 2026"],
    ]
    assert ["Fælles mål 1", "Mål nummer 1"] in rows and ["Fælles mål 2", "Mål nummer 2"] in rows  # the full goal titles
    assert ["Område", "Bestyrelser", "Sendt ind", "Godkendt", "Mangler", "Har sendt ind"] in rows
    assert ["Nord", 3, 1, 1, 1, 2] in rows and ["I alt", 5, 1, 1, 3, 2] in rows
    assert ["Fælles mål", "I alt"] in rows and ["Fælles mål 1", 2] in rows and ["Fælles mål 2", 1] in rows
    # the coverage per area: a row per area and a column per fælles mål (100 areas are 100 rows, not columns)
    assert ["Område", "Fælles mål 1", "Fælles mål 2"] in rows
    assert ["Nord", 2, 1] in rows and ["Syd", 0, 0] in rows and ["I alt", 2, 1] in rows
    assert ["på sporet", 1] in rows and ["ikke besvaret endnu", 1] in rows
    charts = ws._charts
    assert len(charts) == 2 and all(isinstance(c, BarChart) for c in charts)
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToHeight == 0
    assert ws.page_setup.fitToWidth in (1, None)  # one page wide: 1 is the file format's default, often left out
    assert wb["Fælles mål 2"]["A1"].value == "Fælles mål 2: Mål nummer 2"
    statuses = [r[3] for r in wb["Institutioner"].iter_rows(min_row=2, values_only=True)]
    assert statuses == ["Godkendt", "Sendt ind", "I gang", "Sendt retur", "Ikke startet"]


async def test_the_export_reads_with_the_same_queries_for_3_or_30_institutions(sqlite_db: Database) -> None:
    await seed(sqlite_db)
    few = await _statements(sqlite_db)
    async with sqlite_db.transaction() as s:
        area = await s.scalar(select(Area).limit(1))
        for n in range(27):
            s.add(Institution(name=f"Skole {n}", name_key=f"skole {n}", kind="skole", area=area))
    many = await _statements(sqlite_db)
    assert many == few  # set-based: no query per institution


async def _statements(db: Database) -> int:
    count = 0

    def counted(*_: object) -> None:
        nonlocal count
        count += 1

    engine = db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", counted)
    try:
        await build_export(db, now=NOW)
    finally:
        event.remove(engine, "before_cursor_execute", counted)
    return count


def test_the_labels_are_danish_and_english_through_the_catalogs() -> None:
    from dialogs.texts import texts
    from reports.texts import report_texts, report_texts_for

    danish, english = report_texts_for("da"), report_texts(texts("en"))
    assert english.labels.keys() == danish.labels.keys()
    assert report_texts_for() is danish  # Danish is the default
    assert (danish["doc_title"], danish["area"], danish["submitted_by"]) == (
        "Bestyrelsernes lokale mål", "Område", "Sendt ind af"
    )  # fmt: skip
    assert danish.goal(3) == "Fælles mål 3" and danish.status("returned") == "Sendt retur"
    assert english["status.draft"] == "in progress" and english["doc_title"] == "The boards' local goals"
    assert english.goal(3) == "Goal 3"
    untranslated = [
        k for k in danish.labels if danish[k] == english[k] and danish[k] not in ("Status", "Institution", "Type")
    ]
    assert untranslated == []


def test_xlsx_user_text_that_looks_like_a_number_or_a_link_stays_plain_text(tmp_path: Path) -> None:
    lg = {**_lg(), "text": "https://evil.example/klik", "interventions": ["1e5", "0042"]}
    data = {**DATA, "institutions": [_inst("007", "Nord", "submitted", {1: [lg]})]}
    out = tmp_path / "u.xlsx"
    write_export(data, "xlsx", out)
    wb = load_workbook(out)
    institution = list(wb["Institutioner"][2])
    assert (institution[0].value, institution[0].data_type) == ("007", "s")
    assert [(c.value, c.data_type) for c in institution[6:]] == [(1, "n"), (0, "n")]  # the counts are numbers
    goal = wb["Fælles mål 1"]
    assert (goal["D3"].value, goal["D3"].hyperlink) == ("https://evil.example/klik", None)
    assert (goal["E3"].value, goal["E3"].data_type) == ("1e5\n0042", "s")


def test_the_xlsx_overview_of_a_hundred_areas_stays_narrow(tmp_path: Path) -> None:
    """100 areas give 100 rows in the overview's coverage, never 100 columns (one column per area was
    unreadable at municipality scale)."""
    institutions = [
        {"name": f"Skole {n:03d}", "area": f"Område {n % 100:03d}", "kind": "skole", "status": "submitted",
         "submitted_by": None, "submitted_at": None,
         "goals": [{"number": g, "title": f"G{g}", "local_goals": [{"text": "x"}] * (g <= n % 3)} for g in (1, 2)]}
        for n in range(200)
    ]  # fmt: skip
    institutions.sort(key=lambda i: (i["area"], i["name"]))
    data = {**DATA, "institutions": institutions}
    out = tmp_path / "u.xlsx"
    write_export(data, "xlsx", out)
    ws = load_workbook(out)["Oversigt"]
    assert ws.max_column <= 8
    rows = [[c for c in row if c is not None] for row in ws.iter_rows(values_only=True)]
    header = rows.index(["Område", "Fælles mål 1", "Fælles mål 2"])
    per_area = rows[header + 1 : header + 101]
    assert [r[0] for r in per_area] == [f"Område {n:03d}" for n in range(100)]
    # Område 001 holds Skole 001 (goal 1) and Skole 101 (goals 1 and 2)
    assert per_area[1] == ["Område 001", 2, 1]
    assert rows[header + 101][0] == "I alt"
