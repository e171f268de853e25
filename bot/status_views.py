"""What the status page shows beside the table: the deadline with the days left, bars (inline SVG)
per area and per strategic goal, and an institution's goals as marks on its card."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.reports import bar
from dialogs.reminders.render import DONE_MARK, MISSING_MARK, STARTED_MARK, long_date
from dialogs.strategy import Strategy
from dialogs.texts import Texts
from reports.texts import report_texts
from storage import progress


def deadline_text(t: Texts, deadline: date | None, today: date) -> str | None:
    """The deadline and how many days are left (or how long ago it was), for the top of the page."""
    if deadline is None:
        return None
    when = long_date(t, deadline)
    days = (deadline - today).days
    if days > 0:
        return t.plural("Deadline {date}: {n} day left", "Deadline {date}: {n} days left", days, date=when)
    if days == 0:
        return t("Deadline {date}: today", date=when)
    return t.plural("The deadline was {date}, {n} day ago", "The deadline was {date}, {n} days ago", -days, date=when)


def goal_mark(t: Texts, strategy: Strategy, number: int, r: progress.InstitutionProgress) -> dict[str, str]:
    """One strategic goal on an institution's card: ✓ local goals and submitted, ◐ local goals, ✗ none."""
    n = r.goals.get(number, 0)
    kind = "missing" if not n else "done" if r.status in ("submitted", "approved") else "started"
    return {
        "label": goal_label(t, strategy, number),
        "title": strategy.goal(number).title_in(t.locale),
        "kind": kind,
        "symbol": {"done": DONE_MARK, "started": STARTED_MARK, "missing": MISSING_MARK}[kind],
        "text": t.plural("{n} local goal", "{n} local goals", n) if n else t("none"),
    }


def progress_bar(t: Texts, label: str, part: int, whole: int) -> dict[str, Any]:
    return bar(label, part, whole, report_texts(t))


def area_bars(t: Texts, rows: list[progress.InstitutionProgress]) -> list[dict[str, Any]]:
    """Per area: how many of its institutions have submitted (or been approved)."""
    areas: dict[str, list[int]] = {}
    for r in rows:
        counts = areas.setdefault(r.area, [0, 0])
        counts[0] += r.status in ("submitted", "approved")
        counts[1] += 1
    return [progress_bar(t, area, done, total) for area, (done, total) in areas.items()]


def goal_label(t: Texts, strategy: Strategy, number: int) -> str:
    return f"{strategy.goal_label.get(t.locale).capitalize()} {number}"


def goal_bars(t: Texts, strategy: Strategy, rows: list[progress.InstitutionProgress]) -> list[dict[str, Any]]:
    """Per strategic goal: how many of the institutions have local goals under it."""
    return [
        progress_bar(t, goal_label(t, strategy, g.number), sum(1 for r in rows if r.goals.get(g.number)), len(rows))
        for g in strategy.goals
    ]
