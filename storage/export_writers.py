"""Write the dict from `storage.export.build_export` as JSON, CSV, XLSX or Markdown.

`write_export(data, fmt, out)` with fmt one of `FORMATS`. JSON is the dict as is; the others are for
people (the administration, the committee) and use the Danish texts in `LABELS`.
User text is never trusted: CSV cells cannot start a spreadsheet formula, XLSX cells are always
text, and Markdown escapes every character that would otherwise become markup.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from storage.committee import ReportTexts

FORMATS = ("json", "csv", "xlsx", "md")
ALL_FORMATS = (*FORMATS, "docx")  # docx: the committee document, storage/export_docx.py

# Every text a reader sees, in one place so it can move to the translations later.
LABELS: dict[str, str] = {
    "area": "Område",
    "institution": "Institution",
    "kind": "Type",
    "status": "Status",
    "submitted_by": "Indsendt af",
    "submitted_at": "Indsendt",
    "goal_number": "Mål nr.",
    "goal_title": "Strategisk mål",
    "goal_column": "Mål {number}",  # also the name of each goal's sheet
    "local_goal_position": "Nr.",
    "local_goal": "Lokalt mål",
    "interventions": "Indsatser",
    "measurement_method": "Målemetode",
    "measurement_when": "Hvornår",
    "measurement_dates": "Måledatoer",
    "overview_sheet": "Oversigt",
    "period": "Periode",
    "deadline": "Frist",
    "generated_at": "Dannet",
    "measurement": "Måling",
    "no_local_goals": "Ingen lokale mål.",
    # the same words as the chat and the status page (dialogs.views.status_label)
    "status.draft": "i gang",
    "status.submitted": "sendt ind",
    "status.approved": "godkendt",
    "status.returned": "sendt retur til rettelser",
    "status.not_started": "ikke startet",
    "follow_ups": "Opfølgning",
    "follow_up.on_track": "på sporet",
    "follow_up.partly": "delvist",
    "follow_up.off_track": "ikke på sporet",
    "follow_up.waiting": "ikke besvaret endnu",
    "previous_local_goals": "Sidste periode",
    # the committee document (DOCX and its printable page) and the XLSX overview
    "doc_title": "Bestyrelsernes lokale mål",
    "municipality": "Kommune",
    "strategy": "Strategi",
    "strategic_goals": "Fælles mål",
    "time_plan": "Tids- og procesplan",
    "appendix": "Bilag: Tids- og procesplan",
    "when": "Hvornår",
    "what": "Hvad",
    "no_time_plan": "Strategien har ingen tidsplan.",
    "no_institutions": "Ingen bestyrelser har sendt deres lokale mål ind endnu.",
    "summary": "Sammenfatning",
    "summary_text": (
        "{done} af {total} bestyrelser har sendt deres lokale mål ind, og {approved} er godkendt. {missing} mangler."
    ),
    "only_reported": "Dokumentet viser de registreringer, der er sendt ind eller godkendt.",
    "with_drafts": "Dokumentet viser også registreringer, der ikke er sendt ind endnu.",
    "boards_by_area": "Bestyrelser pr. område",
    "total": "I alt",
    "boards": "Bestyrelser",
    "done": "Har sendt ind",
    "missing": "Mangler",
    "coverage": "Dækning: bestyrelser med lokale mål pr. fælles mål",
    "coverage_hint": "Bestyrelser, der har sendt ind og har lokale mål under målet, ud af alle bestyrelser.",
    "progress_chart": "Fremdrift pr. område",
    "coverage_chart": "Dækning pr. fælles mål",
    "share": "Andel",
    "of": "{part} af {whole} ({percent} %)",
    "follow_up_counts": "Opfølgning på målinger (seneste svar pr. lokalt mål)",
    "count": "Antal",
    "missing_title": "Bestyrelser, der mangler",
    "nobody_missing": "Alle bestyrelser har sendt ind.",
    "page": "Side",
    "page_of": "af",
    "extract_date": "Dato for udtræk",
    "print": "Udskriv",
    "board_print": "Bestyrelsens registrering",
    "institutions_sheet": "Institutioner",
    "goal_sheet": "Mål {number}",
}

# Danish Excel uses ";" as its list separator (the comma is the decimal sign), so a comma-separated
# file opens with every row in column A. Semicolons open straight into columns.
CSV_DELIMITER = ";"
CSV_COLUMNS = (
    "area",
    "institution",
    "kind",
    "status",
    "goal_number",
    "goal_title",
    "local_goal_position",
    "local_goal",
    "interventions",
    "measurement_method",
    "measurement_when",
    "measurement_dates",
    "follow_ups",
)
# A cell starting with one of these is a formula to Excel ("CSV injection"); a board member could
# otherwise plant =HYPERLINK(...) for the administration to click. A leading ' makes it text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

LOCAL_TZ = ZoneInfo("Europe/Copenhagen")  # Excel has no time zones: show local time
XLSX_MAX_CELL = 32767  # Excel's limit on characters in one cell
XLSX_WRAPPED = {
    "local_goal",
    "interventions",
    "measurement_method",
    "measurement_when",
    "follow_ups",
    "previous_local_goals",
}


def write_export(
    data: dict[str, Any], fmt: str, out: Path, *, texts: ReportTexts | None = None, include_drafts: bool = False
) -> None:
    """Write `data` (from `build_export`) to `out` in `fmt`: json, csv, xlsx, md or docx. `texts`: the
    language of the XLSX and DOCX (default Danish); `include_drafts`: the DOCX shows drafts too."""
    fmt = fmt.strip().lower()
    if fmt == "json":
        out.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    elif fmt == "csv":
        _write_csv(data, out)
    elif fmt == "xlsx":
        from storage.export_xlsx import write_xlsx  # imports this module

        write_xlsx(data, out, texts=texts)
    elif fmt == "md":
        out.write_text(_markdown(data), encoding="utf-8")
    elif fmt == "docx":
        from storage.export_docx import write_docx  # imports this module

        write_docx(data, out, texts=texts, include_drafts=include_drafts)
    else:
        raise ValueError(f"unknown export format {fmt!r}: use one of {', '.join(ALL_FORMATS)}")


def _status(code: str) -> str:
    word = LABELS.get(f"status.{code}", code)
    return word[:1].upper() + word[1:]


def _goal_rows(data: dict[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any], int, dict[str, Any]]]:
    """(institution, goal, 1-based position, local goal) per local goal; position 0 and an empty
    local goal for an institution's goal without local goals."""
    for inst in data["institutions"]:
        for goal in inst["goals"]:
            if not goal["local_goals"]:
                yield inst, goal, 0, {}
            for position, lg in enumerate(goal["local_goals"], start=1):
                yield inst, goal, position, lg


