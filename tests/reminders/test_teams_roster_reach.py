"""Reminders reach Teams members who never wrote to the bot: the bot is installed in the area's team,
reads its roster, and the weekly nudge opens a personal chat with each board member in it. Driven
through the real `/api/messages` route and `bot.scheduler.tick`, against the fake Bot Connector."""

from __future__ import annotations

import argparse
import io
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.cli_remind import add_remind_parser, run_remind
from bot.notifiers import register_reminder_notifiers
from bot.scheduler import REMINDER_NOTIFIERS
from bot.teams.app import TEAMS_NOTIFIER_KEY, TEAMS_ROSTER_KEY, mount_teams
from bot.teams.notifier import RetryPolicy
from bot.teams.settings import TeamsSettings
from dialogs.overview import LeaderQuery, Overview
from dialogs.service import ConversationService
from storage.db import Database
from storage.models import ConversationRef, Person
from tests.fakes.bot_connector import FakeBotConnector
from tests.reminders.conftest import MONDAY, load_municipality, rows
from tests.reminders.test_end_to_end_teams import TeamsMunicipality
from tests.teams.conftest import BOT, NORTH_CHANNEL, TENANT, Teams

TEAM = "19:team-nord@thread.tacv2"
IN_TEAM = {  # three board members of Solsikken, all in the organisation file
    "29:soeren": ("Søren Østergaard", "soeren.oestergaard@demo.maalbot.dk"),
    "29:fatima": ("Fatima Ali", "fatima.ali@demo.maalbot.dk"),
    "29:camilla": ("Camilla Dahl", "camilla.dahl@demo.maalbot.dk"),
}


@pytest.fixture
async def municipality(
    monkeypatch: pytest.MonkeyPatch, sqlite_db: Database, tmp_path: Path
) -> AsyncIterator[TeamsMunicipality]:
    monkeypatch.setenv("MAALBOT_REMINDERS", "on")
    await load_municipality(sqlite_db, tmp_path)
    connector = await FakeBotConnector().start()
    service = ConversationService(sqlite_db)
    app = web.Application()
    mount_teams(app, service, sqlite_db, TeamsSettings.model_construct(), dev=True)
    register_reminder_notifiers(app)
    notifier = app[TEAMS_NOTIFIER_KEY]
    fixture = Teams(TestClient(TestServer(app, host="127.0.0.1")), connector, sqlite_db, service, notifier)

    async def no_sleep(seconds: float) -> None:
        fixture.sleeps.append(seconds)

    notifier.sleep = no_sleep
    notifier.policy = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05)
    await fixture.client.start_server()
    try:
        yield TeamsMunicipality(fixture, app[REMINDER_NOTIFIERS].copy())
    finally:
        await fixture.client.close()
        await connector.stop()


def team_event(teams: Teams, **fields: Any) -> dict[str, Any]:
    conversation = {"id": NORTH_CHANNEL, "conversationType": "channel", "tenantId": TENANT}
    activity = teams.activity("29:installer", conversation, type="conversationUpdate", **fields)
    activity["channelData"] = {"tenant": {"id": TENANT}, "team": {"id": TEAM}, "channel": {"id": NORTH_CHANNEL}}
    return activity


async def install_in_team(teams: Teams) -> None:
    """Three people of the organisation and a stranger are in the team; then the bot is added to it."""
    for user_id, (name, email) in IN_TEAM.items():
        teams.connector.add_to_team(TEAM, user_id, name, email)
    teams.connector.add_to_team(TEAM, "29:guest", "Gæst Udefra", "guest@example.org")
    roster = teams.client.app[TEAMS_ROSTER_KEY]
    await roster.drain()
    assert await teams.post(team_event(teams, membersAdded=[BOT])) == 202
    await roster.drain()
    teams.connector.reset()


async def person_id(db: Database, email: str) -> int:
    async with db.transaction() as s:
        found = await s.scalar(select(Person.id).where(Person.email_key == email))
        assert found is not None
        return found


async def dry_run(db: Database, municipality: TeamsMunicipality) -> str:
    parser = argparse.ArgumentParser()
    add_remind_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["remind", "--now", "--dry-run", "--at", "2026-03-02T09:00"])
    out = io.StringIO()
    assert await run_remind(args, db, municipality.notifiers, out=out) == 0
    return out.getvalue()


