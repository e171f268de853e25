"""Read the answer to "when is the effect measured?" (Danish or English) into dates.

    parse_when("marts og oktober 2025", today=date(2024, 5, 1))  ->  2025-03-01, 2025-10-01

Relative phrases ("i marts", "uge 12", "i efteråret", "15/3") mean the next such date on or after
`today`; an explicit year is honoured even when it is in the past ("marts 2024"). A year after a list
applies to every item of the list that has none ("januar, maj 2026"). Recurring phrases ("hvert
kvartal", "to gange om året", "every year in March", "hvert forår") give every date from `today` up to
`until` (default two years ahead), at most 24 per phrase. Words that are not about time are ignored,
so an answer that also names the method ("trivselsmåling i marts") still works. Standard library only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

MAX_RECURRING = 24

MONTHS: dict[str, int] = {
    "januar": 1,
    "january": 1,
    "jan": 1,
    "februar": 2,
    "february": 2,
    "feb": 2,
    "marts": 3,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "maj": 5,
    "may": 5,
    "juni": 6,
    "june": 6,
    "jun": 6,
    "juli": 7,
    "july": 7,  # not "jul": in Danish that is Christmas
    "august": 8,
    "aug": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "oktober": 10,
    "october": 10,
    "okt": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}
# A season means its first month: forår 1 March, sommer 1 June, efterår 1 September, vinter 1 December.
SEASONS: dict[str, int] = {
    "forår": 3,
    "foråret": 3,
    "spring": 3,
    "sommer": 6,
    "sommeren": 6,
    "summer": 6,
    "efterår": 9,
    "efteråret": 9,
    "autumn": 9,
    "fall": 9,
    "vinter": 12,
    "vinteren": 12,
    "winter": 12,
}
AMBIGUOUS = frozenset({"may", "mar", "fall", "spring"})  # also ordinary English words
WEEK_WORDS = frozenset({"uge", "ugerne", "week", "weeks"})
JOINERS = frozenset({"og", "and", "samt", "eller", "or"})
CONTEXT = frozenset({"i", "in", "the", "of", "by", "early", "late", "until", "til", "hvert", "hver"})
EACH = frozenset({"hvert", "hver", "every", "each"})
SEPARATORS = frozenset({",", "&", "+", "/", "-"})

_EVERY = r"(?:hvert|hver|every|each)"
# Quarterly: 1 January, April, July and October.
_QUARTERLY = re.compile(
    rf"\b{_EVERY} (?:kvartal|quarter)\b|\bkvartalsvis\b|\bquarterly\b"
    rf"|\b{_EVERY} (?:tredje|3\.?) måned\b|\bevery (?:three|3) months\b"
)
# Twice a year: 1 January and 1 August, the starts of the two halves of the school year (the Danish
# school year starts in August), so a board looks back on each half. Runs before the yearly pattern,
# whose "om året" / "årligt" it contains.
_HALF_YEARLY = re.compile(
    r"\b(?:to|2) gange (?:om året|årligt|om år|pr\.? år|per år)\b|\bhvert halve år\b|\bhalvårlig[te]?\b"
    r"|\btwice (?:a|per|every) year\b|\bevery (?:six|6) months\b|\bsemi-?annual(?:ly)?\b|\bhalf-?yearly\b"
)
_MONTHLY = re.compile(
    rf"\b{_EVERY} (?:måned|month)\b|\bmånedlig[te]?\b|\bmonthly\b"
    r"|\b(?:en|1) gang (?:om|pr\.?|per|hver) måned(?:en)?\b|\bonce (?:a|per) month\b"
)
# Yearly: 1 August, the start of the school year (also one of the half-yearly dates). With a month or
# season in the answer ("hvert år i marts") that month recurs instead.
_YEARLY = re.compile(
    rf"\b{_EVERY} (?:år|year)\b|\bårlig[te]?\b|\b(?:yearly|annually|annual)\b"
    r"|\b(?:en|1) gang (?:om året|årligt|pr\.? år|per år)\b|\bonce (?:a|per) year\b"
)
_RECURRING: tuple[tuple[re.Pattern[str], tuple[int, ...]], ...] = (
    (_QUARTERLY, (1, 4, 7, 10)),
    (_HALF_YEARLY, (1, 8)),
    (_MONTHLY, tuple(range(1, 13))),
)
# The school year starts 1 August and its end is taken as 1 June (measured before the summer holiday).
_SCHOOL_YEAR: tuple[tuple[re.Pattern[str], int], ...] = (
    (
        re.compile(
            r"\bskoleårets (?:start|begyndelse)\b|\bskolestart(?:en)?\b"
            r"|\b(?:start|beginning) of the school year\b"
        ),
        8,
    ),
    (
        re.compile(
            r"\bskoleårets (?:afslutning|slutning|slut)\b|\bskoleårsafslutning(?:en)?\b"
            r"|\bend of the school year\b"
        ),
        6,
    ),
)
_TOKEN = re.compile(
    r"(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2})(?!\d)"
    r"|(?P<dd>\d{1,2})[./](?P<dm>\d{1,2})(?:[./-](?P<dy>\d{4}|\d{2}))?(?!\d)"
    r"|(?P<xd>\d{1,2})-(?P<xm>\d{1,2})-(?P<xy>\d{4}|\d{2})(?!\d)"
    r"|(?P<num>\d+)|(?P<word>[^\W\d_]+)|(?P<sep>[,&+/-])"
)


@dataclass(frozen=True, slots=True)
class WhenParse:
    dates: tuple[date, ...]  # sorted, unique
    understood: bool  # False when nothing could be read (then dates == ())


class _Tok(NamedTuple):
    kind: str  # "date", "num", "word" or "sep"
    text: str
    ymd: tuple[int | None, int, int] = (None, 0, 0)


@dataclass(slots=True)
class _Item:
    month: int = 0
    day: int = 1
    week: int = 0
    year: int | None = None
    every: bool = False


def _year(text: str | None) -> int | None:
    if text is None:
        return None
    return int(text) + 2000 if len(text) == 2 else int(text)


def _tokens(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    for m in _TOKEN.finditer(text):
        g = m.groupdict()
        if g["iy"]:
            toks.append(_Tok("date", m[0], (int(g["iy"]), int(g["im"]), int(g["id"]))))
        elif g["dd"]:
            toks.append(_Tok("date", m[0], (_year(g["dy"]), int(g["dm"]), int(g["dd"]))))
        elif g["xd"]:
            toks.append(_Tok("date", m[0], (_year(g["xy"]), int(g["xm"]), int(g["xd"]))))
        else:
            kind = next(k for k in ("num", "word", "sep") if g[k])
            toks.append(_Tok(kind, m[0]))
    return toks


def _word(toks: list[_Tok], i: int) -> str | None:
    return toks[i].text if 0 <= i < len(toks) and toks[i].kind != "num" else None


def _is_month_word(toks: list[_Tok], i: int) -> bool:
    """Whether toks[i] names a month or season; "may", "fall" etc. only where a date fits."""
    w = toks[i].text
    if w not in MONTHS and w not in SEASONS:
        return False
    if w not in AMBIGUOUS:
        return True
    prev, nxt = _word(toks, i - 1), toks[i + 1] if i + 1 < len(toks) else None
    if len(toks) == 1 or prev in CONTEXT | JOINERS | EACH | SEPARATORS:
        return True
    return nxt is not None and (nxt.kind in ("num", "date", "sep") or nxt.text in JOINERS)


def _items(toks: list[_Tok]) -> list[_Item]:
    items: list[_Item] = []
    pending: list[_Item] = []  # items still waiting for a year that may follow

    def add(item: _Item) -> None:
        items.append(item)
        if item.year is None:
            pending.append(item)

    i = 0
    while i < len(toks):
        tok = toks[i]
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if tok.kind == "date":
            year, month, day = tok.ymd
            add(_Item(month=month, day=day, year=year))
        elif tok.kind == "num" and len(tok.text) == 4 and 1900 <= int(tok.text) <= 2200:
            for item in pending:
                item.year = int(tok.text)
            pending.clear()
        elif tok.kind == "num" and nxt and nxt.text in MONTHS and 1 <= int(tok.text) <= 31:  # "1. marts"
            add(_Item(month=MONTHS[nxt.text], day=int(tok.text)))
            i += 1
        elif tok.kind == "word" and tok.text in WEEK_WORDS:  # "uge 12", "uge 12 og 40 2025"
            i += 1
            while i < len(toks) and (
                toks[i].kind == "sep" or toks[i].text in JOINERS or (toks[i].kind == "num" and len(toks[i].text) < 4)
            ):
                if toks[i].kind == "num" and 1 <= int(toks[i].text) <= 53:
                    add(_Item(week=int(toks[i].text)))
                i += 1
            continue
        elif tok.kind == "word" and _is_month_word(toks, i):
            item = _Item(month=MONTHS.get(tok.text) or SEASONS[tok.text], every=_word(toks, i - 1) in EACH)
            if tok.text in MONTHS and nxt and nxt.kind == "num" and 1 <= int(nxt.text) <= 31:  # "march 15"
                item.day = int(nxt.text)
                i += 1
            add(item)
        i += 1
    return items


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def next_occurrence(day: date, today: date) -> date:
    """The same day of the year on or after `today` («marts 2025» read in November 2026: 1 March 2027);
    `day` itself when it has not passed."""
    years = max(0, today.year - day.year)
    moved = _add_years(day, years)
    return moved if moved >= today else _add_years(day, years + 1)


def _resolve(item: _Item, today: date, until: date) -> list[date]:
    years = [item.year] if item.year is not None else list(range(today.year - 1, today.year + 9))
    found: list[date] = []
    for year in years:
        try:
            d = date.fromisocalendar(year, item.week, 1) if item.week else date(year, item.month, item.day)
        except ValueError:  # week 53 in a year without one, 31 April, 29 February
            continue
        if item.year is not None:
            return [d]
        if d < today or (item.every and d > until):
            continue
        if not item.every:
            return [d]
        found.append(d)
    return found[:MAX_RECURRING]


def _recurring(months: tuple[int, ...], today: date, until: date) -> list[date]:
    found = [
        d
        for year in range(today.year, until.year + 1)
        for month in months
        if today <= (d := date(year, month, 1)) <= until
    ]
    return found[:MAX_RECURRING]


def parse_when(text: str, *, today: date, until: date | None = None) -> WhenParse:
    """The dates an answer such as "marts og oktober 2025" or "hvert kvartal" names."""
    until = until or _add_years(today, 2)
    text = " " + re.sub(r"[–—]", "-", text.casefold()) + " "
    text = re.sub(r"[.,;:!?)(]+(?=\s)", lambda m: "," if "," in m[0] else " ", text)
    dates: set[date] = set()
    for pattern, months in _RECURRING:
        if pattern.search(text):
            text = pattern.sub(" ", text)
            dates.update(_recurring(months, today, until))
    yearly = bool(_YEARLY.search(text))
    text = _YEARLY.sub(" ", text)
    items = [_Item(month=month) for pattern, month in _SCHOOL_YEAR if pattern.search(text)]
    for pattern, _ in _SCHOOL_YEAR:
        text = pattern.sub(" ", text)
    items += _items(_tokens(text))
    if yearly:
        relative = [item for item in items if item.year is None and not item.week]
        for item in relative:
            item.every = True
        if not relative:
            dates.update(_recurring((8,), today, until))
    for item in items:
        dates.update(_resolve(item, today, until))
    ordered = tuple(sorted(dates))
    return WhenParse(dates=ordered, understood=bool(ordered))
