"""A burst of messages from one person in a Slack DM is stored, run and answered in the order it was
sent, each message once.

What keeps the order: every request is stored in the inbox before Slack is acknowledged; the work
after the acknowledgement runs one at a time per person (`bot.slack.background.Background`, keyed
«user:<id>»); the person's pending requests are run oldest first (`storage.inbox.next_pending_and_more`,
ordered by the inbox id); their replies leave oldest first, one at a time per conversation
(`storage.outbox.claim_next_reply`). The burst arrives while the person's earlier turn is still
running, so every message of it waits in the inbox at once: the situation in which a wrong order
would show."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select

from bot.slack.app import SLACK_KEY
from bot.web import DB_KEY
from storage.export import build_export
from storage.models import InboxItem
from tests.slack.conftest import DEMO
from tests.slack.workspace import Workspace, block_text, unescape

BURST = ["Alle børn har en fast ven", "Faste legegrupper", "Læsemakkere", "færdig", "Trivselsmåling"]


def texts_of(messages: list[dict[str, Any]]) -> list[str]:
    return [unescape("\n".join(block_text(m.get("blocks", [])))) for m in messages]


async def test_a_burst_is_stored_and_answered_in_order(workspace: Workspace) -> None:
    chair = workspace.person("U0SOEREN", f"soeren.oestergaard@{DEMO}", "Søren")
    await chair.say("start")
    chair.expect("Hvilke lokale mål skal der til for at opnå mål 1?")
    db = workspace.client.app[DB_KEY]
    before = len(workspace.fake.posted(chair.dm))

    earlier_turn = asyncio.Event()  # the person's earlier turn is still running while the burst arrives
    workspace.client.app[SLACK_KEY].background.spawn(earlier_turn.wait(), key=f"user:{chair.user_id}")
    try:
        for text in BURST:  # each request is acknowledged (stored) before Slack sends the next
            await chair.say(text, settle=False)
        async with db.transaction() as s:
            rows = list(await s.scalars(select(InboxItem).order_by(InboxItem.id)))
        pending = [row.payload["inbound"]["text"] for row in rows if row.status == "pending"]
        assert pending == BURST, "stored in the order sent, and none run while the earlier turn still runs"
        assert len(workspace.fake.posted(chair.dm)) == before, "nothing answered before the earlier turn ended"
    finally:
        earlier_turn.set()
    await workspace.settle()

    answers = texts_of(workspace.fake.posted(chair.dm)[before:])
    expected = [  # what each message of the burst is answered with, in order
        "Beskrivelse af indsatser",  # the local goal was taken: now the interventions
        "Faste legegrupper",  # each intervention is confirmed as it comes
        "Læsemakkere",
        "Hvordan og hvornår måles effekten?",  # «færdig» ends the list
        "Og hvornår vil I måle det?",  # the method was taken: now when
    ]
    positions = []
    for marker in expected:
        found = [i for i, text in enumerate(answers) if marker in text]
        assert found, f"no answer with {marker!r}; the bot said:\n" + "\n---\n".join(answers)
        positions.append(found[0])
    assert positions == sorted(positions), "answered out of order:\n" + "\n---\n".join(answers)
    assert len(answers) == len(set(answers)), "an answer was sent twice"

    export = await build_export(db)
    solsikken = next(i for i in export["institutions"] if i["name"] == "Solsikken")
    (local_goal,) = solsikken["goals"][0]["local_goals"]
    assert local_goal["text"] == BURST[0]
    assert local_goal["interventions"] == BURST[1:3]
