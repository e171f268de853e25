"""Another board member changed the shared draft while this person was writing: which changes count as a
conflict (the answer is not saved, the person is told) and which do not, through `advance` alone."""

from __future__ import annotations

from storage.registrations import ChangeSeen
from tests.dialogs.engine.script import Run, complete, local_goal


def answering_interventions_of_1_2() -> Run:
    run = Run.new(complete(1, 1, "Every child has a friend"), local_goal(1, 2, "Quiet cloakroom"))
    return run.say("start").say("edit goal 1.2").choose("Describe your interventions").at("ask", 1, 2, "interventions")


def test_a_deletion_at_another_position_of_the_same_goal_is_a_conflict() -> None:
    run = answering_interventions_of_1_2()  # deleting 1.1 moves 1.2 to 1.1: the answer would land elsewhere
    run.others_changed(ChangeSeen("Fatima Ali", 1, 1, "goal 1/local goal 1", None)).say("Buddy benches")
    run.expect("While you were writing, Fatima Ali changed goal 1: «(deleted)»")
    run.expect("Your answer has not been saved: «Buddy benches». Send it again if it should still go in.")
    assert run.changes == ()


def test_an_edit_at_the_same_local_goal_is_a_conflict_and_one_at_another_is_not() -> None:
    run = answering_interventions_of_1_2()
    run.others_changed(ChangeSeen("Fatima Ali", 1, 2, "goal 1/local goal 2/interventions", '["Reading"]'))
    run.say("Buddy benches").expect("Your answer has not been saved").at("ask", 1, 2, "interventions")
    assert run.changes == ()
    run.say("Buddy benches").expect("Added 1 item.")  # sent again: now it is saved
    assert run.answers(1, 2)["interventions"] == ["Buddy benches"]

    other = answering_interventions_of_1_2()
    other.others_changed(ChangeSeen("Fatima Ali", 1, 1, "goal 1/local goal 1/interventions", '["Reading"]'))
    other.say("Buddy benches").expect_not("has not been saved").expect("Added 1 item.")
    other.others_changed(ChangeSeen("Fatima Ali", 2, None, "goal 2/local goal 1/local_goal", "Reading"))
    other.say("Swings").expect_not("has not been saved")  # another strategic goal altogether
    assert other.answers(1, 2)["interventions"] == ["Buddy benches", "Swings"]