async def test_the_weekly_nudge_opens_a_personal_chat_with_a_member_who_never_wrote(
    municipality: TeamsMunicipality,
) -> None:
    teams = municipality.teams
    await install_in_team(teams)
    fatima = await person_id(teams.db, "fatima.ali@demo.maalbot.dk")

    await municipality.tick(MONDAY)

    created = [c for c in teams.connector.created() if not c.body.get("isGroup")]
    opened = {c.body["members"][0]["id"]: c for c in created}
    assert set(opened) == set(IN_TEAM)  # the stranger is no one's board member, and not stored anyway
    chat = opened["29:fatima"]
    assert chat.body["tenantId"] == TENANT and chat.body["bot"]["id"] == BOT["id"]
    async with teams.db.transaction() as s:
        ref = await s.scalar(
            select(ConversationRef).where(ConversationRef.person_id == fatima, ConversationRef.kind == "personal")
        )
    assert ref is not None and ref.usable  # remembered: next week's nudge continues this chat
    chat_path = f"/v3/conversations/{ref.conversation_key}/activities"
    card_posts = [c for c in teams.connector.posted() if c.path.startswith(chat_path)]
    [card] = [p.body["attachments"][0]["content"] for p in card_posts]
    assert card["type"] == "AdaptiveCard" and "Solsikken" in str(card)
    nudges = await rows(teams.db, "nudge")
    assert nudges[(f"person:{fatima}", "2026-W10")] == ("sent", None)

    teams.connector.reset()
    await municipality.tick(MONDAY + timedelta(days=7))
    assert not [c for c in teams.connector.created() if not c.body.get("isGroup")]  # the chats exist now
    assert any(c.path.startswith(chat_path) for c in teams.connector.posted())


async def test_a_member_removed_from_the_team_is_unreachable_and_listed(municipality: TeamsMunicipality) -> None:
    teams = municipality.teams
    await install_in_team(teams)
    camilla = await person_id(teams.db, "camilla.dahl@demo.maalbot.dk")
    assert "unreachable: Camilla Dahl" not in await dry_run(teams.db, municipality)

    teams.connector.remove_from_team(TEAM, "29:camilla")
    assert await teams.post(team_event(teams, membersRemoved=[{"id": "29:camilla"}])) == 202
    await municipality.tick(MONDAY)

    opened = [c.body["members"][0]["id"] for c in teams.connector.created() if not c.body.get("isGroup")]
    assert "29:camilla" not in opened and "29:fatima" in opened
    status, error = (await rows(teams.db, "nudge"))[(f"person:{camilla}", "2026-W10")]
    assert status == "failed" and error is not None and "unreachable" in error

    listed = await dry_run(teams.db, municipality)
    assert f"unreachable: Camilla Dahl (person:{camilla})" in listed
    assert "unreachable: Fatima Ali" not in listed  # in the team
    assert "unreachable: Peter Holm" in listed  # on Solsikken's board, but in no team and never wrote


async def test_who_is_missing_names_the_board_members_the_bot_cannot_reach(municipality: TeamsMunicipality) -> None:
    teams = municipality.teams
    await install_in_team(teams)
    area_leader = await person_id(teams.db, "mette.noergaard@demo.maalbot.dk")
    overview = Overview(teams.db)

    danish = await overview.answer(area_leader, LeaderQuery("missing"), "da")
    note = danish[-1]
    assert note.title == "Får ikke påmindelser"
    assert note.text.startswith("Målbot kan ikke skrive til ")
    assert "er ikke med i et team i Teams, hvor Målbot er installeret" in note.text
    names = dict(note.facts)
    assert "Peter Holm" in names and "Solsikken" in names["Peter Holm"]
    assert not {"Søren Østergaard", "Fatima Ali"} & set(names)  # in the team: reachable
    assert "Camilla Dahl" not in names

    english = await overview.answer(area_leader, LeaderQuery("missing"), "en")
    assert english[-1].title == "Not reached by reminders"
    assert "not in a team in Teams where Målbot is installed" in english[-1].text


async def test_who_is_missing_says_nothing_of_reach_before_teams_is_used(sqlite_db: Database, tmp_path: Path) -> None:
    await load_municipality(sqlite_db, tmp_path)
    async with sqlite_db.transaction() as s:
        leader = await s.scalar(select(Person.id).where(Person.email_key == "mette.noergaard@demo.maalbot.dk"))
    assert leader is not None
    replies = await Overview(sqlite_db).answer(leader, LeaderQuery("missing"), "da")
    assert [r.title for r in replies] == ["Hvem mangler?"]
