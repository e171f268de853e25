"""A whole registration of the default strategy through `advance` alone: a script of inputs, with the
place each leaves the person at and what they read; then the draft as the service would save it."""

from __future__ import annotations

from dialogs.changes import MarkReady, Submit
from tests.dialogs.engine.script import Line, Run, play

Q1 = "Which local goals are needed to reach goal {}?"
INTERVENTIONS = "Describe your interventions: what will you do to reach the local goal?"
MEASUREMENT = "How and when will the effect be measured?"
WHEN = "And when will you measure it?"


def local_goal(goal: int, text: str, interventions: list[str], method: str, when: str, date: str) -> list[Line]:
    """One local goal, start to end, as the person types it."""
    return [
        Line(text, ("ask", goal, 1, "interventions"), (f"About «{text}»:", INTERVENTIONS)),
        *[Line(item, ("ask", goal, 1, "interventions"), ("Added 1 item.", f"• {item}")) for item in interventions],
        Line("[Done]", ("ask", goal, 1, "measurement"), (MEASUREMENT, "First: how will you measure it?")),
        Line(method, ("when", goal, 1, "measurement"), (WHEN,)),
        Line(when, ("confirm_dates", goal, 1, "measurement"), (f"I read that as: {date}. Is that right?",)),
        Line("yes", ("more", goal), (f"{goal}.1 {text}", f"Do you want to add another local goal for goal {goal}?")),
    ]


DEFAULT_STRATEGY = [
    Line(
        "hello",
        ("ask", 1, None, "local_goal"),
        (
            "Hello Søren Østergaard! Let us work on the local goals of Solsikken",
            "There are 4 strategic goals.",
            "Goal 1 of 4: Every child and young person is put in a privileged position every day",
            Q1.format(1),
        ),
    ),
    *local_goal(
        1, "Every child has a grown-up", ["Buddy groups", "Reading friends"], "Survey", "March 2027", "March 1, 2027"
    ),
    Line("[Yes, add one more]", ("ask", 1, None, "local_goal"), (Q1.format(1),)),
    Line("Every child is heard", ("ask", 1, 2, "interventions")),
    Line("- Children's meetings\n- Talk cards", ("ask", 1, 2, "interventions"), ("Added 2 items.",)),
    Line("done", ("ask", 1, 2, "measurement")),  # typed instead of the button
    Line("Interviews", ("when", 1, 2, "measurement")),
    Line(
        "when we have time",
        ("when", 1, 2, "measurement"),  # one follow-up question for a month
        ("I could not read a month in «when we have time». Which month do you expect to measure?",),
    ),
    Line(
        "whenever it fits",
        ("more", 1),
        (
            "I could not read a date in «when we have time (whenever it fits)», so I keep it as text.",
            "1.2 Every child is heard",
        ),
    ),
    Line("2", ("ask", 2, None, "local_goal"), ("Goal 2 of 4", Q1.format(2))),  # «No, go on to goal 2» by number
    *local_goal(2, "Progress in reading", ["Reading band"], "Tests", "May 2027", "May 1, 2027"),
    Line("[No, go on to goal 3]", ("ask", 3, None, "local_goal")),
    *local_goal(3, "Children's voice", ["Children's council"], "Observation", "June 2027", "June 1, 2027"),
    Line("no", ("ask", 4, None, "local_goal")),
    *local_goal(4, "Healthy play", ["Play guides"], "Talks", "September 2027", "September 1, 2027"),
    Line(
        "[No, go on to the review]",
        ("review",),
        (
            "Here is everything registered for Solsikken:",
            "1.1 Every child has a grown-up\n1.2 Every child is heard",  # one line per local goal
            "These local goals have no date I can remind you of:\n• 1.2 Every child is heard",
            "Everything is answered. Do you want to submit it to the administration?",
        ),
    ),
    Line(
        "[Show the details]",
        ("review",),
        (
            "• Buddy groups\n• Reading friends",
            "Survey\nWhen: March 2027\nDates: March 1, 2027",
            "Interviews\nWhen: when we have time (whenever it fits)",
            "Everything is answered. Do you want to submit it to the administration?",
        ),
    ),
    Line("[Submit]", ("done",), ("Thank you! The registration for Solsikken has been submitted",)),
]


