"""Deadlines and dates (issue 17, point 5), over the conversation service with the tests' clock
(tests/dialogs/talk.py: 24 November 2026):

1. the deadline in a board member's greeting and `status`, «Fristen var …» once it has passed, also in the
   weekly nudge;
2. a measurement date that has passed is questioned: «Det er allerede passeret – mener I marts 2027?»;
3. a «when» with no date in it gets one follow-up question for a month, then is kept as written;
4. the local goals without a date are listed before the chair sends in;
6. a local goal kept from last period with dates outside the new period is asked for new dates.
(Point 5, `maalbot demo`, is in tests/bot/test_demo_strategy.py.)"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import yaml

from dialogs.reminders.model import AreaInfo, InstitutionInfo, MembershipInfo, PersonInfo, Snapshot
from dialogs.reminders.planner import plan
from dialogs.reminders.render import reply_from_json
from dialogs.strategy import load_strategy_file
from tests.dialogs.talk import ALMEN, Talk, World
from tests.dialogs.test_year_on_year import next_period
from tests.reminders.conftest import local

GOAL_1 = "Alle børn har en fast voksen"


def with_deadline(tmp_path: Path, deadline: date) -> Path:
    """The default strategy with its own key and another deadline (the default's was 30 November 2023)."""
    data = yaml.safe_load(ALMEN.read_text(encoding="utf-8"))
    data["key"] = "almen-frist"
    data["deadline"] = deadline.isoformat()
    path = tmp_path / "almen-frist.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


async def to_when(talk: Talk, local_goal: str = GOAL_1) -> None:
    """From the first question of a strategic goal to «Og hvornår vil I måle det?»."""
    await talk.say(local_goal)
    await talk.say("Faste legegrupper")
    await talk.choose("Færdig")
    await talk.say("Trivselsmåling")
    talk.expect("Og hvornår vil I måle det?")


async def measurement(world: World, goal: int = 1, position: int = 1) -> dict[str, Any]:
    solsikken = await world.institution("Solsikken")
    found: dict[str, Any] = solsikken["goals"][goal - 1]["local_goals"][position - 1]["measurement"]
    return found


# -- 1. the deadline ---------------------------------------------------------------------------------------


async def test_a_deadline_ahead_is_in_the_greeting_and_the_status(world: World, tmp_path: Path) -> None:
    await world.load_strategy(with_deadline(tmp_path, date(2027, 1, 15)))
    fatima = await world.talk("fatima.ali")
    await fatima.say("start")
    fatima.expect("Her kan I arbejde med de lokale mål for Solsikken", "Fristen er 15. januar 2027.")
    await fatima.say("status")
    assert "Status for Solsikken: i gang. Fristen er 15. januar 2027." in fatima.text
    fatima.expect("Hvilke lokale mål skal der til for at opnå mål 1?")  # and the question again


async def test_a_deadline_that_has_passed_is_told_in_the_past_tense(world: World, fatima: Talk) -> None:
    await fatima.say("start")  # the default strategy's deadline: 30 November 2023
    fatima.expect("Fristen var 30. november 2023.").expect_not("Fristen er")
    await fatima.say("status")
    fatima.expect("Fristen var 30. november 2023.").expect_not("Fristen er")


async def test_the_weekly_nudge_says_is_before_and_was_after_the_deadline(tmp_path: Path) -> None:
    strategy = load_strategy_file(with_deadline(tmp_path, date(2026, 6, 15)))
    snap = Snapshot(
        strategy=strategy,
        areas=(AreaInfo(1, "Område Nord", ()),),
        institutions=(InstitutionInfo(10, "Solsikken", 1, "draft", 100, {1: 1}),),
        people={3: PersonInfo(3, "Søren Formand")},
        memberships=(MembershipInfo(3, "chair", 10),),
    )

    def nudge(day: tuple[int, int, int]) -> str:
        (item,) = [i for i in plan(local(*day, 9, 0), snap) if i.rule == "nudge"]
        return reply_from_json(item.payload["replies"][0]).text

    assert "Fristen er 15. juni 2026." in nudge((2026, 6, 8))  # a Monday before the deadline
    after = nudge((2026, 6, 22))  # the Monday after it, still in the period
    assert "Fristen var 15. juni 2026." in after and "Fristen er" not in after


# -- 2. a date that has passed ------------------------------------------------------------------------------


async def test_a_date_that_has_passed_is_offered_a_year_on(world: World, soeren: Talk) -> None:
    await soeren.say("start")
    await to_when(soeren)
    await soeren.say("marts 2025")
    soeren.expect("Det er allerede passeret – mener I marts 2027?").expect_not("Passer det?")
    soeren.expect_choice("Ja, marts 2027", "Nej, en anden dato")
    await soeren.say("ja")
    soeren.expect("Så skriver jeg marts 2027.", "Vil I tilføje endnu et lokalt mål under fælles mål 1?")
    assert await measurement(world) == {"method": "Trivselsmåling", "when": "marts 2027", "dates": ["2027-03-01"]}


async def test_no_asks_again_and_a_date_typed_instead_is_read(world: World, soeren: Talk) -> None:
    await soeren.say("start")
    await to_when(soeren)
    await soeren.say("15/9-2025")
    soeren.expect("Det er allerede passeret – mener I 15. september 2027?")  # not 2026: that has passed too
    await soeren.choose("Nej, en anden dato")
    soeren.expect("Og hvornår vil I måle det?")
    assert (await world.registration("Solsikken")) is not None
    await soeren.say("marts 2024")  # passed as well: asked again
    soeren.expect("Det er allerede passeret – mener I marts 2027?")
    await soeren.say("oktober 2027")  # typed at the question instead of a button
    soeren.expect("1. oktober 2027. Passer det?")
    await soeren.choose("Ja")
    assert await measurement(world) == {"method": "Trivselsmåling", "when": "oktober 2027", "dates": ["2027-10-01"]}


async def test_only_the_dates_that_have_passed_are_moved(world: World, soeren: Talk) -> None:
    await soeren.say("start")
    await to_when(soeren)
    await soeren.say("marts 2025 og oktober 2027")
    soeren.expect("Det er allerede passeret (marts 2025) – mener I marts 2027, oktober 2027?")
    await soeren.choose("Ja, marts 2027, oktober 2027")
    found = await measurement(world)
    assert found["dates"] == ["2027-03-01", "2027-10-01"]
    assert found["when"] == "marts 2027 og oktober 2027"


# -- 3. a «when» with no date ------------------------------------------------------------------------------


async def test_a_when_without_a_date_gets_one_question_for_a_month(world: World, soeren: Talk) -> None:
    await soeren.say("start")
    await to_when(soeren)
    await soeren.say("efter jul")
    soeren.expect(
        "Jeg kunne ikke finde en måned i «efter jul». Hvilken måned regner I med at måle? Skriv fx «marts 2027»."
    )
    await soeren.say("januar")
    soeren.expect("1. januar 2027. Passer det?")
    await soeren.choose("Ja")
    soeren.expect("Vil I tilføje endnu et lokalt mål under fælles mål 1?")
    found = await measurement(world)
    assert found == {"method": "Trivselsmåling", "when": "efter jul (januar)", "dates": ["2027-01-01"]}


async def test_only_one_follow_up_then_the_text_is_kept_as_written(world: World, soeren: Talk) -> None:
    await soeren.say("start")
    await to_when(soeren)
    await soeren.say("løbende")
    soeren.expect("Hvilken måned regner I med at måle?")
    await soeren.say("når det passer ind")
    soeren.expect(
        "Jeg kunne ikke finde en dato i «løbende (når det passer ind)», så jeg gemmer jeres formulering, som den er.",
        "Vil I tilføje endnu et lokalt mål under fælles mål 1?",
    ).expect_not("Hvilken måned")
    found = await measurement(world)
    assert found == {"method": "Trivselsmåling", "when": "løbende (når det passer ind)", "dates": []}


async def test_the_follow_up_survives_a_pause_and_skip_keeps_the_first_answer(world: World, soeren: Talk) -> None:
    await soeren.say("start")
    await to_when(soeren)
    await soeren.say("efter jul")
    await soeren.say("pause")
    world.restart()
    await soeren.say("fortsæt")
    soeren.expect("Hvilken måned regner I med at måle?", "«efter jul»")
    await soeren.say("spring over")
    assert await measurement(world) == {"method": "Trivselsmåling", "when": "efter jul", "dates": []}


# -- 4. before sending in ----------------------------------------------------------------------------------


async def test_submit_lists_the_local_goals_without_a_date_first(world: World, soeren: Talk) -> None:
    await soeren.say("start")
    await to_when(soeren)
    await soeren.say("løbende")
    await soeren.say("hele året")
    await soeren.say("nej")  # no more local goals under goal 1
    for goal, text in ((2, "Læselyst"), (3, "Børnenes stemme"), (4, "Gode fællesskaber")):
        soeren.expect(f"Hvilke lokale mål skal der til for at opnå mål {goal}?")
        await soeren.register_local_goal(text)
        await soeren.say("nej")
    soeren.expect("Her er alt, hvad der er registreret for Solsikken:")
    soeren.expect("Disse lokale mål har ingen dato, jeg kan minde jer om:\n• 1.1 Alle børn har en fast voksen")
    soeren.expect("«løbende (hele året)»", "Skriv «ret mål 1.1», hvis I vil give et af dem en måned.")
    soeren.expect_choice("Send ind")

    await soeren.say("ret mål 2")  # away from the review, then «send ind» typed
    await soeren.say("indsend")
    soeren.expect("Disse lokale mål har ingen dato", "• 1.1 Alle børn har en fast voksen").expect_choice("Send ind")
    registration = await world.registration("Solsikken")
    assert registration is not None and registration.status == "draft"  # seen, not yet sent

    await soeren.choose("Send ind")
    soeren.expect("Tak! Registreringen for Solsikken er sendt ind")
    registration = await world.registration("Solsikken")
    assert registration is not None and registration.status == "submitted"


async def test_a_member_sees_the_list_too_before_telling_the_chair(world: World, fatima: Talk) -> None:
    await fatima.say("start")
    await fatima.register_local_goal(GOAL_1, when="løbende", confirm_dates=False)  # «Behold det, vi skrev»
    await fatima.say("nej")
    for text in ("Læselyst", "Børnenes stemme", "Gode fællesskaber"):
        await fatima.register_local_goal(text)
        await fatima.say("nej")
    fatima.expect(
        "Disse lokale mål har ingen dato, jeg kan minde jer om:\n• 1.1 Alle børn har en fast voksen («løbende»)"
    )
    fatima.expect_choice("ready")  # «Giv formanden besked»
    assert (await measurement(world))["when"] == "løbende"


async def test_with_every_date_readable_nothing_is_listed(world: World, soeren: Talk) -> None:
    await soeren.say("start")
    for text in (GOAL_1, "Læselyst", "Børnenes stemme", "Gode fællesskaber"):
        await soeren.register_local_goal(text)
        await soeren.say("nej")
    soeren.expect("Alt er besvaret.").expect_not("ingen dato")
    await soeren.say("ret mål 1")
    await soeren.say("indsend")  # straight through: nothing to show first
    soeren.expect("Tak! Registreringen for Solsikken er sendt ind")


# -- 6. year on year ---------------------------------------------------------------------------------------


async def test_a_kept_local_goal_is_asked_for_dates_in_the_new_period(
    world: World, soeren: Talk, tmp_path: Path
) -> None:
    await soeren.say("start")
    await soeren.register_local_goal(GOAL_1)  # marts 2027: before the new period
    await soeren.say("ja")
    await soeren.register_local_goal("Flere ture ud af huset", when="marts 2029")  # inside the new period
    await soeren.say("nej")

    await world.load_strategy(next_period(tmp_path))  # 2028-2031
    await soeren.say("start")
    soeren.expect("Sidste periode", GOAL_1)
    await soeren.choose("Behold det")
    soeren.expect(
        "Beholdt.",
        f"Målingen af «{GOAL_1}» var sat til marts 2027, og det ligger uden for den nye periode "
        "(1. januar 2028 – 31. december 2031). Den skal have en ny dato.",
        "Og hvornår vil I måle det?",
    )
    await soeren.say("september 2028")
    await soeren.choose("Ja")
    soeren.expect("Sidste periode", "Flere ture ud af huset")  # then last period's next local goal
    await soeren.choose("Behold det")
    soeren.expect("Beholdt.").expect_not("uden for den nye periode", "Og hvornår")  # its date fits: no question
    soeren.expect("Lokale mål under fælles mål 1 indtil nu")

    assert await measurement(world) == {"method": "Trivselsmåling", "when": "september 2028", "dates": ["2028-09-01"]}
    assert (await measurement(world, 1, 2))["dates"] == ["2029-03-01"]


async def test_a_kept_local_goal_left_at_the_date_question_keeps_no_old_dates(
    world: World, soeren: Talk, tmp_path: Path
) -> None:
    await soeren.say("start")
    await soeren.register_local_goal(GOAL_1)
    await soeren.say("nej")
    await world.load_strategy(next_period(tmp_path))
    await soeren.say("start")
    await soeren.choose("Behold det")
    soeren.expect("Den skal have en ny dato.")
    found = await measurement(world)  # stored before the answer: the method and its words, not 2027's date
    assert found == {"method": "Trivselsmåling", "when": "marts 2027", "dates": []}
