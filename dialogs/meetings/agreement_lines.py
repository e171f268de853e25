"""Agreements as lines for a leader's status, the status page and the exports: what, who owns it, by
when, and whether it was kept («holdt / delvist holdt / ikke holdt / åben»). Open ones first."""

from __future__ import annotations

from dataclasses import dataclass

from dialogs.messages import Reply
from dialogs.reminders.render import long_date
from dialogs.texts import Texts
from storage.meeting_models import AgreementStatus
from storage.meetings import AgreementView

_ORDER = {AgreementStatus.OPEN.value: 0, AgreementStatus.NOT_KEPT.value: 1, AgreementStatus.PARTLY.value: 2}


def agreement_state(t: Texts, status: str) -> str:
    """An agreement's state in a word or two, as a leader reads it in a list."""
    labels = {
        AgreementStatus.OPEN.value: t("open"),
        AgreementStatus.KEPT.value: t("kept"),
        AgreementStatus.PARTLY.value: t("partly kept"),
        AgreementStatus.NOT_KEPT.value: t("not kept"),
    }
    return labels.get(status, status)


@dataclass(frozen=True, slots=True)
class AgreementLine:
    text: str
    owner: str
    due: str
    state: str
    status: str
    follow_up: str


def agreement_lines(t: Texts, found: list[AgreementView]) -> list[AgreementLine]:
    """The agreements, open first and then by due date, each with its words filled in."""
    ordered = sorted(found, key=lambda a: (_ORDER.get(a.status, 3), a.due_on, a.id))
    return [
        AgreementLine(
            a.text,
            a.owner_name or t("no owner"),
            long_date(t, a.due_on),
            agreement_state(t, a.status),
            a.status,
            a.follow_up_text or "",
        )
        for a in ordered
    ]


def agreement_facts(t: Texts, found: list[AgreementView]) -> list[tuple[str, str]]:
    """One fact per agreement for a chat reply: «what» → «owner · due date · state»."""
    return [
        (line.text, t("{owner} · due {date} · {state}", owner=line.owner, date=line.due, state=line.state))
        for line in agreement_lines(t, found)
    ]


def agreements_reply(t: Texts, found: list[AgreementView], max_facts: int) -> Reply | None:
    """An institution's agreements as one status reply (open first, at most `max_facts` lines), or None."""
    if not found:
        return None
    still_open = sum(1 for a in found if a.status == AgreementStatus.OPEN.value)
    facts = agreement_facts(t, found)
    if len(facts) > max_facts:
        facts = [*facts[: max_facts - 1], ("…", t("and {n} more", n=len(facts) - max_facts + 1))]
    text = t.plural("{n} open agreement.", "{n} open agreements.", still_open)
    return Reply(text, facts=tuple(facts), title=t("Agreements"), kind="status")
