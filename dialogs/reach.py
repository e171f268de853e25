"""Who on the boards the bot cannot write to: in no Teams team where it is installed, no personal
chat with it, and never met on another platform (see `storage.team_members.unreachable`). Said in
the leaders' «hvem mangler?», so they know whom the reminders do not reach."""

from __future__ import annotations

from collections.abc import Sequence

from dialogs.messages import Reply
from dialogs.texts import Texts
from storage import people, team_members
from storage.db import Database
from storage.people import BOARD_ROLES

MAX_NAMES = 15  # lines in one reply; the rest are counted


async def unreachable_reply(db: Database, t: Texts, institutions: Sequence[tuple[int, str]]) -> Reply | None:
    """A note listing the unreachable members, chairs and leaders of these institutions' boards, or
    None when everyone can be reached (or the bot is not used in Teams at all, where the roster is
    what tells who can be reached)."""
    async with db.transaction() as s:
        if not institutions or not await team_members.in_use(s):
            return None
        boards: dict[int, list[str]] = {}
        for institution_id, name in institutions:
            for person in await people.board_people(s, institution_id, BOARD_ROLES):
                boards.setdefault(person.id, []).append(name)
        found = await team_members.unreachable(s, person_ids=boards)
    if not found:
        return None
    text = t.plural(
        "Målbot cannot write to {n} person on these boards: they are not in a team in Teams where Målbot is "
        "installed, and have not written to Målbot themselves. They get no reminders until they join such a "
        "team or write to Målbot.",
        "Målbot cannot write to {n} people on these boards: they are not in a team in Teams where Målbot is "
        "installed, and have not written to Målbot themselves. They get no reminders until they join such a "
        "team or write to Målbot.",
        len(found),
    )
    facts = [(person.name, ", ".join(boards[person.id])) for person in found]
    if len(facts) > MAX_NAMES:
        rest = len(facts) - MAX_NAMES + 1
        facts = [*facts[: MAX_NAMES - 1], ("…", t("and {n} more", n=rest))]
    return Reply(text, facts=tuple(facts), title=t("Not reached by reminders"), kind="status")
