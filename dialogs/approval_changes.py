"""What changed in a registration between two snapshots (storage/snapshots.py), in words, and the
administration's notice when a board sends its registration in or in again.

- `differences(before, after)`: added, removed and changed local goals (matched by their row, so a
  deleted 1.1 is «removed», not «1.2 changed»), each with the fields that changed.
- `difference_lines`: one short line each, at most `MAX_LINES`, then how many more.
- `after_submit`: called by the service right after a board sent its registration in; keeps the snapshot
  and tells the deciders (`policy.Occasion.FOR_DECISION`), with what changed since the return (or since
  it was last sent in). The lines are written in every language here, so each admin reads their own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.context import Turn
from dialogs.messages import Choice, cut_label
from dialogs.strategy import LOCALES, Strategy, strategy_from_definition
from dialogs.texts import Texts, texts
from dialogs.views import short_label
from storage import approval, conversations, policy, snapshots, strategies
from storage.models import Person, Registration

MAX_LINES = 10
CHANGED = "changed_after_submit"  # the mark, as a status word (views.status_label)
TEXT_FIELD = "text"  # the local goal's own wording (the strategy's first question)


@dataclass(frozen=True, slots=True)
class Difference:
    kind: str  # added | removed | changed
    goal: int
    position: int
    text: str  # the local goal's wording (as it is now; as it was, when removed)
    fields: tuple[str, ...] = ()  # changed: the question keys that changed (TEXT_FIELD: the wording)


def _empty(value: Any) -> bool:
    return value in (None, "", [], {})


def _changed_fields(before: dict[str, Any], after: dict[str, Any]) -> tuple[str, ...]:
    fields = [TEXT_FIELD] if before["text"] != after["text"] else []
    old, new = before["answers"], after["answers"]
    for key in dict.fromkeys([*old, *new]):
        a, b = old.get(key), new.get(key)
        if not (_empty(a) and _empty(b)) and a != b:
            fields.append(key)
    return tuple(fields)


def differences(before: snapshots.Content, after: snapshots.Content) -> list[Difference]:
    """What changed from `before` to `after`, in the order of the strategic goals and positions."""
    old = {c["id"]: c for c in before}
    new = {c["id"]: c for c in after}
    found: list[Difference] = []
    for lid, c in new.items():
        if lid not in old:
            found.append(Difference("added", c["goal"], c["position"], c["text"]))
        elif fields := _changed_fields(old[lid], c):
            found.append(Difference("changed", c["goal"], c["position"], c["text"], fields))
    for lid, c in old.items():
        if lid not in new:
            found.append(Difference("removed", c["goal"], c["position"], c["text"]))
    order = {"removed": 0, "changed": 1, "added": 2}
    return sorted(found, key=lambda d: (d.goal, d.position, order[d.kind]))


def field_label(t: Texts, strategy: Strategy, key: str, goal: int) -> str:
    """A changed field in a few words, for a list in brackets: «the wording», «interventions»."""
    if key == TEXT_FIELD or key == strategy.first_question.key:
        return t("the wording")
    if key not in {q.key for q in strategy.questions}:
        return key
    label = short_label(t, strategy, key, goal)
    return label[:1].lower() + label[1:]


def difference_lines(t: Texts, strategy: Strategy, found: list[Difference]) -> list[str]:
    """One line per difference (at most `MAX_LINES`, then how many more)."""
    lines = []
    for d in found:
        where = f"{d.goal}.{d.position}"
        text = cut_label(d.text, 60)
        if d.kind == "added":
            lines.append(t("New: {where} «{text}»", where=where, text=text))
        elif d.kind == "removed":
            lines.append(t("Deleted: {where} «{text}»", where=where, text=text))
        else:
            fields = ", ".join(dict.fromkeys(field_label(t, strategy, f, d.goal) for f in d.fields))
            lines.append(t("Changed: {where} «{text}» ({fields})", where=where, text=text, fields=fields))
    if len(lines) > MAX_LINES:
        rest = len(lines) - MAX_LINES + 1
        lines = [*lines[: MAX_LINES - 1], t.plural("… and {n} more change", "… and {n} more changes", rest)]
    return lines


async def after_submit(s: AsyncSession, reg: Registration, author: Person, before: str, *, now: datetime) -> None:
    """The board sent `reg` in (its status was `before`): keep what was sent, and tell the deciders."""
    sent = await approval.record_submit(s, reg, before, now=now)
    changes: dict[str, list[str]] = {}
    if sent.compared_with is not None:
        row = await strategies.strategy_by_id(s, reg.strategy_id)
        strategy = strategy_from_definition(row.definition)
        found = differences(sent.compared_with, sent.content)
        changes = {locale: difference_lines(texts(locale), strategy, found) for locale in LOCALES}
    params = {
        "institution": sent.institution,
        "name": author.name,
        "again": sent.compared_with is not None,
        "after_return": sent.after_return,
        "changes": changes,
    }
    occasion = policy.Occasion.FOR_DECISION
    for person in await approval.told_deciders(s, occasion):
        if person.id != author.id:
            await conversations.add_notice(s, person.id, occasion.value, params)


async def changes_since_submit(s: AsyncSession, registration_id: int) -> tuple[Difference, ...]:
    """What changed since the registration was last submitted (nothing known: no snapshot yet)."""
    kept = (await snapshots.latest(s, registration_id)).get(snapshots.SUBMITTED)
    if kept is None:
        return ()
    return tuple(differences(kept.content, await snapshots.current_content(s, registration_id)))


CONFIRM_UNCHANGED = "submit:yes"  # the «submit» button, pressed once more: sent in unchanged on purpose


def confirm_unchanged(turn: Turn) -> Turn | None:
    """Sending in a returned registration that nobody has changed since: asked once, so the administration
    does not get back what it sent back by a slip. None: go on (changed, or just confirmed)."""
    draft = turn.draft
    if draft is None or draft.status != "returned" or not draft.unchanged_since_return:
        return None
    if CONFIRM_UNCHANGED in {c for c, _ in turn.state.offered}:
        return None
    t = turn.t
    return turn.say(
        t("You have not changed anything since it was returned – do you want to submit it again unchanged?"),
        choices=(
            Choice(CONFIRM_UNCHANGED, t("Yes, submit it unchanged")),
            Choice("review:no", t("No, show the review")),
        ),
        kind="question",
    )


def render_approval_notice(t: Texts, kind: str, params: dict[str, Any]) -> str | None:
    """The notices of sending in and changing after it: for the deciders and the chair; None for others."""
    institution = params.get("institution", "")
    name = params.get("name", "")
    if kind == policy.Occasion.FOR_DECISION.value:
        if not params.get("again"):
            return t(
                "{name} has submitted the registration for {institution}. It awaits your decision: write "
                "«vis {institution}» to read it, or «til godkendelse» to see all that are waiting.",
                name=name,
                institution=institution,
            )
        lines = list((params.get("changes") or {}).get(t.locale) or [])
        if params.get("after_return"):
            text = t(
                "{name} has submitted the registration for {institution} again after you returned it.",
                name=name,
                institution=institution,
            )
            text += "\n" + (
                t("Changed since you returned it:") if lines else t("Nothing has changed since you returned it.")
            )
        else:
            text = t(
                "{name} has submitted the registration for {institution} again.", name=name, institution=institution
            )
            text += "\n" + (t("Changed since it was last submitted:") if lines else t("Nothing has changed."))
        text += "".join(f"\n• {line}" for line in lines)
        return text + "\n" + t("Write «vis {institution}» to read it.", institution=institution)
    if kind == policy.Occasion.CHANGED_AFTER_SUBMIT.value:
        where = str(params.get("where") or "")
        text = (
            t(
                "{name} has changed local goal {where} of the registration for {institution} after it was submitted.",
                name=name,
                where=where,
                institution=institution,
            )
            if "." in where
            else t(
                "{name} has changed the registration for {institution} after it was submitted.",
                name=name,
                institution=institution,
            )
        )
        return (
            text
            + " "
            + t(
                "It is marked «changed after submission» until you submit it again. Write «review» to see it "
                "and submit it again."
            )
        )
    return None
