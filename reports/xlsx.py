"""The export as an XLSX workbook (XlsxWriter), for the administration and the committee.

- «Oversigt»: the municipality, the strategy, its period, the date of the extract and every strategic
  goal's full title; the boards per area (submitted, approved, missing) and the coverage of each goal,
  each with a native Excel bar chart beside it; then the coverage per area, a row per area.
- «Institutioner»: one row per institution, with its status (the same words as the chat and the
  status page) and its number of local goals per strategic goal.
- «Fælles mål 1» … «Fælles mål n»: the goal's full title in row 1, then one row per local goal.
- «Aftaler» (when the export has any): one row per agreement from an institution's meetings, open
  ones first: what, who owns it, by when, and whether it was kept.

The overview lists each goal's målepunkter under its title, when the strategy has them.

Every sheet prints landscape, fitted to the page width, with its header rows repeated on each page.
User text is always a text cell (never a formula) with the characters Excel can hold.

The workbook is written by XlsxWriter in its constant-memory mode: each row goes to a temporary file
as soon as the next one starts (strings inline, no shared-string table), so time and memory grow with
the rows, not with what is already in the sheet. Column widths are measured while the rows are written
and set at the end (XlsxWriter writes a sheet's columns when it closes the workbook). openpyxl's
write-only mode took about twice the CPU for the same cells (benchmarks/README.md); the tests read
the file back with openpyxl."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xlsxwriter import Workbook

from reports.committee import ANSWERS, Report, committee_report
from reports.rows import (
    agreement_rows,
    extract_day,
    follow_up_line,
    goal_rows,
    has_previous,
    local_time,
    measurement_cells,
    measuring_points,
)
from reports.rows import previous_lines as previous_lines_of
from reports.texts import ReportTexts, report_texts_for

if TYPE_CHECKING:
    from xlsxwriter.format import Format
    from xlsxwriter.worksheet import Worksheet

TITLE = "title"  # the styles a cell can have: their formats are made once per workbook (`write_xlsx`)
BOLD = "bold"
WRAP = "wrap"
TIME = "time"
MAX_CELL = 32767  # Excel's limit on characters in one cell
TIME_FORMAT = "yyyy-mm-dd hh:mm"
A4 = 9  # Excel's paper size code
# The characters XML 1.0 cannot hold (as openpyxl's ILLEGAL_CHARACTERS_RE): dropped from user text.
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
WRAPPED = {  # long user text: wrapped, and a wider column
    "local_goal",
    "interventions",
    "measurement_method",
    "measurement_when",
    "follow_ups",
    "previous_local_goals",
    "agreement",
    "follow_up_text",
}
CM = 37.8  # pixels per centimetre, for the charts' size


def write_xlsx(data: dict[str, Any], out: Path, *, texts: ReportTexts | None = None) -> None:
    tx = texts or report_texts_for()
    report = committee_report(data)
    # Strings are always text: never a formula, a number or a link, whatever a board typed.
    text_only = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
    wb = Workbook(str(out), {"constant_memory": True, **text_only})
    try:
        formats = {
            TITLE: wb.add_format({"bold": True, "font_size": 14}),
            BOLD: wb.add_format({"bold": True}),
            WRAP: wb.add_format({"text_wrap": True, "valign": "top"}),
            TIME: wb.add_format({"num_format": TIME_FORMAT}),
        }
        _overview(_Sheet(wb, formats, tx["overview_sheet"]), data, tx, report)
        _institutions(wb, formats, data, tx, report.goals)
        _goal_sheets(wb, formats, data, tx, report.goals)
        _agreements(wb, formats, data, tx)
    finally:
        wb.close()


class _Sheet:
    """A sheet that knows its next row and writes each value as what it is (text stays text)."""

    def __init__(self, wb: Workbook, formats: dict[str, Format], title: str) -> None:
        self.wb = wb
        self.ws: Worksheet = wb.add_worksheet(_xlsx_text(title)[:31])
        self.name = self.ws.get_name()
        self.formats = formats
        self.row = 0  # 1-based number of the last row written, as Excel counts

    def append(self, values: Iterable[Any], *, style: str = "") -> int:
        """Write the next row; a value may be a `(value, style)` pair. Returns the row's 1-based number."""
        row = self.row
        for col, value in enumerate(values):
            if isinstance(value, tuple):
                self.put(row, col, *value)
            else:
                self.put(row, col, value, style)
        self.row += 1
        return self.row

    def put(self, row: int, col: int, value: Any, style: str = "") -> None:
        """One cell (0-based); an empty value is not written at all."""
        if value is None or value == "":
            return
        fmt = self.formats[style] if style else None
        if isinstance(value, str):
            self.ws.write_string(row, col, _xlsx_text(value), fmt)
        elif isinstance(value, datetime):
            self.ws.write_datetime(row, col, value, self.formats[TIME])
        elif isinstance(value, int | float):
            self.ws.write_number(row, col, value, fmt)
        else:
            self.ws.write_string(row, col, _xlsx_text(str(value)), fmt)

    def widths(self, widths: dict[int, float]) -> None:
        for col, width in widths.items():
            self.ws.set_column(col, col, width)


