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


async def test_an_edit_returns_to_where_the_board_was(teams: Teams) -> None:
    """Issue 17, point 3: «ret mål 1.1» at «another local goal?» and a corrected text lands there again."""
    soeren = teams.person("soeren", "soeren.oestergaard@demo.maalbot.dk")
    await soeren.say("start")
    await soeren.say("Alle børn har en fast voksen")
    await soeren.say("Faste legegrupper")
    await soeren.say("færdig")
    await soeren.say("Trivselsmåling")
    await soeren.say("marts 2027")
    assert "Vil I tilføje endnu et lokalt mål" in joined(await soeren.say("ja"))
    await soeren.say("ret mål 1.1")
    assert "Tilbage til, hvor vi var" in soeren.buttons()
    await soeren.submit(choice="q:local_goal")
    said = joined(await soeren.say("Alle børn har mindst én fast voksen"))
    assert "Vi fortsætter, hvor I slap." in said and "Vil I tilføje endnu et lokalt mål" in said
    assert "Her er alt, hvad der er registreret" not in said
