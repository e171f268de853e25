"""`org import --sync`: the organisation file is the truth. Roles and people the file no longer lists
are removed (after the import has added and updated what it lists), each removal audited."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit, privacy
from storage.db import Database
from storage.models import Area, AuditAction, Institution, Membership, Person
from storage.org import CLI_ACTOR, ImportReport, apply_org, place_of
from storage.org_file import OrgFile, name_key


@dataclass(frozen=True, slots=True)
class RoleToRemove:
    membership_id: int
    person_id: int
    name: str
    email: str
    role: str
    institution_id: int | None
    place: str  # "chair of Solsikken"


@dataclass
class SyncPlan:
    roles: list[RoleToRemove] = field(default_factory=list)  # of people who stay
    people: list[tuple[int, str, str]] = field(default_factory=list)  # (id, name, email) who leave entirely

    @property
    def empty(self) -> bool:
        return not self.roles and not self.people

    def lines(self) -> list[str]:
        out = [f"- role {r.place}: {r.name} <{r.email}>" for r in self.roles]
        out += [f"- person {name} <{email}> (and all their roles)" for _id, name, email in self.people]
        return out


async def plan_sync(session: AsyncSession, org: OrgFile) -> SyncPlan:
    """What `--sync` would remove: nothing is changed."""
    in_file = {
        (m.email_key, m.role.value, name_key(m.institution) if m.institution else None,
         name_key(m.area) if m.area else None)
        for m in org.memberships
    }  # fmt: skip
    people_in_file = {p.key for p in org.people}
    rows = (
        await session.execute(
            select(Membership, Person, Institution.name_key, Institution.name, Area.name_key, Area.name)
            .join(Person, Person.id == Membership.person_id)
            .outerjoin(Institution, Institution.id == Membership.institution_id)
            .outerjoin(Area, Area.id == Membership.area_id)
            .order_by(Person.name, Membership.id)
        )
    ).all()
    plan = SyncPlan()
    for m, person, inst_key, inst_name, area_key, area_name in rows:
        if person.email_key not in people_in_file:
            continue  # the person goes, with every role
        if (person.email_key, m.role, inst_key, area_key) not in in_file:
            place = place_of(m.role, inst_name, area_name)
            plan.roles.append(RoleToRemove(m.id, person.id, person.name, person.email, m.role, m.institution_id, place))
    leaving = await session.scalars(select(Person).order_by(Person.name))
    plan.people = [(p.id, p.name, p.email) for p in leaving.all() if p.email_key not in people_in_file]
    return plan


async def sync_org(db: Database, org: OrgFile, *, actor: str = CLI_ACTOR) -> tuple[ImportReport, SyncPlan]:
    """Import `org`, then remove the roles and people it does not list: one transaction."""
    async with db.transaction() as session:
        plan = await plan_sync(session, org)
        report = await apply_org(session, org, actor=actor)
        for role in plan.roles:
            await session.execute(delete(Membership).where(Membership.id == role.membership_id))
            await audit.record(
                session, AuditAction.ROLE, "role removed", actor_name=actor, subject_id=role.person_id,
                institution_id=role.institution_id, before=role.place,
            )  # fmt: skip
        for person_id, _name, _email in plan.people:
            person = await session.get(Person, person_id)
            if person is not None:
                await privacy.remove_person(session, person, actor=actor, reason="not in the organisation file")
    return report, plan
