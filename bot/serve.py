"""`maalbot serve`: run the web application (Slack and Teams routes, health check)."""

from __future__ import annotations

import logging
import sys

from aiohttp import web

from bot.http_limits import server_options  # headers in bounded time
from bot.settings import Settings
from bot.web import build_app
from storage.db import Database

log = logging.getLogger("maalbot")

DEMO_HINT = "soeren.oestergaard@demo.maalbot.dk"


def banner(settings: Settings, dev: bool, routes: frozenset[str] = frozenset()) -> str:
    """What is running and how to reach it; `routes` are the paths the app serves."""
    url = f"http://{settings.host}:{settings.port}"
    lines = [
        f"Målbot is running on {url} (health check: {url}/healthz).",
        f"Database: {settings.database_for_display}",
    ]
    if "/slack/events" in routes:
        lines.append(f"Slack: events, buttons and /maal at {url}/slack/events (or Socket Mode).")
    if "/api/messages" in routes:
        note = " (not authenticated: this machine only; try Agents Playground, see the README)" if dev else ""
        lines.append(f"Teams: {url}/api/messages{note}")
    if "/chat" in routes:
        lines.append(f"Web chat: {url}/chat (sign-in links by email)")
    if dev:
        lines += [
            "Local mode. Talk to the bot in another terminal:",
            f"    .venv/bin/maalbot chat --user {DEMO_HINT}     (chair of Solsikken)",
            "    .venv/bin/maalbot chat --user fatima.ali@demo.maalbot.dk     (board member)",
            "    .venv/bin/maalbot chat --user camilla.dahl@demo.maalbot.dk   (on two boards)",
            "Stop with Ctrl+C.",
        ]
    return "\n".join(lines)


def serve(settings: Settings, *, dev: bool) -> int:
    if dev:
        settings = settings.model_copy(update={"host": "127.0.0.1"})
    from bot.teams.settings import load_teams_settings, teams_startup_problem

    problem = teams_startup_problem(load_teams_settings(), dev)  # a bad value: SettingsError, one line
    if problem:
        print(f"maalbot: {problem}", file=sys.stderr)
        return 2
    db = Database(settings.resolved_database_url)
    app = build_app(settings, db, dev=dev)
    from bot.purge_task import daily_purge

    app.cleanup_ctx.append(daily_purge(db, settings.retention))  # retention: once a day while serving
    paths = frozenset(resource.canonical for resource in app.router.resources())

    def listening(*_args: object) -> None:  # aiohttp calls this once the port is open
        print(banner(settings, dev, paths), flush=True)

    try:
        web.run_app(app, host=settings.host, port=settings.port, print=listening, **server_options())
    except OSError as exc:  # typically: the port is already in use
        print(f"maalbot: cannot listen on {settings.host}:{settings.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0
