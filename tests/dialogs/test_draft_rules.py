"""The draft's rules live once (storage/draft_rules.py): the same changes applied in memory by the engine
and written by `DraftWriter` give the same draft, positions included (a new local goal goes last, a
deletion closes the gap)."""

from __future__ import annotations

from typing import Any

from storage.db import Database
from storage.draft_rules import (
    AddLocalGoal,
    DeleteLocalGoal,
    DraftChange,
    DraftData,
    Renumbering,
    SetAnswer,
    apply_change,
    renumber,
)
from storage.registrations import DraftWriter, load_draft, lock_registration
from tests.storage import factories as f
from tests.storage.factories import KINDS


def test_renumber_puts_a_new_local_goal_last_and_closes_the_gap_after_a_deletion() -> None:
    assert renumber(AddLocalGoal(1, 1, "x"), []) == Renumbering(added=1)
    assert renumber(AddLocalGoal(1, 1, "x"), [1, 2, 4]) == Renumbering(added=5)
    assert renumber(DeleteLocalGoal(1, 1, 2), [1, 3, 4]) == Renumbering(moved={3: 2, 4: 3})
    assert renumber(DeleteLocalGoal(1, 1, 4), [1, 2, 3]) == Renumbering()


async def _write(writer: DraftWriter, change: DraftChange) -> None:
    if isinstance(change, AddLocalGoal):
        await writer.add_local_goal(change.goal, change.text)
    elif isinstance(change, SetAnswer):
        await writer.set_answer(change.goal, change.position, change.key, change.value)
    elif isinstance(change, DeleteLocalGoal):
        await writer.delete_local_goal(change.goal, change.position)


def _layout(draft: DraftData) -> list[tuple[int, int, dict[str, Any]]]:
    return [(g.goal_number, g.position, g.answers) for g in draft.local_goals]


async def test_the_engine_and_the_writer_agree_on_every_change(sqlite_db: Database) -> None:
    board = await f.board(sqlite_db)
    reg = board.registration_id
    changes: list[DraftChange] = [
        AddLocalGoal(reg, 1, "A"),
        AddLocalGoal(reg, 1, "B"),
        AddLocalGoal(reg, 2, "X"),
        AddLocalGoal(reg, 1, "C"),
        SetAnswer(reg, 1, 3, "interventions", ["Legepatruljer", "Trivselsdag"]),
        DeleteLocalGoal(reg, 1, 1),  # B and C move up
        SetAnswer(reg, 1, 2, "why", "Fordi"),  # C, now 1.2
        AddLocalGoal(reg, 1, "D"),  # after C: 1.3
        DeleteLocalGoal(reg, 1, 3),  # the last one: nothing moves
    ]
    async with sqlite_db.transaction() as s:
        writer = DraftWriter(s, await lock_registration(s, reg), KINDS, board.chair_id)
        in_memory = await load_draft(s, reg, KINDS)
        for change in changes:
            await _write(writer, change)
            in_memory = apply_change(in_memory, change, KINDS.first_key, "Åse Ørsted")
    async with sqlite_db.transaction() as s:
        stored = await load_draft(s, reg, KINDS)
    assert (
        _layout(stored)
        == _layout(in_memory)
        == [
            (1, 1, {"goal": "B"}),
            (1, 2, {"goal": "C", "interventions": ["Legepatruljer", "Trivselsdag"], "why": "Fordi"}),
            (2, 1, {"goal": "X"}),
        ]
    )
