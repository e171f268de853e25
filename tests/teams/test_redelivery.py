"""Teams dedupe: an activity id is unique within a conversation, not across conversations. Two people
whose messages carry the same activity id are both answered; the same activity posted again (Teams'
retry) is not run twice."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import InboxItem, Registration
from tests.teams.conftest import Teams

SOEREN = ("soeren", "soeren.oestergaard@demo.maalbot.dk")
LINE = ("line", "line.moerch@demo.maalbot.dk")  # chair of Mælkebøtten: another board


async def _versions(teams: Teams) -> dict[int, int]:
    """registration id -> version (one per accepted answer)."""
    async with teams.db.transaction() as s:
        return {r.id: r.version for r in await s.scalars(select(Registration))}


async def test_same_activity_id_in_two_conversations_is_two_messages(teams: Teams) -> None:
    soeren, line = teams.person(*SOEREN), teams.person(*LINE)
    await soeren.say("start")
    await line.say("start")
    before = await _versions(teams)
    assert len(before) == 2 and set(before.values()) == {0}, "two boards, nothing answered yet"

    same_id = "1:shared-activity-id"
    teams.connector.reset()
    assert await teams.post(teams.activity(soeren.user_id, soeren.conversation, id=same_id, text="Faste voksne")) in (
        200,
        202,
    )
    to_soeren = teams.connector.texts()
    teams.connector.reset()
    assert await teams.post(teams.activity(line.user_id, line.conversation, id=same_id, text="Læsebånd")) in (200, 202)
    to_line = teams.connector.texts()
    assert any("Beskrivelse af indsatser" in t for t in to_soeren)
    assert any("Beskrivelse af indsatser" in t for t in to_line), "Line's message was taken for a redelivery"
    assert set((await _versions(teams)).values()) == {1}, "each board's answer was stored once"

    teams.connector.reset()  # Teams retries Line's activity: same conversation, same id
    assert await teams.post(teams.activity(line.user_id, line.conversation, id=same_id, text="Læsebånd")) in (200, 202)
    assert teams.connector.posted() == []
    assert set((await _versions(teams)).values()) == {1}
    async with teams.db.transaction() as s:
        keys = sorted(await s.scalars(select(InboxItem.delivery_key).where(InboxItem.delivery_key.contains(same_id))))
    assert len(keys) == 2
