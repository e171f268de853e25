"""Whole registrations, start to submit: the default strategy, a restart half way, and the
cluster vision (klynge-vision.yaml) through the same engine."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.models import Registration, RegistrationStatus, Strategy
from tests.dialogs.talk import KLYNGE, Talk, World

GOAL_1_QUESTION = "Hvilke lokale mål skal der til for at opnå mål 1?"
INTERVENTIONS = "Beskrivelse af indsatser: hvad gør I for at nå det lokale mål?"
MEASUREMENT = "Hvordan og hvornår måles effekten?"
WHEN = "Og hvornår vil I måle det?"


# The conversation itself is scripted through the engine alone (tests/dialogs/engine/test_registration.py)
# and every other test here talks to SQLite: the whole registration end to end runs on PostgreSQL only.
@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
async def test_a_chair_registers_the_whole_default_strategy_and_submits(world_on_both: World) -> None:
    soeren = await world_on_both.talk("soeren.oestergaard")

    await soeren.say("hej")
    soeren.expect(
        "Hej Søren Østergaard! Her kan I arbejde med de lokale mål for Solsikken i strategien "
        "«Styrkelse af almenområdet».",
        "Der er 4 fælles mål.",
        "Fælles mål 1 af 4: Alle børn og unge bringes hver dag i en privilegeret position",
        GOAL_1_QUESTION,
    )

    # Local goal 1.1: interventions as several lines in one message, then one more on its own.
    await soeren.say("Alle børn har en fast voksen, de kan gå til")
    soeren.expect("Om «Alle børn har en fast voksen, de kan gå til»:", INTERVENTIONS)
    await soeren.say("- Faste legegrupper\n- Venskabsklasser")
    soeren.expect("Tilføjet 2.", "• Faste legegrupper\n• Venskabsklasser", "Skriv den næste, eller vælg «Færdig».")
    await soeren.say("Legepatrulje i frikvartererne")
    soeren.expect("Tilføjet.", "• Legepatrulje i frikvartererne")
    await soeren.choose("Færdig")
    soeren.expect(MEASUREMENT, "Først: hvordan vil I måle det?")
    await soeren.say("trivselsmåling")
    soeren.expect(WHEN)
    await soeren.say("marts 2027")
    soeren.expect("Jeg har forstået det som: 1. marts 2027. Passer det?").expect_choice(
        "Ja", "Nej, behold vores formulering"
    )
    await soeren.choose("Ja")
    soeren.expect("Lokale mål under fælles mål 1 indtil nu:", "1.1 Alle børn har en fast voksen, de kan gå til")
    soeren.expect("Vil I tilføje endnu et lokalt mål under fælles mål 1?").expect_choice("Nej, videre til fælles mål 2")

    # Local goal 1.2: interventions as one message each.
    await soeren.choose("Ja, tilføj et til")
    soeren.expect(GOAL_1_QUESTION)
    await soeren.say("Alle børn bliver hørt i hverdagen")
    await soeren.say("Børnemøder hver fredag")
    await soeren.say("Samtalekort")
    soeren.expect("• Børnemøder hver fredag\n• Samtalekort")
    await soeren.choose("Færdig")
    await soeren.say("Børneinterview")
    await soeren.say("oktober 2027")
    await soeren.choose("Ja")
    soeren.expect("1.1 Alle børn har en fast voksen", "1.2 Alle børn bliver hørt i hverdagen")
    await soeren.choose("Nej, videre til fælles mål 2")

    soeren.expect("Fælles mål 2 af 4", "Hvilke lokale mål skal der til for at opnå mål 2?")
    await soeren.register_local_goal("Alle børn får et fagligt løft", ["Læsebånd", "Matematikvejledning"])
    await soeren.choose("Nej, videre til fælles mål 3")
    soeren.expect("Hvilke lokale mål skal der til for at opnå mål 3?")
    await soeren.register_local_goal("Børnenes stemme i planlægningen", ["Børneråd"], "Observationer", "maj 2027")
    await soeren.choose("Nej, videre til fælles mål 4")
    soeren.expect("Hvilke lokale mål skal der til for at opnå mål 4?")
    await soeren.register_local_goal("Sunde fællesskaber på legepladsen", ["Legeguider"], "Samtaler", "juni 2027")
    await soeren.choose("Nej, videre til gennemgangen")
    soeren.expect("1.1 Alle børn har en fast voksen, de kan gå til").expect_not("Senest skrevet af")  # in short
    await soeren.choose("Vis detaljerne")

    soeren.expect(
        "Her er alt, hvad der er registreret for Solsikken:",
        "Fælles mål 1 af 4",
        "Fælles mål 4 af 4",
        "Alle børn har en fast voksen, de kan gå til",
        "• Faste legegrupper\n• Venskabsklasser\n• Legepatrulje i frikvartererne",
        "trivselsmåling\nHvornår: marts 2027\nDatoer: 1. marts 2027",
        "Alle børn bliver hørt i hverdagen",
        "Børneinterview\nHvornår: oktober 2027\nDatoer: 1. oktober 2027",
        "Alle børn får et fagligt løft",
        "Børnenes stemme i planlægningen",
        "Sunde fællesskaber på legepladsen",
        "Senest skrevet af",
        "Alt er besvaret. Vil I sende registreringen ind til forvaltningen?",
    )
    soeren.expect_not("ikke besvaret", "Det mangler")
    await soeren.choose("Send ind")
    soeren.expect("Tak! Registreringen for Solsikken er sendt ind til forvaltningen")

    solsikken = await world_on_both.institution("Solsikken")
    assert solsikken["status"] == "submitted"
    assert solsikken["submitted_by"] == "Søren Østergaard"
    goal_1 = solsikken["goals"][0]["local_goals"]
    assert [lg["text"] for lg in goal_1] == [
        "Alle børn har en fast voksen, de kan gå til",
        "Alle børn bliver hørt i hverdagen",
    ]
    assert goal_1[0]["interventions"] == ["Faste legegrupper", "Venskabsklasser", "Legepatrulje i frikvartererne"]
    assert goal_1[0]["measurement"] == {"method": "trivselsmåling", "when": "marts 2027", "dates": ["2027-03-01"]}
    assert goal_1[1]["interventions"] == ["Børnemøder hver fredag", "Samtalekort"]
    assert goal_1[1]["measurement"]["dates"] == ["2027-10-01"]
    assert goal_1[0]["updated_by"] == "Søren Østergaard"
    assert [len(g["local_goals"]) for g in solsikken["goals"]] == [2, 1, 1, 1]
    assert solsikken["goals"][3]["local_goals"][0]["measurement"]["dates"] == ["2027-06-01"]

    audit = await world_on_both.audit()
    assert {who for who, *_ in audit} == {"Søren Østergaard"}
    assert (
        "Søren Østergaard",
        "goal 1/local goal 1/local_goal",
        None,
        "Alle børn har en fast voksen, de kan gå til",
    ) in [a[:4] for a in audit]
    interventions = [a for a in audit if a[1] == "goal 1/local goal 1/interventions"]
    assert interventions[0][2:4] == (None, '["Faste legegrupper", "Venskabsklasser"]')
    assert interventions[-1][2] == '["Faste legegrupper", "Venskabsklasser"]'
    assert "Legepatrulje i frikvartererne" in (interventions[-1][3] or "")
    assert ("Søren Østergaard", "status", "draft", "submitted") in [a[:4] for a in audit]
    versions = [a[4] for a in audit]
    assert versions == list(range(1, len(audit) + 1))
    reg = await world_on_both.registration("Solsikken")
    assert reg is not None and reg.version == len(audit) and reg.status == RegistrationStatus.SUBMITTED.value


async def _half_way(soeren: Talk) -> None:
    await soeren.say("hej")
    await soeren.say("Alle børn har en fast voksen")
    await soeren.say("Faste legegrupper")
    await soeren.choose("Færdig")
    await soeren.say("Trivselsmåling")
    soeren.expect(WHEN)


async def test_paused_half_way_a_restarted_service_resumes_at_the_same_question(world: World, soeren: Talk) -> None:
    await _half_way(soeren)
    await soeren.say("pause")
    soeren.expect("Alt er gemt. Skriv «fortsæt», når I vil videre.")

    world.restart()
    await soeren.say("fortsæt")
    soeren.expect("Velkommen tilbage! Vi fortsætter, hvor I slap.", WHEN)

    await soeren.say("marts 2027")
    await soeren.choose("Ja")
    soeren.expect("Vil I tilføje endnu et lokalt mål under fælles mål 1?")
    measurement = (await world.institution("Solsikken"))["goals"][0]["local_goals"][0]["measurement"]
    assert measurement == {"method": "Trivselsmåling", "when": "marts 2027", "dates": ["2027-03-01"]}


async def test_a_chair_who_just_left_is_greeted_back_at_the_same_question_after_a_restart(
    world: World, soeren: Talk
) -> None:
    await soeren.say("hej")
    await soeren.say("Alle børn har en fast voksen")
    await soeren.say("Faste legegrupper")

    world.restart()
    await soeren.say("hej")
    soeren.expect("Hej Søren Østergaard!", "Om «Alle børn har en fast voksen»:", INTERVENTIONS, "• Faste legegrupper")
    soeren.expect_not(GOAL_1_QUESTION)
    await soeren.say("Venskabsklasser")
    soeren.expect("• Faste legegrupper\n• Venskabsklasser")


async def test_hej_after_a_pause_and_a_restart_resumes_at_the_same_question(world: World, soeren: Talk) -> None:
    await _half_way(soeren)
    await soeren.say("pause")

    world.restart()
    await soeren.say("hej")
    soeren.expect(WHEN)
    await soeren.say("marts 2027")
    soeren.expect("Jeg har forstået det som: 1. marts 2027. Passer det?")


async def test_a_new_strategy_loaded_half_way_starts_the_board_on_it(world: World, lone: Talk, soeren: Talk) -> None:
    # the cluster vision is the leadership's (respondent: leadership), so the leader is the one who answers it
    await lone.say("hej")  # greeted as a leader; she chooses to work on the registration
    await lone.choose("Arbejd med registreringen for Solsikken")
    await lone.say("Alle børn har en fast voksen")
    await world.load_strategy(KLYNGE)

    await lone.say("fortsæt")
    lone.expect("«Vision for Børnefortællingen 2024-2027»", "Fælles mål 1 af 5").expect_not(INTERVENTIONS)
    lone.expect("Målepunkter:", "min. 10 metoder/arbejdsgange på tværs af klyngens enheder")
    await soeren.say("hej")  # the chair of the parent board is not asked
    soeren.expect("«Vision for Børnefortællingen 2024-2027» besvares af institutionens ledelse")
    soeren.expect_not("Fælles mål 1")
    assert (await world.institution("Solsikken"))["goals"][0]["local_goals"] == []
    async with world.db.transaction() as s:
        old = await s.scalar(select(Strategy).where(Strategy.key == "almen"))
        assert old is not None
        kept = await s.scalar(select(Registration).where(Registration.strategy_id == old.id))
        assert kept is not None and kept.version == 1


async def test_the_cluster_vision_runs_through_the_same_engine(world: World, lone: Talk) -> None:
    await world.load_strategy(KLYNGE)

    await lone.say("hej")  # the leader is greeted as a leader, and chooses to work on the registration
    await lone.choose("Arbejd med registreringen for Solsikken")
    lone.expect(
        "Her kan I arbejde med de lokale mål for Solsikken i strategien «Vision for Børnefortællingen 2024-2027».",
        "Der er 5 fælles mål.",
        "Fælles mål 1 af 5: Samarbejde på tværs i klyngeledelsen",
        'Hvad er jeres lokale mål for det fælles mål "Samarbejde på tværs i klyngeledelsen"?',
    )

    async def focus_area(number: int, local_goal: str, status: str | None) -> None:
        lone.expect(f"Fælles mål {number} af 5")
        await lone.say(local_goal)
        lone.expect("Hvilke indsatser sætter I i gang?")
        await lone.say(f"Handling {number}a\nHandling {number}b")
        await lone.choose("Færdig")
        lone.expect("Hvordan og hvornår måler I?")
        await lone.say("KIDS-måling")
        await lone.say("foråret 2027")
        await lone.choose("Ja")
        lone.expect("Er det et nyt mål, eller arbejder I allerede med det?")
        lone.expect_choice("Nyt", "I gang", "Videreført fra sidste år", "Spring over")
        await lone.choose(status or "Spring over")
        lone.expect(f"Lokale mål under fælles mål {number} indtil nu:", f"{number}.1 {local_goal}")
        await lone.say("nej")

    await focus_area(1, "Ti fælles metoder på tværs", "I gang")
    await focus_area(2, "Vedligehold i samspil og relationer", None)
    await focus_area(3, "Nærværende voksne hver dag", "Nyt")
    await focus_area(4, "Den oplevede værdi undersøges", "Videreført fra sidste år")
    lone.expect("Fælles mål 5 af 5", "Forældre og institution er gensidigt forpligtet")
    await lone.say("Fælles arrangementer med forældrene")
    await lone.say("Sommerfest")
    await lone.choose("Færdig")
    await lone.say("Forældretilfredshed")
    await lone.say("når vi har tid")
    lone.expect("Hvilken måned regner I med at måle?")  # one follow-up question for a month
    await lone.say("løbende")
    lone.expect("Jeg kunne ikke finde en dato i «når vi har tid (løbende)»")
    await lone.say("2")  # the second option, typed
    await lone.choose("Nej, videre til gennemgangen")
    await lone.choose("Vis detaljerne")

    lone.expect(
        "Her er alt, hvad der er registreret for Solsikken:",
        "Fælles mål 5 af 5",
        "Ti fælles metoder på tværs",
        "• Handling 1a\n• Handling 1b",
        "KIDS-måling\nHvornår: foråret 2027",
        "Er det et nyt mål, eller arbejder I allerede med det?",
        "I gang",
        "(ikke besvaret)",  # the optional question skipped under focus area 2
        "Alt er besvaret. Vil I sende registreringen ind til forvaltningen?",
    )
    lone.expect_choice("Ret fælles mål 1", "Ret fælles mål 5")
    await lone.choose("Send ind")
    lone.expect("Tak! Registreringen for Solsikken er sendt ind")

    export = await world.institution("Solsikken")
    assert export["status"] == "submitted"
    local_goals = [g["local_goals"][0] for g in export["goals"]]
    assert [lg["answers"].get("status") for lg in local_goals] == ["igang", None, "ny", "viderefoert", "igang"]
    assert local_goals[0]["interventions"] == ["Handling 1a", "Handling 1b"]
    assert local_goals[0]["measurement"] == {"method": "KIDS-måling", "when": "foråret 2027", "dates": ["2027-03-01"]}
    kept = {"method": "Forældretilfredshed", "when": "når vi har tid (løbende)", "dates": []}
    assert local_goals[4]["measurement"] == kept
    # the default strategy's registration is untouched
    async with world.db.transaction() as s:
        keys = (await s.execute(select(Strategy.key).join(Registration, Registration.strategy_id == Strategy.id))).all()
    assert [k for (k,) in keys] == ["klynge-vision"]