def _overview(sheet: _Sheet, data: dict[str, Any], tx: ReportTexts, report: Report) -> None:
    ws = sheet.ws
    areas = [a.area for a in report.areas]
    last_col = max(len(report.goals), 6)
    sheet.widths({0: 28, 1: 60})
    ws.set_column(2, last_col + 3, 14)
    _print_setup(ws, 0)
    strategy = data["strategy"]
    sheet.append([tx["doc_title"]], style=TITLE)
    period = strategy.get("period") or {}
    facts = [
        (tx["municipality"], data.get("municipality") or ""),
        (tx["strategy"], strategy["title"]),
        (tx["period"], f"{tx.day(period.get('start'))} – {tx.day(period.get('end'))}"),
        (tx["deadline"], tx.day(strategy.get("deadline")) if strategy.get("deadline") else ""),
        (tx["extract_date"], tx.day(extract_day(data))),
    ]
    for label, value in facts:
        sheet.append([(label, BOLD), (value, WRAP)])
    sheet.append([])
    sheet.append([tx["strategic_goals"]], style=BOLD)
    points = measuring_points(data)
    for number, title in report.goals:
        sheet.append([(tx.goal(number), BOLD), (title, WRAP)])
        if points.get(number):
            lines = "\n".join(f"• {p}" for p in points[number])
            sheet.append([tx["measuring_points"], (lines, WRAP)])
    sheet.append([])

    totals = report.totals
    first = sheet.append(
        [tx["area"], tx["boards"], tx.status("submitted"), tx.status("approved"), tx["missing"], tx["done"]],
        style=BOLD,
    )
    for a in report.areas:
        sheet.append([a.area, a.total, a.submitted, a.approved, a.missing, a.done])
    sheet.append([tx["total"], totals.total, totals.submitted, totals.approved, totals.missing, totals.done])
    _chart(sheet, tx["progress_chart"], tx["boards"], first, first + len(report.areas), (6, 5), f"H{first}")
    sheet.append([])

    # coverage: the total per fælles mål (charted), then one row per area and a column per fælles mål, so
    # a municipality of 100 areas gets 100 rows, not 100 columns
    cover = sheet.append([tx["strategic_goals"], tx["total"]], style=BOLD)
    for number, _ in report.goals:
        sheet.append([tx.goal(number), report.goal_coverage(number)])
    _chart(sheet, tx["coverage_chart"], tx["boards"], cover, cover + len(report.goals), (2,), f"H{cover}")
    sheet.append([])
    sheet.append([tx["area"], *[tx.goal(number) for number, _ in report.goals]], style=BOLD)
    for area in areas:
        sheet.append([area, *[report.coverage.get(number, {}).get(area, 0) for number, _ in report.goals]])
    sheet.append([tx["total"], *[report.goal_coverage(number) for number, _ in report.goals]])
    sheet.append([])

    sheet.append([tx["follow_up_counts"], tx["count"]], style=BOLD)
    for key in (*ANSWERS, "waiting"):
        sheet.append([tx[f"follow_up.{key}"], report.follow_ups[key]])


def _chart(
    sheet: _Sheet, title: str, axis: str, header_row: int, last_row: int, columns: tuple[int, ...], at: str
) -> None:
    """A native bar chart of `columns` (1-based) over the rows below `header_row` (1-based), labelled by
    column A."""
    chart = sheet.wb.add_chart({"type": "bar"})
    for column in columns:
        chart.add_series(
            {
                "name": [sheet.name, header_row - 1, column - 1],
                "categories": [sheet.name, header_row, 0, last_row - 1, 0],
                "values": [sheet.name, header_row, column - 1, last_row - 1, column - 1],
            }
        )
    chart.set_title({"name": title})
    chart.set_x_axis({"name": axis})  # a bar chart's values run along its horizontal axis
    chart.set_size({"width": round(14 * CM), "height": round(7 * CM)})
    sheet.ws.insert_chart(at, chart)


def _institutions(
    wb: Workbook, formats: dict[str, Format], data: dict[str, Any], tx: ReportTexts, heads: list[tuple[int, str]]
) -> None:
    keys = ["institution", "area", "kind", "status", "submitted_by", "submitted_at"]
    header = [tx[k] for k in keys] + [tx.goal(n) for n, _ in heads]

    def rows() -> Iterator[list[Any]]:
        for inst in data["institutions"]:
            counts = {g["number"]: len(g["local_goals"]) for g in inst["goals"]}
            row: list[Any] = [inst["name"], inst["area"], inst["kind"], tx.status_of(inst)]
            row += [inst["submitted_by"] or "", local_time(inst["submitted_at"])]
            yield row + [counts.get(n, 0) for n, _ in heads]

    sheet = _Sheet(wb, formats, tx["institutions_sheet"])
    _table(sheet, [], header, keys + ["count"] * len(heads), rows())


