"""Team rosters: the bot is installed in a team, reads who is in it (paged, through the Agents SDK) and
keeps the people of the organisation file, so it can open a personal chat with them later."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.settings import SettingsError
from bot.teams.app import TEAMS_ROSTER_KEY
from bot.teams.roster import TeamsRoster
from bot.teams.settings import load_teams_settings
from dialogs.messages import Reply
from storage import team_members
from storage.models import ConversationRef, Identity, Person, TeamMember
from tests.teams.conftest import BOT, NORTH_CHANNEL, TENANT, Teams

TEAM = "19:team-nord@thread.tacv2"
ORG_MEMBERS = {
    "29:soeren": ("Søren Østergaard", "soeren.oestergaard@demo.maalbot.dk"),
    "29:fatima": ("Fatima Ali", "fatima.ali@demo.maalbot.dk"),
    "29:camilla": ("Camilla Dahl", "CAMILLA.DAHL@demo.maalbot.dk"),  # case differs from the org file
}
STRANGER = ("29:guest", "Gæst Udefra", "guest@example.org")


def roster(teams: Teams) -> TeamsRoster:
    found: TeamsRoster = teams.client.app[TEAMS_ROSTER_KEY]
    return found


def team_event(teams: Teams, *, added: list[dict[str, Any]] | None = None, removed: list[dict[str, Any]] | None = None,
               **channel_data: Any) -> dict[str, Any]:  # fmt: skip
    conversation = {"id": NORTH_CHANNEL, "conversationType": "channel", "tenantId": TENANT}
    activity = teams.activity("29:installer", conversation, type="conversationUpdate")
    if added is not None:
        activity["membersAdded"] = added
    if removed is not None:
        activity["membersRemoved"] = removed
    activity["channelData"] = {
        "tenant": {"id": TENANT},
        "team": {"id": TEAM},
        "channel": {"id": NORTH_CHANNEL},
        **channel_data,
    }
    return activity


def fill_team(teams: Teams) -> None:
    for user_id, (name, email) in ORG_MEMBERS.items():
        teams.connector.add_to_team(TEAM, user_id, name, email)
    teams.connector.add_to_team(TEAM, *STRANGER)


async def install(teams: Teams) -> None:
    await roster(teams).drain()  # the read of the known teams on start (none yet) is over
    assert await teams.post(team_event(teams, added=[BOT], eventType="teamMemberAdded")) == 202
    await roster(teams).drain()


async def stored(teams: Teams) -> dict[str, str]:
    """Stored roster members: Teams user id -> the person's email."""
    async with teams.db.transaction() as s:
        rows = await s.execute(select(TeamMember.user_id, Person.email).join(Person, Person.id == TeamMember.person_id))
        return {user_id: email for user_id, email in rows.all()}


async def identities(teams: Teams) -> set[str]:
    async with teams.db.transaction() as s:
        return set((await s.scalars(select(Identity.user_key).where(Identity.platform == "teams"))).all())


async def test_installing_in_a_team_stores_the_members_of_the_organisation(teams: Teams) -> None:
    fill_team(teams)
    await install(teams)

    assert await stored(teams) == {
        "29:soeren": "soeren.oestergaard@demo.maalbot.dk",
        "29:fatima": "fatima.ali@demo.maalbot.dk",
        "29:camilla": "camilla.dahl@demo.maalbot.dk",
    }
    assert await identities(teams) == set(ORG_MEMBERS)  # the stranger is neither stored nor linked
    assert len(teams.connector.roster_calls(TEAM)) == 1  # one page, read through the SDK's paged members
    async with teams.db.transaction() as s:
        member = await s.scalar(select(TeamMember).where(TeamMember.user_id == "29:fatima"))
    assert member is not None and member.aad_object_id == "aad-29:fatima" and member.tenant_id == TENANT


async def test_a_big_team_is_read_page_by_page(teams: Teams) -> None:
    fill_team(teams)
    roster(teams).page_size = 2
    await install(teams)

    calls = teams.connector.roster_calls(TEAM)
    assert len(calls) == 2
    assert len(await stored(teams)) == 3  # Camilla and the stranger were on the second page
    installed = await team_members.installation(teams.db, TEAM)
    assert installed is not None and installed.refreshed_at is not None  # a complete read


async def test_reading_stops_at_the_page_bound_and_removes_no_one(teams: Teams) -> None:
    fill_team(teams)
    await install(teams)
    teams.connector.remove_from_team(TEAM, "29:soeren")
    teams.connector.reset()
    reader = roster(teams)
    reader.page_size, reader.max_pages = 1, 2

    assert await reader.refresh_team(TEAM) is False
    assert len(teams.connector.roster_calls(TEAM)) == 2
    assert "29:soeren" in await stored(teams)  # an incomplete read removes nobody


async def test_a_429_on_the_roster_call_is_retried(teams: Teams) -> None:
    fill_team(teams)
    teams.connector.fail_next("pagedMembers", 429, retry_after=0.02)
    await install(teams)

    assert len(teams.connector.roster_calls(TEAM)) == 2  # the refused one and the one that worked
    assert teams.sleeps == [0.02]  # Retry-After honoured
    assert len(await stored(teams)) == 3


