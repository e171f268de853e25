"""Approval in Teams, through the real route: a change after submit reaches the chair, the admin's
«til godkendelse» shows the mark, and «godkend» asks before it approves the changed version."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Registration
from tests.teams.conftest import Teams
from tests.teams.test_personal_chat import SOEREN, joined


async def _status(teams: Teams) -> tuple[str, bool]:
    async with teams.db.transaction() as s:
        reg = await s.scalar(select(Registration))
        assert reg is not None
        return reg.status, reg.changed_after_submit


async def test_the_queue_and_a_change_after_submit_in_teams(teams: Teams) -> None:
    soeren = teams.person(*SOEREN)
    await soeren.say("start")
    await soeren.say("Alle børn har en fast voksen")
    await soeren.say("Faste legegrupper")
    await soeren.say("færdig")
    await soeren.say("Trivselsmåling")
    await soeren.say("marts 2027")
    await soeren.say("ja")
    await soeren.say("2")
    assert "sendt ind" in joined(await soeren.say("send ind"))

    fatima = teams.person("fatima", "fatima.ali@demo.maalbot.dk")
    await fatima.say("hej")
    await fatima.say("ret mål 1.1")
    await fatima.press("Beskrivelse af indsatser: hvad gør I for at nå det lokale…")
    await fatima.say("Læsemakkere")  # saved at once: the chair is told in his personal chat
    told = [c.path for c in teams.connector.posted() if f"personal-{soeren.user_id}" in c.path]
    notice = "Fatima Ali har ændret lokalt mål 1.1 i registreringen for Solsikken, efter at den blev sendt ind."
    assert len(told) == 1 and any(notice in text for text in teams.connector.texts())
    await fatima.say("færdig")
    assert await _status(teams) == ("submitted", True)
    assert "sendt ind · ændret efter indsendelse" in joined(await soeren.say("status"))

    anne = teams.person("anne", "admin@demo.maalbot.dk")
    queue = joined(await anne.say("til godkendelse"))
    assert "Søren Østergaard har sendt registreringen for Solsikken ind." in queue
    assert "Solsikken (Område Nord)" in queue and "ændret efter indsendelse" in queue

    asked = joined(await anne.say("godkend Solsikken"))
    assert "Jeg har ikke godkendt den." in asked and "Ændret: 1.1 «Alle børn har en fast voksen» (indsatser)" in asked
    assert await _status(teams) == ("submitted", True)
    assert "godkendt og låst" in joined(await anne.press("Godkend den ændrede udgave"))
    assert await _status(teams) == ("approved", False)
