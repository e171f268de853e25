"""How a leader's question is read: the kind of question and the name as it was written."""

from __future__ import annotations

import pytest

from dialogs.overview import LeaderQuery, match_names, parse_leader_query


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("status", LeaderQuery("status")),
        ("Status Område Nord", LeaderQuery("status", "Område Nord")),
        ("status: Område Nord", LeaderQuery("status", "Område Nord")),
        ("status for Syd", LeaderQuery("status", "Syd")),
        ("vis Solsikken!", LeaderQuery("status", "Solsikken")),
        ("vis forældrerådet", LeaderQuery("status", "forældrerådet")),
        ("/maal status Ærøvej Skole", LeaderQuery("status", "Ærøvej Skole")),
        ("hvem mangler?", LeaderQuery("missing")),
        ("Hvem mangler", LeaderQuery("missing")),
        ("dækning", LeaderQuery("coverage")),
        ("statusside", None),
        ("Vi vil vise børnene respekt", None),
    ],
)
def test_leader_questions_are_read_with_the_name_as_written(text: str, expected: LeaderQuery | None) -> None:
    assert parse_leader_query(text) == expected


def test_names_match_forgivingly_and_ambiguity_is_kept() -> None:
    names = ["Solsikken", "Ærøvej Skole", "Bøgeskov Skole", "Område Nord"]
    assert match_names("aeroevej skole", names) == ["Ærøvej Skole"]
    assert match_names("SOLSIKEN", names) == ["Solsikken"]  # a small typo
    assert match_names("skole", names) == ["Bøgeskov Skole", "Ærøvej Skole"]
    assert match_names("Månebakken", names) == []
