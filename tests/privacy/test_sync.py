"""`org import --sync`: roles and people the file no longer lists are removed, and their rights stop
at once (status links get 403, «hvem mangler?» is refused, the chat no longer knows them)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from storage.models import AuditEntry
from storage.org_file import parse_org_file
from storage.org_sync import plan_sync, sync_org
from tests.dialogs.talk import DEMO_ORG, World
from tests.privacy.conftest import StatusClient

METTE = "      - {name: Mette Nørgaard, email: mette.noergaard@demo.maalbot.dk}\n"
LONE = "          - {name: Lone Bæk, email: lone.baek@demo.maalbot.dk}\n"
PETER = "          - {name: Peter Holm, email: peter.holm@demo.maalbot.dk}\n"


def _next_year_file(tmp_path: Path) -> Path:
    """The demo file a year later: Mette is no longer area leader but sits on Solsikken's board, and
    Lone Bæk (leader of Solsikken) has left."""
    text = DEMO_ORG.read_text(encoding="utf-8")
    assert text.count(METTE) == 1 and text.count(LONE) == 1 and text.count(PETER) == 1
    text = text.replace(METTE, "", 1).replace("    leaders:\n    institutions:", "    institutions:", 1)
    text = text.replace(LONE, "", 1).replace("        leaders:\n        board:", "        board:", 1)
    text = text.replace(PETER, PETER + "          - {name: Mette Nørgaard, email: mette.noergaard@demo.maalbot.dk}\n")
    path = tmp_path / "org.yaml"
    path.write_text(text, encoding="utf-8")
    return path


async def test_sync_removes_a_role_and_a_person_and_their_rights_stop_at_once(
    world: World, status_client: StatusClient, tmp_path: Path
) -> None:
    client, link = status_client
    mette, lone = await world.talk("mette.noergaard"), await world.talk("lone.baek")
    mette_link, lone_link = link("mette.noergaard"), link("lone.baek")
    assert (await client.get(mette_link)).status == 200
    assert (await client.get(lone_link)).status == 200
    await mette.say("hvem mangler?")
    mette.expect_not("Det er kun ledere og forvaltningen")

    org = parse_org_file(_next_year_file(tmp_path))
    async with world.db.transaction() as s:
        plan = await plan_sync(s, org)
    assert plan.lines() == [
        "- role area_leader of Område Nord: Mette Nørgaard <mette.noergaard@demo.maalbot.dk>",
        "- person Lone Bæk <lone.baek@demo.maalbot.dk> (and all their roles)",
    ]
    report, done = await sync_org(world.db, org)
    assert report.memberships.created == 1  # Mette's seat on the board
    assert len(done.roles) == 1 and len(done.people) == 1

    assert (await client.get(mette_link)).status == 403
    assert (await client.get(lone_link)).status == 403
    await mette.say("hvem mangler?")
    mette.expect("Det er kun ledere og forvaltningen, der kan se det.")
    await lone.say("hvem mangler?")
    lone.expect("kan ikke finde dig")

    async with world.db.transaction() as s:
        entries = (
            await s.execute(
                select(AuditEntry.action, AuditEntry.field, AuditEntry.before, AuditEntry.after)
                .where(AuditEntry.action.in_(("role", "person", "import")))
                .order_by(AuditEntry.id.desc())
                .limit(4)
            )
        ).all()
    assert ("role", "role removed", "area_leader of Område Nord", None) in entries
    assert ("person", "person", "Lone Bæk <lone.baek@demo.maalbot.dk>", "not in the organisation file") in entries
    assert ("role", "role added", None, "member of Solsikken") in entries

    async with world.db.transaction() as s:  # the same file again: nothing more to remove
        assert (await plan_sync(s, org)).empty
