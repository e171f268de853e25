"""What the web server allows a client that is slow or curious: bounded time for the headers and the
body of a request, and no `Server` header announcing Python and aiohttp versions.

Headers: aiohttp starts its keep-alive timer when a connection opens and closes a connection that has
not delivered a whole request when it fires, so `keepalive_timeout` is also the time a client has for
its request line and headers (and how long an idle keep-alive connection stays open).
Body: read at once by `read_body_in_time` (aiohttp keeps the bytes for the handler), within
`BODY_TIMEOUT`, or the client gets 408 and the connection is closed (after at most `LINGERING_TIME`,
aiohttp's grace for the unread rest of a body)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import hdrs, web
from aiohttp.typedefs import Handler

log = logging.getLogger("maalbot.web")

HEADER_TIMEOUT = 15.0
BODY_TIMEOUT = 20.0
LINGERING_TIME = 2.0  # after an answer, how long the unread rest of a body is drained (aiohttp: 10 s)
BODY_TIMEOUT_KEY: web.AppKey[float] = web.AppKey("body_timeout", float)


def server_options(header_timeout: float = HEADER_TIMEOUT) -> dict[str, Any]:
    """Keyword arguments for `web.run_app` / `web.AppRunner`."""
    return {"keepalive_timeout": header_timeout, "lingering_time": LINGERING_TIME}


@web.middleware
async def read_body_in_time(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.body_exists:
        try:
            async with asyncio.timeout(request.app.get(BODY_TIMEOUT_KEY, BODY_TIMEOUT)):
                await request.read()  # cached: the handler's read()/text()/json() get these bytes
        except TimeoutError:
            log.warning("request closed: its body did not arrive in time (%s %s)", request.method, request.path)
            raise web.HTTPRequestTimeout(headers={hdrs.CONNECTION: "close"}) from None
    return await handler(request)


async def _drop_server_header(_request: web.Request, response: web.StreamResponse) -> None:
    response.headers.popall(hdrs.SERVER, None)


def limit_requests(app: web.Application, body_timeout: float = BODY_TIMEOUT) -> None:
    """Install the body deadline and drop the `Server` header on every response of `app`."""
    app[BODY_TIMEOUT_KEY] = body_timeout
    app.middlewares.append(read_body_in_time)
    app.on_response_prepare.append(_drop_server_header)
