"""`maalbot --help` and the light commands start without importing the heavy libraries: each command
imports what it needs when it runs (bot/cli.py). Checked in a fresh interpreter, by the modules it holds."""

from __future__ import annotations

import json
import subprocess
import sys

from bot.cli import DEFAULT_STRATEGY_FILE
from dialogs.strategy import DEFAULT_STRATEGY_FILE as STRATEGY_MODULE_DEFAULT

HEAVY = (
    "sqlalchemy",
    "alembic",
    "pydantic",
    "aiohttp",
    "slack_bolt",
    "slack_sdk",
    "microsoft_agents",
    "openpyxl",
    "docx",
    "xlsxwriter",
    "jinja2",
    "babel",
    "storage.models",
    "dialogs.service",
)


def _loaded_after(code: str) -> set[str]:
    probe = f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(json.loads(done.stdout.splitlines()[-1]))


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY or m in HEAVY)


def test_the_whole_parser_is_built_without_the_heavy_libraries() -> None:
    loaded = _loaded_after(
        "from bot.cli import build_parser\n"
        "parser = build_parser()\n"
        "for argv in (['export', '--format', 'xlsx', '--out', 'x'], ['registration', 'approve', 'A', '--by', 'a@b'],\n"
        "             ['remind', '--now', '--dry-run'], ['invite', '--all-missing'], ['serve', '--dev']):\n"
        "    parser.parse_args(argv)"
    )
    assert "bot.cli_admin" in loaded and "bot.webchat.invite" in loaded  # their parsers were added
    assert _heavy(loaded) == []


def test_python_m_bot_help_lists_every_command() -> None:
    done = subprocess.run([sys.executable, "-m", "bot", "--help"], capture_output=True, text=True, check=True)
    for command in ("export", "org", "serve", "remind", "registration", "invite", "manifest"):
        assert command in done.stdout


def test_a_command_without_a_database_needs_no_sqlalchemy() -> None:
    loaded = _loaded_after(
        f"from bot.cli import main\nassert main(['strategy', 'validate', {str(STRATEGY_MODULE_DEFAULT)!r}]) == 0"
    )
    assert "pydantic" in loaded  # the strategy file is validated by its models
    assert [m for m in _heavy(loaded) if not m.startswith(("pydantic", "yaml"))] == []


def test_the_default_strategy_file_is_the_strategy_modules() -> None:
    assert DEFAULT_STRATEGY_FILE == STRATEGY_MODULE_DEFAULT and DEFAULT_STRATEGY_FILE.is_file()
