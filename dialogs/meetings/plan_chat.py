"""Planning a meeting in the chat («planlæg møde»): the administration picks a template, names the
institution or area (by the template's scope), gives the date and the other participants' emails, and the
meeting is planned by the same code as `maalbot meeting plan FILE.csv` (`planning.validate_row` and
`planning.plan_row`). Its place is kept in the meeting conversation's `pending.meeting` as mode «plan»."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from dialogs.cleaning import fold
from dialogs.meetings.planning import parse_date, plan_row, validate_row
from dialogs.meetings.templates import MeetingTemplate, Scope
from dialogs.messages import Choice, Reply
from dialogs.reminders.render import long_date
from storage import meetings, people, policy

if TYPE_CHECKING:
    from datetime import date

    from sqlalchemy.ext.asyncio import AsyncSession

    from dialogs.texts import Texts


class _Chat(Protocol):
    """What planning needs of the meeting conversation (`dialogs.meetings.chat._Chat`), without importing it."""

    s: AsyncSession
    person_id: int
    t: Texts
    today: date
    mine: dict[str, Any]
    templates: dict[str, MeetingTemplate]

    def keep(self, mine: dict[str, Any] | None) -> None: ...


PLAN = {"planlæg møde", "planlæg et møde", "planlaeg moede", "planlæg mødet", "plan meeting", "plan a meeting"}
NOBODY = {"ingen", "none", "nobody", "-"}
CHOICE = "meeting:plan:"


def wants(text: str, choice: str, mine: dict[str, Any]) -> bool:
    return mine.get("mode") == "plan" or choice.startswith(CHOICE) or fold(text) in PLAN


async def handle(chat: _Chat, text: str, choice: str, *, stop: bool) -> list[Reply]:
    t = chat.t
    if not policy.is_admin(await people.roles_of(chat.s, chat.person_id)):
        return [Reply(t("Only the administration plans meetings. Ask them if a meeting is missing."))]
    if choice == "meeting:stop" or stop:
        chat.keep(None)
        return [Reply(t("Stopped. Nothing is planned. Write «planlæg møde» to start again."))]
    mine = chat.mine if chat.mine.get("mode") == "plan" else {}
    if choice.startswith(CHOICE):
        return _picked(chat, choice.removeprefix(CHOICE))
    step = mine.get("step")
    if not step or fold(text) in PLAN:
        return _ask_template(chat)
    if not text:
        return [Reply(t("I did not get an answer. Please try again."), kind="error"), *_ask(chat, mine)]
    if step == "template":
        found = [k for k, tp in chat.templates.items() if fold(text) in {k, fold(tp.title.get(t.locale))}]
        return _picked(chat, found[0]) if found else _again(chat, mine, t("Please pick one of the options."))
    template = chat.templates[str(mine["template"])]
    if step == "place":
        return await _place(chat, mine, template, text)
    if step == "date":
        held_on = parse_date(text)
        if held_on is None:
            return _again(chat, mine, t("«{text}» is not a date; write it as 2027-03-15 or 15-03-2027.", text=text))
        if held_on < chat.today:
            return _again(chat, mine, t("{date} has passed. Write a coming date.", date=long_date(t, held_on)))
        return _next(chat, {**mine, "step": "people", "date": held_on.isoformat()})
    return await _plan(chat, mine, template, "" if fold(text) in NOBODY else text)


def _picked(chat: _Chat, key: str) -> list[Reply]:
    template = chat.templates.get(key)
    if template is None:
        return _ask_template(chat)
    step = "date" if template.scope is Scope.MUNICIPALITY else "place"
    return _next(chat, {"mode": "plan", "step": step, "template": key})


async def _place(chat: _Chat, mine: dict[str, Any], template: MeetingTemplate, text: str) -> list[Reply]:
    t, title = chat.t, template.title.get(chat.t.locale)
    if template.scope is Scope.INSTITUTION and await meetings.institution_named(chat.s, text) is None:
        problem = t("«{template}» is about one institution, and I do not know «{name}».", template=title, name=text)
        return _again(chat, mine, problem)
    if template.scope is Scope.AREA and await meetings.area_named(chat.s, text) is None:
        problem = t("«{template}» is about one area, and I do not know «{name}».", template=title, name=text)
        return _again(chat, mine, problem)
    return _next(chat, {**mine, "step": "date", "place": text})


async def _plan(chat: _Chat, mine: dict[str, Any], template: MeetingTemplate, emails: str) -> list[Reply]:
    t, problems = chat.t, list[str]()
    place = str(mine.get("place") or "")
    cells = {"template": template.key, "date": str(mine["date"]), "participants": emails}
    cells["institution" if template.scope is Scope.INSTITUTION else "area"] = place
    row = await validate_row(chat.s, None, cells, chat.templates, t, problems)
    if row is None:
        return _again(chat, mine, " ".join(p[:1].upper() + p[1:] for p in problems))
    created = await plan_row(chat.s, row, created_by_id=chat.person_id)
    chat.keep(None)
    values = {
        "title": template.title.get(t.locale),
        "place": row.institution.name if row.institution else row.area.name if row.area else "",
        "date": long_date(t, row.held_on),
    }
    values["place"] = values["place"] or t("the whole municipality")
    if created:
        return [
            Reply(t("Planned: «{title}» for {place} on {date}. The preparers get the questions in time.", **values))
        ]
    return [Reply(t("«{title}» for {place} on {date} was already planned; the participants are updated.", **values))]


def _next(chat: _Chat, mine: dict[str, Any]) -> list[Reply]:
    chat.keep(mine)
    return _ask(chat, mine)


def _again(chat: _Chat, mine: dict[str, Any], problem: str) -> list[Reply]:
    return [Reply(problem, kind="error"), *_ask(chat, mine)]


def _ask_template(chat: _Chat) -> list[Reply]:
    return _next(chat, {"mode": "plan", "step": "template"})


def _ask(chat: _Chat, mine: dict[str, Any]) -> list[Reply]:
    t, step = chat.t, mine.get("step")
    cancel = Choice("meeting:stop", t("Cancel"))
    if step == "template":
        choices = tuple(Choice(CHOICE + k, tp.title.get(t.locale)) for k, tp in sorted(chat.templates.items()))
        return [Reply(t("Which meeting do you want to plan?"), choices=(*choices, cancel), kind="question")]
    template = chat.templates[str(mine["template"])]
    if step == "place" and template.scope is Scope.INSTITUTION:
        question = t("Which institution is the meeting with? Write its name.")
    elif step == "place":
        question = t("Which area is the meeting for? Write its name.")
    elif step == "date":
        question = t("Which day is the meeting? Write for example «2027-03-15» or «15-03-2027».")
    else:
        question = t("Who else takes part? Write their emails, or «ingen» if nobody else.")
    return [Reply(question, choices=(cancel,), kind="question")]
