"""Approval in Slack, through the real routes: the admin is told in a DM when a board submits, and
«til godkendelse» (in the DM and with /maal) lists what awaits a decision; «vis» shows the content."""

from __future__ import annotations

from tests.slack.conftest import DEMO
from tests.slack.test_commands import said
from tests.slack.test_registration import register_one_goal
from tests.slack.workspace import Workspace


async def test_the_admin_is_told_and_reads_the_queue(workspace: Workspace) -> None:
    admin = workspace.person("U0ANNE", f"admin@{DEMO}", "Anne")
    await admin.say("hej")  # known on Slack from now on: notices come as a DM
    before = len(workspace.fake.posted(admin.dm))
    chair = workspace.person("U0SOEREN", f"soeren.oestergaard@{DEMO}", "Søren")
    await register_one_goal(chair, typed=False)

    told = said(workspace.fake.posted(admin.dm)[before:])
    assert "Søren Østergaard har sendt registreringen for Solsikken ind. Den venter på jeres afgørelse" in told

    await admin.say("til godkendelse")
    admin.expect("Til godkendelse", "1 registrering venter på godkendelse.", "Solsikken (Område Nord)")
    admin.expect("af Søren Østergaard")

    status, key = await workspace.slash("U0ANNE", "til godkendelse")
    assert status == 200
    assert "Solsikken (Område Nord)" in said(workspace.responses(key))
    _, key = await workspace.slash("U0SOEREN", "til godkendelse")
    refused = said(workspace.responses(key))
    assert "Det er kun forvaltningen, der godkender registreringer." in refused and "Område Nord" not in refused

    await admin.say("vis Solsikken")
    admin.expect("1.1 Alle børn har en fast ven", "Indsatser: Faste legegrupper; Læsemakkere")
    await admin.say("godkend Solsikken")
    admin.expect("Registreringen for Solsikken er godkendt og låst.")
    await admin.say("til godkendelse")
    admin.expect("Ingen registreringer venter på godkendelse.")
