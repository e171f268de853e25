"""A board member registers in a Slack DM: with buttons, by typing, and through the real default strategy."""

from __future__ import annotations

from bot.web import DB_KEY
from storage.export import build_export
from tests.slack.conftest import DEMO
from tests.slack.workspace import SlackPerson, Workspace


async def register_one_goal(chair: SlackPerson, *, typed: bool) -> None:
    await chair.say("start")
    chair.expect("Hej Søren Østergaard", "Hvilke lokale mål skal der til for at opnå mål 1?")
    await chair.say("Alle børn har en fast ven")
    chair.expect("Beskrivelse af indsatser")
    await chair.say("Faste legegrupper\nLæsemakkere")
    await (chair.say("færdig") if typed else chair.press("Færdig"))
    chair.expect("Hvordan og hvornår måles effekten?")
    await chair.say("Trivselsmåling")
    chair.expect("Og hvornår vil I måle det?")
    await chair.say("marts 2027")
    chair.expect("Passer det?")
    await (chair.say("ja") if typed else chair.press("Ja"))
    chair.expect("Vil I tilføje endnu et lokalt mål")
    await (chair.say("2") if typed else chair.press("Nej, videre til gennemgangen"))
    chair.expect("Her er alt, hvad der er registreret for Solsikken", "Alle børn har en fast ven")
    await (chair.say("Send ind") if typed else chair.press("Send ind"))
    chair.expect("er sendt ind til forvaltningen")


async def test_registration_with_buttons(workspace: Workspace) -> None:
    chair = workspace.person("U0SOEREN", f"soeren.oestergaard@{DEMO}", "Søren")
    await register_one_goal(chair, typed=False)
    export = await build_export(workspace.client.app[DB_KEY])
    solsikken = next(i for i in export["institutions"] if i["name"] == "Solsikken")
    assert solsikken["status"] == "submitted"
    # the pressed messages show what was chosen instead of live buttons
    updates = workspace.fake.calls_to("chat.update")
    assert updates and all(b["type"] != "actions" for u in updates for b in u.params["blocks"])


async def test_registration_by_typing(workspace: Workspace) -> None:
    chair = workspace.person("U0SOEREN", f"soeren.oestergaard@{DEMO}", "Søren")
    await register_one_goal(chair, typed=True)
    assert not workspace.fake.calls_to("chat.update")


async def test_the_default_strategy_from_start_to_submit(almen_workspace: Workspace) -> None:
    ws = almen_workspace
    chair = ws.person("U0SOEREN", f"soeren.oestergaard@{DEMO}", "Søren")
    await chair.say("start")
    for goal in range(1, 5):
        chair.expect(f"Fælles mål {goal} af 4", f"Hvilke lokale mål skal der til for at opnå mål {goal}?")
        await chair.say(f"Lokalt mål for mål {goal}")
        await chair.say("Indsats A\nIndsats B")
        await chair.press("Færdig")
        await chair.say("Observationer")
        await chair.say("hvert kvartal" if goal % 2 else "juni 2027")
        if "Passer det?" in chair.text:
            await chair.press("Ja")
        chair.expect(f"Vil I tilføje endnu et lokalt mål under fælles mål {goal}?")
        await chair.press(f"Nej, videre til fælles mål {goal + 1}" if goal < 4 else "Nej, videre til gennemgangen")
    chair.expect("Her er alt, hvad der er registreret for Solsikken", "Lokalt mål for mål 4")
    await chair.press("Send ind")
    chair.expect("er sendt ind til forvaltningen")
    export = await build_export(ws.client.app[DB_KEY])
    solsikken = next(i for i in export["institutions"] if i["name"] == "Solsikken")
    assert solsikken["status"] == "submitted"
    assert len(ws.fake.posted("#maal-nord")) == 1
    # every message stays within Slack's limits
    for message in ws.fake.posted():
        assert len(message["blocks"]) <= 50
        for block in message["blocks"]:
            if block["type"] == "section":
                assert len(block["text"]["text"]) <= 3000


async def test_a_likely_command_is_asked_about_and_can_be_kept_as_the_answer(workspace: Workspace) -> None:
    chair = workspace.person("U0SOEREN", f"soeren.oestergaard@{DEMO}", "Søren")
    await chair.say("start")
    await chair.say("afmeld")
    chair.expect("ikke gemt som jeres svar", "Hvilke lokale mål skal der til for at opnå mål 1?")
    await chair.say("hjelp")
    chair.expect("Mente I «hjælp», eller er det jeres svar?")
    await chair.press("Nej, det er vores svar")
    chair.expect("Beskrivelse af indsatser")
    export = await build_export(workspace.client.app[DB_KEY])
    solsikken = next(i for i in export["institutions"] if i["name"] == "Solsikken")
    assert [lg["text"] for g in solsikken["goals"] for lg in g["local_goals"]] == ["hjelp"]


async def test_an_edit_returns_to_where_the_board_was(almen_workspace: Workspace) -> None:
    """Issue 17, point 3: «ret mål 1.1» and a corrected text in the middle of goal 2 lands on goal 2 again."""
    chair = almen_workspace.person("U0SOEREN", f"soeren.oestergaard@{DEMO}", "Søren")
    await chair.say("start")
    await chair.say("Alle børn har en fast ven")
    await chair.say("Faste legegrupper")
    await chair.press("Færdig")
    await chair.say("Trivselsmåling")
    await chair.say("marts 2027")
    await chair.press("Ja")
    await chair.press("Nej, videre til fælles mål 2")
    chair.expect("Hvilke lokale mål skal der til for at opnå mål 2?")
    await chair.say("ret mål 1.1")
    chair.button("Tilbage til, hvor vi var")
    await chair.press("q:local_goal")
    await chair.say("Alle børn har mindst én fast ven")
    chair.expect("Vi fortsætter, hvor I slap.", "Hvilke lokale mål skal der til for at opnå mål 2?")
    assert "Her er alt, hvad der er registreret" not in chair.text
    export = await build_export(almen_workspace.client.app[DB_KEY])
    solsikken = next(i for i in export["institutions"] if i["name"] == "Solsikken")
    assert solsikken["goals"][0]["local_goals"][0]["text"] == "Alle børn har mindst én fast ven"
