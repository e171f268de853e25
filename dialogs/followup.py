"""The measurement follow-up conversation: "what did the measurement show, is the local goal on track?"

The question (see `dialogs.reminders.render.followup_reply`) offers three choices, on track / partly /
not on track, with ids `followup:<local goal id>:<date>:<answer>`. Then:

```mermaid
stateDiagram-v2
    [*] --> Asked: reminder sent
    Asked --> Chosen: a choice (or its label typed)
    Chosen --> Answered: a few words, or «skip»
    Chosen --> Chosen: another choice (changes the answer)
    Answered --> [*]: summary to the institution's leader
```

`step` is pure: the open follow-up and one inbound message in, replies and a `FollowUpAnswer` out (or
None: not for this flow, so the registration flow handles it). `handle_followup` is the hook for the
conversation service: it loads the open follow-up, runs `step`, and stores the answer in the same
transaction, with the summary for the leader as an outbox item."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.cleaning import clean_text, fold
from dialogs.commands import Cmd, parse_command
from dialogs.messages import Choice, Inbound, Reply
from dialogs.reminders import render
from dialogs.reminders.model import FOLLOWUP_SUMMARY, person_recipient
from dialogs.sensitive import contains_cpr, refusal
from dialogs.texts import Texts, texts
from storage import followups, outbox, people
from storage.followups import FollowUpContext
from storage.models import Person, Role
from storage.outbox import NewItem

MAX_TEXT = 2000
SKIP_WORDS = {"spring over", "spring", "skip", "ingen kommentar", "no comment", "-"}


@dataclass(frozen=True, slots=True)
class FollowUpAnswer:
    """The change to store: the on-track answer, and (when `complete`) the words that go with it."""

    local_goal_id: int
    measurement_date: date
    answer: str
    text: str | None = None
    complete: bool = False


@dataclass(frozen=True, slots=True)
class FollowUpStep:
    replies: tuple[Reply, ...]
    change: FollowUpAnswer | None = None


def parse_followup_choice(choice: str) -> tuple[int, date, str | None] | None:
    """`followup:12:2026-03-01:on_track` -> (12, date, "on_track"); `followup-skip:12:2026-03-01` -> answer None."""
    kind, _, rest = choice.partition(":")
    parts = rest.split(":")
    try:
        if kind == "followup" and len(parts) == 3 and parts[2] in render.ANSWERS:
            return int(parts[0]), date.fromisoformat(parts[1]), parts[2]
        if kind == "followup-skip" and len(parts) == 2:
            return int(parts[0]), date.fromisoformat(parts[1]), None
    except ValueError:
        return None
    return None


def typed_answer(text: str, t: Texts) -> str | None:
    """An answer typed instead of clicked: its label in either language. Not its number: a typed
    number answers the registration flow's numbered choices, and must not be taken from it."""
    folded = fold(text)
    for answer in render.ANSWERS:
        if folded in {fold(render.answer_label(texts(loc), answer)) for loc in ("da", "en")}:
            return answer
    return None


def _ask_for_words(t: Texts, ctx: FollowUpContext, answer: str) -> Reply:
    return Reply(
        t(
            "Thank you: «{answer}». In a few words, what did the measurement show?",
            answer=render.answer_label(t, answer),
        ),
        choices=(Choice(f"followup-skip:{ctx.local_goal_id}:{ctx.measurement_date.isoformat()}", t("Skip")),),
        kind="question",
    )


