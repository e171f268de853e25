"""The door of POST /api/messages with credentials: a bearer token the Agents SDK cannot even look up a
key for is refused with 401 before the SDK sees it.

The SDK's validator indexes the token's header by `kid` and lets the KeyError of a token without one
escape as a 500 with a traceback. Here the token must be a JWT (pyjwt reads it without verifying)
whose header names a key (`kid`) and an RS256 signature, as every Bot Framework and Entra token does;
the SDK then does the real validation (signature, issuer, audience, expiry)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import jwt
from aiohttp import hdrs, web

log = logging.getLogger("maalbot.teams")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_REFUSED = {"error": "Invalid token or authentication failed."}  # the SDK's own wording for a 401


def token_looks_valid(token: str) -> bool:
    """True when `token` is a JWT with a `kid` and RS256 in its header and an object as its claims."""
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except (jwt.PyJWTError, ValueError, TypeError, RecursionError):
        return False
    kid = header.get("kid")
    return isinstance(kid, str) and bool(kid) and header.get("alg") == "RS256" and isinstance(claims, dict)


def guard_bearer_tokens(handler: Handler) -> Handler:
    """`handler` behind a check of the Authorization header's shape (its absence is the SDK's to refuse)."""

    async def guarded(request: web.Request) -> web.StreamResponse:
        authorization = request.headers.get(hdrs.AUTHORIZATION)
        if authorization is not None:
            scheme, _, token = authorization.strip().partition(" ")
            if scheme.lower() != "bearer" or not token_looks_valid(token.strip()):
                log.warning("Teams request refused: the bearer token is not a signed Bot Framework token")
                return web.json_response(_REFUSED, status=401)
        return await handler(request)

    return guarded
