"""Shared reminder texts (storage.outbox_bodies) on both backends: written once per content, filled in per
recipient when a row is claimed, rows without one claimed as they are."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from storage import outbox, outbox_bodies
from storage.db import Database
from storage.models import OutboxBody, Person
from storage.outbox import NewItem
from storage.outbox_bodies import placeholder
from storage.privacy import PSEUDONYM, erase_person
from storage.privacy_export import person_data

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


async def test_a_persons_export_shows_their_reminder_text_and_erasure_scrubs_shared_texts(db: Database) -> None:
    async with db.transaction() as s:
        person = Person(name="Søren Østergaard", email="soeren@x.dk", email_key="soeren@x.dk")
        s.add(person)
        await s.flush()
        pid = person.id
    mine = [{"text": f"Hej {NAME}!", "kind": "question"}]
    naming = [{"text": "Kunne ikke nå Søren Østergaard", "facts": [["Søren Østergaard", "ukendt"]], "kind": "status"}]
    ids = await outbox_bodies.store(db, {outbox_bodies.digest(mine): mine, outbox_bodies.digest(naming): naming}, NOW)
    items = [
        NewItem("nudge", f"person:{pid}", "2026-W49", NOW, {"to": {"person_id": pid}, "to_name": "Søren Østergaard"},
                body_id=ids[outbox_bodies.digest(mine)]),
        NewItem("admin_digest", "person:999", "2026-W49", NOW, {"to": {"person_id": 999}, "to_name": "Admin"},
                body_id=ids[outbox_bodies.digest(naming)]),
    ]  # fmt: skip
    await outbox.enqueue_in_batches(db, items, NOW)
    async with db.transaction() as s:
        person = await s.get_one(Person, pid)
        data = await person_data(s, person)
        assert [m["payload"]["replies"][0]["text"] for m in data["messages"]] == ["Hej Søren Østergaard!"]
        await erase_person(s, person, actor="test")
    async with db.transaction() as s:
        texts = [json.dumps(r, ensure_ascii=False) for r in (await s.scalars(select(OutboxBody.replies))).all()]
    assert not any("Søren" in t for t in texts) and any(PSEUDONYM in t for t in texts)
