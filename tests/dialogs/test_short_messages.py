"""Short messages and what a board types (issue 17, points 4 and 10), over the service."""

from __future__ import annotations

from tests.dialogs.talk import Talk, World


async def test_short_labels_and_a_wrong_input_at_the_review_is_one_line(world: World, soeren: Talk) -> None:
    await soeren.say("hej")
    await soeren.register_local_goal("Alle børn har en fast voksen")
    await soeren.say("gennemgang")
    soeren.expect("1.1 Alle børn har en fast voksen").expect_not("Faste legegrupper")  # one line per local goal
    await soeren.choose("Vis detaljerne")
    soeren.expect("Indsatser", "Sådan måler I", "Hvornår: marts 2027")
    soeren.expect_not("Beskrivelse af indsatser: hvad gør I")
    await soeren.say("øh, hvad nu")
    soeren.expect("Det forstod jeg desværre ikke.", "Det mangler, før den kan sendes ind:")
    soeren.expect_not("Her er alt, hvad der er registreret")
    assert len(soeren.replies) == 2


async def test_several_lines_become_several_local_goals(world: World, soeren: Talk) -> None:
    await soeren.say("hej")
    await soeren.say("Alle børn har en fast voksen\nAlle børn læser hver dag")
    soeren.expect("Det er 2 linjer. Skal jeg lave et lokalt mål af hver linje?")
    await soeren.choose("Ja, ét lokalt mål pr. linje")
    soeren.expect("Jeg har lavet 2 lokale mål.", "Beskrivelse af indsatser")
    texts = [lg["text"] for lg in (await world.institution("Solsikken"))["goals"][0]["local_goals"]]
    assert texts == ["Alle børn har en fast voksen", "Alle børn læser hver dag"]


async def test_a_lone_emoji_does_not_silently_replace_a_local_goal(world: World, soeren: Talk) -> None:
    await soeren.say("hej")
    await soeren.register_local_goal("Alle børn har en fast voksen")
    await soeren.say("ret mål 1.1")
    await soeren.choose("q:local_goal")
    await soeren.say("👍")
    soeren.expect("Skal «👍» erstatte «Alle børn har en fast voksen»?")
    await soeren.choose("Nej, vi skriver et andet svar")
    assert (await world.institution("Solsikken"))["goals"][0]["local_goals"][0][
        "text"
    ] == "Alle børn har en fast voksen"
