"""Neutral replies as Block Kit, and Slack's message markup as plain text.

The only place that knows Slack's limits and escaping: 50 blocks per message, 3000 characters per
section text, 150 per header, 75 per button label, 25 buttons per actions block. User text is escaped
(`&`, `<`, `>`) so `<!channel>`, `<@U…>` or a fake link typed by a person appears literally, and every
mrkdwn text object is `verbatim` so Slack does not turn a typed «@channel» or «#general» into a mention
(the bot's own links are written as `<https://…>`, which verbatim text still shows as links)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from dialogs.messages import LABEL_LIMIT, Choice, Reply, cut_label

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_HEADER = 150
MAX_BUTTON_LABEL = 75
MAX_BUTTONS = 25
MAX_ACTION_ID = 255
MAX_FALLBACK = 3000

Block = dict[str, Any]


def escape(text: str) -> str:
    """Slack's three control characters as entities: what a person typed stays literal."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_SPECIAL = re.compile(r"<([^<>]*)>")


def plain_from_slack(text: str) -> str:
    """A message's Slack markup as the plain text the person meant: `<!channel>` → «@channel»,
    `<@U1|anna>` → «@anna», `<https://x|x>` → «https://x»; entities unescaped."""

    def readable(match: re.Match[str]) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("!subteam^"):
            return label or "@group"
        if target.startswith("!"):
            return "@" + (label or target[1:].split("^")[0])
        if target.startswith("@"):
            return "@" + label if label else target
        if target.startswith("#"):
            return "#" + label if label else target
        if label and label != target.removeprefix("mailto:"):
            return f"{label} ({target})"
        return label or target.removeprefix("mailto:")

    return _SPECIAL.sub(readable, text).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def split_text(text: str, limit: int = MAX_SECTION) -> list[str]:
    """Escaped mrkdwn cut into pieces of at most `limit` characters, at line breaks where possible
    and never inside an entity."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit + 1)
        if cut <= 0:
            cut = rest.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
            amp = rest.rfind("&", max(0, cut - 5), cut)
            if amp != -1 and ";" not in rest[amp:cut]:
                cut = amp
        pieces.append(rest[:cut])
        rest = rest[cut:].lstrip("\n ")
    if rest or not pieces:
        pieces.append(rest)
    return pieces


_BARE_URL = re.compile(r"(?<![<|])\bhttps?://[^\s<>|]*[^\s<>|.,;:!?)»\"']")


def linkify(text: str) -> str:
    """Bare http(s) addresses in escaped mrkdwn marked up as links (`<https://…>`): verbatim text
    is not auto-linked, and the bot's own links (status page, exports: replies of kind "status")
    must stay clickable. The address shown is the address linked, so no label can be faked."""
    return _BARE_URL.sub(lambda m: f"<{m.group()}>", text)


def mrkdwn(text: str) -> Block:
    """A verbatim mrkdwn text object for escaped text: nothing in it becomes a mention."""
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def section(text: str, *, links: bool = False) -> list[Block]:
    """One or more section blocks for already-escaped mrkdwn; `links`: its bare addresses as links."""
    return [
        {"type": "section", "text": mrkdwn(piece)} for piece in split_text(linkify(text) if links else text) if piece
    ]


def header(title: str) -> Block:
    text = cut_label(title, MAX_HEADER)
    return {"type": "header", "text": {"type": "plain_text", "text": text, "emoji": True}}


def button(label: str, action_id: str, value: str, *, primary: bool = False) -> Block:
    text = cut_label(label, min(LABEL_LIMIT, MAX_BUTTON_LABEL))
    block: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": text or "…", "emoji": True},
        "action_id": action_id[:MAX_ACTION_ID],
        "value": value,
    }
    if primary:
        block["style"] = "primary"
    return block


def choice_buttons(choices: tuple[Choice, ...]) -> list[Block]:
    """Actions blocks with one button per choice; action_id and value are the choice id."""
    blocks: list[Block] = []
    for start in range(0, len(choices), MAX_BUTTONS):
        elements: list[Block] = []
        used: set[str] = set()
        for n, choice in enumerate(choices[start : start + MAX_BUTTONS]):
            action_id = choice.id if choice.id not in used else f"{choice.id}#{n}"
            used.add(action_id)
            elements.append(button(choice.label, action_id, choice.id))
        blocks.append({"type": "actions", "elements": elements})
    return blocks


_PREFIX = {"error": ":warning: ", "notice": ":bell: "}


def reply_blocks(reply: Reply) -> list[Block]:
    blocks: list[Block] = []
    if reply.title:
        blocks.append(header(reply.title))
    links = reply.kind == "status"  # the bot's own links (status page, exports) are clickable
    if reply.text:
        blocks += section(_PREFIX.get(reply.kind, "") + escape(reply.text), links=links)
    for label, value in reply.facts:
        blocks += section(f"*{escape(label)}*\n{escape(value)}" if value else f"*{escape(label)}*", links=links)
    blocks += choice_buttons(reply.choices)
    return blocks


@dataclass
class Message:
    """One chat.postMessage worth: the notification text and at most 50 blocks."""

    text: str
    blocks: list[Block] = field(default_factory=list)


def fallback_text(replies: list[Reply]) -> str:
    """The message's `text` (notifications, screen readers): the first words, escaped."""
    words = " ".join(part for r in replies for part in (r.title or "", r.text) if part)
    words = words if len(words) <= MAX_FALLBACK else words[: MAX_FALLBACK - 1] + "…"
    return escape(words)


def render_messages(replies: list[Reply]) -> list[Message]:
    """One turn's replies as few messages as Slack allows (50 blocks each); a reply is not split
    across messages unless it alone has more than 50 blocks."""
    messages: list[Message] = []
    current: list[Block] = []
    current_replies: list[Reply] = []

    def flush() -> None:
        nonlocal current, current_replies
        if current:
            messages.append(Message(fallback_text(current_replies), current))
        current, current_replies = [], []

    for reply in replies:
        blocks = reply_blocks(reply)
        if current and len(current) + len(blocks) > MAX_BLOCKS:
            flush()
        while len(blocks) > MAX_BLOCKS:
            current, current_replies = blocks[:MAX_BLOCKS], [reply]
            flush()
            blocks = blocks[MAX_BLOCKS:]
        current += blocks
        current_replies.append(reply)
    flush()
    return messages


def chosen_blocks(blocks: list[Block], note: str) -> list[Block]:
    """A message's blocks after a button was pressed: its buttons replaced by «note» (escaped)."""
    out = [b for b in blocks if b.get("type") != "actions"]
    if len(out) != len(blocks):
        out.append({"type": "context", "elements": [mrkdwn(escape(note))]})
    return out[:MAX_BLOCKS]


def label_of(blocks: list[Block], value: str) -> str | None:
    """The label of the button with `value` in a message's blocks."""
    for block in blocks:
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            if element.get("value") == value:
                text = element.get("text", {}).get("text")
                return str(text) if text is not None else None
    return None
