"""What is done to every piece of text a person sends before it is judged or stored."""

from __future__ import annotations

import re
import unicodedata

# Bidirectional embeddings, overrides and isolates (and the marks) can make stored text display
# differently from what was typed: always removed.
BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"))
# Format characters that writing needs and that are kept: the zero-width joiner (👨‍👩‍👧‍👦, 🏳️‍🌈,
# Indic and Arabic shaping), the zero-width non-joiner (Persian "می‌خواهم"), and the variation selectors
# (text or emoji presentation, ❤️); the emoji tag characters (the flags of England, Scotland, Wales).
_KEPT_FORMAT = frozenset("\u200c\u200d") | frozenset(map(chr, range(0xFE00, 0xFE10)))
_KEPT_RANGES = ((0xE0020, 0xE007F), (0xE0100, 0xE01EF))  # tags; variation selectors supplement
_BLANK_LINES = re.compile(r"\n{3,}")


def _kept(ch: str) -> bool:
    if ch == "\n":
        return True
    category = unicodedata.category(ch)
    if category in ("Cc", "Cs", "Co"):  # controls, lone surrogates, private use
        return False
    if category == "Cf":  # format: only the ones writing needs
        return ch in _KEPT_FORMAT or any(low <= ord(ch) <= high for low, high in _KEPT_RANGES)
    return True


def clean_text(text: str) -> str:
    """NFC-normalise, drop controls, bidi controls and format characters other than ZWJ, ZWNJ,
    variation selectors and emoji tags (newlines kept, tabs as spaces), trim every line and the whole."""
    text = unicodedata.normalize("NFC", text).translate(BIDI_CONTROLS)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    if not text.replace("\n", "").isprintable():  # printable: no control, format or private-use character
        text = "".join(ch for ch in text if _kept(ch))
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
