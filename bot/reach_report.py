"""Who the reminders cannot reach, for `maalbot remind --dry-run`: people of the organisation file in
no Teams team where the bot is installed, with no personal chat with the bot, and never met on
another platform (`storage.team_members.unreachable`). Listed when Teams is in use (the bot has met a
team or a person there, or a Teams notifier is configured); a Slack-only municipality finds people
by email at send time instead."""

from __future__ import annotations

from collections.abc import Sequence

from bot.delivery import Notifier
from storage import team_members
from storage.db import Database


async def unreachable_lines(db: Database, notifiers: Sequence[Notifier] = ()) -> list[str]:
    async with db.transaction() as s:
        teams_configured = any(n.platform == team_members.PLATFORM for n in notifiers)
        if not (teams_configured or await team_members.in_use(s)):
            return []
        found = await team_members.unreachable(s)
    if not found:
        return ["Unreachable: nobody (everyone is in a Teams team with the bot, or has written to it)."]
    lines = [
        f"Unreachable ({len(found)}): in no Teams team where the bot is installed, no chat with the bot, "
        "and not met on another platform; they get no reminders:"
    ]
    lines += [f"  unreachable: {person.name} (person:{person.id})" for person in found]
    return lines
