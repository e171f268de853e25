"""The meeting conversation, a flow run by the engine (`engine.offer`, from the service's flow routing):
the preparing people answer the template's questions («forbered møde»), anyone taking part sends agenda
points («dagsordenspunkt: …»), participants record agreements after the meeting («ny aftale»), the
administration plans one («planlæg møde», `plan_chat`), the owner answers «Er aftalen holdt?», and
«aftaler» lists the open agreements a person may see.

```mermaid
stateDiagram-v2
    [*] --> prepare: «forbered møde» / meeting:prepare:<id>
    prepare --> prepare: an answer, «spring over»
    prepare --> [*]: every question answered or skipped, «pause»
    [*] --> agenda: meeting:agenda:<id>
    agenda --> [*]: the point
    [*] --> agree: «ny aftale» / meeting:agree:<id>
    agree --> agree: text → owner → due
    agree --> [*]: the date (saved), «pause»
    [*] --> words: agreement:<id>:<answer> (saved)
    words --> [*]: a few words, «spring over»
    [*] --> plan: «planlæg møde» (administration)
    plan --> plan: template → place → date → people
    plan --> [*]: planned, «pause»
```

While in a mode, typed text is the answer, except help, «pause» and words meant for the bot (a command,
a leader's question, a question ending in «?»): those are not stored without asking «Er … jeres svar?»
(`not_an_answer`, the registration's intent check). The place is the typed `pending.meeting` of the
person's state (`dialogs.state.MeetingPending`), so an ordinary registration answer costs nothing here:
`concerns` tells without the database whether a message is for this flow at all.

`flow` is pure like the registration's handlers: a `Turn` whose context holds the meeting facts
(`dialogs.meetings.facts`) and one inbound in, a new turn out with the replies, the new place and the
changes to store (`dialogs.meetings.writes`), or None when the message is not for this flow. The edge
(`dialogs.meetings.edge`) loads the facts and stores the changes."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from dialogs.cleaning import clean_text, fold
from dialogs.context import Turn
from dialogs.intent import Kind, classify
from dialogs.meetings import agreements, plan_chat, prepare
from dialogs.meetings.moves import keep, number, pending, say
from dialogs.messages import Choice, Inbound, Reply
from dialogs.overview import parse_leader_query
from dialogs.state import MeetingMode, MeetingPending
from dialogs.texts import Texts

PREFIXES = ("meeting:", "agreement:")
PREPARE = {"forbered møde", "forbered mødet", "forbered moede", "prepare meeting", "prepare the meeting"}
NEW_AGREEMENT = {"ny aftale", "new agreement"}
LIST_AGREEMENTS = {"aftaler", "mine aftaler", "agreements", "my agreements"}
BRIEF = {"mødenotat", "moedenotat", "forberedelsesnotat", "meeting brief", "brief"}
STOP = {"pause", "stop", "afbryd", "cancel", "stop forberedelsen"}
HELP = {"hjælp", "hjaelp", "help", "?"}
SKIP = {"spring over", "skip"}
AGENDA = re.compile(r"^\s*(?:dagsordenspunkt|punkt til dagsordenen|agenda point)\s*:\s*(.*)$", re.I | re.S)


def concerns(inbound: Inbound, place: MeetingPending | None) -> bool:
    """Whether the message is for the meeting flow (no database needed to tell)."""
    if inbound.choice:
        return inbound.choice.startswith(PREFIXES)
    if place is not None:
        return True
    text = fold(inbound.text or "")
    words = PREPARE | NEW_AGREEMENT | LIST_AGREEMENTS | BRIEF | plan_chat.PLAN
    return text in words or bool(AGENDA.match(inbound.text or ""))


def flow(turn: Turn, inbound: Inbound) -> Turn | None:
    """One message for the meeting flow; None when it is not for it (the registration flow then has it)."""
    place = pending(turn)
    if not concerns(inbound, place):
        return None
    choice = inbound.choice or ""
    text = clean_text(inbound.text or "").strip()
    if choice.startswith("agreement:"):  # «Er aftalen holdt?», from wherever the person is
        return agreements.follow_up(turn, choice)
    if plan_chat.wants(text, choice, place):  # the administration plans a meeting
        return plan_chat.handle(turn, text, choice, stop=fold(text) in STOP)
    if choice == "meeting:stop" or (place is not None and fold(text) in STOP):
        return say(keep(turn, None), turn.t("Saved. Write «forbered møde» or «ny aftale» when you want to go on."))
    action, sep, arg = choice.removeprefix("meeting:").partition(":")
    button = BUTTONS.get(action) if choice.startswith("meeting:") and sep else None
    if button is not None and (action != "owner" or (place is not None and place.mode is MeetingMode.AGREE)):
        return button(turn, arg)
    if place is not None:
        return in_mode(turn, place, text, choice)
    return idle(turn, inbound, text, choice)


def _owner(turn: Turn, arg: str) -> Turn:
    place = pending(turn)
    assert place is not None
    return agreements.owner_button(turn, place, arg)


Button = Callable[[Turn, str], Turn]
BUTTONS: dict[str, Button] = {  # «meeting:<action>:<argument>», valid from any mode (owner: while agreeing)
    "prepare": lambda turn, arg: prepare.start(turn, number(arg)),
    "agenda": lambda turn, arg: prepare.ask_agenda(turn, number(arg)),
    "agree": lambda turn, arg: agreements.start(turn, number(arg)),
    "owner": _owner,
}


# -- in a mode: the text is the answer ------------------------------------------------------------------------


def in_mode(turn: Turn, place: MeetingPending, text: str, choice: str) -> Turn:
    t = turn.t
    if fold(text) in HELP:  # never stored as an answer
        said = t("Write your answer. You can also write «spring over» to skip a question, or «pause» to stop for now.")
        return say(turn, said, kind="help")
    if place.mode is MeetingMode.PREPARE and fold(text) in SKIP:
        choice = "meeting:skip"
    if choice == "meeting:skip" and place.mode in SKIPS:
        return SKIPS[place.mode](turn, place)
    if choice == "meeting:keep" and place.unsure:  # «It is our answer»
        cleared = replace(place, unsure="")
        return PHASES[place.mode](keep(turn, cleared), cleared, place.unsure)
    if choice == "meeting:drop":  # «Do not save it»
        return say(
            keep(turn, replace(place, unsure="")), t("Not saved. Write your answer, or «pause» to stop for now.")
        )
    if text and not_an_answer(text):
        return keep(turn, replace(place, unsure=text)).show(unsure_reply(t, text))
    if text:
        return PHASES[place.mode](turn, place, text)
    return say(turn, t("I did not get an answer. Please try again."), kind="error")


Phase = Callable[[Turn, MeetingPending, str], Turn]
PHASES: dict[MeetingMode, Phase] = {  # the text typed in each mode («plan»: `plan_chat.wants` takes it first)
    MeetingMode.PREPARE: prepare.answer,
    MeetingMode.AGENDA: prepare.answer_agenda,
    MeetingMode.AGREE: agreements.answer,
    MeetingMode.WORDS: agreements.words,
    MeetingMode.PLAN: lambda turn, _place, text: plan_chat.handle(turn, text, "", stop=False),
}
SKIPS: dict[MeetingMode, Callable[[Turn, MeetingPending], Turn]] = {
    MeetingMode.PREPARE: prepare.skip,
    MeetingMode.WORDS: lambda turn, _place: agreements.thanks(turn),
}


# -- out of any mode: the words that start something ------------------------------------------------------------


def idle(turn: Turn, inbound: Inbound, text: str, choice: str) -> Turn:
    if match := AGENDA.match(inbound.text or ""):
        return prepare.agenda_point(turn, None, clean_text(match[1]).strip())
    word = fold(text)
    if word in PREPARE:
        return prepare.start(turn, None)
    if word in NEW_AGREEMENT:
        return agreements.start(turn, None)
    if word in BRIEF or choice.startswith("meeting:brief:"):
        return prepare.brief(turn, number(choice.rsplit(":", 1)[1]) if choice else None)
    return agreements.listing(turn)


def not_an_answer(text: str) -> bool:
    """Whether typed text looks like something said to the bot (a command, a leader's question, a wish to
    stop messages, a question ending in «?») rather than an answer: it is then not stored without asking."""
    return classify(text, leader=True).kind is not Kind.ANSWER or parse_leader_query(text) is not None


def unsure_reply(t: Texts, text: str) -> Reply:
    return Reply(
        t("Is «{text}» your answer, or was it meant for me? To ask me something, write «pause» first.", text=text),
        choices=(Choice("meeting:keep", t("It is our answer")), Choice("meeting:drop", t("Do not save it"))),
        kind="question",
    )
