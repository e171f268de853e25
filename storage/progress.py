"""Read models for leaders: which institutions a person may see, and how far each registration is."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, false, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Area, Institution, LocalGoal, Membership, Person, Registration, Role


@dataclass(frozen=True, slots=True)
class InstitutionProgress:
    institution_id: int
    name: str
    area: str
    kind: str
    status: str  # not_started | draft | submitted | approved | returned
    ready_for_chair: bool = False
    goals: dict[int, int] = field(default_factory=dict)  # strategic goal number -> local goals
    chairs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Scope:
    """What a person may see: everything (admin), some areas, some institutions, or their own boards."""

    everything: bool
    area_ids: frozenset[int]
    institution_ids: frozenset[int]
    board_only: bool  # a board member (no leader role): only their own board

    def allows(self, institution_id: int, area_id: int) -> bool:
        return self.everything or area_id in self.area_ids or institution_id in self.institution_ids


async def scope_of(session: AsyncSession, person_id: int) -> Scope:
    rows = (
        await session.execute(
            select(Membership.role, Membership.area_id, Membership.institution_id).where(
                Membership.person_id == person_id
            )
        )
    ).all()
    roles = {r for r, _, _ in rows}
    areas = frozenset(a for r, a, _ in rows if r == Role.AREA_LEADER.value and a is not None)
    institutions = frozenset(i for _, _, i in rows if i is not None)
    leader_roles = {Role.ADMIN.value, Role.AREA_LEADER.value, Role.LEADER.value}
    return Scope(Role.ADMIN.value in roles, areas, institutions, board_only=not (roles & leader_roles))


def _in_scope(scope: Scope) -> ColumnElement[bool]:
    """The scope as a condition on `Institution`, so the database filters (not Python)."""
    if scope.everything:
        return true()
    return or_(
        Institution.area_id.in_(sorted(scope.area_ids)) if scope.area_ids else false(),
        Institution.id.in_(sorted(scope.institution_ids)) if scope.institution_ids else false(),
    )


async def progress(session: AsyncSession, strategy_id: int, scope: Scope) -> list[InstitutionProgress]:
    """Every institution in scope with its registration's progress, sorted by area and name. Four
    queries whatever the size, each filtered by the scope in SQL."""
    where = _in_scope(scope)
    visible = (
        await session.execute(
            select(Institution.id, Institution.name, Institution.kind, Area.id, Area.name)
            .join(Area, Area.id == Institution.area_id)
            .where(where)
        )
    ).all()
    ids = select(Institution.id).where(where).scalar_subquery()
    regs = {
        inst_id: (status, bool(ready))
        for inst_id, status, ready in (
            await session.execute(
                select(Registration.institution_id, Registration.status, Registration.ready_for_chair).where(
                    Registration.strategy_id == strategy_id, Registration.institution_id.in_(ids)
                )
            )
        ).all()
    }
    counts: dict[int, dict[int, int]] = {}
    for inst_id, goal, n in (
        await session.execute(
            select(Registration.institution_id, LocalGoal.goal_number, func.count(LocalGoal.id))
            .join(LocalGoal, LocalGoal.registration_id == Registration.id)
            .where(Registration.strategy_id == strategy_id, Registration.institution_id.in_(ids))
            .group_by(Registration.institution_id, LocalGoal.goal_number)
        )
    ).all():
        counts.setdefault(inst_id, {})[goal] = n
    chairs: dict[int, list[str]] = {}
    for chair_inst, name in (
        await session.execute(
            select(Membership.institution_id, Person.name)
            .join(Person, Person.id == Membership.person_id)
            .where(Membership.role == Role.CHAIR.value, Membership.institution_id.in_(ids))
            .order_by(Person.name)
        )
    ).all():
        if chair_inst is not None:
            chairs.setdefault(chair_inst, []).append(name)
    out = []
    for inst_id, name, kind, _area_id, area_name in visible:
        reg = regs.get(inst_id)
        has_content = bool(counts.get(inst_id))
        status = reg[0] if reg is not None and (has_content or reg[0] != "draft") else "not_started"
        out.append(
            InstitutionProgress(
                inst_id, name, area_name, kind, status, bool(reg and reg[1]),
                counts.get(inst_id, {}), tuple(chairs.get(inst_id, ())),
            )
        )  # fmt: skip
    return sorted(out, key=lambda p: (p.area.casefold(), p.name.casefold()))


async def area_names(session: AsyncSession) -> list[str]:
    return list((await session.scalars(select(Area.name))).all())
