"""Strategies as data: the YAML format, its validation and loading.

A strategy file looks like this (see README, "Strategy format")::

    key: almen-2023
    title: Styrkelse af almenområdet
    period: {start: 2023-05-01, end: 2027-12-31}
    deadline: 2023-11-30
    milestones:
      - {date: 2023-04-01, text: "Fællesrådsmøde: ..."}
    goals:
      - {number: 1, title: "Alle børn og unge ...", description: "..."}
    questions:
      - key: local_goal
        kind: text
        text: {da: "Hvilke lokale mål skal der til for at opnå mål {goal.number}?", en: "..."}
"""

from __future__ import annotations

import datetime as dt
import json
from datetime import date
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from dialogs.yaml_files import LineMap, read_yaml_mapping, validate

LOCALES = ("da", "en")
INSTITUTION_KINDS = ("dagtilbud", "skole")  # storage.models.InstitutionKind, as plain strings


class QuestionKind(StrEnum):
    TEXT = "text"  # one free-text answer
    LIST = "list"  # one or several items (interventions)
    MEASUREMENT = "measurement"  # how (method) and when (text, parsed into dates)
    CHOICE = "choice"  # one of the listed options


class Localised(BaseModel):
    """Text per locale; Danish is required, English falls back to Danish."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    da: str = Field(min_length=1)
    en: str | None = None

    def get(self, locale: str) -> str:
        if locale == "en" and self.en:
            return self.en
        return self.da


class Option(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str = Field(pattern=r"^[a-z0-9_-]+$")
    label: Localised


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str = Field(pattern=r"^[a-z0-9_]+$")
    kind: QuestionKind
    text: Localised
    help: Localised | None = None
    # the help for one kind of institution (dagtilbud | skole), so a daycare board gets daycare examples
    help_by_kind: dict[str, Localised] = Field(default_factory=dict)
    required: bool = True
    max_length: int = Field(default=2000, ge=1, le=20000)
    options: tuple[Option, ...] = ()

    @field_validator("help_by_kind")
    @classmethod
    def _institution_kinds(cls, value: dict[str, Localised]) -> dict[str, Localised]:
        unknown = sorted(set(value) - set(INSTITUTION_KINDS))
        if unknown:
            raise ValueError(f"help_by_kind: unknown institution kind {', '.join(unknown)} (known: dagtilbud, skole)")
        return value

    @model_validator(mode="after")
    def _options_match_kind(self) -> Question:
        if self.kind is QuestionKind.CHOICE and len(self.options) < 2:
            raise ValueError(f"question {self.key!r}: a choice needs at least two options")
        if self.kind is not QuestionKind.CHOICE and self.options:
            raise ValueError(f"question {self.key!r}: only a choice question has options")
        return self

    def render(self, locale: str, goal: Goal) -> str:
        """The question's text with {goal.number} and {goal.title} (in `locale` where the file has it) filled in."""
        text = self.text.get(locale)
        return text.replace("{goal.number}", str(goal.number)).replace("{goal.title}", goal.title_in(locale))

    def help_for(self, locale: str, institution_kind: str | None = None) -> str | None:
        """The help text for this kind of institution, else the general one (None when there is none)."""
        chosen = self.help_by_kind.get(institution_kind or "") or self.help
        return chosen.get(locale) if chosen else None


class Respondent(StrEnum):
    """Who answers a strategy for an institution."""

    BOARD = "board"  # the institution's board (bestyrelse): members answer, the chair submits
    LEADERSHIP = "leadership"  # the institution's leadership team (ledelsesteamet): its leaders answer and submit


