"""Slack requests → `Inbound` → the conversation service → Block Kit, after the acknowledgement.

Every listener acknowledges at once and hands the turn to `Background`; bolt runs with
`process_before_response=True`, so the HTTP answer goes out as soon as the listener returns."""

from __future__ import annotations

import logging
import re
from collections.abc import Coroutine
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.errors import SlackApiError

from bot.delivery import deliver_notices
from bot.slack import home
from bot.slack.background import Background
from bot.slack.channel import PLATFORM, SlackChannel
from bot.slack.reminders import SlackReminderNotifier
from bot.slack.render import chosen_blocks, label_of, plain_from_slack
from dialogs.messages import Inbound, Reply
from dialogs.overview import parse_leader_query
from dialogs.service import ConversationService, PersonRef
from storage.db import Database
from storage.events import first_time

log = logging.getLogger("maalbot.slack")
_MENTION = re.compile(r"^\s*(?:<@[A-Z0-9]+(?:\|[^>]*)?>\s*)+")
_HELP_WORDS = {"", "help", "hjælp", "hjaelp", "?"}


class SlackHandlers:
    def __init__(
        self, service: ConversationService, db: Database, channel: SlackChannel, background: Background
    ) -> None:
        self.service = service
        self.db = db
        self.channel = channel
        self.background = background
        # notices for others («ready for you», «submitted»): DMs through the scheduler's way of
        # sending, over the conversation's client (see `bot.delivery.deliver_notices`)
        self.notices = SlackReminderNotifier(channel.client)

    def register(self, bolt: AsyncApp) -> None:
        bolt.event("message")(self.on_message)
        bolt.event("app_mention")(self.on_mention)
        bolt.event("app_home_opened")(self.on_home_opened)
        bolt.command("/maal")(self.on_command)
        bolt.action(home.EDIT_ACTION)(self.on_edit_button)
        bolt.action(re.compile(r".*"))(self.on_button)
        bolt.view(home.EDIT_CALLBACK)(self.on_edit_submitted)

    # -- events ------------------------------------------------------------------------------------
    async def on_message(self, ack: AsyncAck, body: dict[str, Any], event: dict[str, Any]) -> None:
        await ack()
        # Only what a person wrote in the DM: no edits, joins or bot messages (our own would loop).
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id") or not event.get("user"):
            return
        user, channel = str(event["user"]), str(event["channel"])
        self.channel.remember_dm(user, channel)
        text = plain_from_slack(str(event.get("text") or ""))
        self.background.spawn(
            self._once(body, self._turn(Inbound(PLATFORM, user, text=text), channel)), key=f"user:{user}"
        )

    async def on_mention(self, ack: AsyncAck, body: dict[str, Any], event: dict[str, Any]) -> None:
        await ack()
        if event.get("bot_id") or not event.get("user"):
            return
        thread = str(event.get("thread_ts") or event["ts"])
        self.background.spawn(self._once(body, self._mention(event, thread)), key=f"user:{event['user']}")

    async def on_home_opened(self, ack: AsyncAck, body: dict[str, Any], event: dict[str, Any]) -> None:
        await ack()
        if event.get("tab", "home") != "home":
            return
        self.background.spawn(self._once(body, self.publish_home(str(event["user"]))), key=f"home:{event['user']}")

    async def _once(self, body: dict[str, Any], work: Any) -> None:
        """Run an event's work once: Slack retries with the same event_id (also after our restart)."""
        event_id = body.get("event_id")
        if event_id and not await first_time(self.db, PLATFORM, str(event_id)):
            work.close()
            log.info("Slack retry of %s ignored (already handled)", event_id)
            return
        await work

    # -- the conversation --------------------------------------------------------------------------
    async def _identified(self, user: str) -> PersonRef | None:
        return await self.channel.person(user)

    async def _turn(
        self, inbound: Inbound, channel: str | None, *, response_url: str | None = None
    ) -> PersonRef | None:
        """One turn answered where it came from; returns who the person is (None: unknown)."""
        person = await self._identified(inbound.user_key)
        if person is None:
            replies = [self.service.unknown_user()]
        else:
            try:
                replies = await self.service.handle(inbound)
            except Exception:  # the person must hear something; the details go to the log
                log.exception("Slack turn failed for %s", inbound.user_key)
                replies = [self.service.failure(person.locale)]
        if response_url is not None:
            await self.channel.respond(response_url, replies)
        else:
            await self.channel.post(channel or await self.channel.dm_channel(inbound.user_key), replies)
        if person is not None:
            await deliver_notices(self.db, self.notices, default_locale=self.service.default_locale)
        return person

    async def _mention(self, event: dict[str, Any], thread: str) -> None:
        user, where = str(event["user"]), str(event["channel"])
        person = await self._identified(user)
        if person is None:
            await self.channel.post(where, [self.service.unknown_user()], thread_ts=thread)
            return
        text = plain_from_slack(_MENTION.sub("", str(event.get("text") or "")))
        query = parse_leader_query(text)
        if query is None:
            t = self.service.texts_for(person.locale)
            replies = [
                Reply(
                    t(
                        "In a channel I answer «status», «status» followed by an area or an institution, and "
                        "«hvem mangler?». To register your board's local goals, write to me in a direct message."
                    ),
                    kind="help",
                )
            ]
        else:
            replies = await self.service.overview.answer(person.id, query, person.locale)
        await self.channel.post(where, replies, thread_ts=thread)

    # -- /maal ---------------------------------------------------------------------------------------
    async def on_command(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        self.background.spawn(self._command(body), key=f"user:{body['user_id']}")

    async def _command(self, body: dict[str, Any]) -> None:
        user, response_url = str(body["user_id"]), str(body["response_url"])
        text = plain_from_slack(str(body.get("text") or "")).strip()
        person = await self._identified(user)
        if person is None:
            await self.channel.respond(response_url, [self.service.unknown_user()])
            return
        t = self.service.texts_for(person.locale)
        word = text.split(maxsplit=1)[0].casefold() if text else ""
        if word in ("start", "begynd", "fortsæt", "resume"):
            dm = await self.channel.dm_channel(user)
            await self._turn(Inbound(PLATFORM, user, text="start"), dm)
            if body.get("channel_id") != dm:
                await self.channel.respond(response_url, [Reply(t("I have written to you in a direct message."))])
            return
        query = None if word in _HELP_WORDS else parse_leader_query(text)
        replies = await self.service.overview.answer(person.id, query, person.locale) if query else [self.help(t)]
        await self.channel.respond(response_url, replies)

    def help(self, t: Any) -> Reply:
        lines = [
            t("I help school and daycare boards register their local goals. In Slack you can use:"),
            t("• «/maal start» starts or resumes your board's registration in a direct message"),
            t("• «/maal status» shows how far the boards you can see have come"),
            t("• «/maal status Område Nord» or «/maal status Solsikken» shows one area or institution"),
            t("• «/maal hvem-mangler» lists the boards that have not submitted yet"),
            t("• «/maal hjælp» shows this help"),
        ]
        return Reply("\n".join(lines), kind="help")

    # -- buttons -----------------------------------------------------------------------------------
    async def on_button(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        action = (body.get("actions") or [{}])[0]
        value = action.get("value")
        user = str(body["user"]["id"])
        if not value:
            return
        container = body.get("container") or {}
        work: Coroutine[Any, Any, object]
        if container.get("type") == "view":
            work = self._home_button(user, str(value))
        elif container.get("is_ephemeral") and body.get("response_url"):
            work = self._turn(Inbound(PLATFORM, user, choice=str(value)), None, response_url=str(body["response_url"]))
        else:
            work = self._message_button(body, user, str(value))
        self.background.spawn(work, key=f"user:{user}")

    async def _message_button(self, body: dict[str, Any], user: str, value: str) -> None:
        channel = str((body.get("channel") or {}).get("id") or body["container"]["channel_id"])
        message = body.get("message") or {}
        person = await self._turn(Inbound(PLATFORM, user, choice=value), channel)
        blocks = list(message.get("blocks") or [])
        label = label_of(blocks, value)
        if label is None or not message.get("ts"):
            return
        t = self.service.texts_for(person.locale if person else None)
        try:  # the pressed message shows what was chosen, so old buttons are not pressed again
            await self.channel.client.chat_update(
                channel=channel,
                ts=str(message["ts"]),
                blocks=chosen_blocks(blocks, t("You chose: {label}", label=label)),
                text=str(message.get("text") or ""),
            )
        except SlackApiError as exc:
            log.info("could not mark the pressed button: %s", exc.response.get("error"))

    async def _home_button(self, user: str, value: str) -> None:
        await self._turn(Inbound(PLATFORM, user, choice=value), None)
        await self.publish_home(user)

    # -- App Home ------------------------------------------------------------------------------------
    async def publish_home(self, user: str) -> None:
        person = await self._identified(user)
        view = await home.home_view(self.service, person)
        await self.channel.client.views_publish(user_id=user, view=view)

    async def on_edit_button(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        user = str(body["user"]["id"])
        value = str((body.get("actions") or [{}])[0].get("value") or "")
        # trigger_id is valid for 3 seconds: open the modal right after the acknowledgement
        self.background.spawn(self._open_edit(user, value, str(body["trigger_id"])), key=f"user:{user}")

    async def _open_edit(self, user: str, value: str, trigger_id: str) -> None:
        person = await self._identified(user)
        view = await home.edit_modal(self.service, person, value) if person else None
        if view is not None:
            await self.channel.client.views_open(trigger_id=trigger_id, view=view)

    async def on_edit_submitted(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        # Validation errors can only be shown in the acknowledgement, so this listener saves first.
        user = str(body["user"]["id"])
        person = await self._identified(user)
        if person is None:
            await ack()
            return
        errors = await home.save_edit(self.service, person, user, view)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        await ack()
        self.background.spawn(self.publish_home(user), key=f"home:{user}")


__all__ = ["SlackHandlers"]
