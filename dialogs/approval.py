"""The administration approves, returns and reopens registrations from the chat.

    godkend Solsikken                       approve Solsikken
    send retur Solsikken: mangler målinger  return Solsikken: measurements are missing
    genåbn Solsikken [som kladde]           reopen Solsikken [as draft]

Names are matched forgivingly (`dialogs.overview.match_names`); an ambiguous name gets a choice.
Only admins may decide; anyone else is refused without a word about which institutions exist.
`Approvals.perform` is shared with the command line (`bot/cli_admin.py`)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from dialogs import views
from dialogs.approval_changes import (
    CHANGED,
    Difference,
    changes_since_submit,
    difference_lines,
    render_approval_notice,
)
from dialogs.cleaning import clean_text
from dialogs.messages import Choice, Reply
from dialogs.overview import BOT_PREFIX, match_names
from dialogs.strategy import Strategy, strategy_from_definition
from dialogs.texts import Texts, texts
from storage import approval, registrations, strategies
from storage.approval import ApprovalError, ChangedAfterSubmit, Decision
from storage.db import Database
from storage.models import RegistrationStatus

ACTIONS = ("approve", "return", "reopen")
CHOICE_PREFIX = "admin:"

_VERBS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("approve", re.compile(r"^(?:godkend|approve)\b\s*(.*)$", re.IGNORECASE | re.DOTALL)),
    (
        "return",
        re.compile(r"^(?:send\s+retur|returner|returnér|return|send\s+back)\b\s*(.*)$", re.IGNORECASE | re.DOTALL),
    ),
    ("reopen", re.compile(r"^(?:genåbn|genåben|genaabn|reopen)\b\s*(.*)$", re.IGNORECASE | re.DOTALL)),
)
_AS_DRAFT = re.compile(r"\s+(?:som|til|as|to)\s+(?:kladde|draft)$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class AdminCommand:
    action: str  # approve | return | reopen
    target: str  # the institution as written
    comment: str | None = None
    to: str = RegistrationStatus.SUBMITTED.value  # reopen: submitted | draft
    version: int | None = None  # approve: the version changed after submit that the admin chose to approve


def parse_admin_command(text: str) -> AdminCommand | None:
    """An admin's decision, if the message is one; the comment keeps its case and spelling."""
    cleaned = BOT_PREFIX.sub("", clean_text(text))
    for action, pattern in _VERBS:
        match = pattern.match(cleaned)
        if match is None:
            continue
        rest = match.group(1).strip()
        target, sep, comment = rest.partition(":")
        target = " ".join(target.split())
        to = RegistrationStatus.SUBMITTED.value
        if action == "reopen" and _AS_DRAFT.search(" " + target):
            target = _AS_DRAFT.sub("", " " + target).strip()
            to = RegistrationStatus.DRAFT.value
        if not target:
            return None
        return AdminCommand(action, target, comment.strip() or None if sep else None, to)
    return None


def admin_choice_id(command: AdminCommand) -> str:
    """A button id that carries the whole command (for a choice between similar names)."""
    fields: list[Any] = [command.action, command.target, command.comment, command.to]
    if command.version is not None:
        fields.append(command.version)
    return CHOICE_PREFIX + json.dumps(fields, ensure_ascii=False)


def parse_admin_choice(choice: str) -> AdminCommand | None:
    """The command behind a button from `admin_choice_id`; None for anything else or a forged id."""
    if not choice.startswith(CHOICE_PREFIX):
        return None
    try:
        action, target, comment, to, *more = json.loads(choice.removeprefix(CHOICE_PREFIX))
    except (ValueError, TypeError):
        return None
    version = more[0] if len(more) == 1 and isinstance(more[0], int) and not isinstance(more[0], bool) else None
    if more and version is None:
        return None
    if action not in ACTIONS or not isinstance(target, str) or not target:
        return None
    if to not in (RegistrationStatus.SUBMITTED.value, RegistrationStatus.DRAFT.value):
        return None
    return AdminCommand(action, target, comment if isinstance(comment, str) and comment else None, to, version)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What `perform` did or why not. `code`: done | not_admin | no_strategy | unknown | ambiguous |
    not_started | wrong_status | needs_comment | changed (approve: changed after it was submitted; `version`
    and `changes` say what the admin is asked to approve)."""

    code: str
    decision: Decision | None = None
    names: tuple[str, ...] = ()
    status: str | None = None
    version: int | None = None
    changes: tuple[Difference, ...] = ()
    strategy: Strategy | None = None


def render_admin_notice(t: Texts, kind: str, params: dict[str, Any]) -> str | None:
    """The board's notice of an admin decision, or None when `kind` is not one of these."""
    sent_in = render_approval_notice(t, kind, params)  # sending in, and changes after it
    if sent_in is not None:
        return sent_in
    comment = str(params.get("comment") or "")
    institution = params.get("institution", "")
    if kind == "approved":
        text = t(
            "The administration has approved the registration for {institution}. It is now locked.",
            institution=institution,
        )
    elif kind == "returned":
        text = t(
            "The administration has returned the registration for {institution} for changes. "
            "Write «review» to see it, make the changes, and submit it again.",
            institution=institution,
        )
    elif kind == "reopened":
        text = t(
            "The administration has reopened the registration for {institution}, so it can be changed again.",
            institution=institution,
        )
    else:
        return None
    if comment:
        text += "\n" + t("Comment from the administration: {comment}", comment=comment)
    return text


