"""The status page's totals counted by the database, on SQLite and PostgreSQL: per area by status (a
draft without local goals is «not started»), per strategic goal, and only within the viewer's scope."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.db import Database
from storage.models import Area, Institution, LocalGoal, Registration, Strategy
from storage.progress import Scope
from storage.status_reads import area_totals, goal_totals, local_goal_places, registration_heading, registration_ids

EVERYTHING = Scope(True, frozenset(), frozenset(), board_only=False)


async def _seed(db: Database) -> dict[str, int]:
    async with db.transaction() as s:
        strategy = Strategy(key="s", title="S", definition={}, loaded_at=datetime(2026, 1, 1, tzinfo=UTC))
        other = Strategy(key="old", title="Old", definition={}, loaded_at=datetime(2025, 1, 1, tzinfo=UTC))
        north, south = Area(name="Nord", name_key="nord"), Area(name="Ærø", name_key="ærø")
        s.add_all([strategy, other, north, south])
        await s.flush()
        made = {}
        for name, area in [("A", north), ("B", north), ("C", north), ("D", south), ("E", south)]:
            inst = Institution(name=name, name_key=name.lower(), kind="skole", area=area)
            s.add(inst)
            await s.flush()
            made[name] = inst.id
        goals = [LocalGoal(goal_number=1, position=1, text="x", answers={}),
                 LocalGoal(goal_number=2, position=1, text="y", answers={})]  # fmt: skip
        s.add_all([
            Registration(institution_id=made["A"], strategy_id=strategy.id, status="submitted", local_goals=goals),
            Registration(institution_id=made["B"], strategy_id=strategy.id, status="draft",
                         local_goals=[LocalGoal(goal_number=1, position=1, text="z", answers={})]),
            Registration(institution_id=made["C"], strategy_id=strategy.id, status="draft"),  # nothing yet
            Registration(institution_id=made["D"], strategy_id=strategy.id, status="approved"),
            Registration(institution_id=made["E"], strategy_id=other.id, status="submitted"),  # another strategy
        ])  # fmt: skip
        await s.flush()
        made["strategy"], made["north"], made["south"] = strategy.id, north.id, south.id
    return made


async def test_totals_per_area_and_goal(db: Database) -> None:
    ids = await _seed(db)
    async with db.read() as s:
        totals = await area_totals(s, ids["strategy"], EVERYTHING)
        goals = await goal_totals(s, ids["strategy"], EVERYTHING)
    assert [(a.area, a.total, a.submitted, a.approved, a.in_progress, a.not_started) for a in totals] == [
        ("Nord", 3, 1, 0, 1, 1),
        ("Ærø", 2, 0, 1, 0, 1),
    ]
    assert [a.done for a in totals] == [1, 1]
    assert goals == {1: 2, 2: 1}


async def test_totals_keep_to_the_scope(db: Database) -> None:
    ids = await _seed(db)
    south_and_a = Scope(False, frozenset({ids["south"]}), frozenset({ids["A"]}), board_only=False)
    async with db.read() as s:
        totals = await area_totals(s, ids["strategy"], south_and_a)
        goals = await goal_totals(s, ids["strategy"], south_and_a)
        regs = await registration_ids(s, ids["strategy"], [ids["A"], ids["C"], ids["E"]])
        heading = await registration_heading(s, regs[ids["A"]])
        places = await local_goal_places(s, regs[ids["A"]])
    assert [(a.area, a.total, a.done) for a in totals] == [("Nord", 1, 1), ("Ærø", 2, 1)]
    assert goals == {1: 1, 2: 1}
    assert set(regs) == {ids["A"], ids["C"]}  # E has a registration only for the other strategy
    assert heading is not None and (heading.institution, heading.area, heading.area_id) == ("A", "Nord", ids["north"])
    assert sorted(places.values()) == [(1, 1), (2, 1)]
