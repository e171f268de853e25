"""The committee's document, "Bestyrelsernes lokale mål", as DOCX (python-docx).

First page: the strategy's title, period, deadline and time plan (the strategy's milestones). Then
one section per strategic goal, within it one per area, within that one per institution with its
local goals, interventions, measurement and follow-ups, and (when the strategy names a previous
period) last period's local goals.

`write_docx(data, out)` takes the dict from `storage.export.build_export`; the time plan is read from
`data["strategy"]["milestones"]` when present (`add_time_plan` puts it there from the strategy's
definition). Danish, like the other exports for people."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from sqlalchemy import select

from storage.db import Database
from storage.export_writers import LABELS, _goal_heads, _local_time, _status, answer_label, previous_lines
from storage.models import Strategy

DOC_TITLE = "Bestyrelsernes lokale mål"
DOCX_LABELS = {
    "time_plan": "Tids- og procesplan",
    "when": "Hvornår",
    "what": "Hvad",
    "no_time_plan": "Strategien har ingen tidsplan.",
    "follow_up": "Opfølgning",
    "on_track": "På rette spor",  # the older on_track flag; answers use LABELS["follow_up.*"]
    "not_on_track": "Ikke på rette spor",
    "no_institutions": "Ingen institutioner.",
}
MONTHS = (
    "januar", "februar", "marts", "april", "maj", "juni",
    "juli", "august", "september", "oktober", "november", "december",
)  # fmt: skip
# XML 1.0 cannot hold these; python-docx refuses text containing them.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


async def add_time_plan(db: Database, data: dict[str, Any]) -> dict[str, Any]:
    """`data` with `strategy.milestones` from the strategy's definition (a list of
    {"date", "end", "text"}, ISO dates), for the first page of the DOCX."""
    async with db.transaction() as s:
        definition = await s.scalar(select(Strategy.definition).where(Strategy.key == data["strategy"]["key"]))
    milestones = [
        {"date": str(m["date"]), "end": str(m["end"]) if m.get("end") else None, "text": str(m["text"])}
        for m in (definition or {}).get("milestones") or []
        if isinstance(m, dict) and m.get("date") and m.get("text")
    ]
    return {**data, "strategy": {**data["strategy"], "milestones": milestones}}


def write_docx(data: dict[str, Any], out: Path) -> None:
    doc: Any = Document()
    _set_language(doc, "da-DK")
    doc.core_properties.title = _clean(f"{DOC_TITLE}: {data['strategy']['title']}")
    doc.core_properties.language = "da-DK"
    _first_page(doc, data)
    goals = _goal_heads(data)
    for index, (number, title) in enumerate(goals):
        doc.add_heading(_clean(f"{LABELS['goal_column'].format(number=number)}: {title}"), level=1)
        if not data["institutions"]:
            _italic(doc, DOCX_LABELS["no_institutions"])
        for area, institutions in _by_area(data["institutions"]):
            doc.add_heading(_clean(area), level=2)
            for inst in institutions:
                _institution(doc, inst, number)
        if index < len(goals) - 1:
            doc.add_page_break()
    doc.save(str(out))


def _first_page(doc: Any, data: dict[str, Any]) -> None:
    strategy = data["strategy"]
    doc.add_heading(DOC_TITLE, level=0)
    doc.add_heading(_clean(strategy["title"]), level=1)
    period = strategy.get("period") or {}
    facts = []
    if period.get("start") or period.get("end"):
        facts.append((LABELS["period"], f"{_day(period.get('start'))} – {_day(period.get('end'))}"))
    if strategy.get("deadline"):
        facts.append((LABELS["deadline"], _day(strategy["deadline"])))
    generated = _local_time(data.get("generated_at"))
    if generated is not None:
        facts.append((LABELS["generated_at"], generated.strftime("%d-%m-%Y %H:%M")))
    for label, value in facts:
        paragraph = doc.add_paragraph()
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(value)
    doc.add_heading(DOCX_LABELS["time_plan"], level=2)
    milestones = sorted(strategy.get("milestones") or [], key=lambda m: str(m["date"]))
    if not milestones:
        _italic(doc, DOCX_LABELS["no_time_plan"])
    else:
        table = doc.add_table(rows=1, cols=2)
        table.style = "Table Grid"
        header = table.rows[0]
        _repeat_header(header)
        for cell, text in zip(header.cells, (DOCX_LABELS["when"], DOCX_LABELS["what"]), strict=True):
            cell.text = ""
            cell.paragraphs[0].add_run(text).bold = True
        for m in milestones:
            row = table.add_row().cells
            row[0].text = _when(str(m["date"]), m.get("end"))
            row[1].text = _clean(str(m["text"]))
    doc.add_page_break()


def _institution(doc: Any, inst: dict[str, Any], goal_number: int) -> None:
    doc.add_heading(_clean(inst["name"]), level=3)
    line = doc.add_paragraph()
    line.add_run(f"{_clean(inst['kind']).capitalize()} · {LABELS['status']}: {_status(inst['status'])}")
    if inst.get("submitted_by"):
        line.add_run(f" · {LABELS['submitted_by']}: {_clean(inst['submitted_by'])}")
    goal = next((g for g in inst["goals"] if g["number"] == goal_number), None)
    local_goals = goal["local_goals"] if goal else []
    if not local_goals:
        _italic(doc, LABELS["no_local_goals"])
    for position, lg in enumerate(local_goals, start=1):
        paragraph = doc.add_paragraph()
        paragraph.add_run(f"{LABELS['local_goal']} {position}: ").bold = True
        paragraph.add_run(_clean(lg["text"]))
        if lg.get("interventions"):
            doc.add_paragraph().add_run(f"{LABELS['interventions']}:").bold = True
            for item in lg["interventions"]:
                doc.add_paragraph(_clean(item), style="List Bullet")
        m = lg.get("measurement")
        if m:
            text = " – ".join(p for p in (_clean(m.get("method", "")), _clean(m.get("when", ""))) if p)
            if m.get("dates"):
                text += f" ({', '.join(_day(d) for d in m['dates'])})"
            paragraph = doc.add_paragraph()
            paragraph.add_run(f"{LABELS['measurement']}: ").bold = True
            paragraph.add_run(text)
        for text in _follow_ups(lg):
            paragraph = doc.add_paragraph()
            paragraph.add_run(f"{DOCX_LABELS['follow_up']}: ").bold = True
            paragraph.add_run(text)
    _previous(doc, goal)


def _follow_ups(lg: dict[str, Any]) -> Iterator[str]:
    """The local goal's follow-ups (`build_export`'s "follow_ups": date, asked_at, answer, text,
    answered_by, answered_at) as "1. marts 2027 – på sporet – what it showed (who)". An older shape,
    a bare text or a dict with result and an on_track flag, is still read."""
    value = lg.get("follow_ups", lg.get("follow_up"))
    items = value if isinstance(value, list) else [value] if value else []
    for item in items:
        if not isinstance(item, dict):
            yield _clean(str(item))
            continue
        day = _day(item["date"]) if item.get("date") else ""
        said = _clean(str(item.get("text") or item.get("result") or ""))
        if "answer" in item:
            parts = [day, answer_label(item["answer"]), said]
        else:
            flag = item.get("on_track")
            parts = [day, said, "" if flag is None else DOCX_LABELS["on_track" if flag else "not_on_track"]]
        text = " – ".join(p for p in parts if p)
        if item.get("answered_by"):
            text += f" ({_clean(str(item['answered_by']))})"
        yield text


def _previous(doc: Any, goal: dict[str, Any] | None) -> None:
    """Last period's local goals of the institution under this goal, when the export has them."""
    if goal is None or "previous_local_goals" not in goal:
        return
    doc.add_paragraph().add_run(f"{LABELS['previous_local_goals']}:").bold = True
    if not goal["previous_local_goals"]:
        _italic(doc, LABELS["no_local_goals"])
    for item in goal["previous_local_goals"]:
        doc.add_paragraph(_clean(" · ".join(previous_lines(item))), style="List Bullet")


