"""The meeting conversation: the preparing people answer the template's questions («forbered møde»),
anyone taking part sends agenda points («dagsordenspunkt: …»), participants record agreements after the
meeting («ny aftale»: what, who owns it, by when), the administration plans one («planlæg møde», see
`plan_chat`), the owner answers «Er aftalen holdt?», and «aftaler»
lists the open agreements a person may see.

It is self-contained: `route` is the one hook the conversation service calls before the registration
engine (see dialogs/service.py). Its place in a conversation is kept under `pending.meeting` in the
person's conversation state, so an ordinary registration answer costs no extra query; everything else
is in the meeting tables (`storage.meeting_models`)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.cleaning import clean_text, fold
from dialogs.intent import Kind, classify
from dialogs.meetings import messages, plan_chat
from dialogs.meetings.planning import parse_date
from dialogs.meetings.templates import MeetingTemplate, builtin_templates
from dialogs.meetings.units import Unit, answer_key, unit_of
from dialogs.messages import Choice, Inbound, Reply
from dialogs.overview import parse_leader_query
from dialogs.reminders.render import long_date
from dialogs.state import State
from dialogs.texts import Texts, texts
from dialogs.when_parser import parse_when
from storage import conversations, meetings, progress
from storage.meeting_models import AgreementStatus, ParticipantRole
from storage.meetings import MeetingView
from storage.models import ConversationState

PREFIXES = ("meeting:", "agreement:")
PREPARE = {"forbered møde", "forbered mødet", "forbered moede", "prepare meeting", "prepare the meeting"}
NEW_AGREEMENT = {"ny aftale", "new agreement"}
LIST_AGREEMENTS = {"aftaler", "mine aftaler", "agreements", "my agreements"}
BRIEF = {"mødenotat", "moedenotat", "forberedelsesnotat", "meeting brief", "brief"}
STOP = {"pause", "stop", "afbryd", "cancel", "stop forberedelsen"}
HELP = {"hjælp", "hjaelp", "help", "?"}
SKIP = {"spring over", "skip"}
AGENDA = re.compile(r"^\s*(?:dagsordenspunkt|punkt til dagsordenen|agenda point)\s*:\s*(.*)$", re.I | re.S)
RECENT_DAYS = 60  # agreements can be recorded for meetings held this many days ago


def concerns(inbound: Inbound, state_data: dict[str, Any]) -> bool:
    """Whether the message is for the meeting conversation (no database needed to tell)."""
    if inbound.choice:
        return inbound.choice.startswith(PREFIXES)
    if (state_data.get("pending") or {}).get("meeting"):
        return True
    text = fold(inbound.text or "")
    words = PREPARE | NEW_AGREEMENT | LIST_AGREEMENTS | BRIEF | plan_chat.PLAN
    return text in words or bool(AGENDA.match(inbound.text or ""))


async def route(
    session: AsyncSession,
    person_id: int,
    inbound: Inbound,
    state_row: ConversationState,
    *,
    locale: str,
    now: datetime,
    today: date,
) -> list[Reply] | None:
    """The hook: None when the message is not for the meeting conversation; else its replies, with what it
    changed stored in `session` (the caller's turn transaction)."""
    if not concerns(inbound, state_row.data or {}):
        return None
    chat = _Chat(session, person_id, texts(locale), now, today, state_row)
    return await chat.handle(inbound)


class _Chat:
    def __init__(
        self, s: AsyncSession, person_id: int, t: Texts, now: datetime, today: date, row: ConversationState
    ) -> None:
        self.s, self.person_id, self.t, self.now, self.today, self.row = s, person_id, t, now, today, row
        self.state = State.from_json(row.data or {})
        self.mine: dict[str, Any] = dict(self.state.pending.meeting or {})
        self.templates = builtin_templates()

    def keep(self, mine: dict[str, Any] | None) -> None:
        pending = replace(self.state.pending, meeting=dict(mine) if mine else None)
        conversations.save_state(self.row, replace(self.state, pending=pending).to_json())

    async def handle(self, inbound: Inbound) -> list[Reply]:
        t, choice = self.t, inbound.choice or ""
        text = clean_text(inbound.text or "").strip()
        if choice.startswith("agreement:"):
            return await self.agreement_answer(choice)
        if plan_chat.wants(text, choice, self.mine):  # the administration plans a meeting
            return await plan_chat.handle(self, text, choice, stop=fold(text) in STOP)
        if choice == "meeting:stop" or (self.mine and fold(text) in STOP):
            self.keep(None)
            return [Reply(t("Saved. Write «forbered møde» or «ny aftale» when you want to go on."))]
        if choice.startswith("meeting:prepare:"):
            return await self.start_prepare(_int(choice.rsplit(":", 1)[1]))
        if choice.startswith("meeting:agenda:"):
            self.keep({"mode": "agenda", "meeting": _int(choice.rsplit(":", 1)[1])})
            return [Reply(t("Write your point for the agenda."), choices=(Choice("meeting:stop", t("Cancel")),))]
        if choice.startswith("meeting:agree:"):
            return await self.start_agreement(_int(choice.rsplit(":", 1)[1]))
        if choice.startswith("meeting:owner:") and self.mine.get("mode") == "agree":
            return await self.agreement_owner(_int(choice.rsplit(":", 1)[1]) or 0, None)
        mode = self.mine.get("mode")
        if mode and fold(text) in HELP:  # never stored as an answer
            return [
                Reply(
                    t(
                        "Write your answer. You can also write «spring over» to skip a question, or «pause» to stop "
                        "for now."
                    ),
                    kind="help",
                )
            ]
        if mode == "prepare" and fold(text) in SKIP:
            choice = "meeting:skip"
        if choice == "meeting:skip" and mode == "prepare":
            self.mine["skipped"] = [*self.mine.get("skipped", []), self.mine.get("asking")]
            return await self.ask_next()
        if choice == "meeting:skip" and mode == "words":
            self.keep(None)
            return [Reply(t("Thank you. The answer is saved."))]
        if choice == "meeting:keep" and mode and self.mine.get("unsure"):  # «It is our answer»
            return await self.answer(mode, str(self.mine.pop("unsure")))
        if choice == "meeting:drop" and mode:  # «Do not save it»
            self.mine.pop("unsure", None)
            self.keep(self.mine)
            return [Reply(t("Not saved. Write your answer, or «pause» to stop for now."))]
        if mode and text and not_an_answer(text):
            self.mine["unsure"] = text
            self.keep(self.mine)
            return [unsure_reply(t, text)]
        if mode and text:
            return await self.answer(mode, text)
        if mode and not text:
            return [Reply(t("I did not get an answer. Please try again."), kind="error")]
        if match := AGENDA.match(inbound.text or ""):
            return await self.agenda_point(None, clean_text(match[1]).strip())
        word = fold(text)
        if word in PREPARE:
            return await self.start_prepare(None)
        if word in NEW_AGREEMENT:
            return await self.start_agreement(None)
        if word in BRIEF or choice.startswith("meeting:brief:"):
            return await self.brief(_int(choice.rsplit(":", 1)[1]) if choice else None)
        return await self.list_agreements()

    async def answer(self, mode: str, text: str) -> list[Reply]:
        if mode == "prepare":
            key = self.mine.get("asking")
            if key:
                await meetings.save_answer(self.s, int(self.mine["meeting"]), str(key), text, self.person_id)
            return await self.ask_next()
        if mode == "agenda":
            return await self.agenda_point(_int(self.mine.get("meeting")), text)
        if mode == "agree":
            return await self.agreement_step(text)
        if mode == "words":
            found = await meetings.agreement(self.s, int(self.mine["agreement"]))
            if found is not None:
                await meetings.set_follow_up_text(self.s, found.id, text)
            self.keep(None)
            return [Reply(self.t("Thank you. The answer is saved."))]
        self.keep(None)
        return []

    # -- preparing a meeting -------------------------------------------------------------------------
    async def start_prepare(self, meeting_id: int | None) -> list[Reply]:
        t = self.t
        upcoming = await meetings.upcoming_for(self.s, self.person_id, self.today, ParticipantRole.PREPARER)
        if meeting_id is not None:
            upcoming = [m for m in upcoming if m.id == meeting_id]
        if not upcoming:
            self.keep(None)
            return [Reply(t("You have no meeting to prepare right now."))]
        if len(upcoming) > 1 and meeting_id is None:
            return [
                Reply(t("Which meeting do you want to prepare?"), choices=self.meeting_choices(upcoming, "prepare"))
            ]
        self.mine = {"mode": "prepare", "meeting": upcoming[0].id, "skipped": []}
        return await self.ask_next()

    async def ask_next(self) -> list[Reply]:
        t = self.t
        meeting = await meetings.meeting_view(self.s, int(self.mine["meeting"]))
        template = self.templates.get(meeting.template_key) if meeting else None
        if meeting is None or template is None:
            self.keep(None)
            return [Reply(t("That meeting is no longer planned."), kind="error")]
        unit = await unit_of(self.s, meeting, template, self.person_id)
        answered = set(await meetings.answers_of(self.s, meeting.id))
        skipped = set(self.mine.get("skipped", []))
        every = template.questions_for(unit.institution_kind)
        for number, (q, i) in enumerate(every, start=1):
            key = answer_key(unit, q, i)
            if key in answered or key in skipped:
                continue
            self.mine["asking"] = key
            self.keep(self.mine)
            return [
                self.question_reply(
                    template,
                    meeting,
                    unit,
                    number,
                    len(every),
                    template.question_text(q, i, t.locale),
                    q.help.get(t.locale) if q.help else None,
                )
            ]
        self.keep(None)
        title = template.title.get(t.locale)
        if skipped:
            return [
                Reply(
                    t(
                        "Thank you! You skipped {n} questions; write «forbered møde» to answer them before «{title}».",
                        n=len(skipped),
                        title=title,
                    )
                )
            ]
        return [
            Reply(
                t(
                    "Thank you! Every question for «{title}» is answered. The answers are in the meeting's brief.",
                    title=title,
                )
            )
        ]

    def question_reply(
        self,
        template: MeetingTemplate,
        meeting: MeetingView,
        unit: Unit,
        number: int,
        total: int,
        text: str,
        help_text: str | None,
    ) -> Reply:
        t = self.t
        title = t(
            "{meeting} on {date}: question {number} of {total}",
            meeting=template.title.get(t.locale),
            date=long_date(t, meeting.held_on),
            number=number,
            total=total,
        )
        body = text + ("\n" + help_text if help_text else "")
        if unit.key.startswith("i") and meeting.institution_id is None:
            body = t("For {institution}:", institution=unit.name) + "\n" + body
        choices = (Choice("meeting:skip", t("Skip")), Choice("meeting:stop", t("Pause")))
        return Reply(body, choices=choices, title=title, kind="question")

    # -- agenda points ---------------------------------------------------------------------------------
    async def agenda_point(self, meeting_id: int | None, text: str) -> list[Reply]:
        t = self.t
        if not text:
            return [
                Reply(t("Write the point after the colon, for example «dagsordenspunkt: Fælles indsats for sprog»."))
            ]
        upcoming = [
            m for role in ParticipantRole for m in await meetings.upcoming_for(self.s, self.person_id, self.today, role)
        ]
        if meeting_id is not None:
            upcoming = [m for m in upcoming if m.id == meeting_id]
        if not upcoming:
            self.keep(None)
            return [Reply(t("You are not taking part in a planned meeting, so there is no agenda to add to."))]
        meeting = min(upcoming, key=lambda m: m.held_on)
        await meetings.add_agenda_point(self.s, meeting.id, self.person_id, text)
        self.keep(None)
        template = self.templates.get(meeting.template_key)
        title = template.title.get(t.locale) if template else meeting.template_key
        return [
            Reply(
                t(
                    "Thank you. «{point}» is on the list of agenda points for «{title}» on {date}.",
                    point=text,
                    title=title,
                    date=long_date(t, meeting.held_on),
                )
            )
        ]

    # -- agreements ------------------------------------------------------------------------------------
    async def start_agreement(self, meeting_id: int | None) -> list[Reply]:
        t = self.t
        recent = await meetings.recent_for(self.s, self.person_id, self.today, RECENT_DAYS)
        if meeting_id is not None:
            recent = [m for m in recent if m.id == meeting_id]
        if not recent:
            self.keep(None)
            return [
                Reply(
                    t(
                        "Agreements are recorded after a meeting you took part in, "
                        "and I find none in the last {n} days.",
                        n=RECENT_DAYS,
                    )
                )
            ]
        if len(recent) > 1 and meeting_id is None:
            return [Reply(t("Which meeting is the agreement from?"), choices=self.meeting_choices(recent, "agree"))]
        self.keep({"mode": "agree", "meeting": recent[0].id, "step": "text"})
        return [
            Reply(
                t("What has been agreed? Write it in one or two sentences."),
                kind="question",
                choices=(Choice("meeting:stop", t("Cancel")),),
            )
        ]

    async def agreement_step(self, text: str) -> list[Reply]:
        t, step = self.t, self.mine.get("step")
        meeting = await meetings.meeting_view(self.s, int(self.mine["meeting"]))
        if meeting is None:
            self.keep(None)
            return [Reply(t("That meeting is no longer planned."), kind="error")]
        if step == "text":
            self.keep({**self.mine, "step": "owner", "text": text})
            people = tuple(Choice(f"meeting:owner:{pid}", name) for pid, name, _e, _r in meeting.participants[:10])
            return [
                Reply(
                    t("Who is responsible for it? Choose, or write their name or email."),
                    choices=people,
                    kind="question",
                )
            ]
        if step == "owner":
            folded = fold(text)
            found = [p for p in meeting.participants if fold(p[2]) == folded or folded in fold(p[1])]
            if len(found) != 1:
                return [
                    Reply(
                        t(
                            "I could not tell who «{text}» is among the people at the meeting. Choose one of them.",
                            text=text,
                        ),
                        choices=tuple(Choice(f"meeting:owner:{p[0]}", p[1]) for p in meeting.participants[:10]),
                        kind="error",
                    )
                ]
            return await self.agreement_owner(found[0][0], meeting)
        if step == "due":
            due = parse_date(text)
            if due is None:
                when = parse_when(text, today=self.today)
                due = when.dates[0] if len(when.dates) == 1 else None
            if due is None or due < self.today:
                return [
                    Reply(
                        t(
                            "I could not read «{text}» as a coming date. "
                            "Write for example «1. juni 2027» or «2027-06-01».",
                            text=text,
                        ),
                        kind="error",
                    )
                ]
            owner_id = int(self.mine["owner"])
            row = await meetings.add_agreement(
                self.s, meeting.id, str(self.mine["text"]), owner_id, due, self.person_id
            )
            owner = (await meetings.people_by_id(self.s, [owner_id])).get(owner_id)
            self.keep(None)
            return [
                Reply(
                    t(
                        "The agreement is saved: «{text}», {owner} is responsible, by {date}. "
                        "{owner} is reminded before the date and asked «Er aftalen holdt?» on it. "
                        "Write «ny aftale» to record another.",
                        text=row.text,
                        owner=owner.name if owner else "",
                        date=long_date(t, due),
                    )
                )
            ]
        self.keep(None)
        return []

    async def agreement_owner(self, owner_id: int, meeting: MeetingView | None) -> list[Reply]:
        t = self.t
        meeting = meeting or await meetings.meeting_view(self.s, int(self.mine["meeting"]))
        if meeting is None or owner_id not in meeting.people():
            return [Reply(t("Please pick one of the options."), kind="error")]
        self.keep({**self.mine, "step": "due", "owner": owner_id})
        return [Reply(t("By when? For example «1. juni 2027»."), kind="question")]

    async def agreement_answer(self, choice: str) -> list[Reply]:
        t = self.t
        _kind, agreement_id, answer = [*choice.split(":"), "", ""][:3]
        found = await meetings.agreement(self.s, _int(agreement_id) or 0)
        if found is None or found.owner_id != self.person_id or answer not in messages.AGREEMENT_ANSWERS:
            return [Reply(t("That agreement is not yours to follow up, or it is gone."), kind="error")]
        if not await meetings.follow_up_agreement(
            self.s, found.id, AgreementStatus(answer), self.person_id, None, self.now
        ):
            return [
                Reply(
                    t(
                        "The agreement has already been followed up: {answer}.",
                        answer=messages.agreement_label(t, found.status),
                    )
                )
            ]
        self.keep({"mode": "words", "agreement": found.id})
        return [
            Reply(
                t("Saved: {answer}. In a few words, how did it go?", answer=messages.agreement_label(t, answer)),
                choices=(Choice("meeting:skip", t("Skip")),),
                kind="question",
            )
        ]

    async def list_agreements(self) -> list[Reply]:
        t = self.t
        scope = await progress.scope_of(self.s, self.person_id)
        found = await meetings.agreements(self.s, status=AgreementStatus.OPEN.value)
        names = await meetings.institution_names(self.s)
        mine = [
            a
            for a in found
            if a.owner_id == self.person_id
            or scope.everything
            or a.institution_id in scope.institution_ids
            or (a.area_id in scope.area_ids)
        ]
        if not mine:
            return [Reply(t("There are no open agreements you can see."))]
        facts = tuple(
            (
                f"{long_date(t, a.due_on)} · {a.owner_name or '-'}",
                a.text + (f" ({names[a.institution_id]})" if a.institution_id in names else ""),
            )
            for a in mine[:25]
        )
        return [Reply(t("Open agreements ({n}):", n=len(mine)), facts=facts, title=t("Agreements"), kind="status")]

    async def brief(self, meeting_id: int | None) -> list[Reply]:
        """The prep brief of the soonest coming meeting the person takes part in (or the one asked for)."""
        from dialogs.meetings.brief import brief_replies, build_brief

        found = [
            m for role in ParticipantRole for m in await meetings.upcoming_for(self.s, self.person_id, self.today, role)
        ]
        if meeting_id is not None:
            found = [m for m in found if m.id == meeting_id]
        if not found:
            return [Reply(self.t("You are not taking part in a planned meeting, so there is no agenda to add to."))]
        brief = await build_brief(self.s, min(found, key=lambda m: m.held_on).id, self.t)
        return brief_replies(self.t, brief) if brief is not None else []

    def meeting_choices(self, found: list[MeetingView], action: str) -> tuple[Choice, ...]:
        t = self.t
        out = []
        for m in found[:10]:
            template = self.templates.get(m.template_key)
            title = template.title.get(t.locale) if template else m.template_key
            out.append(Choice(f"meeting:{action}:{m.id}", f"{title}, {m.where or '-'}, {long_date(t, m.held_on)}"))
        return tuple(out)


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


def _int(text: object) -> int | None:
    try:
        return int(str(text))
    except ValueError:
        return None
