"""A board's shared draft: read it as plain values, change it with a version bump and an audit entry.

Answers are plain values keyed by question key: text and choice questions a `str`, list questions a
`list[str]` (stored as Intervention rows), measurement questions `{"method", "when", "dates"}`
(stored as a Measurement row). The strategy's first question is the local goal's own `text`."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from storage import submit_mark
from storage.draft_rules import AddLocalGoal, DeleteLocalGoal, renumber
from storage.draft_rules import DraftData as DraftData  # re-exported: the draft is read from here
from storage.draft_rules import LocalGoalData as LocalGoalData
from storage.models import (
    AuditAction,
    AuditEntry,
    Institution,
    Intervention,
    LocalGoal,
    Measurement,
    Person,
    Registration,
    RegistrationStatus,
)
from storage.types import utcnow


class StaleRegistration(Exception):
    """The registration changed since it was read."""


class LockedRegistration(Exception):
    """The registration is approved and locked by the administration."""


@dataclass(frozen=True, slots=True)
class ChangeSeen:
    """An audit entry as another board member's change, for "while you were writing..."."""

    person_name: str | None
    goal_number: int | None
    position: int | None
    field: str
    after: str | None


@dataclass(slots=True)
class QuestionKinds:
    """What the storage needs to know of the strategy's questions."""

    first_key: str
    kinds: dict[str, str] = field(default_factory=dict)  # key -> text | list | measurement | choice


FIELD_RE = re.compile(r"^goal (\d+)(?:/local goal (\d+))?")


def field_name(goal_number: int, position: int | None = None, key: str | None = None) -> str:
    parts = [f"goal {goal_number}"]
    if position is not None:
        parts.append(f"local goal {position}")
    if key is not None:
        parts.append(key)
    return "/".join(parts)


async def ensure_registration(session: AsyncSession, institution_id: int, strategy_id: int) -> Registration:
    """The institution's registration for the strategy, created if missing. Two board members'
    first messages may race to create it: the loser's insert fails in a savepoint and it reads the
    winner's row (PostgreSQL; SQLite transactions are serialised)."""
    reg = await find_registration(session, institution_id, strategy_id)
    if reg is None:
        try:
            async with session.begin_nested():
                reg = Registration(institution_id=institution_id, strategy_id=strategy_id, version=0)
                session.add(reg)
        except IntegrityError:
            reg = await find_registration(session, institution_id, strategy_id)
            if reg is None:
                raise
    return reg


async def get_registration(session: AsyncSession, registration_id: int) -> Registration:
    reg = await session.get(Registration, registration_id)
    if reg is None:
        raise LookupError(f"registration {registration_id} not found")
    return reg


