"""Agreements in leaders' status («status», «vis Solsikken»): the institution's agreements with owner,
due date and whether they were kept, for its leader, the area leader and the administration; a board
member's status has none of it."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from dialogs.meetings.planning import plan_from_csv
from dialogs.messages import Inbound
from dialogs.texts import texts
from storage import meetings
from storage.meeting_models import AgreementStatus
from storage.models import Person
from tests.dialogs.talk import PLATFORM, World, reply_lines

D = "demo.maalbot.dk"
PLAN = f"""institution,date,template,participants
Solsikken,2026-11-20,dialogmoede,admin@{D}; lone.baek@{D}
Ærøvej Skole,2026-11-19,dialogmoede,admin@{D}
"""


async def _agree(world: World) -> None:
    assert (await plan_from_csv(world.db, PLAN, texts("da"))).problems == []
    async with world.db.transaction() as s:
        held = {v.where: v.id for v in await meetings.meeting_views(s, status=None)}
        lone = (await s.execute(select(Person.id).where(Person.email == f"lone.baek@{D}"))).scalar_one()
        admin = (await s.execute(select(Person.id).where(Person.email == f"admin@{D}"))).scalar_one()
        await meetings.add_agreement(s, held["Solsikken"], "Sprogindsatsen evalueres", lone, date(2027, 6, 1), admin)
        done = await meetings.add_agreement(s, held["Solsikken"], "Ny legeplads", admin, date(2027, 1, 10), admin)
        await meetings.add_agreement(s, held["Ærøvej Skole"], "Trivselsplan", admin, date(2027, 2, 1), admin)
        now = datetime(2026, 11, 24, tzinfo=UTC)
        assert await meetings.follow_up_agreement(s, done.id, AgreementStatus.NOT_KEPT, admin, None, now)


async def test_the_leaders_status_lists_the_institutions_agreements(world: World) -> None:
    await _agree(world)
    lone = await world.talk("lone.baek")  # leader of Solsikken only
    await lone.say("vis Solsikken")
    lone.expect("1 åben aftale.", "Sprogindsatsen evalueres", "Lone Bæk · senest 1. juni 2027 · åben")
    lone.expect("Ny legeplads", "Anne Admin · senest 10. januar 2027 · ikke holdt").expect_not("Trivselsplan")
    text = lone.text
    assert text.index("Sprogindsatsen") < text.index("Ny legeplads")  # open ones first


async def test_area_leader_and_admin_see_them_on_vis_institution(world: World) -> None:
    await _agree(world)
    mette = await world.talk("mette.noergaard")  # area leader of Område Nord
    await mette.say("vis Solsikken")
    mette.expect("Aftaler", "Sprogindsatsen evalueres", "åben").expect_not("Trivselsplan")
    admin = await world.talk("admin")
    await admin.say("vis Ærøvej Skole")
    admin.expect("1 åben aftale.", "Trivselsplan", "Anne Admin · senest 1. februar 2027 · åben")
    await admin.say("status")  # the whole municipality: no institution's agreements in the table
    admin.expect_not("Sprogindsatsen", "Trivselsplan")


async def test_a_board_member_sees_no_agreements(world: World) -> None:
    await _agree(world)
    fatima = await world.talk("fatima.ali")
    await fatima.say("status")
    fatima.expect_not("Sprogindsatsen", "Aftaler", "aftale")
    await fatima.say("vis Solsikken")
    fatima.expect_not("Sprogindsatsen", "Aftaler")


async def test_status_in_a_channel_for_a_leader_of_one_institution(world: World) -> None:
    await _agree(world)
    lone = await world.talk("lone.baek")  # known to the bot by her identity
    inbound = Inbound(PLATFORM, lone.user_key, text="status")
    text = "\n".join(line for r in await world.service.channel_question(inbound, "channel") for line in reply_lines(r))
    assert "1 åben aftale." in text and "Sprogindsatsen evalueres" in text and "Trivselsplan" not in text


async def test_status_in_a_direct_message_from_the_leader_ends_with_the_agreements(world: World) -> None:
    await _agree(world)
    lone = await world.talk("lone.baek")
    await lone.say("status")
    lone.expect("Status for Solsikken", "1 åben aftale.", "Sprogindsatsen evalueres").expect_not("Trivselsplan")
    text = lone.text
    assert text.index("Status for Solsikken") < text.index("Sprogindsatsen")  # after the board's own status
    fatima = await world.talk("fatima.ali")  # a member of the same board: no agreements in her status
    await fatima.say("status")
    fatima.expect("Status for Solsikken").expect_not("Sprogindsatsen", "aftale")
