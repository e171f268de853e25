"""The aiohttp application (`bot.web.build_app`) and `maalbot serve --dev` as a real process."""

from __future__ import annotations

import errno
import json
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

import bot.serve
from bot.serve import banner
from bot.settings import Settings
from bot.web import DB_KEY, SERVICE_KEY, build_app
from storage.db import Database, sqlite_url_for
from tests.bot.conftest import maalbot_env


def _settings(tmp_path: Path) -> Settings:
    return Settings(MAALBOT_DATA_DIR=tmp_path)


async def test_healthz_is_ok_when_the_database_answers(sqlite_db: Database, tmp_path: Path) -> None:
    app = build_app(_settings(tmp_path), sqlite_db)
    assert app[DB_KEY] is sqlite_db
    assert app[SERVICE_KEY].db is sqlite_db
    async with TestClient(TestServer(app)) as client:
        response = await client.get("/healthz")
        assert response.status == 200
        assert await response.json() == {"status": "ok", "database": "sqlite"}
        assert (await client.get("/nothing-here")).status == 404


async def test_healthz_is_503_when_the_database_cannot_be_opened(tmp_path: Path) -> None:
    db = Database(sqlite_url_for(tmp_path / "no-such-directory" / "maalbot.db"))
    app = build_app(_settings(tmp_path), db)  # the app disposes the database on cleanup
    async with TestClient(TestServer(app)) as client:
        response = await client.get("/healthz")
        assert response.status == 503
        assert await response.json() == {"status": "error", "database": "unreachable"}


def test_the_dev_banner_says_how_to_talk_to_the_bot(tmp_path: Path) -> None:
    settings = Settings(MAALBOT_DATA_DIR=tmp_path, MAALBOT_PORT=4000)
    text = banner(settings, dev=True)
    assert "http://127.0.0.1:4000/healthz" in text
    assert "maalbot chat --user soeren.oestergaard@demo.maalbot.dk" in text
    assert "maalbot chat" not in banner(settings, dev=False)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _serve(home: Path, port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--dev"],
        cwd=home,
        env=maalbot_env(home, MAALBOT_PORT=str(port), MAALBOT_HOST="0.0.0.0"),  # --dev must use 127.0.0.1
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )


def _healthz(port: int) -> tuple[int, dict[str, str]] | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status, json.loads(response.read())
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def _serve_until_healthy(home: Path) -> tuple[subprocess.Popen[str], int, tuple[int, dict[str, str]] | None]:
    """Start `maalbot serve --dev` and poll /healthz; a new free port when another process took the
    port between `_free_port` and the server's bind (other tests on the machine bind ports too)."""
    for _attempt in range(3):
        port = _free_port()
        process = _serve(home, port)
        deadline = time.monotonic() + 90  # a bound for a loaded machine; the poll returns as soon as it answers
        health = None
        while health is None and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
            health = _healthz(port)
        if health is None and process.poll() is not None:
            _out, err = process.communicate()
            if "cannot listen" in err:
                continue
            raise AssertionError(f"maalbot serve --dev exited with {process.returncode}:\n{err}")
        return process, port, health
    raise AssertionError("three free ports were taken before maalbot serve could bind them")


def test_serve_dev_answers_healthz_and_stops_cleanly(migrated_home: Path) -> None:
    process, port, health = _serve_until_healthy(migrated_home)
    try:
        assert health == (200, {"status": "ok", "database": "sqlite"}), process.poll()
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl+C, as the banner says
        try:
            stdout, stderr = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            stdout, stderr = process.communicate()
    assert process.returncode == 0, stderr
    assert f"running on http://127.0.0.1:{port}" in stdout
    assert "maalbot chat --user " in stdout
    assert "Traceback" not in stderr


def test_serve_prints_the_banner_once_listening_and_explains_a_port_in_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(MAALBOT_DATA_DIR=tmp_path, MAALBOT_HOST="0.0.0.0", MAALBOT_PORT=4000)
    calls: list[dict[str, Any]] = []

    def listening(app: web.Application, **kwargs: Any) -> None:
        calls.append(kwargs)
        kwargs["print"]("======== Running on http://127.0.0.1:4000 ========")

    monkeypatch.setattr(web, "run_app", listening)
    assert bot.serve.serve(settings, dev=True) == 0
    assert (calls[0]["host"], calls[0]["port"]) == ("127.0.0.1", 4000)  # --dev: local only
    out = capsys.readouterr().out
    assert out.startswith(banner(settings.model_copy(update={"host": "127.0.0.1"}), dev=True).split("\n")[0])
    assert "Teams: http://127.0.0.1:" in out and "/api/messages (not authenticated" in out

    def port_in_use(app: web.Application, **kwargs: Any) -> None:
        raise OSError(errno.EADDRINUSE, "address already in use")

    monkeypatch.setattr(web, "run_app", port_in_use)
    assert bot.serve.serve(settings, dev=False) == 1
    captured = capsys.readouterr()
    assert captured.out == ""  # no banner: nothing is listening
    assert captured.err == "maalbot: cannot listen on 0.0.0.0:4000: address already in use\n"
