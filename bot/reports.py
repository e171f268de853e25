"""The committee document as a print-ready HTML page (the same content as the DOCX), in the reader's
language, and the download bytes of every export format for the web and the CLI. The documents
themselves are built in `reports/`; this module is the web edge's template for them."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from dialogs.texts import Texts
from reports.committee import ANSWERS, committee_report, percent
from reports.document import prepare, render_bytes
from reports.rows import extract_day, milestone_when, milestones, previous_lines
from reports.texts import ReportTexts, report_texts
from reports.writers import in_language

__all__ = ["HTML", "bar", "prepare", "render_file", "render_html"]

TEMPLATES = Path(__file__).parent / "templates"
HTML = "html"
# The HTML templates of bot/templates, one environment per process for every page that renders them (the
# report, the status and meeting pages): each template is compiled once, not again for every app.
TEMPLATES_ENV = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), undefined=StrictUndefined
)


def render_file(data: dict[str, Any], fmt: str, t: Texts, *, include_drafts: bool = False) -> bytes:
    """The export as the bytes of a file in `fmt` (json, csv, xlsx, md, docx or html)."""
    if fmt == HTML:
        return render_html(data, t, include_drafts=include_drafts).encode("utf-8")
    return render_bytes(data, fmt, report_texts(t), include_drafts=include_drafts)


def render_html(
    data: dict[str, Any], t: Texts, *, include_drafts: bool = False, board: bool = False, docx_link: str | None = None
) -> str:
    """The committee document as one print-ready HTML page (print CSS: A4, page breaks, no links)."""
    tx = report_texts(t)
    data = in_language(data, t.locale)  # the strategy's English titles in English
    report = committee_report(data, include_drafts=include_drafts or board)
    strategy = data["strategy"]
    period = strategy.get("period") or {}
    totals = report.totals
    area_names = [a.area for a in report.areas]
    return TEMPLATES_ENV.get_template("report.html").render(
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
        coverage_bars=[bar(tx.goal(n), report.goal_coverage(n), totals.total, tx) for n, _ in report.goals],
        follow_ups=[(tx[f"follow_up.{k}"], report.follow_ups[k]) for k in (*ANSWERS, "waiting")],
        milestones=[(milestone_when(str(m["date"]), m.get("end"), tx), m["text"]) for m in milestones(strategy)],
        previous_lines=partial(previous_lines, tx=tx),
    )


def bar(label: str, part: int, whole: int, tx: ReportTexts) -> dict[str, Any]:
    """One bar of an inline SVG chart: its label, its share in per cent and the figures in words."""
    share = percent(part, whole)
    return {"label": label, "percent": share, "text": tx["of"].format(part=part, whole=whole, percent=share)}
