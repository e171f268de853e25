"""The committee's document, "Bestyrelsernes lokale mål", as DOCX (python-docx).

1. A title page: the municipality, the strategy's title, its period and the date of the extract.
2. A one-page summary: boards submitted / approved / missing per area, the coverage of each strategic
   goal per area (one row per area, a column per goal), the same as bar charts (tables of bars), and
   the follow-up answers counted.
3. Per strategic goal → area → institution: the local goals with interventions, measurement and
   follow-ups (and last period's, when the strategy names one). Only submitted and approved
   registrations, unless `include_drafts`.
   Under each goal's heading its målepunkter, when the strategy has them.
4. The agreements from the meetings (the institutions', then the area and cross-area meetings'; when
   there are any): what, who owns it, by when, and whether it was kept, open ones first.
5. The boards that are missing, and the time plan as an appendix, its table kept on one page.

Every page but the first has the strategy and the date in the header and "Side n af m" in the
footer; headings are Word's heading styles (navigation pane, table of contents); every date is
written the same way («29. november 2026»). `write_docx(data, out)` takes the dict from
`storage.export.build_export` (with `municipality` and, from `reports.document.add_time_plan`,
`strategy.milestones` when present); `texts` is the language (default Danish). `board=True` is one board's own print:
no summary, no list of the missing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from docx import Document

from reports.committee import ANSWERS, Report, committee_report, percent
from reports.docx_parts import Body, bold, clean, header_and_footer, italic, set_language, size_headings
from reports.rows import (
    agreement_rows,
    answer_label,
    extract_day,
    measuring_points,
    milestone_when,
    milestones,
    previous_lines,
)
from reports.texts import ReportTexts, report_texts_for


def write_docx(
    data: dict[str, Any],
    out: Path,
    *,
    texts: ReportTexts | None = None,
    include_drafts: bool = False,
    board: bool = False,
) -> None:
    tx = texts or report_texts_for()
    report = committee_report(data, include_drafts=include_drafts or board)
    doc: Any = Document()
    body = Body(doc)
    lang = "da-DK" if tx.locale == "da" else "en-GB"
    set_language(doc, lang)
    size_headings(doc)
    strategy = data["strategy"]
    doc.core_properties.title = clean(f"{tx['doc_title']}: {strategy['title']}")
    doc.core_properties.language = lang
    day = tx.day(extract_day(data))
    header_and_footer(doc, f"{strategy['title']} · {day}", tx["page"], tx["page_of"])
    _title_page(body, data, tx, day, board)
    if not board:
        _summary(body, report, tx)
    _goals(body, report, tx, measuring_points(data))
    if not board:
        _agreements(body, data, tx)
        _missing(body, report, tx)
    _appendix(body, strategy, tx)
    body.finish()
    doc.save(str(out))


def _title_page(body: Body, data: dict[str, Any], tx: ReportTexts, day: str, board: bool) -> None:
    strategy = data["strategy"]
    body.paragraph(tx["board_print"] if board else tx["doc_title"], style="Title")
    if data.get("municipality"):
        body.paragraph(clean(str(data["municipality"])), style="Subtitle")
    body.paragraph(clean(strategy["title"]), style="Subtitle")
    if board and data["institutions"]:
        inst = data["institutions"][0]
        body.paragraph(clean(f"{inst['name']} · {inst['area']}"), style="Subtitle")
    period = strategy.get("period") or {}
    facts = []
    if period.get("start") or period.get("end"):
        facts.append((tx["period"], f"{tx.day(period.get('start'))} – {tx.day(period.get('end'))}"))
    if strategy.get("deadline"):
        facts.append((tx["deadline"], tx.day(strategy["deadline"])))
    facts.append((tx["extract_date"], day))
    for label, value in facts:
        body.paragraph(bold(f"{label}: "), value)
    body.page_break()


def _summary(body: Body, report: Report, tx: ReportTexts) -> None:
    totals = report.totals
    body.heading(tx["summary"], level=1)
    body.paragraph(
        tx["summary_text"].format(
            done=totals.done, total=totals.total, approved=totals.approved, missing=totals.missing
        )
    )
    _italic(body, tx["with_drafts" if report.include_drafts else "only_reported"])
    body.heading(tx["boards_by_area"], level=2)
    rows = [[a.area, a.total, a.submitted, a.approved, a.missing] for a in report.areas]
    rows.append([tx["total"], totals.total, totals.submitted, totals.approved, totals.missing])
    body.table([tx["area"], tx["boards"], tx["status.submitted"].capitalize(), tx["status.approved"].capitalize(),
                tx["missing"]], [[str(v) for v in r] for r in rows])  # fmt: skip
    body.heading(tx["progress_chart"], level=2)
    body.bar_table(
        [tx["area"], tx["done"], tx["share"]],
        [(a.area, a.done, a.total, _of(tx, a.done, a.total)) for a in report.areas],
    )
    body.heading(tx["coverage"], level=2)
    body.paragraph(tx["coverage_hint"])
    _coverage(body, report, tx)
    body.heading(tx["coverage_chart"], level=2)
    body.bar_table(
        [tx["strategic_goals"], tx["boards"], tx["share"]],
        [
            (tx.goal(n), report.goal_coverage(n), totals.total,
             _of(tx, report.goal_coverage(n), totals.total))
            for n, _ in report.goals
        ],
    )  # fmt: skip
    body.heading(tx["follow_up_counts"], level=2)
    keys = [*ANSWERS, "waiting"]
    body.table([tx["follow_ups"], tx["count"]], [[tx[f"follow_up.{k}"], str(report.follow_ups[k])] for k in keys])
    body.page_break()


def _coverage(body: Body, report: Report, tx: ReportTexts) -> None:
    """One row per area (a municipality has a hundred, a strategy a handful of goals): the boards, how
    many sent in and were approved, and per strategic goal the boards with local goals under it."""
    numbers = [n for n, _ in report.goals]
    header = [tx["area"], tx["boards"], tx["status.submitted"].capitalize(), tx["status.approved"].capitalize()]
    rows = [
        [a.area, a.total, a.submitted, a.approved, *[report.coverage.get(n, {}).get(a.area, 0) for n in numbers]]
        for a in report.areas
    ]
    totals = report.totals
    rows.append([tx["total"], totals.total, totals.submitted, totals.approved, *map(report.goal_coverage, numbers)])
    body.table([*header, *map(tx.goal, numbers)], [[str(v) for v in row] for row in rows])


def _of(tx: ReportTexts, part: int, whole: int) -> str:
    return tx["of"].format(part=part, whole=whole, percent=percent(part, whole))


def _goals(body: Body, report: Report, tx: ReportTexts, points: dict[int, list[str]]) -> None:
    for number, title in report.goals:
        body.heading(clean(f"{tx.goal(number)}: {title}"), level=1)
        if points.get(number):
            body.paragraph(bold(f"{tx['measuring_points']}:"))
            for point in points[number]:
                body.paragraph(clean(point), style="List Bullet")
        if not report.included:
            _italic(body, tx["no_institutions"])
        for area, institutions in report.by_area():
            body.heading(clean(area), level=2)
            for inst in institutions:
                _institution(body, inst, number, tx)
        body.page_break()


def _institution(body: Body, inst: dict[str, Any], goal_number: int, tx: ReportTexts) -> None:
    body.heading(clean(inst["name"]), level=3)
    line = f"{inst['kind'].capitalize()} · {tx['status']}: {tx.status_of(inst)}"
    if inst.get("submitted_by"):
        line += f" · {tx['submitted_by']}: {inst['submitted_by']}"
    body.paragraph(line)
    goal = next((g for g in inst["goals"] if g["number"] == goal_number), None)
    local_goals = goal["local_goals"] if goal else []
    if not local_goals:
        _italic(body, tx["no_local_goals"])
    for position, lg in enumerate(local_goals, start=1):
        body.paragraph(bold(f"{tx['local_goal']} {position}: "), lg["text"])
        if lg.get("interventions"):
            body.paragraph(bold(f"{tx['interventions']}:"))
            for item in lg["interventions"]:
                body.paragraph(item, style="List Bullet")
        m = lg.get("measurement")
        if m:
            text = " – ".join(p for p in (clean(m.get("method", "")), clean(m.get("when", ""))) if p)
            if m.get("dates"):
                text += f" ({', '.join(tx.day(d) for d in m['dates'])})"
            body.paragraph(bold(f"{tx['measurement']}: "), text)
        for text in _follow_ups(lg, tx):
            body.paragraph(bold(f"{tx['follow_ups']}: "), text)
    _previous(body, goal, tx)


def _follow_ups(lg: dict[str, Any], tx: ReportTexts) -> Iterator[str]:
    """The local goal's follow-ups as "1. marts 2027 – på sporet – what it showed (who)"."""
    for item in lg.get("follow_ups") or []:
        answer = item.get("answer")
        said = clean(str(item.get("text") or ""))
        parts = [tx.day(item.get("date")), answer_label(answer, tx)]
        text = " – ".join(p for p in (*parts, said) if p)
        if item.get("answered_by"):
            text += f" ({clean(str(item['answered_by']))})"
        yield text


