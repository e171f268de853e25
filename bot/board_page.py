"""A board's own registration, read-only and ready to print, for its members and chair.

    GET /board/{institution_id}?token=...        the printable page (the committee document's layout)
    GET /board/{institution_id}/docx?token=...   the same as DOCX

The token comes from «udskriv» / «print» in the chat (`dialogs.links_chat`): it is signed for the one
path, and names the person and the institution. It works only while the person is still on that
board; a token for one board never opens another's page (another path breaks the signature, and the
institution in the token must be the one asked for)."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.reports import prepare, render_html
from dialogs.links import LinkError, make_token
from dialogs.links_chat import BOARD_DOCX_PATH, BOARD_PATH
from dialogs.texts import Texts, texts
from reports.texts import report_texts
from storage import people
from storage.export import ExportError, build_export
from storage.models import Person

if TYPE_CHECKING:
    from bot.status_page import StatusPage

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def mount_board_page(app: web.Application, page: StatusPage) -> None:
    """Add the board print routes to the app, sharing the status page's signer, clock and pages."""
    board = BoardPage(page)
    app.router.add_get(BOARD_PATH.replace("{institution_id}", "{institution_id:\\d+}"), board.page)
    app.router.add_get(BOARD_DOCX_PATH.replace("{institution_id}", "{institution_id:\\d+}"), board.docx)


class BoardPage:
    def __init__(self, status_page: StatusPage) -> None:
        self.status = status_page  # its signer, clock, database, pages and refusals

    async def _access(self, request: web.Request) -> tuple[Texts, int, int] | web.Response:
        """(texts, person id, institution id) for a good token of a person still on that board."""
        sp = self.status
        lang = request.query.get("lang")
        if sp.signer is None:
            return sp._refuse(texts(lang or sp.locale), "disabled")
        try:
            claims = sp.signer.verify(request.path, request.query.get("token"), sp.clock())
            person_id = int(claims.scope.get("person", ""))
            institution_id = int(claims.scope.get("institution", ""))
        except LinkError as exc:
            return sp._refuse(texts(lang or sp.locale), "expired" if exc.reason == "expired" else "invalid")
        except ValueError:
            return sp._refuse(texts(lang or sp.locale), "invalid")
        async with sp.db.transaction() as s:
            person = await s.get(Person, person_id)
            boards = {b.institution_id for b in await people.boards_of(s, person_id)}
        t = texts(lang or (person.locale if person else None) or sp.locale)
        if institution_id != int(request.match_info["institution_id"]) or institution_id not in boards:
            return sp._refuse(t, "access")
        return t, person_id, institution_id

    async def _data(self, institution_id: int, fmt: str) -> dict[str, Any] | None:
        sp = self.status
        try:
            data = await build_export(sp.db, now=sp.clock(), institution_ids=[institution_id])
        except ExportError:
            return None
        return await prepare(sp.db, data, sp.municipality, fmt)

    async def page(self, request: web.Request) -> web.Response:
        access = await self._access(request)
        if isinstance(access, web.Response):
            return access
        t, _person_id, institution_id = access
        data = await self._data(institution_id, "html")
        if data is None:
            return self._no_strategy(t)
        signer = self.status.signer
        assert signer is not None  # checked by _access
        claims = signer.verify(request.path, request.query["token"], self.status.clock())
        docx_path = BOARD_DOCX_PATH.format(institution_id=institution_id)
        docx_token = make_token(docx_path, claims.scope, signer.secret, claims.expires_at)
        docx_link = f"{docx_path}?token={docx_token}" + (f"&lang={t.locale}" if "lang" in request.query else "")
        html = render_html(data, t, board=True, docx_link=docx_link)
        return web.Response(text=html, content_type="text/html", charset="utf-8", headers=_headers())

    async def docx(self, request: web.Request) -> web.Response:
        access = await self._access(request)
        if isinstance(access, web.Response):
            return access
        t, _person_id, institution_id = access
        data = await self._data(institution_id, "docx")
        if data is None:
            return self._no_strategy(t)
        body = await asyncio.to_thread(_docx_bytes, data, t)
        name = f"registrering-{data['strategy']['key']}-{institution_id}.docx"
        headers = {**_headers(), "Content-Disposition": f'attachment; filename="{name}"', "Content-Type": DOCX_TYPE}
        return web.Response(body=body, headers=headers)

    def _no_strategy(self, t: Texts) -> web.Response:
        return self.status._page(
            "error.html", t, status=404, title=t("Print"), message=t("No strategy has been loaded yet.")
        )


def _docx_bytes(data: dict[str, Any], t: Texts) -> bytes:
    from reports.committee_docx import write_docx  # python-docx and lxml only when a board prints (~0.1 s of CPU)

    with tempfile.TemporaryDirectory(prefix="maalbot-board-") as tmp:
        out = Path(tmp) / "board.docx"
        write_docx(data, out, texts=report_texts(t), board=True)
        return out.read_bytes()


def _headers() -> dict[str, str]:
    from bot.status_page import HEADERS  # the same no-store, no-referrer, no-script headers

    return dict(HEADERS)
