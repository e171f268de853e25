"""A board is one respondent: members writing at the same time, a member handing over to the chair,
the chair submitting, a person on two boards, strangers, and a registration the administration locked."""

from __future__ import annotations

import asyncio

from storage.models import ConversationState, Identity, Registration
from tests.dialogs.talk import Talk, World

GOAL_1_QUESTION = "Hvilke lokale mål skal der til for at opnå mål 1?"
INTERVENTIONS = "Beskrivelse af indsatser"


async def _finish_all_goals(talk: Talk) -> None:
    """From the first question of goal 1 to the review, one local goal per strategic goal."""
    for number in (1, 2, 3, 4):
        await talk.register_local_goal(f"Lokalt mål {number}", [f"Indsats {number}"])
        await talk.say("nej")
    talk.expect("Her er alt, hvad der er registreret for Solsikken:")


async def _submitted(soeren: Talk) -> None:
    """Søren registers a local goal under each goal and sends it in: played once per session and
    copied after that (`World.once`; ~0.6 s of CPU a test); his last replies are forgotten."""

    async def submit() -> None:
        await soeren.say("hej")
        await _finish_all_goals(soeren)
        await soeren.choose("Send ind")
        soeren.expect("Registreringen for Solsikken er sendt ind til forvaltningen")

    await soeren.world.once("soeren: hej, _finish_all_goals, Send ind", submit)


async def test_a_member_who_answers_after_the_chair_is_told_and_asked_again(
    world: World, soeren: Talk, fatima: Talk
) -> None:
    await soeren.say("hej")
    await fatima.say("hej")
    soeren.expect(GOAL_1_QUESTION)
    fatima.expect(GOAL_1_QUESTION)

    await soeren.say("Alle børn har en fast voksen")
    await fatima.say("Alle børn leger med nogen hver dag")
    fatima.expect(
        "I mellemtiden har Søren Østergaard ændret et lokalt mål under fælles mål 1: «Alle børn har en fast voksen»",
        "Jeres svar er ikke gemt: «Alle børn leger med nogen hver dag». Send det igen, hvis det stadig skal med.",
        GOAL_1_QUESTION,
    )
    goal_1 = (await world.institution("Solsikken"))["goals"][0]["local_goals"]
    assert [lg["text"] for lg in goal_1] == ["Alle børn har en fast voksen"]

    await fatima.say("Alle børn leger med nogen hver dag")
    fatima.expect("Om «Alle børn leger med nogen hver dag»:", INTERVENTIONS)
    goal_1 = (await world.institution("Solsikken"))["goals"][0]["local_goals"]
    assert [(lg["text"], lg["updated_by"]) for lg in goal_1] == [
        ("Alle børn har en fast voksen", "Søren Østergaard"),
        ("Alle børn leger med nogen hver dag", "Fatima Ali"),
    ]

    # and each goes on with their own local goal
    await soeren.say("Faste legegrupper")
    await fatima.say("Legepatrulje")
    fatima.expect("• Legepatrulje").expect_not("Faste legegrupper")
    goal_1 = (await world.institution("Solsikken"))["goals"][0]["local_goals"]
    assert [lg["interventions"] for lg in goal_1] == [["Faste legegrupper"], ["Legepatrulje"]]


async def test_a_member_editing_the_same_answer_as_the_chair_does_not_overwrite_it(
    world: World, soeren: Talk, fatima: Talk
) -> None:
    await soeren.say("hej")
    await soeren.say("Alle børn har en fast voksen")
    await fatima.say("hej")
    fatima.expect("Jeres bestyrelse er allerede i gang. Vi fortsætter med fælles mål 2.")
    await fatima.say("ret mål 1.1")
    await fatima.choose(GOAL_1_QUESTION)
    fatima.expect("Nuværende svar: Alle børn har en fast voksen")

    await soeren.say("tilbage")
    await soeren.say("Alle børn har en tryg voksen")
    await fatima.say("Alle børn har en god voksen")
    fatima.expect(
        "I mellemtiden har Søren Østergaard ændret et lokalt mål under fælles mål 1: «Alle børn har en tryg voksen»",
        "Jeres svar er ikke gemt: «Alle børn har en god voksen».",
    )
    goal_1 = (await world.institution("Solsikken"))["goals"][0]["local_goals"]
    assert [lg["text"] for lg in goal_1] == ["Alle børn har en tryg voksen"]

    await fatima.say("Alle børn har en god voksen")
    goal_1 = (await world.institution("Solsikken"))["goals"][0]["local_goals"]
    assert [(lg["text"], lg["updated_by"]) for lg in goal_1] == [("Alle børn har en god voksen", "Fatima Ali")]


