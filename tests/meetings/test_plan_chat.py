"""Planning a meeting in the chat («planlæg møde») through the conversation service: the administration
picks a template, names the institution, gives the date and the participants; a wrong answer gets a
friendly line and the question again; anyone else is told that only the administration plans meetings."""

from __future__ import annotations

from datetime import date

from storage import meetings
from storage.meeting_models import ParticipantRole
from tests.dialogs.talk import World

D = "demo.maalbot.dk"  # the service's clock in these tests: 24 November 2026


async def test_the_administration_plans_a_dialogue_meeting_in_chat(world: World) -> None:
    admin = await world.talk("admin")
    await admin.say("planlæg møde")
    admin.expect("Hvilket møde vil du planlægge?").expect_choice(
        "Dialogmøde mellem ledelsesteamet og forvaltningen", "Samarbejdsmøde i området"
    )
    await admin.choose("Dialogmøde mellem ledelsesteamet og forvaltningen")
    admin.expect("Hvilken institution er mødet med?")
    await admin.say("Mælkebøtten i Månen")  # not an institution
    admin.expect("«Mælkebøtten i Månen» kender jeg ikke", "Hvilken institution er mødet med?")
    await admin.say("solsikken")
    admin.expect("Hvilken dag er mødet?")
    await admin.say("den 31. i næste måned")
    admin.expect("«den 31. i næste måned» er ikke en dato", "Hvilken dag er mødet?")
    await admin.say("2026-11-01")  # already passed
    admin.expect("er allerede gået", "Hvilken dag er mødet?")
    await admin.say("15-03-2027")
    admin.expect("Hvem skal ellers deltage?")
    await admin.say(f"nogen@{D}")  # nobody known by that email
    admin.expect(f"«nogen@{D}»", "Hvem skal ellers deltage?")
    await admin.say(f"fatima.ali@{D}")
    admin.expect("Mødet er planlagt: «Dialogmøde mellem ledelsesteamet og forvaltningen» for Solsikken den 15. marts")
    async with world.db.read() as s:
        [meeting] = await meetings.meeting_views(s)
    assert (meeting.template_key, meeting.held_on, meeting.where) == ("dialogmoede", date(2027, 3, 15), "Solsikken")
    roles = {email: role for _id, _name, email, role in meeting.participants}
    assert roles[f"lone.baek@{D}"] == ParticipantRole.PREPARER  # the leader of Solsikken prepares it
    assert roles[f"fatima.ali@{D}"] == ParticipantRole.ATTENDEE
    await admin.say("hej")  # the flow is over: an ordinary message again
    admin.expect_not("Hvem skal ellers deltage?")


async def test_the_whole_municipality_needs_no_place_and_pause_stops(world: World) -> None:
    admin = await world.talk("admin")
    await admin.say("plan meeting")
    await admin.choose("Samarbejdsmøde mellem områderne")
    admin.expect("Hvilken dag er mødet?").expect_not("Hvilken institution", "Hvilket område")
    await admin.say("pause")
    admin.expect("Der er ikke planlagt noget.")
    await admin.say("planlæg møde")
    await admin.choose("Samarbejdsmøde mellem områderne")
    await admin.say("2027-05-03")
    await admin.say("ingen")
    admin.expect("Mødet er planlagt: «Samarbejdsmøde mellem områderne» for hele kommunen den 3. maj 2027")
    async with world.db.read() as s:
        [meeting] = await meetings.meeting_views(s)
    assert meeting.template_key == "tvaersmoede" and meeting.participants  # the area leaders prepare it


async def test_a_board_member_is_told_only_the_administration_plans(world: World) -> None:
    fatima = await world.talk("fatima.ali")
    await fatima.say("planlæg møde")
    fatima.expect("Det er kun forvaltningen, der planlægger møder.").expect_no_choice("Samarbejdsmøde i området")
    await fatima.press("meeting:plan:dialogmoede")  # a forged button plans nothing either
    fatima.expect("Det er kun forvaltningen")
    async with world.db.read() as s:
        assert await meetings.meeting_views(s) == []
