"""A new period offers last period's local goals to keep, edit or drop, through `advance` alone."""

from __future__ import annotations

from tests.dialogs.engine.script import Line, Run, complete, draft, local_goal, play

LAST_PERIOD = draft(
    complete(1, 1, "Every child has a grown-up"),
    local_goal(1, 2, "Trips out of the house", interventions=["Forest days"]),
    complete(2, 1, "Joy of reading"),
)
OFFERED = "Last period your board had this local goal under goal {}. Keep it, edit it, or drop it?"


def new_period() -> Run:
    return Run.new(previous={1: LAST_PERIOD}, previous_first_key="local_goal")


def test_keep_drop_and_edit_last_periods_local_goals() -> None:
    run = play(
        new_period(),
        Line("start", ("carry", 1), (OFFERED.format(1), "Every child has a grown-up", "Makkerpar")),
        Line("[Keep it]", ("carry", 1), ("Kept.", "Trips out of the house", "Forest days")),
        Line("drop it", ("more", 1), ("1.1 Every child has a grown-up",)),  # the label typed
        Line("no", ("carry", 2), (OFFERED.format(2), "Joy of reading")),
        Line("[Edit it]", ("ask", 2, 1, "local_goal"), ("Current answer: Joy of reading",)),
        Line("Joy of reading for all", ("ask", 2, 1, "interventions"), ("• Makkerpar",)),
        Line("[Done]", ("ask", 2, 1, "measurement"), ("Trivselsmåling",)),
        Line("[Keep the answer]", ("more", 2), ("2.1 Joy of reading for all",)),
        Line("no", ("ask", 3, None, "local_goal")),  # nothing last period under goal 3
    )
    assert [lg.answers["local_goal"] for lg in run.draft.local_goals] == [
        "Every child has a grown-up",
        "Joy of reading for all",
    ]
    assert run.answers(1, 1)["interventions"] == ["Makkerpar"]
    assert run.answers(1, 1)["measurement"]["dates"] == ["2027-03-01"]
    assert run.state.pending.carry is None


def test_back_from_an_edited_carried_goal_is_possible_and_the_offer_goes_on_after_it() -> None:
    run = play(
        new_period(),
        Line("start", ("carry", 1)),
        Line("[Edit it]", ("ask", 1, 1, "local_goal")),
        Line("[Keep the answer]", ("ask", 1, 1, "interventions")),
        Line("[Done]", ("ask", 1, 1, "measurement")),
        Line("[Keep the answer]", ("carry", 1), ("Trips out of the house",)),
    )
    assert run.state.pending.carry == 1
