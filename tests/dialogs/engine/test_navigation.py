"""«back», «skip», «edit» and the review, through `advance` alone (scripts of inputs → states and replies)."""

from __future__ import annotations

from tests.dialogs.engine.script import Run, complete

MEASURE = "measurement"


def at_date_confirmation() -> Run:
    run = Run.new().say("start").say("Every child has a friend").say("Buddy benches").choose("Done")
    run.at("ask", 1, 1, MEASURE).say("Well-being survey").at("when", 1, 1, MEASURE)
    return run.say("March 2027").at("confirm_dates", 1, 1, MEASURE).expect("March 1, 2027")


def test_back_from_the_date_confirmation_asks_the_measurement_again_not_the_question_before() -> None:
    run = at_date_confirmation().say("back")
    run.at("ask", 1, 1, MEASURE).expect("How and when will the effect be measured?", "First: how will you measure it?")
    assert run.state.to_json()["pending"] == {}  # the half answer is dropped
    assert run.changes == ()


def test_back_from_the_when_question_asks_the_measurement_again() -> None:
    run = Run.new().say("start").say("Every child has a friend").say("Buddy benches").choose("Done")
    run.say("Well-being survey").at("when", 1, 1, MEASURE).say("back").at("ask", 1, 1, MEASURE)


def test_back_goes_one_question_back_and_at_the_beginning_says_so() -> None:
    run = Run.new().say("start").at("ask", 1, None, "local_goal").say("back")
    run.expect("We are at the beginning, there is nothing to go back to.").at("ask", 1, None, "local_goal")
    run.say("Every child has a friend").at("ask", 1, 1, "interventions").say("back")
    run.at("ask", 1, 1, "local_goal").expect("Current answer: Every child has a friend")


def test_skip_while_editing_an_existing_local_goals_text_stays_with_that_local_goal() -> None:
    run = Run.new(complete(1, 1, "Every child has a friend")).say("start").say("edit goal 1.1").at("edit_local", 1, 1)
    run.choose("Which local goals").at("ask", 1, 1, "local_goal").say("skip")
    run.at("ask", 2, None, "local_goal").expect("Skipped. The question is shown as unanswered in the review.")
    run.expect_not("come back to goal 1 later")
    assert run.changes == () and run.answers(1, 1)["local_goal"] == "Every child has a friend"


def test_skip_at_an_existing_local_goals_text_in_the_flow_goes_on_to_its_next_question() -> None:
    run = Run.new().say("start").say("Every child has a friend").say("back").at("ask", 1, 1, "local_goal")
    run.say("skip").at("ask", 1, 1, "interventions").expect_not("Goal 2 of 4")


def test_skip_a_new_local_goal_goes_on_to_the_next_strategic_goal() -> None:
    run = Run.new().say("start").say("skip")
    run.expect("Skipped. You can come back to goal 1 later with «edit goal 1».", "Goal 2 of 4")
    run.at("ask", 2, None, "local_goal")
