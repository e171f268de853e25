"""Retention: delete what is past its age. One table-driven list of rules, so a new table is one line.

Each `Rule` names a table and says which of its rows are past their age, given the ages and the
current time. `purge` counts (dry run) or deletes them, rule by rule, in one transaction. Deleting a
registration deletes its local goals, follow-ups and audit entries with it (ON DELETE CASCADE), so
the audit log's guard is opened for the purge (`storage.audit.allow_maintenance`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, select
from sqlalchemy.sql.elements import ColumnElement

from storage import audit, outbox_bodies
from storage.db import Database
from storage.models import (
    AuditEntry,
    InboxItem,
    InboxStatus,
    Notice,
    OutboxBody,
    OutboxItem,
    OutboxStatus,
    ProcessedEvent,
    Registration,
    Strategy,
    WebMessage,
    WebSession,
    WebSignIn,
)


@dataclass(frozen=True, slots=True)
class Ages:
    """How long things are kept (the defaults are the README's)."""

    events: timedelta = timedelta(days=30)  # processed platform events (and the inbox)
    messages: timedelta = timedelta(days=90)  # sent (or finally skipped/failed) outbox rows, delivered notices
    periods_years: int = 5  # registrations, follow-ups and audit entries of periods ended this long ago


def _years_before(now: datetime, years: int) -> date:
    today = now.date()
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def _start_of(ages: Ages, now: datetime) -> datetime:
    return datetime.combine(_years_before(now, ages.periods_years), datetime.min.time(), now.tzinfo)


FINISHED = (OutboxStatus.SENT.value, OutboxStatus.SKIPPED.value, OutboxStatus.FAILED.value)


def _old_periods(ages: Ages, now: datetime) -> ColumnElement[bool]:
    ended = select(Strategy.id).where(Strategy.period_end < _years_before(now, ages.periods_years))
    return Registration.strategy_id.in_(ended)


@dataclass(frozen=True, slots=True)
class Rule:
    name: str  # what the rows are, for the report
    model: type[Any]
    past_age: Callable[[Ages, datetime], ColumnElement[bool]]


RULES: tuple[Rule, ...] = (
    Rule("processed events", ProcessedEvent, lambda a, now: ProcessedEvent.received_at < now - a.events),
    Rule(
        "finished inbox rows",
        InboxItem,
        lambda a, now: and_(InboxItem.status != InboxStatus.PENDING.value, InboxItem.received_at < now - a.events),
    ),
    Rule(
        "sent messages",
        OutboxItem,
        lambda a, now: and_(
            OutboxItem.status.in_(FINISHED), func.coalesce(OutboxItem.sent_at, OutboxItem.created_at) < now - a.messages
        ),
    ),
    Rule(  # issue 18: texts shared by outbox rows, once no row refers to them (see storage.outbox_bodies)
        "message texts no message uses",
        OutboxBody,
        lambda a, now: and_(OutboxBody.created_at < now - a.messages, outbox_bodies.unused()),
    ),
    Rule("delivered notices", Notice, lambda a, now: Notice.delivered_at < now - a.messages),
    Rule("web chat messages", WebMessage, lambda a, now: WebMessage.created_at < now - a.messages),
    Rule("expired web sessions", WebSession, lambda a, now: WebSession.expires_at < now),
    Rule("used sign-in links past their time", WebSignIn, lambda a, now: WebSignIn.expires_at < now),
    Rule("registrations of ended periods", Registration, _old_periods),
    # entries of a registration go with it (above); the others (imports, roles, pauses) by their age
    Rule(
        "other audit entries older than the periods",
        AuditEntry,
        lambda a, now: and_(AuditEntry.registration_id.is_(None), AuditEntry.at < _start_of(a, now)),
    ),
)


async def purge(db: Database, ages: Ages, now: datetime, *, dry_run: bool = False) -> dict[str, int]:
    """Rows past their age by rule name: deleted, or only counted when `dry_run`."""
    found: dict[str, int] = {}
    async with db.transaction() as s:
        if not dry_run:
            await audit.allow_maintenance(s)
        for rule in RULES:
            where = rule.past_age(ages, now)
            found[rule.name] = int(await s.scalar(select(func.count()).select_from(rule.model).where(where)) or 0)
            if not dry_run and found[rule.name]:
                await s.execute(delete(rule.model).where(where).execution_options(synchronize_session=False))
    return found
