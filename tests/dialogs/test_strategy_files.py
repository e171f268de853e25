"""The built-in strategy files load, match their seeds, and broken copies fail with clear messages."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from dialogs.strategy import (
    BUILTIN_DIR,
    DEFAULT_STRATEGY_FILE,
    QuestionKind,
    Strategy,
    StrategyFileError,
    load_strategy_file,
)

KLYNGE_FILE = BUILTIN_DIR / "klynge-vision.yaml"
SEEDS = Path("/work/shared/seeds")


def _seed_000() -> str | None:
    found = sorted(SEEDS.glob("000_*.txt")) if SEEDS.is_dir() else []
    return found[0].read_text(encoding="utf-8") if found else None


SEED_000 = _seed_000()
needs_seed = pytest.mark.skipif(SEED_000 is None, reason="seeds/000_*.txt not available on this machine")


def seed_goal_titles(seed: str) -> dict[int, str]:
    """The numbered lines under "Fire strategiske mål ..."."""
    block = seed.split("Fire strategiske mål", 1)[1]
    return {int(n): t.strip() for n, t in re.findall(r"^\s*([1-9])\s+(\S.*)$", block, re.M)[:4]}


def seed_time_plan(seed: str) -> list[tuple[str, str]]:
    """The rows of "Tids- og procesplan": a tab between when and what."""
    block = seed.split("Tids- og procesplan", 1)[1]
    rows = [line.split("\t", 1) for line in block.splitlines() if "\t" in line]
    return [(when.strip(), what.strip()) for when, what in rows]


@pytest.fixture(scope="module")
def almen() -> Strategy:
    return load_strategy_file(DEFAULT_STRATEGY_FILE)


@pytest.fixture(scope="module")
def klynge() -> Strategy:
    return load_strategy_file(KLYNGE_FILE)


def test_default_file_is_almen(almen: Strategy) -> None:
    assert DEFAULT_STRATEGY_FILE.name == "almen.yaml"
    assert almen.key == "almen"
    assert almen.title == "Styrkelse af almenområdet"
    assert (almen.period.start, almen.period.end) == (date(2023, 12, 1), date(2027, 12, 31))
    assert almen.deadline == date(2023, 11, 30)
    assert [g.number for g in almen.goals] == [1, 2, 3, 4]
    assert almen.goal_label.da == "fælles mål"  # the seed's word, one term everywhere (README, «Words»)


@needs_seed
def test_default_goals_are_the_seeds_words(almen: Strategy) -> None:
    assert SEED_000 is not None
    titles = seed_goal_titles(SEED_000)
    assert len(titles) == 4
    assert {g.number: g.title for g in almen.goals} == titles
    for title in titles.values():  # each goal also heads its own form page in the seed
        assert SEED_000.count(title) >= 2


def test_default_questions_in_order(almen: Strategy) -> None:
    assert [(q.key, q.kind) for q in almen.questions] == [
        ("local_goal", QuestionKind.TEXT),
        ("interventions", QuestionKind.LIST),
        ("measurement", QuestionKind.MEASUREMENT),
    ]
    goal = almen.goal(3)
    local_goal, interventions, measurement = almen.questions
    assert local_goal.render("da", goal) == "Hvilke lokale mål skal der til for at opnå mål 3?"
    assert local_goal.render("en", goal) == "Which local goals are needed to reach goal 3?"
    assert "beskrivelse af indsatser" in interventions.text.da.casefold()
    assert measurement.text.da == "Hvordan og hvornår måles effekten?"
    for q in almen.questions:
        assert q.required and q.max_length == 2000
        assert q.text.en and q.help is not None and q.help.da and q.help.en
        assert "{" not in q.render("da", goal) and "{" not in q.render("en", goal)


@needs_seed
def test_default_question_phrases_come_from_the_seed(almen: Strategy) -> None:
    assert SEED_000 is not None
    for number in range(1, 5):
        assert f"Hvilke lokale mål skal der til for at opnå mål {number}" in SEED_000
        assert almen.first_question.render("da", almen.goal(number)).rstrip("?") in SEED_000
    assert "Beskrivelse af indsatser" in SEED_000
    assert almen.question("measurement").text.da.rstrip("?") in SEED_000


@needs_seed
def test_default_milestones_follow_the_time_plan(almen: Strategy) -> None:
    assert SEED_000 is not None
    rows = seed_time_plan(SEED_000)
    assert len(rows) == 11
    assert len(almen.milestones) == len(rows)
    for milestone, (when, what) in zip(almen.milestones, rows, strict=True):
        assert milestone.text == what
        assert str(milestone.date.year) in when
    spans = [m for m in almen.milestones if m.end is not None]
    assert [(m.date, m.end) for m in spans] == [(date(2023, 5, 1), date(2023, 11, 30))]
    assert date(2022, 10, 12) in [m.date for m in almen.milestones]


def test_default_milestones_are_chronological(almen: Strategy) -> None:
    assert len(almen.milestones) == 11
    days = [m.date for m in almen.milestones]
    assert days == sorted(days)
    assert almen.milestones[-1].date == almen.period.start


def test_klynge_file_loads(klynge: Strategy) -> None:
    assert klynge.key == "klynge-vision"
    assert klynge.title == "Vision for Børnefortællingen 2024-2027"
    assert (klynge.period.start, klynge.period.end) == (date(2024, 1, 1), date(2027, 12, 31))
    assert klynge.goal_label.da == "fælles mål"  # no «fokusområde» of its own: the seed has no such word
    assert 4 <= len(klynge.goals) <= 5
    assert all(g.measuring_points for g in klynge.goals[:4])


def test_klynge_has_an_optional_choice_question(klynge: Strategy) -> None:
    assert [q.key for q in klynge.questions] == ["local_goal", "actions", "malepunkt", "status"]
    status = klynge.question("status")
    assert status.kind is QuestionKind.CHOICE and not status.required
    assert len(status.options) >= 2
    assert all(o.label.da and o.label.en for o in status.options)
    assert klynge.question("malepunkt").kind is QuestionKind.MEASUREMENT
    assert klynge.question("malepunkt").text.da == "Hvordan og hvornår måler I?"


def test_klynge_differs_from_default(almen: Strategy, klynge: Strategy) -> None:
    assert klynge.key != almen.key
    assert {g.title for g in klynge.goals}.isdisjoint(g.title for g in almen.goals)
    assert [q.key for q in klynge.questions] != [q.key for q in almen.questions]
    assert not any(q.kind is QuestionKind.CHOICE for q in almen.questions)


def test_klynge_text_has_no_ocr_garble() -> None:
    text = KLYNGE_FILE.read_text(encoding="utf-8")
    for garble in ("vaere", "Bornefortallingen", "sgrge", "ledestierne", "feelles", "bern "):
        assert garble not in text


Mutation = Callable[[dict[str, Any]], None]


def _duplicate_goal_number(data: dict[str, Any]) -> None:
    data["goals"][1]["number"] = 1


def _missing_da_text(data: dict[str, Any]) -> None:
    del data["questions"][1]["text"]["da"]


def _choice_with_one_option(data: dict[str, Any]) -> None:
    data["questions"].append(
        {"key": "status", "kind": "choice", "text": {"da": "Status?"}, "options": [
            {"key": "ny", "label": {"da": "Ny"}},
        ]}
    )  # fmt: skip


def _unknown_goal_field(data: dict[str, Any]) -> None:
    data["goals"][0]["colour"] = "blue"


def _unknown_top_field(data: dict[str, Any]) -> None:
    data["owner"] = "forvaltningen"


def _options_on_text(data: dict[str, Any]) -> None:
    data["questions"][0]["options"] = [{"key": "a", "label": {"da": "A"}}, {"key": "b", "label": {"da": "B"}}]


def _first_question_not_text(data: dict[str, Any]) -> None:
    data["questions"] = data["questions"][1:]


def _period_reversed(data: dict[str, Any]) -> None:
    data["period"] = {"start": date(2027, 1, 1), "end": date(2023, 1, 1)}


def _bad_date(data: dict[str, Any]) -> None:
    data["milestones"][0]["date"] = "i august"


def _no_goals(data: dict[str, Any]) -> None:
    data["goals"] = []


@pytest.mark.parametrize(
    ("mutate", "field", "words"),
    [
        (_duplicate_goal_number, "goals", "own number"),
        (_missing_da_text, "questions.1.text.da", "required"),
        (_choice_with_one_option, "questions.3", "at least two options"),
        (_unknown_goal_field, "goals.0.colour", "not permitted"),
        (_unknown_top_field, "owner", "not permitted"),
        (_options_on_text, "questions.0", "only a choice question has options"),
        (_first_question_not_text, "questions", "must be required text"),
        (_period_reversed, "period", "end is before start"),
        (_bad_date, "milestones.0.date", "date"),
        (_no_goals, "goals", "at least 1"),
    ],
)
def test_broken_copy_names_the_field(tmp_path: Path, mutate: Mutation, field: str, words: str) -> None:
    data = copy.deepcopy(yaml.safe_load(DEFAULT_STRATEGY_FILE.read_text(encoding="utf-8")))
    mutate(data)
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(StrategyFileError) as caught:
        load_strategy_file(broken)
    message = str(caught.value)
    assert f"{broken}: {field}: " in message
    assert words in message


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("key: [unclosed", "not valid YAML"),
        ("- just\n- a list\n", "expected a mapping"),
    ],
)
def test_unusable_file(tmp_path: Path, content: str, words: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(StrategyFileError, match=words):
        load_strategy_file(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(StrategyFileError, match="file not found"):
        load_strategy_file(tmp_path / "nope.yaml")
