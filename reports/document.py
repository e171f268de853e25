"""The export made ready for people and written as the bytes of a file: the municipality's name and
the strategy's time plan added, then JSON, CSV, XLSX, Markdown or DOCX in the reader's language.
Used by `maalbot export` and the status page's download links (the printable HTML page is the web
edge's: `bot.reports.render_html`)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from reports.texts import ReportTexts, report_texts_for
from reports.writers import write_export
from storage.db import Database
from storage.export import strategy_milestones

WITH_TIME_PLAN = ("docx", "html")  # the formats that show the time plan as an appendix


async def add_time_plan(db: Database, data: dict[str, Any]) -> dict[str, Any]:
    """`data` with `strategy.milestones` from the strategy's definition (a list of
    {"date", "end", "text"}, ISO dates), for the appendix of the DOCX and the printable page."""
    plan = await strategy_milestones(db, data["strategy"]["key"])
    return {**data, "strategy": {**data["strategy"], "milestones": plan}}


async def prepare(db: Database, data: dict[str, Any], municipality: str, fmt: str) -> dict[str, Any]:
    """The export with the municipality's name, and the time plan where the document shows it."""
    data = {**data, "municipality": municipality or None}
    if fmt in WITH_TIME_PLAN:
        data = await add_time_plan(db, data)
    return data


def render_bytes(
    data: dict[str, Any], fmt: str, texts: ReportTexts | None = None, *, include_drafts: bool = False
) -> bytes:
    """The export as the bytes of a file in `fmt` (json, csv, xlsx, md or docx)."""
    with tempfile.TemporaryDirectory(prefix="maalbot-export-") as tmp:
        out = Path(tmp) / f"export.{fmt}"
        write_export(data, fmt, out, texts=texts or report_texts_for(), include_drafts=include_drafts)
        return out.read_bytes()
