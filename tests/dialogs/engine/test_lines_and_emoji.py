"""Issue 17, point 10, through `advance` alone: several lines at «Which local goals …?» offer a local
goal per line; a lone emoji is confirmed before it is stored or replaces a text."""

from __future__ import annotations

from dialogs.changes import AddLocalGoal, Change, SetAnswer
from dialogs.intent import is_emoji
from tests.dialogs.engine.script import Run, complete


def test_several_lines_become_one_local_goal_each_and_each_gets_its_questions() -> None:
    run = Run.new().say("start").say("Every child has a friend\nEvery child reads daily\n")
    run.expect("That is 2 lines. Shall I make one local goal of each line?").at("ask", 1, None, "local_goal")
    assert run.changes == ()  # nothing stored before the answer
    run.choose("Yes, one local goal per line").expect("I have made 2 local goals.").at("ask", 1, 1, "interventions")
    made: tuple[Change, ...] = run.changes
    added = [change.text for change in made if isinstance(change, AddLocalGoal)]
    assert added == [
        "Every child has a friend",
        "Every child reads daily",
    ]
    run.say("Buddy benches").choose("Done").say("Survey").say("March 2027").choose("Yes")
    run.at("ask", 1, 2, "interventions").expect("About «Every child reads daily»:")
    run.say("Reading time").choose("Done").say("Reading test").say("March 2027").choose("Yes").at("more", 1)
    run.expect("1.1 Every child has a friend", "1.2 Every child reads daily")


def test_no_keeps_the_lines_as_one_local_goal() -> None:
    run = Run.new().say("start").say("Every child has a friend\nand feels safe").choose("No, it is one local goal")
    run.at("ask", 1, 1, "interventions")
    assert run.answers(1, 1)["local_goal"] == "Every child has a friend\nand feels safe"


def test_a_lone_emoji_is_confirmed_before_it_replaces_a_text() -> None:
    run = Run.new(complete(1, 1, "Every child has a friend")).say("start").say("edit goal 1.1")
    run.choose("Which local goals").at("ask", 1, 1, "local_goal").say("👍")
    run.expect("Should «👍» replace «Every child has a friend»?")
    assert run.changes == ()
    run.choose("No, I will write an answer").at("ask", 1, 1, "local_goal")
    assert run.answers(1, 1)["local_goal"] == "Every child has a friend"
    run.say("👍").choose("Yes, save it")
    saved: tuple[Change, ...] = run.changes
    values = [change.value for change in saved if isinstance(change, SetAnswer)]
    assert values == ["👍"]


def test_what_counts_as_a_lone_emoji() -> None:
    assert is_emoji("👍") and is_emoji("👍🏽") and is_emoji("✅") and is_emoji(" 🙂 ")
    assert not is_emoji("ok") and not is_emoji("👍 ja") and not is_emoji("1") and not is_emoji("-")