class Goal(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    number: int = Field(ge=1)
    title: str = Field(min_length=1)
    description: str | None = None
    statements: tuple[str, ...] = ()  # what the strategy says under this goal, in its own words
    measuring_points: tuple[str, ...] = ()  # målepunkter: shown with the goal's question and in exports
    title_en: str | None = None  # the title in English, shown to people who chose English

    def title_in(self, locale: str) -> str:
        """The title in `locale`: the English one where the file has it, else the strategy's own words."""
        return self.title_en if locale == "en" and self.title_en else self.title


class Milestone(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    date: dt.date
    text: str = Field(min_length=1)
    end: dt.date | None = None  # for a span such as "Maj til november 2023"
    remind: bool = False  # a date the boards must meet: escalate before it like the deadline


class Period(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise ValueError("period: end is before start")
        return self


def _clock_time(value: Any) -> Any:
    """YAML 1.1 reads an unquoted 18:00 as the number 1080 (base 60); take it back as a time."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value // 60:02d}:{value % 60:02d}"
    return value


ClockTime = Annotated[str, BeforeValidator(_clock_time), Field(pattern=r"^([01]?\d|2[0-3]):[0-5]\d$")]


def clock(value: str) -> dt.time:
    hour, minute = value.split(":")
    return dt.time(int(hour), int(minute))


def _cron(value: str) -> str:
    from croniter import croniter

    if not croniter.is_valid(value) or len(value.split()) != 5:
        raise ValueError(f"not a cron expression with five fields: {value!r}")
    return value


Cron = Annotated[str, AfterValidator(_cron)]


class DateRange(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    start: dt.date
    end: dt.date
    name: str | None = None  # "efterårsferie"

    @model_validator(mode="after")
    def _ordered(self) -> DateRange:
        if self.end < self.start:
            raise ValueError("school holiday: end is before start")
        return self

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end


class QuietHours(BaseModel):
    """No messages from `start` in the evening to `end` in the morning (local time)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    start: ClockTime = "18:00"
    end: ClockTime = "08:00"


class AreaReminders(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    digest: Cron | None = None  # this area's digest rhythm instead of the strategy's


class ReminderSettings(BaseModel):
    """The reminder rhythm (all optional): see the README, «Reminders»."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    timezone: str = "Europe/Copenhagen"
    digest: Cron = "0 9 * * MON"  # the weekly progress digest in each area's channel
    nudge: Cron = "0 9 * * MON"  # DMs to members of boards that have not submitted (at most weekly)
    send_time: ClockTime = "09:00"  # escalations and follow-ups go out at this local time
    escalation_days: tuple[int, ...] = (14, 3)  # days before the deadline and reminding milestones
    overdue_days: int = Field(default=7, ge=1)  # how long after the deadline the one list may still go
    followup_days: int = Field(default=60, ge=1)  # how long an unanswered measurement date is still asked
    school_holidays: tuple[DateRange, ...] = ()
    quiet_hours: QuietHours = QuietHours()
    areas: dict[str, AreaReminders] = Field(default_factory=dict)  # by area name

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("escalation_days")
    @classmethod
    def _days(cls, days: tuple[int, ...]) -> tuple[int, ...]:
        if any(d < 1 for d in days) or len(set(days)) != len(days):
            raise ValueError("escalation_days: distinct whole days, each at least 1")
        return tuple(sorted(days, reverse=True))


class RhythmPoint(BaseModel):
    """An administration-set follow-up point: every year on `month`/`day`, each respondent is asked about
    each of its local goals (status), or to evaluate the year and revise (evaluation)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: str = Field(pattern=r"^(status|evaluation)$")
    month: int = Field(ge=1, le=12)
    day: int = Field(default=1, ge=1, le=28)
    text: Localised | None = None  # what the point is called, e.g. {da: "Status i marts"}


class Strategy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    title: str = Field(min_length=1)
    title_en: str | None = None  # the title in English, shown to people who chose English
    period: Period
    deadline: date | None = None
    milestones: tuple[Milestone, ...] = ()
    goals: tuple[Goal, ...] = Field(min_length=1)
    questions: tuple[Question, ...] = Field(min_length=1)
    # what a goal is called: «fælles mål», the seed's word, in every text (see README, «Words»)
    goal_label: Localised = Localised(da="fælles mål", en="goal")
    local_goal_label: Localised = Localised(da="lokalt mål", en="local goal")
    reminders: ReminderSettings = ReminderSettings()
    previous: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9_-]*$")  # last period's strategy key
    respondent: Respondent = Respondent.BOARD  # who answers: the board, or the leadership team
    description: str | None = None  # the vision or preamble, in the strategy's own words
    rhythm: tuple[RhythmPoint, ...] = ()  # administration-set follow-up points (status, evaluation)

    @field_validator("goals")
    @classmethod
    def _goal_numbers(cls, goals: tuple[Goal, ...]) -> tuple[Goal, ...]:
        numbers = [g.number for g in goals]
        if len(set(numbers)) != len(numbers):
            raise ValueError("goals: each goal needs its own number")
        return tuple(sorted(goals, key=lambda g: g.number))

    @field_validator("questions")
    @classmethod
    def _questions(cls, questions: tuple[Question, ...]) -> tuple[Question, ...]:
        keys = [q.key for q in questions]
        if len(set(keys)) != len(keys):
            raise ValueError("questions: each question needs its own key")
        if questions[0].kind is not QuestionKind.TEXT or not questions[0].required:
            raise ValueError("questions: the first question names the local goal and must be required text")
        return questions

    def title_in(self, locale: str) -> str:
        """The strategy's title in `locale`: the English one where the file has it."""
        return self.title_en if locale == "en" and self.title_en else self.title

    def goal(self, number: int) -> Goal:
        for g in self.goals:
            if g.number == number:
                return g
        raise KeyError(number)

    def question(self, key: str) -> Question:
        for q in self.questions:
            if q.key == key:
                return q
        raise KeyError(key)

    @property
    def first_question(self) -> Question:
        return self.questions[0]

    def answered_by(self, role: str) -> bool:
        """Whether someone with this institution role (member, chair, leader) answers the strategy."""
        if self.respondent is Respondent.LEADERSHIP:
            return role == "leader"
        return role in ("member", "chair", "leader")


class StrategyFileError(ValueError):
    """A strategy file that cannot be used; the message lists every problem."""


def parse_strategy(data: Any, source: str = "strategy", lines: LineMap | None = None) -> Strategy:
    """The one way a strategy is read, from a file (`load_strategy_file`, with line numbers) or from the
    definition stored in the database (`strategy_from_definition`)."""
    return validate(Strategy, data, source, StrategyFileError, lines)


def load_strategy_file(path: Path) -> Strategy:
    data, lines = read_yaml_mapping(path, StrategyFileError)
    return parse_strategy(data, str(path), lines)


@lru_cache(maxsize=32)
def _from_json(definition_json: str) -> Strategy:
    return parse_strategy(json.loads(definition_json))


def strategy_from_definition(definition: dict[str, Any]) -> Strategy:
    """The strategy of a stored definition (`storage.models.Strategy.definition`), parsed once per content."""
    return _from_json(json.dumps(definition, sort_keys=True, default=str))


BUILTIN_DIR = Path(__file__).parent / "strategies"
DEFAULT_STRATEGY_FILE = BUILTIN_DIR / "almen.yaml"
