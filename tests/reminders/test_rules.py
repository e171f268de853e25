"""The rules as pure functions over a snapshot: holidays, school holidays, summer time, escalation."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from dialogs.reminders.calendar import Calendar
from dialogs.reminders.model import (
    AreaInfo,
    InstitutionInfo,
    MeasurementInfo,
    MembershipInfo,
    PersonInfo,
    Snapshot,
)
from dialogs.reminders.planner import plan
from dialogs.reminders.render import reply_from_json
from dialogs.strategy import DateRange, Strategy, load_strategy_file
from tests.reminders.conftest import DEADLINE, local, write_strategy

AUTUMN = {"start": "2026-10-12", "end": "2026-10-16", "name": "efterårsferie"}


def strategy(tmp_path: Path, **reminders: Any) -> Strategy:
    return load_strategy_file(write_strategy(tmp_path, **reminders))


def snapshot(strat: Strategy, *, done: bool = False, paused_until: date | None = None) -> Snapshot:
    status = "submitted" if done else "draft"
    return Snapshot(
        strategy=strat,
        areas=(AreaInfo(1, "Område Nord", (("slack", "#nord"),)), AreaInfo(2, "Område Syd", (("slack", "#syd"),))),
        institutions=(
            InstitutionInfo(10, "Solsikken", 1, status, 100, {1: 1}),
            InstitutionInfo(20, "Bøgeskov Skole", 2, "not_started"),
        ),
        people={
            1: PersonInfo(1, "Anne Admin"),
            2: PersonInfo(2, "Mette Områdeleder"),
            3: PersonInfo(3, "Søren Formand", paused_until=paused_until),
            4: PersonInfo(4, "Fatima Medlem", "en"),
            5: PersonInfo(5, "Lone Leder"),
            6: PersonInfo(6, "Trine Formand"),
            7: PersonInfo(7, "Henrik Områdeleder"),
        },
        memberships=(
            MembershipInfo(1, "admin"),
            MembershipInfo(2, "area_leader", area_id=1),
            MembershipInfo(7, "area_leader", area_id=2),
            MembershipInfo(3, "chair", 10),
            MembershipInfo(4, "member", 10),
            MembershipInfo(5, "leader", 10),
            MembershipInfo(6, "chair", 20),
        ),
        measurements=(
            MeasurementInfo(
                500, 10, 1, "Alle børn har en ven", "Trivselsmåling", (date(2026, 5, 14), date(2026, 10, 13))
            ),
        ),
    )


def keys(now: datetime, snap: Snapshot, rule: str | None = None) -> set[tuple[str, str, str]]:
    return {i.key for i in plan(now, snap) if rule is None or i.rule == rule}


def test_danish_public_holidays_and_school_holidays() -> None:
    cal = Calendar(school_holidays=(DateRange(start=date(2026, 10, 12), end=date(2026, 10, 16)),))
    assert cal.why_not_working(date(2026, 4, 6)) == "Anden påskedag"
    assert cal.why_not_working(date(2026, 5, 14)) == "Kristi himmelfartsdag"
    assert cal.why_not_working(date(2026, 10, 14)) == "school holiday"
    assert cal.why_not_working(date(2026, 3, 7)) == "weekend"
    assert cal.next_working_day(date(2026, 4, 3)) == date(2026, 4, 7)  # Langfredag, weekend, 2. påskedag


def test_the_easter_monday_digest_moves_to_tuesday(tmp_path: Path) -> None:
    snap = snapshot(strategy(tmp_path))
    assert keys(local(2026, 4, 6, 9, 0), snap, "digest") == set()
    assert keys(local(2026, 4, 6, 12, 0), snap, "nudge") == set()
    items = [i for i in plan(local(2026, 4, 7, 9, 0), snap) if i.rule == "digest"]
    assert [(i.recipient, i.period, i.due_at) for i in items] == [
        ("area:1:slack", "2026-W15", local(2026, 4, 7, 9, 0)),
        ("area:2:slack", "2026-W15", local(2026, 4, 7, 9, 0)),
    ]


def test_a_follow_up_on_kristi_himmelfartsdag_moves_to_the_next_working_day(tmp_path: Path) -> None:
    snap = snapshot(strategy(tmp_path))
    assert keys(local(2026, 5, 14, 12, 0), snap, "followup") == set()
    found = [i for i in plan(local(2026, 5, 15, 9, 0), snap) if i.rule == "followup"]
    assert [(i.recipient, i.period) for i in found] == [("person:3", "lg:500:2026-05-14")]
    reply = reply_from_json(found[0].payload["replies"][0])
    assert [c.label for c in reply.choices] == ["På sporet", "Delvist", "Ikke på sporet"]
    assert reply.choices[0].id == "followup:500:2026-05-14:on_track"


def test_a_configured_autumn_holiday_is_skipped(tmp_path: Path) -> None:
    snap = snapshot(strategy(tmp_path, school_holidays=[AUTUMN]))
    for day in range(12, 17):
        assert keys(local(2026, 10, day, 12, 0), snap) == set(), day
    # The follow-up of 13 October goes out on the first working day after the holiday ...
    assert ("followup", "person:3", "lg:500:2026-10-13") in keys(local(2026, 10, 19, 9, 0), snap)
    # ... while the week-42 digest, whose week was all holiday, is never sent.
    assert {k[2] for k in keys(local(2026, 10, 19, 9, 0), snap, "digest")} == {"2026-W43"}
    without = snapshot(strategy(tmp_path))  # the same week without the school holiday
    assert ("digest", "area:1:slack", "2026-W42") in keys(local(2026, 10, 12, 9, 0), without, "digest")


@pytest.mark.parametrize(
    ("monday", "utc_hour"),
    [
        ((2026, 3, 23), 8),  # winter time: 09:00 CET is 08:00 UTC
        ((2026, 3, 30), 7),  # the day after the switch to summer time: 09:00 CEST is 07:00 UTC
        ((2026, 10, 19), 7),  # summer time
        ((2026, 10, 26), 8),  # the day after the switch back to winter time
    ],
)
def test_the_nine_oclock_digest_stays_at_nine_local_across_summer_time(
    tmp_path: Path, monday: tuple[int, int, int], utc_hour: int
) -> None:
    snap = snapshot(strategy(tmp_path))
    at_nine = local(*monday, 9, 0)
    assert at_nine.hour == utc_hour
    assert keys(at_nine - timedelta(minutes=1), snap, "digest") == set()
    (item,) = [i for i in plan(at_nine, snap) if i.recipient == "area:1:slack"]
    assert item.due_at == at_nine


def test_escalation_14_and_3_days_before_and_one_list_after_the_deadline(tmp_path: Path) -> None:
    snap = snapshot(strategy(tmp_path))
    chair_and_leaders = {"person:3", "person:5", "person:6"}  # Søren, Lone (Solsikken), Trine (Bøgeskov)
    day = DEADLINE - timedelta(days=20)
    seen: dict[str, set[str]] = {}
    while day <= DEADLINE + timedelta(days=10):
        for item in plan(local(day.year, day.month, day.day, 9, 0), snap):
            if item.rule in ("escalation", "overdue"):
                seen.setdefault(f"{item.rule} {item.period}", set()).add(item.recipient)
        day += timedelta(days=1)
    assert seen == {
        "escalation deadline:2026-06-15:-14": chair_and_leaders,
        "escalation deadline:2026-06-15:-3": chair_and_leaders,
        "overdue deadline:2026-06-15": {"person:1", "person:2", "person:7"},
    }
    (admin_list,) = [
        i for i in plan(local(2026, 6, 16, 9, 0), snap) if i.rule == "overdue" and i.recipient == "person:1"
    ]
    reply = reply_from_json(admin_list.payload["replies"][0])
    assert reply.text == "Fristen var 15. juni 2026. 2 bestyrelser har ikke sendt ind:"
    assert [label for label, _ in reply.facts] == ["Solsikken (Område Nord)", "Bøgeskov Skole (Område Syd)"]
    escalation = next(
        i for i in plan(local(2026, 6, 1, 9, 0), snap) if i.recipient == "person:3" and i.rule == "escalation"
    )
    assert reply_from_json(escalation.payload["replies"][0]).text.startswith(
        "Fristen for de lokale mål er om 14 dage (15. juni 2026)"
    )


def test_no_escalation_when_every_board_has_submitted(tmp_path: Path) -> None:
    snap = snapshot(strategy(tmp_path), done=True)
    done = Snapshot(
        strategy=snap.strategy,
        areas=snap.areas,
        institutions=(snap.institutions[0],),
        people=snap.people,
        memberships=snap.memberships,
    )
    assert keys(local(2026, 6, 1, 9, 0), done, "escalation") == set()
    assert keys(local(2026, 6, 16, 9, 0), done, "overdue") == set()


def test_a_paused_person_gets_nothing_until_the_date(tmp_path: Path) -> None:
    snap = snapshot(strategy(tmp_path), paused_until=date(2026, 6, 10))
    assert "person:3" not in {r for _, r, _ in keys(local(2026, 6, 1, 9, 0), snap)}
    assert ("escalation", "person:3", "deadline:2026-06-15:-3") in keys(local(2026, 6, 12, 9, 0), snap)


def test_english_readers_get_english(tmp_path: Path) -> None:
    snap = snapshot(strategy(tmp_path))
    nudge = next(i for i in plan(local(2026, 3, 2, 9, 0), snap) if i.recipient == "person:4")
    reply = reply_from_json(nudge.payload["replies"][0])
    assert reply.text.startswith("Hi Fatima Medlem! The board of Solsikken has not yet submitted")
    assert [c.id for c in reply.choices] == ["board:100"]


def test_an_area_can_have_its_own_digest_rhythm(tmp_path: Path) -> None:
    snap = snapshot(strategy(tmp_path, areas={"område nord": {"digest": "0 10 * * WED"}}))
    assert keys(local(2026, 3, 2, 9, 0), snap, "digest") == {("digest", "area:2:slack", "2026-W10")}
    assert ("digest", "area:1:slack", "2026-W10") in keys(local(2026, 3, 4, 10, 0), snap, "digest")


def test_an_area_without_a_channel_gets_its_digest_by_dm_to_its_leaders(tmp_path: Path) -> None:
    snap = snapshot(strategy(tmp_path))
    snap = Snapshot(
        strategy=snap.strategy,
        areas=(snap.areas[0], AreaInfo(2, "Område Syd")),
        institutions=snap.institutions,
        people=snap.people,
        memberships=snap.memberships,
    )
    assert keys(local(2026, 3, 2, 9, 0), snap, "digest") == {
        ("digest", "area:1:slack", "2026-W10"),
        ("digest", "person:7", "2026-W10:area:2"),
    }
