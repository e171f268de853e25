"""What the people who decide read: a registration's content («vis Solsikken»), what changed since it
was returned or submitted, and the queue of registrations awaiting a decision («til godkendelse»).

Chat-sized: one message per strategic goal, each local goal in a few short lines (a goal with many
local goals is split at a local goal, never inside one); the queue names the `MAX_QUEUE` waiting longest
and counts the rest."""

from __future__ import annotations

from typing import Any

from dialogs import views
from dialogs.approval_changes import CHANGED, difference_lines, differences
from dialogs.messages import Reply
from dialogs.reminders.render import long_date
from dialogs.strategy import QuestionKind, Strategy
from dialogs.texts import Texts
from storage import approval, people, policy, registrations, snapshots, strategies
from storage.db import Database
from storage.progress import InstitutionProgress
from storage.registrations import DraftData, LocalGoalData, QuestionKinds

MAX_CHARS = 2500  # per message: under Slack's 3,000 characters per section, and short in Teams
MAX_QUEUE = 15  # registrations named in the queue; the rest are counted


def _kinds(strategy: Strategy) -> QuestionKinds:
    return QuestionKinds(strategy.first_question.key, {q.key: q.kind.value for q in strategy.questions})


def _value(t: Texts, strategy: Strategy, key: str, value: Any) -> str:
    question = strategy.question(key)
    if question.kind is QuestionKind.LIST:
        return "; ".join(str(v) for v in value)
    if question.kind is QuestionKind.MEASUREMENT:
        parts = [str(value.get("method") or "")]
        if value.get("dates"):
            parts.append(t("When: {when}", when=views.format_dates(value["dates"], t.locale)))
        elif value.get("when"):
            parts.append(t("When: {when}", when=value["when"]))
        return " · ".join(p for p in parts if p)
    return views.answer_text(t, strategy, key, value)


def local_goal_lines(t: Texts, strategy: Strategy, lg: LocalGoalData) -> list[str]:
    """One local goal in a few lines: «1.1 the goal», then one line per answered question."""
    first = strategy.first_question.key
    lines = [f"{lg.goal_number}.{lg.position} {lg.answers.get(first, '')}"]
    for q in strategy.questions:
        if q.key == first:
            continue
        value = lg.answers.get(q.key)
        label = views.short_label(t, strategy, q.key, lg.goal_number)
        if value in (None, "", [], {}):
            lines.append(f"   {label}: {t('(not answered)')}")
        else:
            lines.append(f"   {label}: {_value(t, strategy, q.key, value)}")
    return lines


def content_replies(t: Texts, strategy: Strategy, draft: DraftData) -> list[Reply]:
    """The registration's content: per strategic goal, its local goals with interventions, measurement and
    when; split at a local goal when a message would grow past `MAX_CHARS`."""
    replies = []
    for goal in strategy.goals:
        title = views.goal_heading(t, strategy, goal.number)
        blocks = ["\n".join(local_goal_lines(t, strategy, lg)) for lg in draft.goals_under(goal.number)]
        if not blocks:
            replies.append(Reply(t("Nothing registered yet."), title=title, kind="status"))
            continue
        chunk: list[str] = []
        for block in blocks:
            if chunk and len("\n\n".join([*chunk, block])) > MAX_CHARS:
                replies.append(Reply("\n\n".join(chunk), title=title, kind="status"))
                chunk, title = [], ""
            chunk.append(block[: MAX_CHARS - 1] + "…" if len(block) > MAX_CHARS else block)
        replies.append(Reply("\n\n".join(chunk), title=title, kind="status"))
    return replies


def status_words(t: Texts, status: str, changed_after_submit: bool) -> str:
    """The status word, with the mark «changed after submission» while it is on."""
    word = views.status_label(t, status)
    return word + " · " + views.status_label(t, CHANGED) if changed_after_submit else word


