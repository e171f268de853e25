"""The «changed after submit» mark's side effects (the mark itself is set by `DraftWriter`): the chair's
notice at the first change after the registration was sent in, and whether a returned registration is
still what was sent back (then the chair is asked before sending it in unchanged)."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import conversations, people, policy, snapshots, strategies
from storage.models import Institution, Person, Registration, RegistrationStatus

_WHERE = re.compile(r"^goal (\d+)(?:/local goal (\d+))?")  # an audit field: "goal 2/local goal 1/interventions"


async def tell_chair(
    session: AsyncSession, reg: Registration, author_id: int | None, goal_number: int | None, field: str
) -> None:
    """A notice («changed_after_submit») to the chair (without one, the leader), but not the author."""
    match = _WHERE.match(field)
    where = f"{match.group(1)}.{match.group(2)}" if match and match.group(2) else str(goal_number or "")
    institution = await session.scalar(select(Institution.name).where(Institution.id == reg.institution_id))
    author = await session.get(Person, author_id) if author_id is not None else None
    params = {"name": author.name if author else "", "institution": institution or "", "where": where}
    leadership = await strategies.answered_by_leadership(session, reg.strategy_id)
    occasion = policy.Occasion.CHANGED_AFTER_SUBMIT
    for person in await people.told_on_board(session, reg.institution_id, occasion, leadership=leadership):
        if person.id != author_id:
            await conversations.add_notice(session, person.id, occasion.value, params)


async def unchanged_since_return(session: AsyncSession, reg: Registration) -> bool:
    """A returned registration whose content is what was sent back (read only when it is returned; its
    local goals loaded with their interventions and measurements)."""
    if reg.status != RegistrationStatus.RETURNED.value:
        return False
    kept = (await snapshots.latest(session, reg.id)).get(snapshots.RETURNED)
    return kept is not None and snapshots.same(kept.content, snapshots.content_of(reg.local_goals))
