"""Personal data a board must not write into its registration: CPR numbers (the Danish personal
identification number, ddmmyy-xxxx or ddmmyyxxxx, where ddmmyy is a real date).

An answer that holds one is refused before it reaches the state, the draft or the audit log, and the
refusal does not repeat it. The date check keeps ordinary ten-digit numbers (an EAN, a phone number
with a prefix) from being mistaken for one in most cases."""

from __future__ import annotations

import re
from calendar import isleap

from dialogs.texts import Texts

_CANDIDATE = re.compile(r"(?<![\d-])(\d{2})(\d{2})(\d{2})[-\u2010\u2011\u2013]?(\d{4})(?![\d-])")
_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _real_date(day: int, month: int, year: int) -> bool:
    """ddmmyy is a date in 1900-2099 (29 February only in a year that has one)."""
    if not 1 <= month <= 12 or not 1 <= day <= _DAYS[month - 1]:
        return False
    return not (month == 2 and day == 29) or isleap(1900 + year) or isleap(2000 + year)


def contains_cpr(text: str) -> bool:
    """True when `text` holds something that is written like a CPR number and starts with a real date."""
    return any(_real_date(int(m.group(1)), int(m.group(2)), int(m.group(3))) for m in _CANDIDATE.finditer(text))


def refusal(t: Texts) -> str:
    """Why the answer was not saved (it does not repeat the answer)."""
    return t(
        "Your answer looks like it contains a CPR number, so I have not saved it. Please write it again "
        "without CPR numbers or other details about individual children or adults: the registration is "
        "about your board's goals, and many people can read it."
    )
