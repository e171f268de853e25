"""Read-only renderings of a board's draft: answers, the review, the board's status."""

from __future__ import annotations

from datetime import date
from typing import Any

from babel.dates import format_date

from dialogs.messages import Reply, cut_label
from dialogs.strategy import QuestionKind, Strategy
from dialogs.texts import Texts
from storage.registrations import DraftData, LocalGoalData


def format_dates(dates: list[str] | tuple[date, ...], locale: str) -> str:
    parsed = [d if isinstance(d, date) else date.fromisoformat(d) for d in dates]
    return ", ".join(format_date(d, format="long", locale=locale) for d in parsed)


STATUS_CODES = ("draft", "submitted", "approved", "returned", "not_started")


def status_label(t: Texts, status: str) -> str:
    labels = {
        "draft": t("in progress"),
        "submitted": t("submitted"),
        "approved": t("approved"),
        "returned": t("returned for changes"),
        "not_started": t("not started"),
        "changed_after_submit": t("changed after submission"),  # a mark beside «submitted» (approval)
    }
    return labels.get(status, status)


def goal_heading(t: Texts, strategy: Strategy, number: int) -> str:
    goal = strategy.goal(number)
    label = strategy.goal_label.get(t.locale)
    return t(
        "{label} {number} of {total}: {title}",
        label=label.capitalize(),
        number=number,
        total=len(strategy.goals),
        title=goal.title_in(t.locale),
    )


def answer_text(t: Texts, strategy: Strategy, key: str, value: Any) -> str:
    """One answer as plain text for reviews and "current answer" hints."""
    if value is None or value == "" or value == []:
        return t("(not answered)")
    question = strategy.question(key)
    if question.kind is QuestionKind.LIST:
        return "\n".join(f"• {item}" for item in value)
    if question.kind is QuestionKind.MEASUREMENT:
        text = str(value.get("method", ""))
        if value.get("when"):
            text += "\n" + t("When: {when}", when=value["when"])
        if value.get("dates"):
            text += "\n" + t("Dates: {dates}", dates=format_dates(value["dates"], t.locale))
        return text
    if question.kind is QuestionKind.CHOICE:
        for option in question.options:
            if option.key == value:
                return option.label.get(t.locale)
    return str(value)


def missing_answers(strategy: Strategy, lg: LocalGoalData) -> list[str]:
    return [q.key for q in strategy.questions if q.required and lg.answers.get(q.key) in (None, "", [])]


def missing_items(t: Texts, strategy: Strategy, draft: DraftData) -> list[str]:
    """What stands between this draft and a complete registration, in words."""
    problems = []
    label = strategy.goal_label.get(t.locale)
    for goal in strategy.goals:
        lgs = draft.goals_under(goal.number)
        if not lgs:
            problems.append(t("{label} {number} has no local goal yet", label=label, number=goal.number))
        for lg in lgs:
            for key in missing_answers(strategy, lg):
                strategy.question(key)
                problems.append(
                    t(
                        "{label} {number}.{position}: «{question}» is not answered",
                        label=label,
                        number=goal.number,
                        position=lg.position,
                        question=short_label(t, strategy, key, goal.number),
                    )
                )
    return problems


def short_label(t: Texts, strategy: Strategy, key: str, goal_number: int) -> str:
    """A question as a field label: «Indsatser», «Sådan måler I», not the whole question."""
    question = strategy.question(key)
    if question.kind is QuestionKind.LIST:
        return t("Interventions")
    if question.kind is QuestionKind.MEASUREMENT:
        return t("How you measure")
    return cut_label(question.render(t.locale, strategy.goal(goal_number)))


def local_goal_facts(t: Texts, strategy: Strategy, lg: LocalGoalData) -> tuple[tuple[str, str], ...]:
    facts = []
    for q in strategy.questions:
        name = (
            f"{lg.goal_number}.{lg.position}"
            if q is strategy.first_question
            else short_label(t, strategy, q.key, lg.goal_number)
        )
        facts.append((name, answer_text(t, strategy, q.key, lg.answers.get(q.key))))
    if lg.updated_by:
        facts.append((t("Last written by"), lg.updated_by))
    return tuple(facts)


