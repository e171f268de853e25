"""Planning meetings from a CSV file (`maalbot meeting plan FILE.csv`) or the chat («planlæg møde», see
`plan_chat`), and who prepares each meeting.

One line per meeting::

    institution,date,template,participants[,time][,area]
    Solsikken,2027-03-15,dialogmoede,lone.baek@demo.maalbot.dk; anne@kommune.dk

`institution` names the institution (dialogue meeting) or the area (area meeting; the `area` column may
be used instead); a cross-area meeting names neither. `participants` are emails, separated by «;», «,» or
spaces. Every problem is reported with its line, in the reader's language, and a file with a problem
plans nothing (fix it and load it again: loading the same file twice changes nothing)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.meetings.templates import Answerer, MeetingTemplate, Scope, builtin_templates
from dialogs.texts import Texts
from storage import meetings, people
from storage.db import Database
from storage.meeting_models import ParticipantRole
from storage.models import Area, Institution, Role

REQUIRED = ("institution", "date", "template", "participants")
OPTIONAL = ("time", "area")
_DATE_FORMATS = (
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$"),
    re.compile(r"^(?P<d>\d{1,2})[./-](?P<m>\d{1,2})[./-](?P<y>\d{4})$"),
)
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


@dataclass
class PlanReport:
    created: int = 0
    updated: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PlanRow:
    line: int | None
    template: MeetingTemplate
    held_on: date
    start_time: str | None
    institution: Institution | None
    area: Area | None
    attendees: tuple[int, ...]


def parse_date(text: str) -> date | None:
    for pattern in _DATE_FORMATS:
        if match := pattern.match(text.strip()):
            try:
                return date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                return None
    return None


async def plan_from_csv(
    db: Database,
    text: str,
    t: Texts,
    *,
    created_by_id: int | None = None,
    templates: dict[str, MeetingTemplate] | None = None,
) -> PlanReport:
    """Plan every meeting in the CSV text in one transaction, or none when a line has a problem."""
    templates = templates if templates is not None else builtin_templates()
    report = PlanReport()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().casefold() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        report.problems.append(
            t("line 1: the file needs the columns {columns}; it is missing {missing}.",
              columns=", ".join(REQUIRED), missing=", ".join(missing))
        )  # fmt: skip
        return report
    async with db.transaction() as s:
        rows: list[PlanRow] = []
        for number, raw in enumerate(reader, start=2):
            cells = {(k or "").strip().casefold(): (v or "").strip() for k, v in raw.items() if isinstance(v, str)}
            if not any(cells.values()):
                continue
            row = await validate_row(s, number, cells, templates, t, report.problems)
            if row is not None:
                rows.append(row)
        if report.problems:
            await s.rollback()
            return report
        if not rows:
            report.problems.append(t("The file has no meetings in it."))
            return report
        for row in rows:
            if await plan_row(s, row, created_by_id=created_by_id):
                report.created += 1
            else:
                report.updated += 1
    return report


async def plan_row(s: AsyncSession, row: PlanRow, *, created_by_id: int | None) -> bool:
    """Plan one validated meeting (the CSV file's and the chat's way alike); True when it is new."""
    participants = [(p, ParticipantRole.PREPARER) for p in await preparers(s, row.template, row.institution, row.area)]
    participants += [(p, ParticipantRole.ATTENDEE) for p in row.attendees]
    _meeting, created = await meetings.plan_meeting(
        s, template_key=row.template.key, kind=row.template.kind.value, held_on=row.held_on,
        start_time=row.start_time, institution_id=row.institution.id if row.institution else None,
        area_id=row.area.id if row.area else None, participants=participants, created_by_id=created_by_id,
    )  # fmt: skip
    return created


async def validate_row(
    s: AsyncSession,
    line: int | None,
    cells: dict[str, str],
    templates: dict[str, MeetingTemplate],
    t: Texts,
    problems: list[str],
) -> PlanRow | None:
    before = len(problems)

    def problem(text: str) -> None:
        problems.append(t("line {line}: {problem}", line=line, problem=text) if line is not None else text)

    template = templates.get(cells.get("template", "").casefold())
    if template is None:
        problem(
            t(
                "unknown template «{name}» (known: {known}).",
                name=cells.get("template", ""),
                known=", ".join(sorted(templates)),
            )
        )
    held_on = parse_date(cells.get("date", ""))
    if held_on is None:
        problem(t("«{text}» is not a date; write it as 2027-03-15 or 15-03-2027.", text=cells.get("date", "")))
    start_time = None
    if cells.get("time"):
        match = _TIME.match(cells["time"])
        if match is None:
            problem(t("«{text}» is not a time; write it as 09:00.", text=cells["time"]))
        else:
            start_time = f"{int(match[1]):02d}:{match[2]}"
    attendees: list[int] = []
    for email in [e for e in re.split(r"[;,\s]+", cells.get("participants", "")) if e]:
        person = await people.person_by_email(s, email)
        if person is None:
            problem(
                t("nobody with the email «{email}» is known; import them with «maalbot org import» first.", email=email)
            )
        else:
            attendees.append(person.id)
    institution = area = None
    place = cells.get("area") or cells.get("institution", "")
    if template is not None:
        if template.scope is Scope.INSTITUTION:
            institution = await meetings.institution_named(s, cells.get("institution", ""))
            if institution is None:
                problem(
                    t(
                        "«{template}» is about one institution, and I do not know «{name}».",
                        template=template.title.get(t.locale),
                        name=cells.get("institution", ""),
                    )
                )
        elif template.scope is Scope.AREA:
            area = await meetings.area_named(s, place)
            if area is None:
                problem(
                    t(
                        "«{template}» is about one area, and I do not know «{name}».",
                        template=template.title.get(t.locale),
                        name=place,
                    )
                )
        elif place:
            problem(
                t(
                    "«{template}» is for the whole municipality, so leave the institution and the area empty.",
                    template=template.title.get(t.locale),
                )
            )
    if len(problems) > before or template is None or held_on is None:
        return None
    return PlanRow(line, template, held_on, start_time, institution, area, tuple(attendees))


async def preparers(
    s: AsyncSession, template: MeetingTemplate, institution: Institution | None, area: Area | None
) -> list[int]:
    """Who answers the template's questions for this meeting (see `Answerer`)."""
    institution_ids = [institution.id] if institution else []
    if area is not None and not institution_ids:
        institution_ids = [i.id for i in await meetings.institutions_in_area(s, area.id)]
    area_ids = [area.id] if area else []
    match template.answered_by:
        case Answerer.LEADERSHIP:
            return await meetings.people_with_role(s, Role.LEADER, institution_ids=institution_ids)
        case Answerer.BOARD:
            chairs = await meetings.people_with_role(s, Role.CHAIR, institution_ids=institution_ids)
            members = await meetings.people_with_role(s, Role.MEMBER, institution_ids=institution_ids)
            return sorted({*chairs, *members})
        case Answerer.AREA_LEADERS:
            if area_ids:
                return await meetings.people_with_role(s, Role.AREA_LEADER, area_ids=area_ids)
            all_areas = await meetings.all_area_ids(s)
            return await meetings.people_with_role(s, Role.AREA_LEADER, area_ids=all_areas)
        case Answerer.ADMINISTRATION:
            return await meetings.people_with_role(s, Role.ADMIN)
    return []
