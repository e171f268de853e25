"""Small builders for storage tests: areas, institutions, people, roles and strategies as rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import (
    Area,
    AuditEntry,
    Institution,
    InstitutionKind,
    Membership,
    Person,
    Role,
)
from storage.org_file import name_key
from storage.people import email_key
from storage.registrations import QuestionKinds, ensure_registration
from storage.strategies import save_strategy

# The question keys the registration tests use: one of every kind.
KINDS = QuestionKinds(
    first_key="goal",
    kinds={"goal": "text", "why": "text", "interventions": "list", "measure": "measurement", "involve": "choice"},
)


async def area(s: AsyncSession, name: str = "Område Nord") -> Area:
    row = Area(name=name, name_key=name_key(name))
    s.add(row)
    await s.flush()
    return row


async def institution(
    s: AsyncSession, area_row: Area, name: str, kind: InstitutionKind = InstitutionKind.SKOLE
) -> Institution:
    row = Institution(name=name, name_key=name_key(name), kind=kind.value, area_id=area_row.id)
    s.add(row)
    await s.flush()
    return row


async def person(s: AsyncSession, name: str, email: str) -> Person:
    row = Person(name=name, email=email, email_key=email_key(email))
    s.add(row)
    await s.flush()
    return row


async def role(
    s: AsyncSession, who: Person, role_: Role, *, inst: Institution | None = None, area_row: Area | None = None
) -> None:
    s.add(
        Membership(
            person_id=who.id,
            role=role_.value,
            institution_id=inst.id if inst else None,
            area_id=area_row.id if area_row else None,
        )
    )
    await s.flush()


def definition(key: str = "2025", title: str = "Strategi 2025", goals: dict[int, str] | None = None) -> dict[str, Any]:
    """A validated strategy definition as `save_strategy` takes it (JSON-ready)."""
    goals = goals if goals is not None else {1: "Trivsel", 2: "Læring", 3: "Fællesskab"}
    return {
        "key": key,
        "title": title,
        "period": {"start": "2025-01-01", "end": "2028-12-31"},
        "deadline": "2025-06-30",
        "goals": [{"number": n, "title": t, "description": f"Om {t.lower()}"} for n, t in goals.items()],
    }


@dataclass(frozen=True)
class Board:
    """One board with a registration for one strategy: ids only, usable in any transaction."""

    registration_id: int
    institution_id: int
    strategy_id: int
    chair_id: int  # "Åse Ørsted", chair
    member_id: int  # "Bo Æbelø", member


async def board(db: Database) -> Board:
    async with db.transaction() as s:
        nord = await area(s)
        school = await institution(s, nord, "Ærø Skole")
        chair = await person(s, "Åse Ørsted", "aase@example.dk")
        member = await person(s, "Bo Æbelø", "bo@example.dk")
        await role(s, chair, Role.CHAIR, inst=school)
        await role(s, member, Role.MEMBER, inst=school)
        strategy, _ = await save_strategy(s, definition())
        reg = await ensure_registration(s, school.id, strategy.id)
        return Board(reg.id, school.id, strategy.id, chair.id, member.id)


async def count(s: AsyncSession, model: type[Any]) -> int:
    return int(await s.scalar(select(func.count()).select_from(model)) or 0)


async def audit_rows(s: AsyncSession) -> list[tuple[Any, ...]]:
    """Every audit entry as a plain tuple, in insertion order."""
    rows = (await s.scalars(select(AuditEntry).order_by(AuditEntry.id))).all()
    return [(a.id, a.registration_id, a.person_id, a.version, a.goal_number, a.field, a.before, a.after) for a in rows]
