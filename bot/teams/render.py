"""Neutral replies -> Adaptive Cards 1.5 for Teams: the only place that knows Teams' card limits.

One turn's replies become one card (so the review before submit is one card), split into several
cards when the JSON would pass about 80 KB. Buttons are `Action.Submit` with `{"choice": id}` in
their data; Teams sends that back as a message whose `value` is the data. A question without
buttons also gets a text box, but typing in the chat works just as well."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from microsoft_agents.activity import Activity, ActivityTypes, Attachment

from dialogs.messages import Choice, Reply, cut_label
from dialogs.texts import Texts

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_VERSION = "1.5"
MAX_CARD_BYTES = 80_000  # Teams refuses messages around 100 KB counted in UTF-16; stay well below
ENVELOPE_RESERVE = 4_000  # the activity around a card: summary, addressing, service URL
MAX_BUTTONS = 5  # more than this and Teams hides buttons behind "..."; use a drop-down instead
TEXT_INPUT = "text"
CHOICE_KEY = "choice"
PICK_KEY = "pick"  # names the drop-down a submit button reads from

Element = dict[str, Any]
Card = dict[str, Any]


def _safe(text: str) -> str:
    """Card text is a Markdown subset: keep people's text from turning into links in other people's cards."""
    return text.replace("](", "]\u200b(")


def _text_blocks(text: str, **style: Any) -> list[Element]:
    # One block per line: Teams collapses single newlines inside a block.
    blocks: list[Element] = []
    for n, line in enumerate(text.split("\n")):
        block: Element = {"type": "TextBlock", "text": _safe(line) or " ", "wrap": True, **style}
        if n:
            block["spacing"] = "None"
        blocks.append(block)
    return blocks


def _choice_elements(choices: Sequence[Choice], index: int, t: Texts) -> list[Element]:
    if len(choices) <= MAX_BUTTONS:
        actions = [{"type": "Action.Submit", "title": cut_label(c.label), "data": {CHOICE_KEY: c.id}} for c in choices]
        return [{"type": "ActionSet", "actions": actions}]
    input_id = f"{CHOICE_KEY}_{index}"
    return [
        {
            "type": "Input.ChoiceSet",
            "id": input_id,
            "style": "compact",
            "value": choices[0].id,
            "choices": [{"title": cut_label(c.label), "value": c.id} for c in choices],
        },
        {"type": "ActionSet", "actions": [{"type": "Action.Submit", "title": t("OK"), "data": {PICK_KEY: input_id}}]},
    ]


def _fact_elements(facts: Sequence[tuple[str, str]]) -> list[Element]:
    """Facts as FactSets; a value of several lines as its label and a block per line instead, because a
    Teams client runs a FactSet value's lines together (measurement, when and dates on one line)."""
    out: list[Element] = []
    plain: list[Element] = []
    for label, value in facts:
        if "\n" not in value:
            plain.append({"title": _safe(label), "value": _safe(value)})
            continue
        if plain:
            out.append({"type": "FactSet", "facts": plain})
            plain = []
        out += _text_blocks(label, weight="Bolder")
        out += _text_blocks(value)
    if plain:
        out.append({"type": "FactSet", "facts": plain})
    return out


def reply_elements(reply: Reply, index: int, t: Texts) -> list[Element]:
    """One reply as card body elements: heading, text lines, facts, then its buttons."""
    out: list[Element] = []
    if reply.title:
        out += _text_blocks(reply.title, weight="Bolder", size="Medium")
    if reply.text:
        out += _text_blocks(reply.text, color="Attention" if reply.kind == "error" else "Default")
    if reply.facts:
        out += _fact_elements(reply.facts)
    if reply.choices:
        out += _choice_elements(reply.choices, index, t)
    elif reply.kind == "question":
        out.append({"type": "Input.Text", "id": TEXT_INPUT, "isMultiline": True, "maxLength": 2000})
        out.append(
            {"type": "ActionSet", "actions": [{"type": "Action.Submit", "title": t("Send"), "data": {"kind": "text"}}]}
        )
    if out and index:
        out[0] = {**out[0], "separator": True, "spacing": "Medium"}
    return out


