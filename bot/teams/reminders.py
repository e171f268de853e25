"""Reminders in Teams: the scheduler's `Notifier` on top of `bot.teams.notifier.TeamsNotifier`.

The scheduler's user key for a Teams person is their Teams user id ("29:…", `Identity.user_key` for
platform "teams"). The person is written to in their stored personal chat (or a new one, opened with
the user id, when there is none); a channel ("19:…@thread.tacv2") gets a new thread.

`TeamsNotifier` retries 412/429/502/504 and broken connections itself, a bounded number of times
within the one call (Retry-After honoured up to its bound): that is "what its client does for a single
call". What it reports is mapped for the scheduler:

- SENT → ok;
- GONE (403 blocked / bot removed, 404 conversation gone; the reference is now marked unusable) → permanent;
- NO_ROUTE (the bot has never met this channel, nor anyone in the tenant) → permanent;
- FAILED (retries exhausted, or another error) → transient: the scheduler tries again on a later tick,
  a bounded number of times, and then marks the item failed."""

from __future__ import annotations

from bot.delivery import SendResult
from bot.teams import refs
from bot.teams.notifier import Delivery, TeamsNotifier
from dialogs.messages import Reply


def result_of(delivery: Delivery) -> SendResult:
    match delivery:
        case Delivery.SENT:
            return SendResult.ok()
        case Delivery.GONE:
            return SendResult.permanent("blocked or gone (HTTP 403/404)")
        case Delivery.NO_ROUTE:
            return SendResult.permanent("no Teams conversation to write in")
        case _:
            return SendResult.transient("Teams delivery failed (retries exhausted or an error)")


class TeamsReminderNotifier:
    """The reminder scheduler's way of writing first in Teams (platform "teams")."""

    platform = refs.PLATFORM

    def __init__(self, notifier: TeamsNotifier) -> None:
        self.notifier = notifier

    async def send_to_person(self, user_key: str, replies: list[Reply]) -> SendResult:
        return result_of(await self.notifier.to_user_key(user_key, replies))

    async def send_to_channel(self, channel: str, replies: list[Reply]) -> SendResult:
        return result_of(await self.notifier.to_channel(channel, replies))