class Approvals:
    def __init__(
        self, db: Database, *, default_locale: str = "da", clock: Callable[[], datetime] | None = None
    ) -> None:
        self.db = db
        self.default_locale = default_locale
        self.clock = clock or (lambda: datetime.now(UTC))

    async def perform(self, person_id: int, command: AdminCommand, strategy_key: str | None = None) -> Outcome:
        """Check the person, find the registration by name and decide, in one transaction."""
        async with self.db.transaction() as s:
            if not await approval.is_admin(s, person_id):
                return Outcome("not_admin")
            if command.action == "return" and not command.comment:
                return Outcome("needs_comment")
            if strategy_key is None:
                row = await strategies.active_strategy(s)
            else:
                row = await strategies.strategy_by_key(s, strategy_key)
            if row is None:
                return Outcome("no_strategy")
            names = await approval.institution_names(s)
            found = match_names(command.target, sorted(names))
            if not found:
                return Outcome("unknown")
            if len(found) > 1:
                return Outcome("ambiguous", names=tuple(found))
            name = found[0]
            reg = await registrations.find_registration(s, names[name], row.id)
            if reg is None:
                return Outcome("not_started", names=(name,))
            now = self.clock()
            try:
                if command.action == "approve":
                    decision = await approval.approve(
                        s, reg.id, person_id, now=now, comment=command.comment, changed_version=command.version
                    )
                elif command.action == "return":
                    decision = await approval.return_registration(s, reg.id, person_id, command.comment or "", now=now)
                else:
                    to = RegistrationStatus(command.to)
                    decision = await approval.reopen(s, reg.id, person_id, now=now, to=to, comment=command.comment)
            except ApprovalError as exc:
                return Outcome("wrong_status", names=(name,), status=exc.status)
            except ChangedAfterSubmit as exc:
                changed = await changes_since_submit(s, reg.id)
                strategy = strategy_from_definition(row.definition)
                return Outcome("changed", names=(name,), status=CHANGED, version=exc.version, changes=changed,
                               strategy=strategy)  # fmt: skip
            return Outcome("done", decision=decision, names=(name,))

    async def answer(self, person_id: int, command: AdminCommand, locale: str | None) -> list[Reply]:
        t = texts(locale or self.default_locale)
        return self.render(t, command, await self.perform(person_id, command))

    def render(self, t: Texts, command: AdminCommand, outcome: Outcome) -> list[Reply]:
        code = outcome.code
        if code == "done" and outcome.decision is not None:
            return [Reply(self._done(t, outcome.decision), kind="status")]
        if code == "not_admin":
            return [Reply(t("Only the administration can approve, return or reopen registrations."), kind="error")]
        if code == "needs_comment":
            return [
                Reply(
                    t(
                        "Please tell the board what to change, after a colon: «send retur {name}: what is missing».",
                        name=command.target,
                    ),
                    kind="error",
                )
            ]
        if code == "no_strategy":
            return [Reply(t("No strategy has been loaded yet."), kind="error")]
        if code == "unknown":
            return [Reply(t("I cannot find an institution called «{name}».", name=command.target), kind="error")]
        if code == "ambiguous":
            choices = tuple(
                Choice(admin_choice_id(AdminCommand(command.action, n, command.comment, command.to)), n)
                for n in outcome.names[:10]
            )
            return [Reply(t("Which one do you mean?"), choices=choices, kind="question")]
        name = outcome.names[0] if outcome.names else command.target
        if code == "changed":
            return [self._changed(t, command, outcome, name)]
        if code == "not_started":
            return [Reply(t("{institution} has not started its registration yet.", institution=name), kind="error")]
        status = views.status_label(t, outcome.status or "")
        if command.action == "approve":
            text = t(
                "Only a submitted registration can be approved; the one for {institution} is {status}.",
                institution=name,
                status=status,
            )
        elif command.action == "return":
            text = t(
                "Only a submitted or approved registration can be returned; the one for {institution} is {status}.",
                institution=name,
                status=status,
            )
        else:
            text = t(
                "Only an approved registration can be reopened; the one for {institution} is {status}.",
                institution=name,
                status=status,
            )
        return [Reply(text, kind="error")]

    @staticmethod
    def _changed(t: Texts, command: AdminCommand, outcome: Outcome, name: str) -> Reply:
        """Approving a registration changed after it was submitted: what changed, and a choice."""
        text = t(
            "The registration for {institution} has been changed since it was submitted, and the chair has not "
            "submitted it again. I have not approved it.",
            institution=name,
        )
        if outcome.strategy is not None and outcome.changes:
            lines = difference_lines(t, outcome.strategy, list(outcome.changes))
            text += "\n" + t("Changed since it was submitted:") + "".join(f"\n• {line}" for line in lines)
        text += "\n" + t("Do you want to approve the changed version, or wait until the chair has submitted it again?")
        confirm = AdminCommand("approve", name, command.comment, version=outcome.version)
        choices = (
            Choice(admin_choice_id(confirm), t("Approve the changed version")),
            Choice(f"status:{name}", t("Show the registration")),
        )
        return Reply(text, choices=choices, kind="question")

    @staticmethod
    def _done(t: Texts, decision: Decision) -> str:
        told = t.plural(
            "{n} person on the board has been told.", "{n} people on the board have been told.", decision.notified
        )
        if decision.after == RegistrationStatus.APPROVED.value:
            text = t("The registration for {institution} is approved and locked.", institution=decision.institution)
        elif decision.after == RegistrationStatus.RETURNED.value:
            text = t(
                "The registration for {institution} has been returned to the board with your comment.",
                institution=decision.institution,
            )
        else:
            text = t(
                "The registration for {institution} is reopened and is now {status}.",
                institution=decision.institution,
                status=views.status_label(t, decision.after),
            )
        return f"{text} {told}"
