"""App Home: the person's boards and their progress, with buttons to resume, review and get help, and
a button per local goal that opens a modal to edit it. A saved modal goes through the same engine
(and validation) as the conversation; the engine's error is shown in the modal."""

from __future__ import annotations

from typing import Any

from bot.slack.render import MAX_SECTION, Block, button, escape, header, reply_blocks, section
from dialogs.cleaning import clean_text
from dialogs.messages import Inbound, Reply
from dialogs.service import ConversationService, PersonRef, kinds_of, strategy_of
from dialogs.strategy import Strategy
from storage import people, registrations, strategies
from storage.registrations import DraftData

PLATFORM = "slack"
MAX_VIEW_BLOCKS = 100
MAX_INPUT = 3000  # Slack's limit for a plain_text_input; the strategy's own limit is checked by the engine
EDIT_ACTION = "maalbot:edit"
EDIT_CALLBACK = "maalbot:edit"
ANSWER_BLOCK, ANSWER_ACTION = "answer", "text"


async def home_view(service: ConversationService, person: PersonRef | None) -> dict[str, Any]:
    """The Home tab: how far the boards the person can see have come, and what to do next."""
    if person is None:
        return {"type": "home", "blocks": reply_blocks(service.unknown_user())}
    t = service.texts_for(person.locale)
    blocks: list[Block] = [header("Målbot")]
    blocks += section(
        escape(
            t(
                "Hello {name}! Here you can follow your board's local goals. The conversation itself takes "
                "place in the Messages tab.",
                name=person.name,
            )
        )
    )
    blocks.append(
        {
            "type": "actions",
            "elements": [
                button(t("Resume"), "start", "start", primary=True),
                button(t("See the review"), "review", "review"),
                button(t("Help"), "help", "help"),
            ],
        }
    )
    blocks.append({"type": "divider"})
    for reply in await service.overview.status(person.id, None, person.locale):
        blocks += reply_blocks(Reply(reply.text, facts=reply.facts, title=reply.title, kind=reply.kind))
    goals: list[Block] = []
    shown = 0
    drafts = await drafts_of(service, person)
    total = sum(len(draft.local_goals) for _strategy, draft in drafts)
    room = MAX_VIEW_BLOCKS - len(blocks) - 2  # two blocks kept for saying what did not fit
    for strategy, draft in drafts:
        if not draft.local_goals:
            continue
        if len(goals) + 3 > room:  # a board's divider and name, and at least one of its local goals
            break
        goals.append({"type": "divider"})
        goals += section(f"*{escape(draft.institution_name)}*")
        for lg in draft.local_goals:
            if len(goals) + 1 > room:
                break
            text = str(lg.answers.get(strategy.first_question.key) or "")
            line = f"*{lg.goal_number}.{lg.position}* {escape(text)}"
            block = section(line[: MAX_SECTION - 1] + "…" if len(line) > MAX_SECTION else line)[0]
            value = f"{draft.registration_id}:{lg.goal_number}.{lg.position}"
            block["accessory"] = button(t("Edit"), EDIT_ACTION, value)
            goals.append(block)
            shown += 1
    blocks += goals
    if shown < total:  # never cut silently: say what is left out and where to find it
        blocks.append({"type": "divider"})
        blocks.append(
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": escape(
                            t.plural(
                                "{n} more local goal does not fit here. Write «review» in the Messages tab to "
                                "see them all, or «edit goal 1.2» to edit one.",
                                "{n} more local goals do not fit here. Write «review» in the Messages tab to "
                                "see them all, or «edit goal 1.2» to edit one.",
                                total - shown,
                            )
                        ),
                    }
                ],
            }
        )
    return {"type": "home", "blocks": blocks}


async def drafts_of(service: ConversationService, person: PersonRef) -> list[tuple[Strategy, DraftData]]:
    """The person's boards' registrations for the active strategy (those that exist)."""
    out: list[tuple[Strategy, DraftData]] = []
    async with service.db.transaction() as s:
        row = await strategies.active_strategy(s)
        if row is None:
            return out
        strategy = strategy_of(row)
        for board in await people.boards_of(s, person.id):
            reg = await registrations.find_registration(s, board.institution_id, row.id)
            if reg is not None:
                out.append((strategy, await registrations.load_draft(s, reg.id, kinds_of(strategy))))
    return out


def _parse_value(value: str) -> tuple[int, int, int] | None:
    """«registration:goal.position» from an Edit button or a modal's private_metadata."""
    try:
        reg, _, place = value.partition(":")
        goal, _, position = place.partition(".")
        return int(reg), int(goal), int(position)
    except ValueError:
        return None


async def edit_modal(service: ConversationService, person: PersonRef, value: str) -> dict[str, Any] | None:
    """A modal with the local goal's text, or None when it is not the person's to edit."""
    parsed = _parse_value(value)
    if parsed is None:
        return None
    reg_id, goal, position = parsed
    for strategy, draft in await drafts_of(service, person):
        lg = draft.local_goal(goal, position) if draft.registration_id == reg_id else None
        if lg is None:
            continue
        t = service.texts_for(person.locale)
        question = strategy.first_question
        label = question.render(t.locale, strategy.goal(goal))
        return {
            "type": "modal",
            "callback_id": EDIT_CALLBACK,
            "private_metadata": value,
            "title": {"type": "plain_text", "text": t("Edit local goal")[:24]},
            "submit": {"type": "plain_text", "text": t("Save")[:24]},
            "close": {"type": "plain_text", "text": t("Cancel")[:24]},
            "blocks": [
                *section(f"*{escape(draft.institution_name)}* · {goal}.{position}"),
                {
                    "type": "input",
                    "block_id": ANSWER_BLOCK,
                    "label": {"type": "plain_text", "text": label[:2000]},
                    "element": {
                        "type": "plain_text_input",
                        "action_id": ANSWER_ACTION,
                        "multiline": True,
                        "max_length": MAX_INPUT,
                        "initial_value": str(lg.answers.get(question.key) or "")[:MAX_INPUT],
                    },
                },
            ],
        }
    return None


async def save_edit(
    service: ConversationService, person: PersonRef, user_key: str, view: dict[str, Any]
) -> dict[str, str]:
    """Save a submitted edit modal through the engine: the same steps as «edit goal G.P» typed in the
    DM. Returns Slack's `errors` for the input (empty when saved)."""
    parsed = _parse_value(str(view.get("private_metadata") or ""))
    state = ((view.get("state") or {}).get("values") or {}).get(ANSWER_BLOCK, {}).get(ANSWER_ACTION, {})
    text = str(state.get("value") or "")
    if parsed is None:
        return {ANSWER_BLOCK: service.failure(person.locale).text}
    reg_id, goal, position = parsed
    strategy_and_drafts = await drafts_of(service, person)
    key = strategy_and_drafts[0][0].first_question.key if strategy_and_drafts else "local_goal"
    steps = [f"board:{reg_id}", f"edit:{goal}.{position}", f"q:{key}"]
    for choice in steps:
        await service.handle(Inbound(PLATFORM, user_key, choice=choice))
    replies = await service.handle(Inbound(PLATFORM, user_key, text=text))
    errors = [r.text for r in replies if r.kind == "error"]
    if errors:
        return {ANSWER_BLOCK: errors[0][:150]}
    for _strategy, draft in await drafts_of(service, person):
        lg = draft.local_goal(goal, position) if draft.registration_id == reg_id else None
        if lg is not None and lg.answers.get(key) == clean_text(text):
            return {}
    return {ANSWER_BLOCK: service.failure(person.locale).text}