async def test_the_roster_is_kept_fresh_by_member_events(teams: Teams) -> None:
    fill_team(teams)
    await install(teams)

    teams.connector.add_to_team(TEAM, "29:peter", "Peter Holm", "peter.holm@demo.maalbot.dk")
    added = team_event(teams, added=[{"id": "29:peter", "aadObjectId": "aad-29:peter"}], eventType="teamMemberAdded")
    assert await teams.post(added) == 202
    assert (await stored(teams))["29:peter"] == "peter.holm@demo.maalbot.dk"

    removed = team_event(teams, removed=[{"id": "29:fatima"}], eventType="teamMemberRemoved")
    assert await teams.post(removed) == 202
    assert "29:fatima" not in await stored(teams)
    assert "29:fatima" not in await identities(teams)  # never had a chat with the bot: forgotten

    gone = team_event(teams, removed=[BOT], eventType="teamMemberRemoved")
    assert await teams.post(gone) == 202
    assert await stored(teams) == {}
    assert await team_members.installation(teams.db, TEAM) is None


async def test_a_removed_member_gets_no_personal_chat_through_the_team(teams: Teams) -> None:
    fill_team(teams)
    await install(teams)
    fatima = await teams.service.identify("teams", "29:fatima")
    assert fatima is not None

    removed = team_event(teams, removed=[{"id": "29:fatima"}], eventType="teamMemberRemoved")
    assert await teams.post(removed) == 202
    teams.connector.reset()
    assert (await teams.notifier.to_person(fatima.id, [Reply("Husk jeres lokale mål.")])).value == "no_route"
    assert not teams.connector.created()


async def test_a_periodic_read_forgets_who_left_while_the_bot_missed_it(teams: Teams) -> None:
    fill_team(teams)
    await install(teams)
    teams.connector.remove_from_team(TEAM, "29:camilla")  # no event reached the bot

    assert await roster(teams).refresh_known(stale_only=False) == 1
    assert set(await stored(teams)) == {"29:soeren", "29:fatima"}


async def test_on_start_a_team_known_only_by_its_channel_is_read(teams: Teams) -> None:
    """A team the bot was added to before it kept rosters: its channel reference is all there is."""
    await teams.post(team_event(teams, added=[BOT]))
    await roster(teams).drain()
    async with teams.db.transaction() as s:
        assert await s.scalar(select(ConversationRef).where(ConversationRef.conversation_key == NORTH_CHANNEL))
    await team_members.forget_team(teams.db, TEAM, "teams")
    fill_team(teams)
    teams.connector.teams[NORTH_CHANNEL] = teams.connector.teams[TEAM]  # the general channel's id is the team's

    assert await roster(teams).refresh_known(stale_only=False) == 1
    assert len(await stored(teams)) == 3


async def test_a_team_the_bot_was_removed_from_is_forgotten_on_reading(teams: Teams) -> None:
    fill_team(teams)
    await install(teams)
    del teams.connector.teams[TEAM]  # the connector answers 403: the bot is not in the team any more

    assert await roster(teams).refresh_team(TEAM) is False
    assert await team_members.installation(teams.db, TEAM) is None
    assert await stored(teams) == {}


async def test_a_member_forgotten_by_the_roster_is_recognised_when_they_write(teams: Teams) -> None:
    fill_team(teams)
    await install(teams)
    conversation = {"id": f"{NORTH_CHANNEL};messageid=9", "conversationType": "channel", "tenantId": TENANT}
    mention = teams.activity("29:camilla", conversation, text="<at>Målbot</at> status")
    mention["channelData"] = {"tenant": {"id": TENANT}, "team": {"id": TEAM}, "channel": {"id": NORTH_CHANNEL}}
    mention["entities"] = [{"type": "mention", "mentioned": BOT, "text": "<at>Målbot</at>"}]
    assert await teams.post(mention) == 202  # the bot now knows Camilla (and remembers her in memory)

    removed = team_event(teams, removed=[{"id": "29:camilla"}], eventType="teamMemberRemoved")
    assert await teams.post(removed) == 202
    assert "29:camilla" not in await identities(teams)

    conversation = {"id": "a:personal-29:camilla", "conversationType": "personal", "tenantId": TENANT}
    teams.connector.reset()
    assert await teams.post(teams.activity("29:camilla", conversation, text="hjælp")) == 202
    answer = "\n".join(teams.connector.texts())
    assert "Jeg hjælper" in answer and "kan ikke finde dig" not in answer  # not a stranger: looked up again by email
    assert "29:camilla" in await identities(teams)


def test_a_bad_refresh_interval_is_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAALBOT_TEAMS_ROSTER_HOURS", "hver dag")
    with pytest.raises(SettingsError, match=r"^MAALBOT_TEAMS_ROSTER_HOURS: "):
        load_teams_settings()
    monkeypatch.setenv("MAALBOT_TEAMS_ROSTER_HOURS", "0")
    with pytest.raises(SettingsError, match="greater than 0"):
        load_teams_settings()
    monkeypatch.setenv("MAALBOT_TEAMS_ROSTER_HOURS", "6")
    assert load_teams_settings().roster_refresh_hours == 6.0
