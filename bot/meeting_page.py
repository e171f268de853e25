"""The prep brief of a meeting as a page (/meeting/{id}) and as Word (/meeting/{id}/docx), reached only
through a signed personal link (`dialogs.links`, as the status page): for the people taking part in the
meeting, the area's leaders and the administration."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from aiohttp import web

from bot.meeting_brief import brief_docx
from bot.reports import TEMPLATES_ENV
from dialogs.links import LinkError, LinkSigner
from dialogs.meetings.brief import Brief, build_brief
from dialogs.texts import Texts, texts
from storage import meetings, progress
from storage.db import Database
from storage.models import Person

MEETING_PATH = "/meeting/{meeting_id}"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def meeting_path(meeting_id: int, docx: bool = False) -> str:
    return MEETING_PATH.format(meeting_id=meeting_id) + ("/docx" if docx else "")


def mount_meeting_pages(
    app: web.Application,
    db: Database,
    signer: LinkSigner | None,
    locale: str,
    clock: Callable[[], datetime] | None = None,
) -> None:
    pages = _MeetingPages(db, signer, locale, clock or (lambda: datetime.now(UTC)))
    app.router.add_get("/meeting/{meeting_id:\\d+}", pages.page)
    app.router.add_get("/meeting/{meeting_id:\\d+}/docx", pages.docx)


class _MeetingPages:
    def __init__(self, db: Database, signer: LinkSigner | None, locale: str, clock: Callable[[], datetime]) -> None:
        self.db, self.signer, self.locale, self.clock = db, signer, locale, clock
        self.env = TEMPLATES_ENV  # one per process (bot/reports.py)

    async def _allowed(self, request: web.Request) -> tuple[int, Texts] | web.Response:
        meeting_id = int(request.match_info["meeting_id"])
        t = texts(request.query.get("lang") or self.locale)
        if self.signer is None:
            return web.Response(
                status=403, text=t("Links to the status page and exports are switched off on this bot.")
            )
        try:
            claims = self.signer.verify(request.path, request.query.get("token"), self.clock())
            person_id = int(claims.scope.get("person", ""))
        except (LinkError, ValueError):
            return web.Response(status=403, text=t("This link does not work"))
        async with self.db.read() as s:
            person = await s.get(Person, person_id)
            person_locale = person.locale if person is not None else None
            scope = await progress.scope_of(s, person_id)
            meeting = await meetings.meeting_view(s, meeting_id)
        t = texts(request.query.get("lang") or person_locale or self.locale)
        allowed = (
            meeting is not None
            and person is not None
            and (scope.everything or person_id in meeting.people() or (meeting.area_id in scope.area_ids))
        )
        if not allowed:  # an unknown meeting and one the person may not see get the same answer
            return web.Response(status=403, text=t("You do not have access to this page."))
        return meeting_id, t

    async def _brief(self, request: web.Request) -> tuple[int, Brief, Texts] | web.Response:
        """The meeting's brief for a person allowed to see it (id, brief, texts), or the refusal to send."""
        allowed = await self._allowed(request)
        if isinstance(allowed, web.Response):
            return allowed
        meeting_id, t = allowed
        async with self.db.read() as s:
            brief = await build_brief(s, meeting_id, t)
        if brief is None:
            return web.Response(status=404)
        return meeting_id, brief, t

    async def page(self, request: web.Request) -> web.Response:
        found = await self._brief(request)
        if isinstance(found, web.Response):
            return found
        meeting_id, brief, t = found
        labels = {
            "skip": t("Skip to the content"),
            "app": t("Målbot: the boards' local goals"),
            "attendees": t("Taking part"),
            "word": t("Download as Word (DOCX)"),
        }
        docx_link = meeting_path(meeting_id, docx=True) + "?" + request.query_string
        html = self.env.get_template("meeting_brief.html").render(
            lang=t.locale, title=brief.title, brief=brief, labels=labels, other_language=None, docx=docx_link
        )
        return web.Response(text=html, content_type="text/html", headers={"Cache-Control": "no-store"})

    async def docx(self, request: web.Request) -> web.Response:
        found = await self._brief(request)
        if isinstance(found, web.Response):
            return found
        meeting_id, brief, t = found
        headers = {
            "Content-Disposition": f'attachment; filename="meeting-{meeting_id}.docx"',
            "Cache-Control": "no-store",
        }
        return web.Response(body=brief_docx(brief, t), content_type=DOCX, headers=headers)
