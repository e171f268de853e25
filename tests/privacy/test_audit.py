"""Every change is audited with who (the name as it was), what, when, before and after, and the
administration can read it: `maalbot audit INSTITUTION` and the registration page on the status page."""

from __future__ import annotations

import argparse
import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from bot.cli_privacy import run_audit
from storage import approval, followups
from storage.models import LocalGoal, Person, RegistrationStatus
from storage.registrations import DraftWriter, QuestionKinds, lock_registration
from tests.dialogs.talk import World
from tests.privacy.conftest import StatusClient

NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)


async def _history(world: World) -> int:
    """Søren answers, submits; the administration approves, reopens, returns; Søren answers a
    follow-up; then Søren changes his name in the organisation. Returns the registration id."""
    soeren = await world.talk("soeren.oestergaard")
    await soeren.say("start")
    await soeren.register_local_goal("Alle børn har en fast voksen")
    reg = await world.registration("Solsikken")
    assert reg is not None
    async with world.db.transaction() as s:
        ids = dict((await s.execute(select(Person.email, Person.id))).all())
        sid, admin = ids["soeren.oestergaard@demo.maalbot.dk"], ids["admin@demo.maalbot.dk"]
        await DraftWriter(s, await lock_registration(s, reg.id), QuestionKinds(""), sid).set_status(
            RegistrationStatus.SUBMITTED
        )
    for decide in (
        lambda s: approval.approve(s, reg.id, admin, now=NOW),
        lambda s: approval.reopen(s, reg.id, admin, now=NOW),
        lambda s: approval.return_registration(s, reg.id, admin, "Tilføj en måling", now=NOW),
    ):
        async with world.db.transaction() as s:
            await decide(s)
    async with world.db.transaction() as s:
        lg = await s.scalar(select(LocalGoal.id).where(LocalGoal.registration_id == reg.id))
        assert lg is not None
        await followups.choose(s, lg, date(2027, 3, 1), "partly", sid)
        await followups.complete(s, lg, date(2027, 3, 1), "Halvdelen har en fast voksen", sid, NOW)
        person = await s.get(Person, sid)
        assert person is not None
        person.name = "Søren Ø. Hansen"  # later renamed: the log keeps the name he had
    return reg.id


async def test_audit_command_shows_every_kind_of_change_with_the_name_as_it_was(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    await _history(world)
    assert await run_audit(argparse.Namespace(institution="solsikken", limit=200), world.db) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "Audit log of Solsikken (newest first, at most 200):"
    kinds = {line.split("\t")[2] for line in lines[1:]}
    assert {"answer", "status", "follow_up", "role"} <= kinds
    assert re.search(r"\tSøren Østergaard\tanswer\tgoal 1/local goal 1/local_goal\tAlle børn har en fast voksen", out)
    assert "\tAnne Admin\tstatus\tstatus\tsubmitted -> approved" in out
    assert "\tAnne Admin\tstatus\tstatus\tapproved -> submitted" in out
    assert "\tAnne Admin\tstatus\tstatus\tsubmitted -> returned: Tilføj en måling" in out
    assert "follow-up 2027-03-01/text\tHalvdelen har en fast voksen" in out
    assert "Søren Ø. Hansen" not in out
    assert await run_audit(argparse.Namespace(institution="Ingen Sådan", limit=5), world.db) == 1


async def test_the_admin_sees_the_change_log_on_the_registration_page_and_a_leader_does_not(
    world: World, status_client: StatusClient
) -> None:
    reg_id = await _history(world)
    client, link = status_client
    admin = await client.get(link("admin", f"/status/registration/{reg_id}"))
    assert admin.status == 200
    html = await admin.text()
    assert "Ændringslog (kun forvaltningen kan se den)" in html
    assert "<td>Anne Admin</td><td>status</td><td>submitted</td><td>returned: Tilføj en måling</td>" in html
    leader = await client.get(link("lone.baek", f"/status/registration/{reg_id}"))
    assert leader.status == 200
    assert "Ændringslog" not in await leader.text()
