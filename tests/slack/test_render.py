"""Block Kit rendering on its own: escaping, Slack's limits, buttons."""

from __future__ import annotations

from bot.slack.render import (
    MAX_BLOCKS,
    MAX_SECTION,
    chosen_blocks,
    escape,
    label_of,
    plain_from_slack,
    render_messages,
    reply_blocks,
    split_text,
)
from dialogs.messages import Choice, Reply


def test_escape_makes_control_characters_literal() -> None:
    assert escape("<!channel> & <@U1> <https://x|y>") == "&lt;!channel&gt; &amp; &lt;@U1&gt; &lt;https://x|y&gt;"


def test_plain_from_slack() -> None:
    assert plain_from_slack("<!channel> hej <@U123> og <@U9|anna> i <#C1|general>") == (
        "@channel hej @U123 og @anna i #general"
    )
    assert plain_from_slack("<!here>") == "@here"
    assert plain_from_slack("se <https://kommune.dk|kommunen> og <https://x.dk>") == (
        "se kommunen (https://kommune.dk) og https://x.dk"
    )
    assert plain_from_slack("<mailto:a@b.dk|a@b.dk>") == "a@b.dk"
    assert plain_from_slack("1 &lt; 2 &amp;&amp; 3 &gt; 2") == "1 < 2 && 3 > 2"


def test_reply_blocks_shape() -> None:
    blocks = reply_blocks(
        Reply("Vælg <én>", choices=(Choice("yes", "Ja"), Choice("no", "Nej")), facts=(("A&B", "x<y"),), title="Mål 1")
    )
    assert [b["type"] for b in blocks] == ["header", "section", "section", "actions"]
    assert blocks[1]["text"]["text"] == "Vælg &lt;én&gt;"
    assert blocks[2]["text"]["text"] == "*A&amp;B*\nx&lt;y"
    buttons = blocks[3]["elements"]
    assert [(b["action_id"], b["value"], b["text"]["text"]) for b in buttons] == [
        ("yes", "yes", "Ja"),
        ("no", "no", "Nej"),
    ]


def test_long_text_is_split_at_3000_characters_without_breaking_entities() -> None:
    text = ("a" * 2998 + "&") * 3
    pieces = split_text(escape(text))
    assert all(len(p) <= MAX_SECTION for p in pieces)
    assert "".join(pieces) == escape(text)
    assert all(not p.endswith(("&", "&a", "&am", "&amp")) for p in pieces)


def test_lines_are_preferred_split_points() -> None:
    pieces = split_text("x" * 2000 + "\n" + "y" * 2000)
    assert pieces == ["x" * 2000, "y" * 2000]


def test_many_blocks_become_several_messages() -> None:
    replies = [Reply(f"svar {n}", facts=tuple((f"f{i}", "v") for i in range(9))) for n in range(12)]
    messages = render_messages(replies)
    assert len(messages) > 1
    assert all(len(m.blocks) <= MAX_BLOCKS for m in messages)
    assert sum(len(m.blocks) for m in messages) == 12 * 10


def test_one_huge_reply_is_split_too() -> None:
    messages = render_messages([Reply("x", facts=tuple((f"f{i}", "v") for i in range(120)))])
    assert [len(m.blocks) for m in messages] == [50, 50, 21]


def test_more_than_25_choices_use_several_actions_blocks() -> None:
    blocks = reply_blocks(Reply("pick", choices=tuple(Choice(f"c{i}", f"Valg {i}") for i in range(30))))
    assert [len(b["elements"]) for b in blocks if b["type"] == "actions"] == [25, 5]


def test_long_button_labels_and_headers_are_shortened() -> None:
    blocks = reply_blocks(Reply("t", title="T" * 200, choices=(Choice("id", "L" * 100),)))
    assert len(blocks[0]["text"]["text"]) == 150
    assert len(blocks[-1]["elements"][0]["text"]["text"]) == 60  # the label limit shared with Teams


def test_a_long_local_goal_on_a_button_is_cut_at_a_word() -> None:
    goal = "1.1 Alle børn og unge oplever at have mindst én voksen i institutionen, som de kan gå til trygt"
    blocks = reply_blocks(Reply("Hvilket?", choices=(Choice("edit:1.1", goal),)))
    label = blocks[-1]["elements"][0]["text"]["text"]
    assert label.endswith("…") and len(label) <= 60 and goal.startswith(label[:-1]) and goal[len(label) - 1] == " "


def test_pressed_message_loses_its_buttons() -> None:
    blocks = reply_blocks(Reply("Passer det?", choices=(Choice("yes", "Ja"), Choice("no", "Nej"))))
    assert label_of(blocks, "no") == "Nej"
    after = chosen_blocks(blocks, "Du valgte: <Nej>")
    assert [b["type"] for b in after] == ["section", "context"]
    assert after[-1]["elements"][0]["text"] == "Du valgte: &lt;Nej&gt;"


def test_fallback_text_is_escaped() -> None:
    (message,) = render_messages([Reply("<!channel>", title="<b>")])
    assert message.text == "&lt;b&gt; &lt;!channel&gt;"


def _mrkdwn_objects(node: object) -> list[dict[str, object]]:
    """Every mrkdwn text object anywhere in blocks."""
    if isinstance(node, list):
        return [found for item in node for found in _mrkdwn_objects(item)]
    if isinstance(node, dict):
        own = [node] if node.get("type") == "mrkdwn" else []
        return own + [found for value in node.values() for found in _mrkdwn_objects(value)]
    return []


def test_every_mrkdwn_text_object_is_verbatim_so_typed_mentions_stay_text() -> None:
    typed = "@channel @here #general <!channel> & https://evil.example"
    replies = [
        Reply(typed, facts=((typed, typed),), title=typed, kind="review"),
        Reply(typed, choices=(Choice("ok", "OK"),), kind="notice"),
        Reply(typed, kind="status"),
    ]
    blocks = [b for m in render_messages(replies) for b in m.blocks]
    blocks += chosen_blocks(reply_blocks(replies[1]), typed)
    objects = _mrkdwn_objects(blocks)
    assert len(objects) == 6
    assert all(o["verbatim"] is True for o in objects)
    assert all("<!" not in str(o["text"]) and "&lt;!channel&gt; &amp;" in str(o["text"]) for o in objects)


def test_only_the_bots_status_replies_turn_addresses_into_links() -> None:
    link = "https://maal.kommune.dk/status?token=abc.def&lang=da"
    (status,) = reply_blocks(Reply(f"Her er statussiden:\n{link}.", kind="status"))
    assert status["text"]["text"] == "Her er statussiden:\n<https://maal.kommune.dk/status?token=abc.def&amp;lang=da>."
    (answer,) = reply_blocks(Reply(f"Se {link}", kind="review"))
    assert "<http" not in answer["text"]["text"]
