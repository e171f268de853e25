"""The administration's questions in the same conversation: approve, return, links."""

from __future__ import annotations

from dialogs.links import LinkSigner
from dialogs.links_chat import LinkAnswers
from tests.dialogs.talk import NOW, Talk, World


async def test_admin_approves_in_chat_and_the_board_is_told_and_locked(world: World, soeren: Talk) -> None:
    await soeren.say("hej")
    await soeren.register_local_goal("Alle børn har en fast voksen")
    await world.set_status("Solsikken", "submitted")
    admin = await world.talk("admin")

    await admin.say("godkend solsikken")
    admin.expect("Solsikken", "godkendt")
    registration = await world.registration("Solsikken")
    assert registration is not None and registration.status == "approved"

    await soeren.say("ret mål 1.1")
    soeren.expect("Forvaltningen har godkendt registreringen for Solsikken", "låst")
    await soeren.say("Et nyt mål")
    assert (await world.institution("Solsikken"))["goals"][0]["local_goals"][0]["text"] == (
        "Alle børn har en fast voksen"
    )


async def test_admin_returns_with_a_comment_and_the_board_can_submit_again(world: World, soeren: Talk) -> None:
    await soeren.say("hej")
    await world.set_status("Solsikken", "submitted")
    admin = await world.talk("admin")
    await admin.say("send retur solsikken: mål 2 mangler en måling")
    registration = await world.registration("Solsikken")
    assert registration is not None and registration.status == "returned"
    await soeren.say("status")
    soeren.expect("mål 2 mangler en måling")
    await soeren.say("gennemgang")  # the notice is gone; the comment stays with the registration
    soeren.expect("Forvaltningen har sendt registreringen retur med denne kommentar: «mål 2 mangler en måling»")
    await soeren.say("status")
    soeren.expect("Kommentar fra forvaltningen: mål 2 mangler en måling")


async def test_a_board_member_cannot_approve(world: World, fatima: Talk) -> None:
    await fatima.say("godkend solsikken")
    fatima.expect("Kun forvaltningen kan godkende")
    registration = await world.registration("Solsikken")
    assert registration is None or registration.status == "draft"


async def test_links_are_refused_when_switched_off_and_given_when_configured(world: World) -> None:
    admin = await world.talk("admin")
    await admin.say("statusside")
    admin.expect("slået fra")

    signer = LinkSigner(secret=b"s" * 32, base_url="https://maal.kommune.dk")
    world.service.links = LinkAnswers(world.db, signer, clock=lambda: NOW)
    await admin.say("statusside")
    admin.expect("https://maal.kommune.dk/status?token=")

    fatima = await world.talk("fatima.ali")
    await fatima.say("eksport")
    fatima.expect("Kun ledere og forvaltningen kan få links")


async def test_a_board_member_asks_for_a_print_link_of_their_own_board(world: World) -> None:
    signer = LinkSigner(secret=b"s" * 32, base_url="https://maal.kommune.dk")
    world.service.links = LinkAnswers(world.db, signer, clock=lambda: NOW)
    fatima = await world.talk("fatima.ali")
    await fatima.say("udskriv")
    fatima.expect("Her er jeres registrering, klar til udskrift", "Solsikken", "https://maal.kommune.dk/board/")
    fatima.expect_not("Ærøvej")
    camilla = await world.talk("camilla.dahl")
    await camilla.say("print")
    camilla.expect("Solsikken", "Ærøvej Skole", "Word (DOCX)")
