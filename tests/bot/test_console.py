"""`maalbot chat`: replies rendered as plain lines, and the console loop over the real service."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.console import render_reply, run_console
from dialogs.messages import Choice, Reply
from dialogs.service import ConversationService
from storage.db import Database, sqlite_url_for
from tests.bot.conftest import DB_FILE, DEMO_CHAIR


def test_a_reply_with_everything() -> None:
    reply = Reply(
        "Her er jeres lokale mål.",
        title="Fælles mål 1 af 4: Alle børn og unge bringes hver dag i en privilegeret position",
        facts=(("Lokalt mål", "Ærlige samtaler om trivsel"), ("Indsatser", "Legegrupper\nVenskabsbænk\nForældremøde")),
        choices=(Choice("yes", "Ja"), Choice("no", "Nej, videre til fælles mål 2")),
    )
    assert render_reply(reply).splitlines() == [
        "== Fælles mål 1 af 4: Alle børn og unge bringes hver dag i en privilegeret position ==",
        "Her er jeres lokale mål.",
        "  Lokalt mål: Ærlige samtaler om trivsel",
        "  Indsatser: Legegrupper",
        "    Venskabsbænk",
        "    Forældremøde",
        "1) Ja",
        "2) Nej, videre til fælles mål 2",
    ]


def test_a_plain_reply_is_just_its_text() -> None:
    assert render_reply(Reply("Tak!")) == "Tak!"
    assert render_reply(Reply("Første linje\nAnden linje")) == "Første linje\nAnden linje"


def test_choices_without_text_are_numbered_from_1() -> None:
    choices = tuple(Choice(f"board:{n}", label) for n, label in enumerate(["Solsikken", "Ærøvej Skole", "Mælkebøtten"]))
    assert render_reply(Reply("", choices=choices)) == "1) Solsikken\n2) Ærøvej Skole\n3) Mælkebøtten"


def test_a_long_choice_is_cut_at_a_word_as_on_slack_and_teams() -> None:
    goal = "1.1 Alle børn og unge oplever at have mindst én voksen i institutionen, som de kan gå til trygt"
    [line] = render_reply(Reply("", choices=(Choice("edit:1.1", goal),))).splitlines()
    label = line.removeprefix("1) ")
    assert label.endswith("…") and len(label) <= 60 and goal.startswith(label[:-1]) and goal[len(label) - 1] == " "


def test_a_title_alone() -> None:
    assert render_reply(Reply("", title="Status")) == "== Status =="


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
async def service(demo_home: Path) -> AsyncIterator[ConversationService]:
    """The service over a copy of the database `maalbot demo` filled once per session (tests/bot/conftest.py)."""
    db = Database(sqlite_url_for(demo_home / DB_FILE))
    try:
        yield ConversationService(db)
    finally:
        await db.dispose()


async def test_an_unknown_user_gets_the_polite_message_and_exit_code_1(service: ConversationService) -> None:
    out = io.StringIO()
    assert await run_console(service, "ukendt@example.dk", io.StringIO("hej\n"), out) == 1
    assert out.getvalue().startswith("Hej! Jeg kan ikke finde dig")


async def test_the_console_talks_until_end_of_input(service: ConversationService) -> None:
    out = io.StringIO()
    stdin = io.StringIO("Ærlige samtaler om trivsel\nLegegrupper\n")
    assert await run_console(service, f"  {DEMO_CHAIR.upper()} ", stdin, out) == 0  # email as typed
    text = out.getvalue()
    assert text.startswith("Hej Søren Østergaard!")
    assert "> " not in text
    assert text.endswith("Skriv den næste, eller vælg «Færdig».\n1) Færdig\n\n")


async def test_a_terminal_gets_a_prompt(service: ConversationService) -> None:
    out = io.StringIO()
    assert await run_console(service, DEMO_CHAIR, _Terminal("hjælp\n"), out) == 0
    assert out.getvalue().count("> ") == 2  # before the one line, and before end of input


async def test_a_first_start_typed_after_the_console_opened_does_not_greet_twice(service: ConversationService) -> None:
    """Issue 17: the console says «start» by itself; the person's own first «start» gets the question again,
    not the greeting a second time."""
    out = io.StringIO()
    assert await run_console(service, DEMO_CHAIR, io.StringIO("start\nÆrlige samtaler om trivsel\n"), out) == 0
    text = out.getvalue()
    assert text.count("Hej Søren Østergaard!") == 1
    assert text.count("Hvilke lokale mål skal der til for at opnå mål 1?") == 2
    assert "Om «Ærlige samtaler om trivsel»:" in text  # the next line is still taken as the answer
