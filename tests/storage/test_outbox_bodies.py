"""Shared reminder texts (storage.outbox_bodies) on both backends: written once per content, filled in per
recipient when a row is claimed, rows without one claimed as they are."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from storage import outbox, outbox_bodies
from storage.db import Database
from storage.models import OutboxBody
from storage.outbox import NewItem
from storage.outbox_bodies import placeholder

NOW = datetime(2026, 11, 30, 8, tzinfo=UTC)
NAME = placeholder("to_name")
TEXT = [
    {
        "text": f"Hej {NAME}! Bestyrelsen for Solsikken har ikke indsendt endnu.",
        "title": f"Påmindelse til {NAME}",
        "facts": [["Solsikken", "1 ✗"], [NAME, "formand"]],
        "choices": [["board:7", f"Fortsæt, {NAME}"]],
        "kind": "question",
    }
]


def test_fill_puts_each_recipients_value_everywhere_a_placeholder_is() -> None:
    (reply,) = outbox_bodies.fill(TEXT, {"to_name": "Åse Ørum"})
    assert reply["text"] == "Hej Åse Ørum! Bestyrelsen for Solsikken har ikke indsendt endnu."
    assert reply["title"] == "Påmindelse til Åse Ørum"
    assert reply["facts"] == [["Solsikken", "1 ✗"], ["Åse Ørum", "formand"]]
    assert reply["choices"] == [["board:7", "Fortsæt, Åse Ørum"]]
    assert str(TEXT[0]["text"]).startswith(f"Hej {NAME}")  # the shared text itself is left as it is


def test_a_digest_names_the_content() -> None:
    again = [dict(TEXT[0])]
    assert outbox_bodies.digest(TEXT) == outbox_bodies.digest(again)
    again[0]["text"] = "Hej {name}!"
    assert outbox_bodies.digest(TEXT) != outbox_bodies.digest(again)


async def test_a_text_is_stored_once_and_rows_that_refer_to_it_are_claimed_filled_in(db: Database) -> None:
    key = outbox_bodies.digest(TEXT)
    ids = await outbox_bodies.store(db, {key: TEXT}, NOW)
    assert await outbox_bodies.store(db, {key: TEXT}, NOW + timedelta(minutes=1)) == ids  # written again: same
    items = [
        NewItem("nudge", f"person:{p}", "2026-W49", NOW, {"to": {"person_id": p}, "to_name": n}, body_id=ids[key])
        for p, n in ((1, "Anna"), (2, "Bo"))
    ]  # fmt: skip
    inline = {"to": {"person_id": 3}, "to_name": "Cai", "replies": [{"text": "Gammel", "kind": "message"}]}
    items.append(NewItem("nudge", "person:3", "2026-W49", NOW, inline))
    assert await outbox.enqueue_in_batches(db, items, NOW) == 3
    claimed = {c.recipient: c.payload for c in await outbox.claim_due(db, NOW, "test")}
    assert claimed["person:1"]["replies"][0]["text"].startswith("Hej Anna!")
    assert claimed["person:2"]["replies"][0]["title"] == "Påmindelse til Bo"
    assert claimed["person:1"]["to_name"] == "Anna" and outbox_bodies.OPEN not in str(claimed["person:1"])
    assert claimed["person:3"] == inline  # a row without a shared text: as it was written
    async with db.transaction() as s:
        assert await s.scalar(select(func.count(OutboxBody.id))) == 1
