"""Slack requests → a neutral `Job` in the inbox → acknowledged → the durable turn, after the ack.

Every listener converts the request, stores it (`Pipeline.accept`, one short transaction) and only
then acknowledges; the turn runs in `Background`, one at a time per user, and its replies leave
through the outbox. A storage failure before the ack leaves Slack unacknowledged (it retries); a
retry of a request whose turn is done is acknowledged and ignored. bolt runs with
`process_before_response=True`, so the HTTP answer goes out as soon as the listener returns."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.errors import SlackApiError

from bot.outbound import Pipeline
from bot.slack import home
from bot.slack.background import Background
from bot.slack.channel import PLATFORM, SlackChannel
from bot.slack.platform import SlackPlatform
from bot.slack.render import chosen_blocks, label_of, plain_from_slack
from dialogs.messages import Inbound
from dialogs.service import ConversationService
from dialogs.turns import QUESTION, TURN, Job, TurnResult

log = logging.getLogger("maalbot.slack")
_MENTION = re.compile(r"^\s*(?:<@[A-Z0-9]+(?:\|[^>]*)?>\s*)+")
_START_WORDS = ("start", "begynd", "fortsæt", "resume")


def dm_conversation(user: str) -> str:
    """A person's own conversation with the bot (DM, App Home, /maal start): replies in one order."""
    return f"user:{user}"


