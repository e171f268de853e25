"""The door of POST /slack/events: a request is signed by Slack and well-formed before bolt sees it.

bolt parses the body before it checks the signature, so a stranger's non-JSON body, JSON array or
`X-Slack-Request-Timestamp: abc` became a 500 with a traceback, and a bad signature had its whole body
logged. Here the signature is checked first (slack_sdk's SignatureVerifier, over the raw bytes), then
the body must be UTF-8 and parse the way bolt parses it, into an object. A stranger gets 401, a signed
but malformed body 400; one short log line each, without the body."""

from __future__ import annotations

import json
import logging
import re
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

log = logging.getLogger("maalbot.slack")
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


def _parsed(body: str, content_type: str) -> Any:
    """The body as bolt's `parse_body` reads it (JSON, form fields, or a form's `payload` JSON)."""
    if not body:
        return {}
    if content_type == "application/json" or body.startswith("{"):
        return json.loads(body)
    fields = dict(parse_qsl(body, keep_blank_values=True))
    if "payload" in body and "payload" in fields:
        return json.loads(fields["payload"])
    return fields


class SlackGuard:
    def __init__(self, signing_secret: str) -> None:
        self.verifier = SignatureVerifier(signing_secret)

    async def bolt_request(self, request: web.Request) -> AsyncBoltRequest:
        """The request for bolt, or an HTTP 400/401 raised (aiohttp answers it without a traceback)."""
        raw = await request.read()
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature", "")
        try:
            body = raw.decode("utf-8")  # Slack signs UTF-8 text; other bytes cannot carry its signature
        except UnicodeDecodeError:
            body = None
        if not (
            body is not None
            and _TIMESTAMP.fullmatch(timestamp)
            and _SIGNATURE.fullmatch(signature)
            and self.verifier.is_valid(body, timestamp, signature)
        ):
            log.warning("Slack request refused: missing, stale or wrong signature (%d bytes)", len(raw))
            raise web.HTTPUnauthorized(text="invalid signature")
        try:
            parsed = _parsed(body, request.content_type)
        except (ValueError, RecursionError):
            parsed = None
        if not isinstance(parsed, dict):
            log.warning("Slack request refused: signed, but the body is not a Slack payload (%d bytes)", len(raw))
            raise web.HTTPBadRequest(text="malformed body")
        return AsyncBoltRequest(body=body, query=request.query_string, headers=dict(request.headers))
