"""Data files (strategies, meeting templates) report every problem with the field and its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogs.strategy import DEFAULT_STRATEGY_FILE, StrategyFileError, load_strategy_file


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_a_strategy_error_names_the_field_and_its_line(tmp_path: Path) -> None:
    text = DEFAULT_STRATEGY_FILE.read_text(encoding="utf-8")
    text = text.replace("key: almen\n", "key: almen\nrespondent: parents\n", 1)
    broken = tmp_path / "broken.yaml"
    broken.write_text(text, encoding="utf-8")
    with pytest.raises(StrategyFileError) as caught:
        load_strategy_file(broken)
    message = str(caught.value)
    assert f"{broken}: respondent: " in message
    assert "'board' or 'leadership'" in message
    assert message.endswith(f"(line {_line_of(text, 'respondent: parents')})")


def test_a_missing_field_gets_the_line_of_its_parent(tmp_path: Path) -> None:
    text = DEFAULT_STRATEGY_FILE.read_text(encoding="utf-8")
    first_goal_title = next(line for line in text.splitlines() if line.strip().startswith("title:") and "  " in line)
    text = text.replace(first_goal_title + "\n", "", 1)
    broken = tmp_path / "broken.yaml"
    broken.write_text(text, encoding="utf-8")
    with pytest.raises(StrategyFileError, match=r"goals\.0\.title: Field required \(line \d+\)"):
        load_strategy_file(broken)