def _goal_sheets(
    wb: Workbook, formats: dict[str, Format], data: dict[str, Any], tx: ReportTexts, heads: list[tuple[int, str]]
) -> None:
    keys = ["area", "institution", "status", "local_goal", "interventions"]
    keys += ["measurement_method", "measurement_when", "measurement_dates", "follow_ups"]
    with_previous = has_previous(data)
    if with_previous:
        keys.append("previous_local_goals")
    by_goal: dict[int, list[list[Any]]] = {number: [] for number, _ in heads}
    for inst, goal, position, lg in goal_rows(data):
        method, when, dates = measurement_cells(lg, "\n")
        interventions = "\n".join(lg.get("interventions", []))
        follow_ups = "\n".join(follow_up_line(f, tx) for f in lg.get("follow_ups", []))
        row = [inst["area"], inst["name"], tx.status_of(inst), lg.get("text", ""), interventions]
        row += [method, when, dates, follow_ups]
        if with_previous:
            # Last period's local goals beside this period's: once, on the goal's first row.
            previous = goal.get("previous_local_goals", []) if position <= 1 else []
            row.append("\n".join("\n".join(previous_lines_of(p, tx)) for p in previous))
        by_goal.setdefault(goal["number"], []).append(row)
    for number, title in heads:
        sheet = _Sheet(wb, formats, tx.goal(number))
        _table(sheet, [f"{tx.goal(number)}: {title}"], [tx[k] for k in keys], keys, by_goal[number])


def _agreements(wb: Workbook, formats: dict[str, Format], data: dict[str, Any], tx: ReportTexts) -> None:
    """The «Aftaler» sheet: the institutions' agreements, when there are any."""
    found = list(agreement_rows(data, tx["whole_municipality"]))
    if not found:
        return
    keys = ["area", "institution", "meeting_date", "agreement", "owner", "due_on", "kept", "follow_up_text"]
    rows = [
        [inst["area"], inst["name"], tx.day(a.get("meeting_date")), a["text"], a.get("owner") or "",
         tx.day(a.get("due_on")), tx.agreement(a["status"]), a.get("follow_up") or ""]
        for inst, a in found
    ]  # fmt: skip
    _table(_Sheet(wb, formats, tx["agreements"]), [], [tx[k] for k in keys], keys, rows)


def _table(sheet: _Sheet, title: list[str], header: list[str], keys: list[str], rows: Iterable[list[Any]]) -> None:
    """A title row (if any), a bold frozen header with a filter, then the rows; wrapped long text,
    widths measured from the data, print setup. The rows are read once."""
    ws = sheet.ws
    if title:
        sheet.append(title, style=TITLE)
    header_row = sheet.append(header, style=BOLD)
    widths = [_longest(h) for h in header]
    limits = [60 if key in WRAPPED else 40 for key in keys]
    # A cell of a wrapped column wraps when it has several lines or is longer than its column can be
    # wide (the column is never narrower than its longest value, up to the limit): known per cell.
    wraps = [key in WRAPPED or key == "measurement_dates" for key in keys]
    wrap_over = [limit - 2 if wrapped else None for wrapped, limit in zip(wraps, limits, strict=True)]
    put, formats = sheet.put, sheet.formats
    write_string, write_number = ws.write_string, ws.write_number
    wrap_format = formats[WRAP]
    row_index = header_row
    for row in rows:
        for col, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                value = _xlsx_text(value)
                longest = max(map(len, value.splitlines())) if "\n" in value else len(value)
                over = wrap_over[col]
                wrapped = over is not None and ("\n" in value or len(value) > over)
                write_string(row_index, col, value, wrap_format if wrapped else None)
            elif isinstance(value, int | float) and not isinstance(value, bool):
                longest = len(str(value))
                write_number(row_index, col, value)
            else:
                longest = _longest(value)
                put(row_index, col, value)
            if longest > widths[col]:
                widths[col] = longest
        row_index += 1
    sheet.row = row_index
    for col, limit in enumerate(limits):
        ws.set_column(col, col, min(max(widths[col] + 2, 8), limit))
    ws.freeze_panes(header_row, 0)
    ws.autofilter(header_row - 1, 0, row_index - 1, len(keys) - 1)
    _print_setup(ws, header_row)


def _xlsx_text(text: str) -> str:
    if not text.isprintable():  # only then can it hold a control character
        text = ILLEGAL_CHARACTERS_RE.sub("", text)  # XML cannot hold them
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def _print_setup(ws: Worksheet, title_rows: int) -> None:
    """Landscape A4, as wide as the page and as many pages long as it takes, the first `title_rows`
    rows on every page."""
    ws.set_landscape()
    ws.set_paper(A4)
    ws.fit_to_pages(1, 0)
    if title_rows:
        ws.repeat_rows(0, title_rows - 1)


def _longest(value: Any) -> int:
    """The characters of the value's longest line, as Excel shows it."""
    if value is None:
        return 0
    if isinstance(value, datetime):
        return len(TIME_FORMAT)
    text = value if isinstance(value, str) else str(value)
    return max(map(len, text.splitlines())) if "\n" in text else len(text)
