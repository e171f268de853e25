"""A CPR number in an answer is refused with a friendly explanation in the person's language and is
stored nowhere (no table, no log); the first question's help and the help text warn against it."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from dialogs.sensitive import contains_cpr
from storage.db import Database
from storage.models import Base, Person
from tests.dialogs.talk import World

CPR = "120315-4321"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Anna 120315-4321 skal have en fast voksen", True),
        ("cpr 1203154321", True),
        ("290200-1234 (år 2000 var skudår)", True),
        ("290201-1234", False),  # 29 February 1901 / 2001 did not exist
        ("320115-1234", False),  # no 32nd day
        ("121315-1234", False),  # no 13th month
        ("Ring på 12345678 eller +45 1234567890", False),
        ("Målt 2025-2026 og 2026-2027", False),
        ("EAN 57980001234567", False),
        ("Alle børn har en fast voksen", False),
    ],
)
def test_cpr_numbers_are_recognised_by_shape_and_date(text: str, expected: bool) -> None:
    assert contains_cpr(text) is expected


async def _everything(world: World) -> str:
    out = []
    async with world.db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in (await conn.execute(select(table))).mappings():
                out.append(json.dumps(dict(row), ensure_ascii=False, default=str))
    return "\n".join(out)


async def test_an_answer_with_a_cpr_number_is_refused_and_stored_nowhere(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    soeren = await world.talk("soeren.oestergaard")
    await soeren.say("start")
    soeren.expect("Skriv ikke om enkelte børn", "Hvilke lokale mål skal der til for at opnå mål 1")
    await soeren.say(f"Anna ({CPR}) skal have en fast voksen")
    soeren.expect("Det ser ud til, at jeres svar indeholder et CPR-nummer, så jeg har ikke gemt det.")
    soeren.expect("Hvilke lokale mål skal der til for at opnå mål 1")  # asked again
    assert CPR not in soeren.text and "1203154321" not in soeren.text
    await soeren.say("Alle børn har en fast voksen")
    soeren.expect("Beskrivelse af indsatser")
    await soeren.say(f"Samtale med Annas forældre\n{CPR.replace('-', '')}")  # a list question too
    soeren.expect("CPR-nummer")

    await soeren.say("english")
    await soeren.say(f"Talks with {CPR}")
    soeren.expect("Your answer looks like it contains a CPR number, so I have not saved it.")

    stored = await _everything(world)
    assert "Alle børn har en fast voksen" in stored  # the test sees what is stored
    assert CPR not in stored and CPR.replace("-", "") not in stored and "120315" not in stored
    assert "120315" not in caplog.text


async def test_the_first_questions_help_and_the_help_text_warn_about_children(world: World) -> None:
    soeren = await world.talk("soeren.oestergaard")
    await soeren.say("start")
    await soeren.say("hjælp")
    soeren.expect("Skriv ikke om enkelte børn, forældre eller medarbejdere, og skriv aldrig et CPR-nummer.")
    from dialogs.strategy import DEFAULT_STRATEGY_FILE, load_strategy_file

    strategy = load_strategy_file(DEFAULT_STRATEGY_FILE)
    first = strategy.questions[0]
    assert first.help is not None
    assert "ikke om enkelte børn" in first.help.get("da") and "CPR" in first.help.get("da")
    assert "not about individual children" in first.help.get("en")


async def test_a_database_error_does_not_carry_the_values_into_the_log(db: Database) -> None:
    """SQL errors are logged with their traceback; the values (names, answers) are hidden there."""
    with pytest.raises(IntegrityError) as caught:
        async with db.transaction() as s:
            for _ in range(2):
                s.add(Person(name="Hemmelig Hansen", email="hemmelig@test.dk", email_key="hemmelig@test.dk"))
                await s.flush()
    assert "people" in str(caught.value)
    assert "Hemmelig" not in str(caught.value) and "hemmelig@test.dk" not in str(caught.value)
