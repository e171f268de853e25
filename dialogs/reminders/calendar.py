"""When the bot may write: Danish working days, outside school holidays and quiet hours.

Wall-clock times are local (Europe/Copenhagen by default) and turned into UTC only at the end, so
a 09:00 reminder stays at 09:00 across the switches to and from summer time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from types import MappingProxyType
from zoneinfo import ZoneInfo

import holidays

from dialogs.strategy import DateRange, ReminderSettings, clock

MAX_DAYS_AHEAD = 400  # a guard: no calendar blocks more than a year in a row


@cache
def danish_public_holidays(year: int) -> Mapping[date, str]:
    """Danish public holidays (helligdage) of one year and their names, from the `holidays` package."""
    return MappingProxyType(dict(holidays.country_holidays("DK", years=year)))


@dataclass(frozen=True, slots=True)
class Calendar:
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Copenhagen"))
    school_holidays: tuple[DateRange, ...] = ()
    quiet_start: time = time(18, 0)
    quiet_end: time = time(8, 0)

    @classmethod
    def from_settings(cls, settings: ReminderSettings) -> Calendar:
        return cls(
            ZoneInfo(settings.timezone),
            settings.school_holidays,
            clock(settings.quiet_hours.start),
            clock(settings.quiet_hours.end),
        )

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz)

    def at(self, day: date, wall: time) -> datetime:
        """`day` at local wall-clock time `wall`, as an aware UTC datetime."""
        return datetime.combine(day, wall, tzinfo=self.tz).astimezone(UTC)

    def why_not_working(self, day: date) -> str | None:
        """None on a working day, else the reason ("weekend", a holiday's name, "school holiday")."""
        if day.weekday() >= 5:
            return "weekend"
        holiday = danish_public_holidays(day.year).get(day)
        if holiday is not None:
            return holiday
        for span in self.school_holidays:
            if day in span:
                return span.name or "school holiday"
        return None

    def is_working_day(self, day: date) -> bool:
        return self.why_not_working(day) is None

    def next_working_day(self, day: date) -> date:
        """`day` itself if it is a working day, else the first working day after it."""
        for _ in range(MAX_DAYS_AHEAD):
            if self.is_working_day(day):
                return day
            day += timedelta(days=1)
        raise ValueError("no working day within a year: check the school holidays")

    def is_quiet(self, wall: time) -> bool:
        if self.quiet_start == self.quiet_end:
            return False
        if self.quiet_start > self.quiet_end:  # over midnight, e.g. 18:00-08:00
            return wall >= self.quiet_start or wall < self.quiet_end
        return self.quiet_start <= wall < self.quiet_end

    def may_send(self, now: datetime) -> bool:
        local = self.local(now)
        return self.is_working_day(local.date()) and not self.is_quiet(local.time())

    def send_time(self, nominal: datetime) -> datetime:
        """The first moment at or after `nominal` when the bot may write: on a working day, outside
        quiet hours (moved to the end of the quiet hours, on the next working day if need be)."""
        local = self.local(nominal)
        day, wall = local.date(), local.time().replace(tzinfo=None)
        if self.is_quiet(wall):
            if self.quiet_start > self.quiet_end and wall >= self.quiet_start:
                day += timedelta(days=1)
            wall = self.quiet_end
        return self.at(self.next_working_day(day), wall)
