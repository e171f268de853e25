"""The data protection commands as an operator runs them: a real `maalbot` subprocess on SQLite.
(Their behaviour on both backends is tested in tests/privacy/.)"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.bot.conftest import count, ok, rows, run_maalbot

FATIMA = "fatima.ali@demo.maalbot.dk"


def test_db_backup_copies_the_database_in_use_and_refuses_to_overwrite(demo_home: Path, tmp_path: Path) -> None:
    people = count(demo_home, "people")
    out = ok(run_maalbot(demo_home, "db", "backup", str(tmp_path / "copy.db")))
    assert "Backup written to" in out
    conn = sqlite3.connect(tmp_path / "copy.db")
    try:
        assert conn.execute("SELECT count(*) FROM people").fetchone()[0] == people > 0
    finally:
        conn.close()
    again = run_maalbot(demo_home, "db", "backup", str(tmp_path / "copy.db"))
    assert again.returncode == 1 and "already exists" in again.stderr


def test_person_export_erase_and_the_question_before(demo_home: Path, tmp_path: Path) -> None:
    data = json.loads(ok(run_maalbot(demo_home, "person", "export", FATIMA)))
    assert data["person"]["name"] == "Fatima Ali"
    ok(run_maalbot(demo_home, "person", "export", FATIMA, "--format", "md", "--out", str(tmp_path / "f.md")))
    assert (tmp_path / "f.md").read_text(encoding="utf-8").startswith("# Data about Fatima Ali")

    refused = run_maalbot(demo_home, "person", "erase", FATIMA, input="nej\n")
    assert refused.returncode == 1 and "Nothing was changed." in refused.stdout
    assert rows(demo_home, "SELECT count(*) FROM people WHERE email = ?", FATIMA)[0][0] == 1
    assert "has been erased" in ok(run_maalbot(demo_home, "person", "erase", FATIMA, input="ja\n"))
    assert rows(demo_home, "SELECT count(*) FROM people WHERE email = ?", FATIMA)[0][0] == 0
    unknown = run_maalbot(demo_home, "person", "remove", FATIMA, "--yes")
    assert unknown.returncode == 1 and "nobody with the email" in unknown.stderr


def test_org_import_sync_shows_the_difference_and_asks(demo_home: Path, tmp_path: Path) -> None:
    demo = (Path(__file__).resolve().parents[2] / "bot" / "data" / "demo_org.yaml").read_text(encoding="utf-8")
    smaller = tmp_path / "org.yaml"
    smaller.write_text(demo.replace(f"          - {{name: Fatima Ali, email: {FATIMA}}}\n", ""), encoding="utf-8")
    asked = run_maalbot(demo_home, "org", "import", str(smaller), "--sync", input="\n")
    assert asked.returncode == 1
    assert f"- person Fatima Ali <{FATIMA}> (and all their roles)" in asked.stdout
    assert "Nothing was changed." in asked.stdout
    out = ok(run_maalbot(demo_home, "org", "import", str(smaller), "--sync", "--yes"))
    assert "Removed 0 roles and 1 people." in out
    assert rows(demo_home, "SELECT count(*) FROM people WHERE email = ?", FATIMA)[0][0] == 0
    assert "nothing will be removed" in ok(run_maalbot(demo_home, "org", "import", str(smaller), "--sync"))


def test_purge_dry_run_and_audit(demo_home: Path) -> None:
    out = ok(run_maalbot(demo_home, "purge", "--dry-run"))
    assert "processed events: would delete 0" in out
    assert "sent messages: deleted" in ok(run_maalbot(demo_home, "purge", env={"MAALBOT_KEEP_MESSAGES_DAYS": "1"}))
    bad = run_maalbot(demo_home, "purge", env={"MAALBOT_KEEP_PERIODS_YEARS": "0"})
    assert bad.returncode == 2 and "MAALBOT_KEEP_PERIODS_YEARS" in bad.stderr
    assert "Audit log of Solsikken" in ok(run_maalbot(demo_home, "audit", "solsikken"))
