"""Reading the seed texts (../shared/seeds) in tests: find a seed, and compare the OCR'd Danish of a
scan with the properly written Danish of the shipped files."""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher
from pathlib import Path

import pytest

SEEDS = Path("/work/shared/seeds")


def seed_text(number: str) -> str | None:
    found = sorted(SEEDS.glob(f"{number}_*.txt")) if SEEDS.is_dir() else []
    return found[0].read_text(encoding="utf-8") if found else None


def needs_seed(number: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(seed_text(number) is None, reason=f"seeds/{number}_*.txt not available on this machine")


def skeleton(text: str) -> str:
    """The consonants of a text, folded: what survives an OCR scan that reads «ø» as «g», «e» or «a»,
    «æ» as «ee» and splits or joins words («relations kompetente»)."""
    folded = unicodedata.normalize("NFKD", text.casefold().replace("æ", "ae").replace("ø", "o").replace("å", "a"))
    letters = "".join(c for c in folded if c.isalnum())
    return re.sub(r"[aeiouy]", "", letters)


def coverage(part: str, whole: str) -> float:
    """How much of `part`'s skeleton is found, in order, in `whole`'s skeleton (0..1)."""
    p, w = skeleton(part), skeleton(whole)
    if not p:
        return 1.0
    blocks = SequenceMatcher(None, p, w, autojunk=False).get_matching_blocks()
    return sum(b.size for b in blocks) / len(p)


def best_window_ratio(part: str, whole: str) -> float:
    """The best similarity (0..1) of `part` to a stretch of `whole` of the same length, looked for
    around the longest run the two skeletons share."""
    p, w = skeleton(part), skeleton(whole)
    if not p:
        return 1.0
    at, at_p, _size = SequenceMatcher(None, w, p, autojunk=False).find_longest_match(0, len(w), 0, len(p))
    guess, slack = at - at_p, max(4, len(p) // 4)
    best = 0.0
    for start in range(max(0, guess - slack), max(1, min(len(w), guess + slack + 1))):
        best = max(best, SequenceMatcher(None, p, w[start : start + len(p)], autojunk=False).ratio())
    return best
