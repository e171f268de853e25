"""Reminder pauses are asked for in the same conversation, without disturbing the registration."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import ReminderPause
from tests.dialogs.talk import Talk, World


async def test_pause_until_a_date_is_stored_and_the_question_stays_open(world: World, soeren: Talk) -> None:
    await soeren.say("hej")
    soeren.expect("Hvilke lokale mål skal der til for at opnå mål 1?")
    await soeren.say("pause indtil 1. december 2026")
    soeren.expect("1. december 2026")
    async with world.db.transaction() as s:
        until = await s.scalar(select(ReminderPause.until))
    assert until is not None and until.isoformat() == "2026-12-01"

    await soeren.say("Alle børn har en fast voksen")  # still the answer to the open question
    soeren.expect("Beskrivelse af indsatser")
    goal_1 = (await world.institution("Solsikken"))["goals"][0]["local_goals"]
    assert [lg["text"] for lg in goal_1] == ["Alle børn har en fast voksen"]

    await soeren.say("genoptag påmindelser")
    async with world.db.transaction() as s:
        assert await s.scalar(select(ReminderPause.until)) is None


async def test_plain_pause_still_pauses_the_registration(world: World, soeren: Talk) -> None:
    await soeren.say("hej")
    await soeren.say("pause")
    soeren.expect("Alt er gemt")
    async with world.db.transaction() as s:
        assert await s.scalar(select(ReminderPause.until)) is None
