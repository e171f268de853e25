"""Follow-up status in chat: «opfølgning» and «vis Solsikken» list the measurements' follow-ups, by role.

Solsikken (Område Nord) has a follow-up the chair answers in the chat (on track) and one that was asked
and is waiting; Søndermarkskolen (Område Syd) has an answer «ikke på sporet». Mette leads Område Nord,
Anne Admin sees everything, Line chairs Mælkebøtten (Nord) and is only a board member."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from dialogs.overview import LeaderQuery, parse_leader_query
from dialogs.service import kinds_of, strategy_of
from storage import strategies
from storage.models import FollowUp, Institution, LocalGoal, Person
from storage.registrations import DraftWriter, ensure_registration
from tests.dialogs.talk import NOW, Talk, World

MARCH = date(2026, 11, 2)
OCTOBER = date(2026, 11, 16)


async def _local_goal(world: World, institution: str, goal: int, text: str) -> int:
    """A local goal with a measurement, written as the institution's board would; its id."""
    async with world.db.transaction() as s:
        row = await strategies.active_strategy(s)
        assert row is not None
        inst_id = await s.scalar(select(Institution.id).where(Institution.name == institution))
        assert inst_id is not None
        reg = await ensure_registration(s, inst_id, row.id)
        await s.flush()
        writer = DraftWriter(s, reg, kinds_of(strategy_of(row)), None)
        position = await writer.add_local_goal(goal, text)
        await writer.set_answer(
            goal, position, "measurement", {"method": "Trivselsmåling", "when": "november", "dates": [str(MARCH)]}
        )
        await s.flush()
        found = await s.scalar(
            select(LocalGoal.id).where(
                LocalGoal.registration_id == reg.id, LocalGoal.goal_number == goal, LocalGoal.position == position
            )
        )
        assert found is not None
        return found


async def _follow_up(world: World, local_goal_id: int, day: date, **values: object) -> None:
    async with world.db.transaction() as s:
        s.add(FollowUp(local_goal_id=local_goal_id, measurement_date=day, asked_at=NOW - timedelta(days=7), **values))


@pytest.fixture
async def followed_up(world: World, soeren: Talk) -> World:
    """The follow-ups above, written once per session and copied after that (`World.once`)."""

    async def follow_up() -> None:
        voksen = await _local_goal(world, "Solsikken", 1, "Alle børn har en fast voksen")
        ture = await _local_goal(world, "Solsikken", 2, "Flere ture ud af huset")
        ven = await _local_goal(world, "Søndermarkskolen", 1, "Alle elever har en ven i klassen")
        await _follow_up(world, voksen, MARCH)
        await _follow_up(world, ture, OCTOBER)  # asked, not answered
        async with world.db.transaction() as s:
            anders = await s.scalar(select(Person.id).where(Person.name == "Anders Bøgh"))
        await _follow_up(
            world,
            ven,
            MARCH,
            answer="off_track",
            text="Færre har en ven end sidst",
            answered_by_id=anders,
            answered_at=NOW,
        )
        # The chair answers Solsikken's first follow-up in the chat.
        await soeren.press(f"followup:{voksen}:{MARCH}:on_track")
        await soeren.say("Trivslen steg fra 3,9 til 4,2")

    await world.once("test_followup_status.followed_up", follow_up)
    return world


@pytest.mark.parametrize(
    "text", ["opfølgning", "Opfølgning?", "/maal opfølgning", "follow-up", "Follow-ups", "opfoelgning"]
)
def test_the_question_is_recognised(text: str) -> None:
    assert parse_leader_query(text) == LeaderQuery("followups")


async def test_an_area_leader_sees_their_areas_follow_ups(followed_up: World) -> None:
    mette = await followed_up.talk("mette.noergaard")
    await mette.say("opfølgning")
    mette.expect(
        "Opfølgning på målinger",
        "Seneste svar: 1 på sporet, 0 delvist og 0 ikke på sporet.",
        "1 opfølgning venter på svar.",
        "Solsikken · fælles mål 2",
        "Flere ture ud af huset: spurgt 17. november 2026, ikke besvaret endnu",
        "Seneste svar",
        "Solsikken · fælles mål 1",
        "Alle børn har en fast voksen (2. november 2026): På sporet – Trivslen steg fra 3,9 til 4,2 (Søren Østergaard)",
    )
    mette.expect_not("Søndermarkskolen", "Færre har en ven", "Ikke på sporet")


async def test_the_admin_sees_every_follow_up(followed_up: World) -> None:
    admin = await followed_up.talk("admin")
    await admin.say("follow-up")
    admin.expect(
        "Seneste svar: 1 på sporet, 0 delvist og 1 ikke på sporet.",
        "1 opfølgning venter på svar.",
        "Solsikken · fælles mål 1",
        "Søndermarkskolen · fælles mål 1",
        "Alle elever har en ven i klassen (2. november 2026): Ikke på sporet – Færre har en ven end sidst",
    )


async def test_the_institution_view_lists_its_follow_ups(followed_up: World) -> None:
    mette = await followed_up.talk("mette.noergaard")
    await mette.say("vis Solsikken")
    mette.expect(
        "Solsikken (Område Nord)",
        "Opfølgning på målinger",
        "Fælles mål 1 · 2. november 2026",
        "Alle børn har en fast voksen: På sporet – Trivslen steg fra 3,9 til 4,2 (Søren Østergaard)",
        "Fælles mål 2 · 16. november 2026",
        "Flere ture ud af huset: spurgt 17. november 2026, ikke besvaret endnu",
    )
    await mette.say("vis Mælkebøtten")  # no follow-ups: no follow-up section
    mette.expect("Mælkebøtten (Område Nord)").expect_not("Opfølgning på målinger")


async def test_in_english(followed_up: World) -> None:
    admin = await followed_up.talk("admin")
    await admin.say("english")
    await admin.say("follow-ups")
    admin.expect(
        "Follow-up on measurements",
        "Latest answers: 1 on track, 0 partly, 1 not on track.",
        "1 follow-up is waiting for an answer.",
        "asked November 17, 2026, no answer yet",
    )


async def test_a_board_member_is_refused_other_boards_follow_ups(followed_up: World) -> None:
    line = await followed_up.talk("line.moerch")  # chair of Mælkebøtten
    await line.say("vis Solsikken")
    line.expect("Jeg kan ikke finde «Solsikken» blandt det, du har adgang til at se.")  # the name as folded
    line.expect_not("Alle børn har en fast voksen", "Trivslen", "Opfølgning på målinger")
    await line.say("opfølgning")  # only their own board, which has none
    line.expect("Ingen bestyrelse er blevet spurgt om en måling endnu.")
    line.expect_not("Solsikken", "Søndermarkskolen", "Trivslen", "Færre har en ven")


async def test_a_board_member_sees_their_own_boards_follow_ups(followed_up: World, fatima: Talk) -> None:
    await fatima.say("opfølgning")
    fatima.expect("Solsikken · fælles mål 1", "På sporet – Trivslen steg").expect_not("Søndermarkskolen")


async def test_nothing_asked_yet(world: World) -> None:
    admin = await world.talk("admin")
    await admin.say("opfølgning")
    admin.expect("Ingen bestyrelse er blevet spurgt om en måling endnu.")
