"""The administration's decisions on a registration: approve, return with a comment, reopen.

Each decision is a status change through `DraftWriter.set_status` (a version bump and an audit
entry with field "status", before and after; the comment is part of "after"), and the board is told
with a notice ("approved", "returned" or "reopened", params `institution` and `comment`).

- approve: only a submitted registration; an approved registration is locked for the board.
- return: a submitted (or approved) registration goes back to the board with a comment; the board
  can edit it and submit it again.
- reopen: the explicit way out of "approved", to "submitted" (default) or "draft".

Who may decide is `policy.may(..., Action.DECIDE)` (the caller checks it with `is_admin`); who is
told is `policy.Occasion.DECISION`. These functions check the status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import conversations, people, policy, snapshots, strategies
from storage.models import Area, AuditEntry, Institution, Membership, Person, Registration, RegistrationStatus
from storage.registrations import DraftWriter, QuestionKinds, lock_registration

_NO_KINDS = QuestionKinds(first_key="")  # a status change touches no answers


class ApprovalError(Exception):
    """The decision does not fit the registration's status; `status` is the status it has."""

    def __init__(self, action: str, status: str) -> None:
        super().__init__(f"cannot {action} a registration that is {status}")
        self.action = action
        self.status = status


@dataclass(frozen=True, slots=True)
class Decision:
    """What happened: the registration, its institution, the status before and after, who was told."""

    registration_id: int
    institution: str
    before: str
    after: str
    comment: str | None
    notified: int  # how many board people got a notice


async def is_admin(session: AsyncSession, person_id: int) -> bool:
    """Whether the person may approve, return and reopen registrations."""
    return policy.may(await people.grants_of(session, person_id), policy.Action.DECIDE)


class ChangedAfterSubmit(Exception):
    """The board changed the registration after it was sent in; approving needs the version the admin saw."""

    def __init__(self, version: int) -> None:
        super().__init__(f"changed after it was sent in (version {version})")
        self.version = version


async def approve(
    session: AsyncSession,
    registration_id: int,
    admin_id: int,
    *,
    now: datetime,
    comment: str | None = None,
    changed_version: int | None = None,
) -> Decision:
    """Approve a submitted registration; it is locked for the board from now on. A registration changed
    after it was sent in is approved only with `changed_version` equal to its version (the admin saw the
    changes and chose to approve this very version); else `ChangedAfterSubmit` says which version it is."""
    reg = await lock_registration(session, registration_id)
    if reg.status == RegistrationStatus.SUBMITTED.value and reg.changed_after_submit and changed_version != reg.version:
        raise ChangedAfterSubmit(reg.version)
    return await _decide(
        session, registration_id, admin_id, now, "approve", (RegistrationStatus.SUBMITTED,),
        RegistrationStatus.APPROVED, comment, "approved",
    )  # fmt: skip


async def return_registration(
    session: AsyncSession, registration_id: int, admin_id: int, comment: str, *, now: datetime
) -> Decision:
    """Send a submitted (or approved) registration back to the board with a comment."""
    comment = comment.strip()
    if not comment:
        raise ValueError("a returned registration needs a comment for the board")
    return await _decide(
        session, registration_id, admin_id, now, "return",
        (RegistrationStatus.SUBMITTED, RegistrationStatus.APPROVED), RegistrationStatus.RETURNED, comment, "returned",
    )  # fmt: skip


async def reopen(
    session: AsyncSession,
    registration_id: int,
    admin_id: int,
    *,
    now: datetime,
    to: RegistrationStatus = RegistrationStatus.SUBMITTED,
    comment: str | None = None,
) -> Decision:
    """Unlock an approved registration: back to submitted (the default) or to draft."""
    if to not in (RegistrationStatus.SUBMITTED, RegistrationStatus.DRAFT):
        raise ValueError(f"reopen to submitted or draft, not {to.value}")
    return await _decide(
        session, registration_id, admin_id, now, "reopen", (RegistrationStatus.APPROVED,), to, comment, "reopened"
    )


