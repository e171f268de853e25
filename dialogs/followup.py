"""The measurement follow-up conversation, a flow run by the engine: "what did the measurement show, is
the local goal on track?"

The question (see `dialogs.reminders.render.followup_reply`) offers three choices, on track / partly /
not on track, with ids `followup:<local goal id>:<date>:<answer>`. Then:

```mermaid
stateDiagram-v2
    [*] --> open: reminder sent
    open --> chosen: a choice (or its label typed)
    chosen --> answered: a few words, or «skip»
    chosen --> chosen: another choice (changes the answer)
    answered --> [*]: summary to the institution's leader
```

Its phase is read from the follow-up row (`storage.followups`), not from the person's conversation state:
any board member may answer, and the one who chose is asked for the words. `flow` is pure, like the
registration's handlers: a `Turn` (whose context holds the open follow-up) and one inbound message in, a
new turn out with the replies and a `FollowUpAnswer` change, or None when the message is not for this
flow (the registration flow then handles it). `edge` is its `dialogs.flows.FlowEdge`, routed by the
service: it loads the open follow-up, runs the flow with `engine.offer`, and stores the answer in the same
transaction, with the summary for the leader as an outbox item (`handle_followup`: the same, on its own)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.changes import FollowUpAnswer
from dialogs.cleaning import clean_text, fold
from dialogs.commands import Cmd, parse_command
from dialogs.context import Context, Step, Turn
from dialogs.engine import offer
from dialogs.flows import Offer, Who
from dialogs.messages import Choice, Inbound, Reply
from dialogs.reminders import render
from dialogs.reminders.model import FOLLOWUP_SUMMARY, person_recipient
from dialogs.sensitive import contains_cpr, refusal
from dialogs.state import State
from dialogs.texts import Texts, texts
from storage import followups, outbox, people, policy
from storage.followups import FollowUpContext
from storage.outbox import NewItem

__all__ = ["FollowUpAnswer", "FollowUpStep", "edge", "flow", "handle_followup", "parse_followup_choice", "step"]

MAX_TEXT = 2000
SKIP_WORDS = {"spring over", "spring", "skip", "ingen kommentar", "no comment", "-"}
BUTTONS = ("followup:", "followup-skip:")


class Phase(StrEnum):
    OPEN = "open"  # no answer yet, or one chosen by someone else
    CHOSEN = "chosen"  # this person chose; their few words are awaited
    ANSWERED = "answered"


def phase(followup: FollowUpContext, person_id: int | None) -> Phase:
    if followup.complete:
        return Phase.ANSWERED
    if followup.answer is not None and followup.answered_by_id == person_id:
        return Phase.CHOSEN
    return Phase.OPEN


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


# -- the flow ---------------------------------------------------------------------------------------------


def flow(turn: Turn, inbound: Inbound) -> Turn | None:
    """One message about the open follow-up (`turn.ctx.followup`); None when it is not for this flow."""
    followup = turn.ctx.followup
    if inbound.choice and not inbound.choice.startswith(BUTTONS):
        return None
    if followup is None:
        return turn.say(turn.t("That follow-up is no longer open."), kind="error") if inbound.choice else None
    return PHASES[phase(followup, turn.ctx.person_id)](turn, followup, inbound)


def _chose(turn: Turn, followup: FollowUpContext, answer: str) -> Turn:
    key = (followup.local_goal_id, followup.measurement_date)
    said = turn.say(
        turn.t(
            "Thank you: «{answer}». In a few words, what did the measurement show?",
            answer=render.answer_label(turn.t, answer),
        ),
        choices=(Choice(f"followup-skip:{key[0]}:{key[1].isoformat()}", turn.t("Skip")),),
        kind="question",
    )
    return said.change(FollowUpAnswer(*key, answer))


def _saved(turn: Turn, followup: FollowUpContext, text: str | None) -> Turn:
    assert followup.answer is not None
    said = turn.say(
        turn.t("Saved in the local goal's follow-up history. I have told the institution's leader. Thank you!")
    )
    key = (followup.local_goal_id, followup.measurement_date)
    return said.change(FollowUpAnswer(*key, followup.answer, text, complete=True))


def _button(turn: Turn, followup: FollowUpContext, choice: str) -> Turn | None:
    parsed = parse_followup_choice(choice)
    if parsed is None or parsed[:2] != (followup.local_goal_id, followup.measurement_date):
        return None
    if parsed[2] is not None:
        return _chose(turn, followup, parsed[2])
    if followup.answer is None:  # «skip» before any answer: ask again
        return turn.say(turn.t("Please choose first whether the local goal is on track."), kind="error")
    return _saved(turn, followup, None)


def _open(turn: Turn, followup: FollowUpContext, inbound: Inbound) -> Turn | None:
    if inbound.choice:
        return _button(turn, followup, inbound.choice)
    answer = typed_answer(clean_text(inbound.text or ""), turn.t)
    return _chose(turn, followup, answer) if answer is not None else None


def _chosen(turn: Turn, followup: FollowUpContext, inbound: Inbound) -> Turn | None:
    if inbound.choice:
        return _button(turn, followup, inbound.choice)
    text = clean_text(inbound.text or "")
    if not text:
        return None
    if fold(text) in SKIP_WORDS:
        return _saved(turn, followup, None)
    command = parse_command(text)
    if command is not None and command.cmd is not Cmd.SKIP:
        return None  # "hjælp", "status", ...: the registration flow answers; the follow-up waits
    answer = typed_answer(text, turn.t)
    if answer is not None:  # a change of mind before the words
        return _chose(turn, followup, answer)
    if contains_cpr(text):  # not kept anywhere; the follow-up waits for words without it
        return turn.say(refusal(turn.t), kind="error")
    return _saved(turn, followup, text[:MAX_TEXT])


def _answered(turn: Turn, followup: FollowUpContext, inbound: Inbound) -> Turn | None:
    if not inbound.choice:
        return None
    t = turn.t
    said = t(
        "{name} already answered this follow-up on {date}: «{answer}».",
        name=followup.answered_by_name or t("Someone"),
        date=render.long_date(t, (followup.answered_at or datetime.min).date()),
        answer=render.answer_label(t, followup.answer or ""),
    )
    return turn.say(said)


PhaseHandler = Callable[[Turn, FollowUpContext, Inbound], Turn | None]
PHASES: dict[Phase, PhaseHandler] = {Phase.OPEN: _open, Phase.CHOSEN: _chosen, Phase.ANSWERED: _answered}


@dataclass(frozen=True, slots=True)
class FollowUpStep:
    replies: tuple[Reply, ...]
    change: FollowUpAnswer | None = None


def followup_context(followup: FollowUpContext | None, person_id: int, locale: str, today: date) -> Context:
    """The engine's context for the follow-up flow alone (no registration in it)."""
    return Context(None, "", locale, (), {}, today, person_id=person_id, followup=followup)


