"""Dates the registration conversation checks and names: the strategy's deadline (is / was), measurement
dates that have already passed (offered a year on), a «when» without a month (asked once more), the local
goals without a date to remind about (listed before sending in), and last period's measurement dates that
lie outside a new period (year on year). Pure functions of the turn; today is the turn's `ctx.today`."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from babel.dates import format_date, format_skeleton

from dialogs.context import Turn
from dialogs.messages import Choice
from dialogs.strategy import QuestionKind, Strategy
from dialogs.texts import Texts
from dialogs.when_parser import next_occurrence
from storage.registrations import DraftData


def month_or_day(day: date, locale: str) -> str:
    """«marts 2027» for the first of a month (what «marts 2027» is read as), else «15. marts 2027»."""
    if day.day == 1:
        return format_skeleton("yMMMM", day, locale=locale)
    return format_date(day, format="long", locale=locale)


def dates_text(days: Iterable[date], locale: str) -> str:
    return ", ".join(month_or_day(d, locale) for d in days)


def deadline_sentence(t: Texts, strategy: Strategy, today: date) -> str | None:
    """«Fristen er 15. januar 2027.», or «Fristen var …» once it has passed; None without a deadline."""
    deadline = strategy.deadline
    if deadline is None:
        return None
    day = format_date(deadline, format="long", locale=t.locale)
    if today > deadline:
        return t("The deadline was {deadline}.", deadline=day)
    return t("The deadline is {deadline}.", deadline=day)


# -- measurement dates in the past -----------------------------------------------------------------------


def read_dates(isodates: Iterable[str]) -> list[date]:
    return [date.fromisoformat(d) for d in isodates]


def passed(isodates: Iterable[str], today: date) -> list[date]:
    """The dates (as held in `Pending.dates`) that lie before today."""
    return [d for d in read_dates(isodates) if d < today]


def moved_on(isodates: Iterable[str], today: date) -> list[date]:
    """The dates with each passed one moved to the same day in the first year where it has not passed."""
    return sorted({next_occurrence(d, today) for d in read_dates(isodates)})


def moved_when(text: str, isodates: Iterable[str], today: date, locale: str) -> str:
    """The «when» as typed, with the year of the passed dates changed («marts 2025» → «marts 2027») where
    that is one plain replacement; else the new dates in words."""
    old = passed(isodates, today)
    old_years = {d.year for d in old}
    new_years = {next_occurrence(d, today).year for d in old}
    if len(old_years) == 1 and len(new_years) == 1:
        year, new = str(old_years.pop()), str(new_years.pop())
        replaced, n = re.subn(rf"(?<!\d){year}(?!\d)", new, text)
        if n:
            return replaced
    return dates_text(moved_on(isodates, today), locale)


def ask_past(turn: Turn) -> Turn:
    """«Det er allerede passeret – mener I marts 2027?», with yes and no."""
    t, today, isodates = turn.t, turn.ctx.today, turn.state.pending.dates
    old, new = passed(isodates, today), dates_text(moved_on(isodates, today), t.locale)
    if len(old) == len(isodates):
        text = t("That has already passed – do you mean {dates}?", dates=new)
    else:
        text = t(
            "That has already passed ({passed}) – do you mean {dates}?", passed=dates_text(old, t.locale), dates=new
        )
    choices = (Choice("past:yes", t("Yes, {dates}", dates=new)), Choice("past:no", t("No, another date")))
    return turn.say(text, choices=choices, kind="question")


# -- a «when» without a month ----------------------------------------------------------------------------


def ask_month(turn: Turn) -> Turn:
    """The one follow-up question after a «when» with no date in it («efter jul», «løbende»)."""
    t, today = turn.t, turn.ctx.today
    example = month_or_day(next_occurrence(date(today.year, 3, 1), today), t.locale)
    text = t(
        "I could not read a month in «{text}». Which month do you expect to measure? Write for example «{example}».",
        text=turn.state.pending.vague,
        example=example,
    )
    return turn.say(text, choices=(Choice("skip", t("Keep what we wrote")),), kind="question")


# -- local goals without a date -------------------------------------------------------------------------


def measurement_keys(strategy: Strategy) -> list[str]:
    return [q.key for q in strategy.questions if q.kind is QuestionKind.MEASUREMENT]


def undated(strategy: Strategy, draft: DraftData) -> list[tuple[str, str]]:
    """(«1.2», «1.2 Flere ture ud af huset («efter jul»)») for each local goal whose measurement is answered
    but names no date the bot can remind about (an unanswered one is listed as missing instead)."""
    first, keys, found = strategy.first_question.key, measurement_keys(strategy), []
    for lg in draft.local_goals:
        values = [lg.answers.get(k) for k in keys]
        answered = [v for v in values if isinstance(v, dict) and (v.get("method") or v.get("when"))]
        if answered and not any(v.get("dates") for v in answered):
            ref = f"{lg.goal_number}.{lg.position}"
            whens = [str(v["when"]) for v in answered if v.get("when")]
            found.append((ref, f"{ref} {lg.answers.get(first, '')}" + (f" («{whens[0]}»)" if whens else "")))
    return found


def undated_note(t: Texts, strategy: Strategy, draft: DraftData) -> str | None:
    """What the review and «indsend» say about the local goals without a date; None when all have one."""
    found = undated(strategy, draft)
    if not found:
        return None
    return "\n".join(
        [
            t("These local goals have no date I can remind you of:"),
            *(f"• {line}" for _, line in found),
            t("Write «edit goal {number}» if you want to give one a month.", number=found[0][0]),
        ]
    )


# -- year on year ---------------------------------------------------------------------------------------


def outside_period(strategy: Strategy, value: Any) -> list[date]:
    """The dates of a measurement answer that lie outside the strategy's period."""
    if not isinstance(value, dict):
        return []
    days = read_dates(str(d) for d in value.get("dates") or ())
    return [d for d in days if not strategy.period.start <= d <= strategy.period.end]
