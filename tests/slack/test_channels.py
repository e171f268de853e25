"""What others see: the submit summary in the area's channel, notices to the board, escaping."""

from __future__ import annotations

from tests.slack.conftest import DEMO
from tests.slack.test_registration import register_one_goal
from tests.slack.workspace import Workspace, block_text


async def test_submit_summary_in_the_area_channel_and_board_told(workspace: Workspace) -> None:
    fatima = workspace.person("U0FATIMA", f"fatima.ali@{DEMO}", "Fatima")
    await fatima.say("hej")  # she has talked to the bot, so Slack knows where to reach her
    chair = workspace.person("U0SOEREN", f"soeren.oestergaard@{DEMO}", "Søren")
    await register_one_goal(chair, typed=False)

    summary = workspace.fake.posted("#maal-nord")
    assert len(summary) == 1
    text = "\n".join(block_text(summary[0]["blocks"]))
    assert "Solsikken har sendt sine lokale mål for «Styrkelse af almenområdet» ind." in text
    assert "Alle børn har en fast ven" in text and "Sendt ind af Søren Østergaard." in text
    assert "Læsemakkere" not in text and "«gennemgang»" in text  # the details: «gennemgang», or the status page
    assert not workspace.fake.posted("#maal-syd")

    told = [m for m in workspace.fake.posted("DU0FATIMA") if "har sendt registreringen for Solsikken" in m["text"]]
    assert len(told) == 1


async def test_channel_ping_typed_in_an_answer_is_inert_in_the_summary(workspace: Workspace) -> None:
    chair = workspace.person("U0SOEREN", f"soeren.oestergaard@{DEMO}", "Søren")
    await chair.say("start")
    # what Slack sends when someone types "@channel" (a special mention) and a literal "<!here> & <b>"
    await chair.say("<!channel> alle skal læse &lt;!here&gt; &amp; <https://evil.example|Kommunen>")
    await chair.say("Faste legegrupper")
    await chair.press("Færdig")
    await chair.say("Trivselsmåling")
    await chair.say("marts 2027")
    await chair.press("Ja")
    await chair.press("Nej, videre til gennemgangen")
    await chair.press("Send ind")

    (summary,) = workspace.fake.posted("#maal-nord")
    raw = "\n".join([summary["text"], *block_text(summary["blocks"])])
    assert "<!channel>" not in raw and "<!here>" not in raw and "<https://" not in raw
    assert "@channel alle skal læse &lt;!here&gt; &amp; Kommunen (https://evil.example)" in raw
    for message in workspace.fake.posted():
        sent = "\n".join([message["text"], *block_text(message.get("blocks", []))])
        assert "<!" not in sent and "<@" not in sent and "<http" not in sent


MAX_SUMMARY_BLOCKS = 3  # the old post was the whole registration: 6 blocks for this one local goal, 21 for the seed


async def test_channel_summary_is_compact_and_names_only_the_submitter(workspace: Workspace) -> None:
    """A member writes the local goal, the chair sends it in: the channel sees the institution, the
    strategic goal with the local goal's title and the chair, but not the member who wrote it."""
    fatima = workspace.person("U0FATIMA", f"fatima.ali@{DEMO}", "Fatima")
    for text in ("start", "Alle børn har en fast ven", "Faste legegrupper", "færdig", "Trivselsmåling"):
        await fatima.say(text)
    for text in ("marts 2027", "ja", "2"):
        await fatima.say(text)
    chair = workspace.person("U0SOEREN", f"soeren.oestergaard@{DEMO}", "Søren")
    await chair.say("start")
    await chair.say("send ind")

    (summary,) = workspace.fake.posted("#maal-nord")
    assert len(summary["blocks"]) <= MAX_SUMMARY_BLOCKS
    shown = "\n".join([summary["text"], *block_text(summary["blocks"])])
    assert "Solsikken" in shown and "Alle børn og unge bringes hver dag i en privilegeret position" in shown
    assert "1.1 Alle børn har en fast ven" in shown and "Søren Østergaard" in shown
    assert "Fatima" not in shown and "Faste legegrupper" not in shown and "Trivselsmåling" not in shown
