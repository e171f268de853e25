"""Short messages (issue 17, point 4), through `advance` alone: short field labels, a wrong input at the
review answered with one line and the review's question, button labels cut at a word with «…»."""

from __future__ import annotations

from dialogs.messages import LABEL_LIMIT, cut_label
from tests.dialogs.engine.script import Run, complete, local_goal

LONG = "Alle børn og unge oplever at have mindst én voksen i institutionen, som de kan gå til, når noget er svært"


def test_cut_label_cuts_at_a_word_and_ends_with_an_ellipsis() -> None:
    cut = cut_label(LONG)
    assert len(cut) <= LABEL_LIMIT and cut.endswith("…")
    assert LONG.startswith(cut.removesuffix("…")) and LONG[len(cut) - 1] == " "  # the word before is whole
    assert cut_label("Kort") == "Kort"
    assert cut_label("x" * 100, 10) == "x" * 9 + "…"  # one long word: cut inside it, still within the limit


def test_field_labels_are_short_in_the_edit_menu() -> None:
    run = Run.new(complete(1, 1, "Every child has a friend"), locale="da").say("start").say("ret mål 1.1")
    labels = [label for reply in run.replies for label, _ in reply.facts]
    assert labels[:3] == ["1.1", "Indsatser", "Sådan måler I"]
    run.expect("Hvornår: marts 2027")


def test_a_long_local_goal_is_cut_at_a_word_on_its_button() -> None:
    run = Run.new(local_goal(1, 1, LONG)).say("start").say("edit goal 1")
    [label] = [c.label for c in run.choices if c.id == "edit:1.1"]
    assert label.endswith("…") and len(label) <= LABEL_LIMIT and f"1.1 {LONG}".startswith(label[:-1])
    run.say(label).at("edit_local", 1, 1)  # typing the label as shown still picks it


def test_a_wrong_input_at_the_review_is_one_line_and_the_question_not_the_review_again() -> None:
    goals = [complete(g, 1, f"Goal {g}") for g in (1, 2, 3, 4)]
    run = Run.new(*goals).say("start").at("review").say("hmm, what now")
    assert [r.kind for r in run.replies] == ["error", "question"]
    run.expect("Sorry, I did not understand that.", "Everything is answered.").expect_not("Here is everything")
    run.at("review").expect("Submit")


def test_the_review_is_one_line_per_local_goal_with_the_details_on_request() -> None:
    run = Run.new(local_goal(1, 1, "Every child has a friend"), complete(2, 1, "Goal 2")).say("start").say("review")
    run.at("review").expect("1.1 Every child has a friend – missing: Interventions, How you measure", "2.1 Goal 2")
    run.expect_not("Makkerpar", "Trivselsmåling")  # the details are not in the short review
    run.choose("Show the details").at("review").expect("• Makkerpar", "Trivselsmåling", "Fill in what is missing")
    assert "details" not in [c.id for c in run.choices]
