"""Planning a meeting in the chat («planlæg møde»): the administration picks a template, names the
institution or area (by the template's scope), gives the date and the other participants' emails, and the
meeting is planned by the same code as `maalbot meeting plan FILE.csv` (`planning.validate_row` and
`planning.plan_row`, run by the edge: see `Fact.PLAN` and `PlanMeeting`). Its place is the meeting flow's
pending place in mode «plan», one handler per step (`STEPS`). Pure: a turn in, a new turn out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from dialogs.cleaning import fold
from dialogs.context import Turn
from dialogs.meetings.facts import PlanCells
from dialogs.meetings.moves import facts, keep, pending, say
from dialogs.meetings.planning import parse_date
from dialogs.meetings.templates import MeetingTemplate, Scope
from dialogs.meetings.writes import PlanMeeting
from dialogs.messages import Choice
from dialogs.reminders.render import long_date
from dialogs.state import MeetingMode, MeetingPending

PLAN = {"planlæg møde", "planlæg et møde", "planlaeg moede", "planlæg mødet", "plan meeting", "plan a meeting"}
NOBODY = {"ingen", "none", "nobody", "-"}
CHOICE = "meeting:plan:"


def wants(text: str, choice: str, place: MeetingPending | None) -> bool:
    return (place is not None and place.mode is MeetingMode.PLAN) or choice.startswith(CHOICE) or fold(text) in PLAN


def handle(turn: Turn, text: str, choice: str, *, stop: bool) -> Turn:
    t = turn.t
    if not facts(turn).is_admin():
        return say(turn, t("Only the administration plans meetings. Ask them if a meeting is missing."))
    if choice == "meeting:stop" or stop:
        return say(keep(turn, None), t("Stopped. Nothing is planned. Write «planlæg møde» to start again."))
    current = pending(turn)
    place = current if current is not None and current.mode is MeetingMode.PLAN else MeetingPending(MeetingMode.PLAN)
    if choice.startswith(CHOICE):
        return _picked(turn, choice.removeprefix(CHOICE))
    if not place.step or fold(text) in PLAN:
        return _ask_template(turn)
    if not text:
        return _ask(say(turn, t("I did not get an answer. Please try again."), kind="error"), place)
    if place.step == "template":
        return _template(turn, place, text)
    template = facts(turn).templates[place.template]
    return STEPS.get(place.step, _people)(turn, place, template, text)


def _template(turn: Turn, place: MeetingPending, text: str) -> Turn:
    found = [k for k, tp in facts(turn).templates.items() if fold(text) in {k, fold(tp.title.get(turn.t.locale))}]
    return _picked(turn, found[0]) if found else _again(turn, place, turn.t("Please pick one of the options."))


def _picked(turn: Turn, key: str) -> Turn:
    template = facts(turn).templates.get(key)
    if template is None:
        return _ask_template(turn)
    step = "date" if template.scope is Scope.MUNICIPALITY else "place"
    return _next(turn, MeetingPending(MeetingMode.PLAN, step=step, template=key))


def _place(turn: Turn, place: MeetingPending, template: MeetingTemplate, text: str) -> Turn:
    t, title = turn.t, template.title.get(turn.t.locale)
    if template.scope in (Scope.INSTITUTION, Scope.AREA) and not facts(turn).place_known(template.scope.value, text):
        if template.scope is Scope.INSTITUTION:
            problem = t("«{template}» is about one institution, and I do not know «{name}».", template=title, name=text)
        else:
            problem = t("«{template}» is about one area, and I do not know «{name}».", template=title, name=text)
        return _again(turn, place, problem)
    return _next(turn, replace(place, step="date", place=text))


def _date(turn: Turn, place: MeetingPending, template: MeetingTemplate, text: str) -> Turn:
    t = turn.t
    held_on = parse_date(text)
    if held_on is None:
        return _again(turn, place, t("«{text}» is not a date; write it as 2027-03-15 or 15-03-2027.", text=text))
    if held_on < turn.ctx.today:
        return _again(turn, place, t("{date} has passed. Write a coming date.", date=long_date(t, held_on)))
    return _next(turn, replace(place, step="people", date=held_on.isoformat()))


def _people(turn: Turn, place: MeetingPending, template: MeetingTemplate, text: str) -> Turn:
    t = turn.t
    emails = "" if fold(text) in NOBODY else text
    check = facts(turn).plan(PlanCells(template.key, place.date, place.place, emails))
    if check.row is None:
        return _again(turn, place, " ".join(p[:1].upper() + p[1:] for p in check.problems))
    row = check.row
    values = {
        "title": template.title.get(t.locale),
        "place": row.institution.name if row.institution else row.area.name if row.area else "",
        "date": long_date(t, row.held_on),
    }
    values["place"] = values["place"] or t("the whole municipality")
    turn = keep(turn.change(PlanMeeting(row)), None)
    if check.created:
        return say(
            turn, t("Planned: «{title}» for {place} on {date}. The preparers get the questions in time.", **values)
        )
    return say(turn, t("«{title}» for {place} on {date} was already planned; the participants are updated.", **values))


Step = Callable[[Turn, MeetingPending, MeetingTemplate, str], Turn]
STEPS: dict[str, Step] = {"place": _place, "date": _date, "people": _people}


def _next(turn: Turn, place: MeetingPending) -> Turn:
    return _ask(keep(turn, place), place)


def _again(turn: Turn, place: MeetingPending, problem: str) -> Turn:
    return _ask(say(turn, problem, kind="error"), place)


def _ask_template(turn: Turn) -> Turn:
    return _next(turn, MeetingPending(MeetingMode.PLAN, step="template"))


def _ask(turn: Turn, place: MeetingPending) -> Turn:
    t, templates = turn.t, facts(turn).templates
    cancel = Choice("meeting:stop", t("Cancel"))
    if place.step == "template":
        choices = tuple(Choice(CHOICE + k, tp.title.get(t.locale)) for k, tp in sorted(templates.items()))
        return say(turn, t("Which meeting do you want to plan?"), (*choices, cancel), kind="question")
    template = templates[place.template]
    if place.step == "place" and template.scope is Scope.INSTITUTION:
        question = t("Which institution is the meeting with? Write its name.")
    elif place.step == "place":
        question = t("Which area is the meeting for? Write its name.")
    elif place.step == "date":
        question = t("Which day is the meeting? Write for example «2027-03-15» or «15-03-2027».")
    else:
        question = t("Who else takes part? Write their emails, or «ingen» if nobody else.")
    return say(turn, question, (cancel,), kind="question")
