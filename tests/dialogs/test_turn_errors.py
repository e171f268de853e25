"""A bug behind a button reaches the durable path's error handling (logged; the person is told their
message was NOT saved), instead of being answered as a button of an earlier question; the next message
is handled as usual."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from dialogs import engine
from dialogs.context import Turn
from dialogs.messages import Inbound
from dialogs.turns import TURN, Job, TurnRunner
from storage.models import InboxItem, OutboxItem
from tests.dialogs.talk import PLATFORM, World


async def replies_of(world: World, key: str) -> str:
    async with world.db.transaction() as s:
        row = await s.scalar(select(OutboxItem).where(OutboxItem.period == f"inbox:{key}"))
    assert row is not None
    return "\n".join(r["text"] for r in row.payload["replies"])


async def test_a_bug_behind_a_button_is_logged_and_the_person_told_it_was_not_saved(
    world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    soeren = await world.talk("soeren.oestergaard")
    runner = TurnRunner(world.service)

    async def send(key: str, text: str | None = None, choice: str | None = None) -> int:
        job = Job(TURN, Inbound(PLATFORM, soeren.user_key, text=text, choice=choice), conversation="D1")
        recorded = await runner.accept(key, job)
        await runner.run(PLATFORM, soeren.user_key)
        return recorded.id

    await send("k1", text="start")

    def broken(turn: Turn, arg: str) -> Turn:
        raise KeyError("a bug")

    monkeypatch.setitem(engine.ANYTIME, "review", broken)
    with caplog.at_level(logging.ERROR, logger="maalbot.turns"):
        failed = await send("k2", choice="review")
    said = await replies_of(world, str(failed))
    assert "IKKE gemt" in said and "tidligere spørgsmål" not in said
    assert any(r.exc_info and "a bug" in str(r.exc_info[1]) for r in caplog.records)
    async with world.db.transaction() as s:
        row = await s.get(InboxItem, failed)
        assert row is not None and row.status == "failed"

    monkeypatch.undo()
    done = await send("k3", choice="review")
    assert "Her er alt, hvad der er registreret for Solsikken:" in await replies_of(world, str(done))
