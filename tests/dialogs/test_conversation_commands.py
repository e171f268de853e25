"""Commands a board member types along the way: back, skip, edit after the review, delete, help."""

from __future__ import annotations

from tests.dialogs.talk import Talk, World

GOAL_1_QUESTION = "Hvilke lokale mål skal der til for at opnå mål 1?"
INTERVENTIONS = "Beskrivelse af indsatser"
MEASUREMENT = "Hvordan og hvornår måles effekten?"


async def _all_four_goals(talk: Talk, *, two_under_goal_1: bool = False) -> None:
    """Register one local goal per strategic goal (two under goal 1 if asked), ending in the review:
    played once per session and copied after that (`World.once`); the last replies are forgotten."""

    async def play() -> None:
        await talk.say("hej")
        await talk.register_local_goal("Alle børn har en fast voksen", ["Faste legegrupper"])
        if two_under_goal_1:
            await talk.choose("Ja, tilføj et til")
            await talk.register_local_goal("Alle børn bliver hørt", ["Børnemøder"])
        await talk.choose("Nej, videre til fælles mål 2")
        await talk.register_local_goal("Fagligt løft for alle", ["Læsebånd"])
        await talk.choose("Nej, videre til fælles mål 3")
        await talk.register_local_goal("Børnenes stemme tæller", ["Børneråd"])
        await talk.choose("Nej, videre til fælles mål 4")
        await talk.register_local_goal("Sunde fællesskaber", ["Legeguider"])
        await talk.choose("Nej, videre til gennemgangen")
        talk.expect("Her er alt, hvad der er registreret for Solsikken:")

    await talk.world.once(f"{talk.name}: _all_four_goals(two_under_goal_1={two_under_goal_1})", play)


async def test_back_at_the_start_says_there_is_nothing_to_go_back_to(soeren: Talk) -> None:
    await soeren.say("hej")
    await soeren.say("tilbage")
    soeren.expect("Vi er ved begyndelsen, så der er ikke noget at gå tilbage til.", GOAL_1_QUESTION)


async def test_back_returns_to_the_local_goal_and_a_new_answer_replaces_it(world: World, soeren: Talk) -> None:
    await soeren.say("hej")
    await soeren.say("Alle børn har en fast voksen")
    soeren.expect(INTERVENTIONS)

    await soeren.say("tilbage")
    soeren.expect(GOAL_1_QUESTION, "Nuværende svar: Alle børn har en fast voksen").expect_choice("Behold svaret")
    await soeren.say("Alle børn har mindst én fast voksen")
    soeren.expect("Om «Alle børn har mindst én fast voksen»:", INTERVENTIONS)

    goal_1 = (await world.institution("Solsikken"))["goals"][0]["local_goals"]
    assert [lg["text"] for lg in goal_1] == ["Alle børn har mindst én fast voksen"]


async def test_back_from_another_local_goal_question_shows_the_measurement_again(soeren: Talk) -> None:
    await soeren.say("hej")
    await soeren.register_local_goal("Alle børn har en fast voksen")
    await soeren.say("tilbage")
    soeren.expect(MEASUREMENT, "Nuværende svar: Trivselsmåling", "Hvornår: marts 2027").expect_choice("Behold svaret")
    await soeren.choose("Behold svaret")
    soeren.expect("Vil I tilføje endnu et lokalt mål under fælles mål 1?")


async def test_skipping_the_local_goal_question_skips_the_strategic_goal(world: World, soeren: Talk) -> None:
    await soeren.say("hej")
    await soeren.say("spring over")
    soeren.expect(
        "Sprunget over. I kan vende tilbage til fælles mål 1 senere ved at skrive «ret mål 1».",
        "Hvilke lokale mål skal der til for at opnå mål 2?",
    )
    assert (await world.institution("Solsikken"))["goals"][0]["local_goals"] == []


async def test_skipped_answers_are_listed_in_the_review_and_block_the_submit(world: World, soeren: Talk) -> None:
    await soeren.say("hej")
    await soeren.say("spring over")  # no local goal under goal 1
    await soeren.say("Fagligt løft for alle")
    await soeren.say("spring over")  # no interventions for 2.1
    soeren.expect("Sprunget over. Spørgsmålet står som ubesvaret i gennemgangen.", MEASUREMENT)
    await soeren.say("Test")
    await soeren.say("maj 2027")
    await soeren.say("ja")
    await soeren.choose("Nej, videre til fælles mål 3")
    await soeren.register_local_goal("Børnenes stemme tæller")
    await soeren.choose("Nej, videre til fælles mål 4")
    await soeren.register_local_goal("Sunde fællesskaber")
    await soeren.choose("Nej, videre til gennemgangen")

    soeren.expect(
        "Det mangler, før den kan sendes ind:",
        "• Der er endnu ikke et lokalt mål under fælles mål 1",
        "• Lokalt mål 2.1: «Indsatser» er ikke besvaret",  # the short label, not the whole question
    )
    soeren.expect_no_choice("Send ind")

    await soeren.say("indsend")
    soeren.expect("Der mangler stadig lidt:", "• Der er endnu ikke et lokalt mål under fælles mål 1")
    soeren.expect_not("Tak! Registreringen")
    assert (await world.institution("Solsikken"))["status"] == "draft"


