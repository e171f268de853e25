"""Log lines a stranger cannot forge, bolt's badly signed bodies never logged, and no parent's words in
a database error."""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Iterator, Sequence

import pytest
from aiohttp import web
from pydantic import SecretStr
from slack_bolt.request.async_request import AsyncBoltRequest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from bot.logs import LOG_FORMAT, MAX_ARGUMENT, MAX_MESSAGE, make_safe, one_line
from bot.outbound import ensure_pipeline
from bot.slack.app import build_slack
from bot.slack.settings import SlackSettings
from dialogs.service import ConversationService
from storage.db import Database

FORGED = "2026-11-29 12:00:00,000 ERROR maalbot.slack: forged"


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    out = io.StringIO()
    handler = make_safe(logging.StreamHandler(out))
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield out
    root.removeHandler(handler)
    root.setLevel(level)


def test_one_line_escapes_line_breaks_and_controls() -> None:
    assert one_line("a\nb\r\nc\td\x1be\u2028f\x85") == "a\\nb\\r\\nc\\td\\x1be\\u2028f\\x85"


def test_one_line_cuts_long_text_and_says_so() -> None:
    line = one_line("x" * 10_000, 100)
    assert line.startswith("x" * 100) and line.endswith("… [9900 more characters]")


def test_a_library_message_with_outside_text_stays_on_one_line(stream: io.StringIO) -> None:
    logging.getLogger("somelibrary").warning(f"bad request body: x\n{FORGED}\n" + "y" * 5000)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    assert "\\n" + FORGED in lines[0]
    assert len(lines[0]) < MAX_MESSAGE + 200


def test_maalbot_arguments_are_escaped_and_cut(stream: io.StringIO) -> None:
    logging.getLogger("maalbot.test").warning("user %s typed %s (%d)", "U1", f"x\n{FORGED}" + "z" * 2000, 7)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    assert f"user U1 typed x\\n{FORGED}" in lines[0] and lines[0].endswith("more characters] (7)")
    assert len(lines[0]) < MAX_ARGUMENT + 200


def test_a_maalbot_template_may_span_lines_on_purpose(stream: io.StringIO) -> None:
    logging.getLogger("maalbot.test").warning("\n!!! first\n!!! second")
    assert stream.getvalue().splitlines()[1:] == ["!!! first", "!!! second"]


async def test_bolt_does_not_log_the_body_of_a_badly_signed_request(stream: io.StringIO, sqlite_db: Database) -> None:
    """Even when a request reaches bolt directly (bypassing our guard), its body stays out of the log."""
    settings = SlackSettings.model_construct(
        bot_token=SecretStr("xoxb-test"), signing_secret=SecretStr("secret"), api_url="http://127.0.0.1:9/api/"
    )
    service = ConversationService(sqlite_db)
    bot = build_slack(service, sqlite_db, settings, ensure_pipeline(web.Application(), service, timeout=1.0))
    body = "token=x&text=secret-words%0A" + FORGED
    headers: dict[str, str | Sequence[str]] = {
        "x-slack-request-timestamp": str(int(time.time())),
        "x-slack-signature": "v0=" + "0" * 64,
    }
    response = await bot.bolt.async_dispatch(AsyncBoltRequest(body=body, headers=headers))
    assert response.status == 401
    assert "secret-words" not in stream.getvalue() and "forged" not in stream.getvalue()


async def test_a_database_error_does_not_carry_what_a_parent_wrote(sqlite_db: Database) -> None:
    words = "Emil i 3.b har ADHD"
    with pytest.raises(SQLAlchemyError) as caught:
        async with sqlite_db.transaction() as session:
            await session.execute(text("SELECT no_such_column FROM people WHERE name = :name"), {"name": words})
    assert "no_such_column" in str(caught.value)  # the statement is still there to debug with
    assert words not in str(caught.value)


def test_json_lines_carry_the_escaped_message_and_no_more() -> None:
    from bot.logs import JsonFormatter

    out = io.StringIO()
    handler = make_safe(logging.StreamHandler(out))
    handler.setFormatter(JsonFormatter())
    log = logging.getLogger("maalbot.test.json")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning("reply to %s failed: %s", "slack:D1", "line\nERROR forged")
        try:
            raise ValueError("boom")
        except ValueError:
            log.exception("a turn failed")
    finally:
        log.removeHandler(handler)
        log.propagate = True
    lines = out.getvalue().splitlines()
    first, second = json.loads(lines[0]), json.loads(lines[1])
    assert first["level"] == "WARNING" and first["logger"] == "maalbot.test.json"
    assert first["message"] == "reply to slack:D1 failed: line\\nERROR forged"
    assert first["time"].endswith("+00:00")
    assert second["exc_type"] == "ValueError" and "boom" in second["exc"] and len(lines) == 2
