"""The meeting flow reads an agreement's status with its row locked (`meetings.agreement(lock=True)`), so
«Er aftalen holdt?» is stored once; the locking read runs on both backends and sees what was stored."""

from __future__ import annotations

from datetime import UTC, date, datetime

from storage import meetings
from storage.db import Database
from storage.meeting_models import AgreementStatus
from tests.storage import factories


async def test_a_locked_read_of_an_agreement_sees_its_follow_up(db: Database) -> None:
    async with db.transaction() as s:
        place = await factories.institution(s, await factories.area(s), "Solsikken")
        owner = await factories.person(s, "Lone Bæk", "lone@example.dk")
        meeting, _ = await meetings.plan_meeting(
            s, template_key="dialogmoede", kind="dialogue", held_on=date(2026, 11, 20), start_time=None,
            institution_id=place.id, area_id=None, participants=[],
        )  # fmt: skip
        row = await meetings.add_agreement(s, meeting.id, "Evaluate", owner.id, date(2027, 6, 1), owner.id)
    async with db.transaction() as s:
        found = await meetings.agreement(s, row.id, lock=True)
        assert found is not None and (found.status, found.owner_name) == ("open", "Lone Bæk")
        now = datetime(2027, 6, 1, 9, tzinfo=UTC)
        assert await meetings.follow_up_agreement(s, row.id, AgreementStatus.PARTLY, owner.id, None, now)
    async with db.transaction() as s:
        again = await meetings.agreement(s, row.id, lock=True)
        assert again is not None and again.status == "partly"
        assert not await meetings.follow_up_agreement(s, row.id, AgreementStatus.KEPT, owner.id, None, now)
        assert await meetings.agreement(s, 10_000, lock=True) is None
