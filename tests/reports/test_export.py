"""storage.export and storage.export_writers against a small hand-built dataset."""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from reports.texts import report_texts_for
from reports.writers import CSV_DELIMITER, FORMATS, md_escape, write_export
from storage.db import Database
from storage.export import ExportError, build_export
from storage.models import (
    Area,
    Institution,
    Intervention,
    LocalGoal,
    Measurement,
    Person,
    Registration,
    StrategicGoal,
    Strategy,
)

NOW = datetime(2024, 1, 15, 8, 30, tzinfo=UTC)
SUBMITTED = datetime(2024, 1, 10, 12, 0, tzinfo=UTC)
NASTY = 'Ring til <!channel> | alle\n# ikke en overskrift\n=HYPERLINK("x")'

DEFINITION: dict[str, Any] = {
    "key": "almen",
    "title": "Styrkelse af almenområdet",
    "period": {"start": "2023-12-01", "end": "2027-12-31"},
    "goals": [
        {"number": 1, "title": "Børn i en privilegeret position"},
        {"number": 2, "title": "Faglig progression"},
    ],
    "questions": [
        {"key": "local_goal", "kind": "text", "text": {"da": "Lokalt mål?"}},
        {"key": "interventions", "kind": "list", "text": {"da": "Indsatser?"}},
        {"key": "measurement", "kind": "measurement", "text": {"da": "Måling?"}},
        {"key": "responsible", "kind": "text", "text": {"da": "Ansvarlig?"}},
    ],
}

DA = report_texts_for("da").labels  # the Danish labels the files are written with by default


async def seed(db: Database, *, second_goal_text: str = "Flere læser *hver* dag") -> None:
    async with db.transaction() as s:
        north = Area(name="Område Nord", name_key="område nord")
        south = Area(name="Ærø Syd", name_key="ærø syd")
        s.add_all([north, south])
        # Created in an order that differs from the export's (area, then name) order.
        solsikken = Institution(name="Solsikken", name_key="solsikken", kind="dagtilbud", area=north)
        aaskolen = Institution(name="Åskolen", name_key="åskolen", kind="skole", area=north)
        bakken = Institution(name="bakkeskolen", name_key="bakkeskolen", kind="skole", area=south)
        s.add_all([aaskolen, bakken, solsikken])
        older = Strategy(key="old", title="Gammel", definition={}, loaded_at=NOW - timedelta(days=400))
        strategy = Strategy(
            key="almen",
            title="Styrkelse af almenområdet",
            period_start=date(2023, 12, 1),
            period_end=date(2027, 12, 31),
            deadline=date(2023, 11, 30),
            definition=DEFINITION,
            loaded_at=NOW - timedelta(days=1),
            goals=[
                StrategicGoal(number=2, title="Faglig progression"),
                StrategicGoal(number=1, title="Børn i en privilegeret position"),
            ],
        )
        anna = Person(name="Anna Ærbødig", email="anna@example.dk", email_key="anna@example.dk")
        s.add_all([older, strategy, anna])
        await s.flush()
        first = LocalGoal(
            goal_number=1,
            position=1,
            text="Alle børn har en god ven",
            answers={"responsible": "Ledelsen", "extra": "x"},
            updated_by_id=anna.id,
            interventions=[
                Intervention(question_key="interventions", position=2, text="Legepatruljer"),
                Intervention(question_key="interventions", position=1, text="Venskabsgrupper"),
            ],
            measurements=[
                Measurement(
                    question_key="measurement",
                    method="Trivselsmåling",
                    when_text="i marts og oktober",
                    dates=["2024-03-01", "2024-10-01"],
                )
            ],
        )
        second = LocalGoal(goal_number=1, position=2, text=second_goal_text, answers={})
        s.add(
            Registration(
                institution_id=solsikken.id,
                strategy_id=strategy.id,
                status="submitted",
                submitted_by_id=anna.id,
                submitted_at=SUBMITTED,
                local_goals=[second, first],
            )
        )


async def test_build_export_shape_and_order(sqlite_db: Database) -> None:
    await seed(sqlite_db)
    data = await build_export(sqlite_db, now=NOW)

    assert data["strategy"] == {
        "key": "almen",
        "title": "Styrkelse af almenområdet",
        "period": {"start": "2023-12-01", "end": "2027-12-31"},
        "deadline": "2023-11-30",
    }
    assert data["generated_at"] == "2024-01-15T08:30:00+00:00"
    names = [(i["area"], i["name"]) for i in data["institutions"]]
    assert names == [("Område Nord", "Solsikken"), ("Område Nord", "Åskolen"), ("Ærø Syd", "bakkeskolen")]

    sol = data["institutions"][0]
    assert sol["status"] == "submitted"
    assert sol["kind"] == "dagtilbud"
    assert sol["submitted_by"] == "Anna Ærbødig"
    assert sol["submitted_at"] == "2024-01-10T12:00:00+00:00"
    assert [g["number"] for g in sol["goals"]] == [1, 2]
    assert sol["goals"][1] == {"number": 2, "title": "Faglig progression", "local_goals": []}  # no previous period
    first, second = sol["goals"][0]["local_goals"]
    assert first == {
        "text": "Alle børn har en god ven",
        "interventions": ["Venskabsgrupper", "Legepatruljer"],
        "measurement": {
            "method": "Trivselsmåling",
            "when": "i marts og oktober",
            "dates": ["2024-03-01", "2024-10-01"],
        },
        "answers": {"responsible": "Ledelsen", "extra": "x"},
        "updated_by": "Anna Ærbødig",
        "follow_ups": [],
    }
    assert list(first["answers"]) == ["responsible", "extra"]  # definition order, then the rest
    assert second["measurement"] is None and second["interventions"] == [] and second["updated_by"] is None
    json.dumps(data)  # plain JSON types only


