"""Leaders and the administration ask for a link: "statusside" / "status page" gives a signed link to
the status page, "eksport" / "export" (optionally with a format) signed download links. Links are
personal (the token names the person; what the page shows is their scope when it is opened) and
expire. Board members are refused those.

Anyone on a board (member, chair, the institution's leader) may write "udskriv" / "print": a link to a
read-only, printable page of their own board's registration and its DOCX, signed for that board only
(the token names the person and the institution, for the board's own path)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from dialogs.cleaning import clean_text, fold
from dialogs.links import LinkSigner
from dialogs.messages import Reply
from dialogs.overview import BOT_PREFIX
from dialogs.texts import Texts, texts
from storage import people, progress
from storage.db import Database

STATUS_PATH = "/status"
REGISTRATION_PATH = "/status/registration/{registration_id}"
EXPORT_PATH = "/export/{fmt}"
BOARD_PATH = "/board/{institution_id}"
BOARD_DOCX_PATH = "/board/{institution_id}/docx"
EXPORT_FORMATS = ("html", "xlsx", "docx", "csv", "json", "md")
FORMAT_LABELS = {"xlsx": "Excel (XLSX)", "docx": "Word (DOCX)", "csv": "CSV", "json": "JSON", "md": "Markdown"}

_STATUS_PAGE = {"statusside", "statussiden", "status page", "status side", "link til status", "status link"}
_PRINT = re.compile(
    r"^(?:udskriv|udskrift|print|printvenlig|print out)"
    r"(?:\s+(?:vores|min|bestyrelsens|our|my|the board's|the|af)?\s*(?:registrering|registration|mål|goals))?$"
)
_EXPORT = re.compile(r"^(?:eksport|eksporter|eksportér|export|download)(?:\s+(?:som|as|i|in))?(?:\s+(\w+))?$")
_FORMAT_WORDS = {"excel": "xlsx", "word": "docx", "markdown": "md", "pdf": "html", **{f: f for f in EXPORT_FORMATS}}


@dataclass(frozen=True, slots=True)
class LinkRequest:
    kind: str  # status | export | print
    fmt: str | None = None  # export: one format, or None for all


def parse_link_request(text: str) -> LinkRequest | None:
    """ "statusside", "status page", "eksport", "export xlsx", "eksport som word"; None otherwise."""
    folded = BOT_PREFIX.sub("", fold(clean_text(text)))
    if folded in _STATUS_PAGE:
        return LinkRequest("status")
    if _PRINT.match(folded.rstrip("!.")):
        return LinkRequest("print")
    match = _EXPORT.match(folded)
    if match is None:
        return None
    if match.group(1) is None:
        return LinkRequest("export")
    fmt = _FORMAT_WORDS.get(match.group(1))
    return LinkRequest("export", fmt) if fmt else None


def format_label(t: Texts, fmt: str) -> str:
    """What a download link is called: the printable page by what it is for, files by their format."""
    if fmt == "html":
        return t("Printable page (print it or save it as PDF)")
    return FORMAT_LABELS[fmt]


def person_scope(person_id: int) -> dict[str, str]:
    """The scope a link is signed for."""
    return {"person": str(person_id)}


def board_scope(person_id: int, institution_id: int) -> dict[str, str]:
    """The scope of a board's print link: the person, and the one institution it shows."""
    return {"person": str(person_id), "institution": str(institution_id)}


def until_text(t: Texts, expires_at: datetime, tz: ZoneInfo) -> str:
    """When a link stops working, in local time ("25.11.2026 kl. 10:00"), for the chat and the pages."""
    local = expires_at.astimezone(tz)
    return t("{date} at {time}", date=local.strftime("%d.%m.%Y"), time=local.strftime("%H:%M"))


class LinkAnswers:
    def __init__(
        self,
        db: Database,
        signer: LinkSigner | None,
        *,
        default_locale: str = "da",
        timezone: str = "Europe/Copenhagen",
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.db = db
        self.signer = signer
        self.default_locale = default_locale
        self.tz = ZoneInfo(timezone)
        self.clock = clock or (lambda: datetime.now(UTC))

    def status_url(self, person_id: int) -> str | None:
        """A personal link to the status page (what it shows is the person's scope), or None without links."""
        if self.signer is None:
            return None
        return self.signer.link(STATUS_PATH, person_scope(person_id), self.clock())

    async def answer(self, person_id: int, request: LinkRequest, locale: str | None) -> list[Reply]:
        t = texts(locale or self.default_locale)
        if request.kind == "print":
            return await self._print(person_id, t)
        async with self.db.transaction() as s:
            scope = await progress.scope_of(s, person_id)
        if scope.board_only:
            text = t("Only leaders and the administration can get links to the status page and exports.")
            return [Reply(text, kind="error")]
        if self.signer is None:
            return [Reply(t("Links to the status page and exports are switched off on this bot."), kind="error")]
        now = self.clock()
        until = until_text(t, now + self.signer.ttl, self.tz)
        if request.kind == "status":
            url = self.signer.link(STATUS_PATH, person_scope(person_id), now)
            text = t("Here is the status page. The link is personal and works until {until}:", until=until)
            return [Reply(f"{text}\n{url}", kind="status")]
        formats = (request.fmt,) if request.fmt else EXPORT_FORMATS
        facts = tuple(
            (format_label(t, fmt), self.signer.link(EXPORT_PATH.format(fmt=fmt), person_scope(person_id), now))
            for fmt in formats
        )
        text = t(
            "Here is the export of what you have access to see. The links are personal and work until {until}.",
            until=until,
        )
        return [Reply(text, facts=facts, title=t("Export"), kind="status")]

    async def _print(self, person_id: int, t: Texts) -> list[Reply]:
        """Links to a printable page and a DOCX of each board the person is on, each for that board only."""
        async with self.db.transaction() as s:
            boards = await people.boards_of(s, person_id)
        if not boards:
            return [Reply(t("You are not on a board, so there is no registration to print."), kind="error")]
        if self.signer is None:
            return [Reply(t("Links to the status page and exports are switched off on this bot."), kind="error")]
        now = self.clock()
        facts: list[tuple[str, str]] = []
        for board in boards:
            scope = board_scope(person_id, board.institution_id)
            page = self.signer.link(BOARD_PATH.format(institution_id=board.institution_id), scope, now)
            docx = self.signer.link(BOARD_DOCX_PATH.format(institution_id=board.institution_id), scope, now)
            facts += [(board.institution_name, page), (t("{board} as Word (DOCX)", board=board.institution_name), docx)]
        text = t(
            "Here is your board's registration, ready to print. The links are personal and work until {until}.",
            until=until_text(t, now + self.signer.ttl, self.tz),
        )
        return [Reply(text, facts=tuple(facts), title=t("Print"), kind="status")]
