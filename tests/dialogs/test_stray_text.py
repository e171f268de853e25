"""Text typed while a question is open that is not the board's answer: commands with typos, wishes to
stop messages, questions to the bot and a leader's own commands are never stored as shared board data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.dialogs.talk import ALMEN, Talk, World

GOAL_1_QUESTION = "Hvilke lokale mål skal der til for at opnå mål 1?"
INTERVENTIONS = "Beskrivelse af indsatser"
NOT_SAVED = "ikke gemt"


async def _local_goals(world: World, institution: str) -> list[str]:
    goals: list[dict[str, Any]] = (await world.institution(institution))["goals"]
    return [lg["text"] for g in goals for lg in g["local_goals"]]


@pytest.mark.parametrize("text", ["stop påmindelser", "afmeld", "ingen flere beskeder", "Afmeld mig."])
async def test_stop_wording_is_not_an_answer(world: World, soeren: Talk, text: str) -> None:
    await soeren.say("hej")
    await soeren.say(text)
    soeren.expect(NOT_SAVED, "«pause indtil 1. december»", GOAL_1_QUESTION)
    assert await _local_goals(world, "Solsikken") == []
    assert len(await world.audit()) == 0


async def test_a_question_to_the_bot_is_answered_and_the_question_asked_again(world: World, soeren: Talk) -> None:
    await soeren.say("hej")
    await soeren.say("hvornår er fristen?")
    soeren.expect("Jeg kan ikke svare på spørgsmål her", "«hjælp»", GOAL_1_QUESTION)
    soeren.expect("Fristen var 30. november 2023.")  # the default strategy's deadline has passed: past tense
    assert await _local_goals(world, "Solsikken") == []

    await soeren.say("Alle børn har en fast voksen")  # the answer still goes in afterwards
    soeren.expect(INTERVENTIONS)
    assert await _local_goals(world, "Solsikken") == ["Alle børn har en fast voksen"]


async def test_a_question_tells_the_deadline_when_it_is_ahead(world: World, tmp_path: Path) -> None:
    data = yaml.safe_load(ALMEN.read_text(encoding="utf-8"))
    data.update(key="almen-2027", deadline="2027-02-01")
    path = tmp_path / "almen-2027.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    await world.load_strategy(path)
    soeren = await world.talk("soeren.oestergaard")
    await soeren.say("hej")
    await soeren.say("Hvornår er fristen?")
    soeren.expect("Fristen er 1. februar 2027.", GOAL_1_QUESTION)
    assert await _local_goals(world, "Solsikken") == []


async def test_a_typo_of_help_asks_did_you_mean_and_runs_the_command(world: World, soeren: Talk) -> None:
    await soeren.say("hej")
    await soeren.say("hjelp")
    soeren.expect("Mente I «hjælp», eller er det jeres svar?")
    assert await _local_goals(world, "Solsikken") == []
    await soeren.choose("stray:run")
    soeren.expect("«tilbage»")  # the help text
    assert await _local_goals(world, "Solsikken") == []


async def test_did_you_mean_can_keep_the_text_as_the_answer(world: World, soeren: Talk) -> None:
    await soeren.say("hej")
    await soeren.say("hjelp")
    await soeren.choose("stray:keep")
    soeren.expect(INTERVENTIONS)
    assert await _local_goals(world, "Solsikken") == ["hjelp"]


async def test_a_leaders_commands_are_never_a_local_goal(world: World) -> None:
    kasper = await world.talk("kasper.aaberg")  # leader of Ærøvej Skole
    await kasper.say("hej")  # a leader is greeted as a leader, and chooses to work on the registration
    await kasper.choose("Arbejd med registreringen for Ærøvej Skole")
    kasper.expect(GOAL_1_QUESTION)
    await kasper.say("vis Ærøvej")
    kasper.expect("Ærøvej Skole")
    await kasper.say("status Område Nord")
    kasper.expect("Område Nord")
    await kasper.say("hvem mangler?")
    await kasper.say("statusside")
    await kasper.say("statusid")  # a typo: asked, not stored
    kasper.expect("Mente I «statusside», eller er det jeres svar?")
    await kasper.choose("Ja, «statusside»")
    kasper.expect_not("Beskrivelse af indsatser")
    kasper.expect("statussiden")  # the link request was run (links are switched off in these tests)
    assert await _local_goals(world, "Ærøvej Skole") == []
    assert len(await world.audit()) == 0


@pytest.mark.parametrize(
    "text", ["Vi vil vise børnene, at alle hører til", "Status på trivsel måles to gange om året", "Vis respekt"]
)
async def test_answers_that_merely_contain_command_words_are_stored(world: World, soeren: Talk, text: str) -> None:
    await soeren.say("hej")
    await soeren.say(text)
    soeren.expect(INTERVENTIONS)
    assert await _local_goals(world, "Solsikken") == [text]
