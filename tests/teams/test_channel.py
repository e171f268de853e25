"""In a team channel: @mention status questions, and the submit summary as a new thread."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from storage.models import ConversationRef
from tests.teams.conftest import BOT, NORTH_CHANNEL, TENANT, Teams

TEAM = "19:team-general@thread.tacv2"


def channel_message(teams: Teams, user_id: str, text: str) -> dict[str, Any]:
    conversation = {"id": f"{NORTH_CHANNEL};messageid=555", "conversationType": "channel", "tenantId": TENANT}
    activity = teams.activity(user_id, conversation, text=f"<at>Målbot</at> {text}")
    activity["channelData"] = {"tenant": {"id": TENANT}, "team": {"id": TEAM}, "channel": {"id": NORTH_CHANNEL}}
    activity["entities"] = [{"type": "mention", "mentioned": BOT, "text": "<at>Målbot</at>"}]
    return activity


async def ask(teams: Teams, name: str, email: str, text: str) -> str:
    user = teams.person(name, email)
    teams.connector.reset()
    assert await teams.post(channel_message(teams, user.user_id, text)) == 202
    [post] = teams.connector.posted()
    assert post.path == f"/v3/conversations/{NORTH_CHANNEL};messageid=555/activities/{post.path.rsplit('/', 1)[1]}"
    return "\n".join(teams.connector.texts())


async def test_area_leader_gets_status_in_the_channel(teams: Teams) -> None:
    answer = await ask(teams, "mette", "mette.noergaard@demo.maalbot.dk", "status")
    assert "Solsikken" in answer and "Ærøvej Skole" in answer
    assert "Børnehuset Åbrinken" not in answer  # Område Syd is not hers
    # the member look-up used the team's roster
    assert any(c.path == f"/v3/conversations/{TEAM}/members/29:mette" for c in teams.connector.calls)


async def test_board_member_is_refused_another_institution(teams: Teams) -> None:
    answer = await ask(teams, "fatima", "fatima.ali@demo.maalbot.dk", "status Ærøvej Skole")
    # the same words as for a name that does not exist, so the refusal reveals nothing
    assert "Jeg kan ikke finde «Ærøvej Skole» blandt det, du har adgang til at se." in answer
    unknown = await ask(teams, "fatima", "fatima.ali@demo.maalbot.dk", "status Findes Ikke Skole")
    assert "Jeg kan ikke finde «Findes Ikke Skole» blandt det, du har adgang til at se." in unknown
    assert "Jens Præstegaard" not in answer and "ikke startet" not in answer


async def test_unknown_person_in_the_channel(teams: Teams) -> None:
    answer = await ask(teams, "guest", "guest@example.org", "status")
    assert "forvaltningen" in answer


async def test_mention_without_a_question_gets_help(teams: Teams) -> None:
    for text in ("", "hjælp", "godmorgen"):
        answer = await ask(teams, "mette", "mette.noergaard@demo.maalbot.dk", text)
        assert "hvem mangler" in answer, text


async def test_install_in_a_team_stores_the_channel_reference(teams: Teams) -> None:
    await install_in_team(teams)
    async with teams.db.transaction() as s:
        ref = await s.scalar(select(ConversationRef).where(ConversationRef.kind == "channel"))
    assert ref is not None and ref.conversation_key == NORTH_CHANNEL and ref.usable


async def install_in_team(teams: Teams) -> None:
    conversation = {"id": NORTH_CHANNEL, "conversationType": "channel", "tenantId": TENANT}
    activity = teams.activity("29:installer", conversation, type="conversationUpdate", membersAdded=[BOT])
    activity["channelData"] = {"tenant": {"id": TENANT}, "team": {"id": TEAM}, "channel": {"id": NORTH_CHANNEL}}
    assert await teams.post(activity) == 202


async def test_submit_posts_a_summary_thread_and_tells_the_board(teams: Teams) -> None:
    await install_in_team(teams)
    fatima = teams.person("fatima", "fatima.ali@demo.maalbot.dk")
    await fatima.say("hej")  # a board member the bot knows in Teams
    soeren = teams.person("soeren", "soeren.oestergaard@demo.maalbot.dk")
    for text in ("start", "Alle børn har en fast voksen", "Faste legegrupper", "færdig", "Trivselsmåling"):
        await soeren.say(text)
    for text in ("marts 2027", "ja", "2"):
        await soeren.say(text)
    teams.connector.reset()
    await soeren.say("send ind")

    [thread] = [c for c in teams.connector.created() if c.body.get("isGroup")]
    assert thread.body["channelData"]["channel"]["id"] == NORTH_CHANNEL
    first_card = thread.body["activity"]["attachments"][0]["content"]
    assert "Solsikken" in str(first_card) and "Alle børn har en fast voksen" in str(first_card)
    assert "Faste legegrupper" not in str(first_card)  # the details stay behind the status page
    paths = [c.path for c in teams.connector.posted()]
    assert f"/v3/conversations/{fatima.conversation['id']}/activities" in paths  # the board is told
    assert any("sendt ind" in text for text in teams.connector.texts())


async def test_a_language_chosen_in_the_personal_chat_applies_in_the_channel_at_once(teams: Teams) -> None:
    """No per-process cache of who someone is: «english» in the DM, and the next channel answer is English."""
    assert "Nævn mig i kanalen, og skriv et af disse." in await ask(
        teams, "mette", "mette.noergaard@demo.maalbot.dk", "hjælp"
    )
    mette = teams.person("mette", "mette.noergaard@demo.maalbot.dk")
    await mette.say("english")
    assert "In a channel, mention me" in await ask(teams, "mette", "mette.noergaard@demo.maalbot.dk", "help")


MAX_SUMMARY_ELEMENTS = 5  # one per line; the old post (the whole registration) had 8 here, many more for the seed


async def test_channel_summary_is_compact_and_names_only_the_submitter(teams: Teams) -> None:
    """A member writes the local goal, the chair sends it in: the channel thread shows the institution,
    the strategic goal, the local goal's title and the chair, and not the member who wrote it."""
    await install_in_team(teams)
    fatima = teams.person("fatima", "fatima.ali@demo.maalbot.dk")
    for text in ("start", "Alle børn har en fast voksen", "Faste legegrupper", "færdig", "Trivselsmåling"):
        await fatima.say(text)
    for text in ("marts 2027", "ja", "2"):
        await fatima.say(text)
    soeren = teams.person("soeren", "soeren.oestergaard@demo.maalbot.dk")
    await soeren.say("start")
    teams.connector.reset()
    await soeren.say("send ind")

    [thread] = [c for c in teams.connector.created() if c.body.get("isGroup")]
    card = thread.body["activity"]["attachments"][0]["content"]
    assert len(card["body"]) <= MAX_SUMMARY_ELEMENTS
    shown = str(thread.body["activity"])
    assert "Solsikken" in shown and "Alle børn og unge bringes hver dag i en privilegeret position" in shown
    assert "1.1 Alle børn har en fast voksen" in shown and "Søren Østergaard" in shown
    assert "Fatima" not in shown and "Faste legegrupper" not in shown and "Trivselsmåling" not in shown
