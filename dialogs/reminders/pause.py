""" "pause indtil 1. december" / "pause until 2026-12-01" and "genoptag påmindelser" / "resume reminders".

A bare "pause" is the registration flow's own command (stop for now), so a pause of reminders needs a
date ("indtil"/"until"/"til" DATE) or the word for reminders; resuming needs the word for reminders.
The date is read with `dialogs.when_parser.parse_when` (the first date it finds on or after today).
`PauseRequest.until` is the first day reminders may come again."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.cleaning import clean_text, fold
from dialogs.messages import Inbound, Reply
from dialogs.reminders.render import long_date
from dialogs.texts import texts
from dialogs.when_parser import parse_when
from storage import audit, reminder_pauses
from storage.models import AuditAction

_REMINDERS = r"(?:påmindelser(?:ne)?|paamindelser(?:ne)?|reminders?|notifikationer|beskeder)"
_PAUSE = re.compile(
    rf"^(?:sæt\s+)?(?:pause|pausér|pauser|hold\s+pause\s+med|stop|stands|snooze)"
    rf"(?:\s+(?:med\s+)?{_REMINDERS})?\s+(?:indtil|til|until|till|to)\s+(?P<when>.+)$"
)
_PAUSE_WORDS_FIRST = re.compile(rf"^(?:ingen|no)\s+{_REMINDERS}\s+(?:indtil|til|før|until|till|before)\s+(?P<when>.+)$")
_RESUME = re.compile(
    rf"^(?:genoptag|genstart|fortsæt|start|slå|resume|restart|turn\s+on|unpause)\s+(?:med\s+)?{_REMINDERS}"
    r"(?:\s+(?:igen|til|on|again))?$|^" + _REMINDERS + r"\s+(?:igen|on|again)$"
)


@dataclass(frozen=True, slots=True)
class PauseRequest:
    until: date | None  # None: resume now
    understood: bool = True  # False: a pause was asked for, but the date could not be read


def parse_pause(text: str, today: date) -> PauseRequest | None:
    """The pause or resume request in `text`, or None when the message is something else."""
    folded = fold(clean_text(text)).rstrip(".!")
    if _RESUME.match(folded):
        return PauseRequest(None)
    match = _PAUSE.match(folded) or _PAUSE_WORDS_FIRST.match(folded)
    if match is None:
        return None
    found = parse_when(match.group("when"), today=today)
    future = [d for d in found.dates if d > today]
    if not future:
        return PauseRequest(None, understood=False)
    return PauseRequest(future[0])


async def handle_pause(
    session: AsyncSession, person_id: int, inbound: Inbound, *, locale: str, today: date
) -> list[Reply] | None:
    """The hook for the conversation service: None when the message is not about pausing reminders;
    else the pause is stored (or removed) in `session` and the replies are returned."""
    if inbound.choice or not inbound.text:
        return None
    request = parse_pause(inbound.text, today)
    if request is None:
        return None
    t = texts(locale)
    if not request.understood:
        return [
            Reply(
                t(
                    "I could not read that date. "
                    "Write for example «pause until 1 December» or «pause until 2026-12-01»."
                ),
                kind="error",
            )
        ]
    current = await reminder_pauses.locked_pause(session, person_id)
    before = current.isoformat() if current is not None else None
    after = request.until.isoformat() if request.until is not None else None
    if before != after:
        await audit.record(
            session, AuditAction.PAUSE, "reminders paused until", actor_id=person_id, subject_id=person_id,
            before=before, after=after,
        )  # fmt: skip
    await reminder_pauses.set_pause(session, person_id, request.until)
    if request.until is None:
        return [Reply(t("Reminders are on again. I will remind you when your board has something due."))]
    return [
        Reply(
            t(
                "OK. I will not send you reminders before {date}. Write «resume reminders» to get them again sooner.",
                date=long_date(t, request.until),
            )
        )
    ]


async def paused_until(session: AsyncSession, person_id: int) -> date | None:
    return await reminder_pauses.paused_until(session, person_id)
