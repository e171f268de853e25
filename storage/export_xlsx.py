"""The export as an XLSX workbook (openpyxl), for the administration and the committee.

- «Oversigt»: the municipality, the strategy, its period, the date of the extract and every strategic
  goal's full title; the boards per area (submitted, approved, missing) and the coverage of each goal
  per area, each with a native Excel bar chart beside it.
- «Institutioner»: one row per institution, with its status (the same words as the chat and the
  status page) and its number of local goals per strategic goal.
- «Mål 1» … «Mål n»: the goal's full title in row 1, then one row per local goal.

Every sheet prints landscape, fitted to the page width, with its header rows repeated on each page.
User text is always a text cell (never a formula) with the characters Excel can hold."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from storage.committee import ANSWERS, ReportTexts, committee_report
from storage.export_docx import DANISH, extract_day
from storage.export_writers import (
    XLSX_MAX_CELL,
    XLSX_WRAPPED,
    _goal_rows,
    _has_previous,
    _local_time,
    _measurement_cells,
    follow_up_line,
    previous_lines,
)

TITLE_FONT = Font(bold=True, size=14)
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")  # one shared style object, not one per cell


def write_xlsx(data: dict[str, Any], out: Path, *, texts: ReportTexts | None = None) -> None:
    tx = texts or DANISH
    report = committee_report(data)
    wb = Workbook()
    _overview(wb.active, data, tx)
    _institutions(wb.create_sheet(tx["institutions_sheet"]), data, tx, report.goals)
    _goal_sheets(wb, data, tx, report.goals)
    wb.save(out)


def _overview(ws: Any, data: dict[str, Any], tx: ReportTexts) -> None:
    report = committee_report(data)
    strategy = data["strategy"]
    ws.title = tx["overview_sheet"]
    ws.append([tx["doc_title"]])
    ws["A1"].font = TITLE_FONT
    period = strategy.get("period") or {}
    facts = [
        (tx["municipality"], data.get("municipality") or ""),
        (tx["strategy"], strategy["title"]),
        (tx["period"], f"{tx.day(period.get('start'))} – {tx.day(period.get('end'))}"),
        (tx["deadline"], tx.day(strategy.get("deadline")) if strategy.get("deadline") else ""),
        (tx["extract_date"], tx.day(extract_day(data))),
    ]
    for label, value in facts:
        _append(ws, [label, value])
    ws.append([])
    _append(ws, [tx["strategic_goals"]])
    ws.cell(ws.max_row, 1).font = BOLD
    for number, title in report.goals:
        _append(ws, [tx["goal_sheet"].format(number=number), title])
    for row in ws.iter_rows(min_row=2, max_col=1):
        row[0].font = BOLD
    ws.append([])

    totals = report.totals
    first = ws.max_row + 1
    _append(ws, [tx["area"], tx["boards"], tx.status("submitted"), tx.status("approved"), tx["missing"], tx["done"]])
    for a in report.areas:
        _append(ws, [a.area, a.total, a.submitted, a.approved, a.missing, a.done])
    _append(ws, [tx["total"], totals.total, totals.submitted, totals.approved, totals.missing, totals.done])
    _bold_row(ws, first)
    _chart(ws, tx["progress_chart"], tx["boards"], first, first + len(report.areas), (6, 5), f"H{first}")
    ws.append([])

    cover = ws.max_row + 1
    areas = [a.area for a in report.areas]
    _append(ws, [tx["strategic_goals"], *areas, tx["total"]])
    for number, _ in report.goals:
        per_area = report.coverage.get(number, {})
        _append(ws, [tx["goal_sheet"].format(number=number), *[per_area.get(a, 0) for a in areas],
                     report.goal_coverage(number)])  # fmt: skip
    _bold_row(ws, cover)
    last_col = len(areas) + 2
    _chart(ws, tx["coverage_chart"], tx["boards"], cover, cover + len(report.goals), (last_col,), f"H{cover + 16}")
    ws.append([])

    follow = ws.max_row + 1
    _append(ws, [tx["follow_up_counts"], tx["count"]])
    for key in (*ANSWERS, "waiting"):
        _append(ws, [tx[f"follow_up.{key}"], report.follow_ups[key]])
    _bold_row(ws, follow)
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 60
    for column in range(3, last_col + 5):
        ws.column_dimensions[get_column_letter(column)].width = 14
    for row in ws.iter_rows(min_row=2, max_col=2):
        row[1].alignment = WRAP
    _print_setup(ws, None)


def _chart(ws: Any, title: str, axis: str, header_row: int, last_row: int, columns: tuple[int, ...], at: str) -> None:
    """A native bar chart of `columns` (1-based) over the rows below `header_row`, labelled by column A."""
    chart = BarChart()
    chart.type = "bar"
    chart.title = title
    chart.y_axis.title = axis
    chart.height, chart.width = 7, 14
    for column in columns:
        data = Reference(ws, min_col=column, min_row=header_row, max_row=last_row)
        chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=header_row + 1, max_row=last_row))
    ws.add_chart(chart, at)


def _institutions(ws: Any, data: dict[str, Any], tx: ReportTexts, heads: list[tuple[int, str]]) -> None:
    keys = ["institution", "area", "kind", "status", "submitted_by", "submitted_at"]
    ws.append([tx[k] for k in keys] + [tx["goal_sheet"].format(number=n) for n, _ in heads])
    for inst in data["institutions"]:
        counts = {g["number"]: len(g["local_goals"]) for g in inst["goals"]}
        row: list[Any] = [inst["name"], inst["area"], inst["kind"], tx.status(inst["status"])]
        row += [inst["submitted_by"] or "", _local_time(inst["submitted_at"])]
        _append(ws, row + [counts.get(n, 0) for n, _ in heads])
    for cell in ws["F"][1:]:
        cell.number_format = "yyyy-mm-dd hh:mm"
    _finish_sheet(ws, keys + ["count"] * len(heads), header_row=1)


def _goal_sheets(wb: Any, data: dict[str, Any], tx: ReportTexts, heads: list[tuple[int, str]]) -> None:
    sheet_keys = ["area", "institution", "status", "local_goal", "interventions"]
    sheet_keys += ["measurement_method", "measurement_when", "measurement_dates", "follow_ups"]
    with_previous = _has_previous(data)
    if with_previous:
        sheet_keys.append("previous_local_goals")
    sheets = {}
    for number, title in heads:
        ws = wb.create_sheet(tx["goal_sheet"].format(number=number))
        _append(ws, [f"{tx['goal_sheet'].format(number=number)}: {title}"])
        ws["A1"].font = TITLE_FONT
        ws.append([tx[k] for k in sheet_keys])
        sheets[number] = ws
    for inst, goal, position, lg in _goal_rows(data):
        method, when, dates = _measurement_cells(lg, "\n")
        interventions = "\n".join(lg.get("interventions", []))
        follow_ups = "\n".join(follow_up_line(f) for f in lg.get("follow_ups", []))
        row = [inst["area"], inst["name"], tx.status(inst["status"]), lg.get("text", ""), interventions]
        row += [method, when, dates, follow_ups]
        if with_previous:
            # Last period's local goals beside this period's: once, on the goal's first row.
            previous = goal.get("previous_local_goals", []) if position <= 1 else []
            row.append("\n".join("\n".join(previous_lines(p)) for p in previous))
        _append(sheets[goal["number"]], row)
    for ws in sheets.values():
        _finish_sheet(ws, sheet_keys, header_row=2)


def _append(ws: Any, values: list[Any]) -> None:
    """Append a row; strings are always text cells (never formulas) with Excel-safe characters."""
    row = [_xlsx_text(v) if isinstance(v, str) else v for v in values]
    ws.append(row)
    number = ws._current_row  # not ws.max_row, which looks at every cell of the sheet
    for column, value in enumerate(row, start=1):
        if isinstance(value, str):
            ws.cell(number, column).data_type = "s"  # openpyxl makes "=..." a formula; user text must stay text


def _xlsx_text(text: str) -> str:
    text = ILLEGAL_CHARACTERS_RE.sub("", text)  # control characters make openpyxl refuse the cell
    return text if len(text) <= XLSX_MAX_CELL else text[: XLSX_MAX_CELL - 1] + "…"


def _bold_row(ws: Any, row: int) -> None:
    for cell in ws[row]:
        cell.font = BOLD


def _finish_sheet(ws: Any, keys: list[str], *, header_row: int) -> None:
    """Bold frozen header, a filter over the table, wrapped long text, sensible widths, print setup."""
    for cell in ws[header_row]:
        cell.font = BOLD
    ws.freeze_panes = f"A{header_row + 1}"
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(keys))}{max(ws.max_row, header_row)}"
    for index, key in enumerate(keys, start=1):
        column = ws[get_column_letter(index)][header_row - 1 :]
        longest = max((len(line) for c in column for line in _lines(c.value)), default=0)
        wrapped = key in XLSX_WRAPPED
        ws.column_dimensions[get_column_letter(index)].width = min(max(longest + 2, 8), 60 if wrapped else 40)
        if wrapped or key == "measurement_dates":
            for cell in column[1:]:
                cell.alignment = WRAP
    _print_setup(ws, f"1:{header_row}")


def _print_setup(ws: Any, title_rows: str | None) -> None:
    """Landscape A4, as wide as the page and as many pages long as it takes, header rows on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if title_rows:
        ws.print_title_rows = title_rows


def _lines(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, datetime):
        return ["yyyy-mm-dd hh:mm"]
    return str(value).splitlines() or [""]
