"""The prep brief of one meeting: what it is, who takes part, the agenda (the template's and the points
sent in), the prepared answers, the institutions' local goals with their follow-up history, the open
agreements carried in from earlier meetings, and for a collaboration meeting the coverage. One neutral
`Brief`, rendered as chat replies here, as a page and as DOCX in `bot/meeting_brief.py`."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.meetings import messages, packs
from dialogs.meetings.templates import MeetingKind, MeetingTemplate, builtin_templates
from dialogs.meetings.units import Unit, answer_key, unit_of
from dialogs.messages import Reply
from dialogs.reminders.render import answer_label, long_date
from dialogs.strategy import strategy_from_definition
from dialogs.texts import Texts
from storage import meetings, strategies
from storage.meeting_models import AgreementStatus, ParticipantRole


@dataclass(frozen=True, slots=True)
class Section:
    heading: str
    items: tuple[tuple[str, str], ...] = ()  # (label, text)
    lines: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Brief:
    title: str
    meta: str  # when and where
    purpose: str | None
    attendees: tuple[str, ...]
    sections: tuple[Section, ...] = field(default_factory=tuple)


async def build_brief(session: AsyncSession, meeting_id: int, t: Texts) -> Brief | None:
    meeting = await meetings.meeting_view(session, meeting_id)
    template = builtin_templates().get(meeting.template_key) if meeting else None
    if meeting is None or template is None:
        return None
    row = await strategies.active_strategy(session)
    strategy = strategy_from_definition(row.definition) if row is not None else None
    title = template.title.get(t.locale)
    meta = messages.when_text(t, meeting.held_on, meeting.start_time) + (f" · {meeting.where}" if meeting.where else "")
    attendees = tuple(
        f"{name} ({t('prepares') if role == ParticipantRole.PREPARER.value else t('takes part')})"
        for _pid, name, _email, role in meeting.participants
    )
    sections: list[Section] = []
    agenda = [a.title.get(t.locale) + (f" ({a.minutes} min.)" if a.minutes else "") for a in template.agenda]
    points = await meetings.agenda_points(session, meeting.id)
    agenda += [f"{text} ({name or '-'})" for text, name in points]
    sections.append(Section(t("Agenda"), lines=tuple(agenda)))
    answers = {k: a.text for k, a in (await meetings.answers_of(session, meeting.id)).items()}
    for unit in await _units(session, meeting, template):
        items = tuple(
            (template.question_text(q, i, t.locale), answers.get(answer_key(unit, q, i)) or t("(not answered)"))
            for q, i in template.questions_for(unit.institution_kind)
        )
        if items:
            sections.append(Section(t("Prepared answers: {name}", name=unit.name), items=items))
    institution_ids = [meeting.institution_id] if meeting.institution_id else None
    if meeting.institution_id is None and meeting.area_id is not None:
        institution_ids = [i.id for i in await meetings.institutions_in_area(session, meeting.area_id)]
    if row is not None and strategy is not None and institution_ids:
        names = await meetings.institution_names(session, institution_ids)
        label = strategy.local_goal_label.get(t.locale)  # «Lokalt mål 1.2»: the number is a local goal's
        for inst_id in institution_ids:
            lines = []
            for g in [g for g in await meetings.local_goal_lines(session, row.id, [inst_id])]:
                lines.append(f"{label.capitalize()} {g.goal_number}.{g.position}: {g.text}")
                lines += [
                    f"    {long_date(t, day)}: {answer_label(t, answer or '')}" + (f" – {text}" if text else "")
                    for day, answer, text in g.followups
                ]
            sections.append(
                Section(
                    t("Local goals and follow-up: {name}", name=names.get(inst_id, "")),
                    lines=tuple(lines) or (t("No local goals yet."),),
                )
            )
    carried = await meetings.agreements(
        session,
        status=AgreementStatus.OPEN.value,
        institution_ids=institution_ids if meeting.institution_id else None,
        area_ids=[meeting.area_id] if meeting.institution_id is None and meeting.area_id is not None else None,
    )
    carried = [a for a in carried if a.meeting_id != meeting.id]
    sections.append(
        Section(
            t("Open agreements from earlier meetings"),
            lines=tuple(f"{a.text} ({a.owner_name or '-'}, {long_date(t, a.due_on)})" for a in carried)
            or (t("None."),),
        )
    )
    made = await meetings.agreements(session, meeting_id=meeting.id)
    if made:
        sections.append(
            Section(
                t("Agreements from this meeting"),
                lines=tuple(
                    f"{a.text} ({a.owner_name or '-'}, {long_date(t, a.due_on)}): "
                    f"{messages.agreement_label(t, a.status)}"
                    for a in made
                ),
            )
        )
    if template.kind is not MeetingKind.DIALOGUE:
        data = await packs.pack_data(session, meeting, row.id if row else None)
        pack = packs.pack_reply(t, template, meeting, strategy, data)
        sections.append(Section(t("Coverage"), lines=tuple(pack.text.splitlines())))
    purpose = template.purpose.get(t.locale) if template.purpose else None
    return Brief(title, meta, purpose, attendees, tuple(sections))


async def _units(session: AsyncSession, meeting: meetings.MeetingView, template: MeetingTemplate) -> list[Unit]:
    """Every set of answers the meeting has or expects: one per institution (or per area leader)."""
    units: dict[str, Unit] = {}
    for pid in meeting.people(ParticipantRole.PREPARER):
        unit = await unit_of(session, meeting, template, pid)
        units.setdefault(unit.key, unit)
    return list(units.values())


def brief_replies(t: Texts, brief: Brief) -> list[Reply]:
    """The brief as chat replies: one per section, under the meeting's title."""
    head = Reply(
        brief.meta + ("\n" + brief.purpose if brief.purpose else ""),
        title=brief.title,
        kind="summary",
        facts=((t("Taking part"), ", ".join(brief.attendees) or "-"),),
    )
    body = [Reply("\n".join(s.lines), title=s.heading, facts=s.items, kind="summary") for s in brief.sections]
    return [head, *body]
