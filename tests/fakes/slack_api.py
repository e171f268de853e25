"""A fake Slack Web API on a local aiohttp port.

Point `AsyncWebClient(base_url=fake.api_url)` (or SLACK_API_URL) at it. Every call is recorded with
its parameters (query, form and JSON bodies merged; `blocks` and `view` decoded). It answers
auth.test, users.info, users.lookupByEmail, chat.postMessage, chat.update, views.open, views.publish and
conversations.open like Slack does, plus response_url posts at `fake.response_url(key)`.
`fail_once` makes the next call of a method answer 429 with Retry-After (or a 5xx) once; `hang_once`
makes it answer nothing for a while.

Socket Mode: apps.connections.open answers `fake.socket_url`, a WebSocket at /link that greets with
{"type": "hello"} like Slack (`fake.connections_open`, when set, is answered instead: e.g.
{"ok": False, "error": "invalid_auth"}); `await fake.push(envelope)` sends an envelope to the connected client,
and everything the client sends back (the acknowledgements) is kept in `socket_messages`."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

BOT_USER_ID = "UBOT"
TEAM_ID = "T0DEMO"

Handler = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Call:
    method: str
    params: dict[str, Any]
    token: str | None = None


@dataclass
class FakeSlackApi:
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    attempts: list[str] = field(default_factory=list)  # every request, also the ones answered with errors
    _failures: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    _hangs: dict[str, list[float]] = field(default_factory=dict)
    _stopping: asyncio.Event = field(default_factory=asyncio.Event)  # ends hung calls on stop
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    socket_messages: list[dict[str, Any]] = field(default_factory=list)  # sent by Socket Mode clients
    socket_connections: int = 0  # WebSockets accepted at /link so far
    _sockets: list[web.WebSocketResponse] = field(default_factory=list)  # the open ones, oldest first
    connections_open: dict[str, Any] | None = None  # apps.connections.open's answer instead of socket_url
    _runner: web.AppRunner | None = None
    base_url: str = ""

    # -- life cycle -------------------------------------------------------------------------------
    async def start(self) -> FakeSlackApi:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{key}", self._response_url)
        app.router.add_get("/link", self._link)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        self._stopping.set()
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeSlackApi:
        return await self.start()

    async def __aexit__(self, *_exc: object) -> None:
        await self.stop()

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    def response_url(self, key: str) -> str:
        return f"{self.base_url}/response/{key}"

    @property
    def socket_url(self) -> str:
        return "ws" + self.base_url.removeprefix("http") + "/link"

    # -- arranging ------------------------------------------------------------------------------------
    def add_user(self, user_id: str, email: str | None, name: str = "", *, is_bot: bool = False) -> None:
        profile = {"email": email, "real_name": name} if email else {"real_name": name}
        self.users[user_id] = {"id": user_id, "name": name, "is_bot": is_bot, "deleted": False, "profile": profile}

    def fail_once(self, method: str, status: int = 429, retry_after: int = 0) -> None:
        """The next call of `method` gets `status` (429 with Retry-After: `retry_after`)."""
        self._failures.setdefault(method, []).append((status, retry_after))

    def hang_once(self, method: str, seconds: float) -> None:
        """The next call of `method` gets no answer for `seconds` (a hung platform; the caller's timeout
        should end it first), and is then not counted as handled."""
        self._hangs.setdefault(method, []).append(seconds)

    # -- reading --------------------------------------------------------------------------------------
    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def posted(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Parameters of every chat.postMessage (to `channel`), oldest first."""
        return [
            c.params for c in self.calls_to("chat.postMessage") if channel is None or c.params["channel"] == channel
        ]

    @property
    def open_sockets(self) -> int:
        return sum(1 for ws in self._sockets if not ws.closed)

    def socket_replies(self, envelope_id: str) -> list[dict[str, Any]]:
        """What the Socket Mode client sent back for one envelope (its acknowledgements)."""
        return [m for m in self.socket_messages if m.get("envelope_id") == envelope_id]

    async def push(self, envelope: dict[str, Any], *, timeout: float = 5.0) -> None:
        """Send an envelope to the newest open Socket Mode connection (waiting up to `timeout` for one)."""

        async def newest() -> web.WebSocketResponse:
            while True:
                open_ = [ws for ws in self._sockets if ws.prepared and not ws.closed]
                if open_:
                    return open_[-1]
                await asyncio.sleep(0.01)

        ws = await asyncio.wait_for(newest(), timeout)
        await ws.send_json(envelope)

    def clear(self) -> None:
        self.calls.clear()
        self.attempts.clear()

    # -- serving ----------------------------------------------------------------------------------------
    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                params.update(await request.json())
            else:
                params.update(dict(await request.post()))
        for key in ("blocks", "view"):
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        return params

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        self.attempts.append(method)
        hangs = self._hangs.get(method)
        if hangs:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), hangs.pop(0))
            return web.json_response({"ok": False, "error": "fatal_error"}, status=504)
        failures = self._failures.get(method)
        if failures:
            status, retry_after = failures.pop(0)
            headers = {"Retry-After": str(retry_after)} if status == 429 else {}
            return web.json_response({"ok": False, "error": "ratelimited"}, status=status, headers=headers)
        params = await self._params(request)
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") or params.get("token")
        self.calls.append(Call(method, params, token))
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        body = handler(params) if handler else {"ok": False, "error": "unknown_method"}
        return web.json_response(body)

    async def _response_url(self, request: web.Request) -> web.Response:
        params = await request.json()
        self.calls.append(Call("response_url", {"key": request.match_info["key"], **params}))
        return web.Response(text="ok")

    async def _link(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        self._sockets.append(ws)  # before the handshake: counted once the client is connected
        self.socket_connections += 1
        try:
            await ws.prepare(request)
            await ws.send_json({"type": "hello", "num_connections": len(self._sockets), "debug_info": {}})
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    self.socket_messages.append(json.loads(message.data))
        finally:
            self._sockets.remove(ws)
        return ws

    def _next_ts(self) -> str:
        return f"{1_760_000_000 + next(self._ts)}.000100"

    def _auth_test(self, _params: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://demo.slack.com/",
            "team": "Demo Kommune",
            "user": "maalbot",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": "BBOT",
        }

    def _users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(str(params.get("user")))
        return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}

    def _users_lookupByEmail(self, params: dict[str, Any]) -> dict[str, Any]:
        wanted = str(params.get("email") or "").casefold()
        for user in self.users.values():
            if wanted and str(user["profile"].get("email") or "").casefold() == wanted:
                return {"ok": True, "user": user}
        return {"ok": False, "error": "users_not_found"}

    def _chat_postMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        ts = self._next_ts()
        message = {"type": "message", "text": params.get("text", ""), "blocks": params.get("blocks", []), "ts": ts}
        return {"ok": True, "channel": params["channel"], "ts": ts, "message": message}

    def _chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "channel": params["channel"], "ts": params["ts"], "text": params.get("text", "")}

    def _apps_connections_open(self, _params: dict[str, Any]) -> dict[str, Any]:
        if self.connections_open is not None:
            return self.connections_open
        return {"ok": True, "url": self.socket_url}

    def _conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "channel": {"id": "D" + str(params["users"]).split(",")[0]}}

    def _views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "view": {"id": "VHOME", **params["view"]}}

    def _views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "view": {"id": "VMODAL", **params["view"]}}