def _by_area(institutions: list[dict[str, Any]]) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Institutions grouped by area, in the export's order (area, then name)."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for inst in institutions:
        groups.setdefault(inst["area"], []).append(inst)
    yield from groups.items()


def _clean(text: str) -> str:
    return _XML_ILLEGAL.sub("", text)


def _italic(doc: Any, text: str) -> None:
    doc.add_paragraph().add_run(text).italic = True


def _day(iso: str | None) -> str:
    """ "2023-12-01" as "1. december 2023"."""
    if not iso:
        return "?"
    try:
        d = date.fromisoformat(str(iso))
    except ValueError:
        return _clean(str(iso))
    return f"{d.day}. {MONTHS[d.month - 1]} {d.year}"


def _when(start: str, end: str | None) -> str:
    """A milestone's time: a month (the strategy files write a month as its first day), a day, or a span."""
    s = date.fromisoformat(start)
    if end:
        e = date.fromisoformat(end)
        whole = s.day == 1 and e.day == calendar.monthrange(e.year, e.month)[1]
        if whole:
            first = MONTHS[s.month - 1] + ("" if s.year == e.year else f" {s.year}")
            return f"{first} til {MONTHS[e.month - 1]} {e.year}".capitalize()
        return f"{_day(start)} til {_day(end)}"
    if s.day == 1:
        return f"{MONTHS[s.month - 1]} {s.year}".capitalize()
    return _day(start)


def _repeat_header(row: Any) -> None:
    """Repeat the table's header row on every page it spans."""
    tr_pr = row._tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    tr_pr.append(element)


def _set_language(doc: Any, lang: str) -> None:
    """Mark the text as Danish, for spelling and for screen readers."""
    rpr = doc.styles["Normal"].element.get_or_add_rPr()
    element = OxmlElement("w:lang")
    element.set(qn("w:val"), lang)
    rpr.append(element)
