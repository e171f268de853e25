"""parse_when: Danish and English answers to "hvornår måles effekten?" become dates."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from dialogs.when_parser import MAX_RECURRING, WhenParse, parse_when

TODAY = date(2024, 5, 15)  # a Wednesday in ISO week 20


def d(text: str) -> date:
    return date.fromisoformat(text)


def dates(*texts: str) -> tuple[date, ...]:
    return tuple(d(t) for t in texts)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # explicit dates and months with a year: honoured even in the past
        ("marts 2024", dates("2024-03-01")),
        ("Marts 2024", dates("2024-03-01")),
        ("MARTS 2024.", dates("2024-03-01")),
        ("i marts 2026", dates("2026-03-01")),
        ("1. marts 2024", dates("2024-03-01")),
        ("d. 1. marts 2024", dates("2024-03-01")),
        ("den 15. marts 2025", dates("2025-03-15")),
        ("15/3-2024", dates("2024-03-15")),
        ("15/3-24", dates("2024-03-15")),
        ("15/03/2024", dates("2024-03-15")),
        ("15.03.2024", dates("2024-03-15")),
        ("15-03-2024", dates("2024-03-15")),
        ("2024-03-15", dates("2024-03-15")),
        ("Vi måler d. 2024-03-15.", dates("2024-03-15")),
        ("March 2024", dates("2024-03-01")),
        ("in March 2024", dates("2024-03-01")),
        ("March 15, 2024", dates("2024-03-15")),
        ("15 March 2024", dates("2024-03-15")),
        ("okt 2025", dates("2025-10-01")),
        ("sept. 2025", dates("2025-09-01")),
        # relative months and days: the next one on or after today
        ("marts", dates("2025-03-01")),
        ("i marts", dates("2025-03-01")),
        ("I juni.", dates("2024-06-01")),
        ("maj", dates("2025-05-01")),
        ("15. maj", dates("2024-05-15")),  # today counts
        ("14. maj", dates("2025-05-14")),
        ("15/3", dates("2025-03-15")),
        ("in May", dates("2025-05-01")),
        ("june", dates("2024-06-01")),
        # weeks: Monday of the ISO week
        ("uge 12", dates("2025-03-17")),
        ("i uge 21", dates("2024-05-20")),
        ("uge 20", dates("2025-05-12")),  # this week's Monday has passed
        ("uge 12 2025", dates("2025-03-17")),
        ("uge 12, 2023", dates("2023-03-20")),
        ("uge 12 og 40", dates("2024-09-30", "2025-03-17")),
        ("uge 12 og 40 2025", dates("2025-03-17", "2025-09-29")),
        ("week 12", dates("2025-03-17")),
        ("week 12 2025", dates("2025-03-17")),
        ("uge 53", dates("2026-12-28")),  # the next year with a week 53
        ("uge 53 2026", dates("2026-12-28")),
        ("uge 53 2020", dates("2020-12-28")),
        # seasons: forår 1 March, sommer 1 June, efterår 1 September, vinter 1 December
        ("efterår 2025", dates("2025-09-01")),
        ("efteråret 2025", dates("2025-09-01")),
        ("foråret 2025", dates("2025-03-01")),
        ("i foråret", dates("2025-03-01")),
        ("i efteråret", dates("2024-09-01")),
        ("sommeren 2025", dates("2025-06-01")),
        ("i sommer", dates("2024-06-01")),
        ("vinteren 2024", dates("2024-12-01")),
        ("autumn 2025", dates("2025-09-01")),
        ("in the spring", dates("2025-03-01")),
        ("fall 2025", dates("2025-09-01")),
        ("winter", dates("2024-12-01")),
        # school year
        ("ved skoleårets start", dates("2024-08-01")),
        ("Ved skolestart", dates("2024-08-01")),
        ("ved skoleårets begyndelse", dates("2024-08-01")),
        ("ved skoleårets afslutning", dates("2024-06-01")),
        ("at the start of the school year", dates("2024-08-01")),
        ("at the end of the school year", dates("2024-06-01")),
        # combinations; a trailing year applies to every item of the list without one
        ("marts og oktober 2025", dates("2025-03-01", "2025-10-01")),
        ("januar, maj 2026", dates("2026-01-01", "2026-05-01")),
        ("januar,maj 2026", dates("2026-01-01", "2026-05-01")),
        ("i foråret og efteråret", dates("2024-09-01", "2025-03-01")),
        ("marts 2024 og oktober", dates("2024-03-01", "2024-10-01")),
        ("March and October 2025", dates("2025-03-01", "2025-10-01")),
        ("uge 12 og marts 2026", dates("2026-03-01", "2026-03-16")),
        ("efterår 2024 og forår 2025", dates("2024-09-01", "2025-03-01")),
        ("Trivselsmåling i marts og igen i oktober 2025", dates("2025-03-01", "2025-10-01")),
        ("Vi bruger KIDS i uge 40 og ved skoleårets afslutning", dates("2024-06-01", "2024-09-30")),
        ("marts, marts og i marts", dates("2025-03-01")),  # unique
    ],
)
def test_single_and_listed_dates(text: str, expected: tuple[date, ...]) -> None:
    assert parse_when(text, today=TODAY) == WhenParse(dates=expected, understood=True)


QUARTERS = dates(
    "2024-07-01", "2024-10-01", "2025-01-01", "2025-04-01", "2025-07-01", "2025-10-01", "2026-01-01",
    "2026-04-01",
)  # fmt: skip
HALF_YEARS = dates("2024-08-01", "2025-01-01", "2025-08-01", "2026-01-01")
YEARS = dates("2024-08-01", "2025-08-01")
MONTHS = tuple(date(2024 + (5 + i) // 12, (5 + i) % 12 + 1, 1) for i in range(24))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hvert kvartal", QUARTERS),
        ("Kvartalsvis.", QUARTERS),
        ("hver tredje måned", QUARTERS),
        ("every quarter", QUARTERS),
        ("quarterly", QUARTERS),
        ("to gange om året", HALF_YEARS),
        ("2 gange årligt", HALF_YEARS),
        ("hvert halve år", HALF_YEARS),
        ("halvårligt", HALF_YEARS),
        ("twice a year", HALF_YEARS),
        ("every six months", HALF_YEARS),
        ("semi-annually", HALF_YEARS),
        ("hver måned", MONTHS),
        ("månedligt", MONTHS),
        ("en gang om måneden", MONTHS),
        ("monthly", MONTHS),
        ("every month", MONTHS),
        ("hvert år", YEARS),
        ("årligt", YEARS),
        ("en gang om året", YEARS),
        ("ved det årlige tilsyn", YEARS),
        ("yearly", YEARS),
        ("annually", YEARS),
        ("once a year", YEARS),
        ("every year", YEARS),
        ("hvert år i marts", dates("2025-03-01", "2026-03-01")),
        ("årligt i marts og oktober", dates("2024-10-01", "2025-03-01", "2025-10-01", "2026-03-01")),
        ("hvert forår", dates("2025-03-01", "2026-03-01")),
        ("every year in June", dates("2024-06-01", "2025-06-01")),
        ("hvert år ved skoleårets afslutning", dates("2024-06-01", "2025-06-01")),
        ("hvert kvartal og i uge 21", (d("2024-05-20"), *QUARTERS)),
    ],
)
def test_recurring(text: str, expected: tuple[date, ...]) -> None:
    assert parse_when(text, today=TODAY) == WhenParse(dates=expected, understood=True)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "ved ikke",
        "asdf qwe",
        "!!!",
        "2025",  # a year alone is no date
        "min. 10 metoder",
        "uge 60",
        "uge 0",
        "week 54 2025",
        "uge 53 2025",  # 2025 has only 52 ISO weeks
        "31. februar 2025",
        "31/4-2025",
        "32/1",
        "29. februar 2025",
        "we may measure it",  # "may" the verb, not the month
        "the scores may fall",
        "jul",  # Christmas in Danish, not July
    ],
)
def test_not_understood(text: str) -> None:
    assert parse_when(text, today=TODAY) == WhenParse(dates=(), understood=False)


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("januar", date(2025, 12, 30), dates("2026-01-01")),
        ("december", date(2025, 12, 2), dates("2026-12-01")),
        ("december", date(2025, 12, 1), dates("2025-12-01")),
        ("i marts", date(2025, 3, 1), dates("2025-03-01")),
        # ISO week 1 of 2026 starts on Monday 29 December 2025, already passed on the 30th
        ("uge 1", date(2025, 12, 30), dates("2027-01-04")),
        ("uge 1", date(2025, 12, 29), dates("2025-12-29")),
        ("uge 1 2026", date(2025, 12, 30), dates("2025-12-29")),
        ("uge 52", date(2025, 12, 30), dates("2026-12-21")),
        ("uge 53", date(2026, 12, 29), dates("2032-12-27")),
        ("29/2", TODAY, dates("2028-02-29")),
        ("29. februar 2024", TODAY, dates("2024-02-29")),
        ("i vinter", date(2025, 12, 1), dates("2025-12-01")),
        ("hvert kvartal", date(2025, 1, 1), dates(
            "2025-01-01", "2025-04-01", "2025-07-01", "2025-10-01", "2026-01-01", "2026-04-01",
            "2026-07-01", "2026-10-01", "2027-01-01",
        )),
    ],
)  # fmt: skip
def test_today_boundaries(text: str, today: date, expected: tuple[date, ...]) -> None:
    assert parse_when(text, today=today).dates == expected


def test_until_limits_recurring_dates_only() -> None:
    until = date(2025, 1, 31)
    assert parse_when("hvert kvartal", today=TODAY, until=until).dates == dates(
        "2024-07-01", "2024-10-01", "2025-01-01"
    )
    assert parse_when("marts 2027", today=TODAY, until=until).dates == dates("2027-03-01")
    assert parse_when("i marts", today=TODAY, until=until).dates == dates("2025-03-01")


def test_until_before_today_gives_nothing_recurring() -> None:
    result = parse_when("hver måned", today=TODAY, until=date(2024, 1, 1))
    assert result == WhenParse(dates=(), understood=False)


def test_recurring_dates_are_capped() -> None:
    result = parse_when("hver måned", today=TODAY, until=date(2034, 1, 1))
    assert len(result.dates) == MAX_RECURRING == 24
    assert result.dates[0] == date(2024, 6, 1)


def test_monthly_includes_today_when_it_is_the_first() -> None:
    result = parse_when("månedligt", today=date(2025, 1, 1))
    assert result.dates[0] == date(2025, 1, 1)
    assert len(result.dates) == 24  # 25 firsts up to 2027-01-01, capped


def test_default_until_on_leap_day() -> None:
    result = parse_when("hvert kvartal", today=date(2024, 2, 29))
    assert result.dates[-1] == date(2026, 1, 1)


def test_result_is_sorted_unique_and_frozen() -> None:
    result = parse_when("oktober 2025, marts 2025 og 1/3-2025", today=TODAY)
    assert result.dates == dates("2025-03-01", "2025-10-01")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.understood = False  # type: ignore[misc]
