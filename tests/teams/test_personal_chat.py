"""A board member registers in a Teams personal chat: by pressing card buttons, and by typing."""

from __future__ import annotations

from sqlalchemy import select

from storage.export import build_export
from storage.models import ConversationRef, Registration
from tests.teams.conftest import Teams

SOEREN = ("soeren", "soeren.oestergaard@demo.maalbot.dk")


def joined(texts: list[str]) -> str:
    return "\n".join(texts)


async def submitted(teams: Teams) -> list[str]:
    async with teams.db.transaction() as s:
        return [r.status for r in await s.scalars(select(Registration))]


async def test_registration_with_card_submits(teams: Teams) -> None:
    soeren = teams.person(*SOEREN)
    assert "Hej Søren Østergaard" in joined(await soeren.say("start"))
    assert "Hvilke lokale mål skal der til for at opnå mål 1?" in joined(teams.connector.texts())
    # a question without buttons has a text box; its submit carries the typed text
    assert "Send" in soeren.buttons()
    assert "Beskrivelse af indsatser" in joined(await soeren.submit(text="Alle børn har en fast voksen", kind="text"))
    await soeren.submit(text="Faste legegrupper", kind="text")
    assert "Hvordan og hvornår måles effekten?" in joined(await soeren.press("Færdig"))
    await soeren.submit(text="Trivselsmåling", kind="text")
    assert "1. marts 2027" in joined(await soeren.submit(text="marts 2027", kind="text"))
    await soeren.press("Ja")
    review = await soeren.press("Nej, videre til gennemgangen")
    cards = teams.connector.cards()
    assert len(cards) == 1, "the review is one card"
    assert cards[0]["version"] == "1.5"
    assert any("1.1 Alle børn har en fast voksen" in line for line in review)  # one line per local goal
    assert not any("Faste legegrupper" in line for line in review)
    details = await soeren.press("Vis detaljerne")
    assert any("Faste legegrupper" in line for line in details)
    assert "sendt ind" in joined(await soeren.press("Send ind"))
    assert await submitted(teams) == ["submitted"]


async def test_registration_by_typing(teams: Teams) -> None:
    soeren = teams.person(*SOEREN)
    await soeren.say("start")
    await soeren.say("Alle børn har en fast voksen")
    await soeren.say("Faste legegrupper")
    assert "Hvordan og hvornår måles effekten?" in joined(await soeren.say("færdig"))
    await soeren.say("Trivselsmåling")
    await soeren.say("marts 2027")
    await soeren.say("ja")
    assert "Vil I sende registreringen ind" in joined(await soeren.say("2"))
    assert "sendt ind" in joined(await soeren.say("send ind"))
    assert await submitted(teams) == ["submitted"]


async def test_identity_by_email_from_member_lookup_then_remembered(teams: Teams) -> None:
    soeren = teams.person(*SOEREN)
    await soeren.say("start")
    lookups = [c for c in teams.connector.calls if c.method == "GET" and "/members/" in c.path]
    assert len(lookups) == 1
    await soeren.say("hjælp")
    assert not [c for c in teams.connector.calls if c.method == "GET"], "known after the first message"


async def test_identity_by_user_principal_name(teams: Teams) -> None:
    teams.connector.members["29:upn"] = {
        "id": "29:upn",
        "name": "Fatima",
        "userPrincipalName": "fatima.ali@demo.maalbot.dk",
    }
    fatima = teams.person("unused", "nobody@example.org")
    fatima.user_id = "29:upn"
    assert "Hej Fatima Ali" in joined(await fatima.say("start"))


async def test_unknown_user_is_told_who_to_contact(teams: Teams) -> None:
    stranger = teams.person("stranger", "stranger@example.org")
    texts = joined(await stranger.say("hej"))
    assert "forvaltningen" in texts
    async with teams.db.transaction() as s:
        refs = list(await s.scalars(select(ConversationRef)))
    assert [(r.kind, r.person_id) for r in refs] == [("personal", None)]


async def test_redelivered_activity_is_processed_once(teams: Teams) -> None:
    soeren = teams.person(*SOEREN)
    await soeren.say("start")
    activity = teams.activity(soeren.user_id, soeren.conversation, text="Alle børn har en fast voksen")
    teams.connector.reset()
    assert await teams.post(activity) == 202
    first = len(teams.connector.posted())
    assert first >= 1
    assert await teams.post(activity) == 202  # Teams' retry after 15 seconds: same id
    assert len(teams.connector.posted()) == first
    async with teams.db.transaction() as s:
        reg = await s.scalar(select(Registration))
        assert reg is not None and reg.version == 1


async def test_personal_reference_is_stored_with_the_person(teams: Teams) -> None:
    soeren = teams.person(*SOEREN)
    await soeren.say("start")
    async with teams.db.transaction() as s:
        ref = await s.scalar(select(ConversationRef))
    assert ref is not None and ref.kind == "personal" and ref.person_id is not None
    assert ref.conversation_key == soeren.conversation["id"]
    assert ref.reference["serviceUrl"] == teams.connector.url
    assert ref.reference["conversation"]["tenantId"] == "tenant-demo"


async def test_a_likely_command_is_asked_about_and_run_from_the_card(teams: Teams) -> None:
    soeren = teams.person(*SOEREN)
    await soeren.say("start")
    asked = joined(await soeren.say("hjelp"))
    assert "Mente I «hjælp», eller er det jeres svar?" in asked
    assert "Ja, «hjælp»" in soeren.buttons()
    assert "«tilbage»" in joined(await soeren.press("Ja, «hjælp»"))
    export = await build_export(teams.db)
    assert [lg for i in export["institutions"] for g in i["goals"] for lg in g["local_goals"]] == []
