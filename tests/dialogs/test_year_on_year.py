"""A new period of a strategy: the board starts from last period's local goals (keep, edit or drop)."""

from __future__ import annotations

from pathlib import Path

from tests.dialogs.talk import ALMEN, Talk, World


def next_period(tmp_path: Path) -> Path:
    text = ALMEN.read_text(encoding="utf-8")
    text = text.replace("key: almen\n", "key: almen-2028\nprevious: almen\n", 1)
    text = text.replace("start: 2023-12-01", "start: 2028-01-01").replace("end: 2027-12-31", "end: 2031-12-31")
    path = tmp_path / "almen-2028.yaml"
    path.write_text(text, encoding="utf-8")
    return path


async def test_board_keeps_edits_and_drops_last_periods_local_goals(world: World, soeren: Talk, tmp_path: Path) -> None:
    await soeren.say("start")
    await soeren.register_local_goal("Alle børn har en fast voksen", interventions=("Makkerpar",))
    await soeren.say("ja")
    await soeren.register_local_goal(
        "Flere ture ud af huset", interventions=("Skovdage",), when="når vi har tid", confirm_dates=False
    )
    await soeren.say("nej")
    await soeren.register_local_goal("Læselyst", interventions=("Læsevenner",))
    await soeren.say("nej")
    soeren.expect("Fælles mål 3 af 4")

    await world.load_strategy(next_period(tmp_path))
    await soeren.say("start")
    soeren.expect("Sidste periode", "Alle børn har en fast voksen", "Makkerpar", "Fælles mål 1 af 4")
    await soeren.choose("Behold det")  # its measurement in March 2027 lies before the new period: a new date
    soeren.expect("Beholdt.", "Målingen af «Alle børn har en fast voksen» var sat til marts 2027")
    soeren.expect("uden for den nye periode (1. januar 2028 – 31. december 2031)", "Og hvornår vil I måle det?")
    await soeren.say("marts 2029")
    await soeren.choose("Ja")
    soeren.expect("Sidste periode", "Flere ture ud af huset")
    await soeren.choose("Fjern det")
    soeren.expect("Lokale mål under fælles mål 1 indtil nu", "1.1 Alle børn har en fast voksen")
    soeren.expect_not("Flere ture")
    await soeren.say("nej")

    soeren.expect("Sidste periode", "Læselyst", "Fælles mål 2 af 4")
    await soeren.choose("Ret det")
    soeren.expect("Hvilke lokale mål skal der til for at opnå mål 2?", "Nuværende svar: Læselyst")
    await soeren.say("Læselyst for alle børn")
    soeren.expect("Beskrivelse af indsatser", "Læsevenner")
    await soeren.choose("Færdig")
    soeren.expect("Hvordan og hvornår måles effekten?", "Trivselsmåling")
    await soeren.choose("Behold svaret")
    soeren.expect("Lokale mål under fælles mål 2 indtil nu", "2.1 Læselyst for alle børn")
    await soeren.say("nej")
    soeren.expect("Hvilke lokale mål skal der til for at opnå mål 3?").expect_not("Sidste periode")

    now = await world.institution("Solsikken")
    goals = {g["number"]: g["local_goals"] for g in now["goals"]}
    assert [lg["text"] for lg in goals[1]] == ["Alle børn har en fast voksen"]
    assert goals[1][0]["interventions"] == ["Makkerpar"]
    assert goals[1][0]["measurement"] == {"method": "Trivselsmåling", "when": "marts 2029", "dates": ["2029-03-01"]}
    assert [lg["text"] for lg in goals[2]] == ["Læselyst for alle børn"]
    assert goals[2][0]["interventions"] == ["Læsevenner"]


async def test_without_a_previous_period_nothing_is_offered(world: World, soeren: Talk) -> None:
    await soeren.say("start")
    soeren.expect("Hvilke lokale mål skal der til for at opnå mål 1?").expect_not("Sidste periode")
