"""Help per role in a Teams personal chat: the leader is greeted as a leader, the administration hears
its own commands (issue 17, point 2)."""

from __future__ import annotations

from tests.teams.conftest import Teams


def joined(texts: list[str]) -> str:
    return "\n".join(texts)


async def test_an_institution_leader_is_greeted_as_a_leader_and_can_start_the_board_flow(teams: Teams) -> None:
    lone = teams.person("lone", "lone.baek@demo.maalbot.dk")
    said = joined(await lone.say("hej"))
    assert "Som leder af Solsikken kan du skrive:" in said
    assert "«hvem mangler?» – de bestyrelser, der ikke har sendt ind endnu" in said
    assert "Hvilke lokale mål skal der til" not in said  # not the board flow
    said = joined(await lone.press("Arbejd med registreringen for Solsikken"))
    assert "Hvilke lokale mål skal der til for at opnå mål 1?" in said


async def test_the_administration_hears_its_own_commands(teams: Teams) -> None:
    admin = teams.person("anne", "admin@demo.maalbot.dk")
    said = joined(await admin.say("hjælp"))
    assert "Som forvaltning kan du skrive:" in said
    assert "«godkend <institution>» – godkend en registrering, der er sendt ind" in said
    assert "«tilbage»" not in said and "Skriv «start»" not in said