def _measurement_cells(lg: dict[str, Any], dates_sep: str) -> tuple[str, str, str]:
    m = lg.get("measurement") or {}
    return m.get("method", ""), m.get("when", ""), dates_sep.join(m.get("dates", []))


def answer_label(answer: str | None) -> str:
    """A follow-up's answer in Danish ("på sporet"); "ikke besvaret endnu" while there is none."""
    if answer is None:
        return LABELS["follow_up.waiting"]
    return LABELS.get(f"follow_up.{answer}", answer)


def follow_up_line(item: dict[str, Any]) -> str:
    """One follow-up as "2027-03-01: på sporet – what the measurement showed (who)"."""
    text = f"{item['date']}: {answer_label(item.get('answer'))}"
    if item.get("text"):
        text += f" – {item['text']}"
    if item.get("answered_by"):
        text += f" ({item['answered_by']})"
    return text


def _has_previous(data: dict[str, Any]) -> bool:
    """Whether the export carries last period's local goals (the strategy names a previous one)."""
    return any("previous_local_goals" in g for inst in data["institutions"] for g in inst["goals"])


def previous_lines(item: dict[str, Any]) -> list[str]:
    """Last period's local goal as its text, then its interventions and measurement (if any)."""
    lines = [item["text"]]
    if item.get("interventions"):
        lines.append(f"{LABELS['interventions']}: {', '.join(item['interventions'])}")
    m = item.get("measurement")
    if m:
        measured = " – ".join(p for p in (m.get("method", ""), m.get("when", "")) if p)
        if measured:
            lines.append(f"{LABELS['measurement']}: {measured}")
    return lines


# --- CSV ---------------------------------------------------------------------------------------


def _csv_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _write_csv(data: dict[str, Any], out: Path) -> None:
    # utf-8-sig writes a byte order mark first: without it Excel reads the file as Windows-1252
    # and shows "Ã¦Ã¸Ã¥" instead of "æøå".
    with out.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, delimiter=CSV_DELIMITER)
        writer.writerow([LABELS[c] for c in CSV_COLUMNS])
        for inst, goal, position, lg in _goal_rows(data):
            method, when, dates = _measurement_cells(lg, ";")
            row = [inst["area"], inst["name"], inst["kind"], _status(inst["status"]), goal["number"]]
            row += [
                goal["title"],
                position or "",
                lg.get("text", ""),
                " | ".join(lg.get("interventions", [])),
            ]
            follow_ups = " | ".join(follow_up_line(f) for f in lg.get("follow_ups", []))
            writer.writerow([_csv_cell(v) for v in [*row, method, when, dates, follow_ups]])


