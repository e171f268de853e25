"""Write the dict from `storage.export.build_export` as JSON, CSV, XLSX, Markdown or DOCX.

`write_export(data, fmt, out, texts=...)` with fmt one of `ALL_FORMATS`. JSON is the dict as is (its
keys are the format, not words); the others are for people (the administration, the committee) and
use the labels of `texts` (`reports.texts.ReportTexts`, Danish by default).
User text is never trusted: CSV cells cannot start a spreadsheet formula, XLSX cells are always
text, and Markdown escapes every character that would otherwise become markup.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

from reports.rows import follow_up_line, goal_rows, local_time, measurement_cells, previous_lines
from reports.texts import ReportTexts, report_texts_for

FORMATS = ("json", "csv", "xlsx", "md")
ALL_FORMATS = (*FORMATS, "docx")  # docx: the committee document, reports/committee_docx.py

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


def write_export(
    data: dict[str, Any], fmt: str, out: Path, *, texts: ReportTexts | None = None, include_drafts: bool = False
) -> None:
    """Write `data` (from `build_export`) to `out` in `fmt`: json, csv, xlsx, md or docx. `texts`: the
    language of the words in the file (default Danish); `include_drafts`: the DOCX shows drafts too."""
    tx = texts or report_texts_for()
    fmt = fmt.strip().lower()
    if fmt != "json":  # the JSON keeps both languages' titles; a document shows the reader's
        data = in_language(data, tx.locale)
    if fmt == "json":
        with out.open("w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=2)
            fh.write("\n")
    elif fmt == "csv":
        write_csv(data, out, tx)
    elif fmt == "xlsx":
        from reports.xlsx import write_xlsx

        write_xlsx(data, out, texts=tx)
    elif fmt == "md":
        out.write_text(markdown(data, tx), encoding="utf-8")
    elif fmt == "docx":
        from reports.committee_docx import write_docx

        write_docx(data, out, texts=tx, include_drafts=include_drafts)
    else:
        raise ValueError(f"unknown export format {fmt!r}: use one of {', '.join(ALL_FORMATS)}")


def in_language(data: dict[str, Any], locale: str) -> dict[str, Any]:
    """`data` with the strategy's English titles (`title_en`, `goal_titles_en`) in place of its own, for an
    English document; unchanged in Danish or when the strategy file has no English titles."""
    strategy: dict[str, Any] = data.get("strategy") or {}
    english: dict[str, str] = strategy.get("goal_titles_en") or {}
    if locale != "en" or not (english or strategy.get("title_en")):
        return data

    def goal(g: dict[str, Any]) -> dict[str, Any]:
        title = english.get(str(g.get("number")))
        return {**g, "title": title} if title else g

    head = {**strategy, "title": strategy.get("title_en") or strategy.get("title")}
    institutions = [{**i, "goals": [goal(g) for g in i.get("goals", [])]} for i in data.get("institutions", [])]
    return {**data, "strategy": head, "institutions": institutions}


# --- CSV ---------------------------------------------------------------------------------------


def _csv_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_csv(data: dict[str, Any], out: Path, tx: ReportTexts) -> None:
    """One row per local goal (and one per goal without any), semicolon-separated for Danish Excel."""
    # utf-8-sig writes a byte order mark first: without it Excel reads the file as Windows-1252
    # and shows "Ã¦Ã¸Ã¥" instead of "æøå".
    with out.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, delimiter=CSV_DELIMITER)
        writer.writerow([tx[c] for c in CSV_COLUMNS])
        for inst, goal, position, lg in goal_rows(data):
            method, when, dates = measurement_cells(lg, ";")
            row = [inst["area"], inst["name"], inst["kind"], tx.status_of(inst), goal["number"]]
            row += [
                goal["title"],
                position or "",
                lg.get("text", ""),
                " | ".join(lg.get("interventions", [])),
            ]
            follow_ups = " | ".join(follow_up_line(f, tx) for f in lg.get("follow_ups", []))
            writer.writerow([_csv_cell(v) for v in [*row, method, when, dates, follow_ups]])


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
    local = local_time(iso)
    return local.strftime("%Y-%m-%d %H:%M") if local else ""


def _md_one_line(text: str) -> str:
    return " ".join(md_escape(text).split())


def markdown(data: dict[str, Any], tx: ReportTexts) -> str:
    """The export as one Markdown document: area → institution → strategic goal → local goals."""
    s = data["strategy"]
    out = [f"# {_md_one_line(s['title'])}", ""]
    period = s["period"]
    facts = []
    if period["start"] or period["end"]:
        facts.append(f"{tx['period']}: {period['start'] or '?'} – {period['end'] or '?'}")
    if s["deadline"]:
        facts.append(f"{tx['deadline']}: {s['deadline']}")
    facts.append(f"{tx['generated_at']}: {_md_time(data['generated_at'])}")
    out += ["  \n".join(facts), ""]
    area = None
    for inst in data["institutions"]:
        if inst["area"] != area:
            area = inst["area"]
            out += [f"## {_md_one_line(area)}", ""]
        out += [f"### {_md_one_line(inst['name'])} ({_md_one_line(inst['kind'])})", ""]
        lines = [f"**{tx['status']}:** {tx.status_of(inst)}"]
        if inst["submitted_by"]:
            lines.append(f"**{tx['submitted_by']}:** {_md_one_line(inst['submitted_by'])}")
        if inst["submitted_at"]:
            lines.append(f"**{tx['submitted_at']}:** {_md_time(inst['submitted_at'])}")
        out += ["  \n".join(lines), ""]
        for goal in inst["goals"]:
            out += [f"#### {tx.goal(goal['number'])}: {_md_one_line(goal['title'])}"]
            out.append("")
            if not goal["local_goals"]:
                out += [f"_{tx['no_local_goals']}_", ""]
            for position, lg in enumerate(goal["local_goals"], start=1):
                out += _md_local_goal(position, lg, tx)
            if "previous_local_goals" in goal:
                out += _md_previous(goal["previous_local_goals"], tx)
    return "\n".join(out).rstrip("\n") + "\n"


def _md_local_goal(position: int, lg: dict[str, Any], tx: ReportTexts) -> list[str]:
    out = [f"**{tx['local_goal']} {position}:** {md_escape(lg['text'])}", ""]
    if lg["interventions"]:
        out += [f"{tx['interventions']}:", ""]
        out += ["- " + md_escape(item).replace("\n", "\n  ") for item in lg["interventions"]]
        out.append("")
    m = lg["measurement"]
    if m:
        text = " – ".join(p for p in (_md_one_line(m["method"]), _md_one_line(m["when"])) if p)
        if m["dates"]:
            text += f" ({', '.join(_md_one_line(d) for d in m['dates'])})"
        out += [f"{tx['measurement']}: {text}", ""]
    if lg.get("follow_ups"):
        out += [f"{tx['follow_ups']}:", ""]
        out += ["- " + _md_one_line(follow_up_line(f, tx)) for f in lg["follow_ups"]]
        out.append("")
    return out


def _md_previous(previous: list[dict[str, Any]], tx: ReportTexts) -> list[str]:
    """Last period's local goals under the goal: a sub-list per local goal."""
    out = [f"{tx['previous_local_goals']}:", ""]
    if not previous:
        return [*out, f"_{tx['no_local_goals']}_", ""]
    for item in previous:
        first, *rest = previous_lines(item, tx)
        out.append("- " + _md_one_line(first))
        out += ["  - " + _md_one_line(line) for line in rest]
    return [*out, ""]
