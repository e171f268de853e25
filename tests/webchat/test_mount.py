"""`maalbot serve` mounts the web chat only when MAALBOT_WEBCHAT=on (with a link secret), registers
"web" and "email" as platforms of the durable path, and email among the reminder notifiers."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.outbound import PIPELINE_KEY
from bot.scheduler import REMINDER_NOTIFIERS
from bot.serve import banner
from bot.settings import Settings
from bot.web import build_app
from storage.db import Database


def paths(app: object) -> set[str]:
    return {r.canonical for r in app.router.resources()}  # type: ignore[attr-defined]


async def test_off_by_default(sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MAALBOT_WEBCHAT", raising=False)
    app = build_app(Settings(MAALBOT_DATA_DIR=tmp_path), sqlite_db)
    assert "/chat" not in paths(app)
    assert "web" not in app[PIPELINE_KEY].platforms


async def test_on_with_a_link_secret(sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAALBOT_WEBCHAT", "on")
    monkeypatch.setenv("MAALBOT_LINK_SECRET", "mount-test-secret-0123456789abcdef")
    monkeypatch.setenv("MAALBOT_SMTP_URL", "smtps://mailer@smtp.example.dk")
    monkeypatch.setenv("MAALBOT_SMTP_FROM", "maalbot@example.dk")
    monkeypatch.delenv("MAALBOT_REMINDERS", raising=False)
    app = build_app(Settings(MAALBOT_DATA_DIR=tmp_path), sqlite_db)
    routes = paths(app)
    assert {"/chat", "/chat/link", "/chat/signin", "/chat/say", "/chat/logout"} <= routes
    assert {"web", "email"} <= set(app[PIPELINE_KEY].platforms)
    assert "web" in [n.platform for n in app[REMINDER_NOTIFIERS]]
    assert "Web chat: http://127.0.0.1:3978/chat" in banner(Settings(), False, frozenset(routes))


async def test_on_without_a_link_secret_stays_off(
    sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAALBOT_WEBCHAT", "on")
    monkeypatch.delenv("MAALBOT_LINK_SECRET", raising=False)
    app = build_app(Settings(MAALBOT_DATA_DIR=tmp_path), sqlite_db)
    assert "/chat" not in paths(app)


def test_smtp_urls() -> None:
    from bot.email.settings import parse_smtp_url
    from bot.settings import SettingsError

    plain = parse_smtp_url("smtp://user:p%40ss@smtp.example.dk", "maalbot@example.dk")
    assert (plain.port, plain.start_tls, plain.use_tls, plain.username, plain.password) == (
        587, True, False, "user", "p@ss",
    )  # fmt: skip
    assert "p@ss" not in repr(plain) and plain.for_display == "smtp://smtp.example.dk:587"
    tls = parse_smtp_url("smtps://smtp.example.dk", "maalbot@example.dk", password="from-env")
    assert (tls.port, tls.use_tls, tls.start_tls, tls.password) == (465, True, False, "from-env")
    with pytest.raises(SettingsError, match="MAALBOT_SMTP_URL"):
        parse_smtp_url("http://smtp.example.dk", "maalbot@example.dk")
    with pytest.raises(SettingsError, match="MAALBOT_SMTP_FROM"):
        parse_smtp_url("smtp://smtp.example.dk", "")
