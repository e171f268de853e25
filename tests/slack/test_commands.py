"""/maal and @mentions: leaders see what their role allows; a board member is told no."""

from __future__ import annotations

from typing import Any

from tests.slack.conftest import DEMO
from tests.slack.workspace import Workspace, block_text, unescape


def said(messages: list[dict[str, Any]]) -> str:
    return unescape("\n".join(line for m in messages for line in block_text(m.get("blocks", []))))


async def test_status_for_an_area_leader(workspace: Workspace) -> None:
    workspace.person("U0METTE", f"mette.noergaard@{DEMO}", "Mette")
    status, key = await workspace.slash("U0METTE", "status")
    assert status == 200
    (answer,) = workspace.responses(key)
    assert answer["response_type"] == "ephemeral"
    text = said([answer])
    assert "Status for «Styrkelse af almenområdet»" in text
    assert "Solsikken" in text and "Mælkebøtten" in text and "Ærøvej Skole" in text
    assert "Søndermarkskolen" not in text  # Område Syd is not hers


async def test_status_for_one_institution(workspace: Workspace) -> None:
    workspace.person("U0METTE", f"mette.noergaard@{DEMO}", "Mette")
    _, key = await workspace.slash("U0METTE", "status Mælkebøtten")
    text = said(workspace.responses(key))
    assert "Mælkebøtten" in text and "Solsikken" not in text


async def test_who_is_missing_for_a_leader(workspace: Workspace) -> None:
    workspace.person("U0METTE", f"mette.noergaard@{DEMO}", "Mette")
    _, key = await workspace.slash("U0METTE", "hvem-mangler")
    text = said(workspace.responses(key))
    assert "Hvem mangler?" in text
    assert "3 bestyrelser har ikke sendt ind endnu:" in text
    assert "Søren Østergaard" in text  # the chair, so the leader knows whom to ask


async def test_a_board_member_is_refused_other_boards(workspace: Workspace) -> None:
    workspace.person("U0FATIMA", f"fatima.ali@{DEMO}", "Fatima")
    _, key = await workspace.slash("U0FATIMA", "hvem-mangler")
    assert "Det er kun ledere og forvaltningen, der kan se det." in said(workspace.responses(key))
    _, key = await workspace.slash("U0FATIMA", "status Mælkebøtten")
    text = said(workspace.responses(key))
    assert "Jeg kan ikke finde «Mælkebøtten» blandt det, du har adgang til at se." in text


async def test_help_and_unknown_words(workspace: Workspace) -> None:
    """«/maal hjælp» lists what this person can do with /maal: a board member her board, not the leaders'."""
    workspace.person("U0FATIMA", f"fatima.ali@{DEMO}", "Fatima")
    for text in ("", "hjælp", "help", "noget helt andet"):
        _, key = await workspace.slash("U0FATIMA", text)
        answer = said(workspace.responses(key))
        assert "I bestyrelsen for Solsikken kan I skrive:" in answer, text
        assert "«/maal start» – start eller fortsæt jeres registrering i en direkte besked" in answer, text
        assert "«/maal hvem-mangler»" not in answer and "«/maal dækning»" not in answer, text


async def test_help_per_role_for_an_area_leader_and_the_administration(workspace: Workspace) -> None:
    workspace.person("U0METTE", f"mette.noergaard@{DEMO}", "Mette")
    _, key = await workspace.slash("U0METTE", "hjælp")
    answer = said(workspace.responses(key))
    assert "Som områdeleder kan du skrive:" in answer
    assert "«/maal hvem-mangler» – de bestyrelser, der ikke har sendt ind endnu" in answer
    assert "«/maal start»" not in answer  # she is on no board: nothing to register

    admin = workspace.person("U0ADMIN", f"admin@{DEMO}", "Anne")
    await admin.say("hjælp")  # in the DM: the chat's help for the administration
    answer = said(admin.messages)
    assert "Som forvaltning kan du skrive:" in answer
    assert "«godkend <institution>»" in answer and "«statusside»" in answer
    assert "«tilbage»" not in answer and "Skriv «start»" not in answer


async def test_start_opens_the_conversation_in_a_dm(workspace: Workspace) -> None:
    workspace.person("U0SOEREN", f"soeren.oestergaard@{DEMO}", "Søren")
    _, key = await workspace.slash("U0SOEREN", "start", channel="C0GENERAL")
    assert "Hvilke lokale mål skal der til for at opnå mål 1?" in said(workspace.fake.posted("DU0SOEREN"))
    assert "Jeg har skrevet til dig i en direkte besked." in workspace.last_answer  # in the command's own ack
    assert not workspace.responses(key)  # nothing posted beside the outbox
    assert workspace.fake.calls_to("conversations.open")


