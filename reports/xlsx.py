"""The export as an XLSX workbook (openpyxl), for the administration and the committee.

- «Oversigt»: the municipality, the strategy, its period, the date of the extract and every strategic
  goal's full title; the boards per area (submitted, approved, missing) and the coverage of each goal
  per area, each with a native Excel bar chart beside it.
- «Institutioner»: one row per institution, with its status (the same words as the chat and the
  status page) and its number of local goals per strategic goal.
- «Mål 1» … «Mål n»: the goal's full title in row 1, then one row per local goal.
- «Aftaler» (when the export has any): one row per agreement from an institution's meetings, open
  ones first: what, who owns it, by when, and whether it was kept.

The overview lists each goal's målepunkter under its title, when the strategy has them.

Every sheet prints landscape, fitted to the page width, with its header rows repeated on each page.
User text is always a text cell (never a formula) with the characters Excel can hold.

The workbook is written in openpyxl's write-only mode: rows stream to the file as they are appended,
so time and memory grow with the rows, not with what is already in the sheet. Column widths are
measured from the data before a sheet's first row (write-only mode writes them first)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

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

TITLE_FONT = Font(bold=True, size=14)
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")  # one shared style object, not one per cell
MAX_CELL = 32767  # Excel's limit on characters in one cell
TIME_FORMAT = "yyyy-mm-dd hh:mm"
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
Cell = Any  # a value or a WriteOnlyCell


def write_xlsx(data: dict[str, Any], out: Path, *, texts: ReportTexts | None = None) -> None:
    tx = texts or report_texts_for()
    report = committee_report(data)
    wb = Workbook(write_only=True)
    _overview(wb, data, tx, report)
    _institutions(wb, data, tx, report.goals)
    _goal_sheets(wb, data, tx, report.goals)
    _agreements(wb, data, tx)
    wb.save(out)


class _Sheet:
    """A write-only sheet that knows its row number and makes strings safe text cells."""

    def __init__(self, wb: Any, title: str) -> None:
        self.ws = wb.create_sheet(_xlsx_text(title)[:31])
        self.row = 0
        self._styles: dict[tuple[int, bool, str], Any] = {}

    def append(self, values: Iterable[Any], *, font: Font | None = None, wrap: Sequence[bool] = ()) -> int:
        cells = []
        for index, value in enumerate(values):
            wrapped = index < len(wrap) and wrap[index]
            cells.append(self.cell(value, font=font, wrap=wrapped))
        self.ws.append(cells)
        self.row += 1
        return self.row

    def cell(self, value: Any, *, font: Font | None = None, wrap: bool = False, number_format: str = "") -> Cell:
        if value == "":
            return None  # an empty cell is not written at all
        if isinstance(value, str):
            value = _xlsx_text(value)
        # openpyxl makes a string starting with "=" a formula: user text must stay text.
        formula = isinstance(value, str) and value.startswith("=")
        if not (formula or font or wrap or number_format):
            return value
        cell = WriteOnlyCell(self.ws, value)
        if formula:
            cell.data_type = "s"
        key = (id(font) if font is not None else 0, wrap, number_format)
        style = self._styles.get(key)
        if style is not None:
            # The cell's style ids, worked out once per combination: setting font and alignment on
            # each cell looks them up in the workbook's style lists every time.
            cell._style = style
            return cell
        if font is not None:
            cell.font = font
        if wrap:
            cell.alignment = WRAP
        if number_format:
            cell.number_format = number_format
        self._styles[key] = cell._style
        return cell


def _overview(wb: Any, data: dict[str, Any], tx: ReportTexts, report: Report) -> None:
    sheet = _Sheet(wb, tx["overview_sheet"])
    ws = sheet.ws
    areas = [a.area for a in report.areas]
    last_col = len(areas) + 2
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 60
    for column in range(3, last_col + 5):
        ws.column_dimensions[get_column_letter(column)].width = 14
    _print_setup(ws, None)  # before the first row: write-only mode writes the sheet's properties first
    strategy = data["strategy"]
    sheet.append([tx["doc_title"]], font=TITLE_FONT)
    period = strategy.get("period") or {}
    facts = [
        (tx["municipality"], data.get("municipality") or ""),
        (tx["strategy"], strategy["title"]),
        (tx["period"], f"{tx.day(period.get('start'))} – {tx.day(period.get('end'))}"),
        (tx["deadline"], tx.day(strategy.get("deadline")) if strategy.get("deadline") else ""),
        (tx["extract_date"], tx.day(extract_day(data))),
    ]
    for label, value in facts:
        sheet.append([sheet.cell(label, font=BOLD), sheet.cell(value, wrap=True)])
    sheet.append([])
    sheet.append([tx["strategic_goals"]], font=BOLD)
    points = measuring_points(data)
    for number, title in report.goals:
        sheet.append([sheet.cell(tx.goal(number), font=BOLD), sheet.cell(title, wrap=True)])
        if points.get(number):
            lines = "\n".join(f"• {p}" for p in points[number])
            sheet.append([tx["measuring_points"], sheet.cell(lines, wrap=True)])
    sheet.append([])

    totals = report.totals
    first = sheet.append(
        [tx["area"], tx["boards"], tx.status("submitted"), tx.status("approved"), tx["missing"], tx["done"]], font=BOLD
    )
    for a in report.areas:
        sheet.append([a.area, a.total, a.submitted, a.approved, a.missing, a.done])
    sheet.append([tx["total"], totals.total, totals.submitted, totals.approved, totals.missing, totals.done])
    _chart(ws, tx["progress_chart"], tx["boards"], first, first + len(report.areas), (6, 5), f"H{first}")
    sheet.append([])

    cover = sheet.append([tx["strategic_goals"], *areas, tx["total"]], font=BOLD)
    for number, _ in report.goals:
        per_area = report.coverage.get(number, {})
        sheet.append([tx.goal(number), *[per_area.get(a, 0) for a in areas], report.goal_coverage(number)])
    _chart(ws, tx["coverage_chart"], tx["boards"], cover, cover + len(report.goals), (last_col,), f"H{cover + 16}")
    sheet.append([])

    sheet.append([tx["follow_up_counts"], tx["count"]], font=BOLD)
    for key in (*ANSWERS, "waiting"):
        sheet.append([tx[f"follow_up.{key}"], report.follow_ups[key]])


def _chart(ws: Any, title: str, axis: str, header_row: int, last_row: int, columns: tuple[int, ...], at: str) -> None:
    """A native bar chart of `columns` (1-based) over the rows below `header_row`, labelled by column A."""
    chart = BarChart()
    chart.type = "bar"
    chart.title = title
    chart.y_axis.title = axis
    chart.height, chart.width = 7, 14
    for column in columns:
        chart.add_data(Reference(ws, min_col=column, min_row=header_row, max_row=last_row), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=header_row + 1, max_row=last_row))
    ws.add_chart(chart, at)


def _institutions(wb: Any, data: dict[str, Any], tx: ReportTexts, heads: list[tuple[int, str]]) -> None:
    keys = ["institution", "area", "kind", "status", "submitted_by", "submitted_at"]
    header = [tx[k] for k in keys] + [tx.goal(n) for n, _ in heads]

    def rows() -> Iterator[list[Any]]:
        for inst in data["institutions"]:
            counts = {g["number"]: len(g["local_goals"]) for g in inst["goals"]}
            row: list[Any] = [inst["name"], inst["area"], inst["kind"], tx.status(inst["status"])]
            row += [inst["submitted_by"] or "", local_time(inst["submitted_at"])]
            yield row + [counts.get(n, 0) for n, _ in heads]

    sheet = _Sheet(wb, tx["institutions_sheet"])
    _table(sheet, [], header, keys + ["count"] * len(heads), rows, time_columns={5})


def _goal_sheets(wb: Any, data: dict[str, Any], tx: ReportTexts, heads: list[tuple[int, str]]) -> None:
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
        row = [inst["area"], inst["name"], tx.status(inst["status"]), lg.get("text", ""), interventions]
        row += [method, when, dates, follow_ups]
        if with_previous:
            # Last period's local goals beside this period's: once, on the goal's first row.
            previous = goal.get("previous_local_goals", []) if position <= 1 else []
            row.append("\n".join("\n".join(previous_lines_of(p, tx)) for p in previous))
        by_goal.setdefault(goal["number"], []).append(row)
    for number, title in heads:
        sheet = _Sheet(wb, tx.goal(number))
        rows = by_goal[number]
        _table(sheet, [f"{tx.goal(number)}: {title}"], [tx[k] for k in keys], keys, lambda rows=rows: iter(rows))


def _agreements(wb: Any, data: dict[str, Any], tx: ReportTexts) -> None:
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
    _table(_Sheet(wb, tx["agreements"]), [], [tx[k] for k in keys], keys, lambda: iter(rows))


def _table(
    sheet: _Sheet,
    title: list[str],
    header: list[str],
    keys: list[str],
    rows: Any,
    *,
    time_columns: set[int] = frozenset(),  # type: ignore[assignment]
) -> None:
    """A title row (if any), a bold frozen header with a filter, then the rows; wrapped long text,
    widths measured from the data, print setup. `rows()` is called twice: to measure, then to write."""
    ws = sheet.ws
    header_row = len(title) + 1
    widths = [_longest(h) for h in header]
    count = 0
    for row in rows():
        count += 1
        for index, value in enumerate(row):
            longest = _longest(value)
            if longest > widths[index]:
                widths[index] = longest
    wrap = [key in WRAPPED or key == "measurement_dates" for key in keys]
    for index, key in enumerate(keys):
        limit = 60 if key in WRAPPED else 40
        widths[index] = min(max(widths[index] + 2, 8), limit)
        ws.column_dimensions[get_column_letter(index + 1)].width = widths[index]
    ws.freeze_panes = f"A{header_row + 1}"
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(keys))}{header_row + count}"
    _print_setup(ws, f"1:{header_row}")
    if title:
        sheet.append(title, font=TITLE_FONT)
    sheet.append(header, font=BOLD)
    for row in rows():
        cells = [
            sheet.cell(value, number_format=TIME_FORMAT) if index in time_columns and value is not None
            else sheet.cell(value, wrap=wrap[index] and _needs_wrap(value, widths[index]))
            for index, value in enumerate(row)
        ]  # fmt: skip
        ws.append(cells)
        sheet.row += 1


def _needs_wrap(value: Any, width: int) -> bool:
    """Whether a cell of a wrapped column must wrap: several lines, or longer than the column is wide
    (a styled cell costs a good deal more to write than a plain one)."""
    return isinstance(value, str) and ("\n" in value or len(value) > width - 2)


def _xlsx_text(text: str) -> str:
    text = ILLEGAL_CHARACTERS_RE.sub("", text)  # control characters make openpyxl refuse the cell
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def _print_setup(ws: Any, title_rows: str | None) -> None:
    """Landscape A4, as wide as the page and as many pages long as it takes, header rows on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if title_rows:
        ws.print_title_rows = title_rows


def _longest(value: Any) -> int:
    """The characters of the value's longest line, as Excel shows it."""
    if value is None:
        return 0
    if isinstance(value, datetime):
        return len(TIME_FORMAT)
    text = value if isinstance(value, str) else str(value)
    return max(map(len, text.splitlines())) if "\n" in text else len(text)
