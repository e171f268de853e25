"""The `maalbot` command line against a SQLite file in a temporary directory: `bot.cli.main` run in-process
(tests/bot/conftest.py `run_maalbot`), and the real console script in a subprocess for the smoke tests."""

from __future__ import annotations

import csv
import json
import re
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from docx import Document

from bot.cli import DatabaseNotReady, _check_database
from bot.settings import Settings
from storage.db import Database
from storage.migrate import upgrade
from tests.bot.conftest import DEMO_CHAIR, STRATEGIES, count, ok, rows, run_maalbot, run_maalbot_process

GOOD_YAML = """\
municipality: Testkommune
admins:
  - {name: Anne Admin, email: admin@test.dk}
areas:
  - name: Område Nord
    leaders: [{name: Mette Nørgaard, email: mette@test.dk}]
    institutions:
      - name: Solsikken
        kind: dagtilbud
        board:
          - {name: Søren Østergaard, email: soeren@test.dk, role: chair}
          - {name: Åse Bæk, email: aase@test.dk}
"""

GOOD_CSV = """\
area;institution;kind;name;email;role
Område Syd;Ærøvej Skole;skole;Jens Præstegaard;jens@test.dk;formand
Område Syd;Ærøvej Skole;skole;Maja Skov;maja@test.dk;medlem
"""

BROKEN_CSV = """\
area,institution,kind,name,email,role
Område Syd,Ærøvej Skole,skole,Jens Præstegaard,jens@test.dk,chair
Område Syd,Ærøvej Skole,skole,Maja Skov,maja-at-test.dk,member
Område Syd,Ærøvej Skole,skole,Nikolaj Brandt,nikolaj@test.dk,boss
"""

BROKEN_STRATEGY = """\
key: broken
title: Et ufærdigt udkast
goals: []
"""

# The chair of Solsikken answers goal 1 completely and moves on to goal 2. The command line has no clock to
# inject, so the measurement month is next year's March (a past date would be questioned: dialogs/dates.py).
NEXT_YEAR = date.today().year + 1
REGISTRATION = [
    "Ærlige samtaler om trivsel",  # local goal
    "Legegrupper på tværs",  # an intervention
    "Færdig",  # a choice typed as its label
    "Trivselsmåling blandt børnene",  # how it is measured
    f"marts {NEXT_YEAR}",  # when
    "Ja",  # the date was understood right
    "Nej, videre til fælles mål 2",
]


def test_help_in_a_real_process_lists_the_commands() -> None:
    result = run_maalbot_process(Path.cwd(), "--help")
    out = ok(result)
    assert out.startswith("usage: maalbot")
    assert all(command in out for command in ("db", "strategy", "org", "chat", "serve", "export"))
    assert result.stderr == ""


