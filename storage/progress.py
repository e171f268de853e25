"""Read models for leaders: how far each registration is, for the institutions a person may see (the
scope is `storage.policy.scope`; here it becomes a condition in SQL)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, false, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from storage import people, policy
from storage.models import Area, Institution, LocalGoal, Membership, Person, Registration, Role
from storage.policy import Scope as Scope  # the scope is the policy's; SQL below only applies it


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
    changed_after_submit: bool = False  # approval: changed by the board after it was sent in


async def scope_of(session: AsyncSession, person_id: int) -> Scope:
    """What the person may see, by `policy.scope` over their memberships."""
    return policy.scope(await people.grants_of(session, person_id))


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
        inst_id: (status, bool(ready), bool(changed))
        for inst_id, status, ready, changed in (
            await session.execute(
                select(
                    Registration.institution_id, Registration.status, Registration.ready_for_chair,
                    Registration.changed_after_submit,
                ).where(Registration.strategy_id == strategy_id, Registration.institution_id.in_(ids))
            )
        ).all()
    }  # fmt: skip
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
                counts.get(inst_id, {}), tuple(chairs.get(inst_id, ())), bool(reg and reg[2]),
            )
        )  # fmt: skip
    return sorted(out, key=lambda p: (p.area.casefold(), p.name.casefold()))


async def area_names(session: AsyncSession) -> list[str]:
    return list((await session.scalars(select(Area.name))).all())


async def area_and_institution_names(session: AsyncSession) -> list[str]:
    """Every area's and institution's name: what «status <name>» may name."""
    return [*await area_names(session), *(await session.scalars(select(Institution.name))).all()]
