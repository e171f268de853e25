"""Prometheus metrics at `/metrics` (prometheus-client), and the operator's `/healthz` and `/readyz`.

What is counted: turns and their latency per platform (from the inbox to the replies handed to the
platform), delivery failures by kind (transient: tried again later; permanent: given up), the reminder
scheduler's tick duration, and, read from the database at each scrape, the outbox backlog and the age of
its oldest unsent row. No names, emails or texts: labels are platforms and kinds only.

`/metrics` answers with a bearer token (`MAALBOT_METRICS_TOKEN`) or, without one, only to requests from
this machine (a Prometheus agent beside the bot, or a reverse proxy that does not forward the path)."""

from __future__ import annotations

import hmac
import ipaddress
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from sqlalchemy import text

from storage import outbox
from storage.db import Database
from storage.migrate import current_revision, head_revision

log = logging.getLogger("maalbot.metrics")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    """One process's metrics, in their own registry (so an app built in a test does not clash)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        self.turns = Counter("maalbot_turns", "Turns processed", ["platform"], registry=self.registry)
        self.turn_seconds = Histogram(
            "maalbot_turn_seconds",
            "Time from taking a turn's inbox row to its replies handed to the platform",
            ["platform"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.delivery_failures = Counter(
            "maalbot_delivery_failures", "Messages a platform did not accept", ["kind"], registry=self.registry
        )
        self.tick_seconds = Histogram(
            "maalbot_scheduler_tick_seconds",
            "Duration of one reminder scheduler tick (planning, enqueueing, sending)",
            buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0),
            registry=self.registry,
        )
        self.outbox_backlog = Gauge(
            "maalbot_outbox_backlog", "Outbox rows not sent yet (pending or claimed)", registry=self.registry
        )
        self.outbox_oldest = Gauge(
            "maalbot_outbox_oldest_unsent_seconds",
            "Age of the oldest outbox row that is due and not sent (0 when none)",
            registry=self.registry,
        )

    def failure(self, kind: str) -> None:
        self.delivery_failures.labels(kind=kind).inc()

    async def refresh(self, db: Database, now: datetime | None = None) -> None:
        async with db.transaction() as s:
            backlog, oldest = await outbox.backlog(s, now or datetime.now(UTC))
        self.outbox_backlog.set(backlog)
        self.outbox_oldest.set(oldest)


METRICS = Metrics()


def _from_this_machine(request: web.Request) -> bool:
    try:
        return ipaddress.ip_address(request.remote or "").is_loopback
    except ValueError:
        return False


def metrics_handler(db: Database, token: str | None) -> Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        if token:
            given = request.headers.get("Authorization", "")
            if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
                return web.Response(status=401, headers={"WWW-Authenticate": "Bearer"}, text="unauthorized\n")
        elif not _from_this_machine(request):
            return web.Response(status=403, text="metrics are served to this machine only (see the README)\n")
        try:
            await METRICS.refresh(db)
        except Exception:
            log.exception("metrics: the outbox could not be read")
        body = generate_latest(METRICS.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    return handle


def readyz_handler(db: Database) -> Handler:
    """Ready to take traffic: the database answers and its schema is at the migrations' head."""

    heads: list[str | None] = []

    async def handle(request: web.Request) -> web.StreamResponse:
        try:
            async with db.connection() as conn:
                await conn.execute(text("SELECT 1"))
            current = await current_revision(db)
        except Exception:
            log.exception("readiness: database unreachable")
            return web.json_response({"status": "error", "database": "unreachable"}, status=503)
        if not heads:
            heads.append(head_revision())  # the scripts do not change while the process runs
        head = heads[0]
        if current != head:
            body = {"status": "error", "database": db.dialect, "migrations": "behind", "current": current, "head": head}
            return web.json_response(body, status=503)
        return web.json_response({"status": "ok", "database": db.dialect, "migrations": current})

    return handle
