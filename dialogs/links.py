"""Signed, expiring links to the bot's own pages (status page, exports). Platform-neutral.

A link carries one query parameter, `token` = `<payload>.<signature>` (both base64url): the payload
is the expiry (Unix seconds) and the scope (small string key/values, e.g. {"person": "12"}); the
signature is HMAC-SHA256 with the bot's secret over the path, the expiry and the scope. So a token is
good for the one path it was made for, until it expires, for the scope it names; any change to the
path, expiry or scope breaks the signature. Signatures are compared in constant time."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

MIN_SECRET_BYTES = 16
MAX_TOKEN_CHARS = 4096  # a real token is a few hundred characters; a longer one is not read at all


class LinkError(Exception):
    """A link that does not hold: `reason` is "missing", "malformed", "tampered" or "expired"."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"link {reason}")
        self.reason = reason


@dataclass(frozen=True, slots=True)
class LinkClaims:
    scope: dict[str, str]
    expires_at: datetime


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _message(path: str, expires: int, scope: Mapping[str, str]) -> bytes:
    canonical = json.dumps(sorted(scope.items()), ensure_ascii=False, separators=(",", ":"))
    return f"{path}\n{expires}\n{canonical}".encode()


def _signature(secret: bytes, path: str, expires: int, scope: Mapping[str, str]) -> bytes:
    if len(secret) < MIN_SECRET_BYTES:
        raise ValueError(f"the link secret must be at least {MIN_SECRET_BYTES} bytes")
    return hmac.new(secret, _message(path, expires, scope), hashlib.sha256).digest()


def make_token(path: str, scope: Mapping[str, str], secret: bytes, expires_at: datetime) -> str:
    """A token for `path` with `scope`, valid until `expires_at`."""
    expires = int(expires_at.timestamp())
    payload = json.dumps({"exp": expires, "scope": dict(scope)}, ensure_ascii=False, separators=(",", ":"))
    return f"{_b64(payload.encode())}.{_b64(_signature(secret, path, expires, scope))}"


def make_link(
    base_url: str,
    path: str,
    params: Mapping[str, str],
    secret: bytes,
    now: datetime,
    ttl: timedelta,
    query: Mapping[str, str] | None = None,
) -> str:
    """`base_url` + `path` + `?token=...`, signed for `params` (the scope) until `now + ttl`.
    `query` adds unsigned parameters (e.g. a filter; the scope still limits what they can show)."""
    token = make_token(path, params, secret, now + ttl)
    return f"{base_url.rstrip('/')}{path}?{urlencode({**(query or {}), 'token': token})}"


def verify(path: str, token: str | None, secret: bytes, now: datetime) -> LinkClaims:
    """The claims of a token presented for `path`, or LinkError. The signature is checked before
    the expiry, so an expired link is only called expired when it is genuine."""
    if not token:
        raise LinkError("missing")
    if len(token) > MAX_TOKEN_CHARS:
        raise LinkError("malformed")
    try:
        payload_part, signature_part = token.split(".")
        payload = json.loads(_unb64(payload_part))
        signature = _unb64(signature_part)
        expires = payload["exp"]
        scope = payload["scope"]
    except (ValueError, KeyError, TypeError, RecursionError):  # RecursionError: "[[[[…" nested deep
        raise LinkError("malformed") from None
    if (
        not isinstance(expires, int)
        or not isinstance(scope, dict)
        or not all(isinstance(k, str) and isinstance(v, str) for k, v in scope.items())
    ):
        raise LinkError("malformed")
    if not hmac.compare_digest(signature, _signature(secret, path, expires, scope)):
        raise LinkError("tampered")
    expires_at = datetime.fromtimestamp(expires, UTC)
    if now >= expires_at:
        raise LinkError("expired")
    return LinkClaims(dict(scope), expires_at)


@dataclass(frozen=True, slots=True)
class LinkSigner:
    """The secret, the public base URL and how long a link lives: what the chat and pages share.
    The secret is kept out of `repr`, so a logged or printed signer never gives it away."""

    secret: bytes = field(repr=False)
    base_url: str
    ttl: timedelta = timedelta(hours=24)

    def link(self, path: str, scope: Mapping[str, str], now: datetime, query: Mapping[str, str] | None = None) -> str:
        return make_link(self.base_url, path, scope, self.secret, now, self.ttl, query)

    def verify(self, path: str, token: str | None, now: datetime) -> LinkClaims:
        return verify(path, token, self.secret, now)
