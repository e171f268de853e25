"""Which platforms the reminders are sent through (see the README, «Which notifiers are used when»).

- Inside `maalbot serve`: `register_reminder_notifiers(app)`, called by `bot.web.build_app` after the
  platforms are mounted, asks each platform of `bot.platforms.REGISTRY` for its notifier and adds it to
  `app[REMINDER_NOTIFIERS]`, which the scheduler reads at every tick: Slack when SLACK_BOT_TOKEN is
  set (`mount_slack`), Teams when `/api/messages` is served with MICROSOFT_APP_* credentials
  (`mount_teams`; `--dev` without credentials only with MAALBOT_REMINDERS=on).
- MAALBOT_REMINDERS=off: `serve` registers none (the scheduler then does nothing at all).
- For `maalbot remind --now`: `configured_notifiers(db)` builds the same notifiers from the
  environment, without a web application: Slack from SLACK_BOT_TOKEN (and SLACK_API_URL), Teams from
  complete MICROSOFT_APP_* credentials. Nothing configured: an empty list.

Slack comes first: a person known on both platforms gets their DMs in Slack (the scheduler takes the
first notifier whose platform the person has been seen on)."""

from __future__ import annotations

import logging

from aiohttp import web
from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot import platforms
from bot.delivery import Notifier
from bot.scheduler import REMINDER_NOTIFIERS
from bot.settings import SettingsError
from storage.db import Database

log = logging.getLogger("maalbot.reminders")


class ReminderSwitch(BaseSettings):
    """MAALBOT_REMINDERS: unset, reminders go through every configured channel; `off`, `maalbot serve`
    sends none (tests and benchmarks that run the real application against fake platforms, or an
    instance that should only answer); `on`, also through development mode's unauthenticated Teams
    (`serve --dev` without MICROSOFT_APP_ID, e.g. to see reminders in the Agents Playground)."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", case_sensitive=False)

    enabled: bool | None = Field(default=None, alias="MAALBOT_REMINDERS")


def reminder_switch() -> bool | None:
    try:
        return ReminderSwitch().enabled
    except ValidationError:
        raise SettingsError("MAALBOT_REMINDERS must be on or off") from None


def register_reminder_notifiers(app: web.Application) -> None:
    """Append a reminder notifier for each platform mounted on `app`, in the registry's order (call after
    the platforms are mounted). Each platform decides from MAALBOT_REMINDERS whether it takes part."""
    notifiers = app.setdefault(REMINDER_NOTIFIERS, [])
    switch = reminder_switch()
    if switch is False:
        log.info("reminders are off (MAALBOT_REMINDERS=off)")
        return
    for entry in platforms.REGISTRY:
        notifier = entry.load().reminder_notifier(app, switch)
        if notifier is not None:
            notifiers.append(notifier)
    log.info("reminders are sent through: %s", ", ".join(n.platform for n in notifiers) or "nothing (no channel)")


def configured_notifiers(db: Database, *, default_locale: str = "da") -> list[Notifier]:
    """The reminder notifiers the environment configures, for `maalbot remind --now`: each platform's
    `configured_notifier`, built synchronously (no async setup or teardown). Nothing configured: []."""
    notifiers: list[Notifier] = []
    for entry in platforms.REGISTRY:
        notifier = entry.load().configured_notifier(db, default_locale)
        if notifier is not None:
            notifiers.append(notifier)
    return notifiers
