"""Replies that the Slack Web API refuses for a while still arrive, in order, and what the person
writes next answers the question they actually saw."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.outbound import PIPELINE_KEY, DeliveryPolicy
from bot.web import DB_KEY
from storage import outbox
from storage.export import build_export
from tests.slack.conftest import DEMO
from tests.slack.workspace import SlackPerson, Workspace, block_text, unescape

FAST = DeliveryPolicy(timeout=0.3, attempts=10, base_delay=0.01, max_delay=0.05)


def texts(messages: list[dict[str, Any]]) -> str:
    return unescape("\n".join(line for m in messages for line in block_text(m.get("blocks", []))))


async def local_goals(workspace: Workspace) -> list[dict[str, Any]]:
    export = await build_export(workspace.client.app[DB_KEY])
    solsikken = next(i for i in export["institutions"] if i["name"] == "Solsikken")
    return [lg for g in solsikken["goals"] for lg in g["local_goals"]]


async def say(person: SlackPerson, text: str) -> list[dict[str, Any]]:
    return await asyncio.wait_for(person.say(text), 30)  # the test bounds its own wait


async def test_reply_arrives_through_500s_502_504_429_and_a_hang(workspace: Workspace) -> None:
    workspace.client.app[PIPELINE_KEY].deliverer.policy = FAST
    fake = workspace.fake
    chair = workspace.person("U0SOEREN", f"soeren.oestergaard@{DEMO}")
    await say(chair, "start")
    chair.expect("Hvilke lokale mål skal der til for at opnå mål 1?")

    fake.hang_once("chat.postMessage", 40)  # first a call that never answers (ended by our timeout)
    for status in (500, 500, 500, 502, 504):
        fake.fail_once("chat.postMessage", status)
    fake.fail_once("chat.postMessage", 429, retry_after=1)
    tried_before = fake.attempts.count("chat.postMessage")
    await say(chair, "Alle børn har en fast ven")
    chair.expect("Beskrivelse af indsatser")
    assert fake.attempts.count("chat.postMessage") - tried_before >= 8  # hang, 500×3, 502, 504, 429, ok
    async with workspace.client.app[DB_KEY].transaction() as s:
        rows = await outbox.items(s, rule=outbox.REPLY)
    assert [r.status for r in rows] == ["sent", "sent"]

    # the next message answers the question the person saw: the interventions
    await say(chair, "Faste legegrupper")
    assert [lg["interventions"] for lg in await local_goals(workspace)] == [["Faste legegrupper"]]


async def test_a_message_after_an_undelivered_question_is_not_taken_as_its_answer(workspace: Workspace) -> None:
    app = workspace.client.app
    app[PIPELINE_KEY].deliverer.policy = DeliveryPolicy(timeout=0.3, attempts=2, base_delay=0.01, max_delay=0.02)
    fake = workspace.fake
    chair = workspace.person("U0SOEREN", f"soeren.oestergaard@{DEMO}")
    await say(chair, "start")
    for _ in range(2):  # the interventions question cannot be posted (this round)
        fake.fail_once("chat.postMessage", 502)
    await say(chair, "Alle børn har en fast ven")
    assert chair.messages == []  # nothing arrived

    await say(chair, "hallo?")  # typed without seeing «Beskrivelse af indsatser»
    assert chair.messages == []  # the question waits for its retry time, and the new reply behind it
    assert [lg["interventions"] for lg in await local_goals(workspace)] == [[]], "«hallo?» stored as an answer"

    # Slack works again: the waiting replies go out in order, the question first, then it is asked again
    pipeline = app[PIPELINE_KEY]
    async with app[DB_KEY].transaction() as s:
        for row in await outbox.items(s, rule=outbox.REPLY):
            row.due_at = row.created_at  # no waiting for the retry time in the test
    await asyncio.wait_for(pipeline.deliverer.flush_all(), 30)
    posted = [texts([m]) for m in fake.posted("D" + chair.user_id)]
    question = [n for n, text in enumerate(posted) if "Beskrivelse af indsatser" in text]
    again = [n for n, text in enumerate(posted) if "ikke gemt jeres besked som svar" in text]
    assert question and again and question[0] < again[0], posted
    await say(chair, "Faste legegrupper")
    assert [lg["interventions"] for lg in await local_goals(workspace)] == [["Faste legegrupper"]]
