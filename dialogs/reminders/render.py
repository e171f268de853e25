"""The reminders' texts, as neutral replies in the reader's language.

Replies are kept small (at most `CHUNK` institutions each); the channel renderers split further where
their platform needs it (Slack: 50 blocks, 3000 characters per text; Teams: about 80 KB per card)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from typing import Any

from babel.dates import format_date

from dialogs.messages import Choice, Reply
from dialogs.reminders.model import InstitutionInfo, MeasurementInfo
from dialogs.strategy import Strategy
from dialogs.texts import Texts, texts
from dialogs.views import status_label

CHUNK = 20  # institutions per reply
DONE_MARK, STARTED_MARK, MISSING_MARK = "✓", "◐", "✗"
ANSWERS = ("on_track", "partly", "off_track")


def reply_to_json(reply: Reply) -> dict[str, Any]:
    return {
        "text": reply.text,
        "choices": [[c.id, c.label] for c in reply.choices],
        "facts": [list(f) for f in reply.facts],
        "title": reply.title,
        "kind": reply.kind,
    }


def reply_from_json(data: dict[str, Any]) -> Reply:
    return Reply(
        str(data["text"]),
        choices=tuple(Choice(str(i), str(label)) for i, label in data.get("choices", [])),
        facts=tuple((str(a), str(b)) for a, b in data.get("facts", [])),
        title=data.get("title"),
        kind=str(data.get("kind", "message")),
    )


def person_payload(person_id: int, name: str, replies: Sequence[Reply], why: str, **extra: object) -> dict[str, Any]:
    """An outbox payload for a DM: who, the rendered replies, and why it is sent."""
    return {
        "to": {"person_id": person_id},
        "to_name": name,
        "replies": [reply_to_json(r) for r in replies],
        "why": why,
        **extra,
    }


def long_date(t: Texts, day: date) -> str:
    return _long_date(t.locale, day)


@lru_cache(maxsize=1024)
def _long_date(locale: str, day: date) -> str:
    """Babel's formatting parses the pattern each time (about 0.1 ms): a tick with thousands of reminders
    names the same few dates, so they are formatted once."""
    return format_date(day, format="long", locale=locale)


def mark(institution: InstitutionInfo, goal_number: int) -> str:
    """✓ the goal has local goals and the board has submitted, ◐ it has local goals, ✗ none yet."""
    if not institution.goals.get(goal_number):
        return MISSING_MARK
    return DONE_MARK if institution.done else STARTED_MARK


def legend(t: Texts) -> str:
    return t("✓ done · ◐ started · ✗ missing")


def _row_value(t: Texts, strategy: Strategy, institution: InstitutionInfo) -> str:
    marks = "  ".join(f"{g.number} {mark(institution, g.number)}" for g in strategy.goals)
    return f"{marks} · {_status(t, institution.status)}"


def _status(t: Texts, status: str) -> str:
    return _status_label(t.locale, status)


@lru_cache(maxsize=64)
def _status_label(locale: str, status: str) -> str:
    return status_label(texts(locale), status)


def _total_value(t: Texts, strategy: Strategy, rows: Sequence[InstitutionInfo]) -> str:
    per_goal = "  ".join(
        f"{g.number}: {sum(1 for r in rows if mark(r, g.number) == DONE_MARK)}/{len(rows)}" for g in strategy.goals
    )
    done = sum(1 for r in rows if r.done)
    return t("{done} of {total} submitted", done=done, total=len(rows)) + f" · {per_goal}"


def progress_table(t: Texts, strategy: Strategy, title: str, rows: Sequence[InstitutionInfo]) -> list[Reply]:
    """Institutions × strategic goals with a mark per cell and a total, one reply per `CHUNK` rows."""
    label = strategy.goal_label.get(t.locale)
    head = t("{label} 1–{n} per institution.", label=label.capitalize(), n=len(strategy.goals)) + " " + legend(t)
    total = (t("Total"), _total_value(t, strategy, rows))
    if not rows:
        return [Reply(t("No institutions."), title=title, kind="status")]
    replies = []
    chunks = [rows[i : i + CHUNK] for i in range(0, len(rows), CHUNK)]
    for n, chunk in enumerate(chunks, start=1):
        facts = tuple((r.name, _row_value(t, strategy, r)) for r in chunk)
        if n == len(chunks):
            facts += (total,)
        text = head if n == 1 else t("(continued, {n} of {total})", n=n, total=len(chunks))
        replies.append(Reply(text, facts=facts, title=title if n == 1 else None, kind="status"))
    return replies


def digest_replies(
    t: Texts, strategy: Strategy, area_name: str, rows: Sequence[InstitutionInfo], today: date
) -> list[Reply]:
    title = t("Weekly status for {area}, {date}", area=area_name, date=long_date(t, today))
    replies = progress_table(t, strategy, title, rows)
    if strategy.deadline is not None and today <= strategy.deadline:
        missing = sum(1 for r in rows if not r.done)
        if missing:
            deadline = long_date(t, strategy.deadline)
            note = t.plural(
                "{n} board has not submitted yet. The deadline is {deadline}.",
                "{n} boards have not submitted yet. The deadline is {deadline}.",
                missing,
                deadline=deadline,
            )
            replies.append(Reply(note, kind="status"))
    return replies


def municipality_summary(
    t: Texts, strategy: Strategy, areas: Sequence[tuple[str, Sequence[InstitutionInfo]]], today: date, worst: int = 10
) -> Reply:
    """The administration's weekly digest of a large municipality in one reply: the totals, and the areas
    furthest behind (lowest share submitted) with theirs; every institution is on the status page."""
    everyone = [r for _, rows in areas for r in rows]
    ranked = sorted(areas, key=lambda a: (sum(1 for r in a[1] if r.done) / max(len(a[1]), 1), a[0].casefold()))
    facts = [(name, _total_value(t, strategy, rows)) for name, rows in ranked[:worst]]
    if len(ranked) > worst:
        facts.append(("…", t("and {n} more", n=len(ranked) - worst)))
    text = t("Total") + ": " + _total_value(t, strategy, everyone) + ". " + legend(t)
    text += "\n" + t("Every institution is on the status page: write «statusside» to get a link.")
    title = t("Weekly status for the municipality, {date}", date=long_date(t, today))
    return Reply(text, facts=tuple(facts), title=title, kind="status")


def unreachable_reply(t: Texts, unreachable: Sequence[tuple[str, str]]) -> Reply:
    facts = tuple((who, why) for who, why in unreachable[:30])
    text = t.plural(
        "I could not reach {n} recipient this week:", "I could not reach {n} recipients this week:", len(unreachable)
    )
    return Reply(text, facts=facts, kind="status")


def continue_choice(t: Texts, institution: InstitutionInfo, several: bool) -> Choice:
    label = t("Continue with {institution}", institution=institution.name) if several else t("Continue")
    if institution.registration_id is None:
        return Choice("start", label)
    return Choice(f"board:{institution.registration_id}", label)


def nudge_reply(
    t: Texts, strategy: Strategy, name: str, boards: Sequence[InstitutionInfo], today: date | None = None
) -> Reply:
    names = ", ".join(b.name for b in boards)
    text = t(
        "Hi {name}! The board of {institutions} has not yet submitted its local goals for «{strategy}».",
        name=name,
        institutions=names,
        strategy=strategy.title_in(t.locale),
    )
    if strategy.deadline is not None:  # «Fristen var …» once it has passed
        day = long_date(t, strategy.deadline)
        passed = today is not None and today > strategy.deadline
        text += " " + (
            t("The deadline was {deadline}.", deadline=day)
            if passed
            else t("The deadline is {deadline}.", deadline=day)
        )
    text += " " + t("You can continue where the board is.")
    facts = tuple((b.name, _row_value(t, strategy, b)) for b in boards)
    choices = tuple(continue_choice(t, b, len(boards) > 1) for b in boards)
    return Reply(text, choices=choices, facts=facts, title=t("Reminder"), kind="question")


def escalation_reply(
    t: Texts, strategy: Strategy, days: int, what: str, target: date, boards: Sequence[InstitutionInfo]
) -> Reply:
    when = long_date(t, target)
    text = t.plural(
        "{what} is in {n} day ({date}), and these boards have not submitted yet:",
        "{what} is in {n} days ({date}), and these boards have not submitted yet:",
        days,
        what=what,
        date=when,
    )
    facts = tuple((b.name, _row_value(t, strategy, b)) for b in boards)
    choices = tuple(Choice(f"status:{b.name}", t("Status for {name}", name=b.name)) for b in boards[:5])
    return Reply(text, facts=facts, choices=choices, title=t("Deadline approaching"), kind="status")


def overdue_replies(
    t: Texts, strategy: Strategy, deadline: date, missing: Sequence[tuple[str, InstitutionInfo]]
) -> list[Reply]:
    """One list of the boards that missed the deadline: (area name, institution)."""
    day = long_date(t, deadline)
    text = t.plural(
        "The deadline was {deadline}. {n} board has not submitted:",
        "The deadline was {deadline}. {n} boards have not submitted:",
        len(missing),
        deadline=day,
    )
    replies = []
    for start in range(0, len(missing), CHUNK):
        chunk = missing[start : start + CHUNK]
        facts = tuple((f"{inst.name} ({area})", _row_value(t, strategy, inst)) for area, inst in chunk)
        first = start == 0
        body = text if first else t("(continued)")
        replies.append(
            Reply(body, facts=facts, title=t("Missing after the deadline") if first else None, kind="status")
        )
    return replies


def answer_label(t: Texts, answer: str) -> str:
    return {"on_track": t("On track"), "partly": t("Partly"), "off_track": t("Not on track")}.get(answer, answer)


def followup_choices(t: Texts, local_goal_id: int, day: date) -> tuple[Choice, ...]:
    return tuple(Choice(f"followup:{local_goal_id}:{day.isoformat()}:{a}", answer_label(t, a)) for a in ANSWERS)


def followup_reply(t: Texts, strategy: Strategy, institution: str, m: MeasurementInfo, day: date) -> Reply:
    label = strategy.goal_label.get(t.locale)
    text = t(
        "Follow-up for {institution}: you planned to measure the effect of this local goal around {date}. "
        "What did the measurement show, and is the local goal on track?",
        institution=institution,
        date=long_date(t, day),
    )
    facts = [(f"{label.capitalize()} {m.goal_number}", m.local_goal_text)]
    if m.method:
        facts.append((t("How it is measured"), m.method))
    return Reply(
        text,
        choices=followup_choices(t, m.local_goal_id, day),
        facts=tuple(facts),
        title=t("Follow-up"),
        kind="question",
    )


def followup_summary_reply(
    t: Texts, institution: str, local_goal: str, day: date, answer: str, text: str | None, by: str
) -> Reply:
    body = t(
        "{name} answered the follow-up for {institution} (measurement around {date}).",
        name=by,
        institution=institution,
        date=long_date(t, day),
    )
    facts = [(t("Local goal"), local_goal), (t("On track?"), answer_label(t, answer))]
    if text:
        facts.append((t("What the measurement showed"), text))
    return Reply(body, facts=tuple(facts), title=t("Follow-up answered"), kind="status")
