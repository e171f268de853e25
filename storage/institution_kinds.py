"""What kind each institution is (dagtilbud | skole), for texts that fit the institution (the examples in a
question's help: `dialogs.strategy.Question.help_for`)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Institution


async def institution_kinds(session: AsyncSession, institution_ids: Iterable[int]) -> dict[int, str]:
    """The kind of each of these institutions, by id (an unknown id is left out)."""
    ids = sorted(set(institution_ids))
    if not ids:
        return {}
    rows = await session.execute(select(Institution.id, Institution.kind).where(Institution.id.in_(ids)))
    return {inst_id: kind for inst_id, kind in rows.all()}