def _previous(body: Body, goal: dict[str, Any] | None, tx: ReportTexts) -> None:
    """Last period's local goals of the institution under this goal, when the export has them."""
    if goal is None or "previous_local_goals" not in goal:
        return
    body.paragraph(bold(f"{tx['previous_local_goals']}:"))
    if not goal["previous_local_goals"]:
        _italic(body, tx["no_local_goals"])
    for item in goal["previous_local_goals"]:
        body.paragraph(" · ".join(previous_lines(item, tx)), style="List Bullet")


def _agreements(body: Body, data: dict[str, Any], tx: ReportTexts) -> None:
    """The institutions' agreements from their meetings, as one table (nothing when there are none)."""
    found = list(agreement_rows(data, tx["whole_municipality"]))
    if not found:
        return
    body.heading(tx["agreements_title"], level=1)
    rows = [
        [inst["name"], clean(a["text"]), clean(a.get("owner") or ""), tx.day(a.get("due_on")),
         tx.agreement(a["status"]) + (f" – {clean(a['follow_up'])}" if a.get("follow_up") else "")]
        for inst, a in found
    ]  # fmt: skip
    body.table([tx["institution"], tx["agreement"], tx["owner"], tx["due_on"], tx["kept"]], rows, numeric_from=5)
    body.page_break()


def _missing(body: Body, report: Report, tx: ReportTexts) -> None:
    body.heading(tx["missing_title"], level=1)
    if not report.missing:
        body.paragraph(tx["nobody_missing"])
        return
    rows = [[i["area"], i["name"], tx.status(i["status"])] for i in report.missing]
    body.table([tx["area"], tx["institution"], tx["status"]], rows, numeric_from=3)
    body.page_break()


def _appendix(body: Body, strategy: dict[str, Any], tx: ReportTexts) -> None:
    body.heading(tx["appendix"], level=1)
    plan = milestones(strategy)
    if not plan:
        _italic(body, tx["no_time_plan"])
        return
    rows = [[milestone_when(str(m["date"]), m.get("end"), tx), clean(str(m["text"]))] for m in plan]
    body.table([tx["when"], tx["what"]], rows, numeric_from=2)


def _italic(body: Body, text: str) -> None:
    body.paragraph(italic(text))