def _card(body: list[Element]) -> Card:
    return {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "body": body,
        "msteams": {"width": "Full"},
    }


def utf16_size(value: Any) -> int:
    """The size Teams counts against its message limit: the JSON in UTF-16 (2 bytes per unit, so
    Danish letters and plain ASCII alike cost twice what UTF-8 says)."""
    return len(json.dumps(value, ensure_ascii=False).encode("utf-16-le"))


_size = utf16_size


def _split_element(element: Element, limit: int) -> list[Element]:
    """A text block or fact set too big for one card, cut into pieces (text on whitespace where possible,
    facts between facts)."""
    if _size(element) <= limit:
        return [element]
    if element.get("type") == "FactSet":
        chunks: list[Element] = []
        facts: list[Any] = []
        for fact in element.get("facts", []):
            if facts and _size({**element, "facts": [*facts, fact]}) > limit:
                chunks.append({**element, "facts": facts})
                facts = []
            facts.append(fact)
        return [*chunks, {**element, "facts": facts}] if facts else chunks
    if element.get("type") != "TextBlock":
        return [element]
    text: str = element["text"]
    pieces: list[Element] = []
    budget = max(limit // 8, 500)  # UTF-16 and JSON escaping can grow a character to several bytes
    while text:
        cut = len(text) if len(text) <= budget else (text.rfind(" ", 0, budget) + 1 or budget)
        pieces.append({**element, "text": text[:cut]})
        text = text[cut:]
    return pieces


def render_cards(replies: Sequence[Reply], t: Texts, limit: int = MAX_CARD_BYTES) -> list[Card]:
    """All replies of one turn as as few cards as fit, with the activity around each, under `limit`
    bytes of JSON in UTF-16."""
    limit -= ENVELOPE_RESERVE
    elements: list[Element] = []
    for index, reply in enumerate(replies):
        for element in reply_elements(reply, index, t):
            elements += _split_element(element, limit - _size(_card([])))
    cards: list[Card] = []
    body: list[Element] = []
    size = _size(_card([]))
    for element in elements:
        element_size = _size(element) + 1
        if body and size + element_size > limit:
            cards.append(_card(body))
            body, size = [], _size(_card([]))
        body.append(element)
        size += element_size
    if body:
        cards.append(_card(body))
    return cards


def summary_text(replies: Sequence[Reply]) -> str:
    """A short plain line for notifications and chat previews (a card alone shows as "Card")."""
    for reply in replies:
        for candidate in (reply.title, reply.text):
            if candidate and candidate.strip():
                line = candidate.strip().split("\n", 1)[0]
                return line if len(line) <= 200 else line[:199] + "…"
    return ""


def inbound_fields(value: Any) -> tuple[str | None, str | None, dict[str, str]]:
    """A card submit's `value` -> (choice id, typed text, other inputs)."""
    if not isinstance(value, dict):
        return None, None, {}
    inputs = {str(k): v for k, v in value.items() if isinstance(v, str)}
    choice = inputs.pop(CHOICE_KEY, None)
    pick = inputs.pop(PICK_KEY, None)
    if choice is None and pick is not None:
        choice = inputs.get(pick)
    for key in list(inputs):
        if key.startswith(f"{CHOICE_KEY}_") or key == "kind":
            del inputs[key]
    text = inputs.pop(TEXT_INPUT, None)
    if text is not None and not text.strip():
        text = None
    return choice or None, text, inputs


def card_activities(replies: Sequence[Reply], t: Texts, limit: int = MAX_CARD_BYTES) -> list[Activity]:
    """Message activities carrying the cards for `replies` (none for no replies)."""
    summary = summary_text(replies)
    out: list[Activity] = []
    for card in render_cards(replies, t, limit):
        activity = Activity(
            type=ActivityTypes.message,
            attachments=[Attachment(content_type=CARD_CONTENT_TYPE, content=card)],
        )
        if summary:
            activity.summary = summary
        out.append(activity)
    return out