def test_a_chair_registers_the_whole_default_strategy_and_submits() -> None:
    run = play(Run.new(), *DEFAULT_STRATEGY)
    assert run.changes == (Submit(1),)
    assert [(lg.goal_number, lg.position) for lg in run.draft.local_goals] == [(1, 1), (1, 2), (2, 1), (3, 1), (4, 1)]
    assert run.answers(1, 1) == {
        "local_goal": "Every child has a grown-up",
        "interventions": ["Buddy groups", "Reading friends"],
        "measurement": {"method": "Survey", "when": "March 2027", "dates": ["2027-03-01"]},
    }
    assert run.answers(1, 2)["measurement"] == {
        "method": "Interviews",
        "when": "when we have time (whenever it fits)",
        "dates": [],
    }
    assert run.draft.status == "submitted"


def test_a_member_hands_it_to_the_chair_instead() -> None:
    lines = [
        *DEFAULT_STRATEGY[:-3],
        Line("[No, go on to the review]", ("review",), ("Only the chair or the leader can submit",)),
        Line("[Tell the chair it is ready]", ("done",), ("I have told the chair",)),
    ]
    run = play(Run.new(role="member"), *lines)
    assert run.changes == (MarkReady(1),) and run.draft.ready_for_chair and run.draft.status == "draft"


def test_pause_and_resume_where_it_was_and_an_answer_after_a_pause_is_taken() -> None:
    run = play(
        Run.new(),
        Line("start"),
        Line("Every child has a grown-up", ("ask", 1, 1, "interventions")),
        Line(
            "pause", ("paused", 1, 1, "interventions"), ("Everything is saved. Write «resume» when you want to go on.",)
        ),
        Line("resume", ("ask", 1, 1, "interventions"), ("Welcome back! We continue where you left off.",)),
        Line("pause", ("paused", 1, 1, "interventions")),
        Line("Buddy groups", ("ask", 1, 1, "interventions"), ("Added 1 item.",)),
    )
    run.expect_not("Welcome back")
    assert run.answers(1, 1)["interventions"] == ["Buddy groups"]


def test_review_edit_one_answer_and_delete_a_local_goal() -> None:
    run = play(Run.new(), *DEFAULT_STRATEGY[:-1])
    play(
        run,
        Line("edit goal 1", ("edit_goal", 1), ("Which local goal under goal 1?",)),
        Line("[1.2 Every child is heard]", ("edit_local", 1, 2), ("What do you want to change?",)),
        Line("[Describe your interventions]", ("ask", 1, 2, "interventions"), ("• Children's meetings",)),
        Line("Morning circle", ("ask", 1, 2, "interventions"), ("Added 1 item.",)),
        Line("[Done]", ("review",), ("Here is everything registered",)),
        Line("<edit:1.1>", ("edit_local", 1, 1)),
        Line("[Delete this local goal]", ("confirm_delete", 1, 1), ("Delete local goal 1.1? This cannot be undone.",)),
        Line("[Yes, delete it]", ("review",), ("The local goal has been deleted.",)),
    )
    assert [lg.answers["local_goal"] for lg in run.draft.goals_under(1)] == ["Every child is heard"]
    assert run.answers(1, 1)["interventions"] == ["Children's meetings", "Talk cards", "Morning circle"]


def test_language_status_and_help_keep_the_place() -> None:
    run = play(
        Run.new(locale="da"),
        Line("start", ("ask", 1, None, "local_goal"), ("Hvilke lokale mål skal der til for at opnå mål 1?",)),
        Line("english", ("ask", 1, None, "local_goal"), ("I will write in English from now on.", Q1.format(1))),
        Line("help", ("ask", 1, None, "local_goal"), (Q1.format(1),)),
        Line("status", ("ask", 1, None, "local_goal"), (Q1.format(1),)),
    )
    assert run.ctx.locale == "en"


def test_text_where_a_button_is_expected_is_not_understood() -> None:
    play(
        Run.new(),
        Line("start"),
        Line("skip", ("ask", 2, None, "local_goal")),
        Line("back", ("ask", 1, None, "local_goal")),
        Line("Every child has a grown-up"),
        Line("Buddy groups"),
        Line("[Done]"),
        Line("Survey"),
        Line("March 2027", ("confirm_dates", 1, 1, "measurement")),
        Line("perhaps", ("confirm_dates", 1, 1, "measurement"), ("Sorry, I did not understand that.",)),
    )
