"""Teams activities -> neutral jobs in the inbox -> the durable turn; replies leave through the outbox.

- Personal chat: every message (typed, or a card's Action.Submit arriving with `value`) is one turn
  of the person's conversation.
- A channel or group chat (the bot only hears @mentions there): a channel question (status, help).
- conversationUpdate / installationUpdate: the conversation reference is stored for later.
The activity is stored in the inbox (key: conversation id + activity id) before the turn runs, and
the turn runs before the HTTP answer: a redelivery (Teams retries after 15 s, or after our crash)
of an activity whose turn is not done is processed, of one that is done is ignored."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from aiohttp import ClientError
from microsoft_agents.activity import Activity, ActivityTypes
from microsoft_agents.hosting.core import TurnContext
from microsoft_agents.hosting.core.connector import ConnectorClientBase

from bot.outbound import Pipeline
from bot.teams import refs
from bot.teams.notifier import TeamsNotifier, describe_error
from bot.teams.render import inbound_fields
from dialogs.messages import Inbound
from dialogs.service import ConversationService, PersonRef
from dialogs.turns import QUESTION, TURN, Job
from storage import conversation_refs
from storage.db import Database

log = logging.getLogger(__name__)

PLATFORM = refs.PLATFORM
PEOPLE_LIMIT = 10_000  # users remembered as linked; past it the memory starts over


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

    def __init__(self, service: ConversationService, pipeline: Pipeline, db: Database, notifier: TeamsNotifier) -> None:
        self.service = service
        self.pipeline = pipeline
        self.db = db
        self.notifier = notifier
        self._stored: dict[str, dict[str, Any]] = {}  # conversation key -> reference last stored
        self._people: dict[str, PersonRef] = {}  # Teams user id -> the person it was linked to
        notifier.on_gone.append(self._forget)

    def _forget(self, conversation_key: str) -> None:
        self._stored.pop(conversation_key, None)  # unusable now: store it again when next met

    async def on_turn(self, context: TurnContext) -> None:
        activity = context.activity
        if activity.type == ActivityTypes.message:
            await self._message(context)
        elif activity.type in (ActivityTypes.conversation_update, ActivityTypes.installation_update):
            await self._update(context)

    async def on_turn_error(self, context: TurnContext, error: Exception) -> None:
        """Log the error. Nothing is said here: a turn whose job was stored is told by the pipeline
        (saved or, plainly, not saved); an activity that could not even be stored gets no 2xx, so the
        Bot Connector sends it again."""
        log.error("Teams turn failed", exc_info=error)
        raise error

    # -- messages ----------------------------------------------------------------------------------------
    async def _message(self, context: TurnContext) -> None:
        activity = context.activity
        user_key = activity.from_property.id if activity.from_property else None
        if not user_key or not activity.conversation:
            return
        personal = refs.conversation_kind(activity) == conversation_refs.PERSONAL
        stored = refs.reference_json(activity)
        remembered = self._people.get(user_key) if personal else None
        if remembered is not None and not self._is_stored(activity, stored, remembered.id):
            remembered = None  # the reference is written now: with the person as stored, not as remembered
        person = remembered or await self._identify(context, user_key)
        await self._remember(activity, person.id if personal and person else None, stored)
        reference = activity.get_conversation_reference().model_dump(mode="json", by_alias=True, exclude_none=True)
        reference.pop("requestId", None)
        reply_to = {"reference": reference}
        if personal:
            choice, text, values = inbound_fields(activity.value)
            if choice is None and text is None:
                text = TurnContext.remove_recipient_mention(activity) if activity.text else activity.text
            inbound = Inbound(PLATFORM, user_key, text=(text or "").strip() or None, choice=choice, values=values)
            job = Job(TURN, inbound, activity.conversation.id, reply_to)
        else:
            text = (TurnContext.remove_recipient_mention(activity) or "").strip()
            inbound = Inbound(PLATFORM, user_key, text=text)
            job = Job(QUESTION, inbound, activity.conversation.id, reply_to, where="channel")

        async def relink() -> bool:  # the turn did not know a user remembered here: look them up again
            self._people.pop(user_key, None)
            return await self._identify(context, user_key) is not None

        # stored and run in one transaction, answered (2xx) only after that: acknowledged means stored
        recorded = await self.pipeline.receive(event_key(activity), job, relink if remembered else None)
        if recorded.done:
            log.info("Teams activity %s already handled (redelivery)", activity.id)

    async def _identify(self, context: TurnContext, user_key: str) -> PersonRef | None:
        """Who writes: a known identity, else the email the Bot Connector reports (then remembered).
        A user found is also remembered here (bounded): a personal chat's next turn skips this look-up
        (the turn reads the person, their language and boards itself), and should the turn not know
        them any more (an identity removed since), it looks them up again (`relink`)."""
        person = await self.service.identify(PLATFORM, user_key)
        if person is None:
            email = await self._member_email(context, user_key)
            if email:
                person = await self.service.identify(PLATFORM, user_key, email=email)
        if person is not None:
            if len(self._people) >= PEOPLE_LIMIT:
                self._people.clear()
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

    def _is_stored(self, activity: Activity, reference: dict[str, Any], person_id: int | None) -> bool:
        key = refs.conversation_key(activity)
        return bool(key) and self._stored.get(key) == {**reference, "_person": person_id}

    async def _remember(
        self, activity: Activity, person_id: int | None, reference: dict[str, Any] | None = None
    ) -> None:
        """`reference`: `refs.reference_json(activity)`, when the caller has it already."""
        key = refs.conversation_key(activity)
        reference = reference if reference is not None else refs.reference_json(activity)
        if key and self._stored.get(key) == {**reference, "_person": person_id}:
            return
        await refs.remember(self.db, activity, person_id)
        if key:
            self._stored[key] = {**reference, "_person": person_id}
