"""Seed 003's cluster vision is shipped whole: every målepunkt and statement of the scan is in
klynge-vision.yaml, the leadership answers it, and the målepunkter are shown with the question."""

from __future__ import annotations

import re

import pytest

from dialogs.strategy import BUILTIN_DIR, Respondent, Strategy, load_strategy_file
from dialogs.strategy_texts import measuring_points_lines
from dialogs.texts import texts
from tests.meetings.seeds import best_window_ratio, coverage, needs_seed, seed_text

KLYNGE_FILE = BUILTIN_DIR / "klynge-vision.yaml"
SEED = seed_text("003")


def seed_measuring_points(seed: str) -> list[str]:
    """Every paragraph the scan labels «Malepunkter:» (the OCR of «Målepunkter:»), up to a blank line."""
    found = re.findall(r"Malepunkter:\s*(.+?)(?:\n\s*\n|\Z)", seed, re.S)
    return [" ".join(p.split()) for p in found]


def seed_statements(seed: str) -> list[str]:
    """Every sentence of the scan after its title line: a new one starts after «.» or on a line that
    starts with a capital letter or a bullet (the scan lost some full stops); labels are dropped."""
    body = seed.strip().split("\n", 1)[1]
    parts = re.split(r"\n\s*(?=[-A-ZÆØÅ])|(?<=[.!?])\s+", body)
    sentences = [re.sub(r"^Malepunkter:\s*", "", " ".join(p.split()).strip(" -")) for p in parts]
    return [s for s in sentences if len(s) > 30]


@pytest.fixture(scope="module")
def klynge() -> Strategy:
    return load_strategy_file(KLYNGE_FILE)


def shipped_text(strategy: Strategy) -> str:
    parts = [strategy.description or ""]
    for goal in strategy.goals:
        parts += [goal.title, goal.description or "", *goal.statements, *goal.measuring_points]
    return "\n".join(parts)


@needs_seed("003")
def test_every_measuring_point_of_the_seed_is_shipped(klynge: Strategy) -> None:
    assert SEED is not None
    points = seed_measuring_points(SEED)
    assert len(points) == 5  # four målepunkter and one heading the scan put behind the same label
    shipped = [p for g in klynge.goals for p in g.measuring_points]
    titles = [g.title for g in klynge.goals]
    for point in points:
        best = max(coverage(point, candidate) for candidate in shipped + titles)
        assert best >= 0.9, f"seed målepunkt not in klynge-vision.yaml: {point!r} (best {best:.2f})"
    # every shipped målepunkt comes from the seed (nothing invented): the scan holds each of them
    for point in shipped:
        assert best_window_ratio(point, SEED) >= 0.85, f"shipped målepunkt not in the seed: {point!r}"


@needs_seed("003")
def test_every_statement_of_the_seed_is_shipped(klynge: Strategy) -> None:
    assert SEED is not None
    statements = seed_statements(SEED)
    assert len(statements) >= 40
    whole = shipped_text(klynge)
    missing = [s for s in statements if best_window_ratio(s, whole) < 0.8]
    assert not missing, f"{len(missing)} statements of seed 003 are not in klynge-vision.yaml:\n" + "\n".join(missing)


def test_the_vision_is_answered_by_the_leadership(klynge: Strategy) -> None:
    assert klynge.respondent is Respondent.LEADERSHIP
    assert klynge.answered_by("leader")
    assert not klynge.answered_by("chair") and not klynge.answered_by("member")
    default = load_strategy_file(BUILTIN_DIR / "almen.yaml")
    assert default.respondent is Respondent.BOARD
    assert all(default.answered_by(role) for role in ("member", "chair", "leader"))


def test_measuring_points_are_listed_for_a_goal(klynge: Strategy) -> None:
    lines = measuring_points_lines(texts("da"), klynge.goal(4))
    assert lines[0] == "Målepunkter:"
    assert lines[1].startswith('• Vi vil afdække "den oplevede værdi"')
    assert len(lines) == 3
    assert measuring_points_lines(texts("en"), klynge.goal(4))[0] == "Measuring points:"
    assert measuring_points_lines(texts("da"), klynge.goal(5)) == []
