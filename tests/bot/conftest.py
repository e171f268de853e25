"""Helpers for the bot tests: run the real `maalbot` console script in a subprocess.

- `run_maalbot(home, *args, input=..., env=...)`: `python -m bot.cli ARGS` with cwd=home,
  MAALBOT_DATA_DIR=home, and no DATABASE_URL, MAALBOT_*, SLACK_* or MICROSOFT_APP_* from the outer
  environment.
- `migrated_home`, `demo_home`: a data directory with a copy of a maalbot.db that is migrated (and
  holds the demo), made once per session: copying a file is much cheaper than running the commands.
- `rows(home, sql)`: query maalbot.db in `home` with the sqlite3 module.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
STRATEGIES = REPO / "dialogs" / "strategies"
DB_FILE = "maalbot.db"
DEMO_CHAIR = "soeren.oestergaard@demo.maalbot.dk"
_OUTER_SETTINGS = ("MAALBOT_", "DATABASE_URL", "SLACK_", "MICROSOFT_APP_")  # never from the outer environment


def maalbot_env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(_OUTER_SETTINGS)}
    env |= {"MAALBOT_DATA_DIR": str(home), "PYTHONIOENCODING": "utf-8"}
    return env | extra


def run_maalbot(
    home: Path, *args: str, input: str = "", env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=home,
        env=maalbot_env(home, **(env or {})),
        input=input,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    """The stdout of a run that must have succeeded (else the assertion shows both streams)."""
    assert result.returncode == 0, f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    return result.stdout


def rows(home: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(home / DB_FILE)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def count(home: Path, table: str) -> int:
    value: int = rows(home, f"SELECT count(*) FROM {table}")[0][0]
    return value


def _copy_db(source: Path, target: Path) -> Path:
    for file in source.glob(f"{DB_FILE}*"):  # with any -wal/-shm file left behind
        shutil.copy2(file, target / file.name)
    return target


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("migrated-template")
    ok(run_maalbot(home, "db", "upgrade"))
    return home


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory, migrated_template: Path) -> Path:
    home = _copy_db(migrated_template, tmp_path_factory.mktemp("demo-template"))
    ok(run_maalbot(home, "demo"))
    return home


@pytest.fixture
def migrated_home(tmp_path: Path, migrated_template: Path) -> Path:
    """A data directory whose maalbot.db is migrated and empty."""
    return _copy_db(migrated_template, tmp_path)


@pytest.fixture
def demo_home(tmp_path: Path, demo_template: Path) -> Path:
    """A data directory whose maalbot.db holds the default strategy and the demo municipality."""
    return _copy_db(demo_template, tmp_path)