def step(ctx: FollowUpContext, inbound: Inbound, t: Texts, person_id: int) -> FollowUpStep | None:
    """One message about an open follow-up; None when it is not an answer to it."""
    key = (ctx.local_goal_id, ctx.measurement_date)
    if ctx.complete:
        if inbound.choice:
            said = t(
                "{name} already answered this follow-up on {date}: «{answer}».",
                name=ctx.answered_by_name or t("Someone"),
                date=render.long_date(t, (ctx.answered_at or datetime.min).date()),
                answer=render.answer_label(t, ctx.answer or ""),
            )
            return FollowUpStep((Reply(said),))
        return None
    if inbound.choice:
        parsed = parse_followup_choice(inbound.choice)
        if parsed is None or parsed[:2] != key:
            return None
        answer = parsed[2]
        if answer is not None:
            return FollowUpStep((_ask_for_words(t, ctx, answer),), FollowUpAnswer(*key, answer))
        if ctx.answer is None:  # «skip» before any answer: ask again
            return FollowUpStep((Reply(t("Please choose first whether the local goal is on track."), kind="error"),))
        return FollowUpStep((_saved(t),), FollowUpAnswer(*key, ctx.answer, None, complete=True))
    text = clean_text(inbound.text or "")
    if not text:
        return None
    if ctx.answer is None or ctx.answered_by_id != person_id:
        answer = typed_answer(text, t)
        if answer is None:
            return None
        return FollowUpStep((_ask_for_words(t, ctx, answer),), FollowUpAnswer(*key, answer))
    if fold(text) in SKIP_WORDS:
        return FollowUpStep((_saved(t),), FollowUpAnswer(*key, ctx.answer, None, complete=True))
    command = parse_command(text)
    if command is not None and command.cmd is not Cmd.SKIP:
        return None  # "hjælp", "status", ...: the registration flow answers; the follow-up waits
    answer = typed_answer(text, t)
    if answer is not None:  # a change of mind before the words
        return FollowUpStep((_ask_for_words(t, ctx, answer),), FollowUpAnswer(*key, answer))
    if contains_cpr(text):  # not kept anywhere; the follow-up waits for words without it
        return FollowUpStep((Reply(refusal(t), kind="error"),))
    return FollowUpStep((_saved(t),), FollowUpAnswer(*key, ctx.answer, text[:MAX_TEXT], complete=True))


def _saved(t: Texts) -> Reply:
    return Reply(t("Saved in the local goal's follow-up history. I have told the institution's leader. Thank you!"))


async def _open_for(
    session: AsyncSession, person_id: int, inbound: Inbound, boards: set[int] | None, anything_open: bool
) -> FollowUpContext | None:
    if not inbound.choice and not anything_open:
        return None
    if boards is None:
        boards = {b.institution_id for b in await people.boards_of(session, person_id)}
    if inbound.choice:
        parsed = parse_followup_choice(inbound.choice)
        if parsed is None:
            return None
        ctx = await followups.context(session, parsed[0], parsed[1])
        return ctx if ctx is not None and ctx.institution_id in boards else None
    key = await followups.waiting_for_text(session, person_id) or await followups.latest_unanswered(
        session, sorted(boards)
    )
    if key is None:
        return None
    ctx = await followups.context(session, *key)
    return ctx if ctx is not None and ctx.institution_id in boards else None


async def handle_followup(
    session: AsyncSession,
    person_id: int,
    inbound: Inbound,
    *,
    locale: str,
    now: datetime,
    boards: set[int] | None = None,
    anything_open: bool = True,
) -> list[Reply] | None:
    """The hook for the conversation service: None when the message is not about a follow-up; else the
    answer is stored in `session` and the replies are returned. `boards` (the person's institutions) and
    `anything_open` (False: no follow-up waits for them, see `storage.turn_facts`) save the look-ups."""
    if inbound.choice and not inbound.choice.startswith(("followup:", "followup-skip:")):
        return None
    t = texts(locale)
    ctx = await _open_for(session, person_id, inbound, boards, anything_open)
    if ctx is None:
        if inbound.choice:
            return [Reply(t("That follow-up is no longer open."), kind="error")]
        return None
    result = step(ctx, inbound, t, person_id)
    if result is None:
        return None
    change = result.change
    if change is not None:
        if change.complete:
            await followups.complete(
                session, change.local_goal_id, change.measurement_date, change.text, person_id, now
            )
            await _tell_leaders(session, ctx, change, person_id, now)
        else:
            await followups.choose(session, change.local_goal_id, change.measurement_date, change.answer, person_id)
    return list(result.replies)


async def _tell_leaders(
    session: AsyncSession, ctx: FollowUpContext, change: FollowUpAnswer, person_id: int, now: datetime
) -> None:
    """The answer, summarised to the institution's leaders as an outbox item (sent on the next tick)."""
    by = await session.scalar(select(Person.name).where(Person.id == person_id)) or ""
    items = []
    for leader in await people.board_people(session, ctx.institution_id, (Role.LEADER.value,)):
        lt = texts(leader.locale)
        reply = render.followup_summary_reply(
            lt, ctx.institution_name, ctx.local_goal_text, ctx.measurement_date, change.answer, change.text, by
        )
        why = f"follow-up answered for {ctx.institution_name} (local goal {ctx.local_goal_id})"
        items.append(
            NewItem(
                FOLLOWUP_SUMMARY,
                person_recipient(leader.id),
                f"lg:{ctx.local_goal_id}:{ctx.measurement_date.isoformat()}",
                now,
                render.person_payload(leader.id, leader.name, [reply], why),
            )
        )
    await outbox.enqueue(session, items, now)