async def test_institution_without_registration_is_not_started(sqlite_db: Database) -> None:
    await seed(sqlite_db)
    data = await build_export(sqlite_db, "almen")
    aaskolen = data["institutions"][1]
    assert aaskolen["name"] == "Åskolen"
    assert aaskolen["status"] == "not_started"
    assert aaskolen["submitted_by"] is None and aaskolen["submitted_at"] is None
    assert [(g["number"], g["local_goals"]) for g in aaskolen["goals"]] == [(1, []), (2, [])]


async def test_other_strategy_by_key_has_no_registrations(sqlite_db: Database) -> None:
    await seed(sqlite_db)
    data = await build_export(sqlite_db, "old")
    assert data["strategy"]["period"] == {"start": None, "end": None}
    assert {i["status"] for i in data["institutions"]} == {"not_started"}


async def test_unknown_strategy_key(sqlite_db: Database) -> None:
    await seed(sqlite_db)
    with pytest.raises(ExportError, match=r"unknown strategy 'nope'.*almen, old"):
        await build_export(sqlite_db, "nope")


async def test_no_strategy_loaded(sqlite_db: Database) -> None:
    with pytest.raises(ExportError, match="no strategy"):
        await build_export(sqlite_db)


async def test_json(sqlite_db: Database, tmp_path: Path) -> None:
    await seed(sqlite_db, second_goal_text=NASTY)
    data = await build_export(sqlite_db, now=NOW)
    out = tmp_path / "export.json"
    write_export(data, "json", out)
    raw = out.read_text(encoding="utf-8")
    assert "Ærø Syd" in raw  # not \u00c6 escapes
    assert json.loads(raw) == data
    assert json.loads(raw)["institutions"][0]["goals"][0]["local_goals"][1]["text"] == NASTY


async def test_csv(sqlite_db: Database, tmp_path: Path) -> None:
    await seed(sqlite_db, second_goal_text=NASTY)
    out = tmp_path / "export.csv"
    write_export(await build_export(sqlite_db), "csv", out)
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=CSV_DELIMITER))
    # Solsikken: 2 local goals under goal 1 + an empty goal 2; Åskolen and bakkeskolen: 2 empty goals each.
    assert len(rows) == 7
    first = rows[0]
    assert first[DA["area"]] == "Område Nord"
    assert first[DA["status"]] == "Sendt ind"
    assert first[DA["goal_number"]] == "1"
    assert first[DA["local_goal_position"]] == "1"
    assert first[DA["local_goal"]] == "Alle børn har en god ven"
    assert first[DA["interventions"]] == "Venskabsgrupper | Legepatruljer"
    assert first[DA["measurement_method"]] == "Trivselsmåling"
    assert first[DA["measurement_dates"]] == "2024-03-01;2024-10-01"
    assert rows[1][DA["local_goal"]] == NASTY  # quoted by the csv module, newlines and all
    empty = rows[2]
    assert (empty[DA["goal_number"]], empty[DA["local_goal"]]) == ("2", "")
    assert rows[-1][DA["area"]] == "Ærø Syd"
    assert rows[-1][DA["status"]] == "Ikke startet"


async def test_csv_cells_never_start_a_formula(sqlite_db: Database, tmp_path: Path) -> None:
    await seed(sqlite_db, second_goal_text='=HYPERLINK("http://evil","klik")')
    out = tmp_path / "export.csv"
    write_export(await build_export(sqlite_db), "csv", out)
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=CSV_DELIMITER))
    assert rows[1][DA["local_goal"]] == '\'=HYPERLINK("http://evil","klik")'


