"""Proactive messages: to a person (existing chat or a new one) and the failure rules."""

from __future__ import annotations

import json
import logging

import pytest
from aiohttp import ClientResponseError, RequestInfo
from multidict import CIMultiDict, CIMultiDictProxy
from sqlalchemy import delete, select
from yarl import URL

from bot.teams.notifier import Delivery, describe_error
from dialogs.messages import Reply
from storage.models import ConversationRef
from tests.teams.conftest import Teams, TeamsUser

SOEREN = ("soeren", "soeren.oestergaard@demo.maalbot.dk")
NUDGE = [Reply("Husk at registrere jeres lokale mål.")]


async def known(teams: Teams) -> tuple[TeamsUser, int]:
    soeren = teams.person(*SOEREN)
    await soeren.say("start")
    person = await teams.service.identify("teams", soeren.user_id)
    assert person is not None
    teams.connector.reset()
    return soeren, person.id


async def usable(teams: Teams, key: str) -> bool:
    async with teams.db.transaction() as s:
        ref = await s.scalar(select(ConversationRef).where(ConversationRef.conversation_key == key))
        assert ref is not None
        return ref.usable


async def test_dm_continues_the_personal_chat(teams: Teams) -> None:
    soeren, person_id = await known(teams)
    assert await teams.notifier.to_person(person_id, NUDGE) is Delivery.SENT
    [call] = teams.connector.posted()
    assert call.path == f"/v3/conversations/{soeren.conversation['id']}/activities"
    assert "Husk at registrere jeres lokale mål." in teams.connector.texts()
    assert not teams.connector.created()


async def test_dm_opens_a_chat_when_there_is_none(teams: Teams) -> None:
    soeren, person_id = await known(teams)
    async with teams.db.transaction() as s:
        await s.execute(delete(ConversationRef))
    teammate = teams.person("fatima", "fatima.ali@demo.maalbot.dk")
    await teammate.say("hej")  # any reference tells the bot the service address and tenant
    teams.connector.reset()

    assert await teams.notifier.to_person(person_id, NUDGE) is Delivery.SENT
    [create] = teams.connector.created()
    assert create.body["members"] == [{"id": soeren.user_id}]
    assert create.body["tenantId"] == "tenant-demo"
    [post] = teams.connector.posted()
    assert post.path.startswith("/v3/conversations/a:fake-conversation-")
    async with teams.db.transaction() as s:
        refs = {r.person_id: r for r in await s.scalars(select(ConversationRef))}
    assert refs[person_id].conversation_key == post.path.split("/")[3]  # remembered for next time


async def test_dm_without_any_route(teams: Teams) -> None:
    assert await teams.notifier.to_person(1, NUDGE) is Delivery.NO_ROUTE


async def test_429_then_success_sends_once(teams: Teams) -> None:
    _soeren, person_id = await known(teams)
    teams.connector.fail_next("/activities", 429, retry_after=2)
    assert await teams.notifier.to_person(person_id, NUDGE) is Delivery.SENT
    assert len(teams.connector.posted()) == 2  # the refused one and the one that arrived
    assert teams.connector.texts() == ["Husk at registrere jeres lokale mål."] * 2
    # Retry-After (2 s) is honoured up to the bound (0.05 s here), not replaced by our own shorter backoff
    assert teams.sleeps == [teams.notifier.policy.max_delay]


async def test_retries_are_bounded(teams: Teams, caplog: pytest.LogCaptureFixture) -> None:
    _soeren, person_id = await known(teams)
    for status in (502, 504, 412, 429):
        teams.connector.fail_next("/activities", status)
    with caplog.at_level(logging.ERROR, logger="bot.teams.notifier"):
        assert await teams.notifier.to_person(person_id, NUDGE) is Delivery.FAILED
    assert len(teams.connector.posted()) == teams.notifier.policy.attempts
    assert len(teams.sleeps) == teams.notifier.policy.attempts - 1
    assert all(0 <= s <= teams.notifier.policy.max_delay for s in teams.sleeps)
    [logged] = [r.getMessage() for r in caplog.records if "delivery failed" in r.getMessage()]
    assert logged.startswith("Teams delivery failed: ClientResponseError: 429")
    assert "headers" not in logged  # the request's headers (with the bearer token) stay out of the log


def test_logged_errors_leave_out_the_bearer_token() -> None:
    headers = CIMultiDictProxy(CIMultiDict({"Authorization": "Bearer eyJ-secret-token"}))
    url = URL("https://smba.trafficmanager.net/emea/v3/conversations/a:1/activities")
    error = ClientResponseError(RequestInfo(url, "POST", headers, url), (), status=502, message="Bad Gateway")
    assert "eyJ-secret-token" in repr(error)  # why the notifier never logs with %r
    described = describe_error(error)
    assert "eyJ-secret-token" not in described
    assert described.startswith("ClientResponseError: 502") and "Bad Gateway" in described


async def test_403_disables_the_reference_without_retrying(teams: Teams) -> None:
    soeren, person_id = await known(teams)
    key = soeren.conversation["id"]
    teams.connector.block(key, 403)
    assert await teams.notifier.to_person(person_id, NUDGE) is Delivery.GONE
    assert len(teams.connector.posted()) == 1 and not teams.sleeps
    assert not await usable(teams, key)
    teams.connector.unblock(key)
    await soeren.say("hjælp")  # the person writes again: the chat works again
    assert await usable(teams, key)


async def test_404_disables_the_reference(teams: Teams) -> None:
    soeren, person_id = await known(teams)
    teams.connector.block(soeren.conversation["id"], 404)
    assert await teams.notifier.to_person(person_id, NUDGE) is Delivery.GONE
    assert not await usable(teams, soeren.conversation["id"])


async def test_large_messages_are_split(teams: Teams) -> None:
    _soeren, person_id = await known(teams)
    big = [Reply(f"Lokalt mål {n}: " + "æ" * 3000) for n in range(60)]  # about 360 KB of JSON
    assert await teams.notifier.to_person(person_id, big) is Delivery.SENT
    posts = teams.connector.posted()
    assert len(posts) >= 4
    assert all(
        len(json.dumps(p.body["attachments"][0]["content"], ensure_ascii=False).encode()) <= 80_000 for p in posts
    )
    assert sum(t.startswith("Lokalt mål") for t in teams.connector.texts()) == 60
