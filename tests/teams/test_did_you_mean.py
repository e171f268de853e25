"""«Mente I/du …?» in a Teams personal chat, through POST /api/messages (issue 17, points 1 and 6): a likely
command typed where an answer is expected is asked about, not stored; another area's name is offered as a
choice, never answered for one's own area."""

from __future__ import annotations

from typing import Any

from storage.export import build_export
from tests.teams.conftest import Teams


def joined(texts: list[str]) -> str:
    return "\n".join(texts)


async def _local_goals(teams: Teams, institution: str) -> list[str]:
    found = [i for i in (await build_export(teams.db))["institutions"] if i["name"] == institution]
    goals: list[dict[str, Any]] = found[0]["goals"] if found else []
    return [lg["text"] for g in goals for lg in g["local_goals"]]


async def test_a_leaders_typo_of_a_command_is_asked_about_and_not_stored(teams: Teams) -> None:
    lone = teams.person("lone", "lone.baek@demo.maalbot.dk")  # leader of Solsikken
    await lone.say("hej")
    said = joined(await lone.press("Arbejd med registreringen for Solsikken"))
    assert "Hvilke lokale mål skal der til for at opnå mål 1?" in said
    said = joined(await lone.say("statusid"))  # a typo of «statusside», typed where a local goal is asked
    assert "Mente I «statusside», eller er det jeres svar?" in said
    assert {"Ja, «statusside»"} <= set(lone.buttons())
    assert await _local_goals(teams, "Solsikken") == []
    said = joined(await lone.press("Ja, «statusside»"))
    assert "statussiden" in said  # the command was run (links are off here: it says so)
    assert "Beskrivelse af indsatser" not in said
    assert await _local_goals(teams, "Solsikken") == []


async def test_another_areas_name_gets_a_choice_not_ones_own_area(teams: Teams) -> None:
    mette = teams.person("mette", "mette.noergaard@demo.maalbot.dk")  # area leader of Område Nord
    said = joined(await mette.say("status Område Syd"))
    assert "Jeg kan ikke finde «Område Syd». Mente du en af disse?" in said
    assert "Status for Område Nord" not in said and "Solsikken" not in said
