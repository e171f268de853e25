"""Translations: gettext catalogs (Babel) in Danish and English, read from the .po files.

msgids are English. The Danish catalog is the one people read most and is written as Danish for
a parent on a board. Catalogs are compiled in memory when first used, so there is no build step
and no compiled .mo file in the repository."""

from __future__ import annotations

from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "maalbot"
SUPPORTED = ("da", "en")
DEFAULT_LOCALE = "da"


def catalog_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def _translations(locale: str) -> NullTranslations:
    path = catalog_path(locale)
    if not path.exists():
        return NullTranslations()
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=locale, domain=DOMAIN)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


class Texts:
    """The translator handed around as `t`: `t("Hello {name}", name="Anna")`."""

    def __init__(self, locale: str) -> None:
        self.locale = locale if locale in SUPPORTED else DEFAULT_LOCALE
        self._tr = _translations(self.locale)

    def __call__(self, msgid: str, /, **params: object) -> str:
        text = self._tr.gettext(msgid)
        return text.format(**params) if params else text

    def plural(self, singular: str, plural: str, n: int, /, **params: object) -> str:
        text = self._tr.ngettext(singular, plural, n)
        return text.format(n=n, **params)


def texts(locale: str | None) -> Texts:
    return Texts(locale or DEFAULT_LOCALE)


def N_(msgid: str) -> str:
    return msgid
