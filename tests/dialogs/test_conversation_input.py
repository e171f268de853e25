"""What people actually type: nothing, too much, invisible characters, numbers and labels for buttons,
old buttons, dates the bot cannot read, and another language."""

from __future__ import annotations

from typing import Any

import pytest

from tests.dialogs.talk import Talk, World

GOAL_1_QUESTION = "Hvilke lokale mål skal der til for at opnå mål 1?"
INTERVENTIONS = "Beskrivelse af indsatser"
MEASUREMENT = "Hvordan og hvornår måles effekten?"
WHEN = "Og hvornår vil I måle det?"
NOT_UNDERSTOOD = "Det forstod jeg desværre ikke. Vælg en af mulighederne, eller skriv «hjælp»."
STALE = "Den knap hører til et tidligere spørgsmål. Her er vi nu:"


async def _goal_1(world: World) -> list[dict[str, Any]]:
    local_goals: list[dict[str, Any]] = (await world.institution("Solsikken"))["goals"][0]["local_goals"]
    return local_goals


@pytest.mark.parametrize("empty", ["", "   ", "\n\t \n", "\u202e\u200f"])
async def test_an_empty_message_is_asked_again(world: World, soeren: Talk, empty: str) -> None:
    await soeren.say("hej")
    await soeren.say(empty)
    soeren.expect("Jeg fik ikke noget svar. Prøv igen.", GOAL_1_QUESTION)
    assert len(await world.audit()) == 0


async def test_an_empty_message_while_asked_when_is_asked_again(soeren: Talk) -> None:
    await soeren.say("hej")
    await soeren.say("Alle børn har en fast voksen")
    await soeren.say("Faste legegrupper")
    await soeren.choose("Færdig")
    await soeren.say("Trivselsmåling")
    await soeren.say("  ")
    soeren.expect("Jeg fik ikke noget svar. Prøv igen.", WHEN)


async def test_an_answer_over_the_limit_is_refused_and_nothing_is_stored(world: World, soeren: Talk) -> None:
    await soeren.say("hej")
    await soeren.say("x" * 2001)
    soeren.expect("Jeres svar fylder 2001 tegn, men der er højst plads til 2000. Prøv at gøre det kortere.")
    assert len(await world.audit()) == 0
    assert await _goal_1(world) == []

    await soeren.say("y" * 2000)  # exactly the limit is fine
    soeren.expect(INTERVENTIONS)
    assert [lg["text"] for lg in await _goal_1(world)] == ["y" * 2000]


async def test_an_intervention_over_the_limit_is_refused(world: World, soeren: Talk) -> None:
    await soeren.say("hej")
    await soeren.say("Alle børn har en fast voksen")
    await soeren.say("z" * 2001)
    soeren.expect("Jeres svar fylder 2001 tegn, men der er højst plads til 2000.")
    assert (await _goal_1(world))[0]["interventions"] == []
    await soeren.say("Faste legegrupper")
    soeren.expect("• Faste legegrupper")


async def test_a_measurement_over_the_limit_is_refused(world: World, soeren: Talk) -> None:
    await soeren.say("hej")
    await soeren.say("Alle børn har en fast voksen")
    await soeren.say("Faste legegrupper")
    await soeren.choose("Færdig")
    await soeren.say("m" * 2001)
    soeren.expect("Jeres svar fylder 2001 tegn, men der er højst plads til 2000.")
    await soeren.say("Trivselsmåling")
    await soeren.say("w" * 2001)
    soeren.expect("Jeres svar fylder 2001 tegn, men der er højst plads til 2000.")
    assert (await _goal_1(world))[0]["measurement"] is None


async def test_control_characters_and_bidi_overrides_are_removed_before_storing(world: World, soeren: Talk) -> None:
    await soeren.say("hej")
    await soeren.say("Alle børn\x00 har en \u202efast\u202c voksen\x07\u200b")
    soeren.expect("Om «Alle børn har en fast voksen»:")
    await soeren.say("Faste\x1b[31m legegrupper\u2066")
    await soeren.choose("Færdig")
    await soeren.say("\u202eTrivselsmåling")
    await soeren.say("marts 2027\u202c")
    await soeren.say("ja")

    stored = (await _goal_1(world))[0]
    assert stored["text"] == "Alle børn har en fast voksen"
    assert stored["interventions"] == ["Faste[31m legegrupper"]
    assert stored["measurement"] == {"method": "Trivselsmåling", "when": "marts 2027", "dates": ["2027-03-01"]}
    audit = await world.audit()
    assert not any("\u202e" in (a[3] or "") or "\x00" in (a[3] or "") for a in audit)


async def test_text_is_stored_in_nfc(world: World, soeren: Talk) -> None:
    await soeren.say("hej")
    await soeren.say("Trivsel p\u0061\u030a legepladsen")
    soeren.expect("Om «Trivsel på legepladsen»:")
    stored = (await _goal_1(world))[0]["text"]
    assert stored == "Trivsel p\u00e5 legepladsen"
    assert "\u030a" not in stored