async def test_slash_command_from_an_unknown_user(workspace: Workspace) -> None:
    workspace.person("U0X", "x@elsewhere.example")
    _, key = await workspace.slash("U0X", "status")
    assert "kan ikke finde dig" in said(workspace.responses(key))


async def mention(workspace: Workspace, user: str, text: str, *, thread: str | None = None) -> None:
    event: dict[str, Any] = {
        "type": "app_mention",
        "channel": "C0NORD",
        "user": user,
        "text": text,
        "ts": "1700.000001",
    }
    if thread:
        event["thread_ts"] = thread
    assert await workspace.event(event) == 200


async def test_mention_answers_status_in_a_thread(workspace: Workspace) -> None:
    workspace.person("U0METTE", f"mette.noergaard@{DEMO}", "Mette")
    await mention(workspace, "U0METTE", "<@UBOT> status Område Nord")
    (answer,) = workspace.fake.posted("C0NORD")
    assert answer["thread_ts"] == "1700.000001"
    text = said([answer])
    assert "Status for Område Nord" in text and "Solsikken" in text


async def test_mention_who_is_missing_in_an_existing_thread(workspace: Workspace) -> None:
    workspace.person("U0METTE", f"mette.noergaard@{DEMO}", "Mette")
    await mention(workspace, "U0METTE", "<@UBOT> hvem mangler?", thread="1699.000001")
    (answer,) = workspace.fake.posted("C0NORD")
    assert answer["thread_ts"] == "1699.000001"
    assert "Hvem mangler?" in said([answer])


async def test_mention_by_a_member_about_another_board_is_refused(workspace: Workspace) -> None:
    workspace.person("U0FATIMA", f"fatima.ali@{DEMO}", "Fatima")
    await mention(workspace, "U0FATIMA", "<@UBOT> status Mælkebøtten")
    assert "blandt det, du har adgang til at se" in said(workspace.fake.posted("C0NORD"))


async def test_mention_that_is_not_a_question(workspace: Workspace) -> None:
    """Issue 17: the @mention help follows the person's roles; a board member is not offered leader questions."""
    workspace.person("U0FATIMA", f"fatima.ali@{DEMO}", "Fatima")
    await mention(workspace, "U0FATIMA", "<@UBOT> godmorgen")
    member = said(workspace.fake.posted("C0NORD"))
    assert "Skriv til mig i en direkte besked, når I vil arbejde med bestyrelsens lokale mål" in member
    assert "«hvem mangler?»" not in member and "«status <område eller institution>»" not in member


async def test_mention_help_for_an_area_leader_lists_her_questions(workspace: Workspace) -> None:
    workspace.person("U0METTE", f"mette.noergaard@{DEMO}", "Mette")
    await mention(workspace, "U0METTE", "<@UBOT> godmorgen")
    leader = said(workspace.fake.posted("C0NORD"))
    assert "Nævn mig i kanalen, og skriv et af disse." in leader and "Som områdeleder kan du skrive:" in leader
    assert "«status <område eller institution>»" in leader and "«hvem mangler?»" in leader
    assert "«godkend <institution>»" not in leader  # the administration's, not hers
    assert "direkte besked" not in leader  # she is on no board


async def test_follow_up_question_is_not_taken_for_an_institution(workspace: Workspace) -> None:
    # the same reading of a leader's question as in Teams (dialogs.overview.parse_leader_query)
    workspace.person("U0METTE", f"mette.noergaard@{DEMO}", "Mette")
    _, key = await workspace.slash("U0METTE", "status på opfølgning")
    text = said(workspace.responses(key))
    assert "Ingen bestyrelse er blevet spurgt om en måling endnu." in text
    assert "Jeg kan ikke finde «opfølgning»" not in text


async def test_another_areas_name_gets_did_you_mean_not_ones_own_area(workspace: Workspace) -> None:
    """Issue 17, point 6: «/maal status Område Syd» from Nord's area leader never answers for Nord."""
    workspace.person("U0METTE", f"mette.noergaard@{DEMO}", "Mette")
    _, key = await workspace.slash("U0METTE", "status Område Syd")
    text = said(workspace.responses(key))
    assert "Jeg kan ikke finde «Område Syd». Mente du en af disse?" in text
    assert "Status for Område Nord" not in text and "Solsikken" not in text
