"""Edits return to the flow (issue 17, point 3), through `advance` alone: after «edit goal N.M» and one
corrected answer the person is back where they were; «Fill in what is missing» asks only the gaps, in
order; a local goal added from the review runs the normal flow for it, then the review again."""

from __future__ import annotations

from tests.dialogs.engine.script import Run, complete, local_goal


def test_an_edit_from_inside_the_flow_goes_back_to_the_question_we_were_at() -> None:
    run = Run.new(complete(1, 1, "Every child has a friend")).say("start").at("ask", 2, None, "local_goal")
    run.say("edit goal 1.1").at("edit_local", 1, 1).expect_not("Back to the review").expect("Back to where we were")
    run.choose("Which local goals").at("ask", 1, 1, "local_goal").say("Every child has two friends")
    run.at("ask", 2, None, "local_goal").expect("We continue where you were.", "Goal 2 of 4")
    assert run.answers(1, 1)["local_goal"] == "Every child has two friends"
    assert run.state.return_to is None


def test_an_edit_while_the_dates_are_confirmed_asks_the_measurement_again_after() -> None:
    run = Run.new().say("start").say("Every child has a friend").say("Buddy benches").choose("Done")
    run.say("Well-being survey").say("March 2027").at("confirm_dates", 1, 1, "measurement")
    run.say("edit goal 1.1").choose("Which local goals").say("Every child has a buddy")
    run.at("ask", 1, 1, "measurement").expect("How and when will the effect be measured?")


def test_back_to_where_we_were_from_the_edit_menu_without_changing_anything() -> None:
    run = Run.new(complete(1, 1, "A")).say("start").at("ask", 2, None, "local_goal")
    run.say("edit goal 1").at("edit_goal", 1).choose("Back to where we were").at("ask", 2, None, "local_goal")
    assert run.changes == ()


def test_an_edit_from_the_review_still_goes_back_to_the_review() -> None:
    goals = [complete(g, 1, f"Goal {g}") for g in (1, 2, 3, 4)]
    run = Run.new(*goals).say("start").at("review").choose("Edit goal 2").choose("2.1").at("edit_local", 2, 1)
    run.expect("Back to the review").choose("Which local goals").say("Goal two, sharper").at("review")


def test_fill_in_what_is_missing_asks_only_the_gaps_in_order() -> None:
    run = Run.new(
        local_goal(1, 1, "Every child has a friend", interventions=["Buddy benches"]),  # no measurement
        complete(2, 1, "Goal 2"),
        complete(3, 1, "Goal 3"),
        local_goal(4, 1, "Goal 4"),  # neither interventions nor measurement
    ).say("start")
    run.at("review").choose("Fill in what is missing").at("ask", 1, 1, "measurement")
    run.say("Well-being survey").say("March 2027").choose("Yes").at("ask", 4, 1, "interventions")
    run.say("Reading buddies").choose("Done").at("ask", 4, 1, "measurement")
    run.say("skip").at("review").expect("That was everything that was missing.")
    assert run.answers(1, 1)["measurement"]["method"] == "Well-being survey"
    assert run.answers(4, 1)["interventions"] == ["Reading buddies"]
    run.expect("Fill in what is missing")  # the measurement of 4.1 was skipped: still missing


def test_fill_in_a_strategic_goal_without_local_goals_runs_its_questions() -> None:
    run = Run.new(complete(1, 1, "A"), complete(2, 1, "B"), complete(4, 1, "D")).say("start").say("review").at("review")
    run.choose("Fill in what is missing").at("ask", 3, None, "local_goal").say("Every pupil reads daily")
    run.at("ask", 3, 1, "interventions").say("Reading time").choose("Done").at("ask", 3, 1, "measurement")
    run.say("Reading test").say("March 2027").choose("Yes").at("review").expect("Everything is answered.")


def test_a_local_goal_added_from_the_review_runs_the_normal_flow_then_the_review() -> None:
    goals = [complete(g, 1, f"Goal {g}") for g in (1, 2, 3, 4)]
    run = (
        Run.new(*goals).say("review").choose("Edit goal 2").choose("Add a local goal").at("ask", 2, None, "local_goal")
    )
    run.say("Second goal under 2").at("ask", 2, 2, "interventions").say("Buddy benches").choose("Done")
    run.say("Survey").say("March 2027").choose("Yes").at("more", 2)
    run.expect("Do you want to add another local goal for goal 2?").choose("No, back to the review").at("review")
