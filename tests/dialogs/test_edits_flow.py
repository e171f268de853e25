"""Edits return to the flow, over the service (issue 17, point 3)."""

from __future__ import annotations

from tests.dialogs.talk import Talk, World

GOAL_2_QUESTION = "Hvilke lokale mål skal der til for at opnå mål 2?"


async def test_after_an_edit_the_board_is_back_where_it_was(world: World, soeren: Talk) -> None:
    await soeren.say("hej")
    await soeren.register_local_goal("Alle børn har en fast voksen")
    await soeren.choose("Nej, videre til fælles mål 2")
    soeren.expect(GOAL_2_QUESTION)
    await soeren.say("ret mål 1.1")
    soeren.expect_choice("Tilbage til, hvor vi var").expect_no_choice("Tilbage til gennemgangen")
    await soeren.choose("Hvilke lokale mål")
    await soeren.say("Alle børn har mindst én fast voksen")
    soeren.expect("Vi fortsætter, hvor I slap.", GOAL_2_QUESTION).expect_not("Her er alt, der er registreret")
    goals = (await world.institution("Solsikken"))["goals"]
    assert goals[0]["local_goals"][0]["text"] == "Alle børn har mindst én fast voksen"


async def test_fill_in_what_is_missing_from_the_review(world: World, soeren: Talk) -> None:
    await soeren.say("hej")
    for goal in (1, 2, 3):
        await soeren.register_local_goal(f"Lokalt mål under fælles mål {goal}")
        await soeren.choose(f"Nej, videre til fælles mål {goal + 1}")
    await soeren.say("Alle elever læser hver dag")  # goal 4: the local goal only, then the review
    await soeren.say("gennemgang")
    await soeren.choose("Udfyld det, der mangler")
    soeren.expect("Beskrivelse af indsatser").expect_not("Her er alt, der er registreret")
    await soeren.say("Læsebånd")
    await soeren.choose("Færdig")
    await soeren.say("Læsetest")
    await soeren.say("marts 2027")
    await soeren.choose("Ja")
    soeren.expect("Det var alt det, der manglede.", "Alt er besvaret.")