async def test_unknown_text_in_a_menu_gets_the_short_help(world: World, soeren: Talk) -> None:
    await soeren.say("hej")
    await soeren.register_local_goal("Alle børn har en fast voksen")
    await soeren.say("måske senere en dag")
    soeren.expect(NOT_UNDERSTOOD, "Vil I tilføje endnu et lokalt mål under fælles mål 1?")
    assert len(await _goal_1(world)) == 1


async def test_unknown_text_when_asked_to_confirm_dates_gets_the_short_help(soeren: Talk) -> None:
    await soeren.say("hej")
    await soeren.say("Alle børn har en fast voksen")
    await soeren.say("Faste legegrupper")
    await soeren.choose("Færdig")
    await soeren.say("Trivselsmåling")
    await soeren.say("marts 2027")
    await soeren.say("hmm")
    soeren.expect(NOT_UNDERSTOOD, "Jeg har forstået det som: 1. marts 2027. Passer det?")


async def test_a_button_from_an_earlier_question_is_refused_politely(world: World, soeren: Talk) -> None:
    await soeren.say("hej")
    await soeren.say("Alle børn har en fast voksen")
    await soeren.say("Faste legegrupper")
    await soeren.choose("Færdig")
    soeren.expect(MEASUREMENT)

    await soeren.press("done")  # «Færdig» again, from the interventions message
    soeren.expect(STALE, MEASUREMENT)
    await soeren.press("opt:ny")  # a button no question here has
    soeren.expect(STALE, MEASUREMENT)
    await soeren.say("Trivselsmåling")
    soeren.expect(WHEN)
    assert (await _goal_1(world))[0]["measurement"] is None


async def test_a_second_press_on_the_date_confirmation_is_not_taken_as_another_answer(soeren: Talk) -> None:
    await soeren.say("hej")
    await soeren.say("Alle børn har en fast voksen")
    await soeren.say("Faste legegrupper")
    await soeren.choose("Færdig")
    await soeren.say("Trivselsmåling")
    await soeren.say("marts 2027")
    await soeren.choose("Ja")
    soeren.expect("Vil I tilføje endnu et lokalt mål under fælles mål 1?")

    await soeren.press("yes")  # the same «Ja» button of the date question, clicked twice
    soeren.expect(STALE, "Vil I tilføje endnu et lokalt mål under fælles mål 1?")


async def test_a_typed_number_or_label_picks_the_offered_choice(world: World, soeren: Talk) -> None:
    await soeren.say("hej")
    await soeren.register_local_goal("Alle børn har en fast voksen")
    await soeren.say("2")
    soeren.expect("Hvilke lokale mål skal der til for at opnå mål 2?")

    await soeren.say("tilbage")
    soeren.expect("Vil I tilføje endnu et lokalt mål under fælles mål 1?")
    await soeren.say("ja, tilføj et til")
    soeren.expect(GOAL_1_QUESTION).expect_not("Nuværende svar")

    await soeren.say("Alle børn bliver hørt")
    await soeren.say("Børnemøder")
    await soeren.say("færdig")  # the label of the «Færdig» button, typed
    soeren.expect(MEASUREMENT)
    await soeren.say("Samtaler")
    await soeren.say("maj 2027")
    await soeren.say("1")
    soeren.expect("1.2 Alle børn bliver hørt")
    assert (await _goal_1(world))[1]["measurement"]["dates"] == ["2027-05-01"]


async def test_ja_and_nej_answer_yes_no_questions(world: World, soeren: Talk) -> None:
    await soeren.say("hej")
    await soeren.say("Alle børn har en fast voksen")
    await soeren.say("Faste legegrupper")
    await soeren.say("nej")  # no more interventions
    soeren.expect(MEASUREMENT)
    await soeren.say("Trivselsmåling")
    await soeren.say("marts 2027")
    await soeren.say("Ja")
    soeren.expect("Vil I tilføje endnu et lokalt mål under fælles mål 1?")
    await soeren.say("ja")
    soeren.expect(GOAL_1_QUESTION)
    await soeren.say("Alle børn bliver hørt")
    await soeren.say("Børnemøder")
    await soeren.choose("Færdig")
    await soeren.say("Samtaler")
    await soeren.say("maj 2027")
    await soeren.say("nej")
    soeren.expect("Fint. Jeg beholder jeres formulering «maj 2027» uden datoer.", "Vil I tilføje endnu et lokalt mål")
    await soeren.say("nej")
    soeren.expect("Hvilke lokale mål skal der til for at opnå mål 2?")

    goal_1 = await _goal_1(world)
    assert goal_1[0]["measurement"] == {"method": "Trivselsmåling", "when": "marts 2027", "dates": ["2027-03-01"]}
    assert goal_1[1]["measurement"] == {"method": "Samtaler", "when": "maj 2027", "dates": []}


