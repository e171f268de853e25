"""Messages for people other than the one writing, rendered in the reader's language."""

from __future__ import annotations

from typing import Any

from dialogs.approval import render_admin_notice
from dialogs.texts import Texts


def render_notice(t: Texts, kind: str, params: dict[str, Any]) -> str:
    admin = render_admin_notice(t, kind, params)
    if admin is not None:
        return admin
    if kind == "ready_for_chair":
        return t(
            "{name} has been through the registration for {institution}, and it is ready for you to submit. "
            "Write «review» to see it.",
            **params,
        )
    if kind == "submitted":
        return t("{name} has submitted the registration for {institution} to the administration.", **params)
    return t("You have a new message from Målbot.")
