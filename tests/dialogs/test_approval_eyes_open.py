"""Approval with eyes open (issue 17.7): the admins are told when a board sends in, «til godkendelse»
lists what waits, «vis X» shows the content and what changed, a returned registration sent in unchanged
is asked about, a change after submit marks it and tells the chair, and «godkend» does not approve a
changed registration silently."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.cli_admin import run_admin
from dialogs import approval_views
from dialogs.approval_changes import Difference, differences
from dialogs.overview import LeaderQuery, parse_leader_query
from reports.texts import report_texts_for
from reports.writers import markdown
from storage.models import Notice, Person
from tests.dialogs.talk import Talk, World
from tests.dialogs.test_approval_chat import _cli_args
from tests.dialogs.test_conversation_board import _submitted

NOTICE_TO_ADMIN = "Søren Østergaard har sendt registreringen for Solsikken ind. Den venter på jeres afgørelse"
ASK_UNCHANGED = "I har ikke ændret noget, siden den blev sendt retur. Vil I sende den ind igen uændret?"


async def _add_intervention(member: Talk, where: str, text: str) -> None:
    """A board member adds an intervention to local goal `where` through the edit menu."""
    await member.say("hej")
    await member.say(f"ret mål {where}")
    await member.choose("q:interventions")
    await member.say(text)
    await member.choose("Færdig")


async def _notices_of(world: World, name: str) -> list[Notice]:
    async with world.db.transaction() as s:
        rows = await s.scalars(select(Notice).join(Person).where(Person.name == name).order_by(Notice.id))
        return list(rows.all())


async def test_the_admin_is_told_and_finds_it_in_the_queue(world: World, soeren: Talk) -> None:
    await _submitted(soeren)
    admin = await world.talk("admin")
    await admin.say("til godkendelse")
    assert admin.replies[0].kind == "notice"
    admin.expect(NOTICE_TO_ADMIN, "«vis Solsikken»")
    admin.expect("Til godkendelse", "1 registrering venter på godkendelse.", "Solsikken (Område Nord)")
    admin.expect("af Søren Østergaard").expect_not("ændret efter indsendelse", "sendt ind igen efter retur")
    for variant in ("Til godkendelse?", "afventer godkendelse", "awaiting approval", "/maal til godkendelse"):
        await admin.say(variant)
        admin.expect("Solsikken (Område Nord)").expect_not(NOTICE_TO_ADMIN)  # a notice is shown once


@pytest.mark.parametrize("login", ["mette.noergaard", "lone.baek", "fatima.ali"])
async def test_only_the_deciders_get_the_queue(world: World, soeren: Talk, login: str) -> None:
    await _submitted(soeren)
    other = await world.talk(login)
    await other.say("til godkendelse")
    other.expect("Det er kun forvaltningen, der godkender registreringer.").expect_not("Solsikken (Område")
    assert not await _notices_of(world, "Mette Nørgaard"), "an area leader is not told of a submission"


async def test_vis_shows_the_content_not_just_counts(world: World, soeren: Talk) -> None:
    await _submitted(soeren)
    admin = await world.talk("admin")
    await admin.say("vis Solsikken")
    admin.expect("Solsikken (Område Nord): sendt ind.", "Formand: Søren Østergaard.")
    admin.expect("1.1 Lokalt mål 1", "Indsatser: Indsats 1", "Sådan måler I: Trivselsmåling · Hvornår: 1. marts 2027")
    admin.expect("4.1 Lokalt mål 4", "Indsatser: Indsats 4")
    titles = [r.title for r in admin.replies if r.title and r.title.startswith("Fælles mål ")]
    assert len(titles) == 4  # one message per strategic goal
    assert all(len(r.text) <= approval_views.MAX_CHARS for r in admin.replies)


async def test_a_change_after_submit_marks_it_tells_the_chair_and_needs_a_choice_to_approve(
    world: World, soeren: Talk, fatima: Talk
) -> None:
    await _submitted(soeren)
    await _add_intervention(fatima, "2.1", "Ny indsats")
    await _add_intervention(fatima, "3.1", "Endnu en indsats")  # the chair is told once, not per change
    reg = await world.registration("Solsikken")
    assert reg is not None and reg.status == "submitted" and reg.changed_after_submit

    chair_notices = await _notices_of(world, "Søren Østergaard")
    assert [n.kind for n in chair_notices] == ["changed_after_submit"]
    assert all(n.kind != "changed_after_submit" for n in await _notices_of(world, "Fatima Ali"))  # the author

    admin = await world.talk("admin")
    await admin.say("til godkendelse")
    admin.expect("ændret efter indsendelse")
    await admin.say("status Område Nord")
    admin.expect("sendt ind · ændret efter indsendelse · 4 af 4 fælles mål")
    await admin.say("vis Solsikken")
    admin.expect("sendt ind · ændret efter indsendelse", "Ændret, efter at den blev sendt ind")
    admin.expect("Ændret: 2.1 «Lokalt mål 2» (indsatser)", "Ændret: 3.1 «Lokalt mål 3» (indsatser)")
    admin.expect("Indsatser: Indsats 2; Ny indsats")
    exported = await world.export()  # the exports carry the mark too
    solsikken = next(i for i in exported["institutions"] if i["name"] == "Solsikken")
    assert solsikken["changed_after_submit"] is True
    assert "**Status:** Sendt ind · ændret efter indsendelse" in markdown(exported, report_texts_for("da"))

    await admin.say("godkend Solsikken")
    admin.expect("Jeg har ikke godkendt den.", "Ændret: 2.1 «Lokalt mål 2» (indsatser)")
    admin.expect_choice("Godkend den ændrede udgave", "Vis registreringen")
    stale = admin.choice("Godkend den ændrede udgave")
    assert (await world.institution("Solsikken"))["status"] == "submitted"

    await _add_intervention(fatima, "1.1", "Sent i sidste øjeblik")  # changed again before the click
    await admin.press(stale.id)
    admin.expect("Jeg har ikke godkendt den.", "Ændret: 1.1 «Lokalt mål 1» (indsatser)")
    assert (await world.institution("Solsikken"))["status"] == "submitted"
    await admin.choose("Godkend den ændrede udgave")
    admin.expect("Registreringen for Solsikken er godkendt og låst.")
    reg = await world.registration("Solsikken")
    assert reg is not None and reg.status == "approved" and not reg.changed_after_submit


async def test_the_chair_sends_it_in_again_and_the_admins_see_what_changed(
    world: World, soeren: Talk, fatima: Talk
) -> None:
    await _submitted(soeren)
    admin = await world.talk("admin")
    await admin.say("hej")  # the first notice read
    await _add_intervention(fatima, "2.1", "Ny indsats")

    await soeren.say("gennemgang")
    soeren.expect("har ændret lokalt mål 2.1 i registreringen for Solsikken, efter at den blev sendt ind")
    soeren.expect("Den er ændret, efter at den blev sendt ind. Vil I sende den ind til forvaltningen igen?")
    await soeren.choose("Send ind igen")
    soeren.expect("Registreringen for Solsikken er sendt ind til forvaltningen")
    reg = await world.registration("Solsikken")
    assert reg is not None and reg.status == "submitted" and not reg.changed_after_submit

    await admin.say("til godkendelse")
    admin.expect("Søren Østergaard har sendt registreringen for Solsikken ind igen.")
    admin.expect("Ændret, siden den sidst blev sendt ind:", "• Ændret: 2.1 «Lokalt mål 2» (indsatser)")
    admin.expect_not("ændret efter indsendelse")
    await admin.say("godkend Solsikken")
    admin.expect("Registreringen for Solsikken er godkendt og låst.")


async def test_a_resubmission_after_a_return_shows_what_changed(world: World, soeren: Talk, fatima: Talk) -> None:
    await _submitted(soeren)
    admin = await world.talk("admin")
    await admin.say("send retur Solsikken: Mål 2 mangler en indsats")
    admin.expect("sendt retur til bestyrelsen")
    await _add_intervention(fatima, "2.1", "Ny indsats")
    reg = await world.registration("Solsikken")
    assert reg is not None and reg.status == "returned" and not reg.changed_after_submit

    await admin.say("vis Solsikken")  # before it comes back: what the board has changed so far
    admin.expect("sendt retur", "Ændret, siden I sendte den retur", "Ændret: 2.1 «Lokalt mål 2»")

    await soeren.say("indsend")
    soeren.expect_not(ASK_UNCHANGED).expect("Registreringen for Solsikken er sendt ind til forvaltningen")
    await admin.say("til godkendelse")
    admin.expect("Søren Østergaard har sendt registreringen for Solsikken ind igen, efter at I sendte den retur.")
    admin.expect("Ændret, siden I sendte den retur:", "• Ændret: 2.1 «Lokalt mål 2» (indsatser)")
    admin.expect("sendt ind igen efter retur")
    await admin.say("vis Solsikken")
    admin.expect("Ændret, siden I sendte den retur", "Ændret: 2.1 «Lokalt mål 2» (indsatser)")


async def test_a_returned_registration_sent_in_unchanged_is_asked_about(world: World, soeren: Talk) -> None:
    await _submitted(soeren)
    admin = await world.talk("admin")
    await admin.say("send retur Solsikken: Se på mål 2")

    await soeren.say("indsend")
    soeren.expect(ASK_UNCHANGED).expect_choice("Ja, send den ind uændret", "Nej, vis gennemgangen")
    await soeren.choose("Nej, vis gennemgangen")
    soeren.expect("Her er alt, hvad der er registreret for Solsikken:")
    assert (await world.institution("Solsikken"))["status"] == "returned"

    await soeren.say("indsend")
    soeren.expect(ASK_UNCHANGED)
    await soeren.say("ja")
    soeren.expect("Registreringen for Solsikken er sendt ind til forvaltningen")
    assert (await world.institution("Solsikken"))["status"] == "submitted"
    await admin.say("hej")
    admin.expect("ind igen, efter at I sendte den retur.", "Der er ikke ændret noget, siden I sendte den retur.")


async def test_the_unchanged_question_is_in_english_too(world: World, soeren: Talk) -> None:
    await _submitted(soeren)
    admin = await world.talk("admin")
    await admin.say("send retur Solsikken: Se på mål 2")
    await soeren.say("english")
    await soeren.say("submit")
    soeren.expect("You have not changed anything since it was returned – do you want to submit it again unchanged?")


def _goal(lid: int, goal: int, position: int, text: str, **answers: object) -> dict[str, object]:
    return {"id": lid, "goal": goal, "position": position, "text": text, "answers": dict(answers)}


def test_differences_match_local_goals_by_their_row() -> None:
    before = [
        _goal(1, 1, 1, "Fast voksen", interventions=["A"]),
        _goal(2, 1, 2, "Leg", interventions=["B"]),
        _goal(3, 2, 1, "Stemme", measurement={"method": "Samtale", "when": "marts", "dates": []}),
    ]
    after = [  # 1.1 deleted (1.2 moved up), 2.1's measurement changed, 2.2 added; an emptied answer is no change
        _goal(2, 1, 1, "Leg", interventions=["B"], note=""),
        _goal(3, 2, 1, "Stemme", measurement={"method": "Samtale", "when": "april", "dates": []}),
        _goal(4, 2, 2, "Nyt mål"),
    ]
    assert differences(before, after) == [
        Difference("removed", 1, 1, "Fast voksen"),
        Difference("changed", 2, 1, "Stemme", ("measurement",)),
        Difference("added", 2, 2, "Nyt mål"),
    ]
    assert differences(after, after) == []


async def test_the_chairs_own_change_after_submit_offers_to_send_it_in_again(world: World, soeren: Talk) -> None:
    await _submitted(soeren)
    await soeren.say("ret mål 1.1")
    await soeren.choose("q:interventions")
    await soeren.say("Ny indsats")
    await soeren.choose("Færdig")
    soeren.expect("Den er ændret, efter at den blev sendt ind. Vil I sende den ind til forvaltningen igen?")
    soeren.expect_choice("Send ind igen")
    assert not await _notices_of(world, "Søren Østergaard")  # he made the change himself
    await soeren.say("status")
    soeren.expect("Status for Solsikken: sendt ind · ændret efter indsendelse.")
    await soeren.say("indsend")
    soeren.expect("Registreringen for Solsikken er sendt ind til forvaltningen")
    await soeren.say("status")
    soeren.expect("Status for Solsikken: sendt ind.").expect_not("ændret efter indsendelse")


async def test_the_queue_names_the_first_and_counts_the_rest(
    world: World, soeren: Talk, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _submitted(soeren)
    line = await world.talk("line.moerch")  # the chair of Mælkebøtten sends in later
    await line.say("hej")
    await _finish_all_goals_of(line, "Mælkebøtten")
    await line.choose("Send ind")
    monkeypatch.setattr(approval_views, "MAX_QUEUE", 1)
    admin = await world.talk("admin")
    await admin.say("til godkendelse")
    admin.expect("2 registreringer venter på godkendelse, den ældste først.", "Solsikken (Område Nord)")
    admin.expect("og 1 til").expect_not("Mælkebøtten (Område Nord)")


async def _finish_all_goals_of(talk: Talk, institution: str) -> None:
    for number in (1, 2, 3, 4):
        await talk.register_local_goal(f"Lokalt mål {number}", [f"Indsats {number}"])
        await talk.say("nej")
    talk.expect(f"Her er alt, hvad der er registreret for {institution}:")


@pytest.mark.parametrize(
    "text",
    ["til godkendelse", "Til godkendelse?", "TIL GODKENDELSE", "til godkendlse", "afventer godkendelse",
     "godkendelser", "awaiting approval", "Awaiting approval.", "maalbot til godkendelse"],
)  # fmt: skip
def test_the_queue_is_asked_for_forgivingly(text: str) -> None:
    assert parse_leader_query(text) == LeaderQuery("queue")


@pytest.mark.parametrize("text", ["godkend Solsikken", "Alle børn skal godkendes", "godkendelse af madplan i kø"])
def test_other_text_is_not_the_queue(text: str) -> None:
    assert parse_leader_query(text) != LeaderQuery("queue")


async def test_the_command_line_does_not_approve_a_changed_registration(
    world: World, soeren: Talk, fatima: Talk, capsys: pytest.CaptureFixture[str]
) -> None:
    await _submitted(soeren)
    await _add_intervention(fatima, "2.1", "Ny indsats")
    args = _cli_args("approve", "Solsikken", "--by", "admin@demo.maalbot.dk")
    assert await run_admin(args, world.db) == 1
    assert "Solsikken was changed after it was submitted" in capsys.readouterr().err
    assert (await world.institution("Solsikken"))["status"] == "submitted"
