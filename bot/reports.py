"""The committee document for people: the export prepared with the municipality's name and the time
plan, written as a file (DOCX, XLSX, ...) or as a print-ready HTML page with the same content, in
the reader's language. Used by `maalbot export` and by the status page's download links."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from dialogs.report_texts import report_texts
from dialogs.texts import Texts
from storage.committee import ANSWERS, ReportTexts, committee_report, percent
from storage.db import Database
from storage.export_docx import _when, add_time_plan, extract_day
from storage.export_writers import previous_lines, write_export

TEMPLATES = Path(__file__).parent / "templates"
HTML = "html"
_env = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), undefined=StrictUndefined
)


async def prepare(db: Database, data: dict[str, Any], municipality: str, fmt: str) -> dict[str, Any]:
    """The export with the municipality's name, and the time plan where the document shows it."""
    data = {**data, "municipality": municipality or None}
    if fmt in ("docx", HTML):
        data = await add_time_plan(db, data)
    return data


def render_file(data: dict[str, Any], fmt: str, t: Texts, *, include_drafts: bool = False) -> bytes:
    """The export as the bytes of a file in `fmt` (json, csv, xlsx, md, docx or html)."""
    tx = report_texts(t)
    if fmt == HTML:
        return render_html(data, t, include_drafts=include_drafts).encode("utf-8")
    with tempfile.TemporaryDirectory(prefix="maalbot-export-") as tmp:
        out = Path(tmp) / f"export.{fmt}"
        write_export(data, fmt, out, texts=tx, include_drafts=include_drafts)
        return out.read_bytes()


def render_html(
    data: dict[str, Any], t: Texts, *, include_drafts: bool = False, board: bool = False, docx_link: str | None = None
) -> str:
    """The committee document as one print-ready HTML page (print CSS: A4, page breaks, no links)."""
    tx = report_texts(t)
    report = committee_report(data, include_drafts=include_drafts or board)
    strategy = data["strategy"]
    period = strategy.get("period") or {}
    totals = report.totals
    area_names = [a.area for a in report.areas]
    return _env.get_template("report.html").render(
        lang=t.locale,
        tx=tx,
        board=board,
        docx_link=docx_link,
        title=f"{tx['board_print' if board else 'doc_title']}: {strategy['title']}",
        municipality=data.get("municipality"),
        strategy=strategy,
        period=f"{tx.day(period.get('start'))} – {tx.day(period.get('end'))}" if period else "",
        deadline=tx.day(strategy["deadline"]) if strategy.get("deadline") else None,
        extracted=tx.day(extract_day(data)),
        summary=tx["summary_text"].format(
            done=totals.done, total=totals.total, approved=totals.approved, missing=totals.missing
        ),
        report=report,
        area_names=area_names,
        progress_bars=[bar(a.area, a.done, a.total, tx) for a in report.areas],
        coverage_bars=[
            bar(tx["goal_sheet"].format(number=n), report.goal_coverage(n), totals.total, tx) for n, _ in report.goals
        ],
        follow_ups=[(tx[f"follow_up.{k}"], report.follow_ups[k]) for k in (*ANSWERS, "waiting")],
        milestones=[
            (_when(str(m["date"]), m.get("end"), tx), m["text"])
            for m in sorted(strategy.get("milestones") or [], key=lambda m: str(m["date"]))
        ],
        previous_lines=previous_lines,
    )


def bar(label: str, part: int, whole: int, tx: ReportTexts) -> dict[str, Any]:
    """One bar of an inline SVG chart: its label, its share in per cent and the figures in words."""
    share = percent(part, whole)
    return {"label": label, "percent": share, "text": tx["of"].format(part=part, whole=whole, percent=share)}