class SlackHandlers:
    def __init__(
        self, service: ConversationService, pipeline: Pipeline, channel: SlackChannel, background: Background
    ) -> None:
        self.service = service
        self.pipeline = pipeline
        self.channel = channel
        self.background = background

    @property
    def platform(self) -> SlackPlatform:
        platform = self.pipeline.platforms[PLATFORM]
        assert isinstance(platform, SlackPlatform)
        return platform

    def register(self, bolt: AsyncApp) -> None:
        bolt.event("message")(self.on_message)
        bolt.event("app_mention")(self.on_mention)
        bolt.event("app_home_opened")(self.on_home_opened)
        bolt.command("/maal")(self.on_command)
        bolt.action(home.EDIT_ACTION)(self.on_edit_button)
        bolt.action(re.compile(r".*"))(self.on_button)
        bolt.view(home.EDIT_CALLBACK)(self.on_edit_submitted)

    async def _accept(
        self,
        ack: AsyncAck,
        key: str,
        job: Job,
        *,
        ack_text: str | None = None,
        then: Callable[[], Awaitable[None]] | None = None,  # view updates (App Home, the pressed button)
    ) -> None:
        """Inbox first, then the acknowledgement (which may carry a short text: a slash command's own
        answer, part of the HTTP response), then the replies (after the HTTP answer). A plain turn of a
        user linked already, with no earlier work of theirs still running, is run in the inbox row's own
        transaction (`Pipeline.store`: a few ms before the acknowledgement, one transaction less);
        anything else (a question, a first contact, a burst) runs after the acknowledgement, in order."""
        user = job.inbound.user_key
        result: TurnResult | None = None
        if self.platform.is_linked(user) and not self.background.busy(f"user:{user}"):  # no ack if storage fails
            recorded, result = await self.pipeline.store(key, job)
        else:
            recorded = await self.pipeline.accept(key, job)
        await (ack(text=ack_text) if ack_text else ack())
        if recorded.done:
            log.info("Slack retry of %s ignored (already handled)", key)
            return

        async def work() -> None:
            await self.pipeline.proceed(job, recorded.id, result)
            if then is not None:
                await then()

        self.background.spawn(work(), key=f"user:{user}")

    # -- events ------------------------------------------------------------------------------------
    async def on_message(self, ack: AsyncAck, body: dict[str, Any], event: dict[str, Any]) -> None:
        # Only what a person wrote in the DM: no edits, joins or bot messages (our own would loop).
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id") or not event.get("user"):
            await ack()
            return
        user, channel = str(event["user"]), str(event["channel"])
        self.channel.remember_dm(user, channel)
        text = plain_from_slack(str(event.get("text") or ""))
        job = Job(TURN, Inbound(PLATFORM, user, text=text), dm_conversation(user), {"channel": channel})
        await self._accept(ack, _event_key(body, event), job)

    async def on_mention(self, ack: AsyncAck, body: dict[str, Any], event: dict[str, Any]) -> None:
        if event.get("bot_id") or not event.get("user"):
            await ack()
            return
        user, where = str(event["user"]), str(event["channel"])
        thread = str(event.get("thread_ts") or event["ts"])
        text = plain_from_slack(_MENTION.sub("", str(event.get("text") or "")))
        job = Job(
            QUESTION, Inbound(PLATFORM, user, text=text), f"{where}:{thread}",
            {"channel": where, "thread_ts": thread}, where="channel",
        )  # fmt: skip
        await self._accept(ack, _event_key(body, event), job)

    async def on_home_opened(self, ack: AsyncAck, body: dict[str, Any], event: dict[str, Any]) -> None:
        await ack()  # a view, not a message: published again on every opening, nothing to keep
        if event.get("tab", "home") != "home":
            return
        self.background.spawn(self.publish_home(str(event["user"])), key=f"home:{event['user']}")

    # -- /maal ---------------------------------------------------------------------------------------
    async def on_command(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        user, response_url = str(body["user_id"]), str(body["response_url"])
        text = plain_from_slack(str(body.get("text") or "")).strip()
        word = text.split(maxsplit=1)[0].casefold() if text else ""
        key = f"command:{body.get('trigger_id') or response_url}"
        if word in _START_WORDS:
            job = Job(TURN, Inbound(PLATFORM, user, text="start"), dm_conversation(user), {"user": user})
            await self._accept(ack, key, job, ack_text=await self._written_to(user, body))
            return
        job = Job(
            QUESTION, Inbound(PLATFORM, user, text=text), f"command:{body.get('trigger_id')}",
            {"response_url": response_url}, where="command",
        )  # fmt: skip
        await self._accept(ack, key, job)

    async def _written_to(self, user: str, body: dict[str, Any]) -> str | None:
        """«/maal start» outside the DM: the command's acknowledgement says where the conversation went
        (sent as the HTTP answer itself, so nothing leaves the bot beside the outbox)."""
        if body.get("channel_name") == "directmessage":
            return None
        person = await self.service.identify(PLATFORM, user)
        t = self.service.texts_for(person.locale if person else None)
        return t("I have written to you in a direct message.")

    # -- buttons -----------------------------------------------------------------------------------
    async def on_button(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        action = (body.get("actions") or [{}])[0]
        value = action.get("value")
        user = str(body["user"]["id"])
        if not value:
            await ack()
            return
        container = body.get("container") or {}
        inbound = Inbound(PLATFORM, user, choice=str(value))
        key = f"action:{body.get('trigger_id') or action.get('action_ts')}:{user}"
        if container.get("type") == "view":
            job = Job(TURN, inbound, dm_conversation(user), {"user": user})
            await self._accept(ack, key, job, then=lambda: self.publish_home(user))
        elif container.get("is_ephemeral") and body.get("response_url"):
            job = Job(TURN, inbound, dm_conversation(user), {"response_url": str(body["response_url"])})
            await self._accept(ack, key, job)
        else:
            channel = str((body.get("channel") or {}).get("id") or container["channel_id"])
            job = Job(TURN, inbound, dm_conversation(user), {"channel": channel})
            await self._accept(ack, key, job, then=lambda: self._mark_pressed(body, user, channel, str(value)))

    async def _mark_pressed(self, body: dict[str, Any], user: str, channel: str, value: str) -> None:
        """The pressed message shows what was chosen, so old buttons are not pressed again."""
        message = body.get("message") or {}
        blocks = list(message.get("blocks") or [])
        label = label_of(blocks, value)
        if label is None or not message.get("ts"):
            return
        person = await self.channel.person(user)
        t = self.service.texts_for(person.locale if person else None)
        try:
            await self.channel.client.chat_update(
                channel=channel,
                ts=str(message["ts"]),
                blocks=chosen_blocks(blocks, t("You chose: {label}", label=label)),
                text=str(message.get("text") or ""),
            )
        except SlackApiError as exc:
            log.info("could not mark the pressed button: %s", exc.response.get("error"))

    # -- App Home ------------------------------------------------------------------------------------
    async def publish_home(self, user: str) -> None:
        person = await self.channel.person(user)
        view = await home.home_view(self.service, person)
        await self.channel.client.views_publish(user_id=user, view=view)

    async def on_edit_button(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        user = str(body["user"]["id"])
        value = str((body.get("actions") or [{}])[0].get("value") or "")
        # trigger_id is valid for 3 seconds: open the modal right after the acknowledgement
        self.background.spawn(self._open_edit(user, value, str(body["trigger_id"])), key=f"user:{user}")

    async def _open_edit(self, user: str, value: str, trigger_id: str) -> None:
        person = await self.channel.person(user)
        view = await home.edit_modal(self.service, person, value) if person else None
        if view is not None:
            await self.channel.client.views_open(trigger_id=trigger_id, view=view)

    async def on_edit_submitted(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        # Validation errors can only be shown in the acknowledgement, so this listener saves first.
        user = str(body["user"]["id"])
        person = await self.channel.person(user)
        if person is None:
            await ack()
            return
        errors = await home.save_edit(self.service, person, user, view)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        await ack()
        self.background.spawn(self.publish_home(user), key=f"home:{user}")


def _event_key(body: dict[str, Any], event: dict[str, Any]) -> str:
    """Slack's event_id (the same on every retry); an event without one by its channel and ts."""
    if body.get("event_id"):
        return str(body["event_id"])
    return f"event:{event.get('channel')}:{event.get('ts') or event.get('event_ts')}"


__all__ = ["SlackHandlers"]
