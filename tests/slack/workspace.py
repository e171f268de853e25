"""A Slack workspace driving maalbot's real aiohttp app: signed requests to POST /slack/events exactly as
Slack sends them, and what the bot said read back from the fake Web API.

    alice = workspace.person("U1", "soeren.oestergaard@demo.maalbot.dk")
    await alice.say("start")
    alice.expect("Hvilke lokale mål")
    await alice.press("Færdig")
"""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from aiohttp.test_utils import TestClient
from slack_sdk.signature import SignatureVerifier

from bot.slack.app import SLACK_KEY
from dialogs.cleaning import fold
from tests.fakes.slack_api import BOT_USER_ID, TEAM_ID, FakeSlackApi

SIGNING_SECRET = "test-signing-secret"
_ids = itertools.count(1)


def block_text(blocks: list[dict[str, Any]]) -> list[str]:
    """Every piece of text a person sees in blocks: headers, sections, fields, contexts and buttons."""
    out: list[str] = []
    for block in blocks:
        if "text" in block and isinstance(block["text"], dict):
            out.append(block["text"]["text"])
        for f in block.get("fields", []):
            out.append(f["text"])
        for element in block.get("elements", []):
            if isinstance(element.get("text"), dict):
                out.append(element["text"]["text"])
            elif isinstance(element.get("text"), str):
                out.append(element["text"])
    return out


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


@dataclass
class Workspace:
    client: TestClient[Any, Any]
    fake: FakeSlackApi
    secret: str = SIGNING_SECRET
    last_answer: str = ""  # the body of the last HTTP answer

    async def settle(self) -> None:
        """Wait for the work the app does after acknowledging (see bot.slack.background)."""
        await self.client.app[SLACK_KEY].drain()

    # -- raw requests ---------------------------------------------------------------------------------
    def signed_headers(self, body: str, *, timestamp: int | None = None, secret: str | None = None) -> dict[str, str]:
        ts = str(timestamp if timestamp is not None else int(time.time()))
        signature = SignatureVerifier(secret or self.secret).generate_signature(timestamp=ts, body=body)
        assert signature is not None
        return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature}

    async def post(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        secret: str | None = None,
        headers: dict[str, str] | None = None,
        settle: bool = True,
    ) -> int:
        all_headers = {"Content-Type": content_type, **self.signed_headers(body, timestamp=timestamp, secret=secret)}
        all_headers.update(headers or {})
        response = await self.client.post("/slack/events", data=body.encode(), headers=all_headers)
        self.last_answer = await response.text()  # the HTTP answer itself (a slash command's ack text)
        if settle:
            await self.settle()
        return response.status

    async def event(
        self, event: dict[str, Any], *, event_id: str | None = None, retry: int | None = None, **kw: Any
    ) -> int:
        body = json.dumps(
            {
                "token": "unused",
                "team_id": TEAM_ID,
                "api_app_id": "A0MAALBOT",
                "type": "event_callback",
                "event_id": event_id or f"Ev{next(_ids):08d}",
                "event_time": int(time.time()),
                "event": event,
                "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
            }
        )
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else None
        return await self.post(body, "application/json", headers=headers, **kw)

    async def interaction(self, payload: dict[str, Any], **kw: Any) -> int:
        body = urlencode({"payload": json.dumps(payload)})
        return await self.post(body, "application/x-www-form-urlencoded", **kw)

    async def slash(self, user: str, text: str, *, channel: str = "C0GENERAL") -> tuple[int, str]:
        key = f"cmd{next(_ids)}"
        body = urlencode(
            {
                "token": "unused",
                "team_id": TEAM_ID,
                "channel_id": channel,
                "user_id": user,
                "command": "/maal",
                "text": text,
                "response_url": self.fake.response_url(key),
                "trigger_id": f"trigger{next(_ids)}",
                "api_app_id": "A0MAALBOT",
            }
        )
        status = await self.post(body, "application/x-www-form-urlencoded")
        return status, key

    def responses(self, key: str) -> list[dict[str, Any]]:
        return [c.params for c in self.fake.calls_to("response_url") if c.params["key"] == key]

    # -- people -----------------------------------------------------------------------------------------
    def person(self, user_id: str, email: str | None, name: str = "") -> SlackPerson:
        self.fake.add_user(user_id, email, name)
        return SlackPerson(self, user_id)


@dataclass
class SlackPerson:
    """One Slack user in a DM with the bot; `messages` holds what the bot posted after the last action."""

    ws: Workspace
    user_id: str
    messages: list[dict[str, Any]] = field(default_factory=list)

    @property
    def dm(self) -> str:
        return "D" + self.user_id

    async def _collect(self, before: int) -> list[dict[str, Any]]:
        posted = self.ws.fake.posted(self.dm)
        self.messages = posted[before:]
        return self.messages

    async def say(self, text: str, **kw: Any) -> list[dict[str, Any]]:
        before = len(self.ws.fake.posted(self.dm))
        status = await self.ws.event(
            {
                "type": "message",
                "channel_type": "im",
                "channel": self.dm,
                "user": self.user_id,
                "text": text,
                "ts": f"{time.time():.6f}",
                "event_ts": f"{time.time():.6f}",
            },
            **kw,
        )
        assert status == 200
        return await self._collect(before)

    def button(self, label_or_value: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """(the button, its message) among the latest messages, by label or value."""
        for message in reversed(self.messages):
            for block in message.get("blocks", []):
                for element in block.get("elements", []) if block["type"] == "actions" else []:
                    if element["value"] == label_or_value or fold(element["text"]["text"]) == fold(label_or_value):
                        return element, message
        raise AssertionError(f"no button {label_or_value!r}; the bot said:\n{self.text}")

    async def press(self, label_or_value: str) -> list[dict[str, Any]]:
        element, message = self.button(label_or_value)
        before = len(self.ws.fake.posted(self.dm))
        payload = {
            "type": "block_actions",
            "team": {"id": TEAM_ID},
            "user": {"id": self.user_id},
            "api_app_id": "A0MAALBOT",
            "trigger_id": f"trigger{next(_ids)}",
            "container": {"type": "message", "message_ts": message.get("ts", "1.0"), "channel_id": self.dm},
            "channel": {"id": self.dm},
            "message": {"ts": message.get("ts", "1.0"), "text": message["text"], "blocks": message["blocks"]},
            "response_url": self.ws.fake.response_url("unused"),
            "actions": [
                {
                    "type": "button",
                    "action_id": element["action_id"],
                    "block_id": "b",
                    "value": element["value"],
                    "text": element["text"],
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        assert await self.ws.interaction(payload) == 200
        return await self._collect(before)

    @property
    def text(self) -> str:
        """What the person can read in the latest messages (entities unescaped)."""
        return unescape("\n".join(line for m in self.messages for line in block_text(m.get("blocks", []))))

    def expect(self, *substrings: str) -> SlackPerson:
        for s in substrings:
            assert s in self.text, f"expected {s!r} in:\n{self.text}"
        return self
