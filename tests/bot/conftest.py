"""Helpers for the bot tests: run the `maalbot` command line.

- `run_maalbot(home, *args, input=..., env=...)`: `bot.cli.main(ARGS)` in this process (a new Python
  process per command cost ~2 s of CPU each, most of the CLI tests' time), with cwd=home,
  MAALBOT_DATA_DIR=home, no DATABASE_URL, MAALBOT_*, SLACK_* or MICROSOFT_APP_* from the outer
  environment, `input` as stdin, stdout/stderr captured and the root logger set up afresh, as in a new
  process; argparse's SystemExit and an escaping exception (traceback on stderr, exit 1) become the
  exit code, as a process would show them.
- `run_maalbot_process(...)`: the same through the real console script in a subprocess, for the few
  smoke tests that prove the process itself (entry point, exit code, streams).
- `migrated_home`, `demo_home`: a data directory with a copy of a maalbot.db that is migrated (and
  holds the demo), made once per session: copying a file is much cheaper than running the commands.
- `rows(home, sql)`: query maalbot.db in `home` with the sqlite3 module.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
import traceback
from collections.abc import Iterator
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


_LOGGERS = ("", "alembic", "aiosqlite")  # the loggers `bot.cli.main` configures


@contextlib.contextmanager
def _as_a_new_process(home: Path, env: dict[str, str], stdin: io.StringIO) -> Iterator[tuple[io.StringIO, io.StringIO]]:
    """Environment, working directory, standard streams and logging as `python -m bot.cli` would have
    them; everything is put back afterwards."""
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    saved_streams = sys.stdin, sys.stdout, sys.stderr
    root = logging.getLogger()
    saved_handlers = root.handlers[:]
    saved_levels = [logging.getLogger(name).level for name in _LOGGERS]
    out, err = io.StringIO(), io.StringIO()
    try:
        os.environ.clear()
        os.environ.update(env)
        os.chdir(home)
        sys.stdin, sys.stdout, sys.stderr = stdin, out, err
        root.handlers = []  # so that `logging.basicConfig` in `configure_logging` writes to `err`
        yield out, err
    finally:
        for handler in root.handlers:
            handler.close()
        root.handlers = saved_handlers
        for name, level in zip(_LOGGERS, saved_levels, strict=True):
            logging.getLogger(name).setLevel(level)
        sys.stdin, sys.stdout, sys.stderr = saved_streams
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)


def run_maalbot(
    home: Path, *args: str, input: str = "", env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """`maalbot ARGS` run in this process (see the module's docstring); `timeout` is not enforced here."""
    from bot.cli import main

    argv = list(args)
    with _as_a_new_process(home, maalbot_env(home, **(env or {})), io.StringIO(input)) as (out, err):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse: --help, a bad argument
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            if isinstance(exc.code, str):
                print(exc.code, file=sys.stderr)
        except Exception:
            traceback.print_exc()  # what the interpreter prints for an uncaught exception
            code = 1
    return subprocess.CompletedProcess(["maalbot", *argv], code, out.getvalue(), err.getvalue())


def run_maalbot_process(
    home: Path, *args: str, input: str = "", env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """`python -m bot.cli ARGS` in a subprocess: the real process, for smoke tests."""
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
