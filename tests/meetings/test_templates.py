"""Meeting templates as data: the shipped ones load and hold seed 001's questions and seed 004's two
collaboration meetings; a broken copy fails with the field and its line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from dialogs.meetings.templates import (
    TEMPLATE_DIR,
    Answerer,
    MeetingKind,
    MeetingTemplate,
    Per,
    Scope,
    TemplateFileError,
    builtin_templates,
    load_template_file,
)
from tests.meetings.seeds import best_window_ratio, needs_seed, seed_text

SEED_001 = seed_text("001")
SEED_004 = seed_text("004")


@pytest.fixture(scope="module")
def templates() -> dict[str, MeetingTemplate]:
    return builtin_templates()


def template_text(template: MeetingTemplate) -> str:
    """Everything a template says in Danish, one piece per line."""
    parts = [template.title.da, template.purpose.da if template.purpose else ""]
    parts += [a.da for a in template.attendees] + [a.title.da for a in template.agenda]
    parts += [j.title.da for j in template.joint_interventions] + [c.da for c in template.closing]
    for q in template.questions:
        parts += [q.text.da, q.help.da if q.help else ""]
    return "\n".join(p for p in parts if p)


def seed_001_items(seed: str) -> list[str]:
    """What seed 001 asks the leadership to prepare and the meeting to end with: every question (a
    sentence ending in «?»), every kind of data it names (the bullets and the school's fixed data), every
    joint intervention (the bullets under point 2 and the school's own), and the round-up's points."""
    agenda = seed.split("## Dagsorden for mødet", 1)[1].split("### **Efter mødet**", 1)[0]
    questions = [q.strip() for q in re.findall(r"(?:^|[,\n])\s*([^,\n?]*\?)", agenda)]
    bullets = [b.strip() for b in re.findall(r"^- (.+)$", agenda, re.M)]
    data_kinds = [part for b in bullets if " eks. " in b for part in b.split(" eks. ", 1)[1].split(", ")]
    interventions = [b for b in bullets if " eks. " not in b]
    fixed = agenda.split("Det drejer sig om følgende:", 1)[1].split("\n\n", 2)[1].strip()
    school = [*re.split(r", | og (?=data)", fixed), agenda.split("Særskilt for skoleområdet:", 1)[1].split("\n\n")[1]]
    round_up = agenda.split("Afrunding og evaluering af dagen", 1)[1].splitlines()[1:4]
    return [q for q in questions if len(q) > 3] + data_kinds + interventions + school + [r.strip() for r in round_up]


def test_the_shipped_templates_load(templates: dict[str, MeetingTemplate]) -> None:
    assert set(templates) == {"dialogmoede", "omraademoede", "tvaersmoede"}
    dialogue, area, cross = templates["dialogmoede"], templates["omraademoede"], templates["tvaersmoede"]
    assert (dialogue.kind, dialogue.scope, dialogue.answered_by) == (
        MeetingKind.DIALOGUE, Scope.INSTITUTION, Answerer.LEADERSHIP,
    )  # fmt: skip
    assert (area.kind, area.scope, area.quarters) == (MeetingKind.AREA, Scope.AREA, (1, 3))
    assert (cross.kind, cross.answered_by, cross.quarters) == (MeetingKind.CROSS_AREA, Answerer.AREA_LEADERS, (2, 4))
    for t in templates.values():
        assert t.agenda_before_days is not None and t.agenda_before_days > t.questions_before_days
        assert t.attendees and t.reminder_days


@needs_seed("001")
def test_every_question_of_seed_001_is_in_the_dialogue_template(templates: dict[str, MeetingTemplate]) -> None:
    assert SEED_001 is not None
    items = seed_001_items(SEED_001)
    assert "Hvad siger vores data?" in items and "social kapitalmåling" in items and "Konkrete aftaler" in items
    assert "Strategisk kommunikation" in items and "hvad bringer vi videre med os?" in items
    assert len(items) >= 20
    shipped = template_text(templates["dialogmoede"])
    missing = [item for item in items if best_window_ratio(item, shipped) < 0.85]
    assert not missing, "seed 001 items missing from dialogmoede.yaml:\n" + "\n".join(missing)


def test_schools_are_asked_more_than_daycare(templates: dict[str, MeetingTemplate]) -> None:
    dialogue = templates["dialogmoede"]
    daycare = [dialogue.question_text(q, i, "da") for q, i in dialogue.questions_for("dagtilbud")]
    school = [dialogue.question_text(q, i, "da") for q, i in dialogue.questions_for("skole")]
    for only_school in ("progressionsdata", "fraværdata", "trivselsmåling", "skoleprofilen"):
        assert any(only_school in q for q in school)
        assert not any(only_school in q for q in daycare)
    assert "«Strategisk kommunikation»: Hvilke resultater ser I?" in daycare
    assert "«Strategisk kommunikation»: Hvilken sparring/understøttelse fra forvaltningen har I brug for?" in daycare
    assert daycare[-3:] == [
        "Hvad er man optaget af?",
        "Hvad kan vi lære af indsatsen?",
        "Hvad bringer vi videre med os?",
    ]
    per_joint = [q for q in dialogue.questions if q.per is Per.JOINT_INTERVENTION]
    assert len(school) - len(daycare) == 3 + len(per_joint)  # three kinds of school data, one more intervention


@needs_seed("004")
def test_the_collaboration_meetings_follow_seed_004(templates: dict[str, MeetingTemplate]) -> None:
    assert SEED_004 is not None
    area, cross = templates["omraademoede"], templates["tvaersmoede"]
    assert "1. og 3. kvartal" in SEED_004 and "2. og 4. kvartal" in SEED_004
    for template in (area, cross):
        for item in template.agenda:
            assert best_window_ratio(item.title.da, SEED_004) >= 0.8, item.title.da
        for attendee in template.attendees:
            assert best_window_ratio(attendee.da, SEED_004) >= 0.85, attendee.da


@pytest.mark.parametrize(
    ("mutation", "field", "words"),
    [
        (lambda d: d.update(kind="party"), "kind", "'dialogue', 'area' or 'cross_area'"),
        (lambda d: d["questions"][6].update(per="meeting"), "questions.6", "{intervention}"),
        (lambda d: d.update(quarters=[1, 5]), "quarters", "from 1 to 4"),
        (lambda d: d["questions"][0].update(for_kinds=["vuggestue"]), "questions.0.for_kinds", "dagtilbud"),
        (lambda d: d.pop("questions_before_days"), "questions_before_days", "Field required"),
    ],
)
def test_a_broken_template_names_the_field_and_its_line(tmp_path: Path, mutation, field: str, words: str) -> None:  # type: ignore[no-untyped-def]
    data = yaml.safe_load((TEMPLATE_DIR / "dialogmoede.yaml").read_text(encoding="utf-8"))
    mutation(data)
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(TemplateFileError) as caught:
        load_template_file(broken)
    message = str(caught.value)
    assert f"{broken}: {field}: " in message and words in message
    assert re.search(r"\(line \d+\)$", message.splitlines()[0])


def test_a_template_file_that_is_not_yaml(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("key: [unclosed", encoding="utf-8")
    with pytest.raises(TemplateFileError, match="not valid YAML"):
        load_template_file(path)
