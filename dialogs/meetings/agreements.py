"""After a meeting: participants record an agreement («ny aftale»: what, who owns it, by when), the owner
answers «Er aftalen holdt?» and a few words, and «aftaler» lists the open agreements a person may see.
Pure handlers of the meeting flow (`dialogs.meetings.chat`): a turn in, a new turn out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from dialogs.cleaning import fold
from dialogs.context import Turn
from dialogs.meetings import messages
from dialogs.meetings.moves import facts, keep, meeting_choices, number, say
from dialogs.meetings.planning import parse_date
from dialogs.meetings.writes import AddAgreement, AgreementWords, FollowUpAgreement
from dialogs.messages import Choice
from dialogs.reminders.render import long_date
from dialogs.state import MeetingMode, MeetingPending
from dialogs.when_parser import parse_when
from storage.meeting_models import AgreementStatus
from storage.meetings import MeetingView

RECENT_DAYS = 60  # agreements can be recorded for meetings held this many days ago


def start(turn: Turn, meeting_id: int | None) -> Turn:
    t = turn.t
    recent = facts(turn).recent(RECENT_DAYS)
    if meeting_id is not None:
        recent = [m for m in recent if m.id == meeting_id]
    if not recent:
        said = t(
            "Agreements are recorded after a meeting you took part in, and I find none in the last {n} days.",
            n=RECENT_DAYS,
        )
        return say(keep(turn, None), said)
    if len(recent) > 1 and meeting_id is None:
        return say(turn, t("Which meeting is the agreement from?"), meeting_choices(turn, recent, "agree"))
    turn = keep(turn, MeetingPending(MeetingMode.AGREE, meeting=recent[0].id, step="text"))
    cancel = (Choice("meeting:stop", t("Cancel")),)
    return say(turn, t("What has been agreed? Write it in one or two sentences."), cancel, kind="question")


def answer(turn: Turn, place: MeetingPending, text: str) -> Turn:
    """The agreement's text, owner or date, by the step it is at."""
    meeting = facts(turn).meeting(place.meeting) if place.meeting is not None else None
    if meeting is None:
        return say(keep(turn, None), turn.t("That meeting is no longer planned."), kind="error")
    step = STEPS.get(place.step)
    return step(turn, place, meeting, text) if step is not None else keep(turn, None)


def _what(turn: Turn, place: MeetingPending, meeting: MeetingView, text: str) -> Turn:
    turn = keep(turn, replace(place, step="owner", text=text, unsure=""))
    people = tuple(Choice(f"meeting:owner:{pid}", name) for pid, name, _e, _r in meeting.participants[:10])
    return say(
        turn, turn.t("Who is responsible for it? Choose, or write their name or email."), people, kind="question"
    )


def _who(turn: Turn, place: MeetingPending, meeting: MeetingView, text: str) -> Turn:
    folded = fold(text)
    found = [p for p in meeting.participants if fold(p[2]) == folded or folded in fold(p[1])]
    if len(found) != 1:
        said = turn.t(
            "I could not tell who «{text}» is among the people at the meeting. Choose one of them.", text=text
        )
        choices = tuple(Choice(f"meeting:owner:{p[0]}", p[1]) for p in meeting.participants[:10])
        return say(turn, said, choices, kind="error")
    return owner(turn, place, found[0][0], meeting)


def _when(turn: Turn, place: MeetingPending, meeting: MeetingView, text: str) -> Turn:
    t, today = turn.t, turn.ctx.today
    due = parse_date(text)
    if due is None:
        when = parse_when(text, today=today)
        due = when.dates[0] if len(when.dates) == 1 else None
    if due is None or due < today:
        said = t(
            "I could not read «{text}» as a coming date. Write for example «1. juni 2027» or «2027-06-01».", text=text
        )
        return say(turn, said, kind="error")
    owner_id = place.owner or 0
    name = next((p[1] for p in meeting.participants if p[0] == owner_id), "")
    turn = keep(turn.change(AddAgreement(meeting.id, place.text, owner_id, due)), None)
    said = t(
        "The agreement is saved: «{text}», {owner} is responsible, by {date}. "
        "{owner} is reminded before the date and asked «Er aftalen holdt?» on it. "
        "Write «ny aftale» to record another.",
        text=place.text,
        owner=name,
        date=long_date(t, due),
    )
    return say(turn, said)


Step = Callable[[Turn, MeetingPending, MeetingView, str], Turn]
STEPS: dict[str, Step] = {"text": _what, "owner": _who, "due": _when}


def owner_button(turn: Turn, place: MeetingPending, arg: str) -> Turn:
    """«meeting:owner:<person id>» while an agreement is recorded."""
    meeting = facts(turn).meeting(place.meeting) if place.meeting is not None else None
    return owner(turn, place, number(arg) or 0, meeting)


def owner(turn: Turn, place: MeetingPending, owner_id: int, meeting: MeetingView | None) -> Turn:
    if meeting is None or owner_id not in meeting.people():
        return say(turn, turn.t("Please pick one of the options."), kind="error")
    turn = keep(turn, replace(place, step="due", owner=owner_id, unsure=""))
    return say(turn, turn.t("By when? For example «1. juni 2027»."), kind="question")


# -- «Er aftalen holdt?» ---------------------------------------------------------------------------------------


def follow_up(turn: Turn, choice: str) -> Turn:
    """The owner's button `agreement:<id>:<kept|partly|not_kept>`: stored, and a few words asked for."""
    t = turn.t
    _kind, agreement_id, status = [*choice.split(":"), "", ""][:3]
    found = facts(turn).agreement(number(agreement_id) or 0)
    if found is None or found.owner_id != turn.ctx.person_id or status not in messages.AGREEMENT_ANSWERS:
        return say(turn, t("That agreement is not yours to follow up, or it is gone."), kind="error")
    if found.status != AgreementStatus.OPEN.value:
        said = t(
            "The agreement has already been followed up: {answer}.", answer=messages.agreement_label(t, found.status)
        )
        return say(turn, said)
    turn = turn.change(FollowUpAgreement(found.id, AgreementStatus(status)))
    turn = keep(turn, MeetingPending(MeetingMode.WORDS, agreement=found.id))
    said = t("Saved: {answer}. In a few words, how did it go?", answer=messages.agreement_label(t, status))
    return say(turn, said, (Choice("meeting:skip", t("Skip")),), kind="question")


def words(turn: Turn, place: MeetingPending, text: str) -> Turn:
    if place.agreement is not None:
        turn = turn.change(AgreementWords(place.agreement, text))
    return thanks(turn)


def thanks(turn: Turn) -> Turn:
    return say(keep(turn, None), turn.t("Thank you. The answer is saved."))


# -- «aftaler» -------------------------------------------------------------------------------------------------


def listing(turn: Turn) -> Turn:
    t, me = turn.t, turn.ctx.person_id
    visible = facts(turn).open_agreements()
    scope, names = visible.scope, visible.names
    mine = [
        a
        for a in visible.agreements
        if a.owner_id == me
        or scope.everything
        or a.institution_id in scope.institution_ids
        or a.area_id in scope.area_ids
    ]
    if not mine:
        return say(turn, t("There are no open agreements you can see."))
    lines = tuple(
        (
            f"{long_date(t, a.due_on)} · {a.owner_name or '-'}",
            a.text
            + (f" ({names[a.institution_id]})" if a.institution_id is not None and a.institution_id in names else ""),
        )
        for a in mine[:25]
    )
    return say(turn, t("Open agreements ({n}):", n=len(mine)), facts=lines, title=t("Agreements"), kind="status")
