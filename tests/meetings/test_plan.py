"""Planning meetings from a CSV file: who prepares, who attends, loading twice, and friendly errors
per line in the reader's language; `maalbot meeting plan|list` over the same."""

from __future__ import annotations

import argparse
import io
from datetime import date
from pathlib import Path

from bot.cli_meetings import run_meeting
from dialogs.meetings.planning import plan_from_csv
from dialogs.texts import texts
from storage import meetings
from storage.meeting_models import ParticipantRole
from tests.dialogs.talk import World
from tests.meetings.conftest import DOMAIN, PLAN


async def test_a_plan_file_plans_each_meeting_with_its_preparers(world: World) -> None:
    report = await plan_from_csv(world.db, PLAN, texts("da"))
    assert report.problems == [] and (report.created, report.updated) == (4, 0)
    async with world.db.read() as s:
        found = await meetings.meeting_views(s, start=date(2027, 1, 1))
    by_place = {(m.template_key, m.where): m for m in found}
    dialogue = by_place[("dialogmoede", "Solsikken")]
    assert (dialogue.held_on, dialogue.start_time, dialogue.institution_kind) == (
        date(2027, 3, 15),
        "09:00",
        "dagtilbud",
    )
    names = {(name, role) for _id, name, _email, role in dialogue.participants}
    assert names == {("Lone Bæk", "preparer"), ("Anne Admin", "attendee")}  # the leader prepares (and attends)
    area = by_place[("omraademoede", "Område Nord")]
    preparers = {name for _id, name, _e, role in area.participants if role == ParticipantRole.PREPARER.value}
    assert preparers == {"Lone Bæk", "Hanne Krogh", "Kasper Åberg"}  # the area's institution leaders
    cross = by_place[("tvaersmoede", "")]
    preparers = {name for _id, name, _e, role in cross.participants if role == ParticipantRole.PREPARER.value}
    assert preparers == {"Mette Nørgaard", "Henrik Søgaard"}  # every area leader

    again = await plan_from_csv(world.db, PLAN, texts("da"))
    assert (again.created, again.updated) == (0, 4)
    async with world.db.read() as s:
        assert len(await meetings.meeting_views(s, start=date(2027, 1, 1))) == 4


async def test_every_bad_line_is_named_and_nothing_is_planned(world: World) -> None:
    bad = f"""institution,date,template,participants
Solsikken,2027-03-15,dialogmoede,lone.baek@{DOMAIN}
Solsikken,31-02-2027,dialogmoede,lone.baek@{DOMAIN}
Solsikken,2027-03-15,julefrokost,lone.baek@{DOMAIN}
Månestrålen,2027-03-15,dialogmoede,ukendt@{DOMAIN}
Område Nord,2027-03-15,tvaersmoede,
"""
    report = await plan_from_csv(world.db, bad, texts("da"))
    assert report.problems == [
        "linje 3: «31-02-2027» er ikke en dato. Skriv den som 2027-03-15 eller 15-03-2027.",
        "linje 4: Skabelonen «julefrokost» findes ikke (der er: dialogmoede, omraademoede, tvaersmoede).",
        f"linje 5: Der er ingen med e-mailen «ukendt@{DOMAIN}». Læg personen ind med «maalbot org import» først.",
        "linje 5: «Dialogmøde mellem ledelsesteamet og forvaltningen» handler om én institution, og «Månestrålen» "
        "kender jeg ikke.",
        "linje 6: «Samarbejdsmøde mellem områderne» er for hele kommunen, så lad institution og område være tomme.",
    ]
    async with world.db.read() as s:
        assert await meetings.meeting_views(s, status=None) == []
    english = await plan_from_csv(world.db, "institution,date\n", texts("en"))
    assert english.problems == [
        "line 1: the file needs the columns institution, date, template, participants; "
        "it is missing template, participants."
    ]


async def test_the_command_line_plans_and_lists(world: World, tmp_path: Path) -> None:
    plan = tmp_path / "plan.csv"
    plan.write_text(PLAN, encoding="utf-8")
    out = io.StringIO()
    code = await run_meeting(argparse.Namespace(meeting_command="plan", file=plan), world.db, out=out)
    assert code == 0 and out.getvalue() == "4 møder planlagt, 0 opdateret.\n"
    out = io.StringIO()
    await run_meeting(argparse.Namespace(meeting_command="list", start=None), world.db, out=out, today=date(2027, 3, 1))
    lines = out.getvalue().splitlines()
    assert len(lines) == 3  # the area meeting in February is before the day asked about
    assert "2027-03-15 09:00\tDialogmøde mellem ledelsesteamet og forvaltningen\tSolsikken\t2 deltager" in lines[0]
    assert "Samarbejdsmøde mellem områderne\t-" in lines[2]