def test_db_upgrade_creates_the_database_in_the_data_dir_and_can_run_twice(tmp_path: Path) -> None:
    assert "up to date" in ok(run_maalbot_process(tmp_path, "db", "upgrade"))  # the real process, once
    assert (tmp_path / "maalbot.db").is_file()
    ok(run_maalbot(tmp_path, "db", "upgrade"))
    tables = {name for (name,) in rows(tmp_path, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"alembic_version", "people", "institutions", "strategies", "registrations"} <= tables


@pytest.mark.parametrize("command", [["demo"], ["serve", "--dev"]])
def test_commands_before_db_upgrade_say_what_to_do(tmp_path: Path, command: list[str]) -> None:
    result = run_maalbot(tmp_path, *command)
    assert result.returncode == 1
    assert "maalbot db upgrade" in result.stderr
    assert "Traceback" not in result.stderr


def test_strategy_validate_names_the_key_without_touching_the_database(tmp_path: Path) -> None:
    out = ok(run_maalbot(tmp_path, "strategy", "validate", str(STRATEGIES / "almen.yaml")))
    assert "'almen'" in out
    assert "4 goals" in out
    assert not (tmp_path / "maalbot.db").exists()


def test_strategy_validate_reports_a_broken_file_without_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text(BROKEN_STRATEGY, encoding="utf-8")
    result = run_maalbot(tmp_path, "strategy", "validate", "broken.yaml")
    assert result.returncode == 1
    assert result.stdout == ""
    assert "broken.yaml" in result.stderr
    assert "goals" in result.stderr and "period" in result.stderr and "questions" in result.stderr
    assert "Traceback" not in result.stderr


def test_strategy_load_makes_the_strategy_active(migrated_home: Path) -> None:
    home = migrated_home
    out = ok(run_maalbot(home, "strategy", "load", str(STRATEGIES / "almen.yaml")))
    assert "'almen' loaded" in out
    out = ok(run_maalbot(home, "strategy", "load", str(STRATEGIES / "klynge-vision.yaml")))
    assert "'klynge-vision' loaded" in out
    listing = ok(run_maalbot(home, "strategy", "list")).splitlines()
    assert listing[0].startswith("klynge-vision\t") and listing[0].endswith("(active)")
    assert listing[1].startswith("almen\t") and "(active)" not in listing[1]


def test_org_import_yaml_and_csv_then_reimport_changes_nothing(migrated_home: Path) -> None:
    home = migrated_home
    (home / "org.yaml").write_text(GOOD_YAML, encoding="utf-8")
    (home / "org.csv").write_text(GOOD_CSV, encoding="utf-8-sig")  # as Excel saves "CSV UTF-8"
    assert "people 4 new" in ok(run_maalbot(home, "org", "import", "org.yaml"))
    assert "people 2 new" in ok(run_maalbot(home, "org", "import", "org.csv"))
    assert "(nothing changed)" in ok(run_maalbot(home, "org", "import", "org.yaml"))
    assert count(home, "people") == 6
    assert sorted(name for (name,) in rows(home, "SELECT name FROM institutions")) == ["Solsikken", "Ærøvej Skole"]


def test_org_import_of_a_broken_csv_names_the_lines_and_imports_nothing(migrated_home: Path) -> None:
    (migrated_home / "org.csv").write_text(BROKEN_CSV, encoding="utf-8")
    result = run_maalbot(migrated_home, "org", "import", "org.csv")
    assert result.returncode == 1
    assert "line 3: invalid email 'maja-at-test.dk'" in result.stderr
    assert "line 4: unknown role 'boss'" in result.stderr
    assert "Traceback" not in result.stderr
    assert count(migrated_home, "people") == 0
    assert count(migrated_home, "institutions") == 0

    result = run_maalbot(migrated_home, "org", "import", "nope.csv")
    assert result.returncode == 1
    assert result.stderr.strip() == "maalbot: nope.csv: file not found"


def test_demo_is_idempotent_and_if_empty_leaves_a_filled_database_alone(demo_home: Path) -> None:
    people, institutions = count(demo_home, "people"), count(demo_home, "institutions")
    assert people > 20 and institutions == 6
    assert "(nothing changed)" in ok(run_maalbot(demo_home, "demo"))
    out = ok(run_maalbot(demo_home, "demo", "--if-empty"))
    assert "already has data" in out
    assert (count(demo_home, "people"), count(demo_home, "institutions")) == (people, institutions)
    assert count(demo_home, "strategies") == 1


def test_export_in_every_format_after_a_registration(demo_home: Path) -> None:
    ok(run_maalbot(demo_home, "chat", "--user", DEMO_CHAIR, input="\n".join(REGISTRATION) + "\n"))
    out_dir = demo_home / "out"  # does not exist yet: export creates it
    for fmt in ("json", "csv", "xlsx", "md"):
        assert "Exported 6 institutions" in ok(
            run_maalbot(demo_home, "export", "--format", fmt, "--out", str(out_dir / f"export.{fmt}"))
        )

    data = json.loads((out_dir / "export.json").read_text(encoding="utf-8"))
    assert {"strategy", "institutions"} <= data.keys()
    assert data["strategy"]["key"] == "almen-demo"  # the demo's copy of the default strategy
    solsikken = next(i for i in data["institutions"] if i["name"] == "Solsikken")
    local_goal = solsikken["goals"][0]["local_goals"][0]
    assert local_goal["text"] == "Ærlige samtaler om trivsel"
    assert local_goal["interventions"] == ["Legegrupper på tværs"]
    assert local_goal["measurement"]["dates"] == [f"{NEXT_YEAR}-03-01"]

    with (out_dir / "export.csv").open(encoding="utf-8-sig", newline="") as f:
        table = list(csv.DictReader(f, delimiter=";"))
    assert "Lokalt mål" in table[0]
    [row] = [r for r in table if r["Lokalt mål"]]
    assert (row["Institution"], row["Lokalt mål"]) == ("Solsikken", "Ærlige samtaler om trivsel")
    assert row["Indsatser"] == "Legegrupper på tværs"
    assert {r["Institution"] for r in table} >= {"Ærøvej Skole", "Børnehuset Åbrinken"}

    workbook = openpyxl.load_workbook(out_dir / "export.xlsx", read_only=True)
    try:
        assert workbook.sheetnames == [
            "Oversigt",
            "Institutioner",
            "Fælles mål 1",
            "Fælles mål 2",
            "Fælles mål 3",
            "Fælles mål 4",
        ]
        goal_1 = [[cell for cell in r] for r in workbook["Fælles mål 1"].iter_rows(values_only=True)]
    finally:
        workbook.close()
    assert ["Område Nord", "Solsikken", "I gang", "Ærlige samtaler om trivsel"] in [r[:4] for r in goal_1]

    markdown = (out_dir / "export.md").read_text(encoding="utf-8")
    assert markdown.startswith("# Styrkelse af almenområdet\n")
    assert "Ærlige samtaler om trivsel" in markdown

    result = run_maalbot(demo_home, "export", "--format", "json", "--out", "nope.json", "--strategy", "nope")
    assert result.returncode == 1
    assert result.stderr.strip() == "maalbot: unknown strategy 'nope' (known strategies: almen-demo)"
    assert not (demo_home / "nope.json").exists()


def test_the_committee_document_from_the_command_line(demo_home: Path) -> None:
    ok(run_maalbot(demo_home, "chat", "--user", DEMO_CHAIR, input="\n".join(REGISTRATION) + "\n"))  # a draft
    env = {"MAALBOT_MUNICIPALITY": "Demo Kommune"}
    ok(run_maalbot(demo_home, "export", "--format", "docx", "--out", "udvalget.docx", env=env))
    doc = Document(str(demo_home / "udvalget.docx"))
    texts = [p.text for p in doc.paragraphs]
    assert texts[:2] == ["Bestyrelsernes lokale mål", "Demo Kommune"]
    assert "Ærlige samtaler om trivsel" not in "\n".join(texts)  # Solsikken's draft is left out by default
    ok(run_maalbot(demo_home, "export", "--format", "docx", "--include-drafts", "--out", "alt.docx", env=env))
    assert "Lokalt mål 1: Ærlige samtaler om trivsel" in [
        p.text for p in Document(str(demo_home / "alt.docx")).paragraphs
    ]
    ok(run_maalbot(demo_home, "export", "--format", "html", "--lang", "en", "--out", "udvalget.html", env=env))
    html = (demo_home / "udvalget.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "<h1>The boards&#39; local goals</h1>" in html and "Demo Kommune" in html
    assert "Strengthening mainstream daycare and schools" in html  # the strategy file's English title


def _last_reply(output: str) -> list[str]:
    """The lines of the last reply of a chat transcript (replies are separated by one blank line)."""
    return [block for block in output.split("\n\n") if block.strip()][-1].splitlines()


def _choices(lines: list[str]) -> list[str]:
    """The labels of the `N) label` lines, checked to be numbered 1, 2, ... each on its own line."""
    numbered = [re.fullmatch(r"(\d+)\) (\S.*)", line) for line in lines]
    found = [m for m in numbered if m]
    assert [int(m[1]) for m in found] == list(range(1, len(found) + 1)), lines
    return [m[2] for m in found]


def test_chat_through_stdin_shows_numbered_choices_and_resumes_after_a_restart(demo_home: Path) -> None:
    first = ok(run_maalbot(demo_home, "chat", "--user", DEMO_CHAIR, input="Ærlige samtaler om trivsel\nLegegrupper\n"))
    assert first.startswith("Hej Søren Østergaard!")
    assert "== Fælles mål 1 af 4: Alle børn og unge bringes hver dag i en privilegeret position ==" in first
    assert "Om «Ærlige samtaler om trivsel»:" in first
    assert "> " not in first  # no prompt when stdin is not a terminal
    last = _last_reply(first)
    assert "• Legegrupper" in last
    assert _choices(last)[0] == "Færdig"

    second = ok(run_maalbot(demo_home, "chat", "--user", DEMO_CHAIR))  # end of input at once
    last = _last_reply(second)
    assert "Om «Ærlige samtaler om trivsel»:" in last
    assert "Beskrivelse af indsatser: hvad gør I for at nå det lokale mål?" in last  # the same question
    assert "• Legegrupper" in last
    assert _choices(last)[0] == "Færdig"

    third = ok(run_maalbot(demo_home, "chat", "--user", DEMO_CHAIR, input=f"1\nTrivselsmåling\nmarts {NEXT_YEAR}\n"))
    last = _last_reply(third)
    assert f"1. marts {NEXT_YEAR}" in last[0]
    assert _choices(last)[:2] == ["Ja", "Nej, behold vores formulering"]
    assert last[-1].startswith(f"{len(_choices(last))}) ")  # the choices come last


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        (None, "Hej! Jeg kan ikke finde dig i de bestyrelser, jeg kender"),
        ("en", "Hello! I cannot find you among the boards I know"),
    ],
)
def test_chat_with_an_unknown_email_is_polite_and_exits_1(demo_home: Path, locale: str | None, expected: str) -> None:
    env = {"MAALBOT_LOCALE": locale} if locale else {}
    result = run_maalbot(demo_home, "chat", "--user", "ukendt@example.dk", env=env, input="hej\n")
    assert result.returncode == 1
    assert result.stdout.startswith(expected)
    assert "forvaltningen" in result.stdout
    assert "Traceback" not in result.stderr


