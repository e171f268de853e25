"""Everything one strategy's registrations hold, as one plain, JSON-ready dict.

`build_export(db, strategy_key=None)` reads the strategy (by key, or the most recently loaded one),
every institution and every registration for that strategy, and returns the dict below.
`reports.writers.write_export` turns it into JSON, CSV, XLSX, Markdown or DOCX (presentation lives in
`reports/`; this module only reads).

Shape (dates are ISO `YYYY-MM-DD`, times ISO 8601 in UTC)::

    {
      "strategy": {
        "key": "almen",
        "title": "Styrkelse af almenområdet",
        "period": {"start": "2023-12-01", "end": "2027-12-31"},   # either may be null
        "deadline": "2023-11-30",                                 # or null
        "title_en": "Strengthening mainstream ...",               # only when the strategy file has English titles
        "goal_titles_en": {"1": "Every child ..."},               # likewise, by goal number
        "measuring_points": [                  # only when a goal of the strategy has målepunkter
          {"number": 1, "points": ["Vi anvender min. 10 metoder på tværs ..."]}
        ]
      },
      "generated_at": "2024-01-15T08:30:00+00:00",
      "institutions": [                        # every institution, by area then name (casefolded)
        {
          "name": "Solsikken",
          "area": "Område Nord",
          "kind": "dagtilbud",                 # or "skole"
          "status": "submitted",               # draft | submitted | approved | returned | not_started
          "changed_after_submit": false,       # changed by the board after it was sent in (until sent again)
          "submitted_by": "Anna Jensen",       # or null
          "submitted_at": "2024-01-10T12:00:00+00:00",   # or null
          "agreements": [                      # from the institution's meetings, by due date; empty when none
            {"text": "Sprogindsatsen evalueres", "owner": "Lone Bæk", "due_on": "2027-06-01",
             "status": "open", "follow_up": null, "meeting_date": "2026-11-20"}  # open | kept | partly | not_kept
          ],
          "goals": [                           # every strategic goal of the strategy, by number
            {
              "number": 1,
              "title": "Alle børn og unge ...",
              "local_goals": [                 # by position; empty when the board set none
                {
                  "text": "Alle elever har en god ven i klassen",
                  "interventions": ["Venskabsklasser", "Legepatruljer"],
                  "measurement": {             # or null when not answered
                    "method": "Trivselsmåling",
                    "when": "i marts og oktober",
                    "dates": ["2024-03-01", "2024-10-01"]
                  },
                  "answers": {"responsible": "Ledelsen"},  # the other questions, by question key
                  "updated_by": "Anna Jensen",            # or null
                  "follow_ups": [                          # by measurement date; empty when none
                    {
                      "date": "2024-03-01",                # the measurement date asked about
                      "asked_at": "2024-03-01T08:00:00+00:00",   # or null
                      "answer": "on_track",                # on_track | partly | off_track; null until answered
                      "text": "Trivslen steg",             # what the measurement showed; or null
                      "answered_by": "Anna Jensen",        # or null
                      "answered_at": "2024-03-04T10:12:00+00:00" # or null: asked, not answered yet
                    }
                  ]
                }
              ],
              "previous_local_goals": [            # only when the strategy names a `previous` one that
                {                                  # is loaded: last period's local goals of the same
                  "text": "Alle har en ven",       # institution under the same goal number
                  "interventions": ["Legepatruljer"],
                  "measurement": null              # as above
                }
              ]
            }
          ]
        }
      ]
    }

Interventions are all `list` answers of the local goal in (question key, position) order; the
measurement is the first `measurement` answer by question key. An institution without a
registration has status "not_started" and every goal with an empty "local_goals".
A follow-up's answer is only exported once it is complete (the board chose an answer and gave its
words, or skipped them); until then `answer`, `text`, `answered_by` and `answered_at` are null.
Follow-ups are read with one query for the whole strategy, last period's registrations with one
query per relation (no query per institution).
User text is exported as stored: escaping is the writers' job.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage import followups, meetings
from storage.db import Database
from storage.followups import FollowUpRecord
from storage.models import (
    Area,
    Institution,
    Intervention,
    LocalGoal,
    Measurement,
    Person,
    Registration,
    StrategicGoal,
    Strategy,
)
from storage.types import utcnow

log = logging.getLogger(__name__)

NOT_STARTED = "not_started"


class ExportError(ValueError):
    """The export cannot be built (no such strategy, or no strategy loaded at all)."""


async def build_export(
    db: Database,
    strategy_key: str | None = None,
    *,
    now: datetime | None = None,
    institution_ids: Collection[int] | None = None,
) -> dict[str, Any]:
    """The export dict for one strategy (None: the most recently loaded). See the module docstring.
    `institution_ids` limits it to those institutions (one board's print), in the same few queries."""
    async with db.read() as session:  # a long read: on SQLite it must not hold up the writers
        strategy = await _load_strategy(session, strategy_key)
        query = select(
            Institution.id, Institution.name, Institution.kind, Area.name.label("area"), Area.id.label("area_id")
        ).join(Area, Area.id == Institution.area_id)
        if institution_ids is not None:
            query = query.where(Institution.id.in_(list(institution_ids)))
        institutions = (await session.execute(query)).all()
        registrations = await _registrations(session, strategy.id, institution_ids)
        names = await _person_names(session, _person_ids(registrations))
        follow_ups = _follow_ups_by_local_goal(
            await followups.history(session, strategy_id=strategy.id, institution_ids=institution_ids)
        )
        previous = await _previous_period(session, strategy, institution_ids)
        found_agreements = await meetings.agreements(session, institution_ids=institution_ids)
        agreed = _agreements_by_institution(found_agreements)
        # built before the read ends: its rollback expires what it loaded
        goals = _goal_heads(strategy)
        question_order = _question_order(strategy)
        by_institution = {r.institution_id: r for r in registrations}
        ordered = sorted(institutions, key=lambda i: (i.area.casefold(), i.name.casefold(), i.id))
        head: dict[str, Any] = {
            "key": strategy.key,
            "title": strategy.title,
            "period": {"start": _iso_date(strategy.period_start), "end": _iso_date(strategy.period_end)},
            "deadline": _iso_date(strategy.deadline),
        }
        points = _measuring_points(strategy)
        if points:
            head["measuring_points"] = points
        head |= _english_titles(strategy)
        return {
            "strategy": head,
            "generated_at": (now or utcnow()).isoformat(timespec="seconds"),
            "institutions": [
                _institution(
                    inst,
                    by_institution.get(inst.id),
                    goals,
                    _Context(names, question_order, follow_ups),
                    None if previous is None else previous.get(inst.id, {}),
                )
                | {"agreements": agreed.get(inst.id, [])}
                for inst in ordered
            ],
            # agreements of area and cross-area meetings (the whole municipality's export only)
            "meeting_agreements": _meeting_agreements(found_agreements, {i.area_id: i.area for i in institutions}),
        }


def _agreements_by_institution(found: Iterable[meetings.AgreementView]) -> dict[int, list[dict[str, Any]]]:
    """The agreements of institutions' meetings (an area meeting's have no institution), by due date."""
    out: dict[int, list[dict[str, Any]]] = {}
    for a in found:
        if a.institution_id is None:
            continue
        out.setdefault(a.institution_id, []).append(
            {
                "text": a.text,
                "owner": a.owner_name,
                "due_on": _iso_date(a.due_on),
                "status": a.status,
                "follow_up": a.follow_up_text,
                "meeting_date": _iso_date(a.held_on),
            }
        )
    return out


def _meeting_agreements(found: Iterable[meetings.AgreementView], areas: dict[int, str]) -> list[dict[str, Any]]:
    """The agreements of meetings that belong to no institution: an area meeting's (with the area's name)
    and a cross-area meeting's (area None), by due date."""
    return [
        {
            "area": areas.get(a.area_id) if a.area_id is not None else None,
            "text": a.text,
            "owner": a.owner_name,
            "due_on": _iso_date(a.due_on),
            "status": a.status,
            "follow_up": a.follow_up_text,
            "meeting_date": _iso_date(a.held_on),
        }
        for a in found
        if a.institution_id is None
    ]


def _measuring_points(strategy: Strategy) -> list[dict[str, Any]]:
    """The målepunkter of the strategy's goals that have them, from its definition."""
    out = []
    for goal in strategy.definition.get("goals") or []:
        points = [str(p) for p in goal.get("measuring_points") or []]
        if points and isinstance(goal.get("number"), int):
            out.append({"number": goal["number"], "points": points})
    return out


@dataclass(frozen=True, slots=True)
class _Context:
    names: dict[int, str]
    question_order: dict[str, int]
    follow_ups: dict[int, list[dict[str, Any]]]  # local goal id -> its follow-ups, by date


@dataclass(slots=True)
class _LocalGoal:
    id: int
    registration_id: int
    goal_number: int
    position: int
    text: str
    answers: dict[str, Any]
    updated_by_id: int | None
    interventions: list[tuple[str, int, str]] = field(default_factory=list)  # (question key, position, text)
    measurements: list[tuple[str, str, str, list[Any]]] = field(default_factory=list)  # (key, method, when, dates)


@dataclass(slots=True)
class _Registration:
    id: int
    institution_id: int
    status: str
    submitted_by_id: int | None
    submitted_at: datetime | None
    changed_after_submit: bool = False
    local_goals: list[_LocalGoal] = field(default_factory=list)


async def _registrations(
    session: AsyncSession, strategy_id: int, institution_ids: Collection[int] | None = None
) -> list[_Registration]:
    """The strategy's registrations with their local goals, interventions and measurements: four
    queries of plain rows (no ORM objects, no IN-lists of ids) whatever the number of institutions."""
    where = [Registration.strategy_id == strategy_id]
    if institution_ids is not None:
        where.append(Registration.institution_id.in_(list(institution_ids)))
    regs = {
        row.id: _Registration(row.id, row.institution_id, row.status, row.submitted_by_id, row.submitted_at,
                              bool(row.changed_after_submit))
        for row in await session.execute(
            select(Registration.id, Registration.institution_id, Registration.status,
                   Registration.submitted_by_id, Registration.submitted_at,
                   Registration.changed_after_submit).where(*where)
        )
    }  # fmt: skip
    goals: dict[int, _LocalGoal] = {}
    for row in await session.execute(
        select(LocalGoal.id, LocalGoal.registration_id, LocalGoal.goal_number, LocalGoal.position, LocalGoal.text,
               LocalGoal.answers, LocalGoal.updated_by_id)
        .join(Registration, Registration.id == LocalGoal.registration_id).where(*where)
    ):  # fmt: skip
        lg = _LocalGoal(*row)
        goals[lg.id] = lg
        regs[lg.registration_id].local_goals.append(lg)
    for lg_id, key, position, text in await session.execute(
        select(Intervention.local_goal_id, Intervention.question_key, Intervention.position, Intervention.text)
        .join(LocalGoal, LocalGoal.id == Intervention.local_goal_id)
        .join(Registration, Registration.id == LocalGoal.registration_id).where(*where)
    ):  # fmt: skip
        goals[lg_id].interventions.append((key, position, text))
    for lg_id, key, method, when_text, dates in await session.execute(
        select(Measurement.local_goal_id, Measurement.question_key, Measurement.method, Measurement.when_text,
               Measurement.dates)
        .join(LocalGoal, LocalGoal.id == Measurement.local_goal_id)
        .join(Registration, Registration.id == LocalGoal.registration_id).where(*where)
    ):  # fmt: skip
        goals[lg_id].measurements.append((key, method, when_text, list(dates or [])))
    return list(regs.values())


def _follow_ups_by_local_goal(records: Iterable[FollowUpRecord]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {}
    for r in sorted(records, key=lambda r: (r.local_goal_id, r.measurement_date)):
        answered = r.answered_at is not None
        out.setdefault(r.local_goal_id, []).append(
            {
                "date": r.measurement_date.isoformat(),
                "asked_at": _iso_time(r.asked_at),
                "answer": r.answer if answered else None,
                "text": r.text if answered else None,
                "answered_by": r.answered_by if answered else None,
                "answered_at": _iso_time(r.answered_at),
            }
        )
    return out


async def _previous_period(
    session: AsyncSession, strategy: Strategy, institution_ids: Collection[int] | None = None
) -> dict[int, dict[int, list[dict[str, Any]]]] | None:
    """Last period's local goals, by institution id and goal number, when the strategy names a previous
    strategy that is loaded; None otherwise."""
    key = strategy.definition.get("previous")
    if not isinstance(key, str) or not key or key == strategy.key:
        return None
    earlier_id = await session.scalar(select(Strategy.id).where(Strategy.key == key))
    if earlier_id is None:
        return None
    out: dict[int, dict[int, list[dict[str, Any]]]] = {}
    for reg in await _registrations(session, earlier_id, institution_ids):
        goals = out.setdefault(reg.institution_id, {})
        for lg in sorted(reg.local_goals, key=lambda lg: (lg.goal_number, lg.position)):
            goals.setdefault(lg.goal_number, []).append(
                {"text": lg.text, "interventions": _interventions(lg), "measurement": _measurement(lg)}
            )
    return out


async def _load_strategy(session: AsyncSession, key: str | None) -> Strategy:
    query = select(Strategy).options(selectinload(Strategy.goals))
    if key is None:
        strategy = await session.scalar(query.order_by(Strategy.loaded_at.desc(), Strategy.id.desc()).limit(1))
        if strategy is None:
            raise ExportError("no strategy has been loaded yet, so there is nothing to export")
        return strategy
    strategy = await session.scalar(query.where(Strategy.key == key))
    if strategy is None:
        known = (await session.scalars(select(Strategy.key).order_by(Strategy.key))).all()
        listing = ", ".join(known) if known else "none loaded"
        raise ExportError(f"unknown strategy {key!r} (known strategies: {listing})")
    return strategy


def _person_ids(registrations: Iterable[_Registration]) -> set[int]:
    ids: set[int] = set()
    for reg in registrations:
        if reg.submitted_by_id is not None:
            ids.add(reg.submitted_by_id)
        ids.update(lg.updated_by_id for lg in reg.local_goals if lg.updated_by_id is not None)
    return ids


async def _person_names(session: AsyncSession, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await session.execute(select(Person.id, Person.name).where(Person.id.in_(ids)))
    return {pid: name for pid, name in rows}


def _goal_heads(strategy: Strategy) -> list[tuple[int, str]]:
    """(number, title) of every strategic goal: the StrategicGoal rows, else the definition's goals."""
    rows: list[StrategicGoal] = sorted(strategy.goals, key=lambda g: g.number)
    if rows:
        return [(g.number, g.title) for g in rows]
    defined = strategy.definition.get("goals") or []
    heads = [(int(g["number"]), str(g["title"])) for g in defined if isinstance(g, dict)]
    return sorted(heads)


def _english_titles(strategy: Strategy) -> dict[str, Any]:
    """The strategy file's English titles, where it has them: `title_en` and `goal_titles_en` {number: title}
    (an English export shows them; `reports.writers.in_language`)."""
    found: dict[str, Any] = {}
    if isinstance(title := strategy.definition.get("title_en"), str) and title:
        found["title_en"] = title
    goals = {
        str(g["number"]): g["title_en"]
        for g in strategy.definition.get("goals") or []
        if isinstance(g, dict) and isinstance(g.get("title_en"), str) and g["title_en"]
    }
    if goals:
        found["goal_titles_en"] = goals
    return found


def _question_order(strategy: Strategy) -> dict[str, int]:
    """Question key -> its place in the definition, to list `answers` in the order they are asked."""
    questions = strategy.definition.get("questions") or []
    keys = [q.get("key") for q in questions if isinstance(q, dict)]
    return {key: i for i, key in enumerate(keys) if isinstance(key, str)}


def _institution(
    inst: Any,  # a row: id, name, kind, area
    reg: _Registration | None,
    goals: list[tuple[int, str]],
    ctx: _Context,
    previous: dict[int, list[dict[str, Any]]] | None,
) -> dict[str, Any]:
    local_goals = reg.local_goals if reg is not None else []
    known = {number for number, _ in goals}
    orphans = sorted({lg.goal_number for lg in local_goals} - known)
    if orphans:
        # The strategy lost a goal after boards answered it; the rows stay in the database.
        log.warning("export: %s has local goals under unknown goal numbers %s", inst.name, orphans)
    out_goals = []
    for number, title in goals:
        goal: dict[str, Any] = {
            "number": number,
            "title": title,
            "local_goals": [
                _local_goal(lg, ctx)
                for lg in sorted(local_goals, key=lambda lg: lg.position)
                if lg.goal_number == number
            ],
        }
        if previous is not None:
            goal["previous_local_goals"] = previous.get(number, [])
        out_goals.append(goal)
    return {
        "name": inst.name,
        "area": inst.area,
        "kind": inst.kind,
        "status": reg.status if reg is not None else NOT_STARTED,
        "changed_after_submit": bool(reg is not None and reg.changed_after_submit),
        "submitted_by": _name(ctx.names, reg.submitted_by_id) if reg is not None else None,
        "submitted_at": _iso_time(reg.submitted_at) if reg is not None else None,
        "goals": out_goals,
    }


def _interventions(lg: _LocalGoal) -> list[str]:
    return [text for _key, _position, text in sorted(lg.interventions)]


def _measurement(lg: _LocalGoal) -> dict[str, Any] | None:
    if not lg.measurements:
        return None
    _key, method, when_text, dates = min(lg.measurements, key=lambda m: m[0])
    return {"method": method, "when": when_text, "dates": [str(d) for d in dates]}


def _local_goal(lg: _LocalGoal, ctx: _Context) -> dict[str, Any]:
    order = ctx.question_order
    answer_keys = sorted(lg.answers, key=lambda k: (order.get(k, len(order)), k))
    return {
        "text": lg.text,
        "interventions": _interventions(lg),
        "measurement": _measurement(lg),
        "answers": {key: lg.answers[key] for key in answer_keys},
        "updated_by": _name(ctx.names, lg.updated_by_id),
        "follow_ups": ctx.follow_ups.get(lg.id, []),
    }


def _name(names: dict[int, str], person_id: int | None) -> str | None:
    return names.get(person_id) if person_id is not None else None


def _iso_date(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _iso_time(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value is not None else None


async def strategy_milestones(db: Database, strategy_key: str) -> list[dict[str, Any]]:
    """The strategy's time plan from its definition, as a list of {"date", "end", "text"} (ISO dates,
    `end` None for a single day); empty when it has none or the strategy is unknown."""
    async with db.read() as s:
        definition = await s.scalar(select(Strategy.definition).where(Strategy.key == strategy_key))
    return [
        {"date": str(m["date"]), "end": str(m["end"]) if m.get("end") else None, "text": str(m["text"])}
        for m in (definition or {}).get("milestones") or []
        if isinstance(m, dict) and m.get("date") and m.get("text")
    ]
