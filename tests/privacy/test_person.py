"""`person export`, `person erase`, `person remove` on both backends, through the CLI's own functions."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.cli_privacy import run_person
from storage import inbox, outbox
from storage.models import AuditEntry, Base, Person
from storage.privacy import PSEUDONYM
from tests.dialogs.talk import PLATFORM, World

DOMAIN = "demo.maalbot.dk"
SOEREN = ("Søren Østergaard", f"soeren.oestergaard@{DOMAIN}")


def _args(command: str, email: str, **extra: Any) -> argparse.Namespace:
    defaults = {"yes": True, "format": "json", "out": None}
    return argparse.Namespace(person_command=command, email=email, **(defaults | extra))


async def _everything(world: World) -> str:
    """Every row of every table as one casefolded text (JSON values decoded, so "ø" is "ø")."""
    out = []
    async with world.db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in (await conn.execute(select(table))).mappings():
                out.append(json.dumps({k: v for k, v in row.items()}, ensure_ascii=False, default=str))
    return "\n".join(out).casefold()


async def _registered(world: World) -> None:
    """Søren (chair) writes a local goal and submits; Fatima's and others' notices name him;
    a reminder to him and a channel digest naming him wait in the outbox; he paused reminders."""
    soeren = await world.talk("soeren.oestergaard")
    await soeren.say("start")
    await soeren.register_local_goal("Alle børn har en fast voksen")
    await soeren.say("pause indtil 1. december 2026")
    async with world.db.transaction() as s:
        sid = await s.scalar(select(Person.id).where(Person.name == SOEREN[0]))
        now = datetime.now(UTC)
        await outbox.enqueue(
            s,
            [
                outbox.NewItem("nudge", f"person:{sid}", "2026-W48", now, {"to_name": SOEREN[0], "text": "Hej"}),
                outbox.NewItem(
                    "digest", "area:1:slack", "2026-W48", now - timedelta(days=1),
                    {"text": f"Solsikken: formand {SOEREN[0]} ({SOEREN[1]})"},
                ),
            ],
            now,
        )  # fmt: skip


async def test_export_names_everything_stored_about_the_person(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    await _registered(world)
    assert await run_person(_args("export", SOEREN[1].upper()), world.db) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["person"] == {"name": SOEREN[0], "email": SOEREN[1], "language": "(the bot's default)"}
    assert {"role": "chair", "institution": "Solsikken", "area": None} in data["roles"]
    assert data["identities"] == [{"platform": "test", "user_id": "U-soeren.oestergaard"}]
    assert [g["text"] for g in data["local_goals_written"]] == ["Alle børn har en fast voksen"]
    fields = [e["field"] for e in data["audit_by_them"]]
    assert "goal 1/local goal 1/local_goal" in fields and "reminders paused until" in fields
    assert data["reminders_paused_until"] == "2026-12-01"
    assert [m["rule"] for m in data["messages"]] == ["nudge"]
    assert any(e["action"] == "role" and e["after"] == "chair of Solsikken" for e in data["audit_about_them"])

    assert await run_person(_args("export", SOEREN[1], format="md"), world.db) == 0
    markdown = capsys.readouterr().out
    assert markdown.startswith(f"# Data about {SOEREN[0]}")
    assert "## Audit log: changes they made" in markdown and "Alle børn har en fast voksen" in markdown


async def test_erase_leaves_no_name_or_email_anywhere_and_keeps_the_boards_registration(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    await _registered(world)
    soeren = await world.talk("soeren.oestergaard")  # a message of his still waiting in the inbox
    await inbox.record(world.db, PLATFORM, "late-1", soeren.user_key, {"inbound": {"text": "Min søn Emil i 3.b"}})
    everything = await _everything(world)
    assert SOEREN[0].casefold() in everything and SOEREN[1] in everything  # the test would see them
    assert "emil i 3.b" in everything

    assert await run_person(_args("erase", SOEREN[1]), world.db) == 0
    assert "has been erased" in capsys.readouterr().out

    everything = await _everything(world)
    assert SOEREN[0].casefold() not in everything
    assert SOEREN[1] not in everything
    assert "emil i 3.b" not in everything
    solsikken = await world.institution("Solsikken")
    assert [lg["text"] for lg in solsikken["goals"][0]["local_goals"]] == ["Alle børn har en fast voksen"]
    async with world.db.transaction() as s:
        actions = (await s.scalars(select(AuditEntry.action).order_by(AuditEntry.id))).all()
        erasure = await s.scalar(select(AuditEntry).where(AuditEntry.action == "erasure"))
    assert actions[-1] == "erasure" and erasure is not None and erasure.after == PSEUDONYM
    assert await run_person(_args("export", SOEREN[1]), world.db) == 1  # nobody left to export


async def test_erase_asks_first_and_changes_nothing_on_no(
    world: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    await _registered(world)
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    assert await run_person(_args("erase", SOEREN[1], yes=False), world.db) == 1
    out = capsys.readouterr().out
    assert "roles: 1" in out and "Go ahead? [y/N]" in out and "Nothing was changed." in out
    async with world.db.transaction() as s:
        assert await s.scalar(select(Person.id).where(Person.name == SOEREN[0])) is not None


async def test_remove_keeps_the_name_in_the_audit_log_and_stops_the_chat(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    await _registered(world)
    assert await run_person(_args("remove", SOEREN[1]), world.db) == 0
    async with world.db.transaction() as s:
        names = set((await s.scalars(select(AuditEntry.actor_name))).all())
        assert await s.scalar(select(Person.id).where(Person.name == SOEREN[0])) is None
    assert SOEREN[0] in names  # who did it, as they were called
    replies = await world.talks["soeren.oestergaard"].say("start")
    assert replies[0].kind == "error" and "kan ikke finde dig" in replies[0].text