async def test_a_deletion_of_another_local_goal_under_the_same_goal_stops_an_answer_that_would_land_elsewhere(
    world: World, soeren: Talk, fatima: Talk
) -> None:
    await soeren.say("hej")
    await soeren.register_local_goal("Alle børn har en fast voksen")
    await soeren.choose("Ja, tilføj et til")
    await soeren.register_local_goal("Ro i garderoben")
    await fatima.say("hej")
    await fatima.say("ret mål 1.2")
    await fatima.choose("Beskrivelse af indsatser")
    fatima.expect("Om «Ro i garderoben»:")

    await soeren.say("ret mål 1.1")
    await soeren.choose("Slet det lokale mål")
    await soeren.choose("Ja, slet det")  # «Ro i garderoben» is now 1.1
    await fatima.say("Faste pladser")
    fatima.expect(
        "I mellemtiden har Søren Østergaard ændret et lokalt mål under fælles mål 1: «(slettet)»",
        "Jeres svar er ikke gemt",
    )
    goal_1 = (await world.institution("Solsikken"))["goals"][0]["local_goals"]
    assert [(lg["text"], lg["interventions"]) for lg in goal_1] == [("Ro i garderoben", ["Faste legegrupper"])]


async def test_two_members_answering_at_the_same_moment_lose_nothing(world_on_both: World) -> None:
    soeren = await world_on_both.talk("soeren.oestergaard")
    fatima = await world_on_both.talk("fatima.ali")
    await soeren.say("hej")
    await soeren.say("Alle børn har en fast voksen")
    await fatima.say("hej")
    fatima.expect("Hvilke lokale mål skal der til for at opnå mål 2?")

    soeren_replies, fatima_replies = await asyncio.gather(
        soeren.say("Faste legegrupper\nVenskabsklasser"),
        fatima.say("Alle elever får et fagligt løft"),
    )
    assert "Faste legegrupper" in "\n".join(r.text for r in soeren_replies)
    assert "Om «Alle elever får et fagligt løft»:" in "\n".join(r.text for r in fatima_replies)
    assert not any("Jeres svar er ikke gemt" in r.text for r in [*soeren_replies, *fatima_replies])

    goals = (await world_on_both.institution("Solsikken"))["goals"]
    assert goals[0]["local_goals"][0]["interventions"] == ["Faste legegrupper", "Venskabsklasser"]
    assert [lg["text"] for lg in goals[1]["local_goals"]] == ["Alle elever får et fagligt løft"]
    audit = await world_on_both.audit()
    assert sorted(a[4] for a in audit) == [1, 2, 3]
    reg = await world_on_both.registration("Solsikken")
    assert reg is not None and reg.version == 3

    # both go on where they were
    await soeren.choose("Færdig")
    soeren.expect("Hvordan og hvornår måles effekten?")
    await fatima.say("Læsebånd")
    fatima.expect("• Læsebånd")


async def test_many_messages_at_once_on_both_backends_keep_versions_consistent(world_on_both: World) -> None:
    soeren = await world_on_both.talk("soeren.oestergaard")
    fatima = await world_on_both.talk("fatima.ali")
    camilla = await world_on_both.talk("camilla.dahl")
    await soeren.say("hej")
    await soeren.say("Lokalt mål 1")
    await fatima.say("hej")
    await fatima.say("Lokalt mål 2")
    await camilla.say("hej")
    await camilla.choose("Solsikken")
    camilla.expect("Hvilke lokale mål skal der til for at opnå mål 3?")

    await asyncio.gather(
        soeren.say("Indsats 1"),
        fatima.say("Indsats 2"),
        camilla.say("Lokalt mål 3"),
    )
    goals = (await world_on_both.institution("Solsikken"))["goals"]
    assert [[lg["text"] for lg in g["local_goals"]] for g in goals] == [
        ["Lokalt mål 1"],
        ["Lokalt mål 2"],
        ["Lokalt mål 3"],
        [],
    ]
    assert goals[0]["local_goals"][0]["interventions"] == ["Indsats 1"]
    assert goals[1]["local_goals"][0]["interventions"] == ["Indsats 2"]
    versions = sorted(a[4] for a in await world_on_both.audit())
    assert versions == list(range(1, 6))


async def test_a_member_hands_over_to_the_chair_who_is_told(
    world: World, soeren: Talk, fatima: Talk, lone: Talk
) -> None:
    await fatima.say("hej")
    await _finish_all_goals(fatima)
    fatima.expect("Alt er besvaret. Det er formanden eller lederen, der sender ind")
    fatima.expect_choice("Giv formanden besked").expect_no_choice("Send ind")

    await fatima.choose("Giv formanden besked")
    fatima.expect("Tak! Jeg har givet formanden besked om, at registreringen er klar til at blive sendt ind.")
    reg = await world.registration("Solsikken")
    assert reg is not None and reg.ready_for_chair and reg.status == "draft"

    await soeren.say("hej")
    assert soeren.replies[0].kind == "notice"
    soeren.expect(
        "Fatima Ali har gennemgået registreringen for Solsikken, og den er klar til, at du sender den ind. "
        "Skriv «gennemgang» for at se den."
    )
    await lone.say("status")
    lone.expect("Fatima Ali har gennemgået registreringen for Solsikken", "Klar til, at formanden sender den ind.")

    await soeren.say("hej")  # a notice is shown once
    soeren.expect_not("Fatima Ali har gennemgået")


