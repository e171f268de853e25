"""Teams as a `bot.outbound.Platform`: render replies as Adaptive Card activities, and send one to the
conversation a turn came from (its stored conversation reference), through the Agents SDK's adapter
(tokens, service URL) but posted by us, so the activity carries no null fields: the SDK's
continuation activity would add `"id": null` and `"locale": null`, which its own Activity schema and
Agents Playground reject. One attempt per call; the deliverer retries (429 with Retry-After, 412,
5xx, timeouts); 403/404 and other 4xx are permanent."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiohttp import ClientConnectionError, ClientResponseError
from microsoft_agents.activity import Activity, ConversationReference
from microsoft_agents.hosting.core import TurnContext
from microsoft_agents.hosting.core.authorization import ClaimsIdentity
from microsoft_agents.hosting.core.connector import ConnectorClientBase

from bot.delivery import Notifier, SendResult
from bot.teams import refs
from bot.teams.notifier import TeamsNotifier, describe_error
from bot.teams.reminders import TeamsReminderNotifier
from bot.teams.render import card_activities
from dialogs.messages import Reply
from dialogs.texts import texts

TRANSIENT_STATUSES = frozenset({408, 412, 429, 500, 502, 503, 504})


def outgoing(activity: Activity, reference: ConversationReference) -> Activity:
    """`activity` addressed by `reference`, with every field that would be null left out."""
    addressed = activity.model_copy(deep=True)
    addressed.apply_conversation_reference(reference, is_incoming=False)
    data = addressed.model_dump(mode="json", by_alias=True, exclude_none=True)
    data.pop("id", None)  # the connector gives the new activity its id
    return Activity.model_validate(data)


async def post_activity(
    context: TurnContext, activity: Activity, reference: ConversationReference | None = None
) -> None:
    """Post one activity: in answer to the activity `reference` names (a reply), or, without a
    reference, as a new message in the context's conversation (proactive)."""
    connector = context.services.get(ConnectorClientBase)  # type: ignore[type-abstract]
    if connector is None:
        raise RuntimeError("no connector client in the turn context")
    if reference is None:
        reference = context.activity.get_conversation_reference()
        reference.activity_id = None
    out = outgoing(activity, reference)
    conversation_id = out.conversation.id if out.conversation else ""
    if out.reply_to_id:
        await connector.conversations.reply_to_activity(conversation_id, out.reply_to_id, out)
    else:
        await connector.conversations.send_to_conversation(conversation_id, out)


def classify(error: BaseException) -> SendResult:
    if isinstance(error, ClientResponseError):
        if error.status in TRANSIENT_STATUSES or error.status >= 500:
            retry_after = error.headers.get("Retry-After") if error.headers else None
            try:
                wait = max(0.0, float(retry_after)) if retry_after is not None else None
            except ValueError:
                wait = None
            return SendResult.transient(f"HTTP {error.status}", wait)
        return SendResult.permanent(f"HTTP {error.status}")
    if isinstance(error, (ClientConnectionError, TimeoutError)):
        return SendResult.transient(type(error).__name__)
    return SendResult.transient(describe_error(error))


class TeamsPlatform:
    name = refs.PLATFORM

    def __init__(self, notifier: TeamsNotifier) -> None:
        self.teams = notifier
        self.notifier: Notifier = TeamsReminderNotifier(notifier)

    async def ensure_person(self, user_key: str) -> None:
        """Nothing to do after the fact: a Teams user is identified in the turn, with its connector."""

    async def find_person(self, email: str) -> str | None:
        """None: the Bot Connector cannot look a user up by email (that needs the team roster or Graph).
        A Teams member is reached once they wrote to the bot, through the reference stored then."""
        return None

    def render(self, replies: list[Reply], locale: str | None) -> Sequence[Activity]:
        return card_activities(replies, texts(locale or self.teams.default_locale))

    async def send_part(self, to: dict[str, Any], part: Activity) -> SendResult:
        data = dict(to.get("reference") or {})
        if not data:
            return SendResult.permanent("no conversation reference")
        reference = refs.reference_from_json(data)
        failure: list[BaseException] = []

        async def callback(context: TurnContext) -> None:
            try:
                await post_activity(context, part, reference)
            except Exception as exc:  # classified below, outside the SDK's turn-error handler
                failure.append(exc)

        continuation = reference.get_continuation_activity()
        continuation.id = None
        if self.teams.anonymous:
            await self.teams.adapter.continue_conversation_with_claims(ClaimsIdentity(), continuation, callback)
        else:
            await self.teams.adapter.continue_conversation(self.teams.app_id, continuation, callback)
        return classify(failure[0]) if failure else SendResult.ok()
