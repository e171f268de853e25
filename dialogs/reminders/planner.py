"""`plan(now, snapshot)`: everything that is due now, pure and deterministic."""

from __future__ import annotations

from datetime import datetime

from dialogs.reminders.model import DueItem, Snapshot
from dialogs.reminders.rules import Rules


def plan(now: datetime, snapshot: Snapshot) -> list[DueItem]:
    """The due items at `now` (aware), one per unique key, sorted by due time and key.

    Planning again at a later moment gives the same keys for the same occurrences, so the outbox's
    insert-or-ignore turns repeated planning into one message each."""
    if now.tzinfo is None:
        raise ValueError("plan() needs an aware datetime")
    if snapshot.strategy is None:
        return []
    found: dict[tuple[str, str, str], DueItem] = {}
    for item in Rules(now, snapshot, snapshot.strategy).all():
        found.setdefault(item.key, item)
    return sorted(found.values(), key=lambda i: (i.due_at, i.key))
