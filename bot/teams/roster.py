"""Teams rosters: who is in the teams the bot is installed in, so it can write to people who never
wrote to it (storage: `storage/team_members.py`).

- The bot is added to a team (a `conversationUpdate` whose `membersAdded` holds the bot): the team is
  remembered and its roster read in the background, page by page (the SDK's Teams connector client,
  `get_conversation_paged_member`: `page_size` members a page, at most `max_pages` pages).
- Members added or removed (the same event for other members): the added ones are looked up one by
  one (`TeamsInfo.get_team_member`), the removed ones forgotten. The bot removed, or the team deleted:
  the whole roster is forgotten.
- On start every known team is read again (also teams the bot met before it kept rosters: the channels
  it has references for), and then every `refresh_hours` each team whose last complete read is older.

Only a complete read removes people who are no longer in the team; a read that stops at the page bound
or on an error only adds. 429, 412, 502 and 504 are retried with the Teams notifier's bounded policy,
honouring Retry-After up to its bound; 403 or 404 (the bot is not in the team) forgets the team."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from aiohttp import ClientConnectionError, ClientResponseError, web
from microsoft_agents.activity import Activity, ActivityTypes
from microsoft_agents.hosting.core import Agent, TeamsConnectorClient, TurnContext
from microsoft_agents.hosting.core.authorization import ClaimsIdentity
from microsoft_agents.hosting.core.connector import ConnectorClientBase

from bot.teams import refs
from bot.teams.notifier import GONE_STATUSES, RETRY_STATUSES, TeamsNotifier, describe_error
from storage import team_members
from storage.db import Database
from storage.team_members import RosterEntry

log = logging.getLogger(__name__)

PLATFORM = refs.PLATFORM
PAGE_SIZE = 200  # members a page (the Bot Connector allows 50 to 500)
MAX_PAGES = 50  # per team and read: 10 000 members; a bigger team is read partly (adds only)
REFRESH_HOURS = 12.0
T = TypeVar("T")


class _NotInTeam(Exception):
    pass


def team_id_of(activity: Activity) -> str | None:
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    team = (data.get("team") or {}).get("id")
    return str(team) if team else None


def entry_of(member: Any) -> RosterEntry | None:
    """A roster member (TeamsChannelAccount or ChannelAccount with Teams' extra fields) as stored data."""
    user_id = getattr(member, "id", None)
    if not user_id:
        return None
    extra: dict[str, Any] = getattr(member, "model_extra", None) or {}

    def field(name: str, alias: str) -> str | None:
        value = getattr(member, name, None) or extra.get(alias) or extra.get(name)
        return str(value) if value else None

    emails = tuple(
        e for e in (field("email", "email"), field("user_principal_name", "userPrincipalName")) if e and "@" in e
    )
    return RosterEntry(str(user_id), emails, field("aad_object_id", "aadObjectId"), field("tenant_id", "tenantId"))


class TeamsRoster:
    """Reads and keeps the rosters of the teams the bot is in. Uses the Teams notifier's adapter,
    credentials and retry policy (and its injected `sleep`, so tests do not wait)."""

    def __init__(
        self,
        notifier: TeamsNotifier,
        db: Database,
        *,
        page_size: int = PAGE_SIZE,
        max_pages: int = MAX_PAGES,
        refresh_hours: float = REFRESH_HOURS,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        loop_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.notifier = notifier
        self.db = db
        self.page_size = page_size
        self.max_pages = max_pages
        self.refresh_hours = refresh_hours
        self.clock = clock
        self.loop_sleep = loop_sleep
        self._tasks: set[asyncio.Task[bool]] = set()
        self._reading: dict[str, asyncio.Task[bool]] = {}  # team id -> its read in progress
        self.on_forgotten: list[Callable[[str], None]] = []  # told each Teams user id whose identity was forgotten
        self._loop: asyncio.Task[None] | None = None

    # -- events --------------------------------------------------------------------------------------
    async def on_activity(self, context: TurnContext) -> None:
        """Roster events of a team: the bot or members added or removed, the team deleted."""
        activity = context.activity
        team_id = team_id_of(activity)
        if not team_id:
            return
        data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
        bot_id = activity.recipient.id if activity.recipient else None
        if activity.type == ActivityTypes.installation_update:
            if (activity.action or "").startswith("remove"):
                self._forgotten(await team_members.forget_team(self.db, team_id, PLATFORM))
            return
        if activity.type != ActivityTypes.conversation_update:
            return
        removed = [m.id for m in activity.members_removed or [] if m.id]
        if data.get("eventType") == "teamDeleted" or (bot_id and bot_id in removed):
            self._forgotten(await team_members.forget_team(self.db, team_id, PLATFORM))
            log.info("Teams team left: its roster is forgotten")
            return
        if removed:
            self._forgotten(await team_members.remove_members(self.db, team_id, PLATFORM, removed))
        added = [m.id for m in activity.members_added or [] if m.id]
        if (bot_id and bot_id in added) or (added and await team_members.installation(self.db, team_id) is None):
            await team_members.install(self.db, team_id, refs.tenant_of(activity), refs.reference_json(activity))
            self.schedule(team_id)
        elif added:
            await self._add_members(context, team_id, added)

    async def _add_members(self, context: TurnContext, team_id: str, user_ids: Sequence[str]) -> None:
        # Imported here, the first time members are added: the package builds the pydantic models of the
        # whole Teams API (`microsoft_teams`), ~1.2 s of CPU that every `maalbot serve` paid at start-up.
        from microsoft_agents.hosting.teams import TeamsInfo

        entries: list[RosterEntry] = []
        for user_id in user_ids:
            try:
                member = await self._retrying(functools.partial(TeamsInfo.get_team_member, context, team_id, user_id))
            except Exception as exc:  # the periodic read catches up
                log.warning("Teams member look-up failed: %s", describe_error(exc))
                continue
            entry = entry_of(member)
            if entry is not None:
                entries.append(entry)
        stored = await team_members.add_members(self.db, team_id, PLATFORM, entries)
        log.info("Teams team: %d of %d new members are in the organisation", stored, len(user_ids))

    # -- reading a roster ------------------------------------------------------------------------------
    def schedule(self, team_id: str) -> None:
        """Read the team's roster in the background (a turn must not wait for a big team)."""
        running = self._reading.get(team_id)
        if running is not None and not running.done():
            return  # Teams sent the event again while the first read is under way
        task = asyncio.create_task(self.refresh_team(team_id), name="maalbot-teams-roster")
        self._reading[team_id] = task
        task.add_done_callback(lambda _t: self._reading.pop(team_id, None))
        self._track(task)

    def _forgotten(self, user_ids: Sequence[str]) -> None:
        for user_id in user_ids:
            for listener in self.on_forgotten:
                listener(user_id)

    def _track(self, task: asyncio.Task[bool]) -> None:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait for the background reads started so far."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def refresh_team(self, team_id: str) -> bool:
        """Read the whole roster of one known team and store it. True when the read was complete."""
        team = await team_members.installation(self.db, team_id)
        if team is None:
            return False
        entries: list[RosterEntry] = []
        outcome: list[bool | BaseException] = []

        async def read(context: TurnContext) -> None:
            try:
                outcome.append(await self._read_pages(context, team_id, entries))
            except Exception as exc:  # handled below, outside the SDK's turn-error handler
                outcome.append(exc)

        try:
            await self._continue(team.reference, read)
        except Exception as exc:
            outcome.append(exc)
        result = outcome[0] if outcome else RuntimeError("the roster read did not run")
        if isinstance(result, _NotInTeam):
            self._forgotten(await team_members.forget_team(self.db, team_id, PLATFORM))
            log.warning("Teams roster: the bot is no longer in a team (HTTP 403/404); forgotten")
            return False
        if isinstance(result, BaseException):
            log.error("Teams roster read failed: %s", describe_error(result))
            await team_members.add_members(self.db, team_id, PLATFORM, entries)
            return False
        if result:
            stored, released = await team_members.replace_roster(self.db, team_id, PLATFORM, entries, self.clock())
            self._forgotten(released)
        else:
            stored = await team_members.add_members(self.db, team_id, PLATFORM, entries)
            log.warning("Teams roster: stopped after %d pages; the rest is read next time", self.max_pages)
        log.info("Teams roster read: %d members, %d in the organisation", len(entries), stored)
        return result

    async def _read_pages(self, context: TurnContext, team_id: str, entries: list[RosterEntry]) -> bool:
        # One page per call, through the SDK's Teams connector client (TeamsInfo.get_paged_team_members
        # would follow every continuation token by itself, without a bound or a retry between pages).
        client = context.services.get(ConnectorClientBase)  # type: ignore[type-abstract]
        if not isinstance(client, TeamsConnectorClient):
            raise TypeError("no Teams connector client in the turn")
        token = ""
        for _page in range(self.max_pages):
            page = await self._retrying(
                functools.partial(client.get_conversation_paged_member, team_id, self.page_size, token)
            )
            for member in page.members or []:
                entry = entry_of(member)
                if entry is not None:
                    entries.append(entry)
            token = page.continuation_token or ""
            if not token:
                return True
        return False

    async def _continue(
        self, reference_json: dict[str, Any], callback: Callable[[TurnContext], Awaitable[None]]
    ) -> None:
        reference = refs.reference_from_json(reference_json)
        continuation = reference.get_continuation_activity()
        continuation.id = None
        notifier = self.notifier
        if notifier.anonymous:
            await notifier.adapter.continue_conversation_with_claims(ClaimsIdentity(), continuation, callback)
        else:
            await notifier.adapter.continue_conversation(notifier.app_id, continuation, callback)

    async def _retrying(self, operation: Callable[[], Awaitable[T]]) -> T:
        policy = self.notifier.policy
        for attempt in range(1, policy.attempts + 1):
            try:
                return await operation()
            except ClientResponseError as exc:
                if exc.status in GONE_STATUSES:
                    raise _NotInTeam() from exc
                if exc.status not in RETRY_STATUSES or attempt == policy.attempts:
                    raise
                retry_after = exc.headers.get("Retry-After") if exc.headers else None
                await self.notifier.sleep(self._delay(attempt, retry_after))
            except ClientConnectionError:
                if attempt == policy.attempts:
                    raise
                await self.notifier.sleep(self._delay(attempt, None))
        raise AssertionError("unreachable")

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        policy = self.notifier.policy
        if retry_after is not None:
            with contextlib.suppress(ValueError):
                return min(policy.max_delay, max(0.0, float(retry_after)))
        return self.notifier.rand() * min(policy.max_delay, policy.base_delay * 2.0 ** (attempt - 1))

    # -- on start, and now and then --------------------------------------------------------------------
    async def refresh_known(self, *, stale_only: bool) -> int:
        """Read the rosters of the known teams (only those not read for `refresh_hours` when
        `stale_only`); on start also the channels the bot met before it kept rosters. Returns how many
        reads were complete."""
        if not stale_only:
            known = {team.team_id for team in await team_members.installations(self.db)}
            for key, reference in await team_members.channel_references(self.db, PLATFORM):
                if key not in known:
                    tenant = (reference.get("conversation") or {}).get("tenantId")
                    await team_members.install(self.db, key, tenant, reference)
        before = self.clock() - timedelta(hours=self.refresh_hours) if stale_only else None
        complete = 0
        for team in await team_members.installations(self.db, refreshed_before=before):
            complete += await self.refresh_team(team.team_id)
        return complete

    async def _refresh_known_logged(self, *, stale_only: bool) -> bool:
        try:
            await self.refresh_known(stale_only=stale_only)
        except Exception:
            log.exception("Teams roster refresh failed")
        return True

    async def run(self) -> None:
        """The stale teams about every hour (or every `refresh_hours`, if shorter)."""
        while True:
            await self.loop_sleep(min(3600.0, self.refresh_hours * 3600))
            await self._refresh_known_logged(stale_only=True)

    async def on_startup(self, _app: web.Application) -> None:
        """Every known team's roster is read now (in the background; `drain` waits for it), then the loop."""
        self._track(asyncio.create_task(self._refresh_known_logged(stale_only=False), name="maalbot-teams-rosters"))
        self._loop = asyncio.create_task(self.run(), name="maalbot-teams-rosters-loop")

    async def on_cleanup(self, _app: web.Application) -> None:
        for task in [self._loop, *self._tasks]:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    def agent(self, bot: Agent) -> Agent:
        """`bot` with the roster events handled first (a roster failure never breaks the bot's turn)."""
        roster = self

        class WithRoster:
            async def on_turn(self, context: TurnContext) -> None:
                if context.activity.type in (ActivityTypes.conversation_update, ActivityTypes.installation_update):
                    try:
                        await roster.on_activity(context)
                    except Exception:
                        log.exception("Teams roster event failed")
                await bot.on_turn(context)

        return WithRoster()
