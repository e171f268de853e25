"""Commands a person can type at any point, in Danish or English."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from dialogs.cleaning import fold


class Cmd(StrEnum):
    HELP = "help"
    BACK = "back"
    SKIP = "skip"
    PAUSE = "pause"
    RESUME = "resume"
    START = "start"
    STATUS = "status"
    REVIEW = "review"
    SUBMIT = "submit"
    EDIT = "edit"
    LANGUAGE = "language"
    SWITCH_BOARD = "switch_board"


@dataclass(frozen=True, slots=True)
class Command:
    cmd: Cmd
    goal: int | None = None  # edit: strategic goal number
    position: int | None = None  # edit: local goal position
    locale: str | None = None  # language: da | en


WORDS: dict[str, Cmd] = {
    **dict.fromkeys(["hjælp", "hjaelp", "help", "?", "hvad kan du", "what can you do"], Cmd.HELP),
    **dict.fromkeys(["tilbage", "gå tilbage", "back", "go back"], Cmd.BACK),
    **dict.fromkeys(["spring over", "spring", "skip", "næste spørgsmål"], Cmd.SKIP),
    **dict.fromkeys(["pause", "stop", "senere", "later", "hold pause"], Cmd.PAUSE),
    **dict.fromkeys(["fortsæt", "fortsaet", "videre", "genoptag", "resume", "continue"], Cmd.RESUME),
    **dict.fromkeys(["start", "begynd", "hej", "hejsa", "goddag", "hi", "hello", "kom i gang"], Cmd.START),
    **dict.fromkeys(["status", "min status", "vores status", "my status", "fremdrift"], Cmd.STATUS),
    **dict.fromkeys(["gennemgang", "gennemse", "oversigt", "review", "overview"], Cmd.REVIEW),
    **dict.fromkeys(["indsend", "send ind", "submit"], Cmd.SUBMIT),
    **dict.fromkeys(["ret", "rediger", "ændr", "edit", "change"], Cmd.EDIT),
    **dict.fromkeys(["sprog", "language", "skift sprog"], Cmd.LANGUAGE),
    **dict.fromkeys(["skift bestyrelse", "anden bestyrelse", "switch board", "other board"], Cmd.SWITCH_BOARD),
}
LANGUAGES = {
    **dict.fromkeys(["english", "engelsk", "in english", "på engelsk", "sprog en", "language en"], "en"),
    **dict.fromkeys(["dansk", "danish", "på dansk", "in danish", "sprog da", "language da"], "da"),
}
_EDIT = re.compile(r"^(?:ret|rediger|ændr|edit|change)\s+(?:mål|goal|fokusområde|focus area)?\s*(\d+)(?:[.,](\d+))?$")


def parse_command(text: str) -> Command | None:
    """A command if the whole message is one, else None (so "vi vil hjælpe" is an answer, not help)."""
    folded = fold(text)
    if folded in LANGUAGES:
        return Command(Cmd.LANGUAGE, locale=LANGUAGES[folded])
    if folded in WORDS:
        return Command(WORDS[folded])
    match = _EDIT.match(folded)
    if match:
        return Command(Cmd.EDIT, goal=int(match.group(1)), position=int(match.group(2)) if match.group(2) else None)
    return None
