"""Notices for others («ready for you», «submitted», approvals) in Teams: delivered as DMs after every
Teams turn (not only after a submit), with the helper Slack and the scheduler use; a transient failure
leaves them for the next round."""

from __future__ import annotations

from sqlalchemy import select

from storage import conversations
from storage.models import Notice, Person
from tests.teams.conftest import Teams

FATIMA = ("fatima", "fatima.ali@demo.maalbot.dk")
SOEREN = ("soeren", "soeren.oestergaard@demo.maalbot.dk")


async def notice_for(teams: Teams, email: str) -> int:
    """A notice as the conversation leaves it, e.g. after a board member marked the board ready in Slack."""
    async with teams.db.transaction() as s:
        person = await s.scalar(select(Person).where(Person.email == email))
        assert person is not None
        await conversations.add_notice(s, person.id, "submitted", {"name": "Line Mørch", "institution": "Solsikken"})
        return person.id


async def undelivered(teams: Teams) -> list[int]:
    async with teams.db.transaction() as s:
        return list((await s.scalars(select(Notice.person_id).where(Notice.delivered_at.is_(None)))).all())


def in_conversation(teams: Teams, user_id: str) -> list[str]:
    """Paths of the activities posted to a person's personal chat."""
    return [c.path for c in teams.connector.posted() if f"personal-{user_id}" in c.path]


async def test_another_persons_turn_delivers_a_pending_notice(teams: Teams) -> None:
    fatima = teams.person(*FATIMA)
    await fatima.say("hej")  # she has met the bot in Teams: her personal chat is stored
    fatima_id = await notice_for(teams, FATIMA[1])
    soeren = teams.person(*SOEREN)

    await soeren.say("start")  # any turn, not a submit
    assert in_conversation(teams, fatima.user_id), "the notice went to Fatima's personal chat"
    assert any("Line Mørch har sendt registreringen for Solsikken" in t for t in teams.connector.texts())
    assert fatima_id not in await undelivered(teams)

    await soeren.say("hjælp")
    assert not in_conversation(teams, fatima.user_id), "delivered once"


async def test_a_transient_failure_leaves_the_notice_for_the_next_turn(teams: Teams) -> None:
    fatima = teams.person(*FATIMA)
    await fatima.say("hej")
    fatima_id = await notice_for(teams, FATIMA[1])
    soeren = teams.person(*SOEREN)
    await soeren.say("start")
    # 502 on every attempt the notifier makes: retries exhausted, a transient failure
    teams.connector.fail_next(f"personal-{fatima.user_id}", 502, times=teams.notifier.policy.attempts)
    await notice_for(teams, FATIMA[1])
    await soeren.say("hjælp")
    assert await undelivered(teams) == [fatima_id]

    await soeren.say("hjælp")
    assert in_conversation(teams, fatima.user_id)
    assert await undelivered(teams) == []
