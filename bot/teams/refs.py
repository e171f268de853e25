"""Conversation references from incoming Teams activities, stored so the bot can write first."""

from __future__ import annotations

from typing import Any

from microsoft_agents.activity import Activity, ConversationReference

from storage import conversation_refs
from storage.db import Database

PLATFORM = "teams"


def conversation_kind(activity: Activity) -> str:
    kind = (activity.conversation.conversation_type if activity.conversation else None) or "personal"
    return {"personal": conversation_refs.PERSONAL, "channel": conversation_refs.CHANNEL}.get(
        kind, conversation_refs.GROUP
    )


def channel_id_of(activity: Activity) -> str | None:
    """The Teams channel id ("19:...@thread.tacv2") of a channel activity, without a thread suffix."""
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    channel = (data.get("channel") or {}).get("id")
    if channel:
        return str(channel)
    if activity.conversation and activity.conversation.id:
        return activity.conversation.id.split(";", 1)[0]
    return None


def tenant_of(activity: Activity) -> str | None:
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = (data.get("tenant") or {}).get("id")
    if tenant:
        return str(tenant)
    return activity.conversation.tenant_id if activity.conversation else None


def conversation_key(activity: Activity) -> str:
    """Personal and group chats by conversation id; a channel by its channel id (not one thread)."""
    if conversation_kind(activity) == conversation_refs.CHANNEL:
        return channel_id_of(activity) or ""
    return activity.conversation.id if activity.conversation else ""


def reference_json(activity: Activity) -> dict[str, Any]:
    reference = activity.get_conversation_reference()
    data: dict[str, Any] = reference.model_dump(mode="json", by_alias=True, exclude_none=True)
    data.pop("activityId", None)
    data.pop("requestId", None)  # new on every activity: keeping it would rewrite the row every turn
    if conversation_kind(activity) == conversation_refs.CHANNEL:
        data["conversation"] = {**data.get("conversation", {}), "id": conversation_key(activity)}
    tenant = tenant_of(activity)
    if tenant:
        data["conversation"] = {**data.get("conversation", {}), "tenantId": tenant}
    return data


def reference_from_json(data: dict[str, Any]) -> ConversationReference:
    return ConversationReference.model_validate(data)


async def remember(db: Database, activity: Activity, person_id: int | None = None) -> None:
    """Store (or refresh) the reference of the conversation this activity came from."""
    key = conversation_key(activity)
    if not key or not activity.service_url:
        return
    await conversation_refs.upsert(db, PLATFORM, key, conversation_kind(activity), reference_json(activity), person_id)
