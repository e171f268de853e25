"""What the meeting cycle sends, and when: every item an outbox row with a unique key (rule, recipient,
period), so a restart or a second instance never sends it twice, and sent only in working time (the
reminders' calendar: Danish public holidays, school holidays, quiet hours; `bot.scheduler` holds the
rows until the bot may write).

- the template's questions to the preparing people, `questions_before_days` before the meeting;
- the request for agenda points, `agenda_before_days` before;
- reminders to everyone taking part, `reminder_days` before (with how many questions are unanswered);
- the management-information pack before a collaboration meeting, `pack_before_days` before: to the
  area's leaders before an area meeting, to the administration before a cross-area meeting;
- agreements: a reminder to the owner `agreements_reminder_days` before the due date, and «Er aftalen
  holdt?» on it;
- the strategy's rhythm points (status in March and October, a yearly evaluation in June): every
  respondent is asked about each local goal, through the follow-up answers the bot already knows.

Items due on a day the bot may not write are moved to the working day before (for what must arrive
before a meeting) or after (a follow-up on a date). Nothing is planned ahead: an item enters the outbox
when it is due, so a meeting moved or cancelled in the meantime changes what is sent."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.meetings import messages, packs
from dialogs.meetings.templates import MeetingKind, MeetingTemplate, builtin_templates
from dialogs.meetings.units import open_questions, unit_of
from dialogs.messages import Reply
from dialogs.reminders.calendar import Calendar
from dialogs.reminders.render import person_payload
from dialogs.strategy import ReminderSettings, Respondent, Strategy, clock, strategy_from_definition
from dialogs.texts import texts
from storage import followups, meetings, outbox, strategies
from storage.db import Database
from storage.meeting_models import ParticipantRole
from storage.meetings import MeetingView, PersonLine
from storage.models import Role
from storage.outbox import NewItem

MEETING_QUESTIONS = "meeting_questions"
MEETING_AGENDA = "meeting_agenda"
MEETING_REMINDER = "meeting_reminder"
MEETING_PACK = "meeting_pack"
AGREEMENT_REMINDER = "agreement_reminder"
AGREEMENT_FOLLOWUP = "agreement_followup"
RHYTHM = "followup"  # rhythm points are follow-ups: answered like a measurement date's (dialogs/followup.py)
LOOKAHEAD_DAYS = 130  # the longest lead time a template may have (120 days) and some
AGREEMENT_OPEN_DAYS = 30  # «Er aftalen holdt?» is sent up to this long after the due date


@dataclass(frozen=True, slots=True)
class Candidate:
    """An item that is due now; its payload is rendered only when its key is new."""

    rule: str
    person_id: int
    period: str
    due_at: datetime
    expires_at: datetime | None
    render: Callable[[AsyncSession], Awaitable[dict[str, Any]]]

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.rule, f"person:{self.person_id}", self.period)


@dataclass
class _Planner:
    session: AsyncSession
    now: datetime
    cal: Calendar
    send_at: time
    templates: dict[str, MeetingTemplate]
    strategy: Strategy | None
    strategy_id: int | None
    default_locale: str

    @property
    def today(self) -> date:
        return self.cal.local(self.now).date()

    def before(self, day: date) -> datetime:
        """09:00 (the send time) on `day`, or on the working day before it."""
        for _ in range(30):
            if self.cal.is_working_day(day):
                break
            day -= timedelta(days=1)
        return self.cal.send_time(self.cal.at(day, self.send_at))

    def on_or_after(self, day: date) -> datetime:
        return self.cal.send_time(self.cal.at(day, self.send_at))

    def meeting_start(self, m: MeetingView) -> datetime:
        hour, minute = (m.start_time or "00:00").split(":")
        return self.cal.at(m.held_on, time(int(hour), int(minute)))

    def t(self, person: PersonLine) -> Any:
        return texts(person.locale or self.default_locale)

    def due(self, at: datetime, expires: datetime | None) -> bool:
        return at <= self.now and (expires is None or self.now < expires)

    # -- meetings ------------------------------------------------------------------------------------
    async def meeting_candidates(self) -> list[Candidate]:
        out: list[Candidate] = []
        views = await meetings.meeting_views(
            self.session, start=self.today, end=self.today + timedelta(days=LOOKAHEAD_DAYS)
        )
        for m in views:
            template = self.templates.get(m.template_key)
            if template is None:
                continue
            start = self.meeting_start(m)
            preparers = m.people(ParticipantRole.PREPARER)
            everyone = m.people()
            if template.questions:
                at = self.before(m.held_on - timedelta(days=template.questions_before_days))
                if self.due(at, start):
                    out += [
                        self.cand(
                            MEETING_QUESTIONS,
                            p,
                            f"meeting:{m.id}:questions",
                            at,
                            start,
                            self.questions_render(m, template, p),
                        )
                        for p in preparers
                    ]
            if template.agenda_before_days is not None:
                at = self.before(m.held_on - timedelta(days=template.agenda_before_days))
                if self.due(at, start):
                    out += [
                        self.cand(
                            MEETING_AGENDA, p, f"meeting:{m.id}:agenda", at, start, self.agenda_render(m, template, p)
                        )
                        for p in preparers
                    ]
            for days in template.reminder_days:
                at = self.before(m.held_on - timedelta(days=days))
                if self.due(at, start):
                    out += [
                        self.cand(
                            MEETING_REMINDER,
                            p,
                            f"meeting:{m.id}:reminder:{days}",
                            at,
                            start,
                            self.reminder_render(m, template, p, p in preparers),
                        )
                        for p in everyone
                    ]
            if template.pack_before_days is not None:
                at = self.before(m.held_on - timedelta(days=template.pack_before_days))
                if self.due(at, start):
                    out += [
                        self.cand(MEETING_PACK, p, f"meeting:{m.id}:pack", at, start, self.pack_render(m, template, p))
                        for p in await self.pack_readers(m)
                    ]
        return out

    async def pack_readers(self, m: MeetingView) -> list[int]:
        if m.kind == MeetingKind.AREA.value and m.area_id is not None:
            return await meetings.people_with_role(self.session, Role.AREA_LEADER, area_ids=[m.area_id])
        return await meetings.people_with_role(self.session, Role.ADMIN)

    def cand(
        self,
        rule: str,
        person_id: int,
        period: str,
        at: datetime,
        expires: datetime | None,
        make: Callable[[AsyncSession, PersonLine], Awaitable[tuple[list[Reply], str]]],
    ) -> Candidate:
        async def render(session: AsyncSession) -> dict[str, Any]:
            person = (await meetings.people_by_id(session, [person_id])).get(person_id) or PersonLine(
                person_id, "", None
            )
            replies, why = await make(session, person)
            return person_payload(person_id, person.name, replies, why)

        return Candidate(rule, person_id, period, at, expires, render)

    @staticmethod
    def questions_render(m: MeetingView, template: MeetingTemplate, person_id: int) -> Any:
        async def make(session: AsyncSession, person: PersonLine) -> tuple[list[Reply], str]:
            t = texts(person.locale)
            unit = await unit_of(session, m, template, person_id)
            n = len(template.questions_for(unit.institution_kind))
            reply = messages.questions_reply(t, template, m.id, m.held_on, m.start_time, n)
            return [reply], f"questions for {template.key} on {m.held_on} ({m.where})"

        return make

    @staticmethod
    def agenda_render(m: MeetingView, template: MeetingTemplate, _person_id: int) -> Any:
        async def make(_session: AsyncSession, person: PersonLine) -> tuple[list[Reply], str]:
            reply = messages.agenda_reply(texts(person.locale), template, m.id, m.held_on, m.start_time)
            return [reply], f"agenda points for {template.key} on {m.held_on} ({m.where})"

        return make

    @staticmethod
    def reminder_render(m: MeetingView, template: MeetingTemplate, person_id: int, prepares: bool) -> Any:
        async def make(session: AsyncSession, person: PersonLine) -> tuple[list[Reply], str]:
            unanswered = None
            if prepares and template.questions:
                unit = await unit_of(session, m, template, person_id)
                answered = (await meetings.answer_counts(session, [m.id])).get(m.id, set())
                unanswered = len(open_questions(template, unit, answered))
            reply = messages.meeting_reminder_reply(
                texts(person.locale), template, m.id, m.held_on, m.start_time, unanswered
            )
            return [reply], f"{template.key} on {m.held_on} ({m.where})"

        return make

    def pack_render(self, m: MeetingView, template: MeetingTemplate, _person_id: int) -> Any:
        strategy, strategy_id = self.strategy, self.strategy_id

        async def make(session: AsyncSession, person: PersonLine) -> tuple[list[Reply], str]:
            data = await packs.pack_data(session, m, strategy_id)
            reply = packs.pack_reply(texts(person.locale), template, m, strategy, data)
            return [reply], f"management information before {template.key} on {m.held_on} ({m.where or 'all areas'})"

        return make

    # -- agreements ----------------------------------------------------------------------------------
    async def agreement_candidates(self) -> list[Candidate]:
        out: list[Candidate] = []
        found = await meetings.agreements(
            self.session,
            status="open",
            due_from=self.today - timedelta(days=AGREEMENT_OPEN_DAYS),
            due_to=self.today + timedelta(days=60),
        )
        for a in found:
            template = self.templates.get(a.template_key or "")
            if a.owner_id is None or template is None:
                continue
            title = template.title
            due_day = self.on_or_after(a.due_on)
            before = self.before(a.due_on - timedelta(days=template.agreements_reminder_days))
            if self.due(before, due_day):

                async def remind(
                    _s: AsyncSession, p: PersonLine, a: Any = a, title: Any = title
                ) -> tuple[list[Reply], str]:
                    t = texts(p.locale)
                    return [
                        messages.agreement_reminder_reply(t, a.text, title.get(t.locale), a.due_on)
                    ], "agreement due soon"

                out.append(
                    self.cand(AGREEMENT_REMINDER, a.owner_id, f"agreement:{a.id}:before", before, due_day, remind)
                )
            expires = due_day + timedelta(days=AGREEMENT_OPEN_DAYS)
            if self.due(due_day, expires):

                async def ask(
                    _s: AsyncSession, p: PersonLine, a: Any = a, title: Any = title
                ) -> tuple[list[Reply], str]:
                    t = texts(p.locale)
                    reply = messages.agreement_followup_reply(t, a.id, a.text, title.get(t.locale), a.due_on)
                    return [reply], "the agreement's due date"

                out.append(self.cand(AGREEMENT_FOLLOWUP, a.owner_id, f"agreement:{a.id}:due", due_day, expires, ask))
        return out

    # -- the strategy's rhythm points ------------------------------------------------------------------
    async def rhythm_candidates(self) -> list[Candidate]:
        strategy, strategy_id = self.strategy, self.strategy_id
        if strategy is None or strategy_id is None or not strategy.rhythm:
            return []
        open_days = strategy.reminders.followup_days
        points = []
        for point in strategy.rhythm:
            for year in (self.today.year - 1, self.today.year):
                day = date(year, point.month, point.day)
                at = self.on_or_after(day)
                if self.due(at, at + timedelta(days=open_days)):
                    points.append((point, day, at))
        if not points:
            return []
        goals = await followups.goals_to_ask(self.session, strategy_id)
        if not goals:
            return []
        roles = ("leader",) if strategy.respondent is Respondent.LEADERSHIP else ("chair", "member", "leader")
        members = await meetings.members_by_institution(self.session, {g.institution_id for g in goals}, roles)
        answered = await followups.answered_keys(self.session, {day for _point, day, _at in points})
        out: list[Candidate] = []
        for point, day, at in points:
            for g in goals:
                if (g.id, day) in answered:
                    continue
                by_role = members.get(g.institution_id, {})
                askees = (
                    by_role.get("leader", [])
                    if strategy.respondent is Respondent.LEADERSHIP
                    else (by_role.get("chair") or by_role.get("member", []) + by_role.get("leader", []))
                )
                for person_id in askees:
                    out.append(self.rhythm_candidate(point, day, at, g, g.institution_name, person_id, open_days))
        return out

    def rhythm_candidate(
        self,
        point: Any,
        day: date,
        at: datetime,
        g: followups.GoalToAsk,
        institution: str,
        person_id: int,
        open_days: int,
    ) -> Candidate:
        strategy = self.strategy
        assert strategy is not None

        async def render(session: AsyncSession) -> dict[str, Any]:
            person = (await meetings.people_by_id(session, [person_id])).get(person_id) or PersonLine(
                person_id, "", None
            )
            t = texts(person.locale or self.default_locale)
            name = point.text.get(t.locale) if point.text else t("Status")
            reply = messages.rhythm_reply(
                t,
                name,
                point.kind == "evaluation",
                institution,
                strategy.goal_label.get(t.locale),
                g.goal_number,
                g.text,
                g.id,
                day,
            )
            why = f"rhythm point {point.kind} {day} for a local goal of {institution}"
            return person_payload(
                person_id, person.name, [reply], why, followup={"local_goal_id": g.id, "date": day.isoformat()}
            )

        return Candidate(RHYTHM, person_id, f"lg:{g.id}:{day.isoformat()}", at, at + timedelta(days=open_days), render)


async def due_candidates(
    session: AsyncSession,
    now: datetime,
    *,
    templates: dict[str, MeetingTemplate] | None = None,
    default_locale: str = "da",
) -> list[Candidate]:
    """Every meeting-cycle item that is due at `now` (aware), whether or not it is in the outbox yet."""
    row = await strategies.active_strategy(session)
    strategy = strategy_from_definition(row.definition) if row is not None else None
    settings = strategy.reminders if strategy is not None else ReminderSettings()
    planner = _Planner(
        session,
        now,
        Calendar.from_settings(settings),
        clock(settings.send_time),
        templates if templates is not None else builtin_templates(),
        strategy,
        row.id if row else None,
        default_locale,
    )
    return [
        *await planner.meeting_candidates(),
        *await planner.agreement_candidates(),
        *await planner.rhythm_candidates(),
    ]


async def new_items(db: Database, now: datetime, *, default_locale: str = "da") -> list[NewItem]:
    """The meeting-cycle items due at `now` that are not in the outbox yet, rendered; writes nothing
    (what `maalbot remind --dry-run` lists, and what `enqueue_due` adds)."""
    async with db.read() as s:
        found = await due_candidates(s, now, default_locale=default_locale)
        if not found:
            return []
        known = await outbox.existing_keys(s, [c.key for c in found])
        fresh: dict[tuple[str, str, str], NewItem] = {}
        for c in found:
            if c.key not in known and c.key not in fresh:
                fresh[c.key] = NewItem(
                    c.rule, f"person:{c.person_id}", c.period, c.due_at, await c.render(s), c.expires_at
                )
    return list(fresh.values())


async def enqueue_due(db: Database, now: datetime, *, default_locale: str = "da") -> int:
    """The hook for `bot.scheduler.tick`: put what is due and not yet in the outbox into it; returns how
    many rows were added. Reads in a read transaction, renders only new items, writes in short batches."""
    fresh = await new_items(db, now, default_locale=default_locale)
    if not fresh:
        return 0
    return await outbox.enqueue_in_batches(db, fresh, now)
