"""Log lines a stranger cannot forge: every message has its line breaks and other control characters
escaped and is cut to `MAX_MESSAGE` characters, and no library logs an unauthenticated request's body.

`OneLineFilter` sits on the process's log handler (`configure_logging`), so what a library or a log
call puts in (a header, a path, a body) stays on one line: "a\\nERROR x" is written as `a\\nERROR x`.
Tracebacks stay multi-line (they are the formatter's, not the message's)."""

from __future__ import annotations

import json
import logging
import os
import re
from datetime import UTC, datetime

MAX_MESSAGE = 2000
MAX_ARGUMENT = 500
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    return _NAMED.get(char) or (f"\\x{ord(char):02x}" if ord(char) < 256 else f"\\u{ord(char):04x}")


def one_line(text: str, limit: int = MAX_MESSAGE) -> str:
    """`text` on one line (control characters escaped) and at most `limit` characters (+ a note)."""
    cut = text if len(text) <= limit else text[:limit]
    line = _CONTROL.sub(_escaped, cut)
    return line if len(text) <= limit else f"{line}… [{len(text) - limit} more characters]"


class OneLineFilter(logging.Filter):
    """On a handler: what came from outside as escaped, bounded text (never drops a record).

    maalbot's own messages are templates written here (they may span lines on purpose, like the
    warning about unauthenticated Teams), so only their arguments are escaped and cut; a library's
    message may have outside text built in, so all of it is."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("maalbot") and isinstance(record.args, tuple):
            record.args = tuple(one_line(str(arg), MAX_ARGUMENT) if _is_text(arg) else arg for arg in record.args)
            return True
        try:
            message = record.getMessage()
        except Exception:  # a bad format string is still logged, as its template
            message = str(record.msg)
        record.msg, record.args = one_line(message), None
        return True


def _is_text(arg: object) -> bool:
    return not isinstance(arg, int | float | bool) and arg is not None


class NoRequestBodies(logging.Filter):
    """slack_bolt logs the whole body of a request with a bad signature at INFO; our guard refuses
    those before bolt sees them and logs one line instead, so bolt's line is dropped if it ever comes."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Invalid request signature detected")


class ProtocolErrorsInOneLine(logging.Filter):
    """aiohttp logs every request it cannot parse (a 9 KB URL, a broken header) at ERROR with a
    traceback; it already answered 400. Such a record becomes one WARNING line naming the problem."""

    def filter(self, record: logging.LogRecord) -> bool:
        from aiohttp.http_exceptions import HttpProcessingError  # loaded already: it is aiohttp's logger

        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, HttpProcessingError):
            record.msg, record.args = "bad HTTP request refused with %s: %s", (exc.code, type(exc).__name__)
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def quiet_protocol_errors() -> None:
    server = logging.getLogger("aiohttp.server")
    if not any(isinstance(f, ProtocolErrorsInOneLine) for f in server.filters):
        server.addFilter(ProtocolErrorsInOneLine())


def make_safe(handler: logging.Handler) -> logging.Handler:
    if not any(isinstance(f, OneLineFilter) for f in handler.filters):
        handler.addFilter(OneLineFilter())
    return handler


class JsonFormatter(logging.Formatter):
    """One JSON object per line (`MAALBOT_LOG_FORMAT=json`), for a log collector: time (UTC, ISO 8601),
    level, logger, message, and the exception's type and traceback when there is one. It carries the
    same message as the text format (after `OneLineFilter`), so no more personal data than that: none."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and record.exc_info[0] is not None:
            line["exc_type"] = record.exc_info[0].__name__
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure_logging(level: int, log_format: str | None = None) -> None:
    """The process's logging on stderr, escaped and bounded: one text line per record, or one JSON
    object per line with `log_format="json"` (default: `MAALBOT_LOG_FORMAT`, else text)."""
    logging.basicConfig(level=level, format=LOG_FORMAT)
    as_json = (log_format or os.environ.get("MAALBOT_LOG_FORMAT", "text")).strip().casefold() == "json"
    for handler in logging.getLogger().handlers:
        make_safe(handler)
        if as_json:
            handler.setFormatter(JsonFormatter())
    logging.getLogger("alembic").setLevel(logging.WARNING)
