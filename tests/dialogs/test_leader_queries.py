"""How a leader's question is read: the kind of question and the name as it was written."""

from __future__ import annotations

import pytest

from dialogs.overview import LeaderQuery, find_names, match_names, parse_leader_query
from tests.dialogs.talk import World


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


def test_exact_and_prefix_matches_are_sure_a_merely_similar_name_is_not() -> None:
    names = ["Område Nord", "Solsikken", "Mælkebøtten", "Ærøvej Skole"]
    assert find_names("Område Nord", names) == (["Område Nord"], True)
    assert find_names("Nord", names) == (["Område Nord"], True)  # a word of the name
    assert find_names("Mælke", names) == (["Mælkebøtten"], True)  # the name begins with it
    assert find_names("Område Syd", names) == (["Område Nord"], False)  # similar only: to be asked, not taken
    assert find_names("SOLSIKEN", names) == (["Solsikken"], False)


async def test_another_areas_name_is_not_answered_for_ones_own_area(world: World) -> None:
    """Issue 17, point 6: «status Område Syd» from Nord's area leader gets «did you mean …?», never Nord's
    status; a name she may not see gets the same answer as an unknown one."""
    mette = await world.talk("mette.noergaard")
    await mette.say("status Område Syd")
    mette.expect("Jeg kan ikke finde «Område Syd». Mente du en af disse?").expect_not("Status for Område Nord")
    assert [c.id for c in mette.choices] == ["status:Område Nord"]
    await mette.choose("Område Nord")
    mette.expect("Status for Område Nord")
    await mette.say("status Søndermarkskolen")  # in Syd: she may not see it, answered as unknown
    unseen = mette.text
    await mette.say("status Månebakkeskolen")  # no such school
    assert unseen.replace("Søndermarkskolen", "X") == mette.text.replace("Månebakkeskolen", "X")
