"""Before a meeting: the preparing people answer the template's questions («forbered møde»), anyone taking
part sends agenda points («dagsordenspunkt: …»), and the brief is shown («mødenotat»). Pure handlers of
the meeting flow (`dialogs.meetings.chat`): a turn in, a new turn out."""

from __future__ import annotations

from dataclasses import replace

from dialogs.context import Turn
from dialogs.meetings.brief import brief_replies
from dialogs.meetings.facts import Prepared
from dialogs.meetings.moves import facts, keep, meeting_choices, say, template_title, title_of
from dialogs.meetings.units import answer_key
from dialogs.meetings.writes import AddAgendaPoint, SaveMeetingAnswer
from dialogs.messages import Choice, Reply
from dialogs.reminders.render import long_date
from dialogs.state import MeetingMode, MeetingPending
from storage.meeting_models import ParticipantRole
from storage.meetings import MeetingView


def start(turn: Turn, meeting_id: int | None) -> Turn:
    """«forbered møde» or the button of the questions' message: the first open question."""
    upcoming = facts(turn).upcoming(ParticipantRole.PREPARER)
    if meeting_id is not None:
        upcoming = [m for m in upcoming if m.id == meeting_id]
    if not upcoming:
        return say(keep(turn, None), turn.t("You have no meeting to prepare right now."))
    if len(upcoming) > 1 and meeting_id is None:
        choices = meeting_choices(turn, upcoming, "prepare")
        return say(turn, turn.t("Which meeting do you want to prepare?"), choices)
    return ask_next(turn, MeetingPending(MeetingMode.PREPARE, meeting=upcoming[0].id))


def answer(turn: Turn, place: MeetingPending, text: str) -> Turn:
    """An answer to the question asked: stored, and the next question."""
    if not place.asking or place.meeting is None:
        return ask_next(turn, place)
    turn = turn.change(SaveMeetingAnswer(place.meeting, place.asking, text))
    return ask_next(turn, place, just_answered=place.asking)


def skip(turn: Turn, place: MeetingPending) -> Turn:
    return ask_next(turn, replace(place, skipped=(*place.skipped, place.asking) if place.asking else place.skipped))


def ask_next(turn: Turn, place: MeetingPending, just_answered: str = "") -> Turn:
    t = turn.t
    prepared = facts(turn).prepared(place.meeting) if place.meeting is not None else None
    if prepared is None:
        return say(keep(turn, None), t("That meeting is no longer planned."), kind="error")
    answered = prepared.answered | {just_answered}
    every = prepared.template.questions_for(prepared.unit.institution_kind)
    for n, (q, i) in enumerate(every, start=1):
        key = answer_key(prepared.unit, q, i)
        if key in answered or key in place.skipped:
            continue
        help_text = q.help.get(t.locale) if q.help else None
        reply = _question(turn, prepared, n, len(every), prepared.template.question_text(q, i, t.locale), help_text)
        return keep(turn, replace(place, asking=key, unsure="")).show(reply)
    turn, title = keep(turn, None), template_title(turn, prepared.template)
    if place.skipped:
        return say(
            turn,
            t(
                "Thank you! You skipped {n} questions; write «forbered møde» to answer them before «{title}».",
                n=len(set(place.skipped)),
                title=title,
            ),
        )
    return say(
        turn,
        t("Thank you! Every question for «{title}» is answered. The answers are in the meeting's brief.", title=title),
    )


def _question(turn: Turn, prepared: Prepared, n: int, total: int, text: str, help_text: str | None) -> Reply:
    t, meeting, unit = turn.t, prepared.meeting, prepared.unit
    title = t(
        "{meeting} on {date}: question {number} of {total}",
        meeting=template_title(turn, prepared.template),
        date=long_date(t, meeting.held_on),
        number=n,
        total=total,
    )
    body = text + ("\n" + help_text if help_text else "")
    if unit.key.startswith("i") and meeting.institution_id is None:
        body = t("For {institution}:", institution=unit.name) + "\n" + body
    choices = (Choice("meeting:skip", t("Skip")), Choice("meeting:stop", t("Pause")))
    return Reply(body, choices=choices, title=title, kind="question")


# -- agenda points -------------------------------------------------------------------------------------------


def ask_agenda(turn: Turn, meeting_id: int | None) -> Turn:
    """The button of the agenda message: the point is awaited."""
    turn = keep(turn, MeetingPending(MeetingMode.AGENDA, meeting=meeting_id))
    return say(turn, turn.t("Write your point for the agenda."), (Choice("meeting:stop", turn.t("Cancel")),))


def agenda_point(turn: Turn, meeting_id: int | None, text: str) -> Turn:
    t = turn.t
    if not text:
        return say(turn, t("Write the point after the colon, for example «dagsordenspunkt: Fælles indsats for sprog»."))
    upcoming = _taking_part(turn, meeting_id)
    if not upcoming:
        return say(
            keep(turn, None), t("You are not taking part in a planned meeting, so there is no agenda to add to.")
        )
    meeting = min(upcoming, key=lambda m: m.held_on)
    turn = keep(turn.change(AddAgendaPoint(meeting.id, text)), None)
    return say(
        turn,
        t(
            "Thank you. «{point}» is on the list of agenda points for «{title}» on {date}.",
            point=text,
            title=title_of(turn, meeting.template_key),
            date=long_date(t, meeting.held_on),
        ),
    )


def answer_agenda(turn: Turn, place: MeetingPending, text: str) -> Turn:
    return agenda_point(turn, place.meeting, text)


# -- the brief -----------------------------------------------------------------------------------------------


def brief(turn: Turn, meeting_id: int | None) -> Turn:
    """The prep brief of the soonest coming meeting the person takes part in (or the one asked for)."""
    found = _taking_part(turn, meeting_id)
    if not found:
        return say(turn, turn.t("You are not taking part in a planned meeting, so there is no agenda to add to."))
    made = facts(turn).brief(min(found, key=lambda m: m.held_on).id)
    return turn.show(*brief_replies(turn.t, made)) if made is not None else turn


def _taking_part(turn: Turn, meeting_id: int | None) -> list[MeetingView]:
    """The coming meetings the person takes part in, in any role (or the one asked for, if so)."""
    found = [m for role in ParticipantRole for m in facts(turn).upcoming(role)]
    return [m for m in found if m.id == meeting_id] if meeting_id is not None else found
