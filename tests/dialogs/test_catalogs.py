"""Every text a person can read is in both catalogs, and the Danish one translates all of it."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from dialogs.texts import catalog_path, texts

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"t": None, "plural": (1, 2), "N_": None}
PLACEHOLDER = re.compile(r"{[a-z_.]+}")


@functools.cache  # the sources do not change during a run: extracted once (~0.5 s of CPU), not per test
def _msgids() -> frozenset[str | tuple[str, str]]:
    found: set[str | tuple[str, str]] = set()
    for package in ("bot", "dialogs", "reports"):
        for _file, _line, message, _comments, _context in extract_from_dir(ROOT / package, keywords=KEYWORDS):
            found.add(message if isinstance(message, str) else (message[0], message[1]))
    return frozenset(found)


def _catalog(locale: str) -> dict[str | tuple[str, str], str | tuple[str, ...]]:
    with catalog_path(locale).open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    return {(m.id if isinstance(m.id, str) else tuple(m.id)): m.string for m in catalog if m.id}  # type: ignore[misc]


def test_code_has_texts_to_translate() -> None:
    assert len(_msgids()) > 100


@pytest.mark.parametrize("locale", ["da", "en"])
def test_every_text_is_in_the_catalog(locale: str) -> None:
    missing = sorted(map(str, _msgids() - set(_catalog(locale))))
    assert missing == [], f"run `make catalogs` and translate: {missing}"


def test_danish_translates_everything_with_the_same_placeholders() -> None:
    da = _catalog("da")
    for msgid in _msgids():
        translated = da.get(msgid)
        singular = msgid if isinstance(msgid, str) else msgid[0]
        strings = [translated] if isinstance(translated, str) else list(translated or [])
        assert strings and all(strings), f"no Danish for {singular!r}"
        expected = set(PLACEHOLDER.findall(singular))
        for text in strings:
            # a Danish singular may leave out {n} ("Tilføjet."), but may not invent placeholders
            assert set(PLACEHOLDER.findall(text)) <= expected | {"{n}"}, (singular, text)


def test_translations_are_used_at_run_time() -> None:
    assert texts("da")("Submit") == "Send ind"
    assert texts("en")("Submit") == "Submit"
    assert texts("da").plural("{n} local goal", "{n} local goals", 2) == "2 lokale mål"
    assert texts("fr")("Submit") == "Send ind"  # an unknown locale falls back to Danish