async def test_editing_a_local_goal_after_the_review_lands_back_in_the_review(world: World, soeren: Talk) -> None:
    await _all_four_goals(soeren, two_under_goal_1=True)

    await soeren.say("ret mål 1.2")
    soeren.expect("Hvad vil I rette?", "1.2", "Alle børn bliver hørt", "• Børnemøder")
    await soeren.choose("Hvilke lokale mål skal der til for at opnå mål 1?")
    soeren.expect("Nuværende svar: Alle børn bliver hørt")
    await soeren.say("Alle børn bliver hørt hver dag")
    soeren.expect("Her er alt, hvad der er registreret for Solsikken:", "Alle børn bliver hørt hver dag")
    soeren.expect_choice("Send ind")

    await soeren.say("ret mål 2")
    soeren.expect("Hvilket lokalt mål under fælles mål 2?").expect_choice(
        "2.1 Fagligt løft for alle", "Tilføj et lokalt mål"
    )
    await soeren.choose("2.1 Fagligt løft for alle")
    await soeren.choose(INTERVENTIONS)
    soeren.expect("Indtil videre:", "• Læsebånd")
    await soeren.say("Matematikvejledning")
    await soeren.choose("Færdig")
    soeren.expect("Her er alt, hvad der er registreret for Solsikken:", "2.1 Fagligt løft for alle")
    await soeren.choose("Vis detaljerne")
    soeren.expect("• Læsebånd\n• Matematikvejledning")

    await soeren.say("ret mål 1.1")
    await soeren.choose(MEASUREMENT)
    await soeren.say("Forældresamtaler")
    await soeren.say("oktober 2027")
    await soeren.say("ja")
    soeren.expect("Her er alt")
    await soeren.choose("Vis detaljerne")
    soeren.expect("Forældresamtaler\nHvornår: oktober 2027\nDatoer: 1. oktober 2027")

    goals = (await world.institution("Solsikken"))["goals"]
    assert [lg["text"] for lg in goals[0]["local_goals"]] == [
        "Alle børn har en fast voksen",
        "Alle børn bliver hørt hver dag",
    ]
    assert goals[0]["local_goals"][0]["measurement"]["dates"] == ["2027-10-01"]
    assert goals[1]["local_goals"][0]["interventions"] == ["Læsebånd", "Matematikvejledning"]
    audit = await world.audit()
    assert (
        "Søren Østergaard",
        "goal 1/local goal 2/local_goal",
        "Alle børn bliver hørt",
        "Alle børn bliver hørt hver dag",
    ) in [a[:4] for a in audit]


async def test_edit_without_a_number_asks_which_goal(soeren: Talk) -> None:
    await _all_four_goals(soeren)
    await soeren.say("ret")
    soeren.expect("Hvilket fælles mål vil I rette?").expect_choice("Fælles mål 3: Alle børn og unge sikres")
    await soeren.choose("3")
    soeren.expect("Hvilket lokalt mål under fælles mål 3?")


async def test_edit_of_a_goal_that_does_not_exist_is_refused(soeren: Talk) -> None:
    await _all_four_goals(soeren)
    await soeren.say("ret mål 7")
    soeren.expect("Der er ikke noget fælles mål 7.", "Hvilket fælles mål vil I rette?")
    await soeren.say("ret mål 1.5")
    soeren.expect("Der er ikke noget lokalt mål 1.5.", "Hvilket lokalt mål under fælles mål 1?")


async def test_deleting_a_local_goal_asks_first_and_renumbers_the_rest(world: World, soeren: Talk) -> None:
    await _all_four_goals(soeren, two_under_goal_1=True)

    await soeren.say("ret mål 1.1")
    await soeren.choose("Slet det lokale mål")
    soeren.expect("Skal lokalt mål 1.1 slettes? Det kan ikke fortrydes.").expect_choice(
        "Ja, slet det", "Nej, behold det"
    )
    await soeren.choose("Nej, behold det")
    soeren.expect("Her er alt", "Alle børn har en fast voksen").expect_not("Det lokale mål er slettet.")
    assert len((await world.institution("Solsikken"))["goals"][0]["local_goals"]) == 2

    await soeren.say("ret mål 1.1")
    await soeren.choose("Slet det lokale mål")
    await soeren.choose("Ja, slet det")
    soeren.expect("Det lokale mål er slettet.", "Her er alt").expect_not("Alle børn har en fast voksen")

    goal_1 = (await world.institution("Solsikken"))["goals"][0]["local_goals"]
    assert [lg["text"] for lg in goal_1] == ["Alle børn bliver hørt"]
    assert ("Søren Østergaard", "goal 1/local goal 1", "Alle børn har en fast voksen", None) in [
        a[:4] for a in await world.audit()
    ]
    await soeren.say("ret mål 1.1")
    soeren.expect("Alle børn bliver hørt", "• Børnemøder")


async def test_help_lists_the_commands_and_repeats_the_question(soeren: Talk) -> None:
    await soeren.say("hej")
    await soeren.say("hjælp")
    soeren.expect("• «tilbage» – gå et spørgsmål tilbage", "• «ret mål 2» eller «ret mål 2.1»", GOAL_1_QUESTION)
    assert soeren.kinds()[0] == "help"


async def test_status_shows_the_boards_progress(soeren: Talk) -> None:
    await soeren.say("hej")
    await soeren.register_local_goal("Alle børn har en fast voksen")
    await soeren.say("status")
    soeren.expect("Status for Solsikken: i gang.", "1 lokalt mål · Søren Østergaard", "mangler")