def test_chat_in_english(demo_home: Path) -> None:
    out = ok(run_maalbot(demo_home, "chat", "--user", DEMO_CHAIR, env={"MAALBOT_LOCALE": "en"}))
    assert out.startswith("Hello Søren Østergaard!")
    assert "Which local goals are needed to reach goal 1?" in out


# --- bad settings stop every command -------------------------------------------------------------


@pytest.mark.parametrize(
    ("variable", "value", "command"),
    [
        ("MAALBOT_TIMEZONE", "Mars/Olympus", ["db", "upgrade"]),
        ("MAALBOT_LOCALE", "fr", ["chat", "--user", DEMO_CHAIR]),
        ("DATABASE_URL", "mysql://x", ["strategy", "list"]),
        ("DATABASE_URL", "sqlite:///:memory:", ["demo"]),
        ("MAALBOT_PORT", "99999", ["serve", "--dev"]),
    ],
)
def test_a_bad_setting_stops_the_command_with_one_line(
    tmp_path: Path, variable: str, value: str, command: list[str]
) -> None:
    result = run_maalbot(tmp_path, *command, env={variable: value})
    assert result.returncode == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith(f"maalbot: bad setting: {variable}: ")
    assert not (tmp_path / "maalbot.db").exists()


@pytest.mark.parametrize(
    "url",
    [
        "mysql://maalbot:Hemmelig-42@db.example.dk/maal",  # unsupported database
        "postgresql//maalbot:Hemmelig-42@db.example.dk/maal",  # malformed (no colon after the scheme)
        "postgresql://maalbot:Hemmelig-42@127.0.0.1:1/maal",  # nothing listens there
    ],
)
def test_a_database_url_password_is_never_shown(tmp_path: Path, url: str) -> None:
    result = run_maalbot(tmp_path, "db", "upgrade", env={"DATABASE_URL": url})
    assert result.returncode in (1, 2)
    assert "Hemmelig-42" not in result.stdout + result.stderr
    [line] = result.stderr.splitlines()
    assert "Traceback" not in line


# --- the database check every command but `db upgrade` makes first (in-process) --------------------


async def test_an_old_schema_asks_for_db_upgrade(empty_sqlite_db: Database, tmp_path: Path) -> None:
    settings = Settings(MAALBOT_DATA_DIR=tmp_path)
    with pytest.raises(DatabaseNotReady, match=r"no tables yet: run `maalbot db upgrade` first"):
        await _check_database(settings, empty_sqlite_db, needs_schema=True)
    await upgrade(empty_sqlite_db, "0001")
    with pytest.raises(DatabaseNotReady, match=r"schema \(0001\) is not the one .* run `maalbot db upgrade` first"):
        await _check_database(settings, empty_sqlite_db, needs_schema=True)
    await _check_database(settings, empty_sqlite_db, needs_schema=False)  # what `db upgrade` checks
    await upgrade(empty_sqlite_db)
    await _check_database(settings, empty_sqlite_db, needs_schema=True)
