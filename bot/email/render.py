"""Replies as an email: plain text and a simple HTML part (escaped), in the reader's language, ending
with the sign-in link to the web chat. Buttons become a numbered list: the answer is given on the page."""

from __future__ import annotations

from html import escape

from bot.console import render_reply
from dialogs.messages import Reply
from dialogs.texts import Texts


def subject_of(replies: list[Reply], t: Texts) -> str:
    first = next((r.title or r.text for r in replies if (r.title or r.text).strip()), "")
    line = first.strip().split("\n", 1)[0]
    if len(line) > 70:
        line = line[:69].rstrip() + "…"
    return f"Målbot: {line}" if line else t("A message from Målbot")


def plain_text(replies: list[Reply], link: str | None, t: Texts) -> str:
    body = "\n\n".join(render_reply(r) for r in replies)
    if link:
        body += "\n\n" + t("Answer on the web page (the link signs you in and works once):") + f"\n{link}\n"
    return body + "\n-- \n" + t("Sent by Målbot, your municipality's bot for the boards' goals.") + "\n"


def html_body(replies: list[Reply], link: str | None, t: Texts, lang: str) -> str:
    parts: list[str] = []
    for reply in replies:
        if reply.title:
            parts.append(f'<h2 style="font-size:1.1em">{escape(reply.title)}</h2>')
        if reply.text:
            parts.append("<p>" + escape(reply.text).replace("\n", "<br>") + "</p>")
        if reply.facts:
            items = "".join(f"<li><strong>{escape(k)}:</strong> {escape(v)}</li>" for k, v in reply.facts)
            parts.append(f"<ul>{items}</ul>")
        if reply.choices:
            parts.append("<ol>" + "".join(f"<li>{escape(c.label)}</li>" for c in reply.choices) + "</ol>")
    if link:
        parts.append(
            f'<p><a href="{escape(link, quote=True)}">{escape(t("Answer on the web page"))}</a><br>'
            f"<small>{escape(t('The link signs you in and works once.'))}</small></p>"
        )
    footer = escape(t("Sent by Målbot, your municipality's bot for the boards' goals."))
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"></head>'
        f'<body style="font-family:sans-serif;line-height:1.5">{"".join(parts)}'
        f'<hr><p style="color:#4a4a4a"><small>{footer}</small></p></body></html>'
    )
