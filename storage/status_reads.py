"""Reads for the status page and the admin's App Home at municipality scale: totals per area and per
strategic goal counted in SQL (never every institution loaded to be counted in Python), and the few
look-ups of one registration's page. The scope (what a person may see) is `storage.progress.Scope`.

A registration counts as "not_started" when there is none or it is a draft without local goals, as in
`storage.progress.progress`."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, case, exists, false, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Area, Institution, LocalGoal, Registration
from storage.progress import Scope

DONE = ("submitted", "approved")


@dataclass(frozen=True, slots=True)
class AreaTotals:
    """How far the institutions of one area (those in the viewer's scope) have come."""

    area_id: int
    area: str
    total: int
    submitted: int  # submitted, not (yet) approved
    approved: int
    in_progress: int  # a draft with local goals, or returned
    not_started: int

    @property
    def done(self) -> int:
        return self.submitted + self.approved


def scope_condition(scope: Scope) -> ColumnElement[bool]:
    """The scope as a condition on `Institution`, so the database filters."""
    if scope.everything:
        return true()
    return or_(
        Institution.area_id.in_(sorted(scope.area_ids)) if scope.area_ids else false(),
        Institution.id.in_(sorted(scope.institution_ids)) if scope.institution_ids else false(),
    )


async def area_totals(session: AsyncSession, strategy_id: int, scope: Scope) -> list[AreaTotals]:
    """Per area in scope (by name, casefolded): its institutions counted by their registration's status.
    One query whatever the number of institutions."""
    has_goals = exists().where(LocalGoal.registration_id == Registration.id)
    status = case(
        (Registration.id.is_(None), "not_started"),
        (and_(Registration.status == "draft", ~has_goals), "not_started"),
        else_=Registration.status,
    ).label("status")
    per_institution = (
        select(Area.id.label("area_id"), Area.name.label("area"), status)
        .select_from(Institution)
        .join(Area, Area.id == Institution.area_id)
        .outerjoin(
            Registration,
            and_(Registration.institution_id == Institution.id, Registration.strategy_id == strategy_id),
        )
        .where(scope_condition(scope))
        .subquery()
    )
    rows = await session.execute(
        select(per_institution.c.area_id, per_institution.c.area, per_institution.c.status, func.count()).group_by(
            per_institution.c.area_id, per_institution.c.area, per_institution.c.status
        )
    )
    counts: dict[tuple[int, str], dict[str, int]] = {}
    for area_id, area, code, n in rows:
        counts.setdefault((area_id, area), {})[code] = n
    out = [
        AreaTotals(
            area_id, area, sum(c.values()), c.get("submitted", 0), c.get("approved", 0),
            c.get("draft", 0) + c.get("returned", 0), c.get("not_started", 0),
        )
        for (area_id, area), c in counts.items()
    ]  # fmt: skip
    return sorted(out, key=lambda a: (a.area.casefold(), a.area_id))


async def goal_totals(session: AsyncSession, strategy_id: int, scope: Scope) -> dict[int, int]:
    """Per strategic goal number: how many institutions in scope have local goals under it."""
    rows = await session.execute(
        select(LocalGoal.goal_number, func.count(func.distinct(Registration.institution_id)))
        .join(Registration, Registration.id == LocalGoal.registration_id)
        .join(Institution, Institution.id == Registration.institution_id)
        .where(Registration.strategy_id == strategy_id, scope_condition(scope))
        .group_by(LocalGoal.goal_number)
    )
    return {number: n for number, n in rows}


async def registration_ids(session: AsyncSession, strategy_id: int, institution_ids: list[int]) -> dict[int, int]:
    """Institution id -> its registration's id for the strategy (of those that have one)."""
    if not institution_ids:
        return {}
    rows = await session.execute(
        select(Registration.institution_id, Registration.id).where(
            Registration.strategy_id == strategy_id, Registration.institution_id.in_(institution_ids)
        )
    )
    return {institution_id: registration_id for institution_id, registration_id in rows}


@dataclass(frozen=True, slots=True)
class RegistrationHeading:
    """What a registration's page needs to know before it loads the draft."""

    registration: Registration
    institution: str
    kind: str
    area_id: int
    area: str


async def registration_heading(session: AsyncSession, registration_id: int) -> RegistrationHeading | None:
    found = await session.execute(
        select(Registration, Institution.name, Institution.kind, Area.id, Area.name)
        .join(Institution, Institution.id == Registration.institution_id)
        .join(Area, Area.id == Institution.area_id)
        .where(Registration.id == registration_id)
    )
    hit = found.first()
    return None if hit is None else RegistrationHeading(*hit)


async def local_goal_places(session: AsyncSession, registration_id: int) -> dict[int, tuple[int, int]]:
    """Local goal id -> (strategic goal number, position) of the registration's local goals."""
    rows = await session.execute(
        select(LocalGoal.id, LocalGoal.goal_number, LocalGoal.position).where(
            LocalGoal.registration_id == registration_id
        )
    )
    return {lg_id: (goal, position) for lg_id, goal, position in rows}