async def test_xlsx(sqlite_db: Database, tmp_path: Path) -> None:
    await seed(sqlite_db, second_goal_text=NASTY)
    out = tmp_path / "export.xlsx"
    write_export(await build_export(sqlite_db), "xlsx", out)
    wb = load_workbook(out)
    assert wb.sheetnames == ["Oversigt", "Institutioner", "Fælles mål 1", "Fælles mål 2"]
    for ws in wb.worksheets[1:]:
        header_row = 1 if ws.title == "Institutioner" else 2
        assert ws.freeze_panes == f"A{header_row + 1}"
        assert all(cell.font.bold for cell in ws[header_row])
        assert ws.print_title_rows == f"$1:${header_row}"  # header rows on every printed page
    for ws in wb.worksheets:  # printed landscape, as wide as the page
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.fitToWidth in (1, None) and ws.page_setup.fitToHeight == 0  # None: the default, 1
        assert ws.sheet_properties.pageSetUpPr.fitToPage

    institutions = wb["Institutioner"]
    assert institutions.auto_filter.ref == institutions.dimensions
    header = [c.value for c in institutions[1]]
    assert header[:6] == ["Institution", "Område", "Type", "Status", "Sendt ind af", "Sendt ind"]
    assert header[6:] == ["Fælles mål 1", "Fælles mål 2"]
    assert [c.value for c in institutions[2]][:5] == [
        "Solsikken",
        "Område Nord",
        "dagtilbud",
        "Sendt ind",  # the chat's and the status page's word
        "Anna Ærbødig",
    ]
    assert institutions["F2"].value == datetime(2024, 1, 10, 13, 0)  # Copenhagen time
    assert (institutions["G2"].value, institutions["H2"].value) == (2, 0)
    assert institutions["D3"].value == "Ikke startet"

    goal1 = wb["Fælles mål 1"]
    assert str(goal1["A1"].value).startswith("Fælles mål 1: ")  # the goal's full title in row 1
    assert goal1.auto_filter.ref == "A2:I6"  # the last column is the follow-ups
    assert goal1["I2"].value == "Opfølgning"
    assert goal1["D2"].value == "Lokalt mål"
    assert goal1["D3"].value == "Alle børn har en god ven"
    assert goal1["E3"].value == "Venskabsgrupper\nLegepatruljer"
    assert goal1["E3"].alignment.wrap_text
    assert goal1["H3"].value == "2024-03-01\n2024-10-01"
    assert goal1["D4"].value == NASTY
    assert goal1["D4"].data_type == "s"  # "=..." on a later line, but still text, never a formula
    assert (goal1["B5"].value, goal1["D5"].value) == ("Åskolen", None)
    assert goal1.column_dimensions["D"].width > goal1.column_dimensions["C"].width


async def test_xlsx_formula_text_stays_text(sqlite_db: Database, tmp_path: Path) -> None:
    await seed(sqlite_db, second_goal_text="=1+1\x0b")
    out = tmp_path / "export.xlsx"
    write_export(await build_export(sqlite_db), "xlsx", out)
    cell = load_workbook(out)["Fælles mål 1"]["D4"]
    assert (cell.value, cell.data_type) == ("=1+1", "s")  # control character dropped


async def test_markdown(sqlite_db: Database, tmp_path: Path) -> None:
    await seed(sqlite_db, second_goal_text=NASTY)
    out = tmp_path / "export.md"
    write_export(await build_export(sqlite_db), "MD", out)
    md = out.read_text(encoding="utf-8")
    assert md.startswith("# Styrkelse af almenområdet\n")
    assert "## Område Nord\n" in md and "## Ærø Syd\n" in md
    assert "### Solsikken (dagtilbud)\n" in md
    assert "**Status:** Sendt ind" in md and "**Status:** Ikke startet" in md
    assert "**Sendt ind:** 2024-01-10 13:00" in md  # Copenhagen time
    assert "#### Fælles mål 1: Børn i en privilegeret position\n" in md
    assert "- Venskabsgrupper\n- Legepatruljer\n" in md
    assert "Måling: Trivselsmåling – i marts og oktober (2024-03-01, 2024-10-01)" in md
    assert "_Ingen lokale mål._" in md
    # User text cannot inject markup or ping a Slack channel when pasted.
    assert "<!channel>" not in md
    assert "Ring til \\<!channel\\> \\| alle  \n\\# ikke en overskrift  \n\\=HYPERLINK" in md
    assert "\n# ikke" not in md


async def test_markdown_escapes_emphasis(sqlite_db: Database, tmp_path: Path) -> None:
    await seed(sqlite_db)
    out = tmp_path / "export.md"
    write_export(await build_export(sqlite_db), "md", out)
    assert "Flere læser \\*hver\\* dag" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("a_b [link](x) `code` ~s~ &amp;", "a\\_b \\[link\\](x) \\`code\\` \\~s\\~ \\&amp;"),
        ("- punkt\n+ punkt\n1. punkt\n2) punkt", "\\- punkt  \n\\+ punkt  \n1\\. punkt  \n2\\) punkt"),
        ("    kode\n\n> citat", "kode  \n\\> citat"),
        ("back\\slash", "back\\\\slash"),
    ],
)
def test_md_escape(text: str, escaped: str) -> None:
    assert md_escape(text) == escaped


def test_unknown_format(tmp_path: Path) -> None:
    out = tmp_path / "export.pdf"
    with pytest.raises(ValueError, match=r"unknown export format 'pdf'"):
        write_export({"institutions": []}, "pdf", out)
    assert not out.exists()
    assert FORMATS == ("json", "csv", "xlsx", "md")
