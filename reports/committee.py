"""What the committee (udvalget) reads: the export dict summed up, as plain values for the DOCX, the
XLSX overview, the printable HTML page and the status page alike.

`committee_report(data, include_drafts=False)` takes the dict from `storage.export.build_export` and
returns a `Report`: per area how many boards have submitted, been approved or are missing; per
strategic goal and area how many boards have local goals under the goal (the coverage); the latest
follow-up answers counted (on track, partly, off track) and the follow-ups still waiting; the
institutions the document shows (submitted and approved, or every started one with
`include_drafts`), and the boards that are missing. No I/O: everything comes from `data`, which
`build_export` reads with set-based queries.

The words a reader sees are `reports.texts.ReportTexts`; this module has none."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

REPORTED = ("submitted", "approved")
ANSWERS = ("on_track", "partly", "off_track")


@dataclass(frozen=True, slots=True)
class AreaCount:
    area: str
    total: int
    submitted: int  # submitted, not (yet) approved
    approved: int
    in_progress: int  # draft or returned
    not_started: int

    @property
    def done(self) -> int:
        return self.submitted + self.approved

    @property
    def missing(self) -> int:
        return self.total - self.done


@dataclass(frozen=True, slots=True)
class Report:
    goals: list[tuple[int, str]]  # (number, title)
    areas: list[AreaCount]  # by area, in the export's order
    coverage: dict[int, dict[str, int]]  # goal number -> area -> reported boards with local goals under it
    follow_ups: dict[str, int]  # on_track | partly | off_track | waiting -> count
    included: list[dict[str, Any]]  # the institutions the document shows, in the export's order
    missing: list[dict[str, Any]]  # the institutions that have not submitted
    include_drafts: bool = False
    totals: AreaCount = field(default_factory=lambda: AreaCount("", 0, 0, 0, 0, 0))

    def goal_coverage(self, number: int) -> int:
        """Boards (of those that submitted) with local goals under the goal, over every area."""
        return sum(self.coverage.get(number, {}).values())

    def by_area(self) -> Iterator[tuple[str, list[dict[str, Any]]]]:
        """The included institutions grouped by area."""
        groups: dict[str, list[dict[str, Any]]] = {}
        for inst in self.included:
            groups.setdefault(inst["area"], []).append(inst)
        yield from groups.items()


def goal_heads(data: Mapping[str, Any]) -> list[tuple[int, str]]:
    heads: dict[int, str] = {}
    for inst in data["institutions"]:
        for goal in inst["goals"]:
            heads.setdefault(goal["number"], goal["title"])
    return sorted(heads.items())


def committee_report(data: Mapping[str, Any], *, include_drafts: bool = False) -> Report:
    institutions: list[dict[str, Any]] = data["institutions"]
    goals = goal_heads(data)
    counts: dict[str, dict[str, int]] = {}
    coverage: dict[int, dict[str, int]] = {number: {} for number, _ in goals}
    follow_ups = dict.fromkeys((*ANSWERS, "waiting"), 0)
    for inst in institutions:
        area = counts.setdefault(inst["area"], dict.fromkeys(("submitted", "approved", "progress", "none"), 0))
        status = inst["status"]
        area[status if status in REPORTED else "none" if status == "not_started" else "progress"] += 1
        if status in REPORTED:
            for goal in inst["goals"]:
                if goal["local_goals"]:
                    per_area = coverage.setdefault(goal["number"], {})
                    per_area[inst["area"]] = per_area.get(inst["area"], 0) + 1
        if status in REPORTED or include_drafts:
            _count_follow_ups(inst, follow_ups)
    areas = [
        AreaCount(name, sum(c.values()), c["submitted"], c["approved"], c["progress"], c["none"])
        for name, c in counts.items()
    ]
    totals = AreaCount(
        "",
        sum(a.total for a in areas),
        sum(a.submitted for a in areas),
        sum(a.approved for a in areas),
        sum(a.in_progress for a in areas),
        sum(a.not_started for a in areas),
    )
    included = [i for i in institutions if i["status"] in REPORTED or (include_drafts and i["status"] != "not_started")]
    missing = [i for i in institutions if i["status"] not in REPORTED]
    return Report(goals, areas, coverage, follow_ups, included, missing, include_drafts, totals)


def _count_follow_ups(inst: Mapping[str, Any], out: dict[str, int]) -> None:
    """The latest answered follow-up of each local goal counts once; asked and unanswered ones wait."""
    for goal in inst["goals"]:
        for lg in goal["local_goals"]:
            items = lg.get("follow_ups") or []
            answered = [f for f in items if f.get("answer") in ANSWERS]
            if answered:
                out[max(answered, key=lambda f: str(f["date"]))["answer"]] += 1
            out["waiting"] += sum(1 for f in items if f.get("answer") is None and f.get("asked_at"))


def percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0
