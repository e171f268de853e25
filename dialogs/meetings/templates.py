"""Meeting templates as data (YAML in dialogs/meetings/templates/), validated like the strategies.

A template says what a kind of meeting is for, who attends, who prepares answers to which questions, when
the questions go out before the meeting, when agenda points are asked for, and when reminders go::

    key: dialogmoede
    kind: dialogue                 # dialogue | area | cross_area
    title: {da: "Dialogmøde mellem ledelsesteamet og forvaltningen"}
    scope: institution             # institution | area | municipality: what one meeting is about
    answered_by: leadership        # leadership | board | area_leaders | administration
    attendees: [{da: "Ledelsesteamet på den enkelte aftaleholderenhed"}, ...]
    questions_before_days: 21      # the questions go out this many days before the meeting
    agenda_before_days: 28         # agenda points are asked for this many days before (optional)
    reminder_days: [7, 1]          # reminders to the attendees before the meeting
    joint_interventions:           # the administration's joint interventions, asked about one by one
      - {title: {da: "Strategisk kommunikation"}, for_kinds: [dagtilbud, skole]}
    questions:
      - key: data_children
        text: {da: "Hvad siger jeres data om børnene?"}
        help: {da: "Fx data indsamlet ifbm. arbejdet med den styrkede pædagogiske læreplan."}
        for_kinds: [dagtilbud, skole]        # default: every kind of institution
        per: meeting                         # meeting | joint_intervention (asked once per intervention)
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from dialogs.strategy import Localised
from dialogs.yaml_files import read_yaml_mapping, validate

TEMPLATE_DIR = Path(__file__).parent / "templates"


class MeetingKind(StrEnum):
    DIALOGUE = "dialogue"  # dialogmøde: the administration and one institution's leadership, yearly (seed 001)
    AREA = "area"  # samarbejdsmøde i området, Q1 and Q3 (seed 004)
    CROSS_AREA = "cross_area"  # samarbejdsmøde mellem områderne, Q2 and Q4 (seed 004)


class Scope(StrEnum):
    INSTITUTION = "institution"
    AREA = "area"
    MUNICIPALITY = "municipality"


class Answerer(StrEnum):
    LEADERSHIP = "leadership"  # the institution's leadership team (its leaders)
    BOARD = "board"  # the institution's board
    AREA_LEADERS = "area_leaders"
    ADMINISTRATION = "administration"


class Per(StrEnum):
    MEETING = "meeting"
    JOINT_INTERVENTION = "joint_intervention"


class MeetingQuestion(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str = Field(pattern=r"^[a-z0-9_]+$")
    text: Localised  # may use {intervention} when per: joint_intervention
    help: Localised | None = None
    for_kinds: tuple[str, ...] = ("dagtilbud", "skole")
    per: Per = Per.MEETING
    required: bool = True
    max_length: int = Field(default=4000, ge=1, le=20000)

    @field_validator("for_kinds")
    @classmethod
    def _kinds(cls, kinds: tuple[str, ...]) -> tuple[str, ...]:
        unknown = set(kinds) - {"dagtilbud", "skole"}
        if unknown or not kinds:
            raise ValueError(f"for_kinds: use dagtilbud and/or skole, not {sorted(unknown)}")
        return kinds

    @model_validator(mode="after")
    def _placeholder(self) -> MeetingQuestion:
        uses = "{intervention}" in self.text.da
        if uses != (self.per is Per.JOINT_INTERVENTION):
            raise ValueError(
                f"question {self.key!r}: a question per joint intervention names it with {{intervention}}, "
                "and only such a question does"
            )
        return self


class JointIntervention(BaseModel):
    """One of the administration's joint strategic interventions the leadership reports on."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    title: Localised
    for_kinds: tuple[str, ...] = ("dagtilbud", "skole")


class AgendaItem(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    title: Localised
    minutes: int | None = Field(default=None, ge=1)


class MeetingTemplate(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    kind: MeetingKind
    title: Localised
    purpose: Localised | None = None
    scope: Scope
    answered_by: Answerer
    attendees: tuple[Localised, ...] = Field(min_length=1)
    quarters: tuple[int, ...] = ()  # the quarters the meeting is held in (area: 1 and 3; cross-area: 2 and 4)
    questions_before_days: int = Field(ge=1, le=120)
    agenda_before_days: int | None = Field(default=None, ge=1, le=120)
    reminder_days: tuple[int, ...] = (7, 1)
    pack_before_days: int | None = Field(default=None, ge=1, le=60)  # the management-information pack
    agreements_reminder_days: int = Field(default=7, ge=1, le=60)  # owners are reminded before the due date
    joint_interventions: tuple[JointIntervention, ...] = ()
    agenda: tuple[AgendaItem, ...] = ()
    questions: tuple[MeetingQuestion, ...] = ()
    closing: tuple[Localised, ...] = ()  # asked at the end of the meeting (what we take with us, agreements)

    @field_validator("quarters")
    @classmethod
    def _quarters(cls, quarters: tuple[int, ...]) -> tuple[int, ...]:
        if any(q not in (1, 2, 3, 4) for q in quarters) or len(set(quarters)) != len(quarters):
            raise ValueError("quarters: distinct numbers from 1 to 4")
        return tuple(sorted(quarters))

    @field_validator("reminder_days")
    @classmethod
    def _reminders(cls, days: tuple[int, ...]) -> tuple[int, ...]:
        if any(d < 0 for d in days) or len(set(days)) != len(days):
            raise ValueError("reminder_days: distinct whole days, none negative")
        return tuple(sorted(days, reverse=True))

    @model_validator(mode="after")
    def _consistent(self) -> MeetingTemplate:
        keys = [q.key for q in self.questions]
        if len(set(keys)) != len(keys):
            raise ValueError("questions: each question needs its own key")
        if any(q.per is Per.JOINT_INTERVENTION for q in self.questions) and not self.joint_interventions:
            raise ValueError("questions per joint intervention need joint_interventions")
        if not self.questions and self.agenda_before_days is None:
            raise ValueError("a template asks questions, or asks for agenda points (agenda_before_days), or both")
        return self

    def questions_for(self, institution_kind: str | None) -> list[tuple[MeetingQuestion, int | None]]:
        """The questions one preparing respondent answers, in order: (question, joint intervention index)."""
        out: list[tuple[MeetingQuestion, int | None]] = []
        for q in self.questions:
            if institution_kind is not None and institution_kind not in q.for_kinds:
                continue
            if q.per is Per.JOINT_INTERVENTION:
                out.extend(
                    (q, i)
                    for i, joint in enumerate(self.joint_interventions)
                    if institution_kind is None or institution_kind in joint.for_kinds
                )
            else:
                out.append((q, None))
        return out

    def question_text(self, question: MeetingQuestion, intervention: int | None, locale: str) -> str:
        text = question.text.get(locale)
        if intervention is not None:
            text = text.replace("{intervention}", self.joint_interventions[intervention].title.get(locale))
        return text


class TemplateFileError(ValueError):
    """A meeting template file that cannot be used; the message lists every problem with its line."""


def load_template_file(path: Path) -> MeetingTemplate:
    data, lines = read_yaml_mapping(path, TemplateFileError)
    return validate(MeetingTemplate, data, str(path), TemplateFileError, lines)


@cache
def builtin_templates() -> dict[str, MeetingTemplate]:
    """The shipped templates by key (seed 001's dialogue meeting, seed 004's two collaboration meetings),
    read once per process. Do not change the returned mapping."""
    templates = (load_template_file(path) for path in sorted(TEMPLATE_DIR.glob("*.yaml")))
    return {t.key: t for t in templates}
