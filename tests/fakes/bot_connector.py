"""A fake Bot Connector (the Bot Framework REST API Teams' bots talk to), on a local aiohttp port.

Point an activity's `serviceUrl` at `connector.url` and every reply, proactive message and member
look-up lands here; tests assert on `connector.calls`. Failures are injected per path:
`fail_next("/activities", 429, retry_after=0)` answers the next matching call with 429 once;
`block(conversation_id, 403)` answers every call for that conversation with 403 until unblocked.
Used by the Teams scenario tests and by the benchmarks."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass(frozen=True, slots=True)
class Call:
    method: str
    path: str
    body: Any
    authorization: str | None


@dataclass
class _Failure:
    path_contains: str
    status: int
    times: int
    retry_after: float | None


@dataclass
class FakeBotConnector:
    members: dict[str, dict[str, Any]] = field(default_factory=dict)  # user id -> member JSON
    teams: dict[str, list[str]] = field(default_factory=dict)  # team id -> user ids (the roster, in order)
    calls: list[Call] = field(default_factory=list)
    _failures: list[_Failure] = field(default_factory=list)
    _blocked: dict[str, int] = field(default_factory=dict)
    _hangs: list[tuple[str, float]] = field(default_factory=list)
    _stopping: asyncio.Event = field(default_factory=asyncio.Event)  # ends hung calls on stop
    _runner: web.AppRunner | None = None
    _port: int = 0
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}/"

    async def start(self) -> FakeBotConnector:
        app = web.Application(client_max_size=4 * 1024 * 1024)
        app.router.add_post("/v3/conversations", self._create_conversation)
        app.router.add_post("/v3/conversations/{conversation_id}/activities", self._send)
        app.router.add_post("/v3/conversations/{conversation_id}/activities/{activity_id}", self._send)
        app.router.add_put("/v3/conversations/{conversation_id}/activities/{activity_id}", self._send)
        app.router.add_get("/v3/conversations/{conversation_id}/members/{member_id}", self._member)
        for paged in ("pagedMembers", "pagedmembers"):  # the Teams client and the generic client spell it so
            app.router.add_get(f"/v3/conversations/{{conversation_id}}/{paged}", self._paged_members)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])
        return self

    async def stop(self) -> None:
        self._stopping.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -- configuring ---------------------------------------------------------------------------------
    def add_member(self, user_id: str, name: str, email: str, *, upn: str | None = None) -> None:
        self.members[user_id] = {
            "id": user_id,
            "name": name,
            "email": email,
            "userPrincipalName": upn or email,
            "aadObjectId": f"aad-{user_id}",
        }

    def add_to_team(self, team_id: str, user_id: str, name: str | None = None, email: str | None = None) -> None:
        """Put a member into a team's roster (a new member record when `email` is given)."""
        if email is not None:
            self.add_member(user_id, name or user_id, email)
        roster = self.teams.setdefault(team_id, [])
        if user_id not in roster:
            roster.append(user_id)

    def remove_from_team(self, team_id: str, user_id: str) -> None:
        if user_id in self.teams.get(team_id, []):
            self.teams[team_id].remove(user_id)

    def roster_calls(self, team_id: str) -> list[Call]:
        return [
            c for c in self.calls if c.method == "GET" and c.path.lower() == f"/v3/conversations/{team_id}/pagedmembers"
        ]

    def fail_next(self, path_contains: str, status: int, *, times: int = 1, retry_after: float | None = None) -> None:
        self._failures.append(_Failure(path_contains, status, times, retry_after))

    def hang_next(self, path_contains: str, seconds: float) -> None:
        """The next matching call gets no answer for `seconds` (then a 504)."""
        self._hangs.append((path_contains, seconds))

    def block(self, conversation_id: str, status: int = 403) -> None:
        self._blocked[conversation_id] = status

    def unblock(self, conversation_id: str) -> None:
        self._blocked.pop(conversation_id, None)

    def reset(self) -> None:
        self.calls.clear()

    # -- reading what arrived --------------------------------------------------------------------------
    def posted(self) -> list[Call]:
        """Activities the bot sent successfully or not (replies and new messages), in order."""
        return [c for c in self.calls if c.method == "POST" and "/activities" in c.path]

    def created(self) -> list[Call]:
        return [c for c in self.calls if c.method == "POST" and c.path == "/v3/conversations"]

    def cards(self) -> list[dict[str, Any]]:
        """Adaptive Card contents of every posted activity (and of created conversations' first activity)."""
        out: list[dict[str, Any]] = []
        for call in self.calls:
            if call.method != "POST" or not isinstance(call.body, dict):
                continue
            activity = call.body.get("activity") if call.path == "/v3/conversations" else call.body
            for attachment in (activity or {}).get("attachments") or []:
                out.append(attachment.get("content") or {})
        return out

    def texts(self) -> list[str]:
        """Every TextBlock and fact in every card, in order (what a person could read)."""
        out: list[str] = []

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                if node.get("type") == "TextBlock":
                    out.append(str(node.get("text", "")))
                elif node.get("type") == "FactSet":
                    for fact in node.get("facts", []):
                        out.append(f"{fact.get('title')}: {fact.get('value')}")
                for value in node.values():
                    if isinstance(value, (dict, list)):
                        walk(value)
            elif isinstance(node, list):
                for item in node:
                    walk(item)

        for card in self.cards():
            walk(card.get("body", []))
        return out

    # -- the API -------------------------------------------------------------------------------------
    async def _record(self, request: web.Request) -> web.Response | None:
        body: Any = await request.json() if request.can_read_body else None
        self.calls.append(Call(request.method, request.path, body, request.headers.get("Authorization")))
        for n, (path_contains, seconds) in enumerate(self._hangs):
            if path_contains in request.path:
                del self._hangs[n]
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), seconds)
                return web.json_response({"error": {"code": "GatewayTimeout"}}, status=504)
        conversation_id = request.match_info.get("conversation_id")
        if conversation_id is not None and conversation_id in self._blocked:
            status = self._blocked[conversation_id]
            return web.json_response({"error": {"code": "Blocked", "message": "blocked"}}, status=status)
        for failure in self._failures:
            if failure.times > 0 and failure.path_contains in request.path:
                failure.times -= 1
                headers = {"Retry-After": f"{failure.retry_after:g}"} if failure.retry_after is not None else {}
                return web.json_response({"error": {"code": "Injected"}}, status=failure.status, headers=headers)
        return None

    async def _create_conversation(self, request: web.Request) -> web.Response:
        failed = await self._record(request)
        if failed is not None:
            return failed
        body = self.calls[-1].body or {}
        n = next(self._ids)
        channel = ((body.get("channelData") or {}).get("channel") or {}).get("id")
        conversation_id = f"{channel};messageid={n}" if channel else f"a:fake-conversation-{n}"
        return web.json_response({"id": conversation_id, "activityId": str(n), "serviceUrl": self.url}, status=201)

    async def _send(self, request: web.Request) -> web.Response:
        failed = await self._record(request)
        if failed is not None:
            return failed
        return web.json_response({"id": f"activity-{next(self._ids)}"}, status=201)

    async def _member(self, request: web.Request) -> web.Response:
        failed = await self._record(request)
        if failed is not None:
            return failed
        roster = self.teams.get(request.match_info["conversation_id"])
        if roster is not None and request.match_info["member_id"] not in roster:
            return web.json_response({"error": {"code": "MemberNotFoundInConversation"}}, status=404)
        member = self.members.get(request.match_info["member_id"])
        if member is None:
            return web.json_response({"error": {"code": "MemberNotFoundInConversation"}}, status=404)
        return web.json_response(member)

    async def _paged_members(self, request: web.Request) -> web.Response:
        """One page of a team's roster: `pageSize` members after the `continuationToken` (an offset here;
        opaque to the bot), and the token of the next page while there is one."""
        failed = await self._record(request)
        if failed is not None:
            return failed
        roster = self.teams.get(request.match_info["conversation_id"])
        if roster is None:
            return web.json_response({"error": {"code": "BotNotInConversationRoster"}}, status=403)
        size = int(request.query.get("pageSize") or 200)
        token = request.query.get("continuationToken") or ""
        start = int(token.removeprefix("page-after-")) if token else 0
        page = roster[start : start + size]
        body: dict[str, Any] = {"members": [self.members[user_id] for user_id in page]}
        if start + size < len(roster):
            body["continuationToken"] = f"page-after-{start + size}"
        return web.json_response(body)