def review_replies(t: Texts, strategy: Strategy, draft: DraftData) -> list[Reply]:
    replies = [
        Reply(
            t("Here is everything registered for {institution}:", institution=draft.institution_name),
            kind="review",
        )
    ]
    for goal in strategy.goals:
        lgs = draft.goals_under(goal.number)
        facts: list[tuple[str, str]] = []
        for lg in lgs:
            facts.extend(local_goal_facts(t, strategy, lg))
        text = "" if lgs else t("Nothing registered yet.")
        replies.append(Reply(text, facts=tuple(facts), title=goal_heading(t, strategy, goal.number), kind="review"))
    return replies


def compact_review(t: Texts, strategy: Strategy, draft: DraftData) -> list[Reply]:
    """The review in short: one line per local goal (and what it lacks); the details are one button away."""
    replies = [
        Reply(
            t("Here is everything registered for {institution}:", institution=draft.institution_name),
            kind="review",
        )
    ]
    first = strategy.first_question.key
    for goal in strategy.goals:
        lines = []
        for lg in draft.goals_under(goal.number):
            line = f"{goal.number}.{lg.position} {lg.answers.get(first, '')}"
            missing = [short_label(t, strategy, key, goal.number) for key in missing_answers(strategy, lg)]
            if missing:
                line += " – " + t("missing: {fields}", fields=", ".join(missing))
            lines.append(line)
        text = "\n".join(lines) if lines else t("Nothing registered yet.")
        replies.append(Reply(text, title=goal_heading(t, strategy, goal.number), kind="review"))
    return replies


def channel_summary(t: Texts, strategy: Strategy, draft: DraftData, submitter: str | None) -> list[Reply]:
    """What an area's channel sees when a board submits: the institution, the local goal titles under
    each strategic goal and who sent it in. No other names (who wrote what stays on the status page)."""
    head = t(
        "{institution} has submitted its local goals for «{strategy}».",
        institution=draft.institution_name,
        strategy=strategy.title_in(t.locale),
    )
    if submitter:
        head += "\n" + t("Sent in by {name}.", name=submitter)
    first = strategy.first_question.key
    lines = []
    for goal in strategy.goals:
        lgs = draft.goals_under(goal.number)
        if not lgs:
            continue
        lines.append(goal_heading(t, strategy, goal.number))
        lines.extend(f"• {goal.number}.{lg.position} {lg.answers.get(first, '')}" for lg in lgs)
    footer = t("The details (measurement, interventions, dates) are on the status page: write «statusside» to me.")
    return [Reply(head, kind="summary"), Reply("\n".join([*lines, footer]), kind="summary")]


def status_reply(t: Texts, strategy: Strategy, draft: DraftData) -> Reply:
    label = strategy.goal_label.get(t.locale)
    facts = []
    for goal in strategy.goals:
        lgs = draft.goals_under(goal.number)
        writers = sorted({lg.updated_by for lg in lgs if lg.updated_by})
        if not lgs:
            value = t("missing")
        else:
            value = t.plural("{n} local goal", "{n} local goals", len(lgs))
            if any(missing_answers(strategy, lg) for lg in lgs):
                value += " " + t("(some answers missing)")
            if writers:
                value += " · " + ", ".join(writers)
        facts.append((f"{label.capitalize()} {goal.number}", value))
    text = t(
        "Status for {institution}: {status}.",
        institution=draft.institution_name,
        status=status_label(t, draft.status),
    )
    if draft.status == "submitted" and draft.changed_after_submit:  # approval: the mark, until sent in again
        text = text.removesuffix(".") + " · " + status_label(t, "changed_after_submit") + "."
    if draft.status == "draft" and draft.ready_for_chair:
        text += " " + t("Ready for the chair to submit.")
    if draft.status == "returned" and draft.return_comment:
        text += " " + t("Comment from the administration: {comment}", comment=draft.return_comment)
    return Reply(text, facts=tuple(facts), kind="status")


def privacy_note(t: Texts) -> str:
    return t(
        "Please do not write about individual children, parents or staff, and never a CPR number: "
        "the registration is about your board's goals, and leaders, the administration and the "
        "committee read it."
    )
