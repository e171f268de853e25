"""A registration's content as plain JSON, kept as it was sent in and as it was sent back.

`Content` is a list of local goals, each `{"id", "goal", "position", "text", "answers"}`; `answers` holds
every answer by question key (text and choice answers, list items, measurements as
`{"method", "when", "dates"}`), without knowing the strategy's questions, so that two contents compare
equal exactly when the board's answers are the same. Local goals are matched by `id` (a local goal keeps
its row when it is edited or renumbered), so a deleted 1.1 is «removed», not «1.2 changed into 1.1».

One snapshot per registration and kind (`SUBMITTED`, `RETURNED`): the latest replaces the one before."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.models import ApprovalSnapshot, LocalGoal

Content = list[dict[str, Any]]
SUBMITTED = "submitted"
RETURNED = "returned"


def content_of(local_goals: Iterable[LocalGoal]) -> Content:
    """The content of loaded local goals (their interventions and measurements loaded too)."""
    out: Content = []
    for lg in sorted(local_goals, key=lambda g: (g.goal_number, g.position)):
        answers: dict[str, Any] = dict(lg.answers or {})
        lists: dict[str, list[str]] = {}
        for item in sorted(lg.interventions, key=lambda i: (i.question_key, i.position)):
            lists.setdefault(item.question_key, []).append(item.text)
        answers.update(lists)
        for m in lg.measurements:
            answers[m.question_key] = {"method": m.method, "when": m.when_text, "dates": list(m.dates or [])}
        out.append({"id": lg.id, "goal": lg.goal_number, "position": lg.position, "text": lg.text, "answers": answers})
    return out


async def current_content(session: AsyncSession, registration_id: int) -> Content:
    """The registration's content now, read from the database."""
    rows = await session.scalars(
        select(LocalGoal)
        .where(LocalGoal.registration_id == registration_id)
        .options(selectinload(LocalGoal.interventions), selectinload(LocalGoal.measurements))
    )
    return content_of(rows.all())


async def take(
    session: AsyncSession, registration_id: int, kind: str, content: Content, *, version: int, now: datetime
) -> None:
    """Keep `content` as the registration's latest snapshot of `kind` (the registration row is locked)."""
    row = await session.scalar(
        select(ApprovalSnapshot).where(
            ApprovalSnapshot.registration_id == registration_id, ApprovalSnapshot.kind == kind
        )
    )
    if row is None:
        session.add(
            ApprovalSnapshot(registration_id=registration_id, kind=kind, content=content, version=version, taken_at=now)
        )
    else:
        row.content, row.version, row.taken_at = content, version, now
    await session.flush()


@dataclass(frozen=True, slots=True)
class Snapshot:
    kind: str
    content: Content
    version: int
    taken_at: datetime


async def latest(session: AsyncSession, registration_id: int) -> dict[str, Snapshot]:
    """The registration's snapshots by kind (none, one or both)."""
    rows = await session.scalars(select(ApprovalSnapshot).where(ApprovalSnapshot.registration_id == registration_id))
    return {r.kind: Snapshot(r.kind, list(r.content or []), r.version, r.taken_at) for r in rows.all()}


async def returned_at(session: AsyncSession, registration_ids: Iterable[int]) -> set[int]:
    """Of `registration_ids`, those that have been sent back at some time (a later submit is a resubmission)."""
    ids = sorted(set(registration_ids))
    if not ids:
        return set()
    rows = await session.scalars(
        select(ApprovalSnapshot.registration_id).where(
            ApprovalSnapshot.registration_id.in_(ids), ApprovalSnapshot.kind == RETURNED
        )
    )
    return set(rows.all())


def same(a: Content, b: Content) -> bool:
    """Whether two contents hold the same answers (ids and positions aside: a renumbering is no change)."""

    def key(content: Content) -> list[tuple[int, str, Any]]:
        return sorted(((c["goal"], c["text"], _canonical(c["answers"])) for c in content), key=repr)

    return key(a) == key(b)


def _canonical(answers: dict[str, Any]) -> Any:
    return sorted((k, repr(v)) for k, v in answers.items() if v not in (None, "", [], {}))
