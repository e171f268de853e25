"""The meeting conversation through the conversation service: a leader prepares a dialogue meeting
(«forbered møde»), sends an agenda point, participants record an agreement («ny aftale»), and its owner
answers «Er aftalen holdt?»; the registration conversation is untouched by all of it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from dialogs.meetings.planning import plan_from_csv
from dialogs.texts import texts
from storage import meetings
from storage.meeting_models import Agreement
from tests.dialogs.talk import World

D = "demo.maalbot.dk"  # the service's clock in these tests: 24 November 2026
PLAN = f"""institution,date,template,participants
Solsikken,2026-12-15,dialogmoede,admin@{D}
Solsikken,2026-11-20,dialogmoede,admin@{D}; fatima.ali@{D}
"""


async def _plan(world: World) -> tuple[int, int]:
    assert (await plan_from_csv(world.db, PLAN, texts("da"))).problems == []
    async with world.db.read() as s:
        held, coming = await meetings.meeting_views(s, status=None)
    return coming.id, held.id


async def test_a_leader_prepares_the_dialogue_meeting(world: World) -> None:
    coming, _held = await _plan(world)
    lone = await world.talk("lone.baek")
    await lone.say("forbered møde")
    lone.expect(
        "Dialogmøde mellem ledelsesteamet og forvaltningen den 15. december 2026: spørgsmål 1 af 16",
        "Hvad siger vores data om børnene?",
        "Fx data indsamlet ifbm. arbejdet med den styrkede pædagogiske læreplan.",
    ).expect_choice("Spring over", "Pause")
    await lone.say("Sprogvurderingerne viser fremgang")
    lone.expect("spørgsmål 2 af 16", "Hvad siger vores data om medarbejderne?")
    await lone.choose("Spring over")
    lone.expect("spørgsmål 3 af 16", "Hvad siger vores data om forældrene?")
    await lone.say("hjælp")  # not an answer
    lone.expect("Skriv jeres svar. I kan også skrive «spring over»")
    await lone.say("pause")
    lone.expect("Det er gemt. Skriv «forbered møde»")
    await lone.say("hej")  # the registration conversation is where it was, not the meeting's
    lone.expect("Som leder af Solsikken kan du skrive:").expect_not("af 16")  # a leader is greeted as one
    await lone.choose("Arbejd med registreringen for Solsikken")
    lone.expect("Her kan I arbejde med de lokale mål for Solsikken").expect_not("spørgsmål")
    await lone.press(f"meeting:prepare:{coming}")  # the button of the bot's message
    lone.expect("spørgsmål 2 af 16", "Hvad siger vores data om medarbejderne?")
    for number in range(2, 17):
        lone.expect(f"spørgsmål {number} af 16")
        await lone.say(f"Svar {number}")
    lone.expect("Tak! Alle spørgsmål til «Dialogmøde mellem ledelsesteamet og forvaltningen» er besvaret.")
    async with world.db.read() as s:
        answers = {key: a.text for key, a in (await meetings.answers_of(s, coming)).items()}
    assert len(answers) == 16
    children = next(text for key, text in answers.items() if key.endswith("/data_children"))
    assert children == "Sprogvurderingerne viser fremgang"
    assert any(key.endswith("/joint_support:2") for key in answers)  # one per joint intervention (daycare: 3)
    await lone.say("Alle børn har en fast voksen")  # an ordinary registration answer again
    lone.expect("Beskrivelse af indsatser")


async def test_an_agenda_point_goes_on_the_coming_meeting(world: World) -> None:
    coming, _held = await _plan(world)
    lone = await world.talk("lone.baek")
    await lone.say("dagsordenspunkt: Fælles indsats for sprog")
    lone.expect("Tak. «Fælles indsats for sprog» er på listen over punkter til dagsordenen for «Dialogmøde")
    async with world.db.read() as s:
        assert await meetings.agenda_points(s, coming) == [("Fælles indsats for sprog", "Lone Bæk")]
    soeren = await world.talk("soeren.oestergaard")  # not taking part
    await soeren.say("dagsordenspunkt: Legeplads")
    soeren.expect("I deltager ikke i et planlagt møde")


async def test_participants_record_an_agreement_and_the_owner_follows_it_up(world: World) -> None:
    _coming, held = await _plan(world)
    admin = await world.talk("admin")
    await admin.say("ny aftale")
    admin.expect("Hvad er der aftalt?")
    await admin.say("Sprogindsatsen evalueres på alle stuer")
    admin.expect("Hvem er ansvarlig for aftalen?").expect_choice("Lone Bæk", "Anne Admin", "Fatima Ali")
    await admin.say("Søren")
    admin.expect("Jeg kan ikke se, hvem «Søren» er blandt mødets deltagere.")
    await admin.say("lone")
    admin.expect("Hvornår skal den være holdt?")
    await admin.say("i fjor")
    admin.expect("Jeg kan ikke læse «i fjor» som en kommende dato.")
    await admin.say("1. juni 2027")
    admin.expect(
        "Aftalen er gemt: «Sprogindsatsen evalueres på alle stuer». Lone Bæk er ansvarlig, senest 1. juni 2027."
    )
    async with world.db.read() as s:
        (row,) = await s.execute(select(Agreement.id, Agreement.meeting_id, Agreement.due_on, Agreement.status))
    assert tuple(row)[1:] == (held, date(2027, 6, 1), "open")

    lone = await world.talk("lone.baek")
    await lone.say("aftaler")
    lone.expect("Åbne aftaler (1):", "Sprogindsatsen evalueres på alle stuer (Solsikken)", "1. juni 2027 · Lone Bæk")
    fatima = await world.talk("fatima.ali")
    await fatima.press(f"agreement:{row.id}:kept")  # not hers
    fatima.expect("Den aftale er ikke din at følge op på")

    await lone.press(f"agreement:{row.id}:partly")  # the button of «Er aftalen holdt?»
    lone.expect("Gemt: Delvist. Hvordan gik det?")
    await lone.say("Tre af fire stuer er i gang")
    lone.expect("Tak. Svaret er gemt.")
    await lone.press(f"agreement:{row.id}:kept")
    lone.expect("Der er allerede fulgt op på aftalen: Delvist.")
    async with world.db.read() as s:
        done = (await s.execute(select(Agreement.status, Agreement.follow_up_text))).one()
    assert tuple(done) == ("partly", "Tre af fire stuer er i gang")


async def test_words_meant_for_the_bot_are_not_saved_as_a_meeting_answer(world: World) -> None:
    coming, _held = await _plan(world)
    lone = await world.talk("lone.baek")
    await lone.say("forbered møde")
    lone.expect("spørgsmål 1 af 16")
    for said in ("hvem mangler?", "status", "afmeld", "Hvornår er mødet?"):
        await lone.say(said)
        lone.expect(f"Er «{said}» jeres svar").expect_choice("Det er vores svar", "Gem det ikke")
    await lone.press("meeting:drop")
    lone.expect("Ikke gemt.")
    await lone.say("Hvad lærer vi af sprogvurderingerne?")
    lone.expect("Er «Hvad lærer vi af sprogvurderingerne?» jeres svar")
    await lone.press("meeting:keep")  # it was the answer after all
    lone.expect("spørgsmål 2 af 16")
    async with world.db.transaction() as s:
        saved = [a.text for a in (await meetings.answers_of(s, coming)).values()]
    assert saved == ["Hvad lærer vi af sprogvurderingerne?"]
