"""How many SQL statements one wizard turn costs through the durable path (issue 9: at most 12).

The count is deterministic (unlike time): SQLAlchemy's `before_cursor_execute` sees every statement
the turn sends, BEGIN and COMMIT included. The turn is a board member's answer in the middle of the
wizard, run like every platform runs it: the job stored in the inbox, then `TurnRunner.run`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, select

from dialogs.messages import Inbound
from dialogs.turns import TURN, Job, TurnRunner
from storage.models import LocalGoal, OutboxItem
from tests.dialogs.talk import PLATFORM, Talk, World

WIZARD_TURN_LIMIT = 12


@contextmanager
def counted(world: World) -> Iterator[list[str]]:
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    engine = world.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", seen)


async def accept(runner: TurnRunner, talk: Talk, key: str, text: str) -> None:
    job = Job(TURN, Inbound(PLATFORM, talk.user_key, text=text), conversation=f"D-{talk.user_key}")
    await runner.accept(key, job)


async def turn(runner: TurnRunner, talk: Talk, key: str, text: str) -> None:
    await accept(runner, talk, key, text)
    await runner.run(PLATFORM, talk.user_key)


async def test_a_wizard_answer_costs_at_most_twelve_statements(world_on_both: World) -> None:
    """On SQLite BEGIN IMMEDIATE is one of them; on PostgreSQL the per-user advisory lock is."""
    world = world_on_both
    soeren = await world.talk("soeren.oestergaard")
    runner = TurnRunner(world.service)
    await turn(runner, soeren, "k1", "start")  # the first question of goal 1 is asked
    await turn(runner, soeren, "k2", "Alle børn har en fast voksen")  # an answer: the wizard goes on
    await accept(runner, soeren, "k3", "Vi holder ugentlige samtaler med hvert barn")  # stored, acknowledged
    with counted(world) as statements:
        await runner.run(PLATFORM, soeren.user_key)  # the turn: one transaction
    print(len(statements), *statements, sep="\n---\n")  # shown with -s
    async with world.db.transaction() as s:
        goals = (await s.scalars(select(LocalGoal))).all()
        replies = (await s.scalars(select(OutboxItem).where(OutboxItem.rule == "reply"))).all()
    assert [g.text for g in goals] == ["Alle børn har en fast voksen"]  # the answers were stored
    assert len(replies) == 3  # and every turn wrote its replies
    assert len(statements) <= WIZARD_TURN_LIMIT, statements
