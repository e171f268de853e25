"""Text people write comes back as they wrote it: joined emoji, flags, Persian with its non-joiner and
Danish typed in decomposed form survive cleaning and storage; bidi tricks and controls do not."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest

from dialogs.cleaning import clean_text
from tests.dialogs.talk import Talk, World

FAMILY = "👨\u200d👩\u200d👧\u200d👦"  # one person-group: four people joined by ZWJ
RAINBOW_FLAG = "🏳\ufe0f\u200d🌈"  # white flag, emoji presentation, ZWJ, rainbow
DANISH_FLAG = "🇩🇰"  # two regional indicators
SCOTLAND = "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"  # tag sequence
HEART = "❤\ufe0f"
PERSIAN = "می\u200cخواهم"  # "I want": the ZWNJ keeps the prefix unjoined
NFD_DANISH = unicodedata.normalize("NFD", "Børnehaven på Ærø går på opdagelse")  # å typed as a + ring

KEPT = [FAMILY, RAINBOW_FLAG, DANISH_FLAG, SCOTLAND, HEART, PERSIAN, "क्\u200dष", "👋🏽"]


@pytest.mark.parametrize("text", KEPT)
def test_joiners_selectors_and_tags_are_kept(text: str) -> None:
    assert clean_text(text) == text


def test_decomposed_danish_is_stored_composed() -> None:
    cleaned = clean_text(NFD_DANISH)
    assert cleaned == "Børnehaven på Ærø går på opdagelse"
    assert len(cleaned) < len(NFD_DANISH)


BIDI = ["\u202e", "\u202d", "\u202a", "\u202b", "\u202c", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f"]
INVISIBLE = ["\u061c", "\u200b", "\u2060", "\ufeff", "\x00", "\x07", "\x1b", "\x7f", "\x85", "\ue000", "\U000e0001"]


@pytest.mark.parametrize("dangerous", [*BIDI, *INVISIBLE])
def test_bidi_controls_and_other_invisible_characters_are_removed(dangerous: str) -> None:
    assert clean_text(f"Læse{dangerous}makker") == "Læsemakker"


async def _goal_1(world: World) -> list[dict[str, Any]]:
    local_goals: list[dict[str, Any]] = (await world.institution("Solsikken"))["goals"][0]["local_goals"]
    return local_goals


async def test_an_answer_round_trips_through_the_conversation_and_storage(world: World, soeren: Talk) -> None:
    local_goal = f"{NFD_DANISH} {FAMILY} {RAINBOW_FLAG} {DANISH_FLAG}"
    intervention = f"{PERSIAN} {HEART} {SCOTLAND}"
    await soeren.say("hej")
    await soeren.say("\u202e" + local_goal + "\u2066")
    await soeren.say(intervention)
    await soeren.choose("Færdig")
    await soeren.say("Trivselsmåling")
    await soeren.say("marts 2027")
    await soeren.say("ja")

    stored = (await _goal_1(world))[0]
    assert stored["text"] == unicodedata.normalize("NFC", local_goal)
    assert stored["interventions"] == [intervention]
    assert FAMILY in stored["text"] and RAINBOW_FLAG in stored["text"]
    assert "\u202e" not in stored["text"] and "\u2066" not in stored["text"]