async def _decide(
    session: AsyncSession,
    registration_id: int,
    admin_id: int,
    now: datetime,
    action: str,
    allowed: tuple[RegistrationStatus, ...],
    to: RegistrationStatus,
    comment: str | None,
    notice: str,
) -> Decision:
    reg = await lock_registration(session, registration_id)
    before = reg.status
    if before not in {s.value for s in allowed}:
        raise ApprovalError(action, before)
    # set_status(SUBMITTED) stamps the writer as submitter; a reopen must keep the board's submitter.
    submitted = (reg.submitted_by_id, reg.submitted_at)
    await DraftWriter(session, reg, _NO_KINDS, admin_id).set_status(to, comment=comment or None)
    if to is RegistrationStatus.SUBMITTED:
        reg.submitted_by_id, reg.submitted_at = submitted
    reg.updated_at = now
    for entry in session.new:  # the audit entry set_status just added carries the injected time
        if isinstance(entry, AuditEntry) and entry.registration_id == reg.id:
            entry.at = now
    await session.flush()
    if to is RegistrationStatus.RETURNED:  # what was sent back: a resubmission shows what changed since
        content = await snapshots.current_content(session, reg.id)
        await snapshots.take(session, reg.id, snapshots.RETURNED, content, version=reg.version, now=now)
    elif to is RegistrationStatus.SUBMITTED:  # reopened: what stands submitted is what was approved
        content = await snapshots.current_content(session, reg.id)
        await snapshots.take(session, reg.id, snapshots.SUBMITTED, content, version=reg.version, now=now)
    institution = await _institution_name(session, reg)
    leadership = await strategies.answered_by_leadership(session, reg.strategy_id)
    told = await people.told_on_board(session, reg.institution_id, policy.Occasion.DECISION, leadership=leadership)
    for person in told:
        await conversations.add_notice(
            session, person.id, notice, {"institution": institution, "comment": comment or ""}
        )
    return Decision(reg.id, institution, before, to.value, comment or None, len(told))


async def _institution_name(session: AsyncSession, reg: Registration) -> str:
    name = await session.scalar(select(Institution.name).where(Institution.id == reg.institution_id))
    return name or ""


async def institution_names(session: AsyncSession) -> dict[str, int]:
    """Every institution's name -> id (names are unique, casefolded)."""
    rows = (await session.execute(select(Institution.name, Institution.id))).all()
    return {name: inst_id for name, inst_id in rows}


# -- sending in: the snapshot, and what it is compared with ----------------------------------------------


@dataclass(frozen=True, slots=True)
class SentIn:
    """A registration just sent in: its content, and what that is compared with (None: the first time)."""

    registration_id: int
    institution: str
    content: snapshots.Content
    compared_with: snapshots.Content | None
    after_return: bool  # it had been sent back: «what changed since the return»


async def record_submit(session: AsyncSession, reg: Registration, before: str, *, now: datetime) -> SentIn:
    """Keep what was sent in (after `DraftWriter.set_status(SUBMITTED)`; `before` is the status it had).
    Compared with: what was sent back when it comes back after a return; else what was sent in before."""
    kept = await snapshots.latest(session, reg.id)
    after_return = before == RegistrationStatus.RETURNED.value and snapshots.RETURNED in kept
    earlier = kept.get(snapshots.RETURNED if after_return else snapshots.SUBMITTED)
    content = await snapshots.current_content(session, reg.id)
    await snapshots.take(session, reg.id, snapshots.SUBMITTED, content, version=reg.version, now=now)
    return SentIn(
        reg.id, await _institution_name(session, reg), content, earlier.content if earlier else None, after_return
    )


async def told_deciders(session: AsyncSession, occasion: policy.Occasion) -> list[Person]:
    """The administration's people, when `occasion` tells the admins (see `policy.AUDIENCES`), by name."""
    if not policy.AUDIENCES[occasion].admins:
        return []
    rows = await session.scalars(
        select(Person)
        .join(Membership, Membership.person_id == Person.id)
        .where(Membership.role == policy.ADMIN)
        .distinct()
        .order_by(Person.name, Person.id)
    )
    return list(rows.all())


# -- the queue: what awaits a decision ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Waiting:
    registration_id: int
    institution: str
    area: str
    submitted_at: datetime | None
    submitted_by: str | None
    changed_after_submit: bool
    after_return: bool  # sent in again after the administration sent it back


async def awaiting_decision(
    session: AsyncSession, strategy_id: int, scope: policy.Scope, *, limit: int
) -> tuple[list[Waiting], int]:
    """The submitted registrations in scope, the one sent in longest ago first (at most `limit`), and how
    many there are in all."""
    where = [Registration.strategy_id == strategy_id, Registration.status == RegistrationStatus.SUBMITTED.value]
    if not scope.everything:
        where.append(
            or_(
                Institution.area_id.in_(sorted(scope.area_ids)) if scope.area_ids else false(),
                Institution.id.in_(sorted(scope.institution_ids)) if scope.institution_ids else false(),
            )
        )
    base = select(Registration.id).join(Institution, Institution.id == Registration.institution_id).where(*where)
    total = await session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = (
        await session.execute(
            select(
                Registration.id, Institution.name, Area.name, Registration.submitted_at, Person.name,
                Registration.changed_after_submit,
            )
            .join(Institution, Institution.id == Registration.institution_id)
            .join(Area, Area.id == Institution.area_id)
            .outerjoin(Person, Person.id == Registration.submitted_by_id)
            .where(*where)
            .order_by(Registration.submitted_at.is_(None), Registration.submitted_at, Institution.name)
            .limit(limit)
        )
    ).all()  # fmt: skip
    returned = await snapshots.returned_at(session, [r[0] for r in rows])
    waiting = [
        Waiting(rid, inst, area, at, by, bool(changed), rid in returned) for rid, inst, area, at, by, changed in rows
    ]
    return waiting, int(total)
