"""Reply -> Adaptive Card: buttons carry the choice id, many choices become a drop-down, size limits hold."""

from __future__ import annotations

import json

from bot.teams.render import card_activities, inbound_fields, render_cards
from dialogs.messages import Choice, Reply
from dialogs.texts import texts

T = texts("da")


def test_buttons_carry_the_choice_id_and_text_is_kept_apart() -> None:
    [card] = render_cards([Reply("Passer det?", choices=(Choice("yes", "Ja"), Choice("no", "Nej")))], T)
    assert card["version"] == "1.5"
    actions = [a for e in card["body"] if e["type"] == "ActionSet" for a in e["actions"]]
    assert [(a["type"], a["title"], a["data"]) for a in actions] == [
        ("Action.Submit", "Ja", {"choice": "yes"}),
        ("Action.Submit", "Nej", {"choice": "no"}),
    ]


def test_many_choices_become_a_drop_down() -> None:
    choices = tuple(Choice(f"board:{n}", f"Bestyrelse {n}") for n in range(8))
    [card] = render_cards([Reply("Hvilken?", choices=choices)], T)
    [choice_set] = [e for e in card["body"] if e["type"] == "Input.ChoiceSet"]
    [submit] = [a for e in card["body"] if e["type"] == "ActionSet" for a in e["actions"]]
    value = {**submit["data"], choice_set["id"]: "board:5"}  # what Teams sends back
    assert inbound_fields(value) == ("board:5", None, {})


def test_inbound_fields() -> None:
    assert inbound_fields({"choice": "yes"}) == ("yes", None, {})
    assert inbound_fields({"text": "  Et mål ", "kind": "text"}) == (None, "  Et mål ", {})
    assert inbound_fields({"text": " "}) == (None, None, {})
    assert inbound_fields(None) == (None, None, {})


def test_user_text_cannot_become_a_link_or_break_the_card() -> None:
    evil = 'Se [her](https://evil.example) "}]} \\'
    [card] = render_cards([Reply(evil, facts=(("Mål", evil),))], T)
    assert "](" not in json.dumps(card, ensure_ascii=False).replace("]\u200b(", "")
    # every character the person typed is still shown, in the text and in the fact
    [text] = [e["text"] for e in card["body"] if e["type"] == "TextBlock"]
    [fact] = [f for e in card["body"] if e["type"] == "FactSet" for f in e["facts"]]
    assert text.replace("\u200b", "") == evil and fact["value"].replace("\u200b", "") == evil


def test_one_huge_text_is_split_across_cards() -> None:
    activities = card_activities([Reply("ord " * 60_000)], T)
    assert len(activities) >= 3
    for activity in activities:
        content = activity.attachments[0].content
        assert len(json.dumps(content, ensure_ascii=False).encode()) <= 80_000
        assert activity.summary


def test_long_button_titles_are_cut_at_a_word_and_multi_line_facts_keep_their_lines() -> None:
    """Issue 17, point 4: a 91-character local goal is not a button title, and measurement, when and dates
    are not run together (Teams runs the lines of a FactSet value together)."""
    goal = "Alle børn og unge oplever at have mindst én voksen i institutionen, som de kan gå til trygt"
    assert len(goal) == 91
    reply = Reply(
        "Hvilket lokalt mål?",
        choices=(Choice("edit:1.1", f"1.1 {goal}"),),
        facts=(("1.1", "Kort"), ("Sådan måler I", "Trivselsmåling\nHvornår: marts 2027\nDatoer: 1. marts 2027")),
    )
    [card] = render_cards([reply], T)
    [action] = [a for e in card["body"] if e["type"] == "ActionSet" for a in e["actions"]]
    assert action["title"].endswith("…") and len(action["title"]) <= 60
    assert f"1.1 {goal}".startswith(action["title"][:-1]) and goal[len(action["title"]) - 5] == " "
    texts_ = [e["text"] for e in card["body"] if e["type"] == "TextBlock"]
    assert texts_[-4:] == ["Sådan måler I", "Trivselsmåling", "Hvornår: marts 2027", "Datoer: 1. marts 2027"]
    [facts] = [e for e in card["body"] if e["type"] == "FactSet"]
    assert facts["facts"] == [{"title": "1.1", "value": "Kort"}]  # one-line facts stay a FactSet
