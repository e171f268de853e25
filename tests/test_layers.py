"""The layers hold: bot → reports → dialogs → storage. Read from the source (AST), so a moved import shows."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PLATFORM_SDKS = ("slack_bolt", "slack_sdk", "microsoft_agents", "aiohttp.web", "aiohttp")
SQL_BUILDERS = {"select", "insert", "update", "delete"}


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) for every import in the file, including those under TYPE_CHECKING or in functions."""
    out: list[tuple[str, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.extend((alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.append((node.module, [alias.name for alias in node.names]))
    return out


def _sources(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _under(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


@pytest.mark.parametrize("package", ["dialogs", "storage"])
def test_dialogs_and_storage_import_no_platform_sdk_and_nothing_above_them(package: str) -> None:
    above = ("bot", "reports") if package == "dialogs" else ("bot", "reports", "dialogs")
    wrong = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in _sources(package)
        for module, _ in _imports(path)
        if _under(module, PLATFORM_SDKS) or _under(module, above)
    ]
    assert wrong == []


def test_reports_import_no_platform_sdk_and_not_the_bot() -> None:
    wrong = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in _sources("reports")
        for module, _ in _imports(path)
        if _under(module, PLATFORM_SDKS) or _under(module, ("bot",))
    ]
    assert wrong == []


@pytest.mark.parametrize("package", ["bot", "dialogs", "reports"])
def test_sql_is_written_only_in_storage(package: str) -> None:
    """Queries are repository functions in storage/: no select/insert/update/delete built elsewhere."""
    wrong = [
        f"{path.relative_to(ROOT)}: {sorted(SQL_BUILDERS & set(names))}"
        for path in _sources(package)
        for module, names in _imports(path)
        if _under(module, ("sqlalchemy",)) and SQL_BUILDERS & set(names)
    ]
    assert wrong == []


def test_the_check_sees_an_sql_import(tmp_path: Path) -> None:
    """The AST reading finds a `from sqlalchemy import select` in a function (so the tests above could fail)."""
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from sqlalchemy import func, select\n", encoding="utf-8")
    assert ("sqlalchemy", ["func", "select"]) in _imports(probe)
