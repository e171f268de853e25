"""The web chat's HTML: Jinja2 templates (bot/templates/chat*.html, autoescaped) and their words."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from dialogs.texts import Texts

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


class Labels:
    """Every fixed word on the chat pages, translated."""

    def __init__(self, t: Texts) -> None:
        self.app = t("Målbot: the board's goals")
        self.skip = t("Skip to the conversation")
        self.title = t("Chat with Målbot")
        self.login_intro = t(
            "Write the email address the municipality has for you as a board member. "
            "We send you a link that signs you in."
        )
        self.email = t("Your email address")
        self.send_link = t("Send me a link")
        self.sent = t(
            "If the address belongs to a board member, a link is on its way. It works once and for a short "
            "while. Check your spam folder if it does not arrive within a few minutes."
        )
        self.signin_intro = t("Press the button to sign in to the chat on this device.")
        self.signin = t("Sign in")
        self.conversation = t("The conversation")
        self.you = t("You")
        self.bot = t("Målbot")
        self.choose = t("Choose an answer")
        self.answer = t("Your answer")
        self.answer_hint = t("Write an answer, a number from the list, or «help».")
        self.send = t("Send")
        self.logout = t("Sign out")
        self.signed_in_as = t("Signed in as")
        self.empty = t("Nothing here yet. Write «start» to begin.")
        self.back = t("Back to the chat page")
        self.other_lang = "en" if t.locale == "da" else "da"
        self.other_language = "In English" if self.other_lang == "en" else "På dansk"  # in its own language
        self.privacy = t(
            "Målbot stores your answers for the board and your email address for sign-in links and reminders."
        )


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_page(template: str, labels: Labels, *, lang: str, **context: Any) -> str:
    return _environment().get_template(template).render(labels=labels, lang=lang, **context)