async def test_a_when_that_cannot_be_read_is_kept_as_text(world: World, soeren: Talk) -> None:
    await soeren.say("hej")
    await soeren.say("Alle børn har en fast voksen")
    await soeren.say("Faste legegrupper")
    await soeren.choose("Færdig")
    await soeren.say("Trivselsmåling")
    await soeren.say("når vi har tid")
    soeren.expect("Jeg kunne ikke finde en måned i «når vi har tid». Hvilken måned regner I med at måle?")
    await soeren.choose("Behold det, vi skrev")  # the one follow-up question; the text is kept as written
    soeren.expect(
        "Jeg kunne ikke finde en dato i «når vi har tid», så jeg gemmer jeres formulering, som den er. "
        "I får ikke en påmindelse om målingen, men den står i registreringen.",
        "Vil I tilføje endnu et lokalt mål under fælles mål 1?",
    )
    soeren.expect_not("Passer det?")
    assert (await _goal_1(world))[0]["measurement"] == {
        "method": "Trivselsmåling",
        "when": "når vi har tid",
        "dates": [],
    }


async def test_danish_is_the_default_and_english_can_be_chosen_and_is_remembered(world: World, soeren: Talk) -> None:
    await soeren.say("hej")
    soeren.expect("Hej Søren Østergaard!", GOAL_1_QUESTION)

    await soeren.say("english")
    soeren.expect("I will write in English from now on.", "Which local goals are needed to reach goal 1?")
    soeren.expect("Goal 1 of 4: Every child and young person is put in a privileged position every day")
    assert await world.locale_of("soeren.oestergaard") == "en"
    await soeren.say("Every child has a trusted adult")
    soeren.expect("About «Every child has a trusted adult»:", "Describe your interventions")

    world.restart()
    await soeren.say("hello")
    soeren.expect("Hello Søren Østergaard! Let us work on the local goals of Solsikken", "Describe your interventions")
    await soeren.say("Fixed play groups")
    soeren.expect("Write another one, or choose «Done».").expect_choice("Done")
    await soeren.say("help")
    soeren.expect("• «back» – go back one question")

    await soeren.say("dansk")
    soeren.expect("Fra nu af skriver jeg på dansk.", INTERVENTIONS, "Skriv den næste, eller vælg «Færdig».")
    soeren.expect_not("Describe your interventions")
    assert await world.locale_of("soeren.oestergaard") == "da"


async def test_language_without_a_choice_offers_both(soeren: Talk) -> None:
    await soeren.say("hej")
    await soeren.say("sprog")
    soeren.expect("Hvilket sprog?").expect_choice("Dansk", "English")
    await soeren.choose("English")
    soeren.expect("I will write in English from now on.", "Which local goals are needed to reach goal 1?")


async def test_english_reaches_the_chair_as_an_english_notice(world: World, soeren: Talk, fatima: Talk) -> None:
    await soeren.say("english")
    await fatima.say("hej")
    for number in (1, 2, 3, 4):
        await fatima.register_local_goal(f"Lokalt mål {number}")
        await fatima.say("nej")
    await fatima.choose("Giv formanden besked")
    await soeren.say("review")
    soeren.expect(
        "Fatima Ali has been through the registration for Solsikken, and it is ready for you to submit.",
        "Here is everything registered for Solsikken:",
    )
    soeren.expect_choice("Submit")


async def test_keeping_the_old_measurement_while_asked_when_gets_an_answer(world: World, soeren: Talk) -> None:
    await soeren.say("hej")
    await soeren.register_local_goal("Alle børn har en fast voksen")
    await soeren.say("tilbage")
    soeren.expect(MEASUREMENT, "Nuværende svar: Trivselsmåling").expect_choice("Behold svaret")
    await soeren.say("Forældresamtaler")
    soeren.expect(WHEN)

    await soeren.press("keep")  # the button of the message before
    soeren.expect("Den knap hører til et tidligere spørgsmål", WHEN)
    measurement = (await _goal_1(world))[0]["measurement"]
    assert measurement == {"method": "Trivselsmåling", "when": "marts 2027", "dates": ["2027-03-01"]}


@pytest.mark.parametrize("choice_id", ["board:abc", "edit:x", "edit:1.x", "add:x", "add:9"])
async def test_a_garbled_button_id_is_refused_politely(world: World, soeren: Talk, choice_id: str) -> None:
    await soeren.say("hej")
    await soeren.press(choice_id)
    soeren.expect(GOAL_1_QUESTION)
    assert len(await world.audit()) == 0


async def test_a_button_for_another_board_is_refused(world: World, fatima: Talk) -> None:
    await fatima.say("hej")
    await fatima.press("board:999")
    fatima.expect("Du sidder ikke i den bestyrelse.")
    await fatima.say("Alle børn har en fast voksen")
    assert [lg["text"] for lg in await _goal_1(world)] == ["Alle børn har en fast voksen"]
