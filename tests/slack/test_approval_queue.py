"""Approval in Slack, through the real routes: the admin is told in a DM when a board submits, and
«til godkendelse» (in the DM and with /maal) lists what awaits a decision; «vis» shows the content."""

from __future__ import annotations

from bot.slack.render import MAX_BLOCKS, MAX_SECTION, render_messages
from dialogs import approval_views
from dialogs.strategy import DEFAULT_STRATEGY_FILE, load_strategy_file
from dialogs.texts import texts
from storage.registrations import DraftData, LocalGoalData
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


def test_a_large_registration_fits_slacks_limits() -> None:
    """«vis» of a board with many long local goals: every message within 50 blocks and every section
    within 3,000 characters, split between local goals."""
    strategy = load_strategy_file(DEFAULT_STRATEGY_FILE)
    first = strategy.first_question.key
    goals = tuple(
        LocalGoalData(
            g,
            p,
            {
                first: f"Lokalt mål {g}.{p} " + "meget lang formulering " * 12,
                "interventions": [f"Indsats {n} " + "med mange ord " * 8 for n in range(6)],
                "measurement": {"method": "Trivselsmåling " * 10, "when": "marts 2027", "dates": ["2027-03-01"]},
            },
        )
        for g in (1, 2, 3, 4)
        for p in range(1, 13)
    )
    draft = DraftData(1, 1, "Solsikken", "submitted", 3, local_goals=goals)
    replies = approval_views.content_replies(texts("da"), strategy, draft)
    assert len(replies) > 4  # split within a strategic goal
    assert all(len(r.text) <= approval_views.MAX_CHARS for r in replies)
    text = "\n".join(r.text for r in replies)
    assert all(f"{g}.{p} Lokalt mål {g}.{p}" in text for g in (1, 2, 3, 4) for p in range(1, 13))  # nothing lost
    for message in render_messages(replies):
        assert len(message.blocks) <= MAX_BLOCKS
        for block in message.blocks:
            assert len(block.get("text", {}).get("text", "")) <= MAX_SECTION