# --- XLSX (storage/export_xlsx.py) ------------------------------------------------------------


def _goal_heads(data: dict[str, Any]) -> list[tuple[int, str]]:
    heads: dict[int, str] = {}
    for inst in data["institutions"]:
        for goal in inst["goals"]:
            heads.setdefault(goal["number"], goal["title"])
    return sorted(heads.items())


def _local_time(iso: str | None) -> datetime | None:
    if not iso:
        return None
    return datetime.fromisoformat(iso).astimezone(LOCAL_TZ).replace(tzinfo=None)


# --- Markdown ----------------------------------------------------------------------------------

_MD_INLINE = re.compile(r"([\\`*_\[\]<>|#~&])")
_MD_LINE_START = re.compile(r"^([-+=])|^(\d+)([.)])")


def md_escape(text: str) -> str:
    """User text as literal Markdown: markup characters backslash-escaped, each line kept from
    starting a list, heading, quote or code block; line breaks become hard breaks."""
    lines = []
    for line in str(text).splitlines():
        line = _MD_INLINE.sub(r"\\\1", line.strip())
        if line:
            lines.append(_MD_LINE_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", line))
    return "  \n".join(lines)


def _md_time(iso: str) -> str:
    local = _local_time(iso)
    return local.strftime("%Y-%m-%d %H:%M") if local else ""


def _md_one_line(text: str) -> str:
    return " ".join(md_escape(text).split())


def _markdown(data: dict[str, Any]) -> str:
    s = data["strategy"]
    out = [f"# {_md_one_line(s['title'])}", ""]
    period = s["period"]
    facts = []
    if period["start"] or period["end"]:
        facts.append(f"{LABELS['period']}: {period['start'] or '?'} – {period['end'] or '?'}")
    if s["deadline"]:
        facts.append(f"{LABELS['deadline']}: {s['deadline']}")
    facts.append(f"{LABELS['generated_at']}: {_md_time(data['generated_at'])}")
    out += ["  \n".join(facts), ""]
    area = None
    for inst in data["institutions"]:
        if inst["area"] != area:
            area = inst["area"]
            out += [f"## {_md_one_line(area)}", ""]
        out += [f"### {_md_one_line(inst['name'])} ({_md_one_line(inst['kind'])})", ""]
        lines = [f"**{LABELS['status']}:** {_status(inst['status'])}"]
        if inst["submitted_by"]:
            lines.append(f"**{LABELS['submitted_by']}:** {_md_one_line(inst['submitted_by'])}")
        if inst["submitted_at"]:
            lines.append(f"**{LABELS['submitted_at']}:** {_md_time(inst['submitted_at'])}")
        out += ["  \n".join(lines), ""]
        for goal in inst["goals"]:
            out += [f"#### {LABELS['goal_column'].format(number=goal['number'])}: {_md_one_line(goal['title'])}"]
            out.append("")
            if not goal["local_goals"]:
                out += [f"_{LABELS['no_local_goals']}_", ""]
            for position, lg in enumerate(goal["local_goals"], start=1):
                out += _md_local_goal(position, lg)
            if "previous_local_goals" in goal:
                out += _md_previous(goal["previous_local_goals"])
    return "\n".join(out).rstrip("\n") + "\n"


def _md_local_goal(position: int, lg: dict[str, Any]) -> list[str]:
    out = [f"**{LABELS['local_goal']} {position}:** {md_escape(lg['text'])}", ""]
    if lg["interventions"]:
        out += [f"{LABELS['interventions']}:", ""]
        out += ["- " + md_escape(item).replace("\n", "\n  ") for item in lg["interventions"]]
        out.append("")
    m = lg["measurement"]
    if m:
        text = " – ".join(p for p in (_md_one_line(m["method"]), _md_one_line(m["when"])) if p)
        if m["dates"]:
            text += f" ({', '.join(_md_one_line(d) for d in m['dates'])})"
        out += [f"{LABELS['measurement']}: {text}", ""]
    if lg.get("follow_ups"):
        out += [f"{LABELS['follow_ups']}:", ""]
        out += ["- " + _md_one_line(follow_up_line(f)) for f in lg["follow_ups"]]
        out.append("")
    return out


def _md_previous(previous: list[dict[str, Any]]) -> list[str]:
    """Last period's local goals under the goal: a sub-list per local goal."""
    out = [f"{LABELS['previous_local_goals']}:", ""]
    if not previous:
        return [*out, f"_{LABELS['no_local_goals']}_", ""]
    for item in previous:
        first, *rest = previous_lines(item)
        out.append("- " + _md_one_line(first))
        out += ["  - " + _md_one_line(line) for line in rest]
    return [*out, ""]