async def test_a_member_who_types_submit_only_tells_the_chair(world: World, fatima: Talk) -> None:
    await fatima.say("hej")
    await _finish_all_goals(fatima)
    await fatima.say("indsend")
    fatima.expect("Tak! Jeg har givet formanden besked")
    reg = await world.registration("Solsikken")
    assert reg is not None and reg.status == "draft" and reg.ready_for_chair


async def test_when_the_chair_submits_the_board_is_told(
    world: World, soeren: Talk, fatima: Talk, camilla: Talk, lone: Talk
) -> None:
    await soeren.say("hej")
    await _finish_all_goals(soeren)
    await soeren.choose("Send ind")
    soeren.expect(
        "Tak! Registreringen for Solsikken er sendt ind til forvaltningen, og resten af bestyrelsen har fået besked."
    )

    for member in (fatima, camilla, lone):
        await member.say("status")
        assert member.replies[0].kind == "notice"
        member.expect("Søren Østergaard har sendt registreringen for Solsikken ind til forvaltningen.")
    jens = await world.talk("jens.praestegaard")  # chair of another board
    await jens.say("status")
    jens.expect_not("Søren Østergaard har sendt")

    await soeren.say("status")
    soeren.expect("Status for Solsikken: sendt ind.").expect_not("har sendt registreringen")


async def test_a_person_on_two_boards_picks_one_and_can_switch(world: World, camilla: Talk) -> None:
    await camilla.say("hej")
    camilla.expect("Du sidder i flere bestyrelser. Hvilken vil du arbejde med?")
    camilla.expect_choice("Solsikken (medlem)", "Ærøvej Skole (medlem)")

    await camilla.choose("Ærøvej Skole (medlem)")
    camilla.expect("Hej Camilla Dahl! Her kan I arbejde med de lokale mål for Ærøvej Skole", GOAL_1_QUESTION)
    await camilla.say("Alle elever har en god ven i klassen")

    await camilla.say("skift bestyrelse")
    camilla.expect("Du sidder i flere bestyrelser.")
    await camilla.say("1")  # Solsikken, the first offered
    camilla.expect("Her kan I arbejde med de lokale mål for Solsikken", GOAL_1_QUESTION)
    await camilla.say("Alle børn har en fast voksen")

    skole = await world.institution("Ærøvej Skole")
    solsikken = await world.institution("Solsikken")
    assert [lg["text"] for lg in skole["goals"][0]["local_goals"]] == ["Alle elever har en god ven i klassen"]
    assert [lg["text"] for lg in solsikken["goals"][0]["local_goals"]] == ["Alle børn har en fast voksen"]

    await camilla.say("switch board")
    await camilla.choose("Ærøvej Skole")
    camilla.expect("Ærøvej Skole").expect_not("Alle børn har en fast voksen")


async def test_a_stranger_is_pointed_to_the_administration_and_nothing_is_written(world: World) -> None:
    identities = await world.count(Identity)
    assert await world.service.identify("test", "U-stranger", email="nobody@example.org") is None

    stranger = world.stranger()
    await stranger.say("hej")
    stranger.expect(
        "Hej! Jeg kan ikke finde dig i de bestyrelser, jeg kender, så jeg kan ikke hjælpe dig med at registrere endnu. "
        "Kontakt forvaltningen, og bed dem om at tilføje dig."
    )
    assert stranger.kinds() == ["error"]
    await stranger.press("submit")
    stranger.expect("Kontakt forvaltningen")

    assert await world.count(Identity) == identities
    assert await world.count(ConversationState) == 0
    assert await world.count(Registration) == 0
    assert len(await world.audit()) == 0


async def test_an_approved_registration_cannot_be_changed(world: World, soeren: Talk) -> None:
    await _submitted(soeren)
    await world.set_status("Solsikken", "approved")
    versions = len(await world.audit())

    await soeren.say("gennemgang")
    soeren.expect("Registreringen er godkendt og låst.", "Lokalt mål 1").expect_no_choice(
        "Ret fælles mål 1", "Send ind"
    )

    await soeren.say("ret mål 1.1")
    soeren.expect("Forvaltningen har godkendt registreringen, og den er nu låst. Kontakt forvaltningen")
    soeren.expect_no_choice(GOAL_1_QUESTION, "Slet det lokale mål").expect_not("rette i den")
    await soeren.say("Et helt nyt mål")
    soeren.expect_not("Et helt nyt mål")

    await soeren.say("ret mål 2.1")
    soeren.expect("Forvaltningen har godkendt registreringen, og den er nu låst.").expect_no_choice(
        "Slet det lokale mål"
    )

    await soeren.say("indsend")
    soeren.expect("Forvaltningen har godkendt registreringen, og den er nu låst.")

    solsikken = await world.institution("Solsikken")
    assert solsikken["status"] == "approved"
    assert [g["local_goals"][0]["text"] for g in solsikken["goals"]] == [f"Lokalt mål {n}" for n in (1, 2, 3, 4)]
    assert len(await world.audit()) == versions
