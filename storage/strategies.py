"""Strategies in the database: save a validated definition, find the active one."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.models import StrategicGoal, Strategy
from storage.types import utcnow


async def save_strategy(session: AsyncSession, definition: dict[str, Any]) -> tuple[Strategy, bool]:
    """Insert or update a strategy by key from its validated definition (JSON-ready dict).

    Goals are matched by number: titles update in place, goals no longer listed are removed.
    Returns the row and whether it was created. Loading stamps `loaded_at`, which makes the
    strategy the active one (see `active_strategy`)."""
    key = definition["key"]
    row = await session.scalar(select(Strategy).where(Strategy.key == key).options(selectinload(Strategy.goals)))
    created = row is None
    if row is None:
        row = Strategy(key=key, title=definition["title"], definition=definition)
        session.add(row)
        row.goals = []
    period = definition.get("period") or {}
    row.title = definition["title"]
    row.period_start = _date(period.get("start"))
    row.period_end = _date(period.get("end"))
    row.deadline = _date(definition.get("deadline"))
    row.definition = definition
    row.loaded_at = utcnow()
    by_number = {g.number: g for g in row.goals}
    wanted = {int(g["number"]): g for g in definition["goals"]}
    for number, goal in by_number.items():
        if number not in wanted:
            row.goals.remove(goal)
    for number, spec in wanted.items():
        existing = by_number.get(number)
        if existing is None:
            row.goals.append(StrategicGoal(number=number, title=spec["title"], description=spec.get("description")))
        else:
            existing.title = spec["title"]
            existing.description = spec.get("description")
    await session.flush()
    return row, created


async def active_strategy(session: AsyncSession) -> Strategy | None:
    """The strategy boards register for now: the one loaded most recently."""
    return await session.scalar(select(Strategy).order_by(Strategy.loaded_at.desc(), Strategy.id.desc()).limit(1))


async def strategy_by_key(session: AsyncSession, key: str) -> Strategy | None:
    return await session.scalar(select(Strategy).where(Strategy.key == key))


async def answered_by_leadership(session: AsyncSession, strategy_id: int) -> bool:
    """Whether the strategy's file says `respondent: leadership` (its leaders answer it, not the board)."""
    definition = await session.scalar(select(Strategy.definition).where(Strategy.id == strategy_id))
    return isinstance(definition, dict) and definition.get("respondent") == "leadership"


async def strategy_by_id(session: AsyncSession, strategy_id: int) -> Strategy:
    row = await session.get(Strategy, strategy_id)
    if row is None:
        raise LookupError(f"strategy {strategy_id} not found")
    return row


async def list_strategies(session: AsyncSession) -> list[Strategy]:
    return list((await session.scalars(select(Strategy).order_by(Strategy.loaded_at.desc()))).all())


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
