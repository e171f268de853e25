"""`/chat`: the web chat's pages. Plain forms and POST-redirect-GET; works without JavaScript.

    GET  /chat                 signed in: the conversation; else the email form (`?lang=en`: English)
    POST /chat/link            email → a one-time sign-in link by email (same answer, known or not)
    GET  /chat/signin?token=   «Sign in» button (a mail scanner that opens links does not use them up)
    POST /chat/signin          the link is used: session cookie, then the conversation
    POST /chat/say             a typed answer or a button: into the inbox, one turn, replies shown
    POST /chat/logout

Every form carries a CSRF token (the session's; before sign-in one bound to an anonymous cookie)."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.outbound import Pipeline
from bot.webchat import PLATFORM
from bot.webchat.limits import LinkRequestLimits, client_address
from bot.webchat.page import Labels, render_page
from bot.webchat.signin import SignedIn, SignIns, same
from dialogs.messages import Inbound, Reply
from dialogs.texts import texts
from dialogs.turns import TURN, Job
from storage import outbox, people, web_sessions
from storage.db import Database

log = logging.getLogger("maalbot.webchat")

SESSION_COOKIE = "maalbot_chat"
ANON_COOKIE = "maalbot_anon"
MAX_TEXT = 4000
SCRIPT = Path(__file__).with_name("chat.js")


class ChatRoutes:
    def __init__(
        self,
        db: Database,
        pipeline: Pipeline,
        sign_ins: SignIns,
        *,
        default_locale: str = "da",
        secure: bool = False,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.db = db
        self.pipeline = pipeline
        self.sign_ins = sign_ins
        self.default_locale = default_locale
        self.secure = secure
        self.clock = clock
        self.limits = LinkRequestLimits()
        self._tasks: set[asyncio.Task[None]] = set()

    def mount(self, app: web.Application) -> None:
        app.router.add_get("/chat", self.chat)
        app.router.add_post("/chat/link", self.request_link)
        app.router.add_get("/chat/signin", self.signin_page)
        app.router.add_post("/chat/signin", self.signin)
        app.router.add_post("/chat/say", self.say)
        app.router.add_post("/chat/logout", self.logout)
        app.router.add_get("/chat/updates", self.updates)
        app.router.add_get("/chat/chat.js", self.script)
        app.on_cleanup.insert(0, self._finish)  # before the database is closed

    async def _finish(self, _app: web.Application) -> None:
        await self.links_sent()

    async def links_sent(self, timeout: float = 10) -> None:
        """Wait until the sign-in emails being queued have been sent or have failed (they are short: one
        transaction and a send); at shutdown, and for a test to know that no more will come."""
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=timeout)

    # -- helpers ----------------------------------------------------------------------------------

    def _lang(self, request: web.Request) -> str:
        lang = request.query.get("lang") or request.cookies.get("maalbot_lang")
        return lang if lang in ("da", "en") else self.default_locale

    def _cookie(self, response: web.StreamResponse, name: str, value: str, max_age: int | None = None) -> None:
        response.set_cookie(
            name, value, max_age=max_age, path="/chat", httponly=True, secure=self.secure, samesite="Lax"
        )

    def _anonymous_page(self, request: web.Request, template: str, lang: str, **context: Any) -> web.Response:
        """A page shown before sign-in, its forms' CSRF token bound to the browser's anonymous cookie."""
        anon = request.cookies.get(ANON_COOKIE)
        new = not anon or len(anon) > 100
        if new:
            anon = secrets.token_urlsafe(24)
        page = self._page(template, lang, csrf=self.sign_ins.anonymous_csrf(str(anon)), **context)
        if new:
            self._cookie(page, ANON_COOKIE, str(anon))
        if request.query.get("lang") in ("da", "en"):
            self._cookie(page, "maalbot_lang", lang)
        return page

    def _anon_ok(self, request: web.Request, form: Any) -> bool:
        anon = request.cookies.get(ANON_COOKIE)
        return bool(anon) and same(form.get("csrf"), self.sign_ins.anonymous_csrf(str(anon)))

    async def _session(self, request: web.Request) -> SignedIn | None:
        return await self.sign_ins.session(request.cookies.get(SESSION_COOKIE), self.clock())

    def _page(self, template: str, lang: str, status: int = 200, **context: Any) -> web.Response:
        html = render_page(template, Labels(texts(lang)), lang=lang, **context)
        response = web.Response(text=html, content_type="text/html", status=status)
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; script-src 'self'; connect-src 'self'; "
            "form-action 'self'; "
            "frame-ancestors 'none'; base-uri 'none'"
        )
        return response

    def _refused(self, lang: str) -> web.Response:
        t = texts(lang)
        return self._page("chat_message.html", lang, 403, heading=t("That did not work"),
                          message=t("The form had expired. Open the chat page again and try once more."))  # fmt: skip

    # -- pages ------------------------------------------------------------------------------------

    async def chat(self, request: web.Request) -> web.Response:
        signed = await self._session(request)
        if signed is None:
            sent = request.query.get("sent") == "1"
            return self._anonymous_page(request, "chat_login.html", self._lang(request), sent=sent)
        lang = signed.person.locale or self.default_locale
        async with self.db.transaction() as s:
            shown = await web_sessions.messages(s, signed.person.id)
        entries, choices = conversation(shown)
        return self._page(
            "chat.html", lang, csrf=signed.csrf, name=signed.person.name, entries=entries, choices=choices,
            form_id=secrets.token_urlsafe(12), last=shown[-1].id if shown else 0,
        )  # fmt: skip

    async def request_link(self, request: web.Request) -> web.Response:
        form = await request.post()
        lang = self._lang(request)
        if not self._anon_ok(request, form):
            return self._refused(lang)
        email = str(form.get("email") or "").strip()[:320]
        if "@" in email and self.limits.allow(
            people.email_key(email), client_address(request.remote, request.headers.get("X-Forwarded-For"))
        ):
            self._background(self._send_link(email, lang))
        raise web.HTTPSeeOther(f"/chat?sent=1&lang={lang}")

    async def _send_link(self, email: str, lang: str) -> None:
        """Queue the sign-in email in the outbox, then send it. Nothing happens for an unknown email,
        and the page has already answered, so the answer and its timing say nothing either way."""
        try:
            now = self.clock()
            async with self.db.transaction() as s:
                person = await people.person_by_email(s, email)
                if person is None:
                    return
                t = texts(person.locale or lang)
                reply = Reply(t("Here is your link to Målbot's chat. It works once and for a short while."),
                              title=t("Your link to the chat"))  # fmt: skip
                recipient = outbox.conversation_key("email", str(person.id))
                payload = {"to": {"platform": "email", "person_id": person.id},
                           "replies": [_reply_json(reply)], "locale": person.locale or lang}  # fmt: skip
                outbox.add_reply(s, recipient, f"signin:{secrets.token_urlsafe(12)}", payload, now)
            await self.pipeline.deliverer.flush(recipient)
        except Exception:
            log.exception("a sign-in email could not be queued")

    def _background(self, work: Any) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def signin_page(self, request: web.Request) -> web.Response:
        token = request.query.get("token", "")[:4096]
        return self._anonymous_page(request, "chat_signin.html", self._lang(request), token=token)

    async def signin(self, request: web.Request) -> web.Response:
        form = await request.post()
        lang = self._lang(request)
        if not self._anon_ok(request, form):
            return self._refused(lang)
        signed = await self.sign_ins.redeem(str(form.get("token") or ""), self.clock())
        if signed is None:
            t = texts(lang)
            return self._page("chat_message.html", lang, 403, heading=t("The link does not work"),
                              message=t("It has expired or has been used. Ask for a new link on the chat page."),
                              again=True)  # fmt: skip
        person = signed.person
        async with self.db.transaction() as s:
            found = await s.get(type(person), person.id)
            if found is not None:
                await people.link_identity(s, found, PLATFORM, str(person.id))
                if found.locale is None and lang != self.default_locale:  # chosen on the sign-in page
                    found.locale = lang
                await web_sessions.set_preferred(s, person.id, PLATFORM, self.clock())
            first = await web_sessions.last_message_id(s, person.id) == 0
        if first:  # the conversation starts as in a DM: with the bot's greeting
            await self._turn(person.id, Inbound(PLATFORM, str(person.id), text="start"), secrets.token_urlsafe(12))
        response = web.HTTPSeeOther("/chat#latest")
        days = self.sign_ins.settings.session_days
        self._cookie(response, SESSION_COOKIE, signed.token, max_age=int(days * 86400))
        raise response

    async def say(self, request: web.Request) -> web.Response:
        form = await request.post()
        signed = await self._session(request)
        if signed is None:
            return self._refused(self._lang(request))
        if not same(str(form.get("csrf") or ""), signed.csrf):
            return self._refused(signed.person.locale or self.default_locale)
        person_id = signed.person.id
        choice = str(form.get("choice") or "")[:200] or None
        text = None if choice else str(form.get("text") or "").strip()[:MAX_TEXT]
        if choice or text:
            shown = text if text else await self._label(person_id, str(choice))
            inbound = Inbound(PLATFORM, str(person_id), text=text, choice=choice)
            await self._turn(person_id, inbound, str(form.get("form_id") or secrets.token_urlsafe(12))[:40], shown)
        raise web.HTTPSeeOther("/chat#latest")

    async def _label(self, person_id: int, choice: str) -> str:
        """What a pressed button said, to show it as the person's answer."""
        async with self.db.transaction() as s:
            _entries, choices = conversation(await web_sessions.messages(s, person_id))
        return next((label for id_, label in choices if id_ == choice), choice)

    async def _turn(self, person_id: int, inbound: Inbound, form_id: str, shown: str | None = None) -> None:
        job = Job(TURN, inbound, str(person_id), {"person_id": person_id})
        recorded = await self.pipeline.accept(f"{person_id}:{form_id}", job)
        if recorded.done:
            return  # the same form sent twice (a reload): answered already
        if shown is not None:
            async with self.db.transaction() as s:
                web_sessions.add_message(s, person_id, "in", {"text": shown}, self.clock())
                await web_sessions.set_preferred(s, person_id, PLATFORM, self.clock())
        await self.pipeline.process(PLATFORM, str(person_id), job=job, item_id=recorded.id)

    async def updates(self, request: web.Request) -> web.Response:
        """The newest message's id, for the page's script to know when to reload (a session only)."""
        signed = await self._session(request)
        if signed is None:
            return web.json_response({"error": "not signed in"}, status=401)
        async with self.db.transaction() as s:
            last = await web_sessions.last_message_id(s, signed.person.id)
        return web.json_response({"last": last}, headers={"Cache-Control": "no-store"})

    async def script(self, request: web.Request) -> web.Response:
        return web.Response(
            text=SCRIPT.read_text(encoding="utf-8"),
            content_type="text/javascript",
            headers={"Cache-Control": "public, max-age=3600"},
        )

    async def logout(self, request: web.Request) -> web.Response:
        form = await request.post()
        signed = await self._session(request)
        if signed is not None:
            if not same(str(form.get("csrf") or ""), signed.csrf):
                return self._refused(signed.person.locale or self.default_locale)
            await self.sign_ins.end(signed.token)
        response = web.HTTPSeeOther("/chat")
        response.del_cookie(SESSION_COOKIE, path="/chat")
        raise response


def _reply_json(reply: Reply) -> dict[str, Any]:
    from dialogs.reminders.render import reply_to_json

    return reply_to_json(reply)


def conversation(shown: list[Any]) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """The page's entries (oldest first) and the buttons of the bot's last message (if it is the last
    thing said: an older question's buttons are not offered again)."""
    from dialogs.reminders.render import reply_from_json

    entries: list[dict[str, Any]] = []
    choices: list[tuple[str, str]] = []
    for message in shown:
        if message.direction == "in":
            entries.append({"mine": True, "text": str(message.body.get("text") or "")})
            choices = []
            continue
        reply = reply_from_json(dict(message.body.get("reply") or {}))
        entries.append({"mine": False, "title": reply.title, "text": reply.text, "facts": list(reply.facts),
                        "options": [c.label for c in reply.choices]})  # fmt: skip
        choices = [(c.id, c.label) for c in reply.choices] if reply.choices else choices
    return entries, choices
