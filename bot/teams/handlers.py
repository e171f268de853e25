"""Teams activities -> the conversation service, replies -> Adaptive Cards. Only converts.

- Personal chat: every message (typed, or a card's Action.Submit arriving with `value`) is one
  `Inbound` for the conversation service.
- A channel or group chat (the bot only hears @mentions there): status questions via `Overview`.
- conversationUpdate / installationUpdate: the conversation reference is stored for later.
A redelivered activity (Teams retries after 15 s) is recognised by its id and handled once."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from aiohttp import ClientError
from microsoft_agents.activity import Activity, ActivityTypes
from microsoft_agents.hosting.core import TurnContext
from microsoft_agents.hosting.core.connector import ConnectorClientBase

from bot.delivery import deliver_notices
from bot.teams import refs
from bot.teams.notifier import TeamsNotifier, describe_error
from bot.teams.reminders import TeamsReminderNotifier
from bot.teams.render import card_activities, inbound_fields
from dialogs.messages import Inbound, Reply
from dialogs.overview import Overview, parse_leader_query
from dialogs.service import ConversationService, PersonRef, SubmittedEvent
from storage import conversation_refs
from storage.db import Database
from storage.events import first_time

log = logging.getLogger(__name__)

PLATFORM = refs.PLATFORM


def event_key(activity: Activity) -> str:
    """A key for dedupe: Teams activity ids are unique within a conversation, not across them."""
    conversation = activity.conversation.id if activity.conversation else ""
    key = f"{conversation}|{activity.id}"
    return key if len(key) <= 300 else "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def member_email(member: Any) -> str | None:
    """Email, else user principal name, from a Teams member record (extra fields of ChannelAccount)."""
    extra: dict[str, Any] = getattr(member, "model_extra", None) or {}
    for name in ("email", "userPrincipalName", "user_principal_name"):
        value = extra.get(name)
        if isinstance(value, str) and "@" in value:
            return value
    return None


class TeamsBot:
    """The Agents SDK `Agent` (anything with `on_turn`): one instance per application."""

    def __init__(self, service: ConversationService, overview: Overview, db: Database, notifier: TeamsNotifier) -> None:
        self.service = service
        self.overview = overview
        self.db = db
        self.notifier = notifier
        self.notices = TeamsReminderNotifier(notifier)  # notices for others, as DMs (like Slack's)
        self._people: dict[str, PersonRef] = {}  # user key -> person, to skip look-ups on every turn
        self._stored: dict[str, dict[str, Any]] = {}  # conversation key -> reference last stored
        notifier.on_gone.append(self._forget)

    def _forget(self, conversation_key: str) -> None:
        self._stored.pop(conversation_key, None)  # unusable now: store it again when next met

    def forget_person(self, user_key: str) -> None:
        self._people.pop(user_key, None)  # the roster forgot this Teams user: identify them again when met

    async def on_turn(self, context: TurnContext) -> None:
        activity = context.activity
        if activity.type == ActivityTypes.message:
            if activity.id and not await first_time(self.db, PLATFORM, event_key(activity)):
                log.info("Teams activity %s already handled (redelivery)", activity.id)
                return
            if refs.conversation_kind(activity) == conversation_refs.PERSONAL:
                await self._personal(context)
            else:
                await self._channel(context)
        elif activity.type in (ActivityTypes.conversation_update, ActivityTypes.installation_update):
            await self._update(context)

    async def on_turn_error(self, context: TurnContext, error: Exception) -> None:
        """Log the error; tell the person something went wrong, without details."""
        log.error("Teams turn failed", exc_info=error)
        if context.activity.type != ActivityTypes.message:
            return
        reply = self.service.failure()
        try:
            await self._send(context, [reply], None)
        except Exception:
            log.exception("could not tell the person about the failed turn")

    async def on_submitted(self, event: SubmittedEvent) -> None:
        """A board submitted: the summary as a new thread in the area's channel; the board is told."""
        if event.teams_channel:
            replies = await self.service.summary(event.registration_id)
            delivery = await self.notifier.to_channel(event.teams_channel, replies)
            log.info("submit summary for registration %s to Teams: %s", event.registration_id, delivery)
        await self.deliver_notices()  # also when the board submitted in Slack: the Teams people are told now

    async def deliver_notices(self) -> None:
        """Pending notices of people met in Teams, as DMs (the same helper as Slack's and the scheduler's)."""
        await deliver_notices(self.db, self.notices, default_locale=self.service.default_locale)

    # -- personal chat ---------------------------------------------------------------------------------
    async def _personal(self, context: TurnContext) -> None:
        activity = context.activity
        user_key = activity.from_property.id if activity.from_property else None
        if not user_key:
            return
        person = await self._identify(context, user_key)
        await self._remember(activity, person.id if person else None)
        if person is None:
            await self._send(context, [self.service.unknown_user()], None)
            return
        choice, text, values = inbound_fields(activity.value)
        if choice is None and text is None:
            text = TurnContext.remove_recipient_mention(activity) if activity.text else activity.text
        inbound = Inbound(PLATFORM, user_key, text=(text or "").strip() or None, choice=choice, values=values)
        replies = await self.service.handle(inbound)
        await self._send(context, replies, person.locale)
        await self.deliver_notices()

    async def _identify(self, context: TurnContext, user_key: str) -> PersonRef | None:
        known = self._people.get(user_key)
        if known is not None:
            return known
        person = await self.service.identify(PLATFORM, user_key)
        if person is None:
            email = await self._member_email(context, user_key)
            if email:
                person = await self.service.identify(PLATFORM, user_key, email=email)
        if person is not None:
            self._people[user_key] = person
        return person

    async def _member_email(self, context: TurnContext, user_key: str) -> str | None:
        """Ask the Bot Connector who this is (TeamsInfo.get_member's call, without its channel_data needs)."""
        connector = context.services.get(ConnectorClientBase)  # type: ignore[type-abstract]
        activity = context.activity
        data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
        roster = (data.get("team") or {}).get("id") or (activity.conversation.id if activity.conversation else None)
        if connector is None or not roster:
            return None
        try:
            member = await connector.conversations.get_conversation_member(roster, user_key)
        except (ClientError, ValueError) as exc:
            log.warning("Teams member look-up failed: %s", describe_error(exc))
            return None
        return member_email(member)

    # -- channels and group chats ----------------------------------------------------------------------
    async def _channel(self, context: TurnContext) -> None:
        activity = context.activity
        await self._remember(activity, None)
        user_key = activity.from_property.id if activity.from_property else None
        if not user_key:
            return
        text = (TurnContext.remove_recipient_mention(activity) or "").strip()
        query = parse_leader_query(text)
        person = await self._identify(context, user_key)
        locale = person.locale if person else None
        if person is None:
            replies = [self.service.unknown_user()]
        elif query is None:  # also «hjælp»: no leader question
            t = self.service.texts_for(locale)
            replies = [
                Reply(
                    t(
                        "In a channel, mention me and write «status», «status <area or institution>», "
                        "«show <institution>» or «who is missing»."
                    ),
                    kind="help",
                )
            ]
        else:
            replies = await self.overview.answer(person.id, query, locale)
        await self._send(context, replies, locale)

    # -- references and sending ------------------------------------------------------------------------
    async def _update(self, context: TurnContext) -> None:
        activity = context.activity
        if activity.type == ActivityTypes.installation_update and (activity.action or "").startswith("remove"):
            key = refs.conversation_key(activity)
            await conversation_refs.mark_unusable(self.db, PLATFORM, key)
            self._stored.pop(key, None)
            return
        person_id = None
        if refs.conversation_kind(activity) == conversation_refs.PERSONAL and activity.from_property:
            user_key = activity.from_property.id
            person = await self._identify(context, user_key) if user_key else None
            person_id = person.id if person else None
        await self._remember(activity, person_id)

    async def _remember(self, activity: Activity, person_id: int | None) -> None:
        key = refs.conversation_key(activity)
        reference = refs.reference_json(activity)
        if key and self._stored.get(key) == {**reference, "_person": person_id}:
            return
        await refs.remember(self.db, activity, person_id)
        if key:
            self._stored[key] = {**reference, "_person": person_id}

    async def _send(self, context: TurnContext, replies: list[Reply], locale: str | None) -> None:
        activities = card_activities(replies, self.service.texts_for(locale))
        if activities:
            await context.send_activities(activities)
