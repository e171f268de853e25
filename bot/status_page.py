"""The status page and export downloads, reached only through signed, expiring links.

    GET /status?token=...[&area=...][&lang=en]        institutions x strategic goals, filter by area
    GET /status/registration/{id}?token=...           one registration, read-only, with its follow-ups
    GET /export/{format}?token=...[&area=...]         xlsx | docx | csv | json | md, in the person's scope

The token names a person (see `dialogs.links_chat`); what they see is their scope now
(`storage.progress.scope_of`), so a leader who has left sees nothing. No token, an expired or a
tampered one, a board member's or another path's gets 403 with a friendly page. Links on the page
are signed again for their own path with the same expiry, so following them never extends a link."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.board_page import mount_board_page
from bot.links_settings import link_signer, redact_access_log
from bot.reports import TEMPLATES_ENV, prepare, render_file
from bot.settings import Settings
from bot.status_views import area_bars, deadline_text, goal_bars, goal_label, goal_mark, progress_bar
from dialogs import views
from dialogs.approval_views import status_words
from dialogs.links import LinkClaims, LinkError, LinkSigner, make_token
from dialogs.links_chat import (
    EXPORT_FORMATS,
    EXPORT_PATH,
    REGISTRATION_PATH,
    STATUS_PATH,
    format_label,
    until_text,
)
from dialogs.meetings.agreement_lines import agreement_lines
from dialogs.overview import followup_state
from dialogs.reminders.render import long_date
from dialogs.service import kinds_of, strategy_of
from dialogs.strategy import Strategy
from dialogs.texts import Texts, texts
from reports.committee import percent
from storage import audit, followups, meetings, policy, progress, registrations, status_reads, strategies
from storage.db import Database
from storage.export import ExportError, build_export
from storage.models import Person
from storage.registrations import LocalGoalData

LIST_LIMIT = 200  # more institutions than this in several areas: the page shows the areas' totals first
PAGE_SIZE = 50  # institutions per page of a list (about 2 KB of HTML each)
DONE = status_reads.DONE
AUDIT_ROWS = 100  # the newest changes the administration sees on a registration page
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
}
FOLLOW_UP_MARKS = {"on_track": "✓", "partly": "◐", "off_track": "✗", "waiting": "…"}
# The token is in the URL: never send it on as a referrer, never cache, never frame, no scripts.
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Robots-Tag": "noindex, nofollow",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
}


@dataclass(frozen=True, slots=True)
class Viewer:
    person_id: int
    claims: LinkClaims
    scope: progress.Scope
    t: Texts


def mount_status_page(
    app: web.Application,
    db: Database,
    settings: Settings,
    *,
    dev: bool = False,
    signer: LinkSigner | None = None,
    clock: Callable[[], datetime] | None = None,
) -> None:
    """Add the status page and export routes. The signer defaults to `bot.links_settings.link_signer`
    (MAALBOT_LINK_SECRET, or a random one in --dev); without one every link gets 403."""
    if signer is None:
        signer = link_signer(dev=dev)
    redact_access_log()
    page = StatusPage(db, signer, settings.locale, settings.timezone, clock or (lambda: datetime.now(UTC)))
    page.municipality = settings.municipality
    app.router.add_get(STATUS_PATH, page.status)
    app.router.add_get(REGISTRATION_PATH.replace("{registration_id}", "{registration_id:\\d+}"), page.registration)
    app.router.add_get(EXPORT_PATH.replace("{fmt}", "{fmt:[a-z]+}"), page.export)
    mount_board_page(app, page)


class StatusPage:
    def __init__(
        self, db: Database, signer: LinkSigner | None, locale: str, timezone: str, clock: Callable[[], datetime]
    ) -> None:
        self.db = db
        self.signer = signer
        self.locale = locale
        self.tz = ZoneInfo(timezone)
        self.clock = clock
        self.municipality = ""
        self.env = TEMPLATES_ENV  # one per process (bot/reports.py)

    # -- access ------------------------------------------------------------------------------------
    async def _viewer(self, request: web.Request) -> Viewer | web.Response:
        lang = request.query.get("lang")
        if self.signer is None:
            return self._refuse(texts(lang or self.locale), "disabled")
        try:
            claims = self.signer.verify(request.path, request.query.get("token"), self.clock())
        except LinkError as exc:
            return self._refuse(texts(lang or self.locale), "expired" if exc.reason == "expired" else "invalid")
        try:
            person_id = int(claims.scope.get("person", ""))
        except ValueError:
            return self._refuse(texts(lang or self.locale), "invalid")
        async with self.db.transaction() as s:
            person = await s.get(Person, person_id)
            scope = await progress.scope_of(s, person_id)
        t = texts(lang or (person.locale if person else None) or self.locale)
        if person is None or scope.board_only:
            return self._refuse(t, "access")
        return Viewer(person_id, claims, scope, t)

    def _refuse(self, t: Texts, reason: str) -> web.Response:
        messages = {
            "disabled": t("Links to the status page and exports are switched off on this bot."),
            "expired": t("The link has expired. Ask the bot for a new one: write «statusside» or «eksport»."),
            "invalid": t("The link is not valid. Ask the bot for a new one: write «statusside» or «eksport»."),
            "access": t("You do not have access to this page."),
        }
        return self._page("error.html", t, status=403, title=t("This link does not work"), message=messages[reason])

    def _signed(self, viewer: Viewer, path: str, **query: str) -> str:
        """A relative link to `path`, signed for the viewer's scope with the same expiry."""
        assert self.signer is not None
        token = make_token(path, viewer.claims.scope, self.signer.secret, viewer.claims.expires_at)
        return f"{path}?{urlencode({**query, 'token': token})}"

    def _page(self, template: str, t: Texts, *, status: int = 200, **context: Any) -> web.Response:
        context.setdefault("other_language", None)
        html = self.env.get_template(template).render(t=t, lang=t.locale, labels=_labels(t), **context)
        return web.Response(text=html, status=status, content_type="text/html", charset="utf-8", headers=HEADERS)

    # -- pages -------------------------------------------------------------------------------------
    async def status(self, request: web.Request) -> web.Response:
        viewer = await self._viewer(request)
        if isinstance(viewer, web.Response):
            return viewer
        t = viewer.t
        async with self.db.read() as s:
            row = await strategies.active_strategy(s)
            if row is None:
                return self._page(
                    "error.html", t, status=404, title=t("Status"), message=t("No strategy has been loaded yet.")
                )
            strategy = strategy_of(row)
            totals = await status_reads.area_totals(s, row.id, viewer.scope)
            areas = [a.area for a in totals]
            area = request.query.get("area", "")
            area = area if area in areas else ""
            listed = bool(area) or len(totals) <= 1 or sum(a.total for a in totals) <= LIST_LIMIT
            if listed:
                rows = await progress.progress(s, row.id, _narrowed(viewer.scope, totals, area))
                shown = [r for r in rows if r.area == area] if area else rows
                pages = max(1, -(-len(shown) // PAGE_SIZE))
                page = min(max(_int(request.query.get("page")), 1), pages)
                on_page = shown[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
                reg_ids = await status_reads.registration_ids(s, row.id, [r.institution_id for r in on_page])
            else:
                goal_counts = await status_reads.goal_totals(s, row.id, viewer.scope)
        lang_query = {"lang": t.locale} if "lang" in request.query else {}
        area_query = {"area": area} if area else {}
        today = self.clock().astimezone(self.tz).date()
        context: dict[str, Any] = {}
        if listed:
            context = self._listing(viewer, strategy, shown, on_page, reg_ids, lang_query)
            done, total = sum(1 for r in shown if r.status in DONE), len(shown)
            context.update(
                area_bars=area_bars(t, shown) if not area else [],
                goal_bars=goal_bars(t, strategy, shown),
                pages=self._pages(viewer, page, pages, {**area_query, **lang_query}),
                area_rows=[],
            )
        else:
            done, total = sum(a.done for a in totals), sum(a.total for a in totals)
            context = dict(
                institutions=[],
                area_bars=[],
                goal_bars=[
                    progress_bar(t, goal_label(t, strategy, g.number), goal_counts.get(g.number, 0), total)
                    for g in strategy.goals
                ],
                pages=None,
                area_rows=[
                    {
                        "name": a.area,
                        "link": self._signed(viewer, STATUS_PATH, area=a.area, **lang_query),
                        "total": a.total,
                        "done": a.done,
                        "in_progress": a.in_progress,
                        "not_started": a.not_started,
                        "bar": progress_bar(t, a.area, a.done, a.total),
                    }
                    for a in totals
                ],
            )
        return self._page(
            "status.html",
            t,
            title=t("Status for «{strategy}»", strategy=strategy.title_in(t.locale)),
            summary=t("{done} of {total} have submitted.", done=done, total=total),
            deadline=deadline_text(t, strategy.deadline, today),
            deadline_past=strategy.deadline is not None and strategy.deadline < today,
            goals=[(g.number, goal_label(t, strategy, g.number), g.title_in(t.locale)) for g in strategy.goals],
            areas=areas,
            area=area,
            token=request.query.get("token", ""),
            lang_field=t.locale if "lang" in request.query else "",
            exports=[
                (format_label(t, f), self._signed(viewer, EXPORT_PATH.format(fmt=f), **area_query, **lang_query))
                for f in EXPORT_FORMATS
            ],
            other_language=_other_language(t, self._signed(viewer, STATUS_PATH, **area_query, lang=_other(t))),
            until=until_text(t, viewer.claims.expires_at, self.tz),
            **context,
        )

    def _listing(
        self,
        viewer: Viewer,
        strategy: Strategy,
        shown: list[progress.InstitutionProgress],
        on_page: list[progress.InstitutionProgress],
        reg_ids: dict[int, int],
        lang_query: dict[str, str],
    ) -> dict[str, Any]:
        """The institutions of one page: the wide table's rows and the phone's cards."""
        t = viewer.t
        institutions = []
        for r in on_page:
            covered = sum(1 for g in strategy.goals if r.goals.get(g.number))
            reg_id = reg_ids.get(r.institution_id)
            link = None
            if reg_id is not None and r.status != "not_started":
                link = self._signed(viewer, REGISTRATION_PATH.format(registration_id=reg_id), **lang_query)
            institutions.append(
                {
                    "name": r.name,
                    "area": r.area,
                    "status": r.status,
                    "status_label": status_words(t, r.status, r.changed_after_submit),
                    "goals": [r.goals.get(g.number, 0) for g in strategy.goals],
                    "progress": t("{covered} of {total} goals", covered=covered, total=len(strategy.goals)),
                    "percent": percent(covered, len(strategy.goals)),
                    "marks": [goal_mark(t, strategy, g.number, r) for g in strategy.goals],
                    "link": link,
                }
            )
        return {"institutions": institutions}

    def _pages(self, viewer: Viewer, page: int, pages: int, query: dict[str, str]) -> dict[str, Any] | None:
        """Links to the previous and the next page (the filters kept), or None on a single page."""
        if pages <= 1:
            return None
        t = viewer.t

        def link(number: int) -> str | None:
            return self._signed(viewer, STATUS_PATH, **query, page=str(number)) if 1 <= number <= pages else None

        return {
            "text": t("Page {page} of {pages}", page=page, pages=pages),
            "previous": link(page - 1),
            "next": link(page + 1),
        }

    async def registration(self, request: web.Request) -> web.Response:
        viewer = await self._viewer(request)
        if isinstance(viewer, web.Response):
            return viewer
        t = viewer.t
        async with self.db.transaction() as s:
            hit = await status_reads.registration_heading(s, int(request.match_info["registration_id"]))
            # An unknown id and one outside the scope get the same answer: nothing leaks.
            if hit is None or not viewer.scope.allows(hit.registration.institution_id, hit.area_id):
                return self._refuse(t, "access")
            reg, name, kind, area_name = hit.registration, hit.institution, hit.kind, hit.area
            strategy = strategy_of(await strategies.strategy_by_id(s, reg.strategy_id))
            draft = await registrations.load_draft(s, reg.id, kinds_of(strategy))
            follow_ups = await _follow_ups(s, t, reg.id)
            changes = (
                await audit.for_institution(s, reg.institution_id, limit=AUDIT_ROWS) if viewer.scope.everything else []
            )
            agreed = (
                await meetings.agreements(s, institution_ids=[reg.institution_id])
                if policy.sees_agreements(viewer.scope)
                else []
            )
        lang_query = {"lang": t.locale} if "lang" in request.query else {}
        submitted = None
        if draft.submitted_at is not None and draft.submitted_by:
            local = draft.submitted_at.astimezone(self.tz)
            submitted = t("Submitted by {name} on {date}.", name=draft.submitted_by, date=long_date(t, local.date()))
        goals = [
            {
                "heading": f"{goal_label(t, strategy, g.number)}: {g.title_in(t.locale)}",
                "local_goals": [
                    {
                        "heading": t("Local goal {goal}.{position}", goal=lg.goal_number, position=lg.position),
                        "facts": _facts(t, strategy, lg),
                        "follow_ups": follow_ups.get((lg.goal_number, lg.position), []),
                    }
                    for lg in draft.goals_under(g.number)
                ],
            }
            for g in strategy.goals
        ]
        return self._page(
            "registration.html",
            t,
            title=t("Registration for {institution}", institution=name),
            meta=f"{area_name} · {kind}",
            reg_status=draft.status,
            status_label=status_words(t, draft.status, draft.changed_after_submit),
            submitted=submitted,
            goals=goals,
            agreements=agreement_lines(t, agreed),
            audit=[
                {
                    "at": f"{c.at.astimezone(self.tz):%d.%m.%Y %H:%M}",
                    "who": c.who or "",
                    "field": c.field,
                    "before": c.before or "",
                    "after": c.after or "",
                }
                for c in changes
            ],
            back=self._signed(viewer, STATUS_PATH, **lang_query),
            other_language=_other_language(t, self._signed(viewer, request.path, lang=_other(t))),
            until=until_text(t, viewer.claims.expires_at, self.tz),
        )

    async def export(self, request: web.Request) -> web.StreamResponse:
        viewer = await self._viewer(request)
        if isinstance(viewer, web.Response):
            return viewer
        fmt = request.match_info["fmt"]
        if fmt not in EXPORT_FORMATS:
            raise web.HTTPNotFound()
        try:
            data = await build_export(self.db, now=self.clock())
        except ExportError:
            t = viewer.t
            return self._page(
                "error.html", t, status=404, title=t("Export"), message=t("No strategy has been loaded yet.")
            )
        data = await prepare(
            self.db, await self._in_scope(data, viewer, request.query.get("area")), self.municipality, fmt
        )
        drafts = request.query.get("drafts") == "1"
        body = await asyncio.to_thread(render_file, data, fmt, viewer.t, include_drafts=drafts)
        filename = f"maal-{data['strategy']['key']}-{self.clock().astimezone(self.tz):%Y-%m-%d}.{fmt}"
        disposition = "inline" if fmt == "html" else "attachment"  # the printable page opens in the browser
        headers = {**HEADERS, "Content-Disposition": f'{disposition}; filename="{filename}"'}
        return web.Response(body=body, headers={**headers, "Content-Type": CONTENT_TYPES[fmt]})

    async def _in_scope(self, data: dict[str, Any], viewer: Viewer, area: str | None) -> dict[str, Any]:
        """The export with only the institutions the viewer may see (and of one area, if asked). An
        institution is known by its name and area together, so no name can match outside the scope."""
        async with self.db.transaction() as s:
            row = await strategies.strategy_by_key(s, data["strategy"]["key"])
            assert row is not None
            rows = await progress.progress(s, row.id, viewer.scope)
        visible = {(r.name, r.area) for r in rows if not area or r.area == area}
        return {**data, "institutions": [i for i in data["institutions"] if (i["name"], i["area"]) in visible]}


async def _follow_ups(s: AsyncSession, t: Texts, registration_id: int) -> dict[tuple[int, int], list[dict[str, str]]]:
    """The registration's follow-ups by (goal, position) of their local goal: the measurement date, and
    the answer or that it is waiting."""
    places = await status_reads.local_goal_places(s, registration_id)
    out: dict[tuple[int, int], list[dict[str, str]]] = {}
    for record in sorted(await followups.history(s, registration_id=registration_id), key=lambda r: r.measurement_date):
        if record.local_goal_id in places:
            out.setdefault(places[record.local_goal_id], []).append(
                {
                    "date": long_date(t, record.measurement_date),
                    "answer": (
                        answer := record.answer if record.answered_at is not None and record.answer else "waiting"
                    ),
                    "mark": FOLLOW_UP_MARKS.get(answer, "…"),
                    "state": followup_state(t, record),
                }
            )
    return out


def _facts(t: Texts, strategy: Strategy, lg: LocalGoalData) -> list[tuple[str, str]]:
    """The local goal's answers, the first one under its question rather than "1.2"."""
    facts = list(views.local_goal_facts(t, strategy, lg))
    first = strategy.first_question.render(t.locale, strategy.goal(lg.goal_number))
    return [(first, facts[0][1]), *facts[1:]] if facts else facts


def _narrowed(scope: progress.Scope, totals: list[status_reads.AreaTotals], area: str) -> progress.Scope:
    """An admin's scope narrowed to the chosen area, so only its institutions are read."""
    chosen = next((a.area_id for a in totals if a.area == area), None)
    if not scope.everything or chosen is None:
        return scope
    return progress.Scope(False, frozenset({chosen}), frozenset(), board_only=False)


def _int(value: str | None) -> int:
    try:
        return int(value or 1)
    except ValueError:
        return 1


def _other(t: Texts) -> str:
    return "en" if t.locale == "da" else "da"


def _other_language(t: Texts, url: str) -> tuple[str, str, str]:
    """(label, url, language code) of the link to the page in the other language."""
    return ("English", url, "en") if t.locale == "da" else ("Dansk", url, "da")


def _labels(t: Texts) -> dict[str, str]:
    """Texts the templates show, translated here so the catalog check sees every one."""
    return {
        "skip": t("Skip to the content"),
        "app": t("Målbot: the boards' local goals"),
        "area": t("Area"),
        "all_areas": t("All areas"),
        "show": t("Show"),
        "institution": t("Institution"),
        "status": t("Status"),
        "progress": t("Progress"),
        "caption": t("Number of local goals per strategic goal"),
        "none": t("none"),
        "no_institutions": t("There is nothing you have access to see."),
        "export": t("Export"),
        "export_hint": t("Download what you see here (your institutions, and the area you have chosen)."),
        "nothing": t("Nothing registered yet."),
        "personal": t("This page is personal. Do not share the link. It works until"),
        "back": t("Back to the overview"),
        "follow_ups": t("Follow-up on measurements"),
        "measured": t("Measurement around"),
        "audit": t("Change log (only the administration sees it)"),
        "when": t("When"),
        "who": t("Who"),
        "what": t("What"),
        "before": t("Before"),
        "after": t("After"),
        "institutions": t("Institutions"),
        "area_chart": t("Submitted per area"),
        "areas": t("Areas"),
        "areas_caption": t("Institutions per area: choose an area to see its institutions"),
        "pick_area": t("Choose an area to see its institutions."),
        "submitted": t("Have submitted"),
        "in_progress": t("In progress"),
        "not_started": t("Not started"),
        "pages": t("Pages"),
        "previous": t("Previous page"),
        "next": t("Next page"),
        "goal_chart": t("Institutions with local goals per goal"),
        "agreements": t("Agreements from meetings"),
        "agreement": t("Agreement"),
        "owner": t("Owner"),
        "due": t("Due"),
        "kept": t("Kept?"),
    }
