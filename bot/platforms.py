"""The platforms maalbot speaks: one line each in `REGISTRY`.

A platform is one package under `bot/` whose wiring module (named in its registry line) provides:

- `mount(app, service, db, *, dev)`: add its routes to the aiohttp app and its `bot.outbound.Platform`
  to the app's pipeline (or do nothing when it is not configured);
- `reminder_notifier(app, switch)`: the scheduler's `Notifier` for what `mount` added, or None
  (`switch` is MAALBOT_REMINDERS: None unset, True on, False off);
- `configured_notifier(db, default_locale)`: the same notifier built from the environment alone, for
  `maalbot remind --now`, or None when the environment does not configure the platform.

`bot.web`, `bot.notifiers` and `bot.scheduler` iterate the registry and name no platform. Order
matters: a person known on several platforms is reminded on the first (Slack before Teams)."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, cast

if TYPE_CHECKING:
    from aiohttp import web

    from bot.delivery import Notifier
    from dialogs.service import ConversationService
    from storage.db import Database


class PlatformWiring(Protocol):
    """What a platform's wiring module provides (see the module docstring)."""

    def mount(self, app: web.Application, service: ConversationService, db: Database, *, dev: bool) -> object: ...

    def reminder_notifier(self, app: web.Application, switch: bool | None) -> Notifier | None: ...

    def configured_notifier(self, db: Database, default_locale: str) -> Notifier | None: ...


@dataclass(frozen=True, slots=True)
class PlatformEntry:
    name: str  # the same string as `Identity.platform` and `Inbound.platform`
    wiring: str  # the module with mount / reminder_notifier / configured_notifier
    interval: float  # seconds between messages to one conversation (the platform's rate limit)

    def load(self) -> PlatformWiring:
        return cast("PlatformWiring", importlib.import_module(self.wiring))


REGISTRY: tuple[PlatformEntry, ...] = (
    PlatformEntry("slack", "bot.slack.wiring", 1.0),  # about 1 message per second per channel
    PlatformEntry("teams", "bot.teams.wiring", 1 / 7),  # about 7 per second per conversation
)


def intervals() -> dict[str, float]:
    return {entry.name: entry.interval for entry in REGISTRY}
