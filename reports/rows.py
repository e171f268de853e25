"""What every export writer reads from the export dict (`storage.export.build_export`) the same way:
the local goals as rows, a measurement's cells, follow-ups and last period's goals as lines, local
times and the long dates of the time plan. Public, so the CSV/Markdown, XLSX and DOCX writers and the
printable page share them instead of reaching into each other."""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from reports.committee import ANSWERS
from reports.texts import ReportTexts

LOCAL_TZ = ZoneInfo("Europe/Copenhagen")  # Excel has no time zones, and a reader thinks in local time

GoalRow = tuple[dict[str, Any], dict[str, Any], int, dict[str, Any]]


def goal_rows(data: dict[str, Any]) -> Iterator[GoalRow]:
    """(institution, goal, 1-based position, local goal) per local goal; position 0 and an empty
    local goal for an institution's goal without local goals."""
    for inst in data["institutions"]:
        for goal in inst["goals"]:
            if not goal["local_goals"]:
                yield inst, goal, 0, {}
            for position, lg in enumerate(goal["local_goals"], start=1):
                yield inst, goal, position, lg


def measurement_cells(lg: dict[str, Any], dates_sep: str) -> tuple[str, str, str]:
    """A local goal's measurement as (method, when, dates joined by `dates_sep`); empty when none."""
    m = lg.get("measurement") or {}
    return m.get("method", ""), m.get("when", ""), dates_sep.join(m.get("dates", []))


def has_previous(data: dict[str, Any]) -> bool:
    """Whether the export carries last period's local goals (the strategy names a previous one)."""
    return any("previous_local_goals" in g for inst in data["institutions"] for g in inst["goals"])


def answer_label(answer: str | None, tx: ReportTexts) -> str:
    """A follow-up's answer in words («på sporet»); «ikke besvaret endnu» while there is none."""
    return tx[f"follow_up.{answer}" if answer in ANSWERS else "follow_up.waiting"]


def follow_up_line(item: dict[str, Any], tx: ReportTexts) -> str:
    """One follow-up as «2027-03-01: på sporet – what the measurement showed (who)»."""
    text = f"{item['date']}: {answer_label(item.get('answer'), tx)}"
    if item.get("text"):
        text += f" – {item['text']}"
    if item.get("answered_by"):
        text += f" ({item['answered_by']})"
    return text


def previous_lines(item: dict[str, Any], tx: ReportTexts) -> list[str]:
    """Last period's local goal as its text, then its interventions and measurement (if any)."""
    lines = [item["text"]]
    if item.get("interventions"):
        lines.append(f"{tx['interventions']}: {', '.join(item['interventions'])}")
    m = item.get("measurement")
    if m:
        measured = " – ".join(p for p in (m.get("method", ""), m.get("when", "")) if p)
        if measured:
            lines.append(f"{tx['measurement']}: {measured}")
    return lines


def local_time(iso: str | None) -> datetime | None:
    """An ISO time from the export as a naive local (Copenhagen) time, for Excel and for reading."""
    if not iso:
        return None
    return datetime.fromisoformat(iso).astimezone(LOCAL_TZ).replace(tzinfo=None)


def extract_day(data: dict[str, Any]) -> date | None:
    """The local date the export was made."""
    generated = data.get("generated_at")
    return datetime.fromisoformat(generated).astimezone(LOCAL_TZ).date() if generated else None


def milestone_when(start: str, end: str | None, tx: ReportTexts) -> str:
    """A milestone's time, in the long date format: a day, or a span from one day to another (the
    strategy files write a month as its first day: a whole month reads as its first to its last day)."""
    s = date.fromisoformat(start)
    if end:
        return f"{tx.day(start)} – {tx.day(end)}"
    if s.day == 1:
        last = date(s.year, s.month, calendar.monthrange(s.year, s.month)[1])
        return f"{tx.day(s)} – {tx.day(last)}"
    return tx.day(start)


def milestones(strategy: dict[str, Any]) -> list[dict[str, Any]]:
    """The time plan (from `reports.document.add_time_plan`) by date."""
    return sorted(strategy.get("milestones") or [], key=lambda m: str(m["date"]))


def agreement_rows(
    data: dict[str, Any], whole_municipality: str = ""
) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(institution, agreement) for every agreement in the export, institution by institution, open
    ones first and then by due date; then the area and cross-area meetings' agreements, as if from an
    «institution» named for the area (or `whole_municipality`)."""
    order = {"open": 0, "not_kept": 1, "partly": 2}

    def ranked(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return sorted(found, key=lambda a: (order.get(a["status"], 3), a["due_on"] or ""))

    for inst in data["institutions"]:
        for a in ranked(inst.get("agreements") or []):
            yield inst, a
    for a in ranked(data.get("meeting_agreements") or []):
        place = a.get("area") or whole_municipality
        yield {"name": place, "area": place}, a


def measuring_points(data: dict[str, Any]) -> dict[int, list[str]]:
    """The strategy's målepunkter by goal number (empty when it has none)."""
    return {int(m["number"]): list(m["points"]) for m in data["strategy"].get("measuring_points") or []}