def step(followup: FollowUpContext, inbound: Inbound, t: Texts, person_id: int) -> FollowUpStep | None:
    """The flow on its own, for one message: replies and the answer to store, or None."""
    done = offer(followup_context(followup, person_id, t.locale, date.min), State(), inbound, flow)  # no day read
    if done is None:
        return None
    change = next((c for c in done.changes if isinstance(c, FollowUpAnswer)), None)
    return FollowUpStep(done.replies, change)


# -- the edge: storage before and after the flow --------------------------------------------------------


async def edge(s: AsyncSession, who: Who, inbound: Inbound, state: State, run: Offer) -> Step | None:
    """The follow-up's edge (`dialogs.flows.FlowEdge`): None when the message is not about a follow-up; else
    the open follow-up is loaded, the flow run, and the answer stored in `s`. The person's state is left as
    it was: the follow-up's phase is in its row."""
    if inbound.choice and not inbound.choice.startswith(BUTTONS):
        return None
    if not inbound.choice and not who.open_followup:
        return None
    parsed = parse_followup_choice(inbound.choice) if inbound.choice else None
    if inbound.choice and parsed is None:
        followup = None
    else:
        key = (parsed[0], parsed[1]) if parsed is not None else None
        followup = await followups.open_for(s, who.person_id, set(who.boards), key)
    done = run(followup_context(followup, who.person_id, who.locale, who.now.date()), State(), inbound, flow)
    if done is None:
        return None
    for change in done.changes:
        if isinstance(change, FollowUpAnswer) and followup is not None:
            await save_answer(s, followup, change, who.person_id, who.now)
    return Step(state, done.replies, done.changes)


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
    """The edge on its own: None when the message is not about a follow-up; else the answer is stored in
    `session` and the replies are returned. `boards` (the person's institutions) and `anything_open`
    (False: no follow-up waits for them, see `storage.turn_facts`) save the look-ups."""
    if inbound.choice and not inbound.choice.startswith(BUTTONS):
        return None
    if boards is None:
        boards = {b.institution_id for b in await people.boards_of(session, person_id)}
    who = Who(person_id, locale, now, now.date(), frozenset(boards), anything_open)
    done = await edge(session, who, inbound, State(), offer)
    return list(done.replies) if done is not None else None


async def save_answer(
    session: AsyncSession, followup: FollowUpContext, change: FollowUpAnswer, person_id: int, now: datetime
) -> None:
    if not change.complete:
        await followups.choose(session, change.local_goal_id, change.measurement_date, change.answer, person_id)
        return
    await followups.complete(session, change.local_goal_id, change.measurement_date, change.text, person_id, now)
    await _tell_leaders(session, followup, change, person_id, now)


async def _tell_leaders(
    session: AsyncSession, ctx: FollowUpContext, change: FollowUpAnswer, person_id: int, now: datetime
) -> None:
    """The answer, summarised to the institution's leaders as an outbox item (sent on the next tick)."""
    by = await followups.person_name(session, person_id)
    items = []
    for leader in await people.told_on_board(session, ctx.institution_id, policy.Occasion.FOLLOWUP_SUMMARY):
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