async def institution_replies(db: Database, t: Texts, strategy: Strategy, row: InstitutionProgress) -> list[Reply]:
    """«vis Solsikken»: status, who sent it in, what changed (since the return, or since it was submitted)
    and the content."""
    async with db.read() as s:
        strategy_row = await strategies.active_strategy(s)
        reg = (
            await registrations.find_registration(s, row.institution_id, strategy_row.id)
            if strategy_row is not None
            else None
        )
        if reg is None:
            draft, kept, now = None, {}, []
        else:
            draft = await registrations.load_draft(s, reg.id, _kinds(strategy))
            kept = await snapshots.latest(s, reg.id)
            now = await snapshots.current_content(s, reg.id)
    changed = draft is not None and draft.changed_after_submit
    text = t(
        "{institution} ({area}): {status}.",
        institution=row.name,
        area=row.area,
        status=status_words(t, row.status, changed),
    )
    if row.chairs:
        text += " " + t("Chair: {names}.", names=", ".join(row.chairs))
    if draft is not None and draft.submitted_by and draft.submitted_at and row.status in ("submitted", "approved"):
        text += "\n" + t(
            "Submitted by {name} on {date}.", name=draft.submitted_by, date=long_date(t, draft.submitted_at.date())
        )
    if draft is not None and draft.return_comment:
        text += "\n" + t("Comment from the administration: {comment}", comment=draft.return_comment)
    replies = [Reply(text, title=row.name, kind="status")]
    if draft is None or (not draft.local_goals and row.status == "not_started"):
        return replies
    replies.extend(_changes(t, strategy, draft, kept, now))
    return replies + content_replies(t, strategy, draft)


def _changes(
    t: Texts, strategy: Strategy, draft: DraftData, kept: dict[str, snapshots.Snapshot], now: snapshots.Content
) -> list[Reply]:
    sent, back = kept.get(snapshots.SUBMITTED), kept.get(snapshots.RETURNED)
    if draft.status == "submitted" and draft.changed_after_submit and sent is not None:
        title, found = t("Changed since it was submitted:"), differences(sent.content, now)
    elif draft.status == "submitted" and back is not None and sent is not None and sent.taken_at >= back.taken_at:
        title, found = t("Changed since you returned it:"), differences(back.content, sent.content)
        if not found:
            return [Reply(t("Nothing has changed since you returned it."), kind="status")]
    elif draft.status == "returned" and back is not None:
        title, found = t("Changed since you returned it:"), differences(back.content, now)
    else:
        return []
    if not found:
        return []
    lines = difference_lines(t, strategy, found)
    return [Reply("\n".join(f"• {line}" for line in lines), title=title.rstrip(":"), kind="status")]


async def queue(db: Database, t: Texts, person_id: int) -> list[Reply]:
    """«til godkendelse»: the submitted registrations awaiting a decision, the one waiting longest first,
    for those who may decide."""
    async with db.read() as s:
        grants = await people.grants_of(s, person_id)
        if not policy.may(grants, policy.Action.DECIDE):
            return [Reply(t("Only the administration decides on registrations."), kind="error")]
        row = await strategies.active_strategy(s)
        if row is None:
            return [Reply(t("No strategy has been loaded yet."))]
        waiting, total = await approval.awaiting_decision(s, row.id, policy.scope(grants), limit=MAX_QUEUE)
    if not total:
        return [Reply(t("No registrations are awaiting a decision."), kind="status")]
    text = t.plural(
        "{n} registration is awaiting a decision, the one waiting longest first.",
        "{n} registrations are awaiting a decision, the one waiting longest first.",
        total,
    )
    facts = [(f"{w.institution} ({w.area})", _waiting_text(t, w)) for w in waiting]
    if total > len(waiting):
        facts.append(("…", t("and {n} more", n=total - len(waiting))))
    hint = t("Write «vis <institution>» to read one, then «godkend <institution>» or «send retur <institution>: why».")
    return [Reply(text, facts=tuple(facts), title=t("Awaiting approval"), kind="status"), Reply(hint, kind="status")]


def _waiting_text(t: Texts, w: approval.Waiting) -> str:
    parts = []
    if w.submitted_at is not None:
        parts.append(t("submitted {date}", date=long_date(t, w.submitted_at.date())))
    if w.submitted_by:
        parts.append(t("by {name}", name=w.submitted_by))
    if w.after_return:
        parts.append(t("submitted again after a return"))
    if w.changed_after_submit:
        parts.append(views.status_label(t, CHANGED))
    return " · ".join(parts)
