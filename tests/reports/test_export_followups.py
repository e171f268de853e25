"""Follow-up history and last period's local goals in every export format (JSON, CSV, XLSX, MD, DOCX)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from docx import Document
from openpyxl import load_workbook
from sqlalchemy import event, select

from dialogs.service import kinds_of, strategy_of
from dialogs.strategy import DEFAULT_STRATEGY_FILE, load_strategy_file
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
from storage.registrations import DraftWriter, ensure_registration
from storage.strategies import save_strategy

NOW = datetime(2029, 11, 1, 9, tzinfo=UTC)
ASKED = datetime(2029, 3, 1, 8, 0, tzinfo=UTC)
ANSWERED = datetime(2029, 3, 4, 10, 12, tzinfo=UTC)
GOALS = {1: "Børn i en privilegeret position", 2: "Faglig progression"}

DA = report_texts_for("da").labels  # the Danish labels the files are written with by default


def _definition(key: str, previous: str | None = None) -> dict[str, Any]:
    definition: dict[str, Any] = {
        "key": key,
        "title": f"Strategi {key}",
        "goals": [{"number": n, "title": t} for n, t in GOALS.items()],
    }
    if previous is not None:
        definition["previous"] = previous
    return definition


def _strategy(key: str, loaded_at: datetime, previous: str | None = None) -> Strategy:
    return Strategy(
        key=key,
        title=f"Strategi {key}",
        definition=_definition(key, previous),
        loaded_at=loaded_at,
        goals=[StrategicGoal(number=n, title=t) for n, t in GOALS.items()],
    )


def _local_goal(goal: int, position: int, text: str, interventions: list[str], method: str | None) -> LocalGoal:
    return LocalGoal(
        goal_number=goal,
        position=position,
        text=text,
        answers={},
        interventions=[
            Intervention(question_key="interventions", position=i, text=x) for i, x in enumerate(interventions, 1)
        ],
        measurements=[]
        if method is None
        else [
            Measurement(question_key="measurement", method=method, when_text="marts og oktober", dates=["2029-03-01"])
        ],
    )


async def seed(db: Database, *, previous: str | None = "almen") -> None:
    """Solsikken has last period's ("almen") local goals and this period's ("almen-2028") with
    follow-ups: one answered, one asked and not answered, one chosen but not completed. Åskolen has
    nothing in either period."""
    async with db.transaction() as s:
        north = Area(name="Område Nord", name_key="område nord")
        solsikken = Institution(name="Solsikken", name_key="solsikken", kind="dagtilbud", area=north)
        aaskolen = Institution(name="Åskolen", name_key="åskolen", kind="skole", area=north)
        s.add_all([north, solsikken, aaskolen])
        old = _strategy("almen", NOW - timedelta(days=900))
        new = _strategy("almen-2028", NOW - timedelta(days=300), previous)
        anna = Person(name="Anna Ærbødig", email="anna@example.dk", email_key="anna@example.dk")
        s.add_all([old, new, anna])
        await s.flush()
        s.add(
            Registration(
                institution_id=solsikken.id,
                strategy_id=old.id,
                status="approved",
                local_goals=[
                    _local_goal(1, 1, "Alle har en ven", ["Legepatruljer", "Venskabsbænk"], "Trivselsmåling"),
                    _local_goal(1, 2, "Flere ture ud", [], None),
                ],
            )
        )
        voksen = _local_goal(1, 1, "Alle børn har en fast voksen", ["Makkerpar"], "Trivselsmåling")
        laes = _local_goal(2, 1, "Læselyst", [], "Læsetest")
        s.add(
            Registration(
                institution_id=solsikken.id, strategy_id=new.id, status="submitted", local_goals=[voksen, laes]
            )
        )
        await s.flush()
        s.add_all(
            [
                # Added out of date order: the export sorts by date.
                FollowUp(
                    local_goal_id=voksen.id, measurement_date=date(2029, 10, 1), asked_at=NOW - timedelta(days=30)
                ),
                FollowUp(
                    local_goal_id=voksen.id,
                    measurement_date=date(2029, 3, 1),
                    asked_at=ASKED,
                    answer="on_track",
                    text="Trivslen steg fra 3,9 til 4,2",
                    answered_by_id=anna.id,
                    answered_at=ANSWERED,
                ),
                # Chosen, the words not yet given: not an answer yet.
                FollowUp(
                    local_goal_id=laes.id,
                    measurement_date=date(2029, 3, 1),
                    asked_at=ASKED,
                    answer="off_track",
                    answered_by_id=anna.id,
                ),
            ]
        )


async def test_json_has_follow_ups_sorted_by_date_and_last_period(sqlite_db: Database) -> None:
    await seed(sqlite_db)
    data = await build_export(sqlite_db, now=NOW)
    assert data["strategy"]["key"] == "almen-2028"
    sol, aaskolen = data["institutions"]
    goal1, goal2 = sol["goals"]
    (voksen,) = goal1["local_goals"]
    assert voksen["follow_ups"] == [
        {
            "date": "2029-03-01",
            "asked_at": "2029-03-01T08:00:00+00:00",
            "answer": "on_track",
            "text": "Trivslen steg fra 3,9 til 4,2",
            "answered_by": "Anna Ærbødig",
            "answered_at": "2029-03-04T10:12:00+00:00",
        },
        {
            "date": "2029-10-01",
            "asked_at": "2029-10-02T09:00:00+00:00",
            "answer": None,
            "text": None,
            "answered_by": None,
            "answered_at": None,
        },
    ]
    (laes,) = goal2["local_goals"]
    assert [(f["answer"], f["answered_by"]) for f in laes["follow_ups"]] == [(None, None)]  # not complete

    assert goal1["previous_local_goals"] == [
        {
            "text": "Alle har en ven",
            "interventions": ["Legepatruljer", "Venskabsbænk"],
            "measurement": {"method": "Trivselsmåling", "when": "marts og oktober", "dates": ["2029-03-01"]},
        },
        {"text": "Flere ture ud", "interventions": [], "measurement": None},
    ]
    assert goal2["previous_local_goals"] == []
    assert [g["previous_local_goals"] for g in aaskolen["goals"]] == [[], []]
    assert all(lg["follow_ups"] == [] for g in aaskolen["goals"] for lg in g["local_goals"])


async def test_last_period_is_absent_without_a_previous_strategy(sqlite_db: Database) -> None:
    await seed(sqlite_db, previous=None)
    data = await build_export(sqlite_db, now=NOW)
    assert all("previous_local_goals" not in g for i in data["institutions"] for g in i["goals"])
    old = await build_export(sqlite_db, "almen", now=NOW)  # the old one names none either
    assert all("previous_local_goals" not in g for i in old["institutions"] for g in i["goals"])
    assert old["institutions"][0]["goals"][0]["local_goals"][0]["follow_ups"] == []


async def test_a_previous_strategy_that_is_not_loaded_is_no_previous_period(sqlite_db: Database) -> None:
    await seed(sqlite_db, previous="almen-1999")
    data = await build_export(sqlite_db, now=NOW)
    assert all("previous_local_goals" not in g for i in data["institutions"] for g in i["goals"])


@contextmanager
def _counting(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def _count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", _count)
    try:
        yield statements
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", _count)


async def test_no_query_per_institution_or_local_goal(sqlite_db: Database) -> None:
    await seed(sqlite_db)
    with _counting(sqlite_db) as small:
        await build_export(sqlite_db, now=NOW)
    async with sqlite_db.transaction() as s:  # more institutions, local goals and follow-ups
        north = await s.scalar(select(Area))
        ids = dict((await s.execute(select(Strategy.key, Strategy.id))).all())
        for n in range(5):
            inst = Institution(name=f"Ekstra {n}", name_key=f"ekstra {n}", kind="skole", area=north)
            s.add(inst)
            await s.flush()
            lg = _local_goal(1, 1, f"Mål {n}", ["x"], "y")
            s.add(Registration(institution_id=inst.id, strategy_id=ids["almen-2028"], status="draft", local_goals=[lg]))
            last = _local_goal(1, 1, f"Gammelt mål {n}", ["x"], "y")
            s.add(Registration(institution_id=inst.id, strategy_id=ids["almen"], status="draft", local_goals=[last]))
            await s.flush()
            s.add(FollowUp(local_goal_id=lg.id, measurement_date=date(2029, 3, 1), asked_at=ASKED))
    with _counting(sqlite_db) as large:
        data = await build_export(sqlite_db, now=NOW)
    assert len(data["institutions"]) == 7
    assert sum(len(lg["follow_ups"]) for i in data["institutions"] for g in i["goals"] for lg in g["local_goals"]) == 8
    assert len(large) == len(small), large


async def test_csv_has_a_follow_up_column(sqlite_db: Database, tmp_path: Path) -> None:
    await seed(sqlite_db)
    out = tmp_path / "export.csv"
    write_export(await build_export(sqlite_db, now=NOW), "csv", out)
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=CSV_DELIMITER))
    assert list(rows[0])[-1] == "Opfølgning"
    assert rows[0][DA["local_goal"]] == "Alle børn har en fast voksen"
    assert rows[0]["Opfølgning"] == (
        "2029-03-01: på sporet – Trivslen steg fra 3,9 til 4,2 (Anna Ærbødig) | 2029-10-01: ikke besvaret endnu"
    )
    assert rows[1]["Opfølgning"] == "2029-03-01: ikke besvaret endnu"
    assert rows[2]["Opfølgning"] == ""  # Åskolen


async def test_xlsx_has_follow_ups_and_last_period_beside_this_one(sqlite_db: Database, tmp_path: Path) -> None:
    await seed(sqlite_db)
    out = tmp_path / "export.xlsx"
    write_export(await build_export(sqlite_db, now=NOW), "xlsx", out)
    goal1 = load_workbook(out)["Fælles mål 1"]
    header = [c.value for c in goal1[2]]
    assert header[-2:] == ["Opfølgning", "Sidste periode"]
    assert goal1.auto_filter.ref == "A2:J4"
    row = {h: c.value for h, c in zip(header, goal1[3], strict=True)}
    assert row["Lokalt mål"] == "Alle børn har en fast voksen"
    assert row["Opfølgning"] == (
        "2029-03-01: på sporet – Trivslen steg fra 3,9 til 4,2 (Anna Ærbødig)\n2029-10-01: ikke besvaret endnu"
    )
    assert row["Sidste periode"] == (
        "Alle har en ven\nIndsatser: Legepatruljer, Venskabsbænk\nMåling: Trivselsmåling – marts og oktober\n"
        "Flere ture ud"
    )
    assert goal1["J3"].alignment.wrap_text
    assert (goal1["B4"].value, goal1["J4"].value) == ("Åskolen", None)


async def test_xlsx_without_a_previous_period_has_no_last_period_column(sqlite_db: Database, tmp_path: Path) -> None:
    await seed(sqlite_db, previous=None)
    out = tmp_path / "export.xlsx"
    write_export(await build_export(sqlite_db, now=NOW), "xlsx", out)
    header = [c.value for c in load_workbook(out)["Fælles mål 1"][2]]
    assert header[-1] == "Opfølgning" and "Sidste periode" not in header


async def test_markdown_has_a_line_per_follow_up_and_last_period(sqlite_db: Database, tmp_path: Path) -> None:
    await seed(sqlite_db)
    out = tmp_path / "export.md"
    write_export(await build_export(sqlite_db, now=NOW), "md", out)
    md = out.read_text(encoding="utf-8")
    assert (
        "Måling: Trivselsmåling – marts og oktober (2029-03-01)\n\n"
        "Opfølgning:\n\n"
        "- 2029-03-01: på sporet – Trivslen steg fra 3,9 til 4,2 (Anna Ærbødig)\n"
        "- 2029-10-01: ikke besvaret endnu\n"
    ) in md
    assert (
        "Sidste periode:\n\n"
        "- Alle har en ven\n"
        "  - Indsatser: Legepatruljer, Venskabsbænk\n"
        "  - Måling: Trivselsmåling – marts og oktober\n"
        "- Flere ture ud\n"
    ) in md
    assert md.count("Sidste periode:") == 4  # every goal of both institutions


async def test_markdown_without_a_previous_period(sqlite_db: Database, tmp_path: Path) -> None:
    await seed(sqlite_db, previous=None)
    out = tmp_path / "export.md"
    write_export(await build_export(sqlite_db, now=NOW), "md", out)
    md = out.read_text(encoding="utf-8")
    assert "Sidste periode" not in md and "- 2029-10-01: ikke besvaret endnu" in md


async def test_docx_shows_follow_ups_and_last_period(sqlite_db: Database, tmp_path: Path) -> None:
    await seed(sqlite_db)
    out = tmp_path / "export.docx"
    write_export(await build_export(sqlite_db, now=NOW), "docx", out)
    texts = [p.text for p in Document(str(out)).paragraphs]
    assert "Opfølgning: 1. marts 2029 – på sporet – Trivslen steg fra 3,9 til 4,2 (Anna Ærbødig)" in texts
    assert "Opfølgning: 1. oktober 2029 – ikke besvaret endnu" in texts
    assert "Sidste periode:" in texts
    assert (
        "Alle har en ven · Indsatser: Legepatruljer, Venskabsbænk · Måling: Trivselsmåling – marts og oktober" in texts
    )


async def test_a_new_period_made_from_the_strategy_file_has_last_periods_local_goals(
    sqlite_db: Database, tmp_path: Path
) -> None:
    """As in tests/dialogs/test_year_on_year.py: almen.yaml, then a copy with `previous: almen`."""
    text = DEFAULT_STRATEGY_FILE.read_text(encoding="utf-8")
    text = text.replace("key: almen\n", "key: almen-2028\nprevious: almen\n", 1)
    path = tmp_path / "almen-2028.yaml"
    text = text.replace("start: 2023-12-01", "start: 2028-01-01").replace("end: 2027-12-31", "end: 2031-12-31")
    path.write_text(text, encoding="utf-8")
    async with sqlite_db.transaction() as s:
        north = Area(name="Område Nord", name_key="område nord")
        solsikken = Institution(name="Solsikken", name_key="solsikken", kind="dagtilbud", area=north)
        s.add_all([north, solsikken])
        await s.flush()
        old, _ = await save_strategy(s, load_strategy_file(DEFAULT_STRATEGY_FILE).model_dump(mode="json"))
        reg = await ensure_registration(s, solsikken.id, old.id)
        await s.flush()
        writer = DraftWriter(s, reg, kinds_of(strategy_of(old)), None)
        await writer.add_local_goal(3, "Børnemøder hver uge")
        await writer.set_answer(3, 1, "interventions", ["Børneråd"])
    async with sqlite_db.transaction() as s:
        await save_strategy(s, load_strategy_file(path).model_dump(mode="json"))

    data = await build_export(sqlite_db)
    assert data["strategy"]["key"] == "almen-2028"
    previous = {g["number"]: g["previous_local_goals"] for g in data["institutions"][0]["goals"]}
    assert previous == {
        1: [],
        2: [],
        3: [{"text": "Børnemøder hver uge", "interventions": ["Børneråd"], "measurement": None}],
        4: [],
    }
    old_data = await build_export(sqlite_db, "almen")  # almen.yaml names no previous period
    assert all("previous_local_goals" not in g for g in old_data["institutions"][0]["goals"])
