"""What is done to every piece of text a person sends before it is judged or stored."""

from __future__ import annotations

import re
import unicodedata

# Bidirectional overrides and isolates can make stored text display differently from what was typed.
BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"))
_BLANK_LINES = re.compile(r"\n{3,}")


def clean_text(text: str) -> str:
    """NFC-normalise, drop control and bidi-override characters (keeping newlines and tabs as
    spaces), trim every line and the whole."""
    text = unicodedata.normalize("NFC", text).translate(BIDI_CONTROLS)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co"))
    lines = [line.strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


_BULLET = re.compile(r"^\s*(?:[-*•·]|\d+[.)])\s+")


def split_items(text: str) -> list[str]:
    """Items of a list answer: one per line, bullets and numbering removed."""
    items = [_BULLET.sub("", line).strip() for line in text.split("\n")]
    return [item for item in items if item]


def fold(text: str) -> str:
    """Compare-friendly form: casefolded, æøå kept, punctuation at the ends dropped, spaces squeezed."""
    return " ".join(text.casefold().strip(" .!?,;:«»\"'").split())