async def lock_registration(session: AsyncSession, registration_id: int) -> Registration:
    """The registration row, locked until the transaction ends (FOR UPDATE; SQLite is already
    serialised by BEGIN IMMEDIATE), with the values committed when the lock was granted: an object
    the session read earlier is refreshed (populate_existing), or its version could be stale."""
    reg = await session.scalar(
        select(Registration)
        .where(Registration.id == registration_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if reg is None:
        raise LookupError(f"registration {registration_id} not found")
    return reg


def _with_draft(query: Any) -> Any:
    """`query` of registrations with the whole draft in the same statement: local goals, their
    interventions and measurements, and who last changed each (joined eager loads)."""
    goals = joinedload(Registration.local_goals)
    return query.options(
        goals.joinedload(LocalGoal.interventions),
        goals.joinedload(LocalGoal.measurements),
        goals.joinedload(LocalGoal.updated_by),
        joinedload(Registration.submitted_by),
    ).execution_options(populate_existing=True)


@functools.cache
def _open_draft_query() -> Any:
    """`open_draft`'s statement, built once (every turn runs it): the institution and strategy are parameters."""
    return _with_draft(
        select(Registration)
        .where(
            Registration.institution_id == bindparam("institution_id"),
            Registration.strategy_id == bindparam("strategy_id"),
        )
        .with_for_update(of=Registration)
    )


async def open_draft(session: AsyncSession, institution_id: int, strategy_id: int) -> Registration:
    """The institution's registration for the strategy, created if missing, locked until the transaction
    ends (like `lock_registration`), with its draft loaded: ensure + lock + load in one statement."""
    query, params = _open_draft_query(), {"institution_id": institution_id, "strategy_id": strategy_id}
    reg = (await session.scalars(query, params)).unique().one_or_none()
    if reg is None:
        try:
            async with session.begin_nested():
                reg = Registration(institution_id=institution_id, strategy_id=strategy_id, version=0, local_goals=[])
                session.add(reg)
        except IntegrityError:
            reg = (await session.scalars(query, params)).unique().one_or_none()
            if reg is None:
                raise
        else:
            set_committed_value(reg, "submitted_by", None)
    return reg


def draft_loaded(reg: Registration) -> bool:
    return "local_goals" not in sa_inspect(reg).unloaded


async def draft_of(session: AsyncSession, reg: Registration, kinds: QuestionKinds, institution_name: str) -> DraftData:
    """The draft of a registration loaded by `open_draft` (no query, unless it was returned)."""
    goals = tuple(
        LocalGoalData(
            goal_number=lg.goal_number,
            position=lg.position,
            answers=_answers_of(lg, kinds),
            updated_by=lg.updated_by.name if lg.updated_by is not None else None,
        )
        for lg in sorted(reg.local_goals, key=lambda g: (g.goal_number, g.position))
    )
    return DraftData(
        registration_id=reg.id,
        institution_id=reg.institution_id,
        institution_name=institution_name,
        status=reg.status,
        version=reg.version,
        ready_for_chair=reg.ready_for_chair,
        local_goals=goals,
        submitted_by=reg.submitted_by.name if reg.submitted_by is not None else None,
        submitted_at=reg.submitted_at,
        return_comment=await _return_comment(session, reg) if reg.status == RegistrationStatus.RETURNED.value else None,
        changed_after_submit=reg.changed_after_submit,
        unchanged_since_return=await submit_mark.unchanged_since_return(session, reg),
    )


async def load_draft(session: AsyncSession, registration_id: int, kinds: QuestionKinds) -> DraftData:
    reg = await session.scalar(
        select(Registration)
        .where(Registration.id == registration_id)
        .options(
            selectinload(Registration.local_goals).selectinload(LocalGoal.interventions),
            selectinload(Registration.local_goals).selectinload(LocalGoal.measurements),
        )
        .execution_options(populate_existing=True)
    )
    if reg is None:
        raise LookupError(f"registration {registration_id} not found")
    inst = await session.get(Institution, reg.institution_id)
    names = await _names(session, {lg.updated_by_id for lg in reg.local_goals} | {reg.submitted_by_id})
    goals = tuple(
        LocalGoalData(
            goal_number=lg.goal_number,
            position=lg.position,
            answers=_answers_of(lg, kinds),
            updated_by=names.get(lg.updated_by_id),
        )
        for lg in sorted(reg.local_goals, key=lambda g: (g.goal_number, g.position))
    )
    return DraftData(
        registration_id=reg.id,
        institution_id=reg.institution_id,
        institution_name=inst.name if inst else "",
        status=reg.status,
        version=reg.version,
        ready_for_chair=reg.ready_for_chair,
        local_goals=goals,
        submitted_by=names.get(reg.submitted_by_id),
        submitted_at=reg.submitted_at,
        return_comment=await _return_comment(session, reg) if reg.status == RegistrationStatus.RETURNED.value else None,
        changed_after_submit=reg.changed_after_submit,
        unchanged_since_return=await submit_mark.unchanged_since_return(session, reg),
    )


async def _return_comment(session: AsyncSession, reg: Registration) -> str | None:
    """The comment of the status change that returned the registration (kept in the audit log)."""
    after = await session.scalar(
        select(AuditEntry.after)
        .where(AuditEntry.registration_id == reg.id, AuditEntry.field == "status")
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )
    prefix = f"{RegistrationStatus.RETURNED.value}: "
    return after.removeprefix(prefix) if after and after.startswith(prefix) else None


def _answers_of(lg: LocalGoal, kinds: QuestionKinds) -> dict[str, Any]:
    answers: dict[str, Any] = {kinds.first_key: lg.text}
    answers.update({k: v for k, v in (lg.answers or {}).items() if k in kinds.kinds})
    lists: dict[str, list[str]] = {}
    for item in sorted(lg.interventions, key=lambda i: (i.question_key, i.position)):
        lists.setdefault(item.question_key, []).append(item.text)
    answers.update(lists)
    for m in lg.measurements:
        answers[m.question_key] = {"method": m.method, "when": m.when_text, "dates": list(m.dates or [])}
    return answers


async def _names(session: AsyncSession, ids: set[int | None]) -> dict[int | None, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = (await session.execute(select(Person.id, Person.name).where(Person.id.in_(wanted)))).all()
    return {pid: name for pid, name in rows}


async def changes_by_others(
    session: AsyncSession, registration_id: int, since_version: int, person_id: int
) -> list[ChangeSeen]:
    rows = (
        await session.execute(
            select(AuditEntry, Person.name)
            .outerjoin(Person, Person.id == AuditEntry.person_id)
            .where(
                AuditEntry.registration_id == registration_id,
                AuditEntry.version > since_version,
                (AuditEntry.person_id != person_id) | AuditEntry.person_id.is_(None),
            )
            .order_by(AuditEntry.id)
        )
    ).all()
    seen = []
    for entry, name in rows:
        match = FIELD_RE.match(entry.field)
        position = int(match.group(2)) if match and match.group(2) else None
        seen.append(ChangeSeen(name, entry.goal_number, position, entry.field, entry.after))
    return seen


class DraftWriter:
    """Applies changes to one locked registration: each change bumps the version and is audited."""

    def __init__(self, session: AsyncSession, reg: Registration, kinds: QuestionKinds, person_id: int | None):
        self.session = session
        self.reg = reg
        self.kinds = kinds
        self.person_id = person_id

    def _loaded_goal(self, goal_number: int, position: int) -> LocalGoal | None:
        """The local goal from the draft `open_draft` loaded (None: not loaded that way)."""
        if not draft_loaded(self.reg):
            return None
        for lg in self.reg.local_goals:
            if lg.goal_number == goal_number and lg.position == position:
                unloaded = sa_inspect(lg).unloaded
                if "interventions" not in unloaded and "measurements" not in unloaded:
                    return lg
                return None
        return None

    async def _goal(self, goal_number: int, position: int) -> LocalGoal:
        loaded = self._loaded_goal(goal_number, position)
        if loaded is not None:
            return loaded
        lg = await self.session.scalar(
            select(LocalGoal)
            .where(
                LocalGoal.registration_id == self.reg.id,
                LocalGoal.goal_number == goal_number,
                LocalGoal.position == position,
            )
            .options(selectinload(LocalGoal.interventions), selectinload(LocalGoal.measurements))
        )
        if lg is None:
            raise LookupError(f"local goal {goal_number}.{position} not found")
        return lg

    async def _author(self) -> Person | None:
        """Who writes (from the identity map: the turn loaded them)."""
        return await self.session.get(Person, self.person_id) if self.person_id is not None else None

    def _check_open(self) -> None:
        if self.reg.status == RegistrationStatus.APPROVED.value:
            raise LockedRegistration()

    async def _bump(self, goal_number: int | None, fld: str, before: Any, after: Any) -> None:
        expected = self.reg.version
        action = {"status": AuditAction.STATUS, "ready for chair": AuditAction.READY}.get(fld, AuditAction.ANSWER)
        marks = action is AuditAction.ANSWER and self.reg.status == RegistrationStatus.SUBMITTED.value
        first_mark = marks and not self.reg.changed_after_submit
        result = await self.session.execute(
            update(Registration)
            .where(Registration.id == self.reg.id, Registration.version == expected)
            .values(version=expected + 1, updated_at=utcnow(), **({"changed_after_submit": True} if marks else {}))
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 1) != 1:
            raise StaleRegistration()
        set_committed_value(self.reg, "version", expected + 1)  # what the UPDATE wrote: nothing to flush
        if marks:
            set_committed_value(self.reg, "changed_after_submit", True)
        if first_mark:  # the first change since it was sent in: the chair is told (once, until it is sent again)
            await submit_mark.tell_chair(self.session, self.reg, self.person_id, goal_number, fld)
        self.session.add(
            AuditEntry(
                registration_id=self.reg.id,
                institution_id=self.reg.institution_id,
                person_id=self.person_id,
                actor_name=await _name(self.session, self.person_id),
                action=action.value,
                version=self.reg.version,
                goal_number=goal_number,
                field=fld,
                before=_text(before),
                after=_text(after),
            )
        )

    async def add_local_goal(self, goal_number: int, text: str) -> int:
        self._check_open()
        loaded = draft_loaded(self.reg)
        if loaded:
            positions: Sequence[int] = [lg.position for lg in self.reg.local_goals if lg.goal_number == goal_number]
        else:
            positions = (
                await self.session.scalars(
                    select(LocalGoal.position).where(
                        LocalGoal.registration_id == self.reg.id, LocalGoal.goal_number == goal_number
                    )
                )
            ).all()
        position = renumber(AddLocalGoal(self.reg.id, goal_number, text), positions).added
        assert position is not None
        lg = LocalGoal(
            registration_id=self.reg.id,
            goal_number=goal_number,
            position=position,
            text=text,
            answers={},
            created_by_id=self.person_id,
            updated_by_id=self.person_id,
            interventions=[],
            measurements=[],
        )
        if loaded:
            self.reg.local_goals.append(lg)
        else:
            self.session.add(lg)
        await self.session.flush()
        if loaded:
            set_committed_value(lg, "updated_by", await self._author())
        await self._bump(goal_number, field_name(goal_number, position, self.kinds.first_key), None, text)
        return position

    async def set_answer(self, goal_number: int, position: int, key: str, value: Any) -> None:
        self._check_open()
        lg = await self._goal(goal_number, position)
        kind = self.kinds.kinds.get(key, "text")
        before = _answers_of(lg, self.kinds).get(key)
        if before == value:
            return
        if key == self.kinds.first_key:
            lg.text = str(value)
        elif kind == "list":
            for item in [i for i in lg.interventions if i.question_key == key]:
                lg.interventions.remove(item)
            for n, text in enumerate(value, start=1):
                lg.interventions.append(Intervention(question_key=key, position=n, text=text))
        elif kind == "measurement":
            existing = next((m for m in lg.measurements if m.question_key == key), None)
            if value is None:
                if existing is not None:
                    lg.measurements.remove(existing)
            elif existing is None:
                lg.measurements.append(
                    Measurement(
                        question_key=key,
                        method=value["method"],
                        when_text=value.get("when", ""),
                        dates=list(value.get("dates", [])),
                    )
                )
            else:
                existing.method = value["method"]
                existing.when_text = value.get("when", "")
                existing.dates = list(value.get("dates", []))
        else:
            answers = dict(lg.answers or {})
            if value is None:
                answers.pop(key, None)
            else:
                answers[key] = value
            lg.answers = answers
        lg.updated_by_id = self.person_id
        lg.updated_at = utcnow()
        await self.session.flush()
        if "updated_by" not in sa_inspect(lg).unloaded:  # keep the loaded draft's «who» current
            set_committed_value(lg, "updated_by", await self._author())
        await self._bump(goal_number, field_name(goal_number, position, key), before, value)

    async def delete_local_goal(self, goal_number: int, position: int) -> None:
        self._check_open()
        lg = await self._goal(goal_number, position)
        before = lg.text
        if draft_loaded(self.reg) and lg in self.reg.local_goals:
            self.reg.local_goals.remove(lg)  # deleted as an orphan, and gone from the loaded draft
        else:
            await self.session.delete(lg)
        await self.session.flush()
        rest = (
            await self.session.scalars(
                select(LocalGoal)
                .where(LocalGoal.registration_id == self.reg.id, LocalGoal.goal_number == goal_number)
                .order_by(LocalGoal.position)
            )
        ).all()
        plan = renumber(DeleteLocalGoal(self.reg.id, goal_number, position), [lg.position for lg in rest])
        for other in rest:  # close the gap, one at a time so the unique constraint holds
            if other.position in plan.moved:
                other.position = plan.moved[other.position]
                await self.session.flush()
        await self._bump(goal_number, field_name(goal_number, position), before, None)

    async def set_status(self, status: RegistrationStatus, *, comment: str | None = None) -> None:
        before = self.reg.status
        self.reg.status = status.value
        self.reg.changed_after_submit = False  # sent in again, sent back or decided: the mark has done its work
        if status is RegistrationStatus.SUBMITTED:
            self.reg.submitted_by_id = self.person_id
            self.reg.submitted_at = utcnow()
            self.reg.ready_for_chair = False
        await self.session.flush()
        await self._bump(None, "status", before, status.value if comment is None else f"{status.value}: {comment}")

    async def mark_ready(self) -> None:
        self._check_open()
        if not self.reg.ready_for_chair:
            self.reg.ready_for_chair = True
            await self.session.flush()
            await self._bump(None, "ready for chair", "no", "yes")


async def _name(session: AsyncSession, person_id: int | None) -> str | None:
    """The person's name now, kept in the audit entry as it was (the identity map makes repeats free)."""
    person = await session.get(Person, person_id) if person_id is not None else None
    return person.name if person is not None else None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


async def find_registration(session: AsyncSession, institution_id: int, strategy_id: int) -> Registration | None:
    """The institution's registration for a strategy, if it has one (nothing is created)."""
    return await session.scalar(
        select(Registration).where(
            Registration.institution_id == institution_id, Registration.strategy_id == strategy_id
        )
    )
