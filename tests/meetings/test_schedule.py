"""The meeting cycle's schedule over a whole year with an injected clock: questions, agenda requests,
reminders, packs, agreement reminders and «Er aftalen holdt?», and the strategy's rhythm points, each
sent once, at 09:00 on a working day (Danish public holidays and weekends moved around), through the
scheduler's tick."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.scheduler import tick
from dialogs.meetings.planning import plan_from_csv
from dialogs.meetings.schedule import enqueue_due
from dialogs.reminders.calendar import Calendar
from dialogs.texts import texts
from storage import meetings, strategies
from storage.db import Database
from storage.models import Institution, LocalGoal, OutboxItem, Person, Registration
from tests.dialogs.talk import ALMEN, KLYNGE, World

TZ = ZoneInfo("Europe/Copenhagen")
D = "demo.maalbot.dk"
PLAN = f"""institution,date,template,participants,time
Solsikken,2027-04-26,dialogmoede,admin@{D},09:00
Område Nord,2027-05-13,omraademoede,,13:00
,2027-06-10,tvaersmoede,admin@{D},
"""
Items = dict[tuple[str, str, str], tuple[date, dict[str, Any]]]


@dataclass
class Year:
    items: Items  # every outbox row of the meeting cycle by key -> (the local day it became due, its payload)
    people: dict[str, str]  # login -> recipient ("person:12")
    dialogue_id: int

    def days(self, rule: str, period_part: str = "") -> set[date]:
        return {day for (r, _to, period), (day, _p) in self.items.items() if r == rule and period_part in period}

    def payloads(self, rule: str, login: str) -> list[dict[str, Any]]:
        return [p for (r, to, _period), (_d, p) in self.items.items() if r == rule and to == self.people[login]]


RULES = ("meeting_questions", "meeting_agenda", "meeting_reminder", "meeting_pack", "agreement_reminder",
         "agreement_followup", "followup")  # fmt: skip


@pytest.fixture
async def year(sqlite_db: Database) -> Year:
    """The meeting cycle's planning (the scheduler's hook, `enqueue_due`) at 09:30 every day of 2027, and
    on each day that added rows again at 09:45 (which must add nothing)."""
    world = await World.create(sqlite_db, (ALMEN, KLYNGE))  # the cluster vision is active: its rhythm applies
    report = await plan_from_csv(sqlite_db, PLAN, texts("da"))
    assert report.problems == []
    async with sqlite_db.transaction() as s:
        people = {p.email.split("@")[0]: p.id for p in await s.scalars(select(Person))}
        solsikken = await s.scalar(select(Institution).where(Institution.name == "Solsikken"))
        assert solsikken is not None
        klynge = await strategies.strategy_by_key(s, "klynge-vision")
        assert klynge is not None
        reg = Registration(institution_id=solsikken.id, strategy_id=klynge.id, status="submitted")
        s.add(reg)
        await s.flush()
        s.add(LocalGoal(registration_id=reg.id, goal_number=1, position=1, text="Ti fælles metoder"))
        (dialogue,) = await meetings.meeting_views(s, start=date(2027, 4, 26), end=date(2027, 4, 26))
        await meetings.add_agreement(s, dialogue.id, "Sprogindsatsen evalueres", people["lone.baek"],
                                     date(2027, 5, 17), people["admin"])  # fmt: skip
    seen: Items = {}
    day = date(2027, 1, 1)
    while day.year == 2027:
        added = await enqueue_due(world.db, datetime.combine(day, time(9, 30), tzinfo=TZ).astimezone(UTC))
        if added:  # rows enter the outbox only here: read it on the days they did
            assert await enqueue_due(world.db, datetime.combine(day, time(9, 45), tzinfo=TZ).astimezone(UTC)) == 0
            before = len(seen)
            async with sqlite_db.read() as s:
                rows = await s.scalars(select(OutboxItem).where(OutboxItem.rule.in_(RULES)))
                for row in rows:
                    key = (row.rule, row.recipient, row.period)
                    if key not in seen:
                        assert row.due_at.astimezone(TZ).date() == day, key  # due today: entered the outbox today
                        seen[key] = (day, row.payload)
            assert len(seen) - before == added  # as many new rows as the hook said
        day += timedelta(days=1)
    return Year(seen, {login: f"person:{pid}" for login, pid in people.items()}, dialogue.id)


async def test_a_year_of_meetings_and_agreements(year: Year) -> None:
    lone, admin, mette = (year.people[k] for k in ("lone.baek", "admin", "mette.noergaard"))
    # the dialogue meeting on Monday 26 April: the questions 28 days before fall on Easter Monday (29 March),
    # so they go on the last working day before Easter, Wednesday 24 March; area and cross-area meetings
    # get theirs 14 days before
    assert year.days("meeting_questions") == {date(2027, 3, 24), date(2027, 4, 29), date(2027, 5, 27)}
    assert year.days("meeting_agenda") == {date(2027, 3, 22), date(2027, 4, 22), date(2027, 5, 20)}
    # reminders 7 and 1 days before; 1 day before a Monday meeting is a Sunday: the Friday before
    dialogue = f"meeting:{year.dialogue_id}:reminder:"
    assert {(d, p[-1]) for (r, _t, p), (d, _) in year.items.items() if r == "meeting_reminder" and dialogue in p} == {
        (date(2027, 4, 19), "7"),
        (date(2027, 4, 23), "1"),
    }
    # the area meeting's pack 7 days before Thursday 13 May falls on Ascension Day: the day before
    packs = {(to, day) for (r, to, _p), (day, _) in year.items.items() if r == "meeting_pack"}
    assert packs == {(mette, date(2027, 5, 5)), (admin, date(2027, 6, 3))}  # cross-area: the administration
    # the agreement due on Whit Monday: reminded a week before, asked «Er aftalen holdt?» the day after
    assert year.days("agreement_reminder") == {date(2027, 5, 10)}
    assert year.days("agreement_followup") == {date(2027, 5, 18)}
    (payload,) = year.payloads("agreement_followup", "lone.baek")
    (reply,) = payload["replies"]
    assert reply["text"].startswith("Er aftalen holdt? «Sprogindsatsen evalueres»")
    assert [label for _id, label in reply["choices"]] == ["Ja, den er holdt", "Delvist", "Nej, den er ikke holdt"]
    # the cluster vision's rhythm: status in March and October and the yearly evaluation in June, to the
    # leader (the vision is answered by the leadership), never to the parents' chair
    rhythm = {(to, day) for (r, to, _p), (day, _) in year.items.items() if r == "followup"}
    assert rhythm == {(lone, date(2027, 3, 1)), (lone, date(2027, 6, 1)), (lone, date(2027, 10, 1))}
    (june,) = [p for p in year.payloads("followup", "lone.baek") if p["followup"]["date"] == "2027-06-01"]
    assert "ret mål 1" in june["replies"][0]["text"]  # the yearly evaluation offers the revision
    assert all(Calendar().is_working_day(day) for day, _p in year.items.values())
    # the area meeting's management information, and the preparer's reminder with what is unanswered
    (pack,) = year.payloads("meeting_pack", "mette.noergaard")
    (reply,) = pack["replies"]
    assert reply["title"].startswith("Ledelsesinformation til «Samarbejdsmøde i området»")
    assert "1 af 3 institutioner har sendt deres lokale mål ind" in reply["text"]
    assert "Mangler: Mælkebøtten, Ærøvej Skole." in reply["text"]
    assert "• Sprogindsatsen evalueres (Lone Bæk, 17. maj 2027)" in reply["text"]
    reminders = [p["replies"][0]["text"] for p in year.payloads("meeting_reminder", "lone.baek")]
    assert any("16 af jeres spørgsmål er ikke besvaret endnu" in text for text in reminders)


async def test_the_scheduler_tick_runs_the_meeting_cycle(sqlite_db: Database) -> None:
    world = await World.create(sqlite_db)
    assert (await plan_from_csv(sqlite_db, PLAN, texts("da"))).problems == []
    easter = datetime(2027, 3, 24, 9, 30, tzinfo=TZ).astimezone(UTC)
    report = await tick(world.db, [], easter, instance_id="test")
    assert report.meeting_items == 2  # Lone Bæk is asked to prepare, and (two days late) for agenda points
    again = await tick(world.db, [], easter + timedelta(minutes=1), instance_id="test")
    assert again.meeting_items == 0
    async with sqlite_db.read() as s:
        (payload,) = await s.scalars(select(OutboxItem.payload).where(OutboxItem.rule == "meeting_questions"))
    (reply,) = payload["replies"]
    assert reply["text"].startswith(
        "Før «Dialogmøde mellem ledelsesteamet og forvaltningen» den 26. april 2027 kl. 09:00 vil vi gerne have, "
        "at I svarer på 16 spørgsmål"
    )
    ((choice_id, label),) = reply["choices"]
    assert choice_id.startswith("meeting:prepare:") and label == "Gå i gang med forberedelsen"
