"""The conversation service: one inbound message in, replies out, everything saved in one transaction.

Every channel (console, Slack, Teams) calls `handle`. The service finds the person, takes the locks,
loads the board's shared draft, runs one engine step, writes the changes (each audited, with the
registration's version checked) and the new state, and commits. If another writer got in between,
the whole step is run again on fresh data."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs import approval_changes, followup, intent, role_help, views
from dialogs.approval import AdminCommand, Approvals, parse_admin_choice, parse_admin_command
from dialogs.changes import (
    ELSEWHERE,
    AddLocalGoal,
    Change,
    DeleteLocalGoal,
    MarkReady,
    SetAnswer,
    SetLocale,
    Submit,
)
from dialogs.commands import Cmd, parse_command
from dialogs.engine import BoardInfo, Context, advance, offer, reask
from dialogs.flows import FlowEdge, Who
from dialogs.links_chat import LinkAnswers, LinkRequest, parse_link_request
from dialogs.meetings import edge as meetings_edge
from dialogs.meetings.agreement_lines import agreements_reply
from dialogs.messages import Inbound, Reply
from dialogs.notices import render_notice
from dialogs.overview import MAX_FACTS, LeaderQuery, Overview, match_names, parse_leader_query
from dialogs.reminders.pause import handle_pause
from dialogs.reminders.render import reply_to_json
from dialogs.state import Mode, State
from dialogs.strategy import Respondent, Strategy, strategy_from_definition
from dialogs.texts import Texts, texts
from storage import conversations, meetings, outbox, people, policy, progress, registrations, strategies
from storage.db import Database
from storage.models import Area, Person, Registration, RegistrationStatus
from storage.models import Strategy as StrategyRow
from storage.registrations import DraftWriter, QuestionKinds, StaleRegistration
from storage.turn_facts import turn_facts

RETRIES = 3
FLOWS: tuple[FlowEdge, ...] = (followup.edge, meetings_edge.edge)  # beside the registration, tried in order
_HELP_WORDS = {"", "help", "hjælp", "hjaelp", "?"}
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SubmittedEvent:
    """A board submitted its registration; channels post the summary where the area reads."""

    registration_id: int
    institution_name: str
    area_name: str
    channels: tuple[tuple[str, str], ...]  # (platform, channel) where the area reads
    submitted_by: str


Listener = Callable[[SubmittedEvent], Awaitable[None]]


@dataclass
class StepInfo:
    """What a `step` tells the caller besides its replies: the reader's language (for the renderer's
    own words) and whether it left something for others (notices, channel summaries) to send now."""

    locale: str | None = None
    for_others: bool = False
    reply_open: bool = True  # an earlier reply to the conversation is not sent yet (or: not known)
    notices_waiting: bool = True  # someone's notices wait for the round after the turn (or: not known)
    known: bool = True  # the platform user is linked to a person


SideQuestion = LeaderQuery | AdminCommand | LinkRequest


@dataclass(frozen=True, slots=True)
class PersonRef:
    id: int
    name: str
    email: str
    locale: str | None


def strategy_of(row: StrategyRow) -> Strategy:
    """The validated strategy of a database row (parsed once per definition)."""
    return strategy_from_definition(row.definition)


def kinds_of(strategy: Strategy) -> QuestionKinds:
    return QuestionKinds(strategy.first_question.key, {q.key: q.kind.value for q in strategy.questions})


class ConversationService:
    def __init__(
        self,
        db: Database,
        *,
        default_locale: str = "da",
        timezone: str = "Europe/Copenhagen",
        contact: str = "forvaltningen",
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.db = db
        self.default_locale = default_locale
        self.tz = ZoneInfo(timezone)
        self.contact = contact
        self.clock = clock or (lambda: datetime.now(UTC))
        self.on_submitted: list[Listener] = []
        self.overview = Overview(db, default_locale=default_locale)
        self.approvals = Approvals(db, default_locale=default_locale, clock=self.clock)
        self.links: LinkAnswers | None = None  # set by the web app when signed links are configured
        self._strategies: dict[tuple[int, datetime], Strategy] = {}  # by version: a new load is a new key
        # the platforms whose notices the caller delivers after a turn (None: it does not ask the turn)
        self.notice_platforms: tuple[str, ...] | None = None

    def today(self) -> date:
        return self.clock().astimezone(self.tz).date()

    def texts_for(self, locale: str | None) -> Texts:
        return texts(locale or self.default_locale)

    async def identify(self, platform: str, user_key: str, email: str | None = None) -> PersonRef | None:
        """The person behind a platform user: by a known identity, else by email (then remembered)."""
        async with self.db.transaction() as s:
            person = await people.person_by_identity(s, platform, user_key)
            if person is None and email:
                person = await people.person_by_email(s, email)
                if person is not None:
                    await people.link_identity(s, person, platform, user_key)
            return PersonRef(person.id, person.name, person.email, person.locale) if person else None

    def unknown_user(self, locale: str | None = None) -> Reply:
        t = self.texts_for(locale)
        return Reply(
            t(
                "Hello! I cannot find you among the boards I know, so I cannot help you register yet. "
                "Please contact {contact} and ask them to add you.",
                contact=self.contact,
            ),
            kind="error",
        )

    def failure(self, locale: str | None = None) -> Reply:
        """What a person hears when their turn failed on our side (the details go to the log)."""
        t = self.texts_for(locale)
        return Reply(t("Sorry, something went wrong on my side. Please try again in a moment."), kind="error")

    def not_saved(self, locale: str | None = None) -> Reply:
        """What a person hears when what they wrote could not be stored: plainly, that it was NOT saved."""
        t = self.texts_for(locale)
        return Reply(
            t(
                "Sorry, I could not save your message because of a problem on my side. It was NOT saved: "
                "please send it again in a moment."
            ),
            kind="error",
        )

    def channel_help(self, platform: str, where: str, t: Texts, who: role_help.Who | None = None) -> Reply:
        """What the bot answers in a channel (or to /maal) when it is not asked a leader question."""
        if where == "command":  # «/maal hjælp»: what this person can do with /maal, per role
            return role_help.slash_help(t, who or role_help.Who())
        return role_help.channel_help(t, who or role_help.Who())  # an @mention: per role, on every platform

    async def channel_question(self, inbound: Inbound, where: str) -> list[Reply]:
        """A question asked in a channel (an @mention) or with a command: a leader question, or help.
        Read-only: no state, no write lock."""
        async with self.db.transaction() as s:
            person = await people.person_by_identity(s, inbound.platform, inbound.user_key)
            ref = PersonRef(person.id, person.name, person.email, person.locale) if person else None
            who = role_help.Who()
            if person is not None:
                boards = tuple((b.institution_name, b.role) for b in await people.boards_of(s, person.id))
                who = role_help.Who(boards, frozenset(await people.roles_of(s, person.id)))
        if ref is None:
            return [self.unknown_user()]
        text = (inbound.text or "").strip()
        word = text.split(maxsplit=1)[0].casefold() if text else ""
        query = None if word in _HELP_WORDS else parse_leader_query(text)
        if query is None:
            return [self.channel_help(inbound.platform, where, self.texts_for(ref.locale), who)]
        return await self.overview.answer(ref.id, query, ref.locale)

    async def handle(self, inbound: Inbound) -> list[Reply]:
        for attempt in range(RETRIES):
            events: list[SubmittedEvent] = []
            asked: list[tuple[int, str | None, SideQuestion]] = []
            try:
                replies = await self._handle_once(inbound, events, asked)
            except StaleRegistration:
                if attempt == RETRIES - 1:
                    raise
                continue
            for event in events:  # after commit: a listener's failure cannot undo the submit
                for listener in self.on_submitted:
                    try:
                        await listener(event)
                    except Exception:
                        log.exception("a submit listener failed for registration %s", event.registration_id)
            for person_id, locale, question in asked:
                replies.extend(await self._answer_side(person_id, locale, question))
            return replies
        raise AssertionError("unreachable")

    async def _handle_once(
        self, inbound: Inbound, events: list[SubmittedEvent], asked: list[tuple[int, str | None, SideQuestion]]
    ) -> list[Reply]:
        async with self.db.transaction() as s:
            return await self.step(s, inbound, events, asked)

    async def answer_side(self, asked: list[tuple[int, str | None, SideQuestion]]) -> list[Reply]:
        """The side questions a `step` left for after its transaction (status, approvals, links)."""
        replies: list[Reply] = []
        for person_id, locale, question in asked:
            replies.extend(await self._answer_side(person_id, locale, question))
        return replies

    async def step(
        self,
        s: AsyncSession,
        inbound: Inbound,
        events: list[SubmittedEvent],
        asked: list[tuple[int, str | None, SideQuestion]],
        *,
        conversation: str | None = None,
        info: StepInfo | None = None,
    ) -> list[Reply]:
        """One turn inside the caller's transaction. With `conversation` (the outbox recipient the
        replies go to), a message that comes while the last question has not reached the person is
        not taken as its answer: the question is asked again. `info` is filled in for the caller."""
        info = info if info is not None else StepInfo()
        facts = await turn_facts(s, inbound.platform, inbound.user_key, conversation, self.notice_platforms)
        if facts is None:
            info.locale, info.known = self.default_locale, False
            return [self.unknown_user()]
        info.reply_open, info.notices_waiting = facts.reply_open, facts.notices_waiting
        person = facts.person
        info.locale = person.locale or self.default_locale
        if facts.strategy is None:
            t = self.texts_for(person.locale)
            return [Reply(t("No strategy has been loaded yet. Please contact {contact}.", contact=self.contact))]
        strategy_id, strategy = await self._strategy(s, *facts.strategy)
        kinds = kinds_of(strategy)
        boards = [b for b in facts.boards if strategy.answered_by(b.role)]  # a leadership strategy: leaders only
        regs: dict[int, people.Board] = {}
        rows: dict[int, Registration] = {}
        # locked in a fixed order (by institution) so two writers cannot deadlock
        for board in sorted(boards, key=lambda b: b.institution_id):
            reg = await registrations.open_draft(s, board.institution_id, strategy_id)
            regs[reg.id] = board
            rows[reg.id] = reg
        state_row = await conversations.lock_state(s, person.id, inbound.platform)
        saved = State.from_json(state_row.data)
        state = saved
        if state.registration_id is not None and state.registration_id not in regs:
            state = State()  # no longer on that board, or a new strategy
        drafts = {
            reg_id: await registrations.draft_of(s, rows[reg_id], kinds, regs[reg_id].institution_name)
            for reg_id in sorted(regs)
        }
        others: tuple[registrations.ChangeSeen, ...] = ()
        if state.registration_id is not None and rows[state.registration_id].version > state.seen_version:
            others = tuple(
                await registrations.changes_by_others(s, state.registration_id, state.seen_version, person.id)
            )
        previous, previous_first_key = await self._previous_period(s, strategy, regs)
        ctx = Context(
            strategy=strategy,
            person_name=person.name,
            locale=person.locale or self.default_locale,
            boards=tuple(
                BoardInfo(reg_id, b.institution_name, b.role, b.can_submit, b.institution_kind)
                for reg_id, b in regs.items()
            ),
            drafts=drafts,
            today=self.today(),
            others=others,
            previous=previous,
            previous_first_key=previous_first_key,
            roles=frozenset(facts.roles),
        )
        notices = await conversations.take_notices(s, person.id) if facts.has_notices else []
        t = self.texts_for(person.locale)
        shown = [Reply(render_notice(t, n.kind, n.params), kind="notice") for n in notices]
        locale = person.locale or self.default_locale
        routed = await handle_pause(s, person.id, inbound, locale=locale, today=self.today())
        if routed is not None:  # before the engine: "pause indtil ..." is not an answer
            return shown + routed
        who = Who(person.id, locale, self.clock(), self.today(), frozenset(b.institution_id for b in boards),
                  facts.open_followup)  # fmt: skip
        for edge in FLOWS:  # the follow-up's and the meeting's flows (dialogs/flows.py), by the same engine
            done = await edge(s, who, inbound, saved, offer)
            if done is not None:
                if done.state != saved:
                    conversations.save_state(state_row, done.state.to_json())
                return shown + list(done.replies)
        is_admin = policy.is_admin(facts.roles)
        stray = intent.run_command(state) if inbound.choice == "stray:run" else None
        if stray is not None:  # «Did you mean …?» yes: the command, as if typed
            inbound, state = replace(inbound, text=stray[0], choice=None), stray[1]
        question = self._side_question(inbound, state, bool(boards), is_admin)
        if question is None and state.mode in (Mode.ASK, Mode.WHEN) and inbound.text:
            question = await self._named_status(s, inbound.text)
        if question is not None:  # answered after this transaction: status, approvals, links
            info.for_others = isinstance(question, AdminCommand)  # approvals tell the board
            asked.append((person.id, person.locale or self.default_locale, question))
            return shown
        if facts.boards and not boards:  # a board member, and the strategy is the leadership's to answer
            return [*shown, Reply(t(
                "«{strategy}» is answered by your institution's leadership team, so there is nothing for you "
                "to fill in. You can still ask for «status».", strategy=strategy.title))]  # fmt: skip
        unseen = (
            conversation is not None
            and state.mode in (Mode.ASK, Mode.WHEN)
            and inbound.choice is None
            and facts.reply_unseen
        )
        step = reask(ctx, state) if unseen else advance(ctx, state, inbound)
        leadership = strategy.respondent is Respondent.LEADERSHIP
        await self._apply(s, person, step.changes, kinds, regs, events, rows, leadership=leadership)
        info.for_others = any(isinstance(c, (Submit, MarkReady)) for c in step.changes)
        info.locale = next((c.locale for c in step.changes if isinstance(c, SetLocale)), info.locale)
        new_state = step.state
        if new_state.registration_id is not None:  # locked above; its version is the one just written
            new_state = replace(new_state, seen_version=rows[new_state.registration_id].version)
        conversations.save_state(state_row, new_state.to_json())
        return shown + list(step.replies) + await self._leaders_agreements(s, t, inbound, new_state, regs)

    @staticmethod
    async def _leaders_agreements(
        s: AsyncSession, t: Texts, inbound: Inbound, state: State, regs: dict[int, people.Board]
    ) -> list[Reply]:
        """«status» from an institution's leader: its agreements from meetings follow the board's status."""
        command = parse_command(inbound.text or "") if inbound.choice is None else None
        board = regs.get(state.registration_id) if state.registration_id is not None else None
        if command is None or command.cmd is not Cmd.STATUS or board is None or board.role != policy.LEADER:
            return []
        reply = agreements_reply(t, await meetings.agreements(s, institution_ids=[board.institution_id]), MAX_FACTS)
        return [reply] if reply is not None else []

    async def _strategy(self, s: AsyncSession, strategy_id: int, loaded_at: datetime) -> tuple[int, Strategy]:
        """The active strategy, parsed; read only when this version (id, loaded at) was not seen yet."""
        key = (strategy_id, loaded_at)
        parsed = self._strategies.get(key)
        if parsed is None:
            parsed = strategy_of(await strategies.strategy_by_id(s, strategy_id))
            if len(self._strategies) >= 16:
                self._strategies.clear()
            self._strategies[key] = parsed
        return strategy_id, parsed

    @staticmethod
    async def _previous_period(
        s: AsyncSession, strategy: Strategy, regs: dict[int, people.Board]
    ) -> tuple[dict[int, registrations.DraftData], str]:
        """Last period's drafts for year-on-year: by this period's registration id."""
        if not strategy.previous:
            return {}, ""
        row = await strategies.strategy_by_key(s, strategy.previous)
        if row is None:
            return {}, ""
        earlier = strategy_of(row)
        out = {}
        for reg_id, board in regs.items():
            old = await registrations.find_registration(s, board.institution_id, row.id)
            if old is not None:
                out[reg_id] = await registrations.load_draft(s, old.id, kinds_of(earlier))
        return out, earlier.first_question.key

    async def _answer_side(self, person_id: int, locale: str | None, question: SideQuestion) -> list[Reply]:
        if isinstance(question, AdminCommand):
            return await self.approvals.answer(person_id, question, locale)
        if isinstance(question, LinkRequest):
            if self.links is None:
                t = self.texts_for(locale)
                return [Reply(t("Links to the status page and exports are switched off on this bot."), kind="error")]
            return await self.links.answer(person_id, question, locale)
        return await self.overview.answer(person_id, question, locale)

    @staticmethod
    def _side_question(inbound: Inbound, state: State, has_boards: bool, is_admin: bool) -> SideQuestion | None:
        """A question for the overview, the approvals or the links rather than a step in the person's
        own registration. While a question is open, free text is the answer, so only the unmistakable
        phrases count then."""
        answering = state.mode in (Mode.ASK, Mode.WHEN)
        if inbound.choice:
            if inbound.choice.startswith("status:"):
                return LeaderQuery("status", inbound.choice.removeprefix("status:"))
            return parse_admin_choice(inbound.choice)
        if not inbound.text:
            return None
        if not answering or is_admin:
            command = parse_admin_command(inbound.text)
            if command is not None:
                return command
        link = parse_link_request(inbound.text)
        if link is not None:  # the whole message is the request: never a board's answer
            return link
        return ConversationService._leader_query(inbound.text, state, has_boards)

    @staticmethod
    async def _named_status(s: AsyncSession, text: str) -> LeaderQuery | None:
        """«status Område Nord» or «vis Ærøvej» while a question is open: a leader question when it names
        an area or institution, so that «Status på trivsel måles …» stays an answer."""
        query = parse_leader_query(text)
        if query is None or query.kind != "status" or not query.target:
            return None
        names = await progress.area_and_institution_names(s)
        return query if match_names(query.target, names) else None

    @staticmethod
    def _leader_query(text: str, state: State, has_boards: bool) -> LeaderQuery | None:
        query = parse_leader_query(text)
        if query is None:
            return None
        if query.kind == "status" and query.target is None:
            return None if has_boards else query  # board people get their own board's status
        if state.mode in (Mode.ASK, Mode.WHEN) and query.kind == "status":
            return None
        return query

    async def _apply(
        self,
        s: AsyncSession,
        person: Person,
        changes: tuple[Change, ...],
        kinds: QuestionKinds,
        regs: dict[int, people.Board],
        events: list[SubmittedEvent],
        rows: dict[int, Registration],
        *,
        leadership: bool = False,
    ) -> None:
        """`leadership`: the strategy is answered by the leadership team, whose leaders are told (not parents)."""
        writers: dict[int, DraftWriter] = {}
        for change in changes:
            if isinstance(change, SetLocale):
                person.locale = change.locale
                continue
            if isinstance(change, ELSEWHERE):  # a follow-up's or a meeting's: stored by its flow's edge
                continue
            reg_id = change.registration_id
            if reg_id not in writers:
                writers[reg_id] = DraftWriter(s, rows[reg_id], kinds, person.id)  # locked by `step`
            writer = writers[reg_id]
            board = regs[reg_id]
            if isinstance(change, AddLocalGoal):
                await writer.add_local_goal(change.goal, change.text)
            elif isinstance(change, SetAnswer):
                await writer.set_answer(change.goal, change.position, change.key, change.value)
            elif isinstance(change, DeleteLocalGoal):
                await writer.delete_local_goal(change.goal, change.position)
            elif isinstance(change, Submit):
                before = rows[reg_id].status  # approval: what it is sent in from (after a return, or again)
                await writer.set_status(RegistrationStatus.SUBMITTED)
                await approval_changes.after_submit(s, rows[reg_id], person, before, now=self.clock())
                area = await people.area_of(s, board.institution_id)
                events.append(
                    SubmittedEvent(
                        reg_id, board.institution_name, area.name, tuple(area.channel_map().items()), person.name
                    )
                )
                await self._queue_summaries(s, reg_id, area, person.name)
                await self._notify(s, board, person, policy.Occasion.SUBMITTED, leadership)
            elif isinstance(change, MarkReady):
                await writer.mark_ready()
                await self._notify(s, board, person, policy.Occasion.READY_FOR_CHAIR, leadership)

    async def _notify(
        self, s: AsyncSession, board: people.Board, author: Person, occasion: policy.Occasion, leadership: bool
    ) -> None:
        """A notice (kind: the occasion's name) to the board people told on `occasion`, but the author."""
        params = {"name": author.name, "institution": board.institution_name}
        for other in await people.told_on_board(s, board.institution_id, occasion, leadership=leadership):
            if other.id != author.id:
                await conversations.add_notice(s, other.id, occasion.value, params)

    async def _queue_summaries(self, s: AsyncSession, registration_id: int, area: Area, submitter: str) -> None:
        """The submitted registration's summary for each of the area's channels, as outbox rows written
        in the submitting turn's transaction (sent right after it, retried like every outbox row)."""
        replies = await self._summary_in(s, registration_id, self.default_locale, submitter)
        now = self.clock()
        items = [
            outbox.NewItem(
                "summary",
                f"area:{area.id}:{platform}",
                f"registration:{registration_id}:{now.isoformat()}",
                now,
                {
                    "to": {"platform": platform, "channel": channel},
                    "to_name": area.name,
                    "replies": [reply_to_json(r) for r in replies],
                    "why": "a board submitted",
                },
            )
            for platform, channel in area.channel_map().items()
        ]
        await outbox.enqueue(s, items, now)

    async def summary(self, registration_id: int, locale: str | None = None) -> list[Reply]:
        """A submitted registration as replies, for the area's channel."""
        async with self.db.transaction() as s:
            return await self._summary_in(s, registration_id, locale)

    async def _summary_in(
        self, s: AsyncSession, registration_id: int, locale: str | None, submitter: str | None = None
    ) -> list[Reply]:
        """The compact channel post: institution, local goal titles, who sent it in (the details stay
        on the status page, and so do the names of the parents who wrote each part)."""
        t = self.texts_for(locale)
        reg = await registrations.get_registration(s, registration_id)
        row = await strategies.strategy_by_id(s, reg.strategy_id)
        strategy = strategy_of(row)
        draft = await registrations.load_draft(s, registration_id, kinds_of(strategy))
        return views.channel_summary(t, strategy, draft, submitter or draft.submitted_by)
