"""People, identities and the boards they sit on (who may do what there: `storage.policy`)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import policy
from storage.models import Area, Identity, Institution, Membership, Notice, Person

BOARD_ROLES = policy.BOARD_ROLES
SUBMIT_ROLES = policy.SUBMIT_ROLES


@dataclass(frozen=True, slots=True)
class Board:
    """An institution a person answers for, and their role there."""

    institution_id: int
    institution_name: str
    area_name: str
    role: str  # member | chair | leader
    institution_kind: str = ""  # dagtilbud | skole, where the query read it ("" when not)

    @property
    def can_submit(self) -> bool:
        return policy.may_submit(self.role)


def email_key(email: str) -> str:
    """The key `Person.email_key` holds: NFC, then casefolded, like the organisation import's
    (a platform may hand over "å" decomposed)."""
    return unicodedata.normalize("NFC", email.strip()).casefold()


async def person_by_email(session: AsyncSession, email: str) -> Person | None:
    return await session.scalar(select(Person).where(Person.email_key == email_key(email)))


async def count_people(session: AsyncSession) -> int:
    return await session.scalar(select(func.count()).select_from(Person)) or 0


async def person_by_identity(session: AsyncSession, platform: str, user_key: str) -> Person | None:
    return await session.scalar(
        select(Person)
        .join(Identity, Identity.person_id == Person.id)
        .where(Identity.platform == platform, Identity.user_key == user_key)
    )


async def link_identity(session: AsyncSession, person: Person, platform: str, user_key: str) -> None:
    """Remember that `user_key` on `platform` is `person` (moving it if it pointed elsewhere)."""
    row = await session.scalar(select(Identity).where(Identity.platform == platform, Identity.user_key == user_key))
    if row is None:
        session.add(Identity(person_id=person.id, platform=platform, user_key=user_key))
    elif row.person_id != person.id:
        row.person_id = person.id
    await session.flush()


async def boards_of(session: AsyncSession, person_id: int) -> list[Board]:
    """The boards a person answers for, strongest role first when they hold several on one board."""
    rows = (
        await session.execute(
            select(Membership.role, Institution.id, Institution.name, Area.name)
            .join(Institution, Institution.id == Membership.institution_id)
            .join(Area, Area.id == Institution.area_id)
            .where(Membership.person_id == person_id, Membership.role.in_(BOARD_ROLES))
        )
    ).all()
    return best_boards(rows)


def best_boards(rows: Sequence[Sequence[Any]]) -> list[Board]:
    """(role, institution id, institution name, area name[, institution kind]) rows as boards, one per
    institution."""
    best: dict[int, Board] = {}
    for role, inst_id, inst_name, area_name, *kind in rows:
        board = Board(inst_id, inst_name, area_name, role, kind[0] if kind else "")
        if inst_id not in best or policy.board_rank(role) < policy.board_rank(best[inst_id].role):
            best[inst_id] = board
    return sorted(best.values(), key=lambda b: b.institution_name.casefold())


async def grants_of(session: AsyncSession, person_id: int) -> list[policy.Grant]:
    """Every role the person holds, where: what `storage.policy` decides on."""
    rows = await session.execute(
        select(Membership.role, Membership.institution_id, Membership.area_id).where(Membership.person_id == person_id)
    )
    return [policy.Grant(role, institution_id, area_id) for role, institution_id, area_id in rows.all()]


async def roles_of(session: AsyncSession, person_id: int) -> set[str]:
    return set((await session.scalars(select(Membership.role).where(Membership.person_id == person_id))).all())


async def board_people(session: AsyncSession, institution_id: int, roles: tuple[str, ...]) -> list[Person]:
    """People with one of `roles` on the institution's board."""
    return list(
        (
            await session.scalars(
                select(Person)
                .join(Membership, Membership.person_id == Person.id)
                .where(Membership.institution_id == institution_id, Membership.role.in_(roles))
                .distinct()
                .order_by(Person.name)
            )
        ).all()
    )


async def told_on_board(
    session: AsyncSession, institution_id: int, occasion: policy.Occasion, *, leadership: bool = False
) -> list[Person]:
    """The people on the institution's board who are told on `occasion` (see `policy.AUDIENCES`), by name;
    `leadership`: the strategy is answered by the leadership team (see `policy.board_tiers`)."""
    rows = (
        await session.execute(
            select(Person, Membership.role)
            .join(Membership, Membership.person_id == Person.id)
            .where(
                Membership.institution_id == institution_id,
                Membership.role.in_(policy.board_roles_told(occasion, leadership=leadership)),
            )
            .order_by(Person.name, Person.id)
        )
    ).all()
    return policy.told_on_board(occasion, [(person, role) for person, role in rows], leadership=leadership)


async def board_people_never_met(session: AsyncSession, occasion: policy.Occasion) -> list[Person]:
    """People told on `occasion` on any board who have no identity on any platform yet (by id)."""
    met = select(Identity.person_id)
    rows = await session.scalars(
        select(Person)
        .join(Membership, Membership.person_id == Person.id)
        .where(Membership.role.in_(policy.board_roles_told(occasion)), Person.id.not_in(met))
        .distinct()
        .order_by(Person.id)
    )
    return list(rows.all())


async def institution_id_named(session: AsyncSession, name: str) -> int | None:
    """The institution called `name` (compared casefolded in Python: SQL folds only ASCII)."""
    wanted = name.strip().casefold()
    rows = (await session.execute(select(Institution.id, Institution.name).order_by(Institution.id))).all()
    return next((inst_id for inst_id, inst_name in rows if inst_name.casefold() == wanted), None)


async def area_of(session: AsyncSession, institution_id: int) -> Area:
    area = await session.scalar(
        select(Area).join(Institution, Institution.area_id == Area.id).where(Institution.id == institution_id)
    )
    if area is None:
        raise LookupError(f"institution {institution_id} has no area")
    return area


async def people_with_notices(session: AsyncSession, platform: str) -> list[tuple[Person, str]]:
    """People with undelivered notices and an identity on `platform`, with their user key there."""
    rows = (
        await session.execute(
            select(Person, Identity.user_key)
            .join(Identity, Identity.person_id == Person.id)
            .where(
                Identity.platform == platform,
                Person.id.in_(select(Notice.person_id).where(Notice.delivered_at.is_(None))),
            )
            .order_by(Person.id)
        )
    ).all()
    return [(person, user_key) for person, user_key in rows]
